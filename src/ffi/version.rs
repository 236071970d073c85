//! Everything that differs between the supported Wireshark releases.
//!
//! `build.rs` reads the release with pkg-config, checks it against
//! `wireshark-versions`, and turns on a cfg for every API capability the
//! release has (`ws_c_bool`: 4.4 and later, ...). Code keyed by
//! capability lives here and in `plugin.rs` (the loader's symbols), nowhere
//! else, so a release newer than any we know gets the newest API.

#[cfg(not(ws_c_bool))]
use super::sys;

include!(concat!(env!("OUT_DIR"), "/ws_version.rs"));

/// C's truth type in the epan calls that changed with 4.4: `gboolean` (an
/// int) before, `bool` from 4.4 on. Heuristic callbacks return it and
/// boolean preferences store it.
#[cfg(not(ws_c_bool))]
pub(crate) type CBool = sys::gboolean;
/// C's truth type in the epan calls that changed with 4.4.
#[cfg(ws_c_bool)]
pub(crate) type CBool = bool;

/// Storage Wireshark writes a boolean preference to; the atomic has the
/// size and alignment of [`CBool`].
#[cfg(not(ws_c_bool))]
pub(crate) type PrefBoolCell = std::sync::atomic::AtomicI32;
/// Storage Wireshark writes a boolean preference to.
#[cfg(ws_c_bool)]
pub(crate) type PrefBoolCell = std::sync::atomic::AtomicBool;

/// A Rust bool as [`CBool`].
pub(crate) fn to_c_bool(b: bool) -> CBool {
    #[cfg(not(ws_c_bool))]
    return b as sys::gboolean;
    #[cfg(ws_c_bool)]
    return b;
}

/// A [`CBool`] as a Rust bool.
#[allow(clippy::nonminimal_bool)] // `!= 0` or identity, depending on the release
pub(crate) fn from_c_bool(c: CBool) -> bool {
    #[cfg(not(ws_c_bool))]
    return c != 0;
    #[cfg(ws_c_bool)]
    return c;
}

/// A new preference cell holding `b`.
pub(crate) fn pref_bool_cell(b: bool) -> PrefBoolCell {
    PrefBoolCell::new(to_c_bool(b))
}

/// Reads a preference cell.
pub(crate) fn pref_bool_get(c: &PrefBoolCell) -> bool {
    from_c_bool(c.load(std::sync::atomic::Ordering::Relaxed))
}
