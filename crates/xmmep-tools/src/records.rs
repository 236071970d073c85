//! Reads the frames of `tshark -T fields` run with the plugin's records
//! (`xmmep_core::record`, docs/decisions.md 71) into the same [`Frame`]s
//! as the PDML reader makes ([`crate::pdml`]): per message, every field
//! with its depth and the value as tshark 4.0 shows it in PDML, every
//! expert info with the field it is on; per frame, where and when. So the
//! exports and the check are made by the same code from either. One frame
//! at a time: nothing is kept across frames.

use std::io::BufRead;

use xmmep_core::presentation::PROTOCOL;
use xmmep_core::record::{self, Kind, Step};
use xmmep_core::reports::CLASSES;

use crate::pdml::{Expert, Field, Frame, FrameMeta, Message};

/// The fields tshark prints, one column each, in this order.
pub const COLUMNS: [&str; 14] = [
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
    "xmmep.record",
];

/// The tshark options that print [`COLUMNS`] with the records: every
/// occurrence of a field in its column, separated by commas (which neither
/// hex bytes, numbers nor addresses hold).
pub fn tshark_args() -> Vec<String> {
    let mut args: Vec<String> = ["-o", &format!("{}.{}:TRUE", PROTOCOL.filter, record::RECORD_PREF.name), "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for c in COLUMNS {
        args.push("-e".into());
        args.push(c.into());
    }
    args
}

/// Calls `on_frame` for every frame of `input`, lines of [`COLUMNS`].
pub fn read_frames<R: BufRead>(mut input: R, mut on_frame: impl FnMut(Frame)) -> Result<(), String> {
    let mut line = String::new();
    let mut bytes = Vec::new();
    loop {
        line.clear();
        if input.read_line(&mut line).map_err(|e| format!("tshark output: {e}"))? == 0 {
            return Ok(());
        }
        let text = line.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            continue;
        }
        on_frame(frame(text, &mut bytes)?);
    }
}

/// One frame from its line.
fn frame(line: &str, bytes: &mut Vec<u8>) -> Result<Frame, String> {
    let mut cols = line.split('\t');
    let mut col = || cols.next().unwrap_or("");
    let number = col();
    let mut f = Frame { number: number.parse().map_err(|_| format!("tshark output: not a frame number: {number:?}"))?, ..Default::default() };
    let first = |s: &str| s.split(',').next().unwrap_or("").to_string();
    let (time, protocols) = (col(), col());
    let ip = [col(), col(), col(), col()];
    let ports = [col(), col(), col(), col()];
    let (tcp_len, udp_len) = (col(), col());
    let records = col();
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
    for hex in records.split(',').filter(|h| !h.is_empty()) {
        unhex(hex, bytes).ok_or_else(|| format!("frame {}: xmmep.record is not hex bytes", f.number))?;
        let steps = record::read(bytes).map_err(|e| format!("frame {}: {e}", f.number))?;
        match steps.first().map(|s| s.kind) {
            Some(Kind::Protocol) => f.messages.push(message(&steps)),
            // Expert infos outside any message.
            _ => f.other_experts.extend(steps.iter().filter(|s| s.kind == Kind::Expert).map(|s| expert(s, ""))),
        }
    }
    Ok(f)
}

/// Hex bytes as tshark prints FT_BYTES: pairs of digits, with or without
/// a separator (`:`, ` `) between them.
fn unhex(hex: &str, out: &mut Vec<u8>) -> Option<()> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    out.clear();
    out.reserve(hex.len() / 2);
    let mut digits = hex.bytes().filter(|&c| c != b':' && c != b' ' && c != b'.');
    while let Some(hi) = digits.next() {
        out.push(digit(hi)? << 4 | digit(digits.next()?)?);
    }
    Some(())
}

/// The message a record describes: its steps as the tree they make (each
/// under its parent, after the earlier children), read in tree order.
pub fn message(steps: &[Step<'_>]) -> Message {
    let names = record::field_names();
    // Children of each step, in order; the message's protocol item is the
    // one step under the packet's tree.
    let mut first_child = vec![usize::MAX; steps.len()];
    let mut next_sibling = vec![usize::MAX; steps.len()];
    let mut last_child = vec![usize::MAX; steps.len()];
    let mut top = None;
    for (i, s) in steps.iter().enumerate() {
        match s.parent {
            None => {
                top.get_or_insert(i);
            }
            Some(p) => {
                let p = p as usize;
                if last_child[p] == usize::MAX {
                    first_child[p] = i;
                } else {
                    next_sibling[last_child[p]] = i;
                }
                last_child[p] = i;
            }
        }
    }
    let mut m = Message::default();
    let Some(top) = top else { return m };
    let t = &steps[top];
    let label = t.text.map(String::from_utf8_lossy).unwrap_or_default();
    m.showname = if t.flags & record::APPEND != 0 || t.text.is_none() { format!("{}{label}", PROTOCOL.name) } else { label.into_owned() };
    m.size = t.len;
    // Depth-first, with the names of the open fields (an expert info is on
    // the innermost).
    let mut stack: Vec<(usize, u8)> = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    let mut child = first_child[top];
    while child != usize::MAX {
        stack.push((child, 0));
        child = next_sibling[child];
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
        m.fields.push(Field { name: name.to_string(), depth, pos: m.pos + s.start, size: s.len, show: show(s), showname: String::new() });
        open.push(name);
        let at = stack.len();
        let mut child = first_child[i];
        while child != usize::MAX {
            stack.push((child, depth + 1));
            child = next_sibling[child];
        }
        stack[at..].reverse();
    }
    m
}

/// The expert info of step `s`, on the field named `on`.
fn expert(s: &Step<'_>, on: &str) -> Expert {
    use xmmep_core::conversations::file_data as fd;
    let message = s.text.map(|t| shown_text(&String::from_utf8_lossy(t)));
    let (name, severity, group, summary) = match CLASSES.get(s.field as usize) {
        Some(c) => (format!("{}.{}", PROTOCOL.filter, c.abbrev), c.severity, c.group, c.summary),
        None if s.field == record::FILE_DATA_NOTE => (fd::SIZE_MISMATCH.to_string(), fd::SIZE_MISMATCH_SEVERITY, fd::SIZE_MISMATCH_GROUP, fd::SIZE_MISMATCH_SUMMARY),
        None => return Expert { name: String::new(), message: message.unwrap_or_default(), severity: String::new(), group: String::new(), on: on.to_string() },
    };
    Expert { name, message: message.unwrap_or_else(|| summary.to_string()), severity: severity.name().to_string(), group: group.name().to_string(), on: on.to_string() }
}

/// A step's value as tshark 4.0 shows it in PDML (`show`).
fn show(s: &Step<'_>) -> String {
    let text = || s.text.map(String::from_utf8_lossy).unwrap_or_default();
    match s.kind {
        Kind::Text => shown_text(&text()),
        Kind::Label => text().into_owned(),
        Kind::Uint => s.value.to_string(),
        Kind::Int => s.signed().to_string(),
        Kind::Bool => if s.value != 0 { "1" } else { "0" }.to_string(),
        Kind::Time => abs_time(s.signed()),
        Kind::Ipv4 => {
            let a = (s.value as u32).to_be_bytes();
            format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])
        }
        Kind::RelTime => relative_time(s.signed()),
        Kind::Protocol | Kind::Named | Kind::Expert => String::new(),
    }
}

/// Text as tshark shows a string: control characters escaped.
pub fn shown_text(s: &str) -> String {
    if !s.chars().any(|c| (c as u32) < 0x20 || c == '\u{7f}') {
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
    format!("{} {:>2}, {} {:02}:{:02}:{:02}.000000000 UTC", MONTHS[usize::from(c.month) - 1], c.day, c.year, c.hour, c.minute, c.second)
}

/// `0.000310179`, as tshark shows FT_RELATIVE_TIME (seconds, nanosecond digits).
pub fn relative_time(ns: i64) -> String {
    let a = ns.unsigned_abs();
    format!("{}{}.{:09}", if ns < 0 { "-" } else { "" }, a / 1_000_000_000, a % 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_with_or_without_separators() {
        let mut out = Vec::new();
        assert!(unhex("01ab:FF", &mut out).is_some());
        assert_eq!(out, [1, 0xab, 0xff]);
        assert!(unhex("01 02", &mut out).is_some());
        assert_eq!(out, [1, 2]);
        assert!(unhex("0", &mut out).is_none());
        assert!(unhex("zz", &mut out).is_none());
    }

    #[test]
    fn values_read_as_tshark_shows_them() {
        assert_eq!(relative_time(310_179), "0.000310179");
        assert_eq!(relative_time(-1_500_000_000), "-1.500000000");
        assert_eq!(abs_time(631_152_000), "Jan  1, 1990 00:00:00.000000000 UTC");
        assert_eq!(shown_text("a\nb\u{1}"), "a\\nb\\x1");
    }
}
