//! The decoder: one message's bytes in, every field with its place and typed
//! value out, plus a report for every problem (docs/decisions.md). It never fails
//! past a valid header, never panics, and does a bounded number of passes
//! over the body, so it is linear in the message length.
//!
//! Its twin is the Lua script's decoding engine, `lua/src/engine.lua`, which
//! walks the same schema step by step and must give the same items and
//! reports; `crates/xmmep-lua-tests/tests/against_rust.rs` keeps the two equal.
//! A change here is a change there.

use crate::codec::charset::Charset;
use crate::codec::header::{parse_header, Header};
use crate::reports::{counted, fill, template, ReportKind};
use crate::schema::{CompiledMessage, Display, FieldId, Node, Scalar, Schema, StructNode};
use crate::table::{Prim, Role, ELEMENT_SEP, FIELD_SEP, HEADER_LEN, KEY_SEP, MAX_MESSAGE_LEN, MAX_MSG_TYPE, MEMBER_SEP, MIN_MSG_TYPE};

use smallvec::SmallVec;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    pub charset: Charset,
}

/// A decoded value. Text values are the bytes of their item's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A struct: the values are in the children.
    Struct,
    Text,
    Uint(u64),
    Int(i64),
    Bool(bool),
    /// Seconds since 1970-01-01 UTC.
    Time(i64),
    Ipv4([u8; 4]),
    /// A list or dictionary with this many elements.
    Count(u32),
    /// The n-th element (from 1) of a dictionary.
    Index(u32),
    /// Bytes that do not decode as the field's type; shown as text.
    Invalid,
}

/// One node of the decoded tree, in pre-order; `depth` 0 is a message field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    pub id: FieldId,
    pub depth: u8,
    /// Offset from the start of the message (its header's first byte).
    pub offset: u32,
    pub len: u32,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub kind: ReportKind,
    pub offset: u32,
    pub len: u32,
    /// The item the report belongs to; None for the message as a whole.
    pub item: Option<u32>,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Decoded {
    pub header: Option<Header>,
    /// Bytes of the message that were there to decode (header included).
    pub available: usize,
    pub items: Vec<Item>,
    pub reports: Vec<Report>,
    /// Element counts and first-number values of the top-level fields.
    field_facts: Vec<FieldFacts>,
}

#[derive(Debug, Clone, Copy, Default)]
struct FieldFacts {
    number: Option<i64>,
    elements: Option<u32>,
    item: u32,
}

impl Decoded {
    pub fn new() -> Decoded {
        Decoded::default()
    }

    /// Whether the decode found any report of at least this severity.
    pub fn worst(&self) -> Option<crate::reports::Severity> {
        self.reports.iter().map(|r| r.kind.class().severity).max()
    }
}

pub struct Decoder<'s> {
    pub schema: &'s Schema,
    pub opts: Options,
}

/// The result of decoding the header only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAHeader;

impl<'s> Decoder<'s> {
    pub fn new(schema: &'s Schema, opts: Options) -> Decoder<'s> {
        Decoder { schema, opts }
    }

    /// Decodes the message at the start of `msg` into `out` (cleared first).
    /// `msg` may be longer than the message (the rest is ignored) or shorter
    /// (the body is truncated: reported, and what is there is decoded).
    /// A buffer whose first 8 bytes are not a header gives a bad_header report and `Err(NotAHeader)`.
    pub fn decode_into(&self, msg: &[u8], out: &mut Decoded) -> Result<(), NotAHeader> {
        out.items.clear();
        out.reports.clear();
        out.field_facts.clear();
        out.header = None;
        out.available = msg.len().min(HEADER_LEN);
        let Some(header) = parse_header(msg) else {
            out.reports.push(Report {
                kind: ReportKind::BadHeader,
                offset: 0,
                len: out.available as u32,
                item: None,
                text: fill(template::BAD_HEADER, &[&escape(&msg[..out.available])]),
            });
            return Err(NotAHeader);
        };
        out.header = Some(header);
        let msg_len = header.message_len();
        let avail = msg_len.min(msg.len());
        out.available = avail;
        let g = self.schema.generic;
        let mut cx = Decoding { msg: &msg[..avail], out, dec: self };
        cx.push(g.body_len, 0, 0, 4, Value::Uint(header.body_len as u64));
        let type_item = cx.push(g.msg_type, 0, 4, 4, Value::Uint(header.msg_type as u64));
        if !header.type_in_range() {
            cx.report(ReportKind::OutOfRange, 4, 4, Some(type_item), fill(template::TYPE_OUT_OF_RANGE, &[&header.msg_type]));
        }
        if msg_len > MAX_MESSAGE_LEN {
            cx.report(ReportKind::Oversize, 0, avail as u32, None, fill(template::OVERSIZE, &[&msg_len]));
        }
        match self.schema.message(header.msg_type) {
            Some(m) => cx.message(m),
            None => cx.unknown(header.msg_type),
        }
        if avail < msg_len {
            cx.report(ReportKind::Truncated, avail as u32, 0, None, fill(template::TRUNCATED, &[&(avail - HEADER_LEN), &header.body_len]));
        }
        coalesce(&mut out.reports);
        Ok(())
    }

    /// Convenience for tests and tools: a fresh `Decoded`.
    pub fn decode(&self, msg: &[u8]) -> Decoded {
        let mut d = Decoded::new();
        let _ = self.decode_into(msg, &mut d);
        d
    }
}

/// Keeps one report per class per message: the first, on its item, with a
/// text that adds how many more of its class the message has and where the
/// next ones start (message offsets). A flood of empty or bad elements thus
/// costs one expert info, not one per byte, and stays visible.
fn coalesce(reports: &mut Vec<Report>) {
    // Most messages have no report or one: nothing to merge, nothing to allocate.
    if reports.len() < 2 {
        return;
    }
    let mut first: Vec<Option<usize>> = vec![None; crate::reports::CLASSES.len()];
    let mut more: Vec<(usize, Vec<u32>)> = Vec::new();
    let mut kept = Vec::with_capacity(reports.len());
    for r in reports.drain(..) {
        match first[r.kind.index()] {
            None => {
                first[r.kind.index()] = Some(kept.len());
                kept.push(r);
            }
            Some(at) => match more.iter_mut().find(|m| m.0 == at) {
                Some(m) => m.1.push(r.offset),
                None => more.push((at, vec![r.offset])),
            },
        }
    }
    for (at, offsets) in more {
        let mut positions: Vec<String> = offsets.iter().take(template::REPEATED_POSITIONS).map(u32::to_string).collect();
        if offsets.len() > template::REPEATED_POSITIONS {
            positions.push("...".to_string());
        }
        let r = &mut kept[at];
        r.text = fill(template::REPEATED, &[&r.text, &offsets.len(), &positions.join(", ")]);
    }
    *reports = kept;
}

/// Shows bytes with control and non-ASCII bytes escaped, for report texts.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        if (0x20..0x7f).contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    s
}

fn delimiter_name(b: u8) -> &'static str {
    // Called for 0x01..=0x04 only.
    template::DELIMITER_NAMES[(b.clamp(FIELD_SEP, KEY_SEP) - FIELD_SEP) as usize]
}

/// Yields the (start, end) ranges between `sep` bytes of `bytes[start..end]`.
fn split(bytes: &[u8], start: usize, end: usize, sep: u8) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = start;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let from = pos;
        match bytes[from..end].iter().position(|&b| b == sep) {
            Some(i) => {
                pos = from + i + 1;
                Some((from, from + i))
            }
            None => {
                done = true;
                Some((from, end))
            }
        }
    })
}

enum Num {
    Empty,
    Bad,
    Value(i64),
    TooBig,
}

fn parse_num(b: &[u8]) -> Num {
    if b.is_empty() {
        return Num::Empty;
    }
    let (neg, digits) = match b[0] {
        b'-' => (true, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Num::Bad;
    }
    let mut v: i128 = 0;
    for &d in digits {
        v = v * 10 + (d - b'0') as i128;
        if v > i64::MAX as i128 + 1 {
            return Num::TooBig;
        }
    }
    let v = if neg { -v } else { v };
    match i64::try_from(v) {
        Ok(v) => Num::Value(v),
        Err(_) => Num::TooBig,
    }
}

struct Decoding<'a, 'd, 's> {
    msg: &'a [u8],
    out: &'d mut Decoded,
    dec: &'d Decoder<'s>,
}

impl Decoding<'_, '_, '_> {
    fn push(&mut self, id: FieldId, depth: u8, offset: usize, len: usize, value: Value) -> u32 {
        self.out.items.push(Item { id, depth, offset: offset as u32, len: len as u32, value });
        (self.out.items.len() - 1) as u32
    }

    fn report(&mut self, kind: ReportKind, offset: u32, len: u32, item: Option<u32>, text: String) {
        self.out.reports.push(Report { kind, offset, len, item, text });
    }

    fn label(&self, id: FieldId) -> &str {
        &self.dec.schema.field(id).label
    }

    fn body_end(&self) -> usize {
        self.msg.len()
    }

    /// Top-level field ranges; an empty body has no fields at all. Inline
    /// for the usual number of fields: a message allocates nothing here.
    fn top_fields(&self) -> SmallVec<[(usize, usize); 16]> {
        let end = self.body_end();
        if end <= HEADER_LEN {
            return SmallVec::new();
        }
        split(self.msg, HEADER_LEN, end, FIELD_SEP).collect()
    }

    fn unknown(&mut self, code: u32) {
        let raw = self.dec.schema.generic.raw_field;
        let end = self.body_end();
        let fields = self.top_fields();
        for &(s, e) in &fields {
            self.push(raw, 0, s, e - s, Value::Text);
        }
        let text = if (MIN_MSG_TYPE..=MAX_MSG_TYPE).contains(&code) {
            fill(template::UNDEFINED_TYPE, &[&code, &counted(fields.len(), template::ONE_FIELD, template::FIELDS)])
        } else {
            fill(template::NOT_XMMEP_TYPE, &[&code, &counted(fields.len(), template::ONE_FIELD, template::FIELDS)])
        };
        self.report(ReportKind::UnknownType, HEADER_LEN as u32, (end - HEADER_LEN) as u32, None, text);
    }

    fn message(&mut self, m: &CompiledMessage) {
        let fields = self.top_fields();
        let end = self.body_end();
        for (i, &(s, e)) in fields.iter().enumerate() {
            match m.nodes.get(i) {
                Some(node) => {
                    let facts = self.node(node, s, e, 0);
                    self.out.field_facts.push(facts);
                }
                None => {
                    if i == m.nodes.len() {
                        let n = fields.len() - i;
                        self.report(
                            ReportKind::ExtraFields,
                            s as u32,
                            (end - s) as u32,
                            None,
                            fill(template::EXTRA_FIELDS, &[&counted(n, template::ONE_FIELD, template::FIELDS), &m.nodes.len(), &m.def.name]),
                        );
                    }
                    let extra = self.dec.schema.generic.extra_field;
                    self.push(extra, 0, s, e - s, Value::Text);
                }
            }
        }
        let present = fields.len().min(m.nodes.len());
        let success = self.out.field_facts.first().and_then(|f| f.number) == Some(0);
        let required = if success { m.nodes.len() } else { m.required_on_failure };
        if present < required {
            let names: Vec<&str> = m.nodes[present..required].iter().map(|n| self.label(n.field_id())).collect();
            self.report(
                ReportKind::MissingFields,
                end as u32,
                0,
                None,
                fill(template::MISSING_FIELDS, &[&m.def.name, &counted(names.len(), template::ONE_FIELD, template::FIELDS), &names.join(", ")]),
            );
        }
        for (i, target) in m.count_of.iter().enumerate() {
            let (Some(t), Some(facts)) = (target, self.out.field_facts.get(i).copied()) else { continue };
            let (Some(count), Some(elems)) = (facts.number, self.out.field_facts.get(*t).and_then(|f| f.elements)) else {
                continue;
            };
            if count != elems as i64 {
                let it = self.out.items[facts.item as usize];
                let target_name = self.label(m.nodes[*t].field_id());
                self.report(
                    ReportKind::CountMismatch,
                    it.offset,
                    it.len,
                    Some(facts.item),
                    fill(
                        template::COUNT_MISMATCH,
                        &[&self.label(m.nodes[i].field_id()), &count, &target_name, &counted(elems as usize, template::ONE_ELEMENT, template::ELEMENTS)],
                    ),
                );
            }
        }
        if let (false, Some(from)) = (success, m.empty_on_failure) {
            self.placeholders(from);
        }
    }

    /// A refusal's placeholders (`Tail::EmptyOnFailure`): when every value
    /// of the fields from `from` on is empty or "0" and none has a report,
    /// only the fields' own items stay; a struct left without its members
    /// is shown as one line saying nothing was sent.
    fn placeholders(&mut self, from: usize) {
        let Some(start) = self.out.field_facts.get(from).map(|f| f.item as usize) else { return };
        let out = &mut self.out;
        let msg = self.msg;
        let placeholder = |it: &Item| it.value == Value::Struct || matches!(&msg[it.offset as usize..(it.offset + it.len) as usize], b"" | b"0");
        if !out.items[start..].iter().all(placeholder) || out.reports.iter().any(|r| r.item.is_some_and(|i| i as usize >= start)) {
            return;
        }
        let mut kept = start;
        for i in start..out.items.len() {
            if out.items[i].depth == 0 {
                for f in out.field_facts.iter_mut().filter(|f| f.item as usize == i) {
                    f.item = kept as u32;
                }
                out.items[kept] = out.items[i];
                kept += 1;
            }
        }
        out.items.truncate(kept);
    }

    /// A text that is not UTF-8 but reads as GB18030 (read with the UTF-8
    /// preference): the hint to change the preference, once per message.
    fn charset_hint(&mut self, bytes: &[u8], s: usize, e: usize, item: u32) {
        if Charset::is_utf8(bytes) || !Charset::gb18030_shaped(bytes) || self.out.reports.iter().any(|r| r.kind == ReportKind::CharsetHint) {
            return;
        }
        let pref = format!("{}.{}", crate::presentation::PROTOCOL.filter, crate::presentation::CHARSET_PREF.name);
        let text = fill(template::CHARSET_HINT, &[&self.dec.schema.field(self.out.items[item as usize].id).label, &pref]);
        self.report(ReportKind::CharsetHint, s as u32, (e - s) as u32, Some(item), text);
    }

    fn node(&mut self, node: &Node, s: usize, e: usize, depth: u8) -> FieldFacts {
        match node {
            Node::Scalar(sc) => self.scalar(sc, s, e, depth),
            Node::Struct(st) => {
                let item = self.structure(st, st.id, s, e, depth);
                FieldFacts { item, ..Default::default() }
            }
            Node::StringList { holder, elem, alt } => self.elements(*holder, s, e, depth, |d, a, b, _| match alt {
                Some(st) if d.msg[a..b].contains(&MEMBER_SEP) => {
                    d.structure(st, st.id, a, b, depth + 1);
                }
                _ => {
                    d.scalar(elem, a, b, depth + 1);
                }
            }),
            Node::StructList { id, elem } => self.elements(*id, s, e, depth, |d, a, b, _| {
                d.structure(elem, elem.id, a, b, depth + 1);
            }),
            Node::Dict { id, pair, key, value } => self.elements(*id, s, e, depth, |d, a, b, n| {
                let pair_item = d.push(*pair, depth + 1, a, b - a, Value::Index(n));
                match d.msg[a..b].iter().position(|&c| c == KEY_SEP) {
                    Some(k) => {
                        d.scalar(key, a, a + k, depth + 2);
                        d.scalar(value, a + k + 1, b, depth + 2);
                    }
                    None => {
                        d.scalar(key, a, b, depth + 2);
                        let name = d.label(*id).to_string();
                        d.report(ReportKind::MissingFields, b as u32, 0, Some(pair_item), fill(template::PAIR_WITHOUT_VALUE, &[&n, &name]));
                    }
                }
            }),
        }
    }

    /// A list or dictionary at `s..e`: its holder item `id`, then
    /// `element(self, start, end, n)` for the n-th (from 1) part between
    /// element separators (none when the field is empty, docs/decisions.md
    /// 10), then the holder's count.
    fn elements(&mut self, id: FieldId, s: usize, e: usize, depth: u8, mut element: impl FnMut(&mut Self, usize, usize, u32)) -> FieldFacts {
        let item = self.push(id, depth, s, e - s, Value::Count(0));
        let mut n = 0u32;
        if e > s {
            for (a, b) in split(self.msg, s, e, ELEMENT_SEP) {
                n += 1;
                element(self, a, b, n);
            }
        }
        self.out.items[item as usize].value = Value::Count(n);
        FieldFacts { item, elements: Some(n), number: None }
    }

    fn structure(&mut self, st: &StructNode, id: FieldId, s: usize, e: usize, depth: u8) -> u32 {
        let item = self.push(id, depth, s, e - s, Value::Struct);
        let mut count = 0;
        let mut extra_at = None;
        for (i, (a, b)) in split(self.msg, s, e, MEMBER_SEP).enumerate() {
            count = i + 1;
            match st.members.get(i) {
                Some(m) => {
                    self.scalar(m, a, b, depth + 1);
                }
                None => {
                    extra_at.get_or_insert(a);
                    let extra = self.dec.schema.generic.extra_field;
                    self.push(extra, depth + 1, a, b - a, Value::Text);
                }
            }
        }
        if let Some(a) = extra_at {
            self.report(
                ReportKind::ExtraFields,
                a as u32,
                (e - a) as u32,
                Some(item),
                fill(template::EXTRA_MEMBERS, &[&counted(count - st.members.len(), template::ONE_FIELD, template::FIELDS), &st.members.len(), &st.def.label]),
            );
        }
        if count < st.members.len() {
            let names: Vec<&str> = st.def.members[count..].iter().map(|f| f.label).collect();
            self.report(
                ReportKind::MissingFields,
                e as u32,
                0,
                Some(item),
                fill(template::MISSING_MEMBERS, &[&st.def.label, &counted(names.len(), template::ONE_FIELD, template::FIELDS), &names.join(", ")]),
            );
        }
        item
    }

    fn scalar(&mut self, sc: &Scalar, s: usize, e: usize, depth: u8) -> FieldFacts {
        let msg = self.msg;
        let bytes = &msg[s..e];
        let schema = self.dec.schema;
        let ff = schema.field(sc.id);
        let (value, problem, number) = match sc.prim {
            Prim::String => (Value::Text, None, None),
            Prim::Boolean => match bytes {
                b"1" => (Value::Bool(true), None, Some(1)),
                b"0" => (Value::Bool(false), None, Some(0)),
                _ => (Value::Invalid, Some((ReportKind::BadBoolean, fill(template::BAD_BOOLEAN, &[&ff.label, &escape(bytes)]))), None),
            },
            _ => {
                let (lo, hi) = sc.range().unwrap_or((0, 0));
                match parse_num(bytes) {
                    Num::Empty => (Value::Invalid, Some((ReportKind::EmptyNumber, fill(template::EMPTY_NUMBER, &[&ff.label]))), None),
                    Num::Bad => (Value::Invalid, Some((ReportKind::NotANumber, fill(template::NOT_A_NUMBER, &[&ff.label, &escape(bytes)]))), None),
                    Num::TooBig => (Value::Invalid, Some((ReportKind::OutOfRange, fill(template::OUT_OF_RANGE, &[&ff.label, &escape(bytes), &lo, &hi]))), None),
                    Num::Value(v) if v < lo || v > hi => (Value::Invalid, Some((ReportKind::OutOfRange, fill(template::OUT_OF_RANGE, &[&ff.label, &v, &lo, &hi]))), None),
                    Num::Value(v) => {
                        let value = match ff.display {
                            Display::Time => Value::Time(v),
                            Display::Uint(_) => Value::Uint(v as u64),
                            _ => Value::Int(v),
                        };
                        let problem = match sc.vals {
                            Some(e) if e.lookup(v).is_none() => Some((ReportKind::UnknownEnum, fill(template::UNKNOWN_ENUM, &[&ff.label, &v]))),
                            _ => None,
                        };
                        (value, problem, Some(v))
                    }
                }
            }
        };
        let item = self.push(sc.id, depth, s, e - s, value);
        if let Some(p) = bytes.iter().position(|&b| (FIELD_SEP..=KEY_SEP).contains(&b)) {
            let text = fill(template::MISPLACED_DELIMITER, &[&delimiter_name(bytes[p]), &ff.label]);
            self.report(ReportKind::MisplacedDelimiter, (s + p) as u32, 1, Some(item), text);
        }
        if sc.prim == Prim::String && self.dec.opts.charset == Charset::Utf8 && !bytes.is_ascii() {
            self.charset_hint(bytes, s, e, item);
        }
        if let Some((kind, text)) = problem {
            self.report(kind, s as u32, (e - s) as u32, Some(item), text);
        }
        if sc.prim == Prim::String {
            if let Some((min, max)) = sc.field.chars {
                let n = self.dec.opts.charset.count_chars(bytes);
                if n < min as usize || n > max as usize {
                    let rule = if min == max { fill(template::RULE_EXACT, &[&min]) } else { fill(template::RULE_RANGE, &[&min, &max]) };
                    let text = fill(template::LENGTH_RULE, &[&ff.label, &counted(n, template::ONE_CHARACTER, template::CHARACTERS), &rule]);
                    self.report(ReportKind::LengthRule, s as u32, (e - s) as u32, Some(item), text);
                }
            }
            if sc.field.role == Role::Password {
                let text = fill(template::CLEARTEXT_PASSWORD, &[&ff.label]);
                self.report(ReportKind::CleartextPassword, s as u32, (e - s) as u32, Some(item), text);
            }
            if let (Some(addr_id), Some(ip)) = (sc.addr_id, parse_ipv4(bytes)) {
                self.push(addr_id, depth + 1, s, e - s, Value::Ipv4(ip));
            }
        }
        FieldFacts { number, elements: None, item }
    }
}

/// Strict dotted quad: four decimal parts 0..255, no signs or spaces.
pub fn parse_ipv4(b: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut n = 0;
    for part in b.split(|&c| c == b'.') {
        if n == 4 || part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = part.iter().fold(0u32, |a, &d| a * 10 + (d - b'0') as u32);
        out[n] = u8::try_from(v).ok()?;
        n += 1;
    }
    (n == 4).then_some(out)
}
