//! Writes docs/reference.md, the generated reference, from the table.

use clap::Parser;

/// Writes docs/reference.md (filter fields, messages, expert infos) from
/// the message table (a test fails when the committed file is stale).
#[derive(Debug, Parser)]
#[command(name = "xmmep-gen-docs", version, after_help = "Example:\n  cargo run --bin xmmep-gen-docs")]
struct Args {}

fn main() {
    Args::parse();
    let path = xmmep_tools::workspace_root().join(xmmep_tools::docs_gen::OUTPUT);
    std::fs::write(&path, xmmep_tools::docs_gen::reference()).expect("write docs/reference.md");
    println!("wrote {}", path.display());
}
