//! Reads tshark's PDML (`tshark -T pdml`) as a stream and keeps what the
//! XMMEP dissectors showed: per frame, per message, every field (name,
//! nesting, position, size, shown value) and every expert info. Used by the
//! conformance check (`xmmep-check`), the golden-output tests and the
//! plugin/Lua parity test; streaming, so large captures cost no memory.
//!
//! This reader is the one place where Wireshark's own formatting is made
//! the same across the supported releases (see [`normalise_show`]); what
//! XMMEP itself shows (names, values, positions, expert infos) is never
//! rewritten.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Filter name; empty for a text-only subtree. Borrowed where the
    /// name is known beforehand (the records' field names), so that a field
    /// costs no allocation for it.
    pub name: Cow<'static, str>,
    /// The message table's field of that name, if it is one: found once
    /// when read, not per use.
    pub def: Option<xmmep_core::schema::FieldId>,
    /// Nesting below the message's protocol item (0 = a message field).
    pub depth: u8,
    pub pos: u32,
    pub size: u32,
    pub show: String,
    pub showname: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expert {
    /// The expert info's name (`xmmep.unknown_enum`, `_ws.malformed`).
    pub name: String,
    pub message: String,
    /// "error", "warning", "note", "chat" or "comment".
    pub severity: String,
    /// "malformed", "protocol", "security", ...
    pub group: String,
    /// The field the expert info is attached to (empty: the message).
    pub on: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// The protocol item's label (`X-Messenger ..., MSG_LOGIN_REQ`).
    pub showname: String,
    pub pos: u32,
    pub size: u32,
    pub fields: Vec<Field>,
    pub experts: Vec<Expert>,
}

impl Message {
    /// The message name from the protocol item's label.
    pub fn name(&self) -> &str {
        self.showname.rsplit_once(", ").map_or("", |(_, n)| n)
    }
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    pub number: u32,
    pub messages: Vec<Message>,
    /// Expert infos of the frame outside any XMMEP message (a malformed
    /// packet exception raised by another layer, for instance).
    pub other_experts: Vec<Expert>,
    /// Where and when: the first (outermost) value of each in the frame.
    pub meta: FrameMeta,
}

/// The frame's time and addresses, for per-message exports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FrameMeta {
    /// `frame.time_epoch` as tshark shows it (`1700000000.123456789`).
    pub time_epoch: String,
    /// `ip.src` or `ipv6.src`.
    pub src_addr: String,
    pub dst_addr: String,
    /// `tcp` or `udp`.
    pub transport: String,
    pub src_port: String,
    pub dst_port: String,
    /// Whether TCP or UDP carries payload in the frame.
    pub payload: bool,
}

impl FrameMeta {
    /// Keeps the outermost value of the fields it knows (an ICMP error
    /// quotes inner headers later in the frame).
    fn see(&mut self, name: &str, show: &str) {
        let slot = match name {
            "frame.time_epoch" => &mut self.time_epoch,
            "ip.src" | "ipv6.src" => &mut self.src_addr,
            "ip.dst" | "ipv6.dst" => &mut self.dst_addr,
            "tcp.srcport" | "udp.srcport" => {
                if self.transport.is_empty() {
                    self.transport = name[..3].to_string();
                }
                &mut self.src_port
            }
            "tcp.dstport" | "udp.dstport" => &mut self.dst_port,
            "tcp.payload" | "udp.payload" => {
                self.payload = true;
                return;
            }
            _ => return,
        };
        if slot.is_empty() {
            *slot = show.to_string();
        }
    }
}

pub fn severity_name(v: u32) -> &'static str {
    match v {
        0x0080_0000 => "error",
        0x0060_0000 => "warning",
        0x0040_0000 => "note",
        0x0020_0000 => "chat",
        _ => "comment",
    }
}

pub fn group_name(v: u32) -> &'static str {
    match v {
        0x0700_0000 => "malformed",
        0x0900_0000 => "protocol",
        0x0a00_0000 => "security",
        0x0600_0000 => "reassemble",
        0x0500_0000 => "undecoded",
        0x0200_0000 => "sequence",
        _ => "other",
    }
}

/// A field's shown value as Wireshark 4.0 prints it, whatever the release.
/// Only fields whose schema type is concerned are touched, so a text field
/// that happens to read like a boolean or a time stays as it is:
/// - from 4.4 on, an FT_BOOLEAN shows as `True`/`False` (4.0: `1`/`0`);
/// - from 4.6 on, an FT_ABSOLUTE_TIME shows in ISO 8601
///   (`2023-11-14T22:13:20.000000000Z`; 4.0: `Nov 14, 2023 22:13:20.000000000 UTC`).
pub fn normalise_show(name: &str, show: String) -> String {
    use xmmep_core::schema::{Display, Schema};
    let schema = Schema::standard();
    // The analysis's Booleans (xmmep.transfer.accepted) count as Bool too.
    let analysis_bool = || {
        let below = name.strip_prefix("xmmep.").unwrap_or("");
        xmmep_core::presentation::ANALYSIS_FIELDS.iter().any(|a| a.abbrev == below && a.kind == xmmep_core::presentation::FieldKind::Boolean)
    };
    let display = || schema.field_by_key(name).map(|id| schema.field(id).display).or_else(|| analysis_bool().then_some(Display::Bool));
    match show.as_str() {
        "True" if display() == Some(Display::Bool) => "1".to_string(),
        "False" if display() == Some(Display::Bool) => "0".to_string(),
        s if s.ends_with('Z') && s.contains('T') && display() == Some(Display::Time) => normalise_time(s).unwrap_or(show),
        _ => show,
    }
}

/// An ISO 8601 UTC time as Wireshark 4.0 shows absolute times:
/// `2023-11-14T22:13:20.000000000Z` -> `Nov 14, 2023 22:13:20.000000000 UTC`.
/// None when `iso` is not of that form.
pub fn normalise_time(iso: &str) -> Option<String> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let (date, time) = iso.strip_suffix('Z')?.split_once('T')?;
    // A year may be negative or longer than four digits: split from the right.
    let (rest, day) = date.rsplit_once('-')?;
    let (year, month) = rest.rsplit_once('-')?;
    let month = MONTHS.get(month.parse::<usize>().ok()?.checked_sub(1)?)?;
    let day: u32 = day.parse().ok()?;
    Some(format!("{month} {day:>2}, {year} {time} UTC"))
}

/// The Info column without TCP's own reassembly notes (`[TCP PDU reassembled
/// in N]`, `[TCP segment of a reassembled PDU]`): from 4.4 on TCP writes them
/// differently, and differently in one pass and two, so they say nothing
/// about XMMEP. The rest of the column is kept as it is.
pub fn normalise_info(info: &str) -> String {
    const NOTES: [&str; 2] = [" [TCP PDU reassembled in ", " [TCP segment of a reassembled PDU]"];
    let mut out = info.to_string();
    for note in NOTES {
        while let Some(at) = out.find(note) {
            let end = out[at + 1..].find(']').map_or(out.len(), |e| at + 1 + e + 1);
            out.replace_range(at..end, "");
        }
    }
    out
}

struct Attrs {
    name: String,
    show: String,
    showname: String,
    pos: u32,
    size: u32,
}

fn attrs(e: &BytesStart<'_>) -> Attrs {
    let mut a = Attrs { name: String::new(), show: String::new(), showname: String::new(), pos: 0, size: 0 };
    for at in e.attributes().flatten() {
        let v = at.unescape_value().map(|v| v.into_owned()).unwrap_or_default();
        match at.key.as_ref() {
            b"name" => a.name = v,
            b"show" => a.show = v,
            b"showname" => a.showname = v,
            b"pos" => a.pos = v.parse().unwrap_or(0),
            b"size" => a.size = v.parse().unwrap_or(0),
            _ => {}
        }
    }
    a
}

/// What an open element is, so that its end can be handled.
enum Open {
    Packet,
    Proto { xmmep: bool },
    Field { xmmep_depth: Option<u8>, expert: bool },
}

/// Calls `on_frame` for every frame of the PDML in `input`.
pub fn read_frames<R: BufRead>(input: R, mut on_frame: impl FnMut(Frame)) -> Result<(), String> {
    let mut reader = Reader::from_reader(input);
    let mut buf = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut frame = Frame::default();
    let mut msg: Option<Message> = None;
    let mut expert: Option<Expert> = None;
    // Names of the open xmmep fields, for `Expert::on`.
    let mut field_names: Vec<String> = Vec::new();
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(|e| format!("PDML: {e}"))?;
        let (start, empty) = match &ev {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            Event::End(_) => (None, false),
            Event::Eof => break,
            _ => {
                buf.clear();
                continue;
            }
        };
        if let Some(e) = start {
            let open = match e.name().as_ref() {
                b"packet" => {
                    frame = Frame::default();
                    Open::Packet
                }
                b"proto" => {
                    let a = attrs(&e);
                    let xmmep = a.name == "xmmep";
                    if xmmep {
                        msg = Some(Message { showname: a.showname, pos: a.pos, size: a.size, ..Default::default() });
                        field_names.clear();
                    }
                    Open::Proto { xmmep }
                }
                b"field" => {
                    let a = attrs(&e);
                    if a.name == "frame.number" {
                        frame.number = a.show.parse().unwrap_or(0);
                    } else if msg.is_none() {
                        frame.meta.see(&a.name, &a.show);
                    }
                    let in_expert = expert.is_some();
                    if a.name == "_ws.expert" || a.name == "_ws.malformed" && !in_expert {
                        let on = field_names.last().cloned().unwrap_or_default();
                        expert = Some(Expert { name: String::new(), message: String::new(), severity: String::new(), group: String::new(), on });
                        if a.name == "_ws.malformed" {
                            if let Some(x) = expert.as_mut() {
                                x.name = a.name.clone();
                            }
                        }
                        Open::Field { xmmep_depth: None, expert: true }
                    } else if in_expert {
                        let x = expert.as_mut().expect("in expert");
                        match a.name.as_str() {
                            "_ws.expert.message" => x.message = a.show,
                            "_ws.expert.severity" => x.severity = severity_name(a.show.parse().unwrap_or(0)).to_string(),
                            "_ws.expert.group" => x.group = group_name(a.show.parse().unwrap_or(0)).to_string(),
                            n if x.name.is_empty() || x.name == "_ws.malformed" => {
                                x.name = n.to_string();
                                if x.message.is_empty() {
                                    x.message = a.showname.clone();
                                }
                            }
                            _ => {}
                        }
                        Open::Field { xmmep_depth: None, expert: false }
                    } else if let Some(m) = msg.as_mut() {
                        // A text-only subtree: the plugin's has no name, the
                        // Lua API's is `_ws.lua.text` with the text as its
                        // label. Both are read as a nameless item.
                        let a = if a.name == "_ws.lua.text" { Attrs { name: String::new(), show: a.showname.clone(), ..a } } else { a };
                        let depth = stack.iter().filter(|o| matches!(o, Open::Field { xmmep_depth: Some(_), .. })).count() as u8;
                        let show = normalise_show(&a.name, a.show);
                        let def = xmmep_core::schema::Schema::standard().field_by_key(&a.name);
                        m.fields.push(Field { name: a.name.clone().into(), def, depth, pos: a.pos, size: a.size, show, showname: a.showname });
                        field_names.push(a.name);
                        Open::Field { xmmep_depth: Some(depth), expert: false }
                    } else {
                        Open::Field { xmmep_depth: None, expert: false }
                    }
                }
                _ => Open::Field { xmmep_depth: None, expert: false },
            };
            if empty {
                close(open, &mut frame, &mut msg, &mut expert, &mut field_names, &mut on_frame);
            } else {
                stack.push(open);
            }
        } else if let Some(open) = stack.pop() {
            close(open, &mut frame, &mut msg, &mut expert, &mut field_names, &mut on_frame);
        }
        buf.clear();
    }
    Ok(())
}

fn close(open: Open, frame: &mut Frame, msg: &mut Option<Message>, expert: &mut Option<Expert>, field_names: &mut Vec<String>, on_frame: &mut impl FnMut(Frame)) {
    match open {
        Open::Packet => on_frame(std::mem::take(frame)),
        Open::Proto { xmmep: true } => {
            if let Some(m) = msg.take() {
                frame.messages.push(m);
            }
        }
        Open::Proto { xmmep: false } => {}
        Open::Field { expert: true, .. } => {
            if let Some(x) = expert.take() {
                match msg.as_mut() {
                    Some(m) => m.experts.push(x),
                    None => frame.other_experts.push(x),
                }
            }
        }
        Open::Field { xmmep_depth: Some(_), .. } => {
            field_names.pop();
        }
        Open::Field { .. } => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_notes_leave_the_info_column() {
        assert_eq!(normalise_info("1 → 2 [ACK] Len=3 [TCP PDU reassembled in 8]"), "1 → 2 [ACK] Len=3");
        assert_eq!(normalise_info("a [TCP segment of a reassembled PDU] b"), "a b");
        assert_eq!(normalise_info("MSG_TXT_MSG [x]"), "MSG_TXT_MSG [x]");
    }

    #[test]
    fn only_boolean_fields_lose_true_and_false() {
        assert_eq!(normalise_show("xmmep.is_room_msg", "True".into()), "1");
        assert_eq!(normalise_show("xmmep.is_room_msg", "False".into()), "0");
        assert_eq!(normalise_show("xmmep.is_room_msg", "1".into()), "1");
        assert_eq!(normalise_show("xmmep.user_name", "True".into()), "True");
    }

    #[test]
    fn iso_times_read_as_in_4_0() {
        let iso = "2023-11-14T22:13:20.000000000Z";
        assert_eq!(normalise_show("xmmep.send_time", iso.into()), "Nov 14, 2023 22:13:20.000000000 UTC");
        assert_eq!(normalise_show("xmmep.user_info.birthday", "1990-01-01T00:00:00.000000000Z".into()), "Jan  1, 1990 00:00:00.000000000 UTC");
        assert_eq!(normalise_show("xmmep.content", iso.into()), iso);
        assert_eq!(normalise_time("1990-13-01T00:00:00Z"), None);
    }
}
