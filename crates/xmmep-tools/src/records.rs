//! Reads the frames of `tshark -z xmmep,records -T fields`, the plugin's
//! records (`xmmep_core::record`, docs/decisions.md 71 and 72) with each
//! frame's line, into the same [`Frame`]s as the PDML reader makes
//! ([`crate::pdml`]): per message, every field with its depth and the
//! value as tshark 4.0 shows it in PDML, every expert info with the field
//! it is on; per frame, where and when. So the exports and the check are
//! made by the same code from either. One frame at a time: nothing is kept
//! across frames.
//!
//! The stream: each frame's record chunks (binary, each starting with
//! `record::CHUNK_MARK`), then its line of [`COLUMNS`].

use std::borrow::Cow;
use std::io::BufRead;

use xmmep_core::presentation::PROTOCOL;
use xmmep_core::record::{self, Kind, Step};
use xmmep_core::reports::CLASSES;

use crate::digits::padded;
use crate::pdml::{Expert, Field, Frame, FrameMeta, Message};

/// The fields tshark prints, one column each, in this order.
pub const COLUMNS: [&str; 13] = [
    "frame.number",
    "frame.time_epoch",
    "frame.protocols",
    "ip.src",
    "ip.dst",
    "ipv6.src",
    "ipv6.dst",
    "tcp.srcport",
    "tcp.dstport",
    "udp.srcport",
    "udp.dstport",
    "tcp.len",
    "udp.length",
];

/// The tshark options that print the records and [`COLUMNS`]: every
/// occurrence of a field in its column, separated by commas (which neither
/// numbers nor addresses hold).
pub fn tshark_args() -> Vec<String> {
    let mut args: Vec<String> = ["-z", record::STAT, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"].iter().map(|s| s.to_string()).collect();
    for c in COLUMNS {
        args.push("-e".into());
        args.push(c.into());
    }
    args
}

/// The record chunks read before a frame's line.
#[derive(Default)]
struct Chunks {
    /// The records, one after the other.
    bytes: Vec<u8>,
    /// Each record's frame and its end in `bytes`.
    ends: Vec<(u32, usize)>,
}

impl Chunks {
    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    /// Reads one chunk (its mark is next in `input`).
    fn read<R: BufRead>(&mut self, input: &mut R) -> Result<(), String> {
        let cut = |e: std::io::Error| format!("tshark output: a record cut short ({e})");
        let mut header = [0; record::CHUNK_HEADER];
        input.read_exact(&mut header).map_err(cut)?;
        let Some((frame, len)) = record::chunk_header(&header) else { unreachable!("called at a chunk's mark") };
        let start = self.bytes.len();
        self.bytes.resize(start + len as usize, 0);
        input.read_exact(&mut self.bytes[start..]).map_err(|e| format!("frame {frame}: {}", cut(e)))?;
        self.ends.push((frame, self.bytes.len()));
        Ok(())
    }

    /// The records, each with its frame.
    fn records(&self) -> impl Iterator<Item = (u32, &[u8])> {
        let starts = std::iter::once(0).chain(self.ends.iter().map(|&(_, end)| end));
        self.ends.iter().zip(starts).map(|(&(frame, end), start)| (frame, &self.bytes[start..end]))
    }
}

/// Calls `on_frame` for every frame of `input`: record chunks, then a line
/// of [`COLUMNS`].
pub fn read_frames<R: BufRead>(input: R, on_frame: impl FnMut(Frame)) -> Result<(), String> {
    read_frames_with(input, true, on_frame)
}

/// [`read_frames`], with each message's fields left out unless `fields`:
/// the check needs only the messages' names and expert infos, and the
/// fields' values are most of the reading.
pub fn read_frames_with<R: BufRead>(mut input: R, fields: bool, mut on_frame: impl FnMut(Frame)) -> Result<(), String> {
    let mut line = Vec::new();
    let mut chunks = Chunks::default();
    loop {
        let next = input.fill_buf().map_err(|e| format!("tshark output: {e}"))?.first().copied();
        match next {
            None => {
                return match chunks.ends.first() {
                    Some((frame, _)) => Err(format!("tshark output: records of frame {frame} without the frame")),
                    None => Ok(()),
                }
            }
            Some(record::CHUNK_MARK) => chunks.read(&mut input)?,
            Some(_) => {
                line.clear();
                input.read_until(b'\n', &mut line).map_err(|e| format!("tshark output: {e}"))?;
                let text = std::str::from_utf8(&line).map_err(|_| "tshark output: a line that is not UTF-8".to_string())?;
                let text = text.trim_end_matches(['\n', '\r']);
                if text.is_empty() {
                    continue;
                }
                on_frame(frame(text, &chunks, fields)?);
                chunks.clear();
            }
        }
    }
}

/// One frame from its line and the records read before it, its messages
/// with their fields if `fields`.
fn frame(line: &str, chunks: &Chunks, fields: bool) -> Result<Frame, String> {
    let mut cols = line.split('\t');
    let mut col = || cols.next().unwrap_or("");
    let number = col();
    let mut f = Frame { number: number.parse().map_err(|_| format!("tshark output: not a frame number: {number:?}"))?, ..Default::default() };
    let first = |s: &str| s.split(',').next().unwrap_or("").to_string();
    let (time, protocols) = (col(), col());
    let ip = [col(), col(), col(), col()];
    let ports = [col(), col(), col(), col()];
    let (tcp_len, udp_len) = (col(), col());
    // Where a frame holds both kinds (a tunnel, an ICMP error quoting the
    // other), the outer one: the first in the frame's protocols.
    let layers: Vec<&str> = protocols.split(':').collect();
    let before = |a: &str, b: &str| match (layers.iter().position(|l| *l == a), layers.iter().position(|l| *l == b)) {
        (Some(x), Some(y)) => x < y,
        (x, _) => x.is_some(),
    };
    let (src, dst) = if before("ip", "ipv6") { (ip[0], ip[1]) } else { (ip[2], ip[3]) };
    let transport = if before("tcp", "udp") {
        "tcp"
    } else if layers.contains(&"udp") {
        "udp"
    } else {
        ""
    };
    let (sport, dport) = match transport {
        "tcp" => (ports[0], ports[1]),
        "udp" => (ports[2], ports[3]),
        _ => ("", ""),
    };
    let carries = |lens: &str, header: u64| lens.split(',').any(|l| l.parse::<u64>().is_ok_and(|n| n > header));
    f.meta = FrameMeta {
        time_epoch: first(time),
        src_addr: first(src),
        dst_addr: first(dst),
        transport: transport.to_string(),
        src_port: first(sport),
        dst_port: first(dport),
        payload: carries(tcp_len, 0) || carries(udp_len, 8),
    };
    for (frame, bytes) in chunks.records() {
        if frame != f.number {
            return Err(format!("tshark output: records of frame {frame} before frame {}", f.number));
        }
        let steps = record::read(bytes).map_err(|e| format!("frame {}: {e}", f.number))?;
        match steps.first().map(|s| s.kind) {
            Some(Kind::Protocol) => f.messages.push(message_with(&steps, fields)),
            // Expert infos outside any message.
            _ => f.other_experts.extend(steps.iter().filter(|s| s.kind == Kind::Expert).map(|s| expert(s, ""))),
        }
    }
    Ok(f)
}

/// The message a record describes: its steps as the tree they make (each
/// under its parent, after the earlier children), read in tree order.
pub fn message(steps: &[Step<'_>]) -> Message {
    message_with(steps, true)
}

/// [`message`], its fields left out unless `fields` (the expert infos still
/// name the field they are on).
fn message_with(steps: &[Step<'_>], fields: bool) -> Message {
    let names = record::field_names();
    // Children of each step, in order (its first and last child, its next
    // sibling; one list for the three); the message's protocol item is the
    // one step under the packet's tree.
    const FIRST: usize = 0;
    const LAST: usize = 1;
    const NEXT: usize = 2;
    let mut links = vec![[usize::MAX; 3]; steps.len()];
    let mut top = None;
    for (i, s) in steps.iter().enumerate() {
        match s.parent {
            None => {
                top.get_or_insert(i);
            }
            Some(p) => {
                let p = p as usize;
                if links[p][LAST] == usize::MAX {
                    links[p][FIRST] = i;
                } else {
                    let last = links[p][LAST];
                    links[last][NEXT] = i;
                }
                links[p][LAST] = i;
            }
        }
    }
    let mut m = Message { fields: Vec::with_capacity(if fields { steps.len() } else { 0 }), ..Default::default() };
    let Some(top) = top else { return m };
    let t = &steps[top];
    let label = t.text.map(utf8).unwrap_or_default();
    m.showname = if t.flags & record::APPEND != 0 || t.text.is_none() { [PROTOCOL.name, &label].concat() } else { label.into_owned() };
    m.size = t.len;
    // Depth-first, with the names of the open fields (an expert info is on
    // the innermost).
    let mut stack: Vec<(usize, u8)> = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    let mut child = links[top][FIRST];
    while child != usize::MAX {
        stack.push((child, 0));
        child = links[child][NEXT];
    }
    stack.reverse();
    while let Some((i, depth)) = stack.pop() {
        open.truncate(depth as usize);
        let s = &steps[i];
        if s.kind == Kind::Expert {
            m.experts.push(expert(s, open.last().copied().unwrap_or("")));
            continue;
        }
        let name = names.get(s.field as usize).map_or("", String::as_str);
        let def = record::schema_field(s.field);
        if fields {
            m.fields.push(Field { name: Cow::Borrowed(name), def, depth, pos: m.pos + s.start, size: s.len, show: show(s), showname: String::new() });
        }
        open.push(name);
        let at = stack.len();
        let mut child = links[i][FIRST];
        while child != usize::MAX {
            stack.push((child, depth + 1));
            child = links[child][NEXT];
        }
        stack[at..].reverse();
    }
    m
}

/// The expert info of step `s`, on the field named `on`.
fn expert(s: &Step<'_>, on: &str) -> Expert {
    use xmmep_core::conversations::file_data as fd;
    let message = s.text.map(|t| shown_text(&utf8(t)));
    let (name, severity, group, summary) = match CLASSES.get(s.field as usize) {
        Some(c) => (class_names()[s.field as usize].clone(), c.severity, c.group, c.summary),
        None if s.field == record::FILE_DATA_NOTE => (fd::SIZE_MISMATCH.to_string(), fd::SIZE_MISMATCH_SEVERITY, fd::SIZE_MISMATCH_GROUP, fd::SIZE_MISMATCH_SUMMARY),
        None => return Expert { name: String::new(), message: message.unwrap_or_default(), severity: String::new(), group: String::new(), on: on.to_string() },
    };
    Expert { name, message: message.unwrap_or_else(|| summary.to_string()), severity: severity.name().to_string(), group: group.name().to_string(), on: on.to_string() }
}

/// The filter name of each report class (`xmmep.bad_boolean`), by code.
fn class_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| CLASSES.iter().map(|c| format!("{}.{}", PROTOCOL.filter, c.abbrev)).collect())
}

/// A step's value as tshark 4.0 shows it in PDML (`show`).
fn show(s: &Step<'_>) -> String {
    let text = || s.text.map(utf8).unwrap_or_default();
    match s.kind {
        Kind::Text => shown_text(&text()),
        Kind::Label => text().into_owned(),
        Kind::Uint => itoa::Buffer::new().format(s.value).to_string(),
        Kind::Int => itoa::Buffer::new().format(s.signed()).to_string(),
        Kind::Bool => if s.value != 0 { "1" } else { "0" }.to_string(),
        Kind::Time => abs_time(s.signed()),
        Kind::Ipv4 => {
            let mut out = String::with_capacity(15);
            for (i, b) in (s.value as u32).to_be_bytes().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                out.push_str(itoa::Buffer::new().format(b));
            }
            out
        }
        Kind::RelTime => relative_time(s.signed()),
        Kind::Protocol | Kind::Named | Kind::Expert => String::new(),
    }
}

/// A record's text as a string: the plugin writes UTF-8, checked here by
/// the standard library's faster check before the lossy reading.
fn utf8(t: &[u8]) -> Cow<'_, str> {
    std::str::from_utf8(t).map_or_else(|_| String::from_utf8_lossy(t), Cow::Borrowed)
}

/// Text as tshark shows a string: control characters escaped.
pub fn shown_text(s: &str) -> String {
    // The control characters are ASCII: a byte scan finds them.
    if !crate::scan::any_below_or(s.as_bytes(), 0x20, &[0x7f]) {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `Jan  1, 1990 00:00:00.000000000 UTC`, as tshark 4.0 shows FT_ABSOLUTE_TIME.
pub fn abs_time(secs: i64) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let Some(c) = xmmep_core::calendar::civil(secs) else { return secs.to_string() };
    let mut out = String::with_capacity(36);
    out.push_str(MONTHS[usize::from(c.month) - 1]);
    out.push_str(if c.day < 10 { "  " } else { " " });
    out.push_str(itoa::Buffer::new().format(c.day));
    out.push_str(", ");
    out.push_str(itoa::Buffer::new().format(c.year));
    out.push(' ');
    padded(&mut out, c.hour.into(), 2);
    out.push(':');
    padded(&mut out, c.minute.into(), 2);
    out.push(':');
    padded(&mut out, c.second.into(), 2);
    out.push_str(".000000000 UTC");
    out
}

/// `0.000310179`, as tshark shows FT_RELATIVE_TIME (seconds, nanosecond digits).
pub fn relative_time(ns: i64) -> String {
    let a = ns.unsigned_abs();
    let mut out = String::with_capacity(24);
    if ns < 0 {
        out.push('-');
    }
    out.push_str(itoa::Buffer::new().format(a / 1_000_000_000));
    out.push('.');
    padded(&mut out, a % 1_000_000_000, 9);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records, each with the frame its chunk names.
    type Records<'a> = &'a [(u32, Vec<u8>)];

    /// A stream of lines, each after the chunks of the records given with
    /// it.
    fn stream(frames: &[(Records<'_>, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (records, line) in frames {
            for (frame, rec) in *records {
                let start = record::open_chunk(&mut out, *frame);
                out.extend_from_slice(rec);
                record::close_chunk(&mut out, start);
            }
            out.extend_from_slice(line.as_bytes());
        }
        out
    }

    fn note(text: &str) -> Vec<u8> {
        let mut rec = Vec::new();
        record::expert_alone(&mut rec, record::FILE_DATA_NOTE, text);
        rec
    }

    fn read(bytes: &[u8]) -> Result<Vec<Frame>, String> {
        let mut frames = Vec::new();
        read_frames(bytes, |f| frames.push(f)).map(|()| frames)
    }

    #[test]
    fn records_go_with_the_next_line() {
        let line = |n: u32| format!("{n}\t1.5\teth:ip:udp\t10.0.0.1\t10.0.0.2\t\t\t\t\t5\t6\t\t20\n");
        let (l1, l2, l3) = (line(1), line(2), line(3));
        let bytes = stream(&[(&[(1, note("a")), (1, note("\nb"))], &l1), (&[], &l2), (&[(3, note("c"))], &l3)]);
        let frames = read(&bytes).unwrap();
        let texts: Vec<Vec<&str>> = frames.iter().map(|f| f.other_experts.iter().map(|x| x.message.as_str()).collect()).collect();
        assert_eq!(texts, [vec!["a", "\\nb"], vec![], vec!["c"]]);
        assert_eq!((frames[0].meta.src_port.as_str(), frames[0].meta.transport.as_str(), frames[0].meta.payload), ("5", "udp", true));
    }

    #[test]
    fn records_that_do_not_read_name_their_frame() {
        let line = "7\t1.5\teth\t\t\t\t\t\t\t\t\t\t\n";
        // Another frame's records.
        let e = read(&stream(&[(&[(6, note("a"))], line)])).unwrap_err();
        assert!(e.contains("records of frame 6 before frame 7"), "{e}");
        // A record that does not read.
        let e = read(&stream(&[(&[(7, vec![9, 9])], line)])).unwrap_err();
        assert!(e.starts_with("frame 7: bad XMMEP record"), "{e}");
        // Cut short, and records after the last line.
        let whole = stream(&[(&[(7, note("abc"))], "")]);
        let e = read(&whole[..whole.len() - 1]).unwrap_err();
        assert!(e.contains("frame 7: tshark output: a record cut short"), "{e}");
        let e = read(&whole).unwrap_err();
        assert!(e.contains("records of frame 7 without the frame"), "{e}");
    }

    #[test]
    fn values_read_as_tshark_shows_them() {
        assert_eq!(relative_time(310_179), "0.000310179");
        assert_eq!(relative_time(-1_500_000_000), "-1.500000000");
        for ns in [i64::MIN, -1, 0, 7, 999_999_999, 1_000_000_000, i64::MAX] {
            let a = ns.unsigned_abs();
            assert_eq!(relative_time(ns), format!("{}{}.{:09}", if ns < 0 { "-" } else { "" }, a / 1_000_000_000, a % 1_000_000_000));
        }
        assert_eq!(abs_time(631_152_000), "Jan  1, 1990 00:00:00.000000000 UTC");
        assert_eq!(abs_time(1_700_000_000), "Nov 14, 2023 22:13:20.000000000 UTC");
        assert_eq!(shown_text("a\nb\u{1}"), "a\\nb\\x1");
    }
}
