//! Rewrites the generated reference tables of README.md from the table.
fn main() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let updated = xmmep::docs_gen::update_readme(&readme).expect("README.md has no generated-reference markers");
    std::fs::write(&path, updated).expect("write README.md");
    println!("updated {}", path.display());
}
