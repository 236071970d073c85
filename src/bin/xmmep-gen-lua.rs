//! Writes lua/xmmep.lua, the generated Wireshark Lua dissector (src/lua_gen.rs).
fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(xmmep::lua_gen::OUTPUT);
    std::fs::create_dir_all(path.parent().unwrap()).expect("create lua/");
    std::fs::write(&path, xmmep::lua_gen::generate()).expect("write lua/xmmep.lua");
    println!("wrote {}", path.display());
}
