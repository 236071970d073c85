//! The committed lua/xmmep.lua is what the generator makes from the table.
use xmmep_tools::lua_gen;

#[test]
fn lua_script_is_up_to_date() {
    xmmep_testkit::generated::assert_up_to_date(lua_gen::OUTPUT, &lua_gen::generate(), lua_gen::COMMAND);
}
