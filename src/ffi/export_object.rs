//! File > Export Objects (`tshark --export-objects NAME,DIR`) for objects
//! whose bytes arrive over many frames, over
//! `wireshark-headers/shim_export.{h,c}`: each frame queues its bytes under
//! the caller's key of the object, and the shim's tap appends them to that
//! object's entry (made at its first bytes). The caller passes every text.

use super::cstr::c_text;
use super::epan::{shim, EpanResult, Packet};
use super::ids::Protocol;
use super::sys;
use super::tap::TapId;

/// The export objects of one protocol (their tap).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ExportObjects {
    tap: TapId,
}

/// The texts an object shows, by how many of its bytes arrived.
pub(crate) struct ObjectTexts<'s> {
    /// The object's name (what a save writes it as).
    pub(crate) name: &'s str,
    /// The size it should reach, if known.
    pub(crate) size: Option<i64>,
    /// The content type once it reached its size (or when none is known).
    pub(crate) complete_type: &'s str,
    /// The content type while it falls short of its size.
    pub(crate) incomplete_type: &'s str,
    /// Added to the name while it falls short of its size.
    pub(crate) incomplete_suffix: &'s str,
}

/// `register_export_object` for `proto`: File > Export Objects > its short
/// name, `--export-objects FILTERNAME,DIR`. Call during registration.
pub(crate) fn register(proto: Protocol) -> ExportObjects {
    // SAFETY: a registered protocol id; registration does not throw; the
    // callbacks are the shim's own.
    ExportObjects { tap: TapId::from_raw(unsafe { sys::shim_export_register(proto.0) }) }
}

impl ExportObjects {
    /// Whether an export objects list listens now.
    pub(crate) fn listening(self) -> bool {
        self.tap.listening()
    }

    /// Queues this packet's bytes (its whole captured tvb) as the next
    /// bytes of object `key`.
    pub(crate) fn queue(self, pkt: &Packet<'_>, key: u32, t: &ObjectTexts<'_>) -> EpanResult<()> {
        let (name, complete, incomplete, suffix) = (c_text(t.name), c_text(t.complete_type), c_text(t.incomplete_type), c_text(t.incomplete_suffix));
        let size = t.size.filter(|s| *s >= 0).unwrap_or(-1);
        // SAFETY: valid pinfo and tvb of this packet; the strings outlive
        // the call (the shim copies them into the packet's pool);
        // exceptions caught.
        shim(|e| unsafe {
            sys::shim_export_queue(self.tap.raw(), pkt.pinfo.as_ptr(), pkt.tvb.as_ptr(), key, name.as_ptr(), size, complete.as_ptr(), incomplete.as_ptr(), suffix.as_ptr(), e)
        })
    }
}
