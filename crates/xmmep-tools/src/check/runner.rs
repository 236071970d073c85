//! Runs tshark on one capture with an XMMEP dissector and streams its PDML.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::pdml::{self, Frame};

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

/// Runs `tshark -r file -2 -T pdml` with `extra` options and calls
/// `on_frame` for every frame. Two passes: only a pass over the whole
/// capture knows a request's answer (`xmmep.response_in`) and which
/// requests nothing answered (`xmmep.no_response`). Errors name what failed (tshark missing, unreadable
/// capture, tshark's own message).
pub fn run_tshark(tshark: &str, file: &Path, dissector: &Dissector, extra: &[String], on_frame: impl FnMut(Frame)) -> Result<(), String> {
    let mut cmd = Command::new(tshark);
    cmd.arg("-r").arg(file).args(["-2", "-T", "pdml"]);
    if let Dissector::Lua(script) = dissector {
        cmd.arg("-X").arg(format!("lua_script:{}", script.display()));
    }
    cmd.args(extra).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().map_err(|e| format!("cannot run {tshark}: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let parsed = pdml::read_frames(BufReader::new(stdout), on_frame);
    let out = child.wait_with_output().map_err(|e| format!("{tshark}: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("tshark failed on {} ({}): {}", file.display(), out.status, stderr.trim()));
    }
    parsed
}
