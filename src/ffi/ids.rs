//! The ids registration hands out: protocols, header fields, subtrees,
//! expert infos and dissector handles. `registry` makes them; `epan`,
//! `entry`, `tap` and `conversation` take them. Plain values, valid for the
//! rest of the process.

use std::sync::atomic::{AtomicI32, Ordering};

use super::sys;

/// A registered protocol (`proto_...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Protocol(pub(super) i32);

impl Protocol {
    /// The id Wireshark assigned (the header field of its protocol items).
    pub(crate) fn get(self) -> i32 {
        self.0
    }
}

/// Id of a registered header field (`hf_...`); -1 until registered.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HfId(pub(super) &'static AtomicI32);

impl HfId {
    /// The id Wireshark assigned (or -1).
    pub(crate) fn get(self) -> i32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Id of a registered subtree (`ett_...`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct EttId(pub(super) &'static AtomicI32);

impl EttId {
    /// The id Wireshark assigned (or -1).
    pub(crate) fn get(self) -> i32 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A registered expert info (`ei_...`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct EiId(pub(super) &'static ExpertCell);

/// Process-lifetime storage for an `expert_field` that Wireshark writes
/// during registration.
#[derive(Debug)]
pub(crate) struct ExpertCell(pub(super) std::cell::UnsafeCell<sys::expert_field>);

// SAFETY: the cell is written only by expert_register_field_array during
// single-threaded registration, and only read (by Wireshark, through the
// pointer) afterwards.
unsafe impl Sync for ExpertCell {}

impl EiId {
    /// The pointer Wireshark's expert calls take.
    pub(crate) fn as_ptr(self) -> *mut sys::expert_field {
        self.0 .0.get()
    }
}

/// A dissector handle (process lifetime).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Handle(pub(super) sys::dissector_handle_t);

// SAFETY: a handle is an immutable pointer owned by Wireshark for the whole
// process; sharing the pointer value is harmless.
unsafe impl Send for Handle {}
// SAFETY: as above.
unsafe impl Sync for Handle {}

impl Handle {
    /// The raw handle.
    pub(crate) fn as_ptr(self) -> sys::dissector_handle_t {
        self.0
    }
}
