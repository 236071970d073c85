//! Everything that differs between the supported Wireshark releases.
//!
//! `build.rs` detects the version with pkg-config and sets exactly one of the
//! cfgs `xmmep_ws_4_0`, `xmmep_ws_4_2`, `xmmep_ws_4_4`, plus the constants
//! below. Wireshark 4.4 replaced `gboolean` (an `int`) by C `bool` in the
//! heuristic dissector callback and in boolean preferences; those types are
//! chosen here and nowhere else.

use super::sys;

include!(concat!(env!("OUT_DIR"), "/ws_version.rs"));

/// The running Wireshark's version, as `"major.minor.micro"`, at build time.
pub const WS_VERSION: &str = env!("XMMEP_WS_VERSION");

/// Return type of `heur_dissector_t`.
#[cfg(not(xmmep_ws_4_4))]
pub type HeurResult = sys::gboolean;
/// Return type of `heur_dissector_t`.
#[cfg(xmmep_ws_4_4)]
pub type HeurResult = bool;

/// Converts a Rust bool to the heuristic callback's return type.
#[cfg(not(xmmep_ws_4_4))]
pub fn heur_result(b: bool) -> HeurResult {
    b as sys::gboolean
}
/// Converts a Rust bool to the heuristic callback's return type.
#[cfg(xmmep_ws_4_4)]
pub fn heur_result(b: bool) -> HeurResult {
    b
}

/// Storage Wireshark writes a boolean preference to (`gboolean *`, or
/// `bool *` from 4.4 on); the atomic has the same size and alignment.
#[cfg(not(xmmep_ws_4_4))]
pub type PrefBoolCell = std::sync::atomic::AtomicI32;
/// Storage Wireshark writes a boolean preference to.
#[cfg(xmmep_ws_4_4)]
pub type PrefBoolCell = std::sync::atomic::AtomicBool;

/// A new preference cell holding `b`.
#[cfg(not(xmmep_ws_4_4))]
pub fn pref_bool_cell(b: bool) -> PrefBoolCell {
    PrefBoolCell::new(b as i32)
}
/// A new preference cell holding `b`.
#[cfg(xmmep_ws_4_4)]
pub fn pref_bool_cell(b: bool) -> PrefBoolCell {
    PrefBoolCell::new(b)
}

/// Reads a preference cell.
#[cfg(not(xmmep_ws_4_4))]
pub fn pref_bool_get(c: &PrefBoolCell) -> bool {
    c.load(std::sync::atomic::Ordering::Relaxed) != 0
}
/// Reads a preference cell.
#[cfg(xmmep_ws_4_4)]
pub fn pref_bool_get(c: &PrefBoolCell) -> bool {
    c.load(std::sync::atomic::Ordering::Relaxed)
}
