//! xmmep-capgen: writes the XMMEP capture corpus, or one large capture for
//! benchmarks.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Parser};

use xmmep_tools::capture::{bench, bench_sized, write_corpus, DEFAULT_SEED};

/// Writes the XMMEP capture corpus (deterministic for a seed), or one large
/// capture of N messages for benchmarks.
#[derive(Debug, Parser)]
#[command(
    name = "xmmep-capgen",
    version,
    group(ArgGroup::new("what").required(true).args(["out_dir", "bench"])),
    after_help = "Examples:
  xmmep-capgen --out-dir tests/captures
  xmmep-capgen --bench big.pcapng --messages 1000000
  xmmep-capgen --bench max.pcapng --messages 2000 --message-size 9999"
)]
struct Args {
    /// Write the corpus into DIR (the tests check it is identical)
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Write one large capture to FILE
    #[arg(long, value_name = "FILE", requires = "messages")]
    bench: Option<PathBuf>,
    /// How many messages the --bench capture holds
    #[arg(long, value_name = "N", requires = "bench")]
    messages: Option<u64>,
    /// Make every --bench message exactly BYTES long (header included): long
    /// buddy and room lists, for the size-growth benchmark
    #[arg(long, value_name = "BYTES", requires = "bench")]
    message_size: Option<usize>,
    /// Seed of the generator
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SEED)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let seed = args.seed;
    let size = args.message_size;
    let result = match (args.out_dir, args.bench, args.messages) {
        (Some(dir), _, _) => write_corpus(&dir, seed).map(|files| {
            for f in &files {
                println!("{}", f.display());
            }
        }),
        (None, Some(file), Some(n)) => match size {
            Some(s) => bench_sized(&file, n, s, seed),
            None => bench(&file, n, seed),
        }
        .map(|packets| {
            println!("{} ({n} messages, {packets} packets, seed {seed})", file.display());
        }),
        _ => unreachable!("clap requires --out-dir or --bench with --messages"),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xmmep-capgen: {e}");
            ExitCode::FAILURE
        }
    }
}
