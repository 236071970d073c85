//! The Info column summary of a message: its name and the key fields the
//! table tags (`MSG_LOGIN_REQ user=alice status=STATUS_AVAILABLE`).
//!
//! Text values are fetched through a callback so that the plugin can use
//! Wireshark's own character conversion, as the Lua script does.

use crate::codec::decode::{Decoded, Value};
use crate::schema::Schema;

/// Texts of the Info column and of the protocol item that are not names
/// from the table; the Lua generator emits them too. `{}` as in
/// [`crate::reports::fill`].
pub const MALFORMED_HEADER: &str = "Malformed header";
pub const UNKNOWN_TYPE: &str = "Unknown type {}";
/// A Boolean with no `bool_names` in the table.
pub const BOOL_TRUE: &str = "true";
pub const BOOL_FALSE: &str = "false";

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
