//! The command line of `xmmep-check`, in the library so that the man page
//! and the shell completions (`xmmep-gen-man`) come from the same definition.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
}

impl FailOn {
    pub fn name(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Note => "note",
        }
    }
}

/// Checks captures for XMMEP protocol violations
///
/// Decodes the captures with tshark and the XMMEP dissector (the installed
/// plugin, or the Lua script built into this program when no plugin is
/// loaded), prints each problem at or above --fail-on and a summary per
/// message type and per report class, and writes the same as JSON (--json)
/// or as a JUnit XML report for CI systems (--junit).
#[derive(Debug, Parser)]
#[command(
    name = "xmmep-check",
    version,
    after_help = "Examples:
  xmmep-check tests/captures/login.pcapng
  xmmep-check --fail-on error --json report.json tests/captures/
  xmmep-check --junit xmmep-junit.xml tests/captures/
  xmmep-check -o xmmep.charset:GB18030 tests/captures/chat_gb18030.pcapng

Exit status: 0 when no problem reaches --fail-on, 1 when one does,
2 when the check could not be made (usage, tshark missing, unreadable file,
a tshark that decodes no XMMEP: a one-message probe is decoded first)."
)]
pub struct Args {
    /// Capture files, or folders searched for *.pcapng, *.pcap, *.cap
    #[arg(required = true, value_name = "CAPTURE")]
    pub captures: Vec<PathBuf>,
    /// Fail (exit 1) on problems of this severity or above
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Also write the report as JSON to FILE (every problem, whatever --fail-on)
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Also write a JUnit XML report to FILE: a test suite per capture, a failing test case per message with a problem at or above --fail-on
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Decode with the built-in Lua script even when the plugin is installed
    #[arg(long)]
    pub lua: bool,
    /// The tshark to run
    #[arg(long, value_name = "PATH", default_value = "tshark")]
    pub tshark: String,
    /// A tshark preference, passed through (`-o xmmep.charset:GB18030`)
    #[arg(short = 'o', value_name = "PREF:VALUE")]
    pub prefs: Vec<String>,
    /// A tshark Decode As rule, passed through (`-d udp.port==9100,xmmep`)
    #[arg(short = 'd', value_name = "RULE")]
    pub decode_as: Vec<String>,
    /// Captures decoded at the same time [default: the number of cores]
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Print every problem, also those below --fail-on, and say which dissector is used
    #[arg(short, long)]
    pub verbose: bool,
}
