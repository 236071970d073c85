//! C strings from Rust text: a copy for one call ([`c_text`]), a copy that
//! lives for the process ([`leak_cstr`], for registration), or the text
//! itself when it is passed with its length ([`shown_text`]). C would end a
//! string at an interior NUL, so each shows one as U+2400 instead.

use std::borrow::Cow;
use std::ffi::{c_char, CString};

/// A C string for a text shown to the user, NULs shown as U+2400.
pub(super) fn c_text(s: &str) -> CString {
    CString::new(shown_text(s).as_bytes()).expect("NULs were replaced")
}

/// `s` with interior NULs shown as U+2400, as [`c_text`] does, for texts
/// passed with their length (no copy when there is no NUL, the usual case).
pub(super) fn shown_text(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{2400}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Leaks a NUL-terminated copy of `s`, valid for the rest of the process.
/// Interior NULs are shown as U+2400.
pub(super) fn leak_cstr(s: &str) -> *const c_char {
    Box::leak(c_text(s).into_boxed_c_str()).as_ptr()
}
