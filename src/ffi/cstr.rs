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

/// A text passed to C with its length, and whether it is known to hold no
/// NUL: then it is passed as it is, without a second scan.
#[derive(Clone, Copy)]
pub(crate) struct Text<'a> {
    text: &'a str,
    nul_free: bool,
}

impl<'a> Text<'a> {
    /// `text`, if it holds no NUL (the one scan for it).
    pub(crate) fn nul_free(text: &'a str) -> Option<Text<'a>> {
        (!text.as_bytes().contains(&0)).then_some(Text { text, nul_free: true })
    }

    /// `text`, which the caller found free of NUL.
    pub(super) fn checked(text: &'a str) -> Text<'a> {
        Text { text, nul_free: true }
    }

    pub(crate) fn as_str(self) -> &'a str {
        self.text
    }

    /// The text as Wireshark should get it (see [`shown_text`]).
    pub(super) fn shown(self) -> Cow<'a, str> {
        if self.nul_free {
            Cow::Borrowed(self.text)
        } else {
            shown_text(self.text)
        }
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(text: &'a str) -> Text<'a> {
        Text { text, nul_free: false }
    }
}

/// Leaks a NUL-terminated copy of `s`, valid for the rest of the process.
/// Interior NULs are shown as U+2400.
pub(super) fn leak_cstr(s: &str) -> *const c_char {
    Box::leak(c_text(s).into_boxed_c_str()).as_ptr()
}
