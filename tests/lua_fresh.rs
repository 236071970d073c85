//! The committed lua/xmmep.lua is what the generator makes from the table.
#[test]
fn lua_script_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(xmmep_tools::lua_gen::OUTPUT);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let fresh = xmmep_tools::lua_gen::generate();
    assert!(committed == fresh, "lua/xmmep.lua is stale: run `{}`", xmmep_tools::lua_gen::COMMAND);
}
