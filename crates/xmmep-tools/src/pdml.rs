//! Reads tshark's PDML (`tshark -T pdml`) as a stream and keeps what the
//! XMMEP dissectors showed: per frame, per message, every field (name,
//! nesting, position, size, shown value) and every expert info. Used by the
//! conformance check (`xmmep-check`), the golden-output tests and the
//! plugin/Lua parity test; streaming, so large captures cost no memory.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Filter name; empty for a text-only subtree.
    pub name: String,
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
                        let a = if a.name == "_ws.lua.text" {
                            Attrs { name: String::new(), show: a.showname.clone(), ..a }
                        } else {
                            a
                        };
                        let depth = stack.iter().filter(|o| matches!(o, Open::Field { xmmep_depth: Some(_), .. })).count() as u8;
                        let show = if a.name.is_empty() { a.show.clone() } else { a.show };
                        m.fields.push(Field { name: a.name.clone(), depth, pos: a.pos, size: a.size, show, showname: a.showname });
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

fn close(
    open: Open,
    frame: &mut Frame,
    msg: &mut Option<Message>,
    expert: &mut Option<Expert>,
    field_names: &mut Vec<String>,
    on_frame: &mut impl FnMut(Frame),
) {
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
