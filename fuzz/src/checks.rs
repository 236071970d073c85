//! What each coverage-guided fuzz target checks, written once for the
//! fuzzer (fuzz/fuzz_targets) and for the replay of the committed corpus
//! under `cargo test` (tests/fuzz_corpus.rs includes this file). Each
//! function takes the fuzzer's bytes and panics on a broken property.

use xmmep_core::codec::header::{looks_like_header, write_header};
use xmmep_core::codec::heuristic::{accept_tcp, accept_udp};
use xmmep_core::codec::info::info_text;
use xmmep_core::codec::{encode_checked, frame, parse_header, values_of, Charset, Decoded, Decoder, EncValue, Frame, Options};
use xmmep_core::reports::ReportKind;
use xmmep_core::schema::Schema;
use xmmep_core::table::{self, FieldType, Prim, Role, Tail, HEADER_LEN};

/// Wireshark's limit of tree items per frame, and the largest frame: the
/// dissectors add one item per decoded item, one for the message and four
/// per expert info; a complete message may cost at most this many items
/// per byte (1,000,000 / 262,144 is 3.8).
pub const MAX_ITEMS_PER_BYTE: usize = 3;

fn decoder(charset_byte: u8) -> Decoder<'static> {
    let charset = if charset_byte & 1 == 0 { Charset::Utf8 } else { Charset::Gb18030 };
    Decoder::new(Schema::standard(), Options { charset })
}

/// The header cell rule of DECISIONS.md 2, written independently of the
/// parser: spaces, then at least one character, all digits.
fn cell_ok(cell: &[u8]) -> bool {
    let digits: &[u8] = &cell[cell.iter().take_while(|&&b| b == b' ').count()..];
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// Header parsing and framing agree with the rule and with each other.
pub fn header(data: &[u8]) {
    let h = parse_header(data);
    let valid = data.len() >= HEADER_LEN && cell_ok(&data[0..4]) && cell_ok(&data[4..8]);
    assert_eq!(h.is_some(), valid, "parse_header on {:?}", &data[..data.len().min(8)]);
    match (frame(data), h) {
        (Frame::NeedHeader, _) => assert!(data.len() < HEADER_LEN),
        (Frame::Unframeable, None) => assert!(data.len() >= HEADER_LEN),
        (Frame::Message { header, len, complete }, Some(h)) => {
            assert_eq!(header, h);
            assert!(h.body_len <= 9999 && h.msg_type <= 9999);
            assert_eq!(len, HEADER_LEN + h.body_len as usize);
            assert_eq!(complete, data.len() >= len);
        }
        (f, h) => panic!("frame {f:?} but parse_header {h:?}"),
    }
    if let Some(h) = looks_like_header(data) {
        assert!(h.type_in_range());
    }
    // write_header then parse_header is the identity.
    if data.len() >= 4 {
        let body_len = u16::from_le_bytes([data[0], data[1]]) as u32 % 10000;
        let msg_type = u16::from_le_bytes([data[2], data[3]]) as u32 % 10000;
        let mut out = Vec::new();
        write_header(&mut out, body_len, msg_type);
        let h = parse_header(&out).expect("written header parses");
        assert_eq!((h.body_len, h.msg_type), (body_len, msg_type));
    }
}

/// The heuristics: UDP acceptance implies TCP acceptance; an accepted UDP
/// datagram frames exactly into defined messages; an accepted TCP payload
/// starts with a defined message that, when complete, has no error.
pub fn heuristic(data: &[u8]) {
    let Some((&c, buf)) = data.split_first() else { return };
    let dec = decoder(c);
    let tcp = accept_tcp(&dec, buf);
    let udp = accept_udp(&dec, buf);
    if udp {
        assert!(tcp, "UDP accepted but not TCP");
        let mut at = 0;
        while at < buf.len() {
            match frame(&buf[at..]) {
                Frame::Message { header, len, complete: true } => {
                    assert!(dec.schema.message(header.msg_type).is_some());
                    at += len;
                }
                f => panic!("accepted datagram does not frame at {at}: {f:?}"),
            }
        }
        assert_eq!(at, buf.len());
    }
    if tcp {
        let Frame::Message { header, len, complete } = frame(buf) else { panic!("accepted without a header") };
        assert!(dec.schema.message(header.msg_type).is_some());
        if complete {
            let d = dec.decode(&buf[..len]);
            assert_ne!(d.worst(), Some(xmmep_core::reports::Severity::Error), "accepted with an error");
        }
    }
}

/// TCP framing over any segmentation: the first byte seeds the cut points,
/// the rest is the stream. Reassembling segment by segment (as
/// tcp_dissect_pdus does with the header's length) yields the same
/// messages as framing the whole stream, up to the first bad header; what
/// is left at the end of the stream decodes as a truncated message.
pub fn tcp_framing(data: &[u8]) {
    let Some((&seed, stream)) = data.split_first() else { return };
    // The reference: frame the whole stream.
    let mut whole = Vec::new();
    let mut at = 0;
    while let Frame::Message { len, complete: true, .. } = frame(&stream[at..]) {
        whole.push(&stream[at..at + len]);
        at += len;
    }
    // Segments of 1..=64 bytes from a small generator seeded by `seed`.
    let mut x = u32::from(seed) | 0x100;
    let mut cuts = Vec::new();
    let mut pos = 0;
    while pos < stream.len() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        pos = (pos + 1 + (x % 64) as usize).min(stream.len());
        cuts.push(pos);
    }
    let mut got: Vec<&[u8]> = Vec::new();
    let (mut start, mut bad) = (0, false);
    for &end in &cuts {
        // Everything up to `end` has arrived.
        loop {
            match frame(&stream[start..end]) {
                Frame::Message { len, complete: true, .. } => {
                    got.push(&stream[start..start + len]);
                    start += len;
                }
                Frame::Unframeable => {
                    bad = true;
                    break;
                }
                _ => break,
            }
        }
        if bad {
            break;
        }
    }
    assert_eq!(got, whole, "segmentation changed the messages");
    // The stream ends: the rest, if it starts with a header, is a message
    // cut short, and the decoder says so.
    let rest = &stream[start..];
    if let (false, Frame::Message { len, complete: false, .. }) = (bad, frame(rest)) {
        let d = decoder(seed).decode(rest);
        assert!(rest.len() < len);
        assert_eq!(d.available, rest.len());
        assert!(d.reports.iter().any(|r| r.kind == ReportKind::Truncated), "cut message without a truncated report");
    }
}

/// The decoder on any bytes (first byte: charset): never panics; items
/// and reports stay in what was decoded, in a well-formed pre-order; one
/// report per class; a bounded number of tree items per byte; the Info
/// text builds.
pub fn decode(data: &[u8]) {
    let Some((&c, msg)) = data.split_first() else { return };
    let dec = decoder(c);
    let mut d = Decoded::new();
    let r = dec.decode_into(msg, &mut d);
    assert_eq!(r.is_ok(), parse_header(msg).is_some());
    check_decoded(&dec, &d, msg);
}

fn check_decoded(dec: &Decoder<'_>, d: &Decoded, msg: &[u8]) {
    let full = d.header.map(|h| h.message_len());
    match full {
        Some(len) => assert_eq!(d.available, len.min(msg.len())),
        None => assert_eq!(d.available, msg.len().min(HEADER_LEN)),
    }
    let mut prev_depth: Option<u8> = None;
    for it in &d.items {
        assert!((it.offset + it.len) as usize <= d.available, "{it:?} past {}", d.available);
        match prev_depth {
            None => assert_eq!(it.depth, 0),
            Some(p) => assert!(it.depth <= p + 1, "depth jumps from {p} to {}", it.depth),
        }
        prev_depth = Some(it.depth);
    }
    let mut kinds: Vec<ReportKind> = d.reports.iter().map(|r| r.kind).collect();
    for r in &d.reports {
        assert!((r.offset + r.len) as usize <= d.available.max(HEADER_LEN), "{r:?} past {}", d.available);
        if let Some(i) = r.item {
            assert!((i as usize) < d.items.len());
        }
        assert!(!r.text.is_empty());
    }
    kinds.sort();
    let n = kinds.len();
    kinds.dedup();
    assert_eq!(kinds.len(), n, "more than one report of a class");
    let truncated = full.is_some_and(|len| d.available < len);
    assert_eq!(truncated, d.reports.iter().any(|r| r.kind == ReportKind::Truncated));
    let items = 1 + d.items.len() + 4 * d.reports.len();
    let complete = full.is_some() && !truncated;
    // A cut message or a bad header ends its frame: a few items more.
    let allowed = MAX_ITEMS_PER_BYTE * d.available + if complete { 0 } else { 16 };
    assert!(items <= allowed, "{items} tree items for {} bytes", d.available);
    let _ = info_text(dec.schema, d, |o, l| String::from_utf8_lossy(&msg[o as usize..(o + l) as usize]).into_owned());
}

/// A cursor that turns the fuzzer's bytes into choices (zeros once spent).
struct Choices<'a> {
    data: &'a [u8],
    at: usize,
}

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }
    fn u64(&mut self) -> u64 {
        (0..8).fold(0, |v, _| v << 8 | u64::from(self.byte()))
    }
    /// In lo..=hi.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi as i128 - lo as i128 + 1) as u128;
        (lo as i128 + (self.u64() as u128 % span) as i128) as i64
    }
    fn below(&mut self, n: usize) -> usize {
        self.range(0, n as i64 - 1) as usize
    }
}

/// Text of `min..=max` characters without delimiters: ASCII and Chinese.
fn text(c: &mut Choices<'_>, min: usize, max: usize) -> Vec<u8> {
    let n = min + c.below(max - min + 1);
    let mut out = Vec::new();
    for _ in 0..n {
        match c.byte() % 4 {
            0 => out.extend_from_slice("中".as_bytes()),
            1 => out.push(b'0' + c.byte() % 10),
            _ => out.push(b' ' + c.byte() % 95),
        }
    }
    out
}

fn scalar(c: &mut Choices<'_>, f: &table::Field) -> EncValue {
    let prim = match &f.ty {
        FieldType::Prim(p) => *p,
        FieldType::Enum(e) => return EncValue::Int(e.values[c.below(e.values.len())].value),
        _ => Prim::String,
    };
    match (prim, f.role) {
        (_, Role::Port) => EncValue::Int(c.range(0, 65535)),
        (Prim::String, Role::Ip) => {
            let a = [c.byte(), c.byte(), c.byte(), c.byte()];
            EncValue::text(&format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]))
        }
        (Prim::String, _) => {
            let (min, max) = f.chars.map(|(a, b)| (a as usize, b as usize)).unwrap_or((0, 20));
            EncValue::Text(text(c, min, max))
        }
        (Prim::Boolean, _) => EncValue::Bool(c.byte() & 1 == 1),
        (Prim::Byte, _) => EncValue::Int(c.range(0, 255)),
        (Prim::Character, _) => EncValue::Int(c.range(-128, 127)),
        (Prim::Short, _) => EncValue::Int(c.range(-32768, 32767)),
        (Prim::Integer, _) => EncValue::Int(c.range(i32::MIN as i64, i32::MAX as i64)),
        (Prim::Long, _) => EncValue::Int(c.u64() as i64),
    }
}

fn structure(c: &mut Choices<'_>, s: &table::StructDef) -> EncValue {
    EncValue::Struct(s.members.iter().map(|m| scalar(c, m)).collect())
}

fn field(c: &mut Choices<'_>, f: &table::Field) -> EncValue {
    let n = c.below(5);
    match &f.ty {
        FieldType::Prim(_) | FieldType::Enum(_) => scalar(c, f),
        FieldType::Struct(s) => structure(c, s),
        FieldType::ListOfString { alt } => EncValue::List(
            (0..n)
                .map(|_| match alt {
                    Some(s) if c.byte() & 1 == 1 => structure(c, s),
                    // Non-empty: a lone empty element encodes as an empty
                    // field, which is zero elements (DECISIONS.md 10).
                    _ => EncValue::Text(text(c, 1, 12)),
                })
                .collect(),
        ),
        FieldType::ListOfStruct(s) => EncValue::List((0..n).map(|_| structure(c, s)).collect()),
        FieldType::Dictionary { key, value } => EncValue::Dict((0..n).map(|_| (scalar(c, key), scalar(c, value))).collect()),
    }
}

/// Encode then decode: valid values of any message type (chosen by the
/// bytes) come back as they went in, whenever the decoder has nothing to
/// report but the cleartext password note; and the decode is well formed.
pub fn round_trip(data: &[u8]) {
    let mut c = Choices { data, at: 0 };
    let def = &table::MESSAGES[c.below(table::MESSAGES.len())];
    let mut values: Vec<EncValue> = def.fields.iter().map(|f| field(&mut c, f)).collect();
    for (i, f) in def.fields.iter().enumerate() {
        if let Role::Count { of } = f.role {
            let t = def.fields.iter().position(|t| t.abbrev == of).expect("count target");
            let n = match &values[t] {
                EncValue::List(v) => v.len(),
                EncValue::Dict(v) => v.len(),
                _ => 0,
            };
            values[i] = EncValue::Int(n as i64);
        }
    }
    if let Tail::OnlyOnSuccess { from } = def.tail {
        if values[0] != EncValue::Int(0) {
            values.truncate(from);
        }
    }
    let Ok(bytes) = encode_checked(def, &values) else { return };
    if bytes.len() > HEADER_LEN + 9999 {
        return;
    }
    let dec = decoder(0);
    let d = dec.decode(&bytes);
    check_decoded(&dec, &d, &bytes);
    if d.reports.iter().all(|r| r.kind == ReportKind::CleartextPassword) {
        assert_eq!(values_of(dec.schema, &d, &bytes), values, "{}: {:?}", def.name, String::from_utf8_lossy(&bytes));
    }
}

/// The analysis across messages (xmmep_core::analysis) on any sequence of
/// messages: each is one control byte (bits 0-1: its conversation, bit 2: it
/// starts a new frame) then a message, framed as the decoder frames it. The
/// tracker never panics; every link points the right way in capture order
/// (an answer or forward at an earlier message, a request at later ones),
/// times run forward, and no list outgrows its bound.
pub fn analysis(data: &[u8]) {
    use xmmep_core::analysis::{MsgRef, Relations, Tracker, MAX_LISTED_FORWARDS};
    let dec = decoder(0);
    let rel = Relations::standard();
    let mut t = Tracker::new();
    let (mut rest, mut frame, mut index) = (data, 1u32, 0u16);
    let mut seen = Vec::new();
    while let Some((&ctl, tail)) = rest.split_first() {
        if ctl & 4 != 0 && index > 0 {
            frame += 1;
            index = 0;
        }
        let mut d = Decoded::new();
        let _ = dec.decode_into(tail, &mut d);
        let len = d.header.map_or(tail.len(), |h| h.message_len().min(tail.len())).max(1).min(tail.len());
        let msg = &tail[..len];
        let facts = rel.facts(msg, &d);
        let at = MsgRef { frame, index };
        let conv = u64::from(ctl & 3);
        t.observe(conv, at, i64::from(frame) * 1_000_000, &facts);
        seen.push((conv, at, facts.msg_type));
        index = index.saturating_add(1);
        rest = &tail[len..];
        if tail.is_empty() {
            break;
        }
    }
    for (conv, at, code) in seen {
        if let Some(l) = t.links(at) {
            for back in [l.response_to, l.forward_of].into_iter().flatten() {
                assert!(back.to < at && back.delta_ns >= 0, "{at:?} links back to {back:?}");
            }
            for ahead in l.response_in.iter().chain(&l.end_in).chain(&l.forwards) {
                assert!(*ahead > at, "{at:?} links ahead to {ahead:?}");
            }
            assert!(l.forwards.len() <= MAX_LISTED_FORWARDS && l.forwards.len() as u32 <= l.forward_count);
            // A message of a transfer fills its stage, or repeats it (a
            // stage's first message stays the stage).
            if let Some(tr) = l.transfer.and_then(|i| t.transfer(i)) {
                let stage = rel.roles(code).transfer_stage.expect("only stage messages join a transfer");
                assert!(tr.stages[stage].is_some_and(|s| s <= at), "{at:?} is not stage {stage} of its transfer");
            }
        }
        let _ = t.session_user(conv, at);
        let _ = t.unanswered(at, code);
    }
}
