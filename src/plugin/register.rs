//! Registration of protocol `xmmep`: one header field per filter field of the
//! schema, value strings from the table's enums, one subtree type per field,
//! one expert info per report class, and the preferences. The result is the
//! plugin's [`State`]; the texts are `xmmep_core::presentation`'s.

use xmmep_core::presentation::{self, AnalysisField, FieldKind, FrameLink, ANALYSIS_FIELDS, ANALYZE_PREF, CHARSETS, CHARSET_PREF, DESEGMENT_PREF, PROTOCOL, RAW_FIELD, RAW_PREF};
use xmmep_core::reports::{Group, ReportKind, Severity, CLASSES};
use xmmep_core::schema::Schema;
use xmmep_core::table;

use crate::ffi::registry::{self, FieldType};
use crate::ffi::{set_panic_expert, ExpertDesc, FieldDesc, FieldStrings};

use super::state::State;
use super::{announce, chat_views, flow, record, srt, stats};

/// The epan field type and display of a field kind.
fn ftype(k: FieldKind) -> (FieldType, u32) {
    match k {
        FieldKind::String => (registry::FT_STRING, registry::BASE_NONE),
        FieldKind::Uint8 => (registry::FT_UINT8, registry::BASE_DEC),
        FieldKind::Uint16 => (registry::FT_UINT16, registry::BASE_DEC),
        FieldKind::Uint32 => (registry::FT_UINT32, registry::BASE_DEC),
        FieldKind::Uint64 => (registry::FT_UINT64, registry::BASE_DEC),
        FieldKind::Int8 => (registry::FT_INT8, registry::BASE_DEC),
        FieldKind::Int16 => (registry::FT_INT16, registry::BASE_DEC),
        FieldKind::Int32 => (registry::FT_INT32, registry::BASE_DEC),
        FieldKind::Int64 => (registry::FT_INT64, registry::BASE_DEC),
        FieldKind::Boolean => (registry::FT_BOOLEAN, registry::BASE_NONE),
        FieldKind::AbsoluteTime => (registry::FT_ABSOLUTE_TIME, registry::ABSOLUTE_TIME_UTC),
        FieldKind::Ipv4 => (registry::FT_IPv4, registry::BASE_NONE),
        FieldKind::None => (registry::FT_NONE, registry::BASE_NONE),
        FieldKind::FrameNum(_) => (registry::FT_FRAMENUM, registry::BASE_NONE),
        FieldKind::RelativeTime => (registry::FT_RELATIVE_TIME, registry::BASE_NONE),
        FieldKind::Bytes => (registry::FT_BYTES, registry::BASE_NONE),
    }
}

/// One header field per analysis field, in `ANALYSIS_FIELDS` order, then
/// `xmmep.raw`.
fn analysis_descs() -> Vec<FieldDesc> {
    ANALYSIS_FIELDS
        .iter()
        .copied()
        .chain(std::iter::once(&RAW_FIELD))
        .map(|a: &AnalysisField| {
            let (ft, base) = ftype(a.kind);
            let base = if a.unit.is_some() { base | registry::BASE_UNIT_STRING } else { base };
            let mut d = FieldDesc::new(a.label, &format!("{}.{}", PROTOCOL.filter, a.abbrev), ft, base).blurb(a.desc);
            if let Some(u) = a.unit {
                d = d.strings(FieldStrings::Units(u.singular.to_string(), u.plural.to_string()));
            }
            if let FieldKind::FrameNum(link) = a.kind {
                d = d.strings(FieldStrings::FrameNum(match link {
                    FrameLink::Request => registry::FT_FRAMENUM_REQUEST,
                    FrameLink::Response => registry::FT_FRAMENUM_RESPONSE,
                    FrameLink::Other => registry::FT_FRAMENUM_NONE,
                }));
            }
            d
        })
        .collect()
}

/// One header field per filter field, with the index of its schema field.
fn field_descs(schema: &Schema) -> Vec<(usize, FieldDesc)> {
    let msg_type = schema.generic.msg_type as usize;
    schema
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.filter_name().map(|name| (i, f, name)))
        .map(|(i, f, name)| {
            let (ft, base) = ftype(FieldKind::of(f.display));
            let base = if f.unit.is_some() { base | registry::BASE_UNIT_STRING } else { base };
            let mut d = FieldDesc::new(&f.label, name, ft, base);
            if let Some(blurb) = presentation::blurb(&f.label, &f.desc) {
                d = d.blurb(blurb);
            }
            if let Some(e) = f.vals {
                d = d.strings(FieldStrings::Values(e.values.iter().map(|v| (v.value as u32, v.name.to_string())).collect()));
            } else if i == msg_type {
                d = d.strings(FieldStrings::Values(table::MESSAGES.iter().map(|m| (m.code as u32, m.name.to_string())).collect()));
            }
            if let Some(u) = f.unit {
                d = d.strings(FieldStrings::Units(u.singular.to_string(), u.plural.to_string()));
            }
            if let Some((t, fl)) = f.bool_names {
                d = d.strings(FieldStrings::TrueFalse(t.to_string(), fl.to_string()));
            }
            (i, d)
        })
        .collect()
}

/// One expert info per report class.
fn expert_descs() -> Vec<ExpertDesc> {
    CLASSES
        .iter()
        .map(|c| {
            let group = match c.group {
                Group::Malformed => registry::PI_MALFORMED,
                Group::Protocol => registry::PI_PROTOCOL,
                Group::Security => registry::PI_SECURITY,
                Group::Sequence => registry::PI_SEQUENCE,
            };
            let severity = match c.severity {
                Severity::Note => registry::PI_NOTE,
                Severity::Warning => registry::PI_WARN,
                Severity::Error => registry::PI_ERROR,
            };
            ExpertDesc::new(&format!("{}.{}", PROTOCOL.filter, c.abbrev), group, severity, c.summary)
        })
        .collect()
}

/// Registers everything of `register_protoinfo`: the protocol, then the
/// announced conversations' and file data's (`announce`), then the taps
/// (`stats`, `record`).
pub(crate) fn register_protocol() -> State {
    let schema = Schema::standard();
    let proto = registry::register_protocol(PROTOCOL.name, PROTOCOL.short, PROTOCOL.filter);
    let descs = field_descs(schema);
    let ids = registry::register_fields(proto, &descs.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>());
    let mut fields = vec![None; schema.fields.len()];
    for ((i, _), id) in descs.iter().zip(ids) {
        fields[*i] = Some(id);
    }
    let mut analysis = registry::register_fields(proto, &analysis_descs());
    let raw_field = analysis.pop().expect("xmmep.raw is registered last");
    let mut subtrees = registry::register_subtrees(schema.fields.len() + 2);
    let message_subtree = subtrees.remove(0);
    let transfer_subtree = subtrees.remove(0);
    let experts = registry::register_expert(proto, &expert_descs());
    set_panic_expert(experts[ReportKind::InternalError.index()]);
    let prefs = registry::prefs_register_protocol(proto);
    let choices: Vec<(&str, &str, i32)> = CHARSETS.iter().zip(0..).map(|((key, c), i)| (*key, c.name(), i)).collect();
    let charset = prefs.enum_pref(CHARSET_PREF.name, CHARSET_PREF.title, CHARSET_PREF.desc, 0, &choices, false);
    let desegment = prefs.bool_pref(DESEGMENT_PREF.name, DESEGMENT_PREF.title, DESEGMENT_PREF.desc, true);
    let analyze = prefs.bool_pref(ANALYZE_PREF.name, ANALYZE_PREF.title, ANALYZE_PREF.desc, true);
    let raw = prefs.bool_pref(RAW_PREF.name, RAW_PREF.title, RAW_PREF.desc, false);
    let conv = announce::register(proto);
    let password = xmmep_core::stats::password_field(schema).and_then(|id| fields.get(id as usize).copied().flatten());
    let taps = stats::register(password);
    chat_views::register(proto, taps.messages());
    srt::register(proto, taps.messages());
    let flow = flow::register(proto);
    let records = record::register();
    State { proto, fields, message_subtree, subtrees, experts, charset, desegment, analyze, raw, raw_field, records, analysis, transfer_subtree, conv, taps, flow }
}
