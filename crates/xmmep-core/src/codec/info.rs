//! The Info column summary of a message: its name and the key fields the
//! table tags (`MSG_LOGIN_REQ user=alice status=STATUS_AVAILABLE`).
//!
//! Text values are fetched through a callback so that the plugin can use
//! Wireshark's own character conversion, as the Lua script does.

use crate::codec::decode::{Decoded, Item, Value};
use crate::presentation::analysis::PART_RUN;
use crate::presentation::flow;
use crate::presentation::info::{BOOL_FALSE, BOOL_TRUE, MALFORMED_HEADER, PAIR_SEP, PROBLEM_MARK, UNKNOWN_TYPE};
use crate::reports::{Severity, CLASSES};
use crate::schema::Schema;

/// The Info text of one decoded message: its name, then `tag=value` for
/// each top-level field the table tags. The fixed texts are
/// `presentation::info`'s. A message with a warning or an error ends with
/// the marks of its classes ([`problem_marks`]).
pub fn info_text(schema: &Schema, d: &Decoded, text_of: impl FnMut(u32, u32) -> String) -> String {
    let mut out = summary(schema, d, text_of);
    if !d.reports.is_empty() {
        problem_marks(d, &mut out);
    }
    out
}

/// ` [Truncated] [Out of range]`: each short name of the classes of the
/// message's warnings and errors once, in the classes' order, as built-in
/// dissectors end the Info of a packet with a problem.
pub fn problem_marks(d: &Decoded, out: &mut String) {
    let mut kinds = 0u64;
    for r in &d.reports {
        if r.kind.class().severity >= Severity::Warning {
            kinds |= 1 << r.kind.index();
        }
    }
    let mut shown: Vec<&str> = Vec::new();
    for c in CLASSES.iter().filter(|c| kinds & (1 << c.kind.index()) != 0) {
        if !shown.contains(&c.short) {
            shown.push(c.short);
            crate::reports::fill_texts_into(out, PROBLEM_MARK, &[c.short]);
        }
    }
}

fn summary(schema: &Schema, d: &Decoded, mut text_of: impl FnMut(u32, u32) -> String) -> String {
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

/// The flow graph's label of one decoded message, short enough for an
/// arrow: its name without `flow::NAME_PREFIX`, then its key, which is the
/// first value the table tags for the Info column, or, when it has both
/// tags of a pair of `flow::PAIRS`, the two values joined by
/// `flow::PAIR_JOIN` (`LOGIN_REQ alice`, `LOGIN_RES1 SUCCESS`,
/// `TXT_MSG alice->bob_k`). An enumeration's value is shown without the
/// prefix all its names share (`RESULT_`), a plain number with its tag
/// (`FIND_BUDDIES_RES seq=2`).
pub fn flow_label(schema: &Schema, d: &Decoded, mut text_of: impl FnMut(u32, u32) -> String) -> String {
    let Some(h) = d.header else { return MALFORMED_HEADER.to_string() };
    let mut out = match schema.message(h.msg_type) {
        Some(m) => m.def.name.strip_prefix(flow::NAME_PREFIX).unwrap_or(m.def.name).to_string(),
        None => crate::reports::fill(UNKNOWN_TYPE, &[&h.msg_type]),
    };
    let tagged: Vec<(&str, &Item)> = d.items.iter().filter(|it| it.depth == 0).filter_map(|it| schema.field(it.id).info.map(|tag| (tag, it))).collect();
    let value = |it: &Item, text_of: &mut dyn FnMut(u32, u32) -> String| {
        let t = scalar_text(schema, it, &mut |o, l| text_of(o, l))?;
        let f = schema.field(it.id);
        Some(match (f.vals.and_then(common_prefix), it.value) {
            (Some(p), _) => t.strip_prefix(p).map_or(t.clone(), str::to_string),
            // A bare number says little: it keeps its tag (`seq=2`).
            (None, Value::Uint(_) | Value::Int(_)) if f.vals.is_none() => format!("{}={t}", f.info.unwrap_or_default()),
            (None, _) => t,
        })
    };
    let find = |tag: &str| tagged.iter().find(|(t, _)| *t == tag).map(|(_, it)| *it);
    let pair = flow::PAIRS.iter().find_map(|(a, b)| Some((find(a)?, find(b)?)));
    let key = match pair {
        Some((a, b)) => match (value(a, &mut text_of), value(b, &mut text_of)) {
            (Some(a), Some(b)) => Some(format!("{a}{}{b}", flow::PAIR_JOIN)),
            _ => None,
        },
        None => tagged.iter().find_map(|(_, it)| value(it, &mut text_of)),
    };
    if let Some(k) = key {
        out.push(' ');
        out.push_str(&k);
    }
    out
}

/// The prefix every name of an enumeration shares, up to and with its
/// first `_` (`RESULT_`), if they all share one.
fn common_prefix(e: &crate::table::EnumDef) -> Option<&'static str> {
    let first = e.values.first()?.name;
    let p = &first[..first.find('_')? + 1];
    e.values.iter().all(|v| v.name.starts_with(p) && v.name.len() > p.len()).then_some(p)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{encode_checked, Decoder, EncValue, Options};

    fn label(code: u16, values: &[EncValue]) -> String {
        let bytes = encode_checked(crate::table::definition(code).unwrap(), values).unwrap();
        let schema = Schema::standard();
        let d = Decoder::new(schema, Options::default()).decode(&bytes);
        flow_label(schema, &d, |o, l| String::from_utf8_lossy(&bytes[o as usize..(o + l) as usize]).into_owned())
    }

    fn t(s: &str) -> EncValue {
        EncValue::Text(s.as_bytes().to_vec())
    }

    #[test]
    fn flow_labels_name_the_message_and_its_key() {
        use EncValue::{Bool, Int, List, Struct};
        assert_eq!(label(112, &[t("alice"), t("secret12"), Int(0)]), "LOGIN_REQ alice");
        assert_eq!(label(113, &[Int(0), Struct(vec![t("alice")])]), "LOGIN_RES1 SUCCESS");
        assert_eq!(label(170, &[t("alice"), t("bob_k"), Int(0), t("hi"), Bool(false)]), "TXT_MSG alice->bob_k");
        assert_eq!(label(115, &[Int(2), Int(0), List(vec![])]), "LOGIN_RES3 seq=2");
        assert_eq!(label(127, &[]), "LOGIN_RES_END");
    }
}
