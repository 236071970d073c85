//! The 8-byte ASCII header and framing (spec 3.2, docs/decisions.md 1-3).

use crate::table::{HEADER_LEN, MAX_BODY_LEN, MAX_MSG_TYPE, MIN_MSG_TYPE};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub body_len: u32,
    pub msg_type: u32,
}

impl Header {
    /// Whole message length, header included.
    pub fn message_len(&self) -> usize {
        HEADER_LEN + self.body_len as usize
    }
    /// MessageType within 100..999 (docs/decisions.md 3).
    pub fn type_in_range(&self) -> bool {
        (MIN_MSG_TYPE..=MAX_MSG_TYPE).contains(&self.msg_type)
    }
}

/// Parses one right-aligned 4-byte decimal: padding of spaces or ASCII zeros,
/// then at least one digit. Returns None for anything else.
fn parse_cell(cell: &[u8]) -> Option<u32> {
    let mut i = 0;
    while i < cell.len() && cell[i] == b' ' {
        i += 1;
    }
    if i == cell.len() {
        return None;
    }
    let mut v = 0u32;
    for &b in &cell[i..] {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (b - b'0') as u32;
    }
    Some(v)
}

/// Parses the header at the start of `buf`, which must hold 8 bytes.
pub fn parse_header(buf: &[u8]) -> Option<Header> {
    if buf.len() < HEADER_LEN {
        return None;
    }
    Some(Header { body_len: parse_cell(&buf[0..4])?, msg_type: parse_cell(&buf[4..8])? })
}

/// What framing knows about the bytes at the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// Fewer than 8 bytes: the header is not complete yet.
    NeedHeader,
    /// A valid header; the message is this long and `complete` says whether
    /// the buffer holds all of it.
    Message { header: Header, len: usize, complete: bool },
    /// The first 8 bytes are not a header.
    Unframeable,
}

/// How long is the message at the start of `buf`, and is it all there.
pub fn frame(buf: &[u8]) -> Frame {
    if buf.len() < HEADER_LEN {
        return Frame::NeedHeader;
    }
    match parse_header(buf) {
        Some(header) => {
            let len = header.message_len();
            Frame::Message { header, len, complete: buf.len() >= len }
        }
        None => Frame::Unframeable,
    }
}

/// Writes a header: right-aligned, space padded (docs/decisions.md 2).
pub fn write_header(out: &mut Vec<u8>, body_len: u32, msg_type: u32) {
    // Both numbers have four digits, as many as the largest body length.
    debug_assert!(body_len <= MAX_BODY_LEN && msg_type <= MAX_BODY_LEN);
    out.extend_from_slice(format!("{body_len:>4}{msg_type:>4}").as_bytes());
}

/// The first test of the heuristics: a header whose MessageType is within
/// MIN_MSG_TYPE..=MAX_MSG_TYPE. Whether the type is defined, and the body,
/// are checked by `codec::heuristic`.
pub fn looks_like_header(buf: &[u8]) -> Option<Header> {
    let h = parse_header(buf)?;
    h.type_in_range().then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_padding() {
        assert_eq!(parse_header(b"  32 126"), Some(Header { body_len: 32, msg_type: 126 }));
        assert_eq!(parse_header(b"00320126"), Some(Header { body_len: 32, msg_type: 126 }));
        assert_eq!(parse_header(b" 032 126"), Some(Header { body_len: 32, msg_type: 126 }));
        assert_eq!(parse_header(b"   0 127"), Some(Header { body_len: 0, msg_type: 127 }));
        assert_eq!(parse_header(b"     127"), None);
        assert_eq!(parse_header(b" 3 2 126"), None);
        assert_eq!(parse_header(b"  +2 126"), None);
        assert_eq!(parse_header(b"GET / HT"), None);
    }

    #[test]
    fn framing() {
        assert_eq!(frame(b"  32"), Frame::NeedHeader);
        assert_eq!(frame(b"   2 200ab"), Frame::Message { header: Header { body_len: 2, msg_type: 200 }, len: 10, complete: true });
        assert!(matches!(frame(b"   9 200ab"), Frame::Message { complete: false, len: 17, .. }));
        assert_eq!(frame(b"xxxxxxxx"), Frame::Unframeable);
    }

    #[test]
    fn writes_space_padding() {
        let mut v = Vec::new();
        write_header(&mut v, 32, 126);
        assert_eq!(v, b"  32 126");
    }
}
