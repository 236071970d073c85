//! Writes the man pages and shell completions of xmmep-check and
//! xmmep-export (scripts/dist.sh puts them into the Debian packages).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// Writes the man pages (TOOL.1) and the bash, zsh and fish completions
/// (TOOL.bash, _TOOL, TOOL.fish) of xmmep-check and xmmep-export into DIR,
/// rendered from their command lines.
#[derive(Debug, Parser)]
#[command(name = "xmmep-gen-man", version, after_help = "Example:\n  cargo run --bin xmmep-gen-man -- target/man")]
struct Args {
    /// The folder to write into (made when missing)
    #[arg(value_name = "DIR")]
    dir: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match xmmep_tools::man::write_all(&args.dir) {
        Ok(files) => {
            println!("wrote {} into {}", files.join(" "), args.dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xmmep-gen-man: {}: {e}", args.dir.display());
            ExitCode::from(2)
        }
    }
}
