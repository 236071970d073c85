//! Runs tshark on one capture with an XMMEP dissector and streams its
//! frames: the plugin's records from `-T fields`, or the PDML tree.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::pdml::{self, Frame};
use crate::records;

/// Which dissector decodes the captures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dissector {
    /// The binary plugin that tshark loads by itself (installed).
    Plugin,
    /// The Lua script at this path, passed with `-X lua_script:`.
    Lua(PathBuf),
}

/// The generated Lua script, built into the binary so that the check works
/// where no plugin matches the installed Wireshark.
pub const LUA_SCRIPT: &str = include_str!("../../../../lua/xmmep.lua");

/// Whether the tshark at `tshark` loads the binary plugin (`-G plugins`).
pub fn plugin_loaded(tshark: &str) -> bool {
    Command::new(tshark)
        .args(["-G", "plugins"])
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l.split('\t').next().map(str::trim) == Some("xmmep.so")))
        .unwrap_or(false)
}

/// Writes the built-in Lua script to a temporary file and returns its path.
pub fn write_lua(dir: &Path) -> std::io::Result<PathBuf> {
    let p = dir.join("xmmep.lua");
    std::fs::write(&p, LUA_SCRIPT)?;
    Ok(p)
}

/// How tshark hands the messages over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// `-T fields` with the plugin's record of each message
    /// (`crate::records`): the plugin only, at the cost of a fields pass.
    Records,
    /// `-T pdml`, the whole tree: the Lua script, or a plugin that makes no
    /// records (older than the tools).
    Pdml,
}

/// Runs `tshark -r file -2` with `extra` options, its output read as
/// `output` says, and calls `on_frame` for every frame. Two passes: only a
/// pass over the whole capture knows a request's answer
/// (`xmmep.response_in`) and which requests nothing answered
/// (`xmmep.no_response`). Without `fields`, the records' messages come
/// without their fields (the PDML's always have them). Errors name what
/// failed (tshark missing, unreadable capture, tshark's own message).
pub fn run_tshark(tshark: &str, file: &Path, dissector: &Dissector, output: Output, fields: bool, extra: &[String], on_frame: impl FnMut(Frame)) -> Result<(), String> {
    let mut cmd = Command::new(tshark);
    cmd.arg("-r").arg(file).arg("-2");
    match output {
        Output::Records => cmd.args(records::tshark_args()),
        Output::Pdml => cmd.args(["-T", "pdml"]),
    };
    if let Dissector::Lua(script) = dissector {
        cmd.arg("-X").arg(format!("lua_script:{}", script.display()));
    }
    cmd.args(extra).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot run {tshark}: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    // Read on its own thread, so that a tshark that writes much to stderr
    // never waits for this one to read its stdout to the end.
    let stderr = child.stderr.take().expect("piped stderr");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        text
    });
    let stdout = BufReader::with_capacity(1 << 16, stdout);
    let parsed = match output {
        Output::Records => records::read_frames_with(stdout, fields, on_frame),
        Output::Pdml => pdml::read_frames(stdout, on_frame),
    };
    // Output that does not read stops the reading: end tshark, unless it
    // has ended already (then its own failure says more).
    let killed = parsed.is_err() && matches!(child.try_wait(), Ok(None)) && child.kill().is_ok();
    let status = child.wait().map_err(|e| format!("{tshark}: {e}"))?;
    let stderr = errors.join().unwrap_or_default();
    if !status.success() && !killed {
        return Err(format!("tshark failed on {} ({}): {}", file.display(), status, stderr.trim()));
    }
    parsed
}
