//! The epan plugin: registration and dissection, table-driven. Safe Rust on
//! top of the FFI layer (`crate::ffi`); it knows the codec's output and the
//! presentation rules of docs/presentation.md (texts from
//! `xmmep_core::presentation`), and nothing of any message.
//!
//! - [`state`]: what registration made (ids, handles, preferences, taps),
//!   set once;
//! - [`register`]: protocol, fields, subtrees, expert infos, preferences,
//!   and (through `announce` and `stats`) the rest of `state::State`;
//! - [`dissect`]: framing over TCP and UDP, heuristics;
//! - [`message`]: one message of a packet (where it lies, its decode) and
//!   its texts as Wireshark shows them;
//! - [`show`]: one decoded message as tree items, expert infos and Info;
//! - [`capture`]: the analysis's state for the open capture;
//! - [`links`]: the analysis across messages, fed on the first pass and
//!   shown on every pass;
//! - [`stats`]: the tap records, the statistics tree and credentials;
//! - [`chat_views`]: Follow > XMMEP Stream and the Conversations and
//!   Endpoints tab;
//! - [`srt`]: Service Response Time > XMMEP, over the same records;
//! - [`flow`]: the XMMEP flow graph, an arrow per message;
//! - [`announce`]: conversations that a message announces (a server's or a
//!   buddy's address, a file transfer's), decoded from their first byte;
//! - [`file_data`]: the dissector of announced file data connections;
//! - [`export`]: File > Export Objects > XMMEP, the files those carried.
//!
//! `register` and `dissect` both depend on `state`, not on each other; the
//! two entry points below, which Wireshark calls through `ffi::plugin`,
//! join them.
//!
//! Every `unsafe` block lives in `crate::ffi`, with the reason it is sound;
//! the compiler refuses one here (and tests/layers.rs one in `src/lib.rs`).

#![forbid(unsafe_code)]

mod announce;
mod capture;
mod chat_views;
mod credentials;
mod dissect;
mod export;
mod file_data;
mod flow;
mod links;
mod message;
mod record;
mod register;
mod show;
mod srt;
mod state;
mod stats;

use xmmep_core::presentation::{TCP_DISSECTOR, TCP_HEURISTIC, UDP_DISSECTOR, UDP_HEURISTIC};

use crate::ffi::registry;
use dissect::{TcpDissector, TcpHeuristic, UdpDissector, UdpHeuristic};
use state::{Handles, HANDLES, STATE};

/// Wireshark's `register_protoinfo`.
pub(crate) fn register_protoinfo() {
    let _ = STATE.set(register::register_protocol());
}

/// Wireshark's `register_handoff`: the handles, port tables and heuristics.
pub(crate) fn register_handoff() {
    let Some(state) = STATE.get() else { return };
    let tcp = registry::register_dissector::<TcpDissector>(TCP_DISSECTOR, state.proto);
    let udp = registry::register_dissector::<UdpDissector>(UDP_DISSECTOR, state.proto);
    // Empty port ranges by default; each also offers Decode As.
    registry::add_uint_range_with_preference("tcp.port", "", tcp);
    registry::add_uint_range_with_preference("udp.port", "", udp);
    let (t, u) = (&TCP_HEURISTIC, &UDP_HEURISTIC);
    registry::heur_dissector_add::<TcpHeuristic>(t.list, t.title, t.name, state.proto, true);
    registry::heur_dissector_add::<UdpHeuristic>(u.list, u.title, u.name, state.proto, true);
    let file_data = announce::register_handoff(state.conv.file_proto);
    let _ = HANDLES.set(Handles { tcp, udp, file_data });
}
