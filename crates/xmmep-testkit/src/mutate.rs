//! Random edits of a valid message, for the tests that feed decoders bytes
//! that are almost right: overwrite, put a delimiter, remove, insert a
//! delimiter or a control byte, put a digit.

use proptest::prelude::*;
use proptest::sample::Index;

pub type Edit = (Index, u8, u8);

/// One to five edits.
pub fn edits() -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec((any::<Index>(), 0u8..=7, any::<u8>()), 1..6)
}

/// Applies `edits` to the body (the header is kept, so the length it claims
/// may no longer match).
pub fn apply(bytes: &mut Vec<u8>, edits: &[Edit]) {
    const HEADER_LEN: usize = 8;
    for (at, op, b) in edits {
        if bytes.len() <= HEADER_LEN {
            break;
        }
        let i = HEADER_LEN + at.index(bytes.len() - HEADER_LEN);
        match op {
            0 => bytes[i] = *b,
            1..=4 => bytes[i] = *op,
            5 => {
                bytes.remove(i);
            }
            6 => bytes.insert(i, b % 5),
            _ => bytes[i] = b'0' + b % 10,
        }
    }
}
