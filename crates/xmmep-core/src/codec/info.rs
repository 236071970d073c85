//! The Info column summary of a message: its name and the key fields the
//! table tags (`MSG_LOGIN_REQ user=alice status=STATUS_AVAILABLE`).
//!
//! Text values are fetched through a callback so that the plugin can use
//! Wireshark's own character conversion, as the Lua script does.

use crate::codec::decode::{Decoded, Value};
use crate::presentation::info::{BOOL_FALSE, BOOL_TRUE, MALFORMED_HEADER, UNKNOWN_TYPE};
use crate::schema::Schema;

/// The Info text of one decoded message: its name, then `tag=value` for
/// each top-level field the table tags. The fixed texts are
/// `presentation::info`'s.
pub fn info_text(schema: &Schema, d: &Decoded, mut text_of: impl FnMut(u32, u32) -> String) -> String {
    let Some(h) = d.header else { return MALFORMED_HEADER.to_string() };
    let mut out = match schema.message(h.msg_type) {
        Some(m) => m.def.name.to_string(),
        None => crate::reports::fill(UNKNOWN_TYPE, &[&h.msg_type]),
    };
    for it in d.items.iter().filter(|it| it.depth == 0) {
        let f = schema.field(it.id);
        let Some(tag) = f.info else { continue };
        let shown = match it.value {
            Value::Text | Value::Invalid => text_of(it.offset, it.len),
            Value::Uint(v) => match f.vals.and_then(|e| e.lookup(v as i64)) {
                Some(e) => e.name.to_string(),
                None => v.to_string(),
            },
            Value::Int(v) | Value::Time(v) => v.to_string(),
            Value::Bool(b) => match f.bool_names {
                Some((t, fl)) => if b { t } else { fl }.to_string(),
                None => if b { BOOL_TRUE } else { BOOL_FALSE }.to_string(),
            },
            _ => continue,
        };
        out.push(' ');
        out.push_str(tag);
        out.push('=');
        out.push_str(&shown);
    }
    out
}
