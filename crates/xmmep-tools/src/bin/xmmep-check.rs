//! xmmep-check: fail a CI job when captures hold XMMEP protocol violations.
//!
//! Decodes each capture with tshark and the XMMEP dissector (the installed
//! binary plugin, or the generated Lua script with --lua or when no plugin
//! is loaded), prints each problem at or above the threshold as
//! `file:frame: MSG_NAME: problem` (every problem with --verbose), a
//! summary per message type and per report class (also as JSON with
//! --json, and as a JUnit XML report with --junit), and exits 1 when any
//! problem is at or above the chosen severity (default warning); 0 when
//! clean; 2 when it could not check (usage, tshark missing, unreadable file,
//! a tshark that decodes no XMMEP).

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use xmmep_tools::batch::{self, Decoder, Progress};
use xmmep_tools::check::args::Args;
use xmmep_tools::check::junit;
use xmmep_tools::check::report::Summary;

/// Each frame makes many small allocations, freed on another thread: this
/// allocator costs a fraction of the system's for that (docs/decisions.md 73).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xmmep-check: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<ExitCode, String> {
    let files = batch::expand_inputs(&args.captures)?;
    let extra = batch::tshark_options(&args.prefs, &args.decode_as);
    let mut decoder = Decoder::new("xmmep-check", &args.tshark, args.lua, extra, args.verbose)?;
    // The summary reads the messages' names and expert infos only.
    decoder.fields = false;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let mut summary = Summary::new(args.fail_on.name());
    summary.files = names.clone();
    let progress = Progress::new(files.len());
    let jobs = args.jobs.map_or_else(batch::default_jobs, usize::from);
    let mut kept = Ok(());
    let decoded = batch::run(
        &decoder,
        &files,
        jobs,
        |_, frame| frame,
        |i, frame| {
            progress.add_messages(frame.messages.len() as u64);
            if let (Err(e), Ok(())) = (summary.add_frame(&names[i], &frame), &kept) {
                kept = Err(e);
            }
        },
        &progress,
    );
    progress.finish();
    decoded?;
    kept.map_err(|e| format!("cannot keep the problems found: {e}"))?;
    // The problems are listed in the order the files were given, whatever
    // order parallel decoding found them in.
    summary.write_text(args.verbose, std::io::stdout().lock()).map_err(|e| format!("standard output: {e}"))?;
    if let Some(path) = &args.json {
        let write = || -> std::io::Result<()> {
            let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
            serde_json::to_writer_pretty(&mut out, &summary)?;
            out.write_all(b"\n")?;
            out.flush()
        };
        write().map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(path) = &args.junit {
        let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        junit::write(&summary, std::io::BufWriter::new(file)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(if summary.failing > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
