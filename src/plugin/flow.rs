//! Statistics > Flow Graph, XMMEP (`tshark -z flow,xmmep,standard`): one
//! arrow per message between its endpoints, labelled with its name and key
//! (`xmmep_core::codec::info::flow_label`: `LOGIN_REQ alice`,
//! `TXT_MSG alice->bob_k`), its Info text as the comment. Nothing is
//! written when no flow graph listens.

use std::borrow::Cow;

use xmmep_core::codec::info::{flow_label, info_text};
use xmmep_core::presentation::flow as names;

use crate::ffi::flow::{self, FlowTap};
use crate::ffi::Protocol;

use super::message::Message;

/// Registers the flow and its tap.
pub(crate) fn register(proto: Protocol) -> FlowTap {
    flow::register(names::NAME, names::UI_NAME, proto, names::TAP)
}

/// Queues the arrow of one message.
pub(crate) fn message(tap: FlowTap, m: &Message<'_, '_>) {
    if !tap.listening() {
        return;
    }
    let text = |o: u32, l: u32| m.text(o, l).map(Cow::into_owned).unwrap_or_else(|_| m.charset().decode(&m.msg[o as usize..(o + l) as usize]));
    let schema = m.dec.schema;
    tap.queue(m.pkt, &flow_label(schema, m.decoded, text), &info_text(schema, m.decoded, text));
}
