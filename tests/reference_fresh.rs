//! The committed docs/reference.md is what the generator makes from the
//! message table: fields, messages and expert infos, the whole file.
#[test]
fn reference_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(xmmep_tools::docs_gen::OUTPUT);
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let fresh = xmmep_tools::docs_gen::reference();
    assert!(committed == fresh, "docs/reference.md is stale: run `{}`", xmmep_tools::docs_gen::COMMAND);
}
