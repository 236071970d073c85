//! Building XMMEP messages for the generator: by message name, checked
//! against the table by the encoder, and within the 1450-byte limit unless a
//! caller asks for a malformed one on purpose.

use xmmep_core::codec::encode::{encode_checked, encode_raw, EncValue};
use xmmep_core::codec::Charset;
use xmmep_core::table::{self, MessageDef, MAX_MESSAGE_LEN};

pub use EncValue::{Bool, Int, List, Struct};

/// The table entry called `name` (panics on a name the table lacks, which is
/// a bug in a session script).
pub fn def(name: &str) -> &'static MessageDef {
    table::MESSAGES.iter().find(|m| m.name == name).unwrap_or_else(|| panic!("no message {name} in the table"))
}

/// A message of checked shape, of any size.
pub fn msg_any(name: &str, values: Vec<EncValue>) -> Vec<u8> {
    encode_checked(def(name), &values).unwrap_or_else(|e| panic!("{}", e.0))
}

/// A well-formed message: checked shape, at most 1450 bytes.
pub fn msg(name: &str, values: Vec<EncValue>) -> Vec<u8> {
    let bytes = msg_any(name, values);
    assert!(bytes.len() <= MAX_MESSAGE_LEN, "{name} is {} bytes, over the limit", bytes.len());
    bytes
}

/// A message with raw field bytes, for the malformed set.
pub fn raw(code: u32, fields: &[&[u8]]) -> Vec<u8> {
    encode_raw(code, &fields.join(&table::FIELD_SEP))
}

/// String values in one character set.
#[derive(Clone, Copy)]
pub struct Text(pub Charset);

impl Text {
    pub fn s(&self, text: &str) -> EncValue {
        EncValue::Text(self.0.encode(text))
    }
}

/// Short for UTF-8 text ([`EncValue::text`]), for the message builders
/// here and for tests.
pub fn t(text: &str) -> EncValue {
    EncValue::text(text)
}

/// Splits `items` into consecutive messages of at most `per_packet` items
/// that each fit in 1450 bytes; `build(seq, chunk)` makes one message (with
/// `msg_any`, so that a chunk too large can be tried and shrunk).
/// Sequence numbers start at 1.
pub fn multipart<T: Clone>(items: &[T], per_packet: usize, build: impl Fn(i64, &[T]) -> Vec<u8>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut seq = 1;
    loop {
        let mut n = per_packet.min(items.len() - start);
        // Shrink until it fits (each element alone must fit).
        while n > 1 && build(seq, &items[start..start + n]).len() > MAX_MESSAGE_LEN {
            n -= 1;
        }
        let m = build(seq, &items[start..start + n]);
        assert!(m.len() <= MAX_MESSAGE_LEN, "one element does not fit in a message");
        out.push(m);
        start += n;
        seq += 1;
        if start >= items.len() {
            return out;
        }
    }
}
