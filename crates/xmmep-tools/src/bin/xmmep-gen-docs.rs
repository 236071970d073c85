//! Rewrites the generated reference tables of README.md from the table.

use clap::Parser;

/// Rewrites the reference tables of README.md (filter fields, messages,
/// expert infos) from the message table (a test fails when they are stale).
#[derive(Debug, Parser)]
#[command(
    name = "xmmep-gen-docs",
    version,
    after_help = "Example:\n  cargo run --bin xmmep-gen-docs"
)]
struct Args {}

fn main() {
    Args::parse();
    let path = xmmep_tools::workspace_root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let updated = xmmep_tools::docs_gen::update_readme(&readme)
        .expect("README.md has no generated-reference markers");
    std::fs::write(&path, updated).expect("write README.md");
    println!("updated {}", path.display());
}
