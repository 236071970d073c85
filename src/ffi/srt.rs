//! Statistics > Service Response Time (`tshark -z NAME,srt`) over an
//! existing tap, through `wireshark-headers/shim_srt.{h,c}`: one table
//! whose rows the caller names at indices of its choice, filled by the
//! caller's reading of each record. One table per process.

use std::ffi::{c_char, c_void};

use super::cstr::leak_cstr;
use super::guard;
use super::ids::Protocol;
use super::sys;
use super::tap::{self, Tap};

/// A response time table over the records of one tap.
pub(crate) trait SrtSpec: 'static {
    type Record: Copy + 'static;
    /// The row and the nanoseconds since its request, if `record` is a
    /// response to count.
    fn response(record: &Self::Record) -> Option<(i32, i64)>;
}

unsafe extern "C" fn srt_packet<S: SrtSpec>(
    tapdata: *mut c_void,
    pinfo: *mut sys::packet_info,
    _edt: *mut sys::epan_dissect_t,
    data: *const c_void,
    _flags: sys::tap_flags_t,
) -> sys::tap_packet_status {
    // SAFETY: the table listens to a `Tap<S::Record>` (`register`).
    let Some(record) = (unsafe { tap::record::<S::Record>(data) }) else { return sys::TAP_PACKET_DONT_REDRAW };
    match guard::catch(|| S::response(record)) {
        Ok(Some((row, ns))) => {
            // SAFETY: `tapdata` and `pinfo` are the callback's own; the
            // shim checks the row against the table.
            unsafe { sys::shim_srt_add(tapdata, row, ns, pinfo) };
            sys::TAP_PACKET_REDRAW
        }
        Ok(None) => sys::TAP_PACKET_DONT_REDRAW,
        Err(p) => {
            guard::print("service response time", &p);
            sys::TAP_PACKET_FAILED
        }
    }
}

/// `register_srt_table` for `proto` (`-z FILTERNAME,srt`) over `tap`
/// (registered as `tap_name`): titled `title`, first column `column`, row
/// `i` named `rows[i]` (None: never shown); "Apply as Filter" writes
/// `filter==i`. Call during registration, once.
pub(crate) fn register<S: SrtSpec>(proto: Protocol, _tap: Tap<S::Record>, tap_name: &str, title: &str, column: &str, filter: &str, rows: &[Option<String>]) {
    let names: Vec<*const c_char> = rows.iter().map(|r| r.as_deref().map_or(std::ptr::null(), leak_cstr)).collect();
    let names: &'static [*const c_char] = Vec::leak(names);
    // SAFETY: every string and the array are leaked (the shim keeps them
    // for the process); the callback is extern "C" and catches panics;
    // registration does not throw.
    unsafe {
        sys::shim_srt_register(proto.0, leak_cstr(tap_name), leak_cstr(title), leak_cstr(column), leak_cstr(filter), names.len() as i32, names.as_ptr(), Some(srt_packet::<S>));
    }
}
