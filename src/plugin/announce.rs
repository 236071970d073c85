//! Secondary conversations (traffic that a message announces), as packet-ftp.c follows
//! PASV: a message that announces an address and port
//! (`xmmep_core::conversations::ANNOUNCEMENTS`: the login server of
//! MSG_GET_LOGIN_INFO_RES, any OnlineBuddy, the file-transfer addresses)
//! makes the traffic to it decoded from its first byte, heuristics or not:
//! XMMEP over TCP or UDP, or the file data dissector (`file_data`).
//!
//! The conversations and their data are created on the first pass only and
//! kept in Wireshark's file scope (`ffi::conversation`), so one pass, two
//! passes and the GUI agree. Every XMMEP message of an announced
//! conversation shows the frame that announced it (`xmmep.setup_in`).

use xmmep_core::codec::Decoded;
use xmmep_core::conversations::{self, file_data as names, Announcer, Carries, Found, FILE_DATA_PROTOCOL, SETUP_IN};
use xmmep_core::reports::{Group, Severity};

use crate::ffi::batch::{Batch, Node};
use crate::ffi::conversation::{self as conv, Announcement, Transport};
use crate::ffi::registry::{self, FieldDesc, FieldType};
use crate::ffi::{EpanResult, ExpertDesc, Handle, Packet, Protocol};

use super::capture::Setups;
use super::file_data::FileDataDissector;
use super::message::Message;
use super::state::{ConvState, HANDLES, STATE};

// What an announced conversation carries, as the tag kept with it
// (`Announcement::tag`): XMMEP messages, or file data.
const MESSAGES: i32 = 0;
const FILE_DATA: i32 = 1;

fn field(n: &conversations::FieldNames, ft: FieldType, base: u32) -> FieldDesc {
    FieldDesc::new(n.label, n.filter, ft, base).blurb(n.desc)
}

/// Registration (from `register_protoinfo`, after the protocol): the
/// `xmmep.setup_in` field, the file data protocol, its fields and expert info.
pub(crate) fn register(xmmep: Protocol) -> ConvState {
    let setup_in = registry::register_fields(xmmep, &[field(&SETUP_IN, registry::FT_FRAMENUM, registry::BASE_NONE)])[0];
    let p = &FILE_DATA_PROTOCOL;
    let file_proto = registry::register_protocol(p.name, p.short, p.filter);
    let ids = registry::register_fields(
        file_proto,
        &[
            field(&names::FILE_NAME, registry::FT_STRING, registry::BASE_NONE),
            field(&names::FILE_SIZE, registry::FT_INT64, registry::BASE_DEC),
            field(&names::SETUP_IN, registry::FT_FRAMENUM, registry::BASE_NONE),
            field(&names::BYTES_SEEN, registry::FT_UINT64, registry::BASE_DEC),
            field(&names::DATA, registry::FT_BYTES, registry::BASE_NONE),
        ],
    );
    let fd_subtree = registry::register_subtrees(1)[0];
    let severity = match names::SIZE_MISMATCH_SEVERITY {
        Severity::Note => registry::PI_NOTE,
        Severity::Warning => registry::PI_WARN,
        Severity::Error => registry::PI_ERROR,
    };
    let group = match names::SIZE_MISMATCH_GROUP {
        Group::Malformed => registry::PI_MALFORMED,
        Group::Protocol => registry::PI_PROTOCOL,
        Group::Security => registry::PI_SECURITY,
        Group::Sequence => registry::PI_SEQUENCE,
    };
    let ei = registry::register_expert(file_proto, &[ExpertDesc::new(names::SIZE_MISMATCH, group, severity, names::SIZE_MISMATCH_SUMMARY)]);
    ConvState {
        setup_in,
        file_proto,
        fd_name: ids[0],
        fd_size: ids[1],
        fd_setup_in: ids[2],
        fd_bytes_seen: ids[3],
        fd_data: ids[4],
        fd_subtree,
        fd_size_mismatch: ei[0],
        export: super::export::register(xmmep),
    }
}

/// Handoff (from `register_handoff`): the file data dissector's handle.
pub(crate) fn register_handoff(file_proto: Protocol) -> Handle {
    registry::register_dissector::<FileDataDissector>(conversations::FILE_DATA_DISSECTOR, file_proto)
}

/// The label of a file data connection: what the analysis knows of the
/// file when the connection is announced (the frame of the announcing
/// message is kept with the conversation by [`announce_file_data`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FileLabel {
    pub(crate) name: Option<String>,
    pub(crate) size: Option<i64>,
}

/// Announces a file data connection to `ip:port` (TCP, any peer) with its
/// label; first pass only (a later pass finds what the first made).
pub(crate) fn announce_file_data(pkt: &Packet<'_>, ip: [u8; 4], port: u16, label: &FileLabel) -> EpanResult<()> {
    let (Some(state), Some(h)) = (STATE.get(), HANDLES.get()) else { return Ok(()) };
    if pkt.pinfo.visited() {
        return Ok(());
    }
    // Each announcement is a new transfer, even on a port used before.
    let what = Announcement { tag: FILE_DATA, keep_earlier: false, name: label.name.as_deref(), length: label.size };
    conv::announce(pkt.pinfo, Transport::Tcp, ip, port, h.file_data, state.conv.file_proto, &what)?;
    Ok(())
}

/// Announces XMMEP over `transport` at `ip:port` (any peer); the earliest
/// announcement of an endpoint stays its setup frame.
pub(crate) fn announce_xmmep(pkt: &Packet<'_>, transport: Transport, ip: [u8; 4], port: u16) -> EpanResult<()> {
    let (Some(state), Some(h)) = (STATE.get(), HANDLES.get()) else { return Ok(()) };
    if pkt.pinfo.visited() {
        return Ok(());
    }
    let handle = match transport {
        Transport::Tcp => h.tcp,
        Transport::Udp => h.udp,
    };
    let what = Announcement { tag: MESSAGES, keep_earlier: true, name: None, length: None };
    conv::announce(pkt.pinfo, transport, ip, port, handle, state.conv.file_proto, &what)?;
    Ok(())
}

/// The frame that announced this packet's conversation as XMMEP, if one
/// did: asked of Wireshark once per conversation, direction (`flow`: the
/// conversation's key and direction; UDP asks for the destination's
/// announcement first) and announcement (see `Setups`). Part of the
/// analysis across messages.
pub(crate) fn setup_in(pkt: &Packet<'_>, setups: &mut Setups, flow: (u64, bool)) -> EpanResult<Option<u32>> {
    let Some(cs) = STATE.get().map(|s| &s.conv) else { return Ok(None) };
    let ask = || Ok(conv::lookup(pkt.pinfo, cs.file_proto)?.filter(|d| d.tag() == MESSAGES).map(|d| d.setup_frame()));
    let frame = pkt.pinfo.frame();
    if !pkt.pinfo.visited() {
        return setups.first_pass(flow, frame, ask);
    }
    match setups.later(flow, frame) {
        Some(setup) => Ok(setup),
        None => ask(),
    }
}

/// Queues the message's `xmmep.setup_in` (`setup`, from [`setup_in`];
/// None without the analysis across messages), last in its subtree `root`.
pub(crate) fn show_setup_in<'p>(m: &Message<'_, 'p>, b: &mut Batch<'p, '_>, root: Node, setup: Option<u32>) {
    if let Some(frame) = setup {
        let item = b.add_uint(root, m.state.conv.setup_in, m.base as i32, 0, frame);
        b.set_generated(item);
    }
}

/// After one message is shown: the conversations it announces (first
/// pass). Announcing is not analysis: without it the announced connection
/// would not be decoded at all. `file`: the file of the transfer the
/// message belongs to, as the analysis knows it (the answer's forward
/// carries no name or size: the offer did). Returns whether it announced
/// anything.
pub(crate) fn message(pkt: &Packet<'_>, decoded: &Decoded, file: &FileLabel) -> EpanResult<bool> {
    if pkt.pinfo.visited() {
        return Ok(false);
    }
    let found = Announcer::standard().find(decoded);
    for Found { what, ip, port, .. } in &found {
        match (what.carries, what.transport) {
            (Carries::Xmmep, t) => announce_xmmep(pkt, transport(t), *ip, *port)?,
            (Carries::FileData, _) => announce_file_data(pkt, *ip, *port, file)?,
        }
    }
    Ok(!found.is_empty())
}

fn transport(t: conversations::Transport) -> Transport {
    match t {
        conversations::Transport::Tcp => Transport::Tcp,
        conversations::Transport::Udp => Transport::Udp,
    }
}
