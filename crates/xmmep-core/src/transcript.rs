//! A chat as a person reads it: the event a message is in a chat (a text,
//! a file offer, an answer to one), read from the table's roles and
//! relations, and its line of text (`presentation::transcript`). The
//! plugin's Follow > XMMEP Chat prints these lines; the Lua script's chats
//! window prints the same.
//!
//! Which field is which comes from the table: a message with a
//! `Role::Recipient` field is a text (its `Role::User` field the sender,
//! its `Role::Time` field the time, its last plain String field the
//! text); the stages of `table::FILE_TRANSFER` are offers (stages 0, 1)
//! and answers (2, 3), their keys naming the sender and the receiver.

use crate::codec::{Charset, Decoded, Value};
use crate::presentation::transcript as text;
use crate::reports::fill;
use crate::schema::Schema;
use crate::table::{self, Field, FieldType, Prim, Role};

/// What a message is in a chat, its texts decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `from` wrote `text` to `to`, a user or (`room`) a chat room; `time`
    /// is the message's own (seconds since 1970 UTC), if it has one.
    Text { from: String, to: String, room: bool, text: String, time: Option<i64> },
    /// `from` offers `to` the file `file` of `size` bytes.
    Offer { from: String, to: String, file: String, size: Option<i64> },
    /// `who` (the receiver) accepts or declines the offer of `from`; `file`
    /// is the offer's, when the caller knows it.
    Answer { who: String, from: String, accepted: bool, file: Option<String> },
}

impl Event {
    /// The two parties: the one who acts, the other one.
    pub fn parties(&self) -> (&str, &str) {
        match self {
            Event::Text { from, to, .. } | Event::Offer { from, to, .. } => (from, to),
            Event::Answer { who, from, .. } => (who, from),
        }
    }

    /// The event's line at `time` (seconds since 1970 UTC; a text's own
    /// time is used instead when it has one).
    pub fn line(&self, time: i64) -> String {
        let (at, what) = match self {
            Event::Text { from, to, room, text: t, time: own } => (own.unwrap_or(time), fill(if *room { text::ROOM_TEXT } else { text::TEXT }, &[from, to, t])),
            Event::Offer { from, file, size, .. } => {
                let size = size.map_or_else(String::new, bytes);
                let offer = fill(text::OFFER, &[from, file, &size]);
                // Without a size, no empty parentheses.
                (time, if size.is_empty() { offer.trim_end_matches(" ()").to_string() } else { offer })
            }
            Event::Answer { who, accepted, file, .. } => {
                let file = file.as_deref().unwrap_or(text::UNKNOWN_FILE);
                (time, fill(if *accepted { text::ACCEPTS } else { text::DECLINES }, &[who, &file]))
            }
        };
        fill(text::LINE, &[&utc(at), &what])
    }
}

/// "123,456 bytes".
pub fn bytes(n: i64) -> String {
    if n == 1 {
        return text::ONE_BYTE.to_string();
    }
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        grouped.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(text::GROUP_SEP);
        }
        grouped.push(c);
    }
    fill(text::BYTES, &[&grouped])
}

/// "2024-11-30 15:24:02" for seconds since 1970 UTC.
pub fn utc(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to a civil date (the proleptic Gregorian calendar), after
    // Howard Hinnant's `civil_from_days`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let two = |n: i64| format!("{n:02}");
    fill(text::TIME, &[&format!("{year:04}"), &two(month), &two(day), &two(rem / 3600), &two(rem / 60 % 60), &two(rem % 60)])
}

/// The message fields of a decode, with their table definitions.
fn fields<'a>(schema: &Schema, d: &'a Decoded) -> Option<(u16, impl Iterator<Item = (&'static Field, &'a crate::codec::Item)>)> {
    let code = u16::try_from(d.header?.msg_type).ok()?;
    let def = schema.message(u32::from(code))?.def;
    let header = [schema.generic.body_len, schema.generic.msg_type];
    Some((code, d.items.iter().filter(move |it| it.depth == 0 && !header.contains(&it.id)).zip(def.fields.iter()).map(|(it, f)| (*f, it))))
}

/// The event message `msg` (from its header's first byte, decoded as `d`,
/// its texts in `charset`) is in a chat, if any. `offered` is the file name
/// of the offer an answer answers, when the caller knows it.
pub fn event(schema: &Schema, charset: Charset, msg: &[u8], d: &Decoded, offered: Option<&str>) -> Option<Event> {
    let (code, fields) = fields(schema, d)?;
    let texts = |it: &crate::codec::Item| match it.value {
        Value::Text => msg.get(it.offset as usize..(it.offset + it.len) as usize).map(|b| charset.decode(b)),
        _ => None,
    };
    let transfer = &table::FILE_TRANSFER;
    let stage = transfer.stages.iter().position(|&s| s == code);
    let (mut from, mut to, mut room, mut body, mut time) = (None, None, false, None, None);
    let (mut file, mut size, mut accepted) = (None, None, None);
    for (f, it) in fields {
        match (stage, f.role, &f.ty) {
            (Some(_), _, _) if transfer.keys.first() == Some(&f.abbrev) => from = texts(it),
            (Some(_), _, _) if transfer.keys.get(1) == Some(&f.abbrev) => to = texts(it),
            (Some(_), _, _) if f.abbrev == transfer.file_name => file = texts(it),
            (Some(_), _, _) if f.abbrev == transfer.file_size => size = if let Value::Int(n) = it.value { Some(n) } else { None },
            (Some(_), _, _) if f.abbrev == transfer.result => accepted = if let Value::Bool(b) = it.value { Some(b) } else { None },
            (Some(_), _, _) => {}
            (None, Role::User, _) if from.is_none() => from = texts(it),
            (None, Role::Recipient { .. }, _) => to = texts(it),
            (None, Role::Time, _) => time = if let Value::Time(t) = it.value { Some(t) } else { None },
            (None, Role::Plain, FieldType::Prim(Prim::String)) => body = texts(it),
            (None, Role::Plain, FieldType::Prim(Prim::Boolean)) => room = it.value == Value::Bool(true),
            _ => {}
        }
    }
    match stage {
        Some(0 | 1) => Some(Event::Offer { from: from?, to: to?, file: file?, size }),
        Some(_) => Some(Event::Answer { who: to?, from: from?, accepted: accepted?, file: offered.map(str::to_string) }),
        None => {
            // A text is a message with a recipient; the room flag is the
            // Boolean the recipient's role names.
            let (from, to, text) = (from?, to?, body?);
            Some(Event::Text { from, to, room, text, time })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{encode_message, Decoder, EncValue, Options};

    fn decode(code: u32, values: &[EncValue]) -> (Vec<u8>, Decoded) {
        let msg = encode_message(code, values);
        let d = Decoder::new(Schema::standard(), Options::default()).decode(&msg);
        (msg, d)
    }

    fn event_of(code: u32, values: &[EncValue], offered: Option<&str>) -> Option<Event> {
        let (msg, d) = decode(code, values);
        event(Schema::standard(), Charset::Utf8, &msg, &d, offered)
    }

    use EncValue::{Bool, Int, Text};

    #[test]
    fn a_text_reads_as_the_sender_writes_it() {
        let t = |s: &str| Text(s.as_bytes().to_vec());
        // 2024-11-30 15:24:02 UTC
        let e = event_of(170, &[t("alice"), t("bob_k"), Int(1_732_980_242), t("see you at 5"), Bool(false)], None).unwrap();
        assert_eq!(e.line(0), "2024-11-30 15:24:02 alice -> bob_k: see you at 5\n");
        assert_eq!(e.parties(), ("alice", "bob_k"));
        let room = event_of(170, &[t("alice"), t("lobby"), Int(1_732_980_242), t("hi all"), Bool(true)], None).unwrap();
        assert_eq!(room.line(0), "2024-11-30 15:24:02 alice -> room lobby: hi all\n");
    }

    #[test]
    fn offers_and_answers_name_the_file() {
        let t = |s: &str| Text(s.as_bytes().to_vec());
        let offer = event_of(180, &[t("alice"), t("bob_k"), t("report.pdf"), Int(123_456), Int(7), Bool(false)], None).unwrap();
        assert_eq!(offer.line(1_732_980_242), "2024-11-30 15:24:02 alice offers report.pdf (123,456 bytes)\n");
        let answer = event_of(182, &[t("alice"), t("bob_k"), Int(7), Bool(true)], Some("report.pdf")).unwrap();
        assert_eq!(answer.line(1_732_980_242), "2024-11-30 15:24:02 bob_k accepts report.pdf\n");
        assert_eq!(answer.parties(), ("bob_k", "alice"));
        let declined = event_of(182, &[t("alice"), t("bob_k"), Int(7), Bool(false)], None).unwrap();
        assert_eq!(declined.line(0), "1970-01-01 00:00:00 bob_k declines a file\n");
    }

    #[test]
    fn other_messages_are_no_event() {
        let t = |s: &str| Text(s.as_bytes().to_vec());
        assert_eq!(event_of(200, &[t("alice")], None), None);
        assert_eq!(event_of(112, &[t("alice"), t("password1"), Int(0)], None), None);
    }

    #[test]
    fn sizes_and_times() {
        assert_eq!(bytes(0), "0 bytes");
        assert_eq!(bytes(1), "1 byte");
        assert_eq!(bytes(999), "999 bytes");
        assert_eq!(bytes(1000), "1,000 bytes");
        assert_eq!(bytes(5_812), "5,812 bytes");
        assert_eq!(bytes(1_234_567), "1,234,567 bytes");
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc(-1), "1969-12-31 23:59:59");
    }
}
