//! The XMMEP codec: framing, decoding and encoding. Pure Rust; it knows the
//! message table and nothing of Wireshark.

pub mod charset;
pub mod decode;
pub mod encode;
pub mod header;
pub mod heuristic;
pub mod info;

pub use charset::Charset;
pub use decode::{Decoded, Decoder, Item, Options, Report, Value};
pub use encode::{encode_body, encode_checked, encode_message, encode_raw, values_of, EncValue};
pub use header::{frame, parse_header, Frame, Header};
