//! xmmep-capgen: writes the XMMEP capture corpus, or one large capture for
//! benchmarks.
//!
//!     xmmep-capgen --out-dir tests/captures [--seed N]
//!     xmmep-capgen --bench FILE --messages N [--seed N]

use std::path::PathBuf;
use std::process::ExitCode;

use xmmep_tools::capture::{bench, write_corpus, DEFAULT_SEED};

const USAGE: &str = "usage: xmmep-capgen --out-dir DIR [--seed N]\n       xmmep-capgen --bench FILE --messages N [--seed N]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut out_dir, mut bench_file, mut messages, mut seed) = (None, None, None, DEFAULT_SEED);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        let r: Result<(), String> = (|| {
            match a.as_str() {
                "--out-dir" => out_dir = Some(PathBuf::from(value()?)),
                "--bench" => bench_file = Some(PathBuf::from(value()?)),
                "--messages" => messages = Some(value()?.parse::<u64>().map_err(|e| format!("--messages: {e}"))?),
                "--seed" => seed = value()?.parse::<u64>().map_err(|e| format!("--seed: {e}"))?,
                "-h" | "--help" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument {other}")),
            }
            Ok(())
        })();
        if let Err(e) = r {
            eprintln!("xmmep-capgen: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let result = match (out_dir, bench_file, messages) {
        (Some(dir), None, None) => write_corpus(&dir, seed).map(|files| {
            for f in &files {
                println!("{}", f.display());
            }
            eprintln!("xmmep-capgen: wrote {} captures (seed {seed})", files.len());
        }),
        (None, Some(file), Some(n)) => bench(&file, n, seed).map(|packets| {
            eprintln!("xmmep-capgen: wrote {} ({n} messages, {packets} packets, seed {seed})", file.display());
        }),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xmmep-capgen: {e}");
            ExitCode::FAILURE
        }
    }
}
