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

use std::collections::HashMap;
use std::process::ExitCode;

use clap::Parser;

use xmmep_tools::batch::{self, Decoder, Progress};
use xmmep_tools::check::args::Args;
use xmmep_tools::check::junit;
use xmmep_tools::check::report::Summary;

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
    let decoder = Decoder::new("xmmep-check", &args.tshark, args.lua, extra, args.verbose)?;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let mut summary = Summary::new(args.fail_on.name());
    summary.files = names.clone();
    let progress = Progress::new(files.len());
    let jobs = args.jobs.map_or_else(batch::default_jobs, usize::from);
    let decoded = batch::run(
        &decoder,
        &files,
        jobs,
        |_, frame| frame,
        |i, frame| {
            progress.add_messages(frame.messages.len() as u64);
            summary.add_frame(&names[i], &frame);
        },
        &progress,
    );
    progress.finish();
    decoded?;
    // Files decoded in parallel report in any order: print in the order given.
    let order: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    summary.problems.sort_by_key(|p| (order.get(p.file.as_str()).copied(), p.frame));
    print!("{}", summary.text(args.verbose));
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(path) = &args.junit {
        let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
        junit::write(&summary, std::io::BufWriter::new(file)).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(if summary.failing > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
