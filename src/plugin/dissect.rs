//! Dissection: frames messages (TCP via tcp_dissect_pdus, UDP by walking the
//! datagram), decodes each with the codec and hands it to `show`. Every
//! epan call goes through the FFI layer's exception-catching wrappers; an
//! error from one is shown as Wireshark's usual exception item and
//! dissection of the packet stops there.

use std::cell::RefCell;

use xmmep_core::codec::heuristic::{accept_tcp, accept_udp};
use xmmep_core::codec::{parse_header, Decoded, Decoder, Options};
use xmmep_core::schema::Schema;
use xmmep_core::table::HEADER_LEN;

use crate::ffi::{tcp_dissect_pdus, Dissector, Handle, Heuristic, Packet, PduFraming, ENC_NA};

use super::links::{self, Analysis, Observed};
use super::message::{encoding, Message};
use super::state::{Handles, State, HANDLES, STATE};
use super::{announce, chat_views};

thread_local! {
    // Reused between messages so the hot path does not allocate item lists
    // nor move a message's facts and links.
    static SCRATCH: RefCell<(Decoded, Observed)> = RefCell::new((Decoded::new(), Observed::default()));
}

fn decoder(state: &State) -> Decoder<'static> {
    Decoder::new(Schema::standard(), Options { charset: state.charset() })
}

/// XMMEP over TCP: reassembles with tcp_dissect_pdus.
pub(crate) struct TcpDissector;

impl Dissector for TcpDissector {
    fn dissect(pkt: &Packet<'_>) -> i32 {
        let Some(state) = STATE.get() else { return 0 };
        if let Err(e) = tcp_dissect_pdus::<Framing>(pkt, state.desegment.get()) {
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
fn heuristic(pkt: &Packet<'_>, accept: fn(&Decoder<'_>, &[u8]) -> bool, handle: fn(&Handles) -> Handle, dissect: fn(&Packet<'_>) -> i32) -> bool {
    let (Some(state), Some(handles)) = (STATE.get(), HANDLES.get()) else { return false };
    let Ok(bytes) = pkt.tvb.bytes() else { return false };
    if !accept(&decoder(state), bytes) {
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
        heuristic(pkt, accept_tcp, |h| h.tcp, TcpDissector::dissect)
    }
}

pub(crate) struct UdpHeuristic;

impl Heuristic for UdpHeuristic {
    fn dissect_heur(pkt: &Packet<'_>) -> bool {
        heuristic(pkt, accept_udp, |h| h.udp, UdpDissector::dissect)
    }
}

/// Shows every message in `pkt.tvb`, one after the other.
fn dissect_messages(pkt: &Packet<'_>) -> i32 {
    let Some(state) = STATE.get() else { return 0 };
    let bytes = match pkt.tvb.bytes() {
        Ok(b) => b,
        Err(e) => {
            let _ = pkt.show_exception(&e);
            return 0;
        }
    };
    let dec = decoder(state);
    // A record while `-z xmmep,records` listens (its listener asks for
    // the tree); it holds what a shown tree shows.
    let record = !pkt.tree.as_ptr().is_null() && state.records.listening();
    let visible = record || pkt.tree.is_visible();
    let analyze = state.analyze.get();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let (len, shown) = SCRATCH.with(|cell| {
            let (decoded, obs) = &mut *cell.borrow_mut();
            let _ = dec.decode_into(rest, decoded);
            // A bad header cannot be framed past: the rest is this "message".
            let len = decoded.header.map_or(rest.len(), |h| h.message_len().min(rest.len()));
            let mut an = analyze.then(Analysis::lock);
            let shown = obs.fill(an.as_mut(), pkt, &rest[..len], at, decoded, dec.opts.charset, encoding(dec.opts.charset)).and_then(|()| {
                let (obs, decoded) = (&*obs, &*decoded);
                // Asked before the message announces anything, as the tree
                // shows it after its own items.
                let setup = match an.as_mut() {
                    Some(an) => announce::setup_in(pkt, &mut an.capture().setups, obs.flow())?,
                    None => None,
                };
                let file = an.as_ref().map(|an| links::file_label(an, obs)).unwrap_or_default();
                let msg = Message { pkt, state, dec: &dec, base: at, msg: &rest[..len], decoded, visible, record };
                let shown = msg.show(obs, an.as_ref(), setup).and_then(|_| announce::message(pkt, decoded, &file));
                if let (Ok(true), Some(an)) = (&shown, an.as_mut()) {
                    an.capture().setups.announced();
                }
                let answered = an.as_mut().map(|an| links::answered(an, obs, decoded)).unwrap_or_default();
                super::credentials::message(&state.taps, an.as_mut(), obs, pkt, &dec, &rest[..len], decoded);
                let an = an.as_ref();
                let (response, problems) = an.map_or((None, 0), |an| (links::response_time(obs), links::problems(an, obs)));
                let listening = state.taps.messages().listening();
                let chat = an.and_then(|an| chat_views::message(listening, pkt, an, obs, &dec, &rest[..len], decoded));
                super::stats::tap_message(&state.taps, pkt, &dec, decoded, response, problems, answered.presence, chat);
                super::flow::message(state.flow, &msg);
                shown?;
                if state.raw.get() {
                    crate::ffi::batch::batch(pkt, |b| {
                        let raw = b.add_item(crate::ffi::batch::Node::TREE, state.raw_field, at as i32, len as i32, ENC_NA);
                        b.set_hidden(raw);
                        b.flush()
                    })?;
                }
                Ok(())
            });
            (len, shown)
        });
        if let Err(e) = shown {
            let _ = pkt.show_exception(&e);
            break;
        }
        at += len.max(1);
    }
    bytes.len() as i32
}
