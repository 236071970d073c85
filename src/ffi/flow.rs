//! Statistics > Flow Graph for a protocol of the caller's
//! (`tshark -z flow,NAME,standard`), through
//! `wireshark-headers/shim_flow.{h,c}`: a tap of its own whose records are
//! arrows (a label and a comment the caller writes), drawn from the
//! packet's source to its destination.

use super::cstr::{c_text, leak_cstr};
use super::epan::Packet;
use super::ids::Protocol;
use super::sys;
use super::tap::TapId;

/// The tap of a registered flow.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FlowTap {
    id: TapId,
}

/// Registers tap `tap` and flow `name` over it (`-z flow,NAME,standard`),
/// titled `ui_name`, for `proto`. Call during registration.
pub(crate) fn register(name: &str, ui_name: &str, proto: Protocol, tap: &str) -> FlowTap {
    let id = TapId::register(tap);
    // SAFETY: the strings are leaked (Wireshark keeps them); registration
    // does not throw; the tap callback is the shim's own.
    unsafe { sys::shim_flow_register(leak_cstr(name), leak_cstr(ui_name), proto.0, leak_cstr(tap)) };
    FlowTap { id }
}

impl FlowTap {
    /// Whether a flow graph listens now (so an arrow is worth writing).
    pub(crate) fn listening(self) -> bool {
        self.id.listening()
    }

    /// Queues one arrow of this packet.
    pub(crate) fn queue(self, pkt: &Packet<'_>, label: &str, comment: &str) {
        let (label, comment) = (c_text(label), c_text(comment));
        // SAFETY: the strings outlive the call (the shim copies them into
        // the packet's pool); pinfo is the packet's.
        unsafe { sys::shim_flow_queue(self.id.raw(), pkt.pinfo.as_ptr(), label.as_ptr(), comment.as_ptr(), 0) }
    }
}
