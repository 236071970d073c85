//! Writes lua/xmmep.lua, the generated Wireshark Lua dissector (crates/xmmep-tools/src/lua_gen.rs).
fn main() {
    let path = xmmep_tools::workspace_root().join(xmmep_tools::lua_gen::OUTPUT);
    std::fs::create_dir_all(path.parent().unwrap()).expect("create lua/");
    std::fs::write(&path, xmmep_tools::lua_gen::generate()).expect("write lua/xmmep.lua");
    println!("wrote {}", path.display());
}
