//! The Info column summary of a message: its name and the key fields the
//! table tags (`MSG_LOGIN_REQ user=alice status=STATUS_AVAILABLE`).
//!
//! Text values are fetched through a callback so that the plugin can use
//! Wireshark's own character conversion, as the Lua script does.

use crate::codec::decode::{Decoded, Item, Value};
use crate::presentation::analysis::PART_RUN;
use crate::presentation::info::{BOOL_FALSE, BOOL_TRUE, MALFORMED_HEADER, PAIR_SEP, UNKNOWN_TYPE};
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
    // Tagged fields of the message, and tagged members of a struct that is
    // a field of the message (not of a list's elements).
    let mut in_struct = false;
    for (i, it) in d.items.iter().enumerate() {
        if it.depth == 0 {
            in_struct = it.value == Value::Struct;
        } else if !(it.depth == 1 && in_struct) {
            continue;
        }
        let f = schema.field(it.id);
        let Some(tag) = f.info else { continue };
        let shown = match it.value {
            Value::Count(_) if it.depth == 0 => pairs(schema, &d.items[i + 1..], &mut text_of),
            _ => match scalar_text(schema, it, &mut text_of) {
                Some(t) => t,
                None => continue,
            },
        };
        out.push(' ');
        out.push_str(tag);
        out.push('=');
        out.push_str(&shown);
    }
    out
}

/// A value as Info shows it: text, an enumeration's name, a number, a
/// Boolean's name; None for what has no single value.
fn scalar_text(schema: &Schema, it: &Item, text_of: &mut impl FnMut(u32, u32) -> String) -> Option<String> {
    let f = schema.field(it.id);
    Some(match it.value {
        Value::Text | Value::Invalid => text_of(it.offset, it.len),
        Value::Uint(v) => match f.vals.and_then(|e| e.lookup(v as i64)) {
            Some(e) => e.name.to_string(),
            None => v.to_string(),
        },
        Value::Int(v) => match f.vals.and_then(|e| e.lookup(v)) {
            Some(e) => e.name.to_string(),
            None => v.to_string(),
        },
        Value::Time(v) => v.to_string(),
        Value::Bool(b) => match f.bool_names {
            Some((t, fl)) => if b { t } else { fl }.to_string(),
            None => if b { BOOL_TRUE } else { BOOL_FALSE }.to_string(),
        },
        _ => return None,
    })
}

/// A dictionary's elements (the items after its own): `key:value`, joined
/// by commas.
fn pairs(schema: &Schema, rest: &[Item], text_of: &mut impl FnMut(u32, u32) -> String) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < rest.len() && rest[i].depth >= 1 {
        if rest[i].depth == 1 {
            let parts: Vec<String> = rest[i + 1..].iter().take_while(|it| it.depth >= 2).filter(|it| it.depth == 2).filter_map(|it| scalar_text(schema, it, text_of)).collect();
            out.push(parts.join(PAIR_SEP));
        }
        i += 1;
    }
    out.join(",")
}

/// The Info text of a frame's messages: each message's text, with ", "
/// between; a run of three or more consecutive parts of one multi-part
/// answer shows its first part, then `first..last (N parts)` for the rest
/// (docs/decisions.md 43).
pub fn frame_info(messages: &[(u16, String)]) -> String {
    let rel = crate::analysis::Relations::standard();
    let part_of = |code: u16| {
        let r = rel.roles(code);
        r.response.filter(|&e| crate::table::EXCHANGES[e].end.is_some())
    };
    let name = |code: u16| crate::table::definition(code).map_or("?", |m| m.name);
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < messages.len() {
        let (code, text) = &messages[i];
        let run = match part_of(*code) {
            Some(e) => messages[i..].iter().take_while(|(c, _)| part_of(*c) == Some(e)).count(),
            None => 1,
        };
        out.push(text.clone());
        if run >= 3 {
            let (first, last) = (messages[i + 1].0, messages[i + run - 1].0);
            out.push(crate::reports::fill(PART_RUN, &[&name(first), &name(last), &(run - 1)]));
            i += run;
        } else {
            i += 1;
        }
    }
    out.join(", ")
}
