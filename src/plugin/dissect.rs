//! Dissection: frames messages (TCP via tcp_dissect_pdus, UDP by walking the
//! datagram), decodes each with the codec and shows the result as
//! docs/presentation.md says. Every epan call goes through the FFI layer's
//! exception-catching wrappers; an error from one is shown as Wireshark's
//! usual exception item and dissection of the packet stops there.

use std::cell::RefCell;

use xmmep_core::codec::heuristic::{accept_tcp, accept_udp};
use xmmep_core::codec::info::info_text;
use xmmep_core::codec::{parse_header, Charset, Decoded, Decoder, Options, Value};
use crate::ffi::{sys, tcp_dissect_pdus, Handle, Tvb, Dissector, EpanResult, Heuristic, Item, Packet, PduFraming, Tree, COL_INFO, COL_PROTOCOL};
use xmmep_core::schema::{Display, Schema};
use xmmep_core::table::HEADER_LEN;

use super::register::{Ids, HANDLES, IDS};

thread_local! {
    // Reused between messages so the hot path does not allocate item lists.
    static SCRATCH: RefCell<Decoded> = RefCell::new(Decoded::new());
}

fn decoder(ids: &Ids) -> Decoder<'static> {
    Decoder::new(Schema::standard(), Options { charset: ids.charset() })
}

/// Shows one message's Info text. The first XMMEP message of a frame takes
/// the columns (after any fence TCP set); the next ones, even from another
/// call for the same frame (a reassembled PDU, then the rest of the
/// segment), are appended with ", ". The Protocol column tells which case
/// this is, so a segment that only feeds reassembly keeps TCP's columns,
/// as it does in a second pass (where TCP does not call us for it).
fn add_info(pkt: &Packet<'_>, info: &str) -> EpanResult<()> {
    if pkt.pinfo.col_text_is(COL_PROTOCOL, "XMMEP") {
        pkt.pinfo.col_append_sep(COL_INFO, ", ", info)
    } else {
        pkt.pinfo.col_set(COL_PROTOCOL, "XMMEP")?;
        pkt.pinfo.col_set(COL_INFO, info)
    }
}

/// XMMEP over TCP: reassembles with tcp_dissect_pdus.
pub(crate) struct TcpDissector;

impl Dissector for TcpDissector {
    fn dissect(pkt: &Packet<'_>) -> i32 {
        let Some(ids) = IDS.get() else { return 0 };
        if let Err(e) = tcp_dissect_pdus::<Framing>(pkt, ids.desegment.get()) {
            let _ = pkt.show_exception(&e);
        }
        pkt.tvb.reported_len() as i32
    }
}

struct Framing;

impl PduFraming for Framing {
    const FIXED_LEN: u32 = HEADER_LEN as u32;

    fn pdu_len(pkt: &Packet<'_>, offset: i32, stream_ends: bool) -> u32 {
        let rest = pkt.tvb.reported_len().saturating_sub(offset as u32);
        match pkt.tvb.slice(offset as u32, HEADER_LEN as u32).ok().and_then(parse_header) {
            // The stream closes inside this message: show what came, which
            // the decoder reports as a truncated body, rather than wait for
            // bytes that will never arrive.
            Some(h) if stream_ends && h.message_len() as u32 > rest => rest,
            Some(h) => h.message_len() as u32,
            // Not a header: claim the rest, where the bad header is reported;
            // nothing after it can be framed.
            None => rest.max(1),
        }
    }

    fn dissect_pdu(pkt: &Packet<'_>) -> i32 {
        dissect_messages(pkt)
    }
}

/// XMMEP over UDP: every message of the datagram.
pub(crate) struct UdpDissector;

impl Dissector for UdpDissector {
    fn dissect(pkt: &Packet<'_>) -> i32 {
        dissect_messages(pkt)
    }
}

/// The two heuristics differ only in their acceptance rule and in which
/// handle and dissector take over the conversation.
fn heuristic(
    pkt: &Packet<'_>,
    accept: fn(&Decoder<'_>, &[u8]) -> bool,
    handle: fn(&(Handle, Handle)) -> Handle,
    dissect: fn(&Packet<'_>) -> i32,
) -> bool {
    let (Some(ids), Some(handles)) = (IDS.get(), HANDLES.get()) else { return false };
    let Ok(bytes) = pkt.tvb.bytes() else { return false };
    if !accept(&decoder(ids), bytes) {
        return false;
    }
    // The rest of the conversation, both directions, is XMMEP.
    let _ = pkt.pinfo.set_conversation_dissector(handle(handles));
    dissect(pkt);
    true
}

pub(crate) struct TcpHeuristic;

impl Heuristic for TcpHeuristic {
    fn dissect_heur(pkt: &Packet<'_>) -> bool {
        heuristic(pkt, accept_tcp, |h| h.0, TcpDissector::dissect)
    }
}

pub(crate) struct UdpHeuristic;

impl Heuristic for UdpHeuristic {
    fn dissect_heur(pkt: &Packet<'_>) -> bool {
        heuristic(pkt, accept_udp, |h| h.1, UdpDissector::dissect)
    }
}

/// Shows every message in `pkt.tvb`, one after the other.
fn dissect_messages(pkt: &Packet<'_>) -> i32 {
    let Some(ids) = IDS.get() else { return 0 };
    let bytes = match pkt.tvb.bytes() {
        Ok(b) => b,
        Err(e) => {
            let _ = pkt.show_exception(&e);
            return 0;
        }
    };
    let dec = decoder(ids);
    let mut at = 0;
    while at < bytes.len() {
        let msg = &bytes[at..];
        let shown = SCRATCH.with(|cell| {
            let mut d = cell.borrow_mut();
            let _ = dec.decode_into(msg, &mut d);
            // A bad header cannot be framed past: the rest is this "message".
            let len = d.header.map_or(msg.len(), |h| h.message_len().min(msg.len()));
            (len, show(pkt, ids, &dec, at, &msg[..len], &d))
        });
        if let (_, Err(e)) = &shown {
            let _ = pkt.show_exception(e);
            break;
        }
        at += shown.0.max(1);
    }
    bytes.len() as i32
}

fn elements(n: u32) -> String {
    if n == 1 {
        "1 element".to_string()
    } else {
        format!("{n} elements")
    }
}

/// Text of `bytes` (at `start` in `tvb`) as Wireshark converts it, so that
/// labels and Info read like string fields, and like the Lua script's. A NUL
/// shows as U+2400: C strings would end there.
fn wireshark_text(tvb: Tvb<'_>, start: usize, bytes: &[u8], charset: Charset, enc: u32) -> EpanResult<String> {
    if bytes.is_ascii() || (charset == Charset::Utf8 && std::str::from_utf8(bytes).is_ok()) {
        return Ok(String::from_utf8_lossy(bytes).replace('\0', "\u{2400}"));
    }
    let mut out = String::new();
    let mut at = start;
    for (i, piece) in bytes.split(|&b| b == 0).enumerate() {
        if i > 0 {
            out.push('\u{2400}');
        }
        if !piece.is_empty() {
            out.push_str(&tvb.string(at as u32, piece.len() as u32, enc)?);
        }
        at += piece.len() + 1;
    }
    Ok(out)
}

/// Adds one message's subtree, expert infos and Info text.
fn show(pkt: &Packet<'_>, ids: &Ids, dec: &Decoder<'_>, base: usize, msg: &[u8], d: &Decoded) -> EpanResult<()> {
    let schema = dec.schema;
    let charset = dec.opts.charset;
    let enc = match charset {
        Charset::Utf8 => sys::ENC_UTF_8,
        Charset::Gb18030 => sys::ENC_GB18030,
    };
    let tvb = pkt.tvb;
    let name = match d.header {
        Some(h) => schema.message(h.msg_type).map_or_else(|| format!("Unknown type {}", h.msg_type), |m| m.def.name.to_string()),
        None => "Malformed header".to_string(),
    };
    let proto_item = pkt.tree.add_protocol(ids.proto, tvb, base as i32, msg.len() as i32)?;
    proto_item.append_text(&format!(", {name}"))?;
    let root = proto_item.add_subtree(ids.ett_message)?;
    let mut stack: Vec<Tree<'_>> = vec![root];
    let mut shown: Vec<Item<'_>> = Vec::with_capacity(d.items.len());
    for (i, it) in d.items.iter().enumerate() {
        stack.truncate(it.depth as usize + 1);
        let parent = *stack.last().expect("the root is never popped");
        let f = schema.field(it.id);
        let hf = ids.hf[it.id as usize];
        let ett = ids.ett[it.id as usize];
        let (start, len) = ((base + it.offset as usize) as i32, it.len as i32);
        let bytes = &msg[it.offset as usize..(it.offset + it.len) as usize];
        let mut subtree = None;
        let item = match (it.value, hf) {
            (Value::Invalid, _) => {
                let bad = ids.hf[schema.generic.bad_value as usize].expect("bad_value is a filter field");
                let item = parent.add_item(bad, tvb, start, len, enc)?;
                item.set_text(&format!("{}: {}", f.label, wireshark_text(tvb, start as usize, bytes, charset, enc)?))?;
                item
            }
            (Value::Count(n), None) => {
                let (t, item) = parent.add_subtree(tvb, start, len, ett, &format!("{}: {}", f.label, elements(n)))?;
                subtree = Some(t);
                item
            }
            (Value::Index(n), None) => {
                let (t, item) = parent.add_subtree(tvb, start, len, ett, &format!("{} {n}", f.label))?;
                subtree = Some(t);
                item
            }
            (_, None) => unreachable!("only labels lack a header field"),
            (Value::Text, Some(hf)) => parent.add_item(hf, tvb, start, len, enc)?,
            (Value::Uint(v), Some(hf)) if f.display == Display::Uint(64) => parent.add_uint64(hf, tvb, start, len, v)?,
            (Value::Uint(v), Some(hf)) => parent.add_uint(hf, tvb, start, len, v as u32)?,
            (Value::Int(v), Some(hf)) if f.display == Display::Int(64) => parent.add_int64(hf, tvb, start, len, v)?,
            (Value::Int(v), Some(hf)) => parent.add_int(hf, tvb, start, len, v as i32)?,
            (Value::Bool(b), Some(hf)) => parent.add_boolean(hf, tvb, start, len, b)?,
            (Value::Time(t), Some(hf)) => parent.add_time_secs(hf, tvb, start, len, t)?,
            (Value::Ipv4(a), Some(hf)) => {
                let item = parent.add_ipv4(hf, tvb, start, len, u32::from_be_bytes(a))?;
                item.set_generated()?;
                item
            }
            (Value::None, Some(hf)) => {
                let item = parent.add_item(hf, tvb, start, len, sys::ENC_NA)?;
                // A struct is labelled by its first member when that is text
                // ("Buddy: alice"), so a long list reads without expanding it.
                if let Some(first) = d.items.get(i + 1).filter(|n| n.depth == it.depth + 1 && n.value == Value::Text) {
                    let text = &msg[first.offset as usize..(first.offset + first.len) as usize];
                    let shown = wireshark_text(tvb, base + first.offset as usize, text, charset, enc)?;
                    item.append_text(&format!(": {shown}"))?;
                }
                item
            }
            (Value::Count(n), Some(hf)) | (Value::Index(n), Some(hf)) => {
                let item = parent.add_item(hf, tvb, start, len, sys::ENC_NA)?;
                item.append_text(&format!(": {}", elements(n)))?;
                item
            }
        };
        let has_children = d.items.get(i + 1).is_some_and(|next| next.depth > it.depth);
        if has_children {
            let t = match subtree {
                Some(t) => t,
                None => item.add_subtree(ett)?,
            };
            stack.push(t);
        }
        shown.push(item);
    }
    for r in &d.reports {
        let target = r.item.and_then(|i| shown.get(i as usize).copied()).unwrap_or(proto_item);
        pkt.pinfo.expert(Some(target), ids.ei[r.kind.index()], Some(&r.text))?;
    }
    let info = info_text(schema, d, |o, l| {
        let bytes = &msg[o as usize..(o + l) as usize];
        wireshark_text(tvb, base + o as usize, bytes, charset, enc).unwrap_or_else(|_| charset.decode(bytes))
    });
    add_info(pkt, &info)?;
    Ok(())
}
