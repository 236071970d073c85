//! Registration of protocol `xmmep`: one header field per filter field of the
//! schema, value strings from the table's enums, one subtree type per field,
//! one expert info per report class, preferences, handles and heuristics.

use std::sync::OnceLock;

use xmmep_core::codec::Charset;
use crate::ffi::registry::{self, EnumPref, Handle, BoolPref};
use crate::ffi::{sys, EiId, EttId, ExpertDesc, FieldDesc, FieldStrings, HfId, Protocol};
use xmmep_core::reports::{Group, Severity, CLASSES};
use xmmep_core::schema::{Display, Schema};
use xmmep_core::table;

use super::dissect::{TcpDissector, UdpDissector, TcpHeuristic, UdpHeuristic};

/// Everything dissection needs from registration, set once.
pub(crate) struct Ids {
    pub proto: Protocol,
    /// Header field per schema field; None for labels (no filter name).
    pub hf: Vec<Option<HfId>>,
    /// Subtree type of the message, then one per schema field.
    pub ett_message: EttId,
    pub ett: Vec<EttId>,
    /// Expert info per report class, in `ReportKind` order.
    pub ei: Vec<EiId>,
    pub charset: EnumPref,
    pub desegment: BoolPref,
}

pub(crate) static IDS: OnceLock<Ids> = OnceLock::new();
pub(crate) static HANDLES: OnceLock<(Handle, Handle)> = OnceLock::new();

impl Ids {
    pub fn charset(&self) -> Charset {
        if self.charset.get() == 1 {
            Charset::Gb18030
        } else {
            Charset::Utf8
        }
    }
}

fn ftype(d: Display) -> (sys::ftenum, u32) {
    match d {
        Display::Text => (sys::FT_STRING, sys::BASE_NONE),
        Display::Uint(8) => (sys::FT_UINT8, sys::BASE_DEC),
        Display::Uint(16) => (sys::FT_UINT16, sys::BASE_DEC),
        Display::Uint(32) => (sys::FT_UINT32, sys::BASE_DEC),
        Display::Uint(_) => (sys::FT_UINT64, sys::BASE_DEC),
        Display::Int(8) => (sys::FT_INT8, sys::BASE_DEC),
        Display::Int(16) => (sys::FT_INT16, sys::BASE_DEC),
        Display::Int(32) => (sys::FT_INT32, sys::BASE_DEC),
        Display::Int(_) => (sys::FT_INT64, sys::BASE_DEC),
        Display::Bool => (sys::FT_BOOLEAN, sys::BASE_NONE),
        Display::Time => (sys::FT_ABSOLUTE_TIME, sys::ABSOLUTE_TIME_UTC),
        Display::Ipv4 => (sys::FT_IPv4, sys::BASE_NONE),
        Display::Container | Display::Label => (sys::FT_NONE, sys::BASE_NONE),
    }
}

fn field_descs(schema: &Schema) -> Vec<(usize, FieldDesc)> {
    let msg_type = schema.generic.msg_type as usize;
    schema
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_filterable())
        .map(|(i, f)| {
            let (ft, base) = ftype(f.display);
            let mut d = FieldDesc::new(&f.label, &f.abbrev, ft, base).blurb(&f.desc);
            if let Some(e) = f.vals {
                d = d.strings(FieldStrings::Values(e.values.iter().map(|v| (v.value as u32, v.name.to_string())).collect()));
            } else if i == msg_type {
                d = d.strings(FieldStrings::Values(table::MESSAGES.iter().map(|m| (m.code as u32, m.name.to_string())).collect()));
            }
            if let Some((t, fl)) = f.bool_names {
                d = d.strings(FieldStrings::TrueFalse(t.to_string(), fl.to_string()));
            }
            (i, d)
        })
        .collect()
}

/// Called from Wireshark's `register_protoinfo`.
pub fn register_protoinfo() {
    let schema = Schema::standard();
    let proto = registry::register_protocol("X-Messenger Message Exchange Protocol", "XMMEP", "xmmep");
    let descs = field_descs(schema);
    let ids = registry::register_fields(proto, &descs.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>());
    let mut hf = vec![None; schema.fields.len()];
    for ((i, _), id) in descs.iter().zip(ids) {
        hf[*i] = Some(id);
    }
    let mut ett = registry::register_subtrees(schema.fields.len() + 1);
    let ett_message = ett.remove(0);
    let experts: Vec<ExpertDesc> = CLASSES
        .iter()
        .map(|c| {
            let group = match c.group {
                Group::Malformed => registry::PI_MALFORMED,
                Group::Protocol => registry::PI_PROTOCOL,
                Group::Security => registry::PI_SECURITY,
            };
            let severity = match c.severity {
                Severity::Note => registry::PI_NOTE,
                Severity::Warning => registry::PI_WARN,
                Severity::Error => registry::PI_ERROR,
            };
            ExpertDesc::new(&format!("xmmep.{}", c.abbrev), group, severity, c.summary)
        })
        .collect();
    let ei = registry::register_expert(proto, &experts);
    crate::ffi::set_panic_expert(ei[xmmep_core::reports::ReportKind::InternalError.index()]);
    let prefs = registry::prefs_register_protocol(proto);
    let charset = prefs.enum_pref(
        "charset",
        "Character set of String fields",
        "XMMEP strings are bytes; the protocol comes from a Chinese product, so GB18030 is offered beside UTF-8",
        0,
        &[("utf8", Charset::Utf8.name(), 0), ("gb18030", Charset::Gb18030.name(), 1)],
        false,
    );
    let desegment = prefs.bool_pref(
        "desegment",
        "Reassemble XMMEP messages spanning multiple TCP segments",
        "Whether the XMMEP dissector should reassemble messages spanning multiple TCP segments. \
         To use this option, you must also enable \"Allow subdissectors to reassemble TCP streams\" in the TCP protocol settings.",
        true,
    );
    let _ = IDS.set(Ids { proto, hf, ett_message, ett, ei, charset, desegment });
}

/// Called from Wireshark's `register_handoff`.
pub fn register_handoff() {
    let Some(ids) = IDS.get() else { return };
    let tcp = registry::register_dissector::<TcpDissector>("xmmep", ids.proto);
    let udp = registry::register_dissector::<UdpDissector>("xmmep_udp", ids.proto);
    let _ = HANDLES.set((tcp, udp));
    // Empty port ranges by default; each also offers Decode As.
    registry::add_uint_range_with_preference("tcp.port", "", tcp);
    registry::add_uint_range_with_preference("udp.port", "", udp);
    registry::heur_dissector_add::<TcpHeuristic>("tcp", "XMMEP over TCP", "xmmep_tcp", ids.proto, true);
    registry::heur_dissector_add::<UdpHeuristic>("udp", "XMMEP over UDP", "xmmep_udp", ids.proto, true);
}
