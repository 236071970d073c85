//! A row as one line of JSON, byte for byte as `serde_json::to_writer`
//! writes it, without serde's per-value calls: strings without anything
//! to escape (nearly all) go out in one copy, and the row is most of the
//! export's own work.

use super::{Json, Problem, Row};

/// Appends `row` as JSON (no newline) to `out`.
pub fn write_row(out: &mut Vec<u8>, row: &Row) {
    out.extend_from_slice(b"{\"file\":");
    string(out, row.file);
    out.extend_from_slice(b",\"frame\":");
    out.extend_from_slice(itoa::Buffer::new().format(row.frame).as_bytes());
    for (key, value) in [(&b",\"time\":"[..], &row.time), (b",\"src\":", &row.src), (b",\"dst\":", &row.dst), (b",\"transport\":", &row.transport)] {
        out.extend_from_slice(key);
        string(out, value);
    }
    out.extend_from_slice(b",\"msg_type\":");
    match row.msg_type {
        Some(t) => out.extend_from_slice(itoa::Buffer::new().format(t).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"msg_name\":");
    string(out, &row.msg_name);
    out.extend_from_slice(b",\"fields\":");
    value(out, &row.fields);
    out.extend_from_slice(b",\"problems\":[");
    for (i, p) in row.problems.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        problem(out, p);
    }
    out.extend_from_slice(b"]}");
}

fn problem(out: &mut Vec<u8>, p: &Problem) {
    out.extend_from_slice(b"{\"class\":");
    string(out, &p.class);
    out.extend_from_slice(b",\"severity\":");
    string(out, &p.severity);
    out.extend_from_slice(b",\"text\":");
    string(out, &p.text);
    out.extend_from_slice(b",\"field\":");
    string(out, &p.field);
    out.push(b'}');
}

fn value(out: &mut Vec<u8>, v: &Json) {
    match v {
        Json::Str(s) => string(out, s),
        Json::Int(n) => out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes()),
        // Rare (intervals): serde_json's own digits, and null when not finite.
        Json::Float(x) => serde_json::to_writer(&mut *out, x).expect("writing to a Vec"),
        Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Json::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                value(out, item);
            }
            out.push(b']');
        }
        Json::Object(members) => {
            out.push(b'{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                string(out, key);
                out.push(b':');
                value(out, item);
            }
            out.push(b'}');
        }
    }
}

/// A JSON string, escaped as serde_json escapes: `"`, `\` and the control
/// characters below 0x20 (short forms where JSON has them, else `\u00xx`).
fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.push(b'"');
    if !crate::scan::any_below_or(bytes, 0x20, b"\"\\") {
        out.extend_from_slice(bytes);
    } else {
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let short = match b {
                b'"' => b'"',
                b'\\' => b'\\',
                0x08 => b'b',
                0x0c => b'f',
                b'\n' => b'n',
                b'\r' => b'r',
                b'\t' => b't',
                0..=0x1f => 0,
                _ => continue,
            };
            out.extend_from_slice(&bytes[start..i]);
            start = i + 1;
            if short != 0 {
                out.extend_from_slice(&[b'\\', short]);
            } else {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]]);
            }
        }
        out.extend_from_slice(&bytes[start..]);
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    #[test]
    fn rows_as_serde_json_writes_them() {
        let texts = ["", "plain", "quote \" back \\ slash", "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f}\u{7f}", "中文 émoji 😀", "end\\"];
        for t in texts {
            let fields = Json::Object(vec![
                ("text", Json::Str(Cow::Borrowed(t))),
                ("n", Json::Int(-42)),
                ("x", Json::Float(0.000310179)),
                ("big", Json::Float(1e300)),
                ("nan", Json::Float(f64::NAN)),
                ("b", Json::Bool(true)),
                ("list", Json::Array(vec![Json::Object(vec![(t, Json::Bool(false))]), Json::Array(Vec::new()), Json::Object(Vec::new())])),
            ]);
            let problem = Problem { class: t.into(), severity: "note".into(), text: t.into(), field: String::new() };
            for (msg_type, problems) in [(Some(7), vec![problem.clone(), problem.clone()]), (None, Vec::new())] {
                let row = Row {
                    file: t,
                    frame: 4_294_967_295,
                    time: t.into(),
                    src: "a".into(),
                    dst: t.into(),
                    transport: "tcp".into(),
                    msg_type,
                    msg_name: t.into(),
                    fields: fields.clone(),
                    problems,
                };
                let mut ours = Vec::new();
                write_row(&mut ours, &row);
                assert_eq!(String::from_utf8(ours).unwrap(), serde_json::to_string(&row).unwrap(), "{t:?}");
            }
        }
    }
}
