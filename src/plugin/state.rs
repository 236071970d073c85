//! What registration made, set once per process and nowhere else: the ids
//! Wireshark assigned, the preferences and the taps ([`STATE`], from
//! `register_protoinfo`), and the dissector handles ([`HANDLES`], from
//! `register_handoff`), those of the announced conversations and file data
//! included. The modules that register (`register`, `announce`, `stats`)
//! and those that dissect (`dissect`, `file_data`) depend on this module,
//! not on each other for it.

use std::sync::OnceLock;

use xmmep_core::codec::Charset;
use xmmep_core::presentation::{charset_at, AnalysisField, ANALYSIS_FIELDS};
use xmmep_core::schema::FieldId;

use crate::ffi::export_object::ExportObjects;
use crate::ffi::flow::FlowTap;
use crate::ffi::registry::{BoolPref, EnumPref};
use crate::ffi::tap::BytesTap;
use crate::ffi::{EiId, EttId, Handle, HfId, Protocol};

use super::stats::Taps;

/// Ids, preferences and taps, from `register_protoinfo`.
pub(crate) struct State {
    pub(crate) proto: Protocol,
    /// Header field per schema field, by `FieldId`; None for labels (they
    /// have no filter name).
    pub(crate) fields: Vec<Option<HfId>>,
    /// Subtree type of a message's own subtree.
    pub(crate) message_subtree: EttId,
    /// Subtree type per schema field, by `FieldId`.
    pub(crate) subtrees: Vec<EttId>,
    /// Expert info per report class, in `ReportKind` order.
    pub(crate) experts: Vec<EiId>,
    pub(crate) charset: EnumPref,
    pub(crate) desegment: BoolPref,
    /// Whether messages are linked across the capture (the tracker).
    pub(crate) analyze: BoolPref,
    /// Whether each message's bytes are added as `xmmep.raw`.
    pub(crate) raw: BoolPref,
    /// `xmmep.raw`.
    pub(crate) raw_field: HfId,
    /// The tap of the messages' records (`xmmep_core::record`), which
    /// `tshark -z xmmep,records` writes to standard output.
    pub(crate) records: BytesTap,
    /// Header field per analysis field, in `presentation::ANALYSIS_FIELDS`
    /// order.
    pub(crate) analysis: Vec<HfId>,
    /// Subtree type of a file transfer.
    pub(crate) transfer_subtree: EttId,
    /// What `announce` and `file_data` use.
    pub(crate) conv: ConvState,
    /// Tap `xmmep` and the credentials tap.
    pub(crate) taps: Taps,
    /// The flow graph's tap.
    pub(crate) flow: FlowTap,
}

impl State {
    /// The charset the preference selects (its value indexes
    /// `presentation::CHARSETS`).
    pub(crate) fn charset(&self) -> Charset {
        charset_at(usize::try_from(self.charset.get()).unwrap_or(0))
    }

    /// The header field of a schema field that has a filter name.
    pub(crate) fn field(&self, id: FieldId) -> Option<HfId> {
        self.fields.get(id as usize).copied().flatten()
    }

    /// The header field of an analysis field.
    pub(crate) fn analysis_field(&self, field: &AnalysisField) -> HfId {
        // By address: the fields are statics, and this runs per item.
        let i = ANALYSIS_FIELDS
            .iter()
            .position(|f| std::ptr::eq(*f, field))
            .or_else(|| ANALYSIS_FIELDS.iter().position(|f| f.abbrev == field.abbrev))
            .expect("every analysis field is registered");
        self.analysis[i]
    }

    /// The subtree type of a schema field.
    pub(crate) fn subtree(&self, id: FieldId) -> EttId {
        self.subtrees[id as usize]
    }
}

/// The plugin's dissector handles, from `register_handoff`.
pub(crate) struct Handles {
    pub(crate) tcp: Handle,
    pub(crate) udp: Handle,
    /// The file data dissector's.
    pub(crate) file_data: Handle,
}

pub(crate) static STATE: OnceLock<State> = OnceLock::new();
pub(crate) static HANDLES: OnceLock<Handles> = OnceLock::new();

/// What registration hands to `announce` and `file_data` (secondary
/// conversations and the file data protocol).
pub(crate) struct ConvState {
    /// `xmmep.setup_in`, on messages.
    pub(crate) setup_in: HfId,
    /// The file data protocol; its id is also the key of the conversation
    /// and frame data `announce` keeps (one key per protocol, and this
    /// protocol is ours alone, so nothing else in the plugin collides).
    pub(crate) file_proto: Protocol,
    pub(crate) fd_name: HfId,
    pub(crate) fd_size: HfId,
    pub(crate) fd_setup_in: HfId,
    pub(crate) fd_bytes_seen: HfId,
    pub(crate) fd_data: HfId,
    pub(crate) fd_subtree: EttId,
    pub(crate) fd_size_mismatch: EiId,
    /// File > Export Objects > XMMEP.
    pub(crate) export: ExportObjects,
}
