//! A Conversations and Endpoints tab (Statistics > Conversations,
//! Endpoints; `tshark -z conv,NAME`, `-z endpoints,NAME`) whose addresses
//! are names and whose conversations are numbered, and the conversation
//! filter of a packet: the shim's `shim_conv_table_*`
//! (wireshark-headers/shim_conv_table.h) behind a safe API.
//!
//! Wireshark's tab listens to the tap named as the protocol's filter name;
//! the caller's [`ConvTableSpec`] turns each record of that tap into at most
//! one [`ConvRow`]. The callbacks catch every panic.

use std::ffi::{c_int, c_void};

use super::cstr::{c_text, leak_cstr};
use super::guard;
use super::ids::Protocol;
use super::sys;
use super::tap::{self, Tap};

/// One message of a conversation: `from` sent `bytes` bytes to `to`.
pub(crate) struct ConvRow<'a> {
    pub(crate) from: &'a str,
    pub(crate) to: &'a str,
    /// Whether `to` is an endpoint too (it is listed as having received).
    pub(crate) to_is_endpoint: bool,
    /// The conversation's number (its row's filter selects it).
    pub(crate) conv: u32,
    pub(crate) bytes: u32,
}

/// What the tab asks of the caller.
pub(crate) trait ConvTableSpec: 'static {
    /// The records of the protocol's tap.
    type Record: Copy + 'static;
    /// The message a record adds, if any, passed to `add`.
    fn row(record: &Self::Record, add: &mut dyn FnMut(ConvRow<'_>));
    /// The conversation of frame `frame`, if it has one (right click >
    /// Conversation Filter).
    fn conv_of_frame(frame: u32) -> Option<u32>;
}

fn bytes(n: u32) -> c_int {
    c_int::try_from(n).unwrap_or(c_int::MAX)
}

/// Calls `add` with each row of the tap record behind `data`, catching any
/// panic (printed under `what`), and says whether the window changed.
///
/// # Safety
/// As [`tap::record`] for `S::Record`.
unsafe fn each_row<S: ConvTableSpec>(data: *const c_void, what: &str, mut add: impl FnMut(&ConvRow<'_>)) -> sys::tap_packet_status {
    // SAFETY: as the caller promises.
    let Some(rec) = (unsafe { tap::record::<S::Record>(data) }) else { return sys::TAP_PACKET_DONT_REDRAW };
    let done = guard::catch(|| {
        let mut added = false;
        S::row(rec, &mut |row| {
            add(&row);
            added = true;
        });
        added
    });
    match done {
        Ok(true) => sys::TAP_PACKET_REDRAW,
        Ok(false) => sys::TAP_PACKET_DONT_REDRAW,
        Err(p) => {
            guard::print(what, &p);
            sys::TAP_PACKET_FAILED
        }
    }
}

unsafe extern "C" fn conv_packet<S: ConvTableSpec>(
    tapdata: *mut c_void,
    pinfo: *mut sys::packet_info,
    _edt: *mut sys::epan_dissect_t,
    data: *const c_void,
    flags: sys::tap_flags_t,
) -> sys::tap_packet_status {
    let add = |row: &ConvRow<'_>| {
        let (from, to) = (c_text(row.from), c_text(row.to));
        // SAFETY: tapdata is the tab's conv_hash_t and pinfo the packet's,
        // as Wireshark passes them; the names are NUL-terminated, and
        // copied by the table when it keeps them.
        unsafe { sys::shim_conv_table_add(tapdata, pinfo, flags, from.as_ptr(), to.as_ptr(), row.conv, bytes(row.bytes)) };
    };
    // SAFETY: the tab listens to the protocol's tap, which carries only
    // `S::Record`s (register_conv_table).
    unsafe { each_row::<S>(data, "conversations", add) }
}

unsafe extern "C" fn endpoint_packet<S: ConvTableSpec>(
    tapdata: *mut c_void,
    _pinfo: *mut sys::packet_info,
    _edt: *mut sys::epan_dissect_t,
    data: *const c_void,
    flags: sys::tap_flags_t,
) -> sys::tap_packet_status {
    let add = |row: &ConvRow<'_>| {
        let from = c_text(row.from);
        // SAFETY: tapdata is the tab's conv_hash_t; the names are
        // NUL-terminated and copied by the table when it keeps them.
        unsafe { sys::shim_endpoint_table_add(tapdata, flags, from.as_ptr(), 1, bytes(row.bytes)) };
        if row.to_is_endpoint {
            let to = c_text(row.to);
            // SAFETY: as above.
            unsafe { sys::shim_endpoint_table_add(tapdata, flags, to.as_ptr(), 0, bytes(row.bytes)) };
        }
    };
    // SAFETY: as in `conv_packet`.
    unsafe { each_row::<S>(data, "endpoints", add) }
}

unsafe extern "C" fn conv_of_frame<S: ConvTableSpec>(frame: u32, out: *mut u32) -> c_int {
    // SAFETY: the shim passes a pointer to its own local.
    unsafe { guard::found_u32("conversation filter", out, || S::conv_of_frame(frame)) }
}

/// Registers the tab of `proto` over `tap` (which must be the tap named
/// as the protocol's filter name: the tab listens to that one) and the
/// conversation filter `display_name` of protocol `proto_name`. A row's
/// filter is `STREAM_FIELD == N && NAME_FIELD == "a" && ...`. Call during
/// registration.
pub(crate) fn register_conv_table<S: ConvTableSpec>(proto: Protocol, _tap: Tap<S::Record>, proto_name: &str, display_name: &str, stream_field: &str, name_field: &str) {
    // SAFETY: the strings are leaked (Wireshark and the shim keep them);
    // registration does not throw; the callbacks are extern "C" and catch
    // panics.
    unsafe {
        sys::shim_conv_table_register(
            proto.0,
            leak_cstr(proto_name),
            leak_cstr(display_name),
            leak_cstr(stream_field),
            leak_cstr(name_field),
            Some(conv_packet::<S>),
            Some(endpoint_packet::<S>),
            Some(conv_of_frame::<S>),
        );
    }
}
