//! xmmep-check: fail a CI job when captures hold XMMEP protocol violations.
//!
//!   xmmep-check [--fail-on error|warning|note] [--json FILE] [--lua] [-o PREF:VALUE]... CAPTURE...
//!
//! Decodes each capture with tshark and the XMMEP dissector (the installed
//! binary plugin, or the generated Lua script with --lua or when no plugin
//! is loaded), prints each report as `file:frame: MSG_NAME: problem`, a
//! summary per message type and per report class, and exits 1 when any
//! report is at or above the chosen severity (default warning); 0 when
//! clean; 2 when it could not check (usage, tshark missing, unreadable file).

use std::path::PathBuf;
use std::process::ExitCode;

use xmmep_tools::check::report::{Summary, SEVERITIES};
use xmmep_tools::check::runner::{self, Dissector};

const USAGE: &str = "usage: xmmep-check [--fail-on error|warning|note] [--json FILE] [--lua] [--tshark PATH] [-o PREF:VALUE]... [-d DECODE_AS]... CAPTURE...";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xmmep-check: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let mut args = std::env::args().skip(1);
    let (mut fail_on, mut json, mut lua, mut tshark) = ("warning".to_string(), None, false, "tshark".to_string());
    let (mut extra, mut files) = (Vec::new(), Vec::new());
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value\n{USAGE}"));
        match a.as_str() {
            "--fail-on" => fail_on = value("--fail-on")?,
            "--json" => json = Some(PathBuf::from(value("--json")?)),
            "--lua" => lua = true,
            "--tshark" => tshark = value("--tshark")?,
            "-o" | "-d" => {
                let v = value(&a)?;
                extra.push(a.clone());
                extra.push(v);
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}\n{USAGE}")),
            _ => files.push(PathBuf::from(a)),
        }
    }
    if !SEVERITIES[2..].contains(&fail_on.as_str()) {
        return Err(format!("--fail-on takes error, warning or note, not {fail_on}"));
    }
    if files.is_empty() {
        return Err(USAGE.to_string());
    }
    let tmp = std::env::temp_dir().join(format!("xmmep-check-{}", std::process::id()));
    let dissector = if !lua && runner::plugin_loaded(&tshark) {
        Dissector::Plugin
    } else {
        if !lua {
            eprintln!("xmmep-check: no xmmep.so plugin is loaded by {tshark}; using the built-in Lua script");
        }
        std::fs::create_dir_all(&tmp).map_err(|e| format!("{}: {e}", tmp.display()))?;
        Dissector::Lua(runner::write_lua(&tmp).map_err(|e| e.to_string())?)
    };
    let mut summary = Summary::new(&fail_on);
    let mut result = Ok(());
    for f in &files {
        let name = f.display().to_string();
        summary.files.push(name.clone());
        if let Err(e) = runner::run_tshark(&tshark, f, &dissector, &extra, |frame| summary.add_frame(&name, &frame)) {
            result = Err(e);
            break;
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    result?;
    print!("{}", summary.text());
    if let Some(path) = json {
        let text = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
        std::fs::write(&path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(if summary.failing > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
