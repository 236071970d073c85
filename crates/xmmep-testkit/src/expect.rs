//! What tshark with the plugin must show for one message, derived from the
//! Rust codec's decode of the same bytes (docs/presentation.md): the oracle
//! of the field-by-field integration tests.

use xmmep_core::codec::{Charset, Decoded, Decoder, Options, Value};
use xmmep_core::schema::{Display, Schema};
use xmmep_tools::pdml::{Expert, Field};

/// How tshark shows strings and times, as the tools rebuild them.
pub use xmmep_tools::records::{abs_time, shown_text};

pub struct Expected {
    pub fields: Vec<Field>,
    pub experts: Vec<Expert>,
    pub decoded: Decoded,
}

/// The fields and expert infos of the message in `msg`, which tshark shows
/// at `base` in its tvb.
pub fn expected(msg: &[u8], base: u32, charset: Charset) -> Expected {
    let schema = Schema::standard();
    let d = Decoder::new(schema, Options { charset }).decode(msg);
    let mut fields = Vec::new();
    for it in &d.items {
        let f = schema.field(it.id);
        let bytes = &msg[it.offset as usize..(it.offset + it.len) as usize];
        let (name, show) = match (it.value, f.display) {
            (Value::Invalid, _) => (schema.field(schema.generic.bad_value).key.clone(), shown_text(&charset.decode(bytes))),
            (Value::Count(n), Display::Label) => (String::new(), format!("{}: {n} element{}", f.label, if n == 1 { "" } else { "s" })),
            (Value::Index(n), Display::Label) => (String::new(), format!("{} {n}", f.label)),
            (Value::Text, _) => (f.key.clone(), shown_text(&charset.decode(bytes))),
            (Value::Uint(v), _) => (f.key.clone(), v.to_string()),
            (Value::Int(v), _) => (f.key.clone(), v.to_string()),
            (Value::Bool(b), _) => (f.key.clone(), if b { "1" } else { "0" }.to_string()),
            (Value::Time(t), _) => (f.key.clone(), abs_time(t)),
            (Value::Ipv4(a), _) => (f.key.clone(), format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3])),
            (Value::Struct | Value::Count(_) | Value::Index(_), _) => (f.key.clone(), String::new()),
        };
        let def = schema.field_by_key(&name);
        fields.push(Field { name: name.into(), def, depth: it.depth, pos: base + it.offset, size: it.len, show, showname: String::new() });
    }
    let experts = d
        .reports
        .iter()
        .map(|r| {
            let c = r.kind.class();
            let on = r.item.map(|i| fields[i as usize].name.to_string()).unwrap_or_default();
            Expert { name: format!("xmmep.{}", c.abbrev), message: r.text.clone(), severity: c.severity.name().to_string(), group: c.group.name().to_string(), on }
        })
        .collect();
    Expected { fields, experts, decoded: d }
}

/// Whether a field or expert info comes from the analysis across messages
/// (or the announced conversations), which one message's decode cannot
/// predict: tests of their own check those.
pub fn is_across_messages(name: &str) -> bool {
    let below = name.strip_prefix("xmmep.").unwrap_or("");
    xmmep_core::presentation::ANALYSIS_FIELDS.iter().any(|a| a.abbrev == below)
        || xmmep_core::conversations::is_plugin_only(name)
        || xmmep_core::reports::CLASSES.iter().any(|c| c.group == xmmep_core::reports::Group::Sequence && c.abbrev == below)
}

/// Compares what tshark showed with the expectation, ignoring shownames
/// and what the analysis across messages adds.
pub fn assert_message(shown: &xmmep_tools::pdml::Message, exp: &Expected, what: &str) {
    let strip = |f: &Field| Field { showname: String::new(), ..f.clone() };
    let got: Vec<Field> = shown.fields.iter().filter(|f| !is_across_messages(&f.name)).map(strip).collect();
    assert_eq!(got.len(), exp.fields.len(), "{what}: field count\n got: {got:#?}\nwant: {:#?}", exp.fields);
    for (g, w) in got.iter().zip(&exp.fields) {
        assert_eq!(g, w, "{what}");
    }
    let mut got_x: Vec<_> = shown.experts.iter().filter(|x| !is_across_messages(&x.name)).cloned().collect();
    let mut want_x = exp.experts.clone();
    got_x.sort_by(|a, b| a.message.cmp(&b.message));
    want_x.sort_by(|a, b| a.message.cmp(&b.message));
    assert_eq!(got_x, want_x, "{what}: expert infos");
}
