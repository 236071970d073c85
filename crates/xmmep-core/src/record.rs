//! The record of a message (docs/decisions.md 71 and 72): what the plugin
//! shows for one message, each item (its field, parent, place, kind,
//! value) and each expert info (its class and text), in one compact binary
//! value. With `tshark -z xmmep,records` ([`STAT`]) the plugin writes each
//! message's record to tshark's standard output, in a chunk ([`open_chunk`])
//! just before the frame's `-T fields` line, so that a tool reads the
//! whole tree of every message from one fields pass instead of tshark's
//! PDML. The plugin writes it ([`write_step`]) and the tools read it
//! ([`read`], [`chunk_header`]); both name fields by the code of
//! [`field_names`], numbered from the tables the plugin registers its
//! fields from.
//!
//! Layout: [`VERSION`], the number of steps, then each step in the order
//! the plugin added it: a byte of kind (low four bits) and flags (high
//! four), then LEB128 numbers: the parent (0: the packet's tree, n: step
//! n - 1), the field code (an expert info: its report class), the offset
//! in the message, the length, the value (zigzag for signed kinds), and,
//! with [`HAS_TEXT`], the text's length and its UTF-8 bytes.
//!
//! A chunk: [`CHUNK_MARK`], the frame number and the record's length (each
//! four bytes, little-endian), then the record. No `-T fields` line starts
//! with the mark (a line starts with the frame number's digits), so a
//! reader tells chunks and lines apart by their first byte.

use std::sync::OnceLock;

use crate::presentation::{ANALYSIS_FIELDS, PROTOCOL};
use crate::schema::{FieldId, Schema};

pub const VERSION: u8 = 1;

/// The tap the plugin hands the records to.
pub const TAP: &str = "xmmep_records";

/// `tshark -z xmmep,records`: the statistic whose listener writes the
/// records of each frame to tshark's standard output.
pub const STAT: &str = "xmmep,records";

/// The first byte of a chunk (ASCII record separator).
pub const CHUNK_MARK: u8 = 0x1e;

/// A chunk's header: the mark, the frame number, the record's length.
pub const CHUNK_HEADER: usize = 9;

/// Starts a chunk of frame `frame` at the end of `out`; returns where it
/// starts, for [`close_chunk`] once the record is written after it.
pub fn open_chunk(out: &mut Vec<u8>, frame: u32) -> usize {
    let start = out.len();
    out.push(CHUNK_MARK);
    out.extend_from_slice(&frame.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    start
}

/// Sets the length of the chunk opened at `start` to what follows its
/// header.
pub fn close_chunk(out: &mut [u8], start: usize) {
    let len = u32::try_from(out.len() - start - CHUNK_HEADER).expect("a record is shorter than 4 GiB");
    out[start + 5..start + CHUNK_HEADER].copy_from_slice(&len.to_le_bytes());
}

/// The frame number and the record's length a chunk's header gives; None
/// if it does not start with [`CHUNK_MARK`].
pub fn chunk_header(header: &[u8; CHUNK_HEADER]) -> Option<(u32, u32)> {
    let word = |at: usize| u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]]);
    (header[0] == CHUNK_MARK).then(|| (word(1), word(5)))
}

/// What a step added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// The message's protocol item; its text is its label (appended to
    /// the protocol's name with [`APPEND`]).
    Protocol = 0,
    /// A name-only item (FT_NONE): a struct, a list.
    Named = 1,
    /// A string; the text is its value as Wireshark holds it.
    Text = 2,
    Uint = 3,
    Int = 4,
    Bool = 5,
    /// An absolute time, whole seconds since 1970.
    Time = 6,
    /// An IPv4 address, host byte order.
    Ipv4 = 7,
    /// An interval, nanoseconds.
    RelTime = 8,
    /// A text-only item (a list holder, a dictionary element): the text is
    /// its label.
    Label = 9,
    /// An expert info on its parent's item; the field is its report class
    /// (`ReportKind::index`, or [`FILE_DATA_NOTE`]), the text its message
    /// (none: the summary). A record of expert infos alone (no protocol
    /// item) holds those of a frame outside any message.
    Expert = 10,
}

impl Kind {
    const ALL: [Kind; 11] = [Kind::Protocol, Kind::Named, Kind::Text, Kind::Uint, Kind::Int, Kind::Bool, Kind::Time, Kind::Ipv4, Kind::RelTime, Kind::Label, Kind::Expert];

    fn signed(self) -> bool {
        matches!(self, Kind::Int | Kind::Time | Kind::RelTime)
    }
}

/// Flags of a step.
pub const HIDDEN: u8 = 1;
pub const GENERATED: u8 = 2;
/// The text is appended to Wireshark's label (the protocol item).
pub const APPEND: u8 = 4;
pub const HAS_TEXT: u8 = 8;

/// One step: an item or an expert info.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step<'a> {
    pub kind: Kind,
    pub flags: u8,
    /// The step whose item it is under; None: the packet's tree.
    pub parent: Option<u32>,
    /// The field's code ([`field_names`]); an expert info's report class.
    pub field: u32,
    /// Offset in the message and length.
    pub start: u32,
    pub len: u32,
    /// The value: unsigned as is, signed kinds as the bits of an i64.
    pub value: u64,
    pub text: Option<&'a [u8]>,
}

impl Step<'_> {
    pub fn signed(&self) -> i64 {
        self.value as i64
    }
}

/// The filter names by field code: 0 none (a protocol or text-only item),
/// then every schema field (by `FieldId`), every analysis field (in
/// `ANALYSIS_FIELDS` order), then `xmmep.setup_in`.
pub fn field_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let schema = Schema::standard();
        let mut names = vec![String::new()];
        names.extend(schema.fields.iter().map(|f| f.key.clone()));
        names.extend(ANALYSIS_FIELDS.iter().map(|a| format!("{}.{}", PROTOCOL.filter, a.abbrev)));
        names.push(crate::conversations::SETUP_IN.filter.to_string());
        names
    })
}

/// The code of schema field `id`.
pub fn schema_code(id: usize) -> u32 {
    1 + id as u32
}

/// The schema field of `code`, if the code is one ([`schema_code`]'s
/// inverse).
pub fn schema_field(code: u32) -> Option<FieldId> {
    let id = code.checked_sub(1)? as usize;
    (id < Schema::standard().fields.len()).then_some(id as FieldId)
}

/// The code of the analysis field at `index` of `ANALYSIS_FIELDS`.
pub fn analysis_code(index: usize) -> u32 {
    1 + (Schema::standard().fields.len() + index) as u32
}

/// The code of `xmmep.setup_in`.
pub fn setup_in_code() -> u32 {
    1 + (Schema::standard().fields.len() + ANALYSIS_FIELDS.len()) as u32
}

/// The report class of the file data's size note
/// (`conversations::file_data::SIZE_MISMATCH`): after every class of
/// `reports::CLASSES`.
pub const FILE_DATA_NOTE: u32 = crate::reports::CLASSES.len() as u32;

/// The record of one expert info outside any message, of report class
/// `class` with `text`, appended to `out`.
pub fn expert_alone(out: &mut Vec<u8>, class: u32, text: &str) {
    begin(out, 1);
    write_step(out, &Step { kind: Kind::Expert, flags: 0, parent: None, field: class, start: 0, len: 0, value: 0, text: Some(text.as_bytes()) });
}

/// Starts a record of `steps` steps at the end of `out`.
pub fn begin(out: &mut Vec<u8>, steps: usize) {
    out.push(VERSION);
    put(out, steps as u64);
}

/// Appends one step (its text's flag is set from `step.text`).
pub fn write_step(out: &mut Vec<u8>, step: &Step<'_>) {
    let flags = (step.flags & !HAS_TEXT) | if step.text.is_some() { HAS_TEXT } else { 0 };
    out.push(step.kind as u8 | flags << 4);
    put(out, step.parent.map_or(0, |p| u64::from(p) + 1));
    put(out, step.field.into());
    put(out, step.start.into());
    put(out, step.len.into());
    put(out, if step.kind.signed() { zigzag(step.value as i64) } else { step.value });
    if let Some(text) = step.text {
        put(out, text.len() as u64);
        out.extend_from_slice(text);
    }
}

/// Why a record does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub &'static str);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bad XMMEP record: {}", self.0)
    }
}

/// The steps of a record, in order.
pub fn read(bytes: &[u8]) -> Result<Vec<Step<'_>>, Error> {
    let mut r = Reader { bytes, at: 0 };
    if r.byte()? != VERSION {
        return Err(Error("another version"));
    }
    let n = r.number()?;
    // Each step takes six bytes at least.
    let mut steps = Vec::with_capacity((n as usize).min(bytes.len() / 6));
    for i in 0..n {
        let head = r.byte()?;
        let kind = *Kind::ALL.get(usize::from(head & 15)).ok_or(Error("unknown kind"))?;
        let flags = head >> 4;
        let parent = match r.number()? {
            0 => None,
            p if p <= i => Some((p - 1) as u32),
            _ => return Err(Error("a parent after its child")),
        };
        let field = r.small()?;
        let (start, len) = (r.small()?, r.small()?);
        let raw = r.number()?;
        let value = if kind.signed() { unzigzag(raw) as u64 } else { raw };
        let text = if flags & HAS_TEXT != 0 {
            let l = r.number()? as usize;
            Some(r.take(l)?)
        } else {
            None
        };
        steps.push(Step { kind, flags, parent, field, start, len, value, text });
    }
    if r.at != bytes.len() {
        return Err(Error("bytes after the last step"));
    }
    Ok(steps)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, Error> {
        let b = *self.bytes.get(self.at).ok_or(Error("cut short"))?;
        self.at += 1;
        Ok(b)
    }

    fn number(&mut self) -> Result<u64, Error> {
        // Most numbers (kinds, parents, fields, small values) take one byte.
        if let Some(&b) = self.bytes.get(self.at).filter(|&&b| b < 0x80) {
            self.at += 1;
            return Ok(u64::from(b));
        }
        let mut v = 0u64;
        let mut shift = 0;
        while shift < 64 {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
        Err(Error("a number too long"))
    }

    fn small(&mut self) -> Result<u32, Error> {
        u32::try_from(self.number()?).map_err(|_| Error("a number too large"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len()).ok_or(Error("cut short"))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    (v >> 1) as i64 ^ -((v & 1) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_read_as_written() {
        let steps = [
            Step { kind: Kind::Protocol, flags: APPEND, parent: None, field: 0, start: 0, len: 30, value: 0, text: Some(b", MSG_LOGIN_REQ") },
            Step { kind: Kind::Int, flags: GENERATED | HIDDEN, parent: Some(0), field: 7, start: 8, len: 4, value: (-5i64) as u64, text: None },
            Step { kind: Kind::Uint, flags: 0, parent: Some(0), field: 3, start: 0, len: 8, value: u64::MAX, text: None },
            Step { kind: Kind::Expert, flags: 0, parent: Some(1), field: 2, start: 0, len: 0, value: 0, text: Some("é\u{2400}".as_bytes()) },
        ];
        let mut out = Vec::new();
        begin(&mut out, steps.len());
        for s in &steps {
            write_step(&mut out, s);
        }
        let back = read(&out).unwrap();
        let with_text = |s: &Step<'_>| s.flags | if s.text.is_some() { HAS_TEXT } else { 0 };
        for (b, s) in back.iter().zip(&steps) {
            assert_eq!(Step { flags: with_text(s), ..*s }, *b);
        }
        assert_eq!(back.len(), steps.len());
        assert!(read(&out[..out.len() - 1]).is_err());
        assert!(read(&[VERSION, 1, 0, 5]).is_err(), "a parent after its child");
    }

    #[test]
    fn chunks_frame_records() {
        let mut out = b"1\t2\n".to_vec();
        let start = open_chunk(&mut out, 70_000);
        expert_alone(&mut out, 3, "note");
        close_chunk(&mut out, start);
        let header: [u8; CHUNK_HEADER] = out[start..start + CHUNK_HEADER].try_into().unwrap();
        let (frame, len) = chunk_header(&header).unwrap();
        assert_eq!((frame, len as usize), (70_000, out.len() - start - CHUNK_HEADER));
        let steps = read(&out[start + CHUNK_HEADER..]).unwrap();
        assert_eq!((steps.len(), steps[0].field, steps[0].text), (1, 3, Some(&b"note"[..])));
        assert_eq!(chunk_header(&[b'1'; CHUNK_HEADER]), None);
    }

    #[test]
    fn codes_name_the_registered_fields() {
        let names = field_names();
        let schema = Schema::standard();
        assert_eq!(names[schema_code(schema.generic.msg_type as usize) as usize], "xmmep.msg_type");
        assert_eq!(schema_field(schema_code(schema.generic.msg_type as usize)), Some(schema.generic.msg_type));
        assert_eq!(schema_field(0), None);
        assert_eq!(schema_field(analysis_code(0)), None);
        assert_eq!(names[analysis_code(1) as usize], format!("xmmep.{}", ANALYSIS_FIELDS[1].abbrev));
        assert_eq!(names[setup_in_code() as usize], "xmmep.setup_in");
        assert_eq!(names.len(), setup_in_code() as usize + 1);
    }
}
