//! Every report class of docs/decisions.md, raised by at least one message, on
//! the item it concerns, with the severity and group docs/decisions.md gives.

use xmmep_core::codec::{encode_raw, Decoded, Decoder, Options, Value};
use xmmep_core::reports::{Group, ReportKind, Severity, CLASSES};
use xmmep_core::schema::Schema;

fn decode(msg: &[u8]) -> Decoded {
    Decoder::new(Schema::standard(), Options::default()).decode(msg)
}

fn body(code: u32, fields: &[&[u8]]) -> Vec<u8> {
    encode_raw(code, &fields.join(&1u8))
}

/// The reports of `kind`, asserting there is exactly one.
fn one(d: &Decoded, kind: ReportKind) -> xmmep_core::codec::Report {
    let found: Vec<_> = d.reports.iter().filter(|r| r.kind == kind).cloned().collect();
    assert_eq!(found.len(), 1, "{kind:?} in {:?}", d.reports);
    found[0].clone()
}

fn field_of(d: &Decoded, r: &xmmep_core::codec::Report) -> String {
    Schema::standard().field(d.items[r.item.expect("report on an item") as usize].id).key.clone()
}

#[test]
fn bad_header() {
    let d = decode(b"GET / HTTP/1.0\r\n");
    let r = one(&d, ReportKind::BadHeader);
    assert_eq!((r.offset, r.len), (0, 8));
    assert!(d.items.is_empty());
    assert!(r.text.contains("GET / HT"), "{}", r.text);
}

#[test]
fn truncated_body() {
    let mut m = body(200, &[b"alice"]);
    m.truncate(10);
    let d = decode(&m);
    let r = one(&d, ReportKind::Truncated);
    assert_eq!(r.text, "Body has 2 of 5 bytes");
    assert_eq!(r.offset, 10);
}

#[test]
fn not_a_number_and_empty_number() {
    let d = decode(&body(114, &[b"x1", b"", b""]));
    let r = one(&d, ReportKind::NotANumber);
    assert_eq!(field_of(&d, &r), "xmmep.seq_num");
    assert_eq!(d.items[r.item.unwrap() as usize].value, Value::Invalid);
    let r = one(&d, ReportKind::EmptyNumber);
    assert_eq!(field_of(&d, &r), "xmmep.count");
    // '+', spaces and hex are not decimal.
    for bad in [&b"+1"[..], b" 1", b"0x1", b"1-"] {
        let d = decode(&body(114, &[bad, b"0", b""]));
        one(&d, ReportKind::NotANumber);
    }
}

#[test]
fn bad_boolean() {
    let d = decode(&body(170, &[b"alice", b"bob", b"0", b"hi", b"yes"]));
    let r = one(&d, ReportKind::BadBoolean);
    assert_eq!(field_of(&d, &r), "xmmep.is_room_msg");
}

#[test]
fn out_of_range() {
    // seq_num is a Short; result a Byte; a port reaches 65535 but no further.
    let d = decode(&body(114, &[b"40000", b"0", b""]));
    assert_eq!(field_of(&d, &one(&d, ReportKind::OutOfRange)), "xmmep.seq_num");
    let d = decode(&body(101, &[b"256"]));
    assert_eq!(field_of(&d, &one(&d, ReportKind::OutOfRange)), "xmmep.result");
    let d = decode(&body(111, &[b"0", b"10.0.0.1", b"65535"]));
    assert!(d.reports.is_empty(), "{:?}", d.reports);
    let d = decode(&body(111, &[b"0", b"10.0.0.1", b"65536"]));
    assert_eq!(field_of(&d, &one(&d, ReportKind::OutOfRange)), "xmmep.server_port");
    let d = decode(&body(101, &[b"-1"]));
    one(&d, ReportKind::OutOfRange);
    // A message type below 100 is out of range too.
    let d = decode(&encode_raw(99, b""));
    assert_eq!(field_of(&d, &one(&d, ReportKind::OutOfRange)), "xmmep.msg_type");
}

#[test]
fn unknown_enum() {
    let d = decode(&body(135, &[b"alice", b"7"]));
    let r = one(&d, ReportKind::UnknownEnum);
    assert_eq!(field_of(&d, &r), "xmmep.status");
    // Shown as its number.
    assert_eq!(d.items[r.item.unwrap() as usize].value, Value::Uint(7));
    let d = decode(&body(101, &[b"17"]));
    one(&d, ReportKind::UnknownEnum);
}

#[test]
fn length_rule() {
    let d = decode(&body(102, &[b"al", b"12345678"]));
    let r = one(&d, ReportKind::LengthRule);
    assert_eq!(field_of(&d, &r), "xmmep.user_name");
    assert_eq!(r.text, "User name has 2 characters, the specification says 3-16");
    // Characters, not bytes: six Chinese characters are 18 UTF-8 bytes.
    let d = decode(&body(102, &["张三李四王五".as_bytes(), b"1234567"]));
    assert_eq!(field_of(&d, &one(&d, ReportKind::LengthRule)), "xmmep.activate_code");
}

#[test]
fn count_mismatch() {
    let d = decode(&body(114, &[b"1", b"3", b"a\x03b"]));
    let r = one(&d, ReportKind::CountMismatch);
    assert_eq!(field_of(&d, &r), "xmmep.count");
    assert_eq!(r.text, "Count is 3 but Group list holds 2 elements");
    // An empty list has zero elements.
    let d = decode(&body(116, &[b"1", b"0", b""]));
    assert!(d.reports.is_empty(), "{:?}", d.reports);
    let d = decode(&body(195, &[b"alice", b"2", b"1\x04bob"]));
    assert_eq!(field_of(&d, &one(&d, ReportKind::CountMismatch)), "xmmep.condition_count");
}

#[test]
fn missing_fields_once_per_message() {
    let d = decode(&body(170, &[b"alice", b"bob"]));
    let r = one(&d, ReportKind::MissingFields);
    assert_eq!(r.text, "MSG_TXT_MSG lacks 3 fields: Send time, Content, Room message");
    // The optional tail of MSG_GET_LOGIN_INFO_RES: only result on failure.
    let d = decode(&body(111, &[b"8"]));
    assert!(d.reports.is_empty(), "{:?}", d.reports);
    let d = decode(&body(111, &[b"0"]));
    one(&d, ReportKind::MissingFields);
    // A struct with members missing.
    let d = decode(&body(113, &[b"0", b"alice\x02al"]));
    assert!(one(&d, ReportKind::MissingFields).text.starts_with("User info lacks 7 fields: Personal message"));
}

#[test]
fn extra_fields() {
    let d = decode(&body(200, &[b"alice", b"x", b"y"]));
    let r = one(&d, ReportKind::ExtraFields);
    assert_eq!(r.text, "2 fields past the 1 defined by MSG_KEEP_ALIVE");
    let extra = Schema::standard().generic.extra_field;
    assert_eq!(d.items.iter().filter(|i| i.id == extra).count(), 2);
}

#[test]
fn misplaced_delimiter() {
    let d = decode(&body(170, &[b"alice", b"bob", b"0", b"a\x02b", b"0"]));
    let r = one(&d, ReportKind::MisplacedDelimiter);
    assert_eq!(field_of(&d, &r), "xmmep.content");
    assert_eq!(r.len, 1);
    // 0x03 inside a struct member; 0x04 outside a dictionary.
    let d = decode(&body(150, &[b"alice", b"bob\x03x\x02g\x02d", b"0"]));
    assert_eq!(field_of(&d, &one(&d, ReportKind::MisplacedDelimiter)), "xmmep.buddy.buddy_name");
    let d = decode(&body(114, &[b"1", b"1", b"a\x04b"]));
    one(&d, ReportKind::MisplacedDelimiter);
}

#[test]
fn oversize_message_still_decodes() {
    let long = vec![b'x'; 1500];
    let d = decode(&body(170, &[b"alice", b"bob", b"0", &long, b"0"]));
    one(&d, ReportKind::Oversize);
    assert_eq!(d.reports.len(), 1);
}

#[test]
fn unknown_type_is_a_note() {
    let d = decode(&body(160, &[b"room", b"x"]));
    let r = one(&d, ReportKind::UnknownType);
    assert!(r.text.starts_with("Message type 160 has no definition"));
    let raw = Schema::standard().generic.raw_field;
    assert_eq!(d.items.iter().filter(|i| i.id == raw).count(), 2);
}

#[test]
fn charset_hint_once_per_message() {
    let gb = xmmep_core::codec::Charset::Gb18030.encode("张三丰");
    let d = decode(&body(170, &[&gb, &gb, b"1718000000", b"hi", b"0"]));
    let r = one(&d, ReportKind::CharsetHint);
    assert_eq!(field_of(&d, &r), "xmmep.sender");
    assert_eq!(r.text, "Sender is not UTF-8 but reads as GB18030: set the preference xmmep.charset to GB18030");
    // UTF-8 text, or the GB18030 preference: no hint.
    let d = decode(&body(170, &["张三丰".as_bytes(), b"bob", b"1718000000", b"hi", b"0"]));
    assert!(d.reports.iter().all(|r| r.kind != ReportKind::CharsetHint), "{:?}", d.reports);
    let opts = Options { charset: xmmep_core::codec::Charset::Gb18030 };
    let d = Decoder::new(Schema::standard(), opts).decode(&body(170, &[&gb, &gb, b"1718000000", b"hi", b"0"]));
    assert!(d.reports.iter().all(|r| r.kind != ReportKind::CharsetHint), "{:?}", d.reports);
}

#[test]
fn cleartext_password() {
    for code in [100u32, 104, 108, 112] {
        let m = xmmep_core::table::definition(code as u16).unwrap();
        let mut fields: Vec<&[u8]> = vec![b"0"; m.fields.len()];
        let pw = m.fields.iter().position(|f| f.abbrev == "password").unwrap();
        fields[pw] = b"secret123";
        let d = decode(&body(code, &fields));
        assert_eq!(field_of(&d, &one(&d, ReportKind::CleartextPassword)), "xmmep.password");
    }
}

#[test]
fn room_list_elements_may_be_chatrooms() {
    let d = decode(&body(117, &[b"1", b"2", b"lobby\x03dev\x02alice\x02welcome"]));
    assert!(d.reports.is_empty(), "{:?}", d.reports);
    let s = Schema::standard();
    let chat = s.field_by_key("xmmep.chatroom").unwrap();
    let rooms = s.field_by_key("xmmep.room_list").unwrap();
    assert_eq!(d.items.iter().filter(|i| i.id == chat).count(), 1);
    assert_eq!(d.items.iter().filter(|i| i.id == rooms).count(), 1);
}

#[test]
fn severities_and_groups_follow_decisions() {
    use ReportKind::*;
    let expect = |k: ReportKind, s: Severity, g: Group| {
        let c = k.class();
        assert_eq!((c.severity, c.group), (s, g), "{}", c.abbrev);
    };
    for k in [BadHeader, Truncated, NotANumber, EmptyNumber, BadBoolean] {
        expect(k, Severity::Error, Group::Malformed);
    }
    for k in [OutOfRange, UnknownEnum, LengthRule, CountMismatch, MissingFields, ExtraFields, MisplacedDelimiter, Oversize] {
        expect(k, Severity::Warning, Group::Protocol);
    }
    expect(UnknownType, Severity::Note, Group::Protocol);
    expect(CleartextPassword, Severity::Note, Group::Security);
    for k in [NoRequest, NoResponse, NoOriginal] {
        expect(k, Severity::Note, Group::Sequence);
    }
    expect(PartSequence, Severity::Warning, Group::Sequence);
    expect(CharsetHint, Severity::Note, Group::Protocol);
    assert_eq!(CLASSES.len(), 21);
}

#[test]
fn gb18030_counts_characters() {
    let opts = Options { charset: xmmep_core::codec::Charset::Gb18030 };
    let name = xmmep_core::codec::Charset::Gb18030.encode("张三");
    let d = Decoder::new(Schema::standard(), opts).decode(&body(110, &[&name]));
    // Two characters is below the 3-16 rule, whatever the byte count (4).
    assert!(one(&d, ReportKind::LengthRule).text.contains("has 2 characters"));
}
