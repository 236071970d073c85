//! Rewrites the generated reference tables of README.md from the table.
fn main() {
    let path = xmmep_tools::workspace_root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let updated = xmmep_tools::docs_gen::update_readme(&readme).expect("README.md has no generated-reference markers");
    std::fs::write(&path, updated).expect("write README.md");
    println!("updated {}", path.display());
}
