//! One message of a packet, as `dissect` hands it to `show` and `links`:
//! where it lies, its decode, and the texts of its bytes as Wireshark shows
//! them.

use std::borrow::Cow;

use xmmep_core::codec::{Charset, Decoded, Decoder};

use crate::ffi::batch::{Batch, Node};
use crate::ffi::{self, EpanResult, Packet, Tvb};

use super::state::State;

/// One message of `pkt.tvb`: `msg` starts at `base`, `decoded` is its decode.
pub(crate) struct Message<'m, 'p> {
    pub(crate) pkt: &'m Packet<'p>,
    pub(crate) state: &'m State,
    pub(crate) dec: &'m Decoder<'m>,
    pub(crate) base: usize,
    pub(crate) msg: &'m [u8],
    pub(crate) decoded: &'m Decoded,
    /// Whether the tree is shown: labels are only made for a shown tree
    /// (Wireshark keeps none on another). With `record`, always.
    pub(crate) visible: bool,
    /// Whether the message's record is handed over (`record`): the
    /// records' statistic listens and the packet has a tree.
    pub(crate) record: bool,
}

impl<'m, 'p> Message<'m, 'p> {
    pub(crate) fn charset(&self) -> Charset {
        self.dec.opts.charset
    }

    pub(crate) fn encoding(&self) -> u32 {
        encoding(self.charset())
    }

    /// The text of `len` bytes at `offset` of the message, as Wireshark
    /// shows it (see [`wireshark_text`]).
    pub(crate) fn text(&self, offset: u32, len: u32) -> EpanResult<Cow<'m, str>> {
        let bytes = &self.msg[offset as usize..(offset + len) as usize];
        // The usual case, the bytes themselves: no copy.
        if let Some(text) = plain_text(bytes, self.charset()) {
            return Ok(Cow::Borrowed(text.as_str()));
        }
        wireshark_text(self.pkt.tvb, self.base + offset as usize, bytes, self.charset(), self.encoding()).map(Cow::Owned)
    }

    /// A text value at `offset` (`len` bytes) of the message: given as text
    /// when it reads as its bytes ([`plain_text`]), which spares Wireshark
    /// reading and converting it; else read by Wireshark. An item Wireshark
    /// will not keep (tree not shown, field not referenced) is added as it
    /// is read, which returns first: no text to check.
    pub(crate) fn text_item(&self, b: &mut Batch<'p, '_>, parent: Node, hf: ffi::HfId, offset: u32, len: u32) -> Node {
        let start = (self.base + offset as usize) as i32;
        if !self.visible && !b.is_referenced(hf) {
            return b.add_item(parent, hf, start, len as i32, self.encoding());
        }
        let bytes = &self.msg[offset as usize..(offset + len) as usize];
        match plain_text(bytes, self.charset()) {
            Some(text) => b.add_string(parent, hf, start, len as i32, text),
            None => b.add_item(parent, hf, start, len as i32, self.encoding()),
        }
    }
}

/// Wireshark's string encoding of a charset.
pub(crate) fn encoding(charset: Charset) -> u32 {
    match charset {
        Charset::Utf8 => ffi::ENC_UTF_8,
        Charset::Gb18030 => ffi::ENC_GB18030,
    }
}

/// `bytes` as the value Wireshark reads from them (`tvb_get_string_enc`
/// in `charset`), when that is the bytes themselves: no NUL (where the
/// value would end), and ASCII, or valid UTF-8 read as UTF-8 (as
/// [`wireshark_text`] takes them).
fn plain_text(bytes: &[u8], charset: Charset) -> Option<ffi::Text<'_>> {
    if charset != Charset::Utf8 && !bytes.is_ascii() {
        return None;
    }
    ffi::Text::nul_free(std::str::from_utf8(bytes).ok()?)
}

/// Text of `bytes` (at `start` in `tvb`) as Wireshark converts it, so that
/// labels and Info read like string fields, and like the Lua script's. A NUL
/// shows as U+2400: C strings would end there.
pub(crate) fn wireshark_text(tvb: Tvb<'_>, start: usize, bytes: &[u8], charset: Charset, enc: u32) -> EpanResult<String> {
    if bytes.is_ascii() || (charset == Charset::Utf8 && std::str::from_utf8(bytes).is_ok()) {
        return Ok(String::from_utf8_lossy(bytes).replace('\0', "\u{2400}"));
    }
    let mut out = String::new();
    let mut at = start;
    for (i, piece) in bytes.split(|&b| b == 0).enumerate() {
        if i > 0 {
            out.push('\u{2400}');
        }
        if !piece.is_empty() {
            out.push_str(&tvb.string(at as u32, piece.len() as u32, enc)?);
        }
        at += piece.len() + 1;
    }
    Ok(out)
}
