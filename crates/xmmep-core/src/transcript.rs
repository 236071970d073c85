//! A chat as a person reads it: the event a message is in a chat (a text,
//! a file offer, an answer to one), read from the table's roles and
//! relations, and its line of text (`presentation::transcript`). The
//! plugin's Follow > XMMEP Stream prints these lines; the Lua script's chats
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
use crate::table::{self, FieldType, MessageDef, Prim, Role};

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
            Event::Offer { from, file, size, .. } => (
                time,
                match size {
                    Some(n) => fill(text::OFFER, &[from, file, &bytes(*n)]),
                    None => fill(text::OFFER_UNSIZED, &[from, file]),
                },
            ),
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
    let Some(c) = crate::calendar::civil(secs) else { return secs.to_string() };
    let two = |n: u8| format!("{n:02}");
    fill(text::TIME, &[&format!("{:04}", c.year), &two(c.month), &two(c.day), &two(c.hour), &two(c.minute), &two(c.second)])
}

/// Which fields of a message give its event (filter names below
/// `xmmep.`), read from the table: a message with a `Role::Recipient`
/// field is a text (its first `Role::User` field the sender, its
/// `Role::Time` field the time, its last plain String field the text, the
/// recipient's flag the room); the stages of `table::FILE_TRANSFER` are
/// offers (stages 0, 1) and answers (2, 3), their keys naming the sender
/// and the receiver. [`event`] reads a decode by it, and the Lua
/// generator writes it for the script's chats window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Text { from: &'static str, to: &'static str, body: &'static str, time: Option<&'static str>, room: &'static str },
    Offer { from: &'static str, to: &'static str, file: &'static str, size: &'static str },
    Answer { from: &'static str, to: &'static str, accepted: &'static str },
}

/// The layout of message `def`'s event, if it has one.
pub fn layout(def: &MessageDef) -> Option<Layout> {
    let t = &table::FILE_TRANSFER;
    if let Some(stage) = t.stages.iter().position(|&s| s == def.code) {
        let (from, to) = (*t.keys.first()?, *t.keys.get(1)?);
        return Some(if stage < 2 { Layout::Offer { from, to, file: t.file_name, size: t.file_size } } else { Layout::Answer { from, to, accepted: t.result } });
    }
    let (mut from, mut to, mut body, mut time) = (None, None, None, None);
    for f in def.fields {
        match (f.role, &f.ty) {
            (Role::User, _) if from.is_none() => from = Some(f.abbrev),
            (Role::Recipient { room_flag }, _) => to = Some((f.abbrev, room_flag)),
            (Role::Time, _) => time = Some(f.abbrev),
            (Role::Plain, FieldType::Prim(Prim::String)) => body = Some(f.abbrev),
            _ => {}
        }
    }
    let (to, room) = to?;
    Some(Layout::Text { from: from?, to, body: body?, time, room })
}

/// The event message `msg` (from its header's first byte, decoded as `d`,
/// its texts in `charset`) is in a chat, if any. `offered` is the file name
/// of the offer an answer answers, when the caller knows it.
pub fn event(schema: &Schema, charset: Charset, msg: &[u8], d: &Decoded, offered: Option<&str>) -> Option<Event> {
    let code = u16::try_from(d.header?.msg_type).ok()?;
    let def = schema.message(u32::from(code))?.def;
    let layout = layout(def)?;
    let header = [schema.generic.body_len, schema.generic.msg_type];
    // The message's own fields, in the table's order, by filter name.
    let value = |name: &str| {
        let i = def.fields.iter().position(|f| f.abbrev == name)?;
        d.items.iter().filter(|it| it.depth == 0 && !header.contains(&it.id)).nth(i)
    };
    let text = |name: &str| {
        let it = value(name)?;
        match it.value {
            Value::Text => msg.get(it.offset as usize..(it.offset + it.len) as usize).map(|b| charset.decode(b)),
            _ => None,
        }
    };
    let boolean = |name: &str| match value(name)?.value {
        Value::Bool(b) => Some(b),
        _ => None,
    };
    match layout {
        Layout::Text { from, to, body, time, room } => {
            let time = time.and_then(value).and_then(|it| if let Value::Time(t) = it.value { Some(t) } else { None });
            Some(Event::Text { from: text(from)?, to: text(to)?, room: boolean(room) == Some(true), text: text(body)?, time })
        }
        Layout::Offer { from, to, file, size } => {
            let size = value(size).and_then(|it| if let Value::Int(n) = it.value { Some(n) } else { None });
            Some(Event::Offer { from: text(from)?, to: text(to)?, file: text(file)?, size })
        }
        Layout::Answer { from, to, accepted } => Some(Event::Answer { who: text(to)?, from: text(from)?, accepted: boolean(accepted)?, file: offered.map(str::to_string) }),
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
    fn an_offer_without_a_size_has_no_parentheses() {
        let e = Event::Offer { from: "alice".into(), to: "bob_k".into(), file: "notes.txt".into(), size: None };
        assert_eq!(e.line(0), "1970-01-01 00:00:00 alice offers notes.txt\n");
    }

    #[test]
    fn layouts_come_from_the_roles_and_the_transfer() {
        let def = |code: u32| Schema::standard().message(code).unwrap().def;
        assert_eq!(layout(def(170)), Some(Layout::Text { from: "sender", to: "receiver", body: "content", time: Some("send_time"), room: "is_room_msg" }));
        assert_eq!(layout(def(181)), Some(Layout::Offer { from: "sender", to: "receiver", file: "file_name", size: "file_size" }));
        assert_eq!(layout(def(183)), Some(Layout::Answer { from: "sender", to: "receiver", accepted: "result_flag" }));
        assert_eq!(layout(def(150)), None);
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
