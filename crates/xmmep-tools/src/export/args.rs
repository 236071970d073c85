//! The command line of `xmmep-export`, in the library so that the man page
//! and the shell completions (`xmmep-gen-man`) come from the same definition.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// One CSV row per message, a header line first.
    Csv,
    /// The CSV's columns, typed, in an Apache Parquet file (needs -o FILE).
    Parquet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    /// Exit 0 whatever the messages hold.
    Never,
}

/// Writes one row per XMMEP message of captures, as JSON Lines, CSV or Parquet
///
/// Decodes the captures with tshark and the XMMEP dissector (the installed
/// plugin, or the Lua script built into this program when no plugin is
/// loaded) and writes one row per XMMEP message, for a database or a data
/// frame.
#[derive(Debug, Parser)]
#[command(
    name = "xmmep-export",
    version,
    after_help = "Examples:
  xmmep-export tests/captures/login.pcapng
  xmmep-export --format csv -o login.csv tests/captures/login.pcapng
  xmmep-export --format parquet -o corpus.parquet tests/captures/
  xmmep-export --jobs 2 -o corpus.jsonl tests/captures/

JSON Lines rows: file, frame, time (RFC 3339 UTC), src, dst, transport,
msg_type, msg_name, fields (filter names without `xmmep.`), problems.
Parquet has the CSV's columns, typed: integers, Booleans, timestamps (UTC),
text, and lists of text for fields a message may hold several times.
With --jobs above 1 the rows of different captures interleave; the rows of
one capture stay in order.

Exit status: 0 when no problem reaches --fail-on, 1 when one does,
2 when the export could not be made (usage, tshark missing, unreadable file,
a tshark that decodes no XMMEP: a one-message probe is decoded first)."
)]
pub struct Args {
    /// Capture files, or folders searched for *.pcapng, *.pcap, *.cap
    #[arg(required = true, value_name = "CAPTURE")]
    pub captures: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Write to FILE instead of standard output (required with --format parquet)
    #[arg(short, long, value_name = "FILE", required_if_eq("format", "parquet"))]
    pub output: Option<PathBuf>,
    /// Captures decoded at the same time [default: the number of cores]
    #[arg(short, long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Exit 1 when a message has a problem of this severity or above
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Decode with the built-in Lua script even when the plugin is installed
    #[arg(long)]
    pub lua: bool,
    /// The tshark to run
    #[arg(long, value_name = "PATH", default_value = "tshark")]
    pub tshark: String,
    /// A tshark preference, passed through (`-o xmmep.charset:GB18030`)
    #[arg(short = 'O', long = "pref", value_name = "PREF:VALUE")]
    pub prefs: Vec<String>,
    /// A tshark Decode As rule, passed through (`-d udp.port==9100,xmmep`)
    #[arg(short = 'd', long = "decode-as", value_name = "RULE")]
    pub decode_as: Vec<String>,
    /// Say which dissector is used
    #[arg(short, long)]
    pub verbose: bool,
}
