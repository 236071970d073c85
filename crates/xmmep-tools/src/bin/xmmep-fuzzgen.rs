//! xmmep-fuzzgen: writes a capture of structure-aware random XMMEP traffic
//! (src/capture/random.rs) for scripts/fuzz.sh. The server ports are TCP
//! 47420 and UDP 47421; decode them with `-d tcp.port==47420,xmmep
//! -d udp.port==47421,xmmep`.
//!
//!     xmmep-fuzzgen --out FILE [--packets N] [--seed N]

use std::process::ExitCode;

use xmmep_tools::capture::{pcapng, random};

const USAGE: &str = "usage: xmmep-fuzzgen --out FILE [--packets N] [--seed N]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut out, mut packets, mut seed) = (None, 5000usize, 1u64);
    while let Some(a) = args.next() {
        let v = args.next();
        let parsed = match (a.as_str(), v) {
            ("--out", Some(v)) => {
                out = Some(v);
                Ok(())
            }
            ("--packets", Some(v)) => v.parse().map(|n| packets = n).map_err(|e| format!("--packets: {e}")),
            ("--seed", Some(v)) => v.parse().map(|n| seed = n).map_err(|e| format!("--seed: {e}")),
            _ => Err(format!("bad argument {a}")),
        };
        if let Err(e) = parsed {
            eprintln!("xmmep-fuzzgen: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let Some(out) = out else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let packets = random::capture(seed, packets);
    match std::fs::write(&out, pcapng::to_bytes(&format!("xmmep-fuzzgen seed {seed}"), &packets)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xmmep-fuzzgen: {out}: {e}");
            ExitCode::FAILURE
        }
    }
}
