//! The README's field, message and expert tables match the message table.
#[test]
fn readme_reference_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let updated = xmmep_tools::docs_gen::update_readme(&readme).expect("README.md lacks the generated-reference markers");
    assert!(updated == readme, "README.md is stale: run `cargo run --bin xmmep-gen-docs`");
}
