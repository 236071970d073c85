//! Writes lua/xmmep.lua, the generated Wireshark Lua dissector (crates/xmmep-tools/src/lua_gen.rs).

use clap::Parser;

/// Writes lua/xmmep.lua, the Wireshark Lua dissector generated from the
/// message table (a test fails when the committed file is stale).
#[derive(Debug, Parser)]
#[command(name = "xmmep-gen-lua", version, after_help = "Example:\n  cargo run --bin xmmep-gen-lua")]
struct Args {}

fn main() {
    Args::parse();
    let path = xmmep_tools::workspace_root().join(xmmep_tools::lua_gen::OUTPUT);
    std::fs::create_dir_all(path.parent().unwrap()).expect("create lua/");
    std::fs::write(&path, xmmep_tools::lua_gen::generate()).expect("write lua/xmmep.lua");
    println!("wrote {}", path.display());
}
