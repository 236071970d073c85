//! The symbols Wireshark's plugin loader looks up in the plugin's shared
//! object.
//!
//! - `plugin_version`: a NUL-terminated char ARRAY (not a pointer);
//! - `plugin_want_major` / `plugin_want_minor`: the major.minor build.rs
//!   found with pkg-config; the loader refuses the plugin unless they equal
//!   the version of the Wireshark that loads it;
//! - `plugin_register`: called once at start-up; it registers a
//!   `proto_plugin` whose callbacks run `plugin::register_protoinfo` and
//!   `plugin::register_handoff`;
//! - `plugin_describe` (4.4 and later): the plugin's kind.
//!
//! The symbols are exported from the cdylib; in the crate's unit-test
//! executable they are ordinary items (it links libwireshark so that they
//! resolve, see `mod.rs`).

use std::ffi::c_int;

use super::guard;
use super::sys;
use super::version::{WS_MAJOR, WS_MINOR};

const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

const fn to_array<const N: usize>(s: &str) -> [u8; N] {
    let b = s.as_bytes();
    let mut a = [0u8; N];
    let mut i = 0;
    while i < N {
        a[i] = b[i];
        i += 1;
    }
    a
}

/// The plugin's version string, as a NUL-terminated char array.
#[no_mangle]
#[used]
pub static plugin_version: [u8; VERSION.len()] = to_array(VERSION);

/// Major version of Wireshark this plugin was built for.
#[no_mangle]
#[used]
pub static plugin_want_major: c_int = WS_MAJOR;

/// Minor version of Wireshark this plugin was built for.
#[no_mangle]
#[used]
pub static plugin_want_minor: c_int = WS_MINOR;

extern "C" fn register_protoinfo() {
    // A panic here would abort Wireshark's start-up; report it instead.
    if let Err(p) = guard::catch(crate::plugin::register_protoinfo) {
        guard::print("registration failed", &p);
    }
}

extern "C" fn register_handoff() {
    if let Err(p) = guard::catch(crate::plugin::register_handoff) {
        guard::print("handoff registration failed", &p);
    }
}

static PLUGIN: sys::proto_plugin = sys::proto_plugin { register_protoinfo: Some(register_protoinfo), register_handoff: Some(register_handoff) };

/// What kind of plugin this is, for the loader's listing (`tshark -G
/// plugins` says "dissector" instead of "unknown"); looked up from 4.4 on.
#[cfg(ws_plugin_describe)]
#[no_mangle]
pub extern "C" fn plugin_describe() -> u32 {
    sys::WS_PLUGIN_DESC_DISSECTOR as u32
}

/// Entry point called by Wireshark's plugin loader.
#[no_mangle]
pub extern "C" fn plugin_register() {
    // SAFETY: PLUGIN is a static (Wireshark keeps the pointer); its callbacks
    // are extern "C" functions that catch panics.
    unsafe { sys::proto_register_plugin(&PLUGIN) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_symbols() {
        assert_eq!(*plugin_version.last().unwrap(), 0);
        assert!(!plugin_version[..plugin_version.len() - 1].contains(&0));
        assert_eq!(&plugin_version[..], VERSION.as_bytes());
        assert_eq!(plugin_want_major, 4);
        assert_eq!(format!("{plugin_want_major}.{plugin_want_minor}"), format!("{}.{}", env!("WS_MAJOR"), env!("WS_MINOR")));
    }
}
