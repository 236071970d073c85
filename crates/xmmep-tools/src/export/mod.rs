//! `xmmep-export`: one row per XMMEP message, built from tshark's PDML as
//! the dissector showed it, typed by the message table's schema.
//!
//! A JSON Lines row holds where and when (`file`, `frame`, `time`, `src`,
//! `dst`, `transport`), the message (`msg_type`, `msg_name`), its `fields`
//! (filter names without `xmmep.` as keys; structs as objects; lists and
//! dictionaries as arrays; numbers as numbers, enumerations and named
//! booleans as their names, times as RFC 3339 UTC) and its `problems`
//! (the expert infos). A CSV row has the same header columns and one column
//! per flat filter field ([`csv_columns`]).

pub mod args;
pub mod json_line;
pub mod parquet;

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::digits::padded;
use crate::pdml::{Field, Frame, Message};
use xmmep_core::presentation::{self, FieldKind};
use xmmep_core::schema::{Display, FilterField, Node, Schema};

/// Header fields that become `msg_type` rather than a field.
const HEADER: [&str; 2] = ["xmmep.body_len", "xmmep.msg_type"];

/// One expert info of a message.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// Expert info name (`xmmep.bad_boolean`).
    pub class: String,
    pub severity: String,
    pub text: String,
    /// The filter name of the item it is on (empty: the message).
    pub field: String,
}

/// One exported message, borrowing from its frame.
#[derive(Debug, Clone, Serialize)]
pub struct Row<'a> {
    pub file: &'a str,
    pub frame: u32,
    /// Frame time, RFC 3339 UTC with microseconds.
    pub time: String,
    pub src: String,
    pub dst: String,
    pub transport: String,
    pub msg_type: Option<u32>,
    pub msg_name: String,
    pub fields: Json<'a>,
    pub problems: Vec<Problem>,
}

/// A JSON value borrowing its keys and texts from the message: a row's
/// fields are serialised straight from it, without a `serde_json::Value`
/// (a string per key and per value, a hash per key). Serialises as the
/// `Value` it converts to ([`Json::into_value`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Array(Vec<Json<'a>>),
    /// Members in order; each key once ([`insert`]).
    Object(Vec<(&'a str, Json<'a>)>),
}

impl Json<'_> {
    pub fn into_value(self) -> Value {
        match self {
            Json::Str(s) => Value::String(s.into_owned()),
            Json::Int(n) => Value::from(n),
            Json::Float(x) => Value::from(x),
            Json::Bool(b) => Value::Bool(b),
            Json::Array(a) => Value::Array(a.into_iter().map(Json::into_value).collect()),
            Json::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k.to_string(), v.into_value())).collect()),
        }
    }
}

impl Serialize for Json<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Json::Str(s) => serializer.serialize_str(s),
            Json::Int(n) => serializer.serialize_i64(*n),
            // As `Value::from(f64)`: not finite is null (serialize_f64 says so too).
            Json::Float(x) => serializer.serialize_f64(*x),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Array(a) => {
                let mut seq = serializer.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Json::Object(o) => {
                let mut map = serializer.serialize_map(Some(o.len()))?;
                for (k, v) in o {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// The rows of every XMMEP message of a frame.
pub fn rows<'a>(file: &'a str, frame: &'a Frame) -> Vec<Row<'a>> {
    rows_with(file, frame, true)
}

/// [`rows`], with their `fields` left empty unless `with_fields`: the CSV
/// and Parquet take the values from the message ([`record_values`]), and
/// the fields' object is most of a row's cost.
pub fn rows_with<'a>(file: &'a str, frame: &'a Frame, with_fields: bool) -> Vec<Row<'a>> {
    let schema = Schema::standard();
    let meta = &frame.meta;
    let at = |addr: &str, port: &str| match (addr.contains(':'), port.is_empty()) {
        (_, true) => addr.to_string(),
        (true, false) => ["[", addr, "]:", port].concat(),
        (false, false) => [addr, ":", port].concat(),
    };
    let time = epoch_to_rfc3339(&meta.time_epoch).unwrap_or_default();
    frame
        .messages
        .iter()
        .map(|m| {
            let msg_type = m.field("xmmep.msg_type").and_then(|f| f.show.parse().ok());
            Row {
                file,
                frame: frame.number,
                time: time.clone(),
                src: at(&meta.src_addr, &meta.src_port),
                dst: at(&meta.dst_addr, &meta.dst_port),
                transport: meta.transport.clone(),
                msg_type,
                msg_name: m.name().to_string(),
                fields: if with_fields { fields(schema, msg_type, m) } else { Json::Object(Vec::new()) },
                problems: m.experts.iter().map(|x| Problem { class: x.name.clone(), severity: x.severity.clone(), text: x.message.clone(), field: x.on.clone() }).collect(),
            }
        })
        .collect()
}

/// The message's fields as a JSON object (see the module doc).
pub fn fields<'a>(schema: &'a Schema, msg_type: Option<u32>, m: &'a Message) -> Json<'a> {
    let nodes = msg_type.and_then(|t| schema.message(t)).map(|c| c.nodes.as_slice()).unwrap_or(&[]);
    // At most one member per item: no growing.
    let mut out = Vec::with_capacity(m.fields.len());
    let mut index = 0;
    for (f, kids) in children(&m.fields) {
        if HEADER.contains(&f.name.as_ref()) {
            continue;
        }
        // A nameless holder (List<String>) takes its name from the message
        // definition, so that an empty list is still named.
        let named = match (f.name.is_empty(), nodes.get(index)) {
            (true, Some(Node::StringList { elem, .. })) => Some(schema.field(elem.id).key.as_str()),
            _ => None,
        };
        index += 1;
        if let Some((key, value)) = node(schema, f, kids, named) {
            insert(&mut out, key, value);
        }
    }
    Json::Object(out)
}

/// Splits `fields` (a flattened tree with depths) into its top items, each
/// with the items below it; an iterator, so that no list is made per
/// container.
fn children(fields: &[Field]) -> Children<'_> {
    Children { rest: fields }
}

#[derive(Clone)]
struct Children<'a> {
    rest: &'a [Field],
}

impl<'a> Iterator for Children<'a> {
    type Item = (&'a Field, &'a [Field]);

    fn next(&mut self) -> Option<Self::Item> {
        let (first, after) = self.rest.split_first()?;
        let end = after.iter().position(|f| f.depth <= first.depth).unwrap_or(after.len());
        let (kids, rest) = after.split_at(end);
        self.rest = rest;
        Some((first, kids))
    }
}

/// The key a filter name has inside its parent: the top-level field name
/// without `xmmep.`, a struct member's own name.
fn key_of(name: &str, top: bool) -> &str {
    if top {
        name.strip_prefix("xmmep.").unwrap_or(name)
    } else {
        name.rsplit('.').next().unwrap_or(name)
    }
}

/// Adds `key: value`; a key seen before (`extra_field`, `bad_value`)
/// becomes an array of its values.
fn insert<'a>(members: &mut Vec<(&'a str, Json<'a>)>, key: &'a str, value: Json<'a>) {
    match members.iter_mut().find(|(k, _)| *k == key) {
        None => members.push((key, value)),
        Some((_, Json::Array(a))) => a.push(value),
        Some((_, old)) => {
            let prev = std::mem::replace(old, Json::Bool(false));
            *old = Json::Array(vec![prev, value]);
        }
    }
}

fn node<'a>(schema: &'a Schema, f: &'a Field, kids: &'a [Field], named: Option<&'a str>) -> Option<(&'a str, Json<'a>)> {
    let top = f.depth == 0;
    if f.name.is_empty() {
        let items = children(kids);
        // A dictionary element: {key, value}.
        if items.clone().any(|(k, _)| k.name.ends_with(".key")) {
            let mut pair = Vec::new();
            for (k, sub) in items {
                if let Some((key, v)) = node(schema, k, sub, None) {
                    insert(&mut pair, key, v);
                }
            }
            return Some(("", Json::Object(pair)));
        }
        // A List<String> holder: its elements (strings, or structs).
        let key = named.or_else(|| items.clone().next().map(|(k, _)| k.name.as_ref()))?;
        let values = items.filter_map(|(k, sub)| node(schema, k, sub, None).map(|(_, v)| v)).collect();
        return Some((key_of(key, top), Json::Array(values)));
    }
    let key = key_of(&f.name, top);
    let field = f.def.map(|id| schema.field(id));
    match field {
        Some(def) if def.display == Display::Container => {
            let items = children(kids);
            if def.spec_type.starts_with("List") || def.spec_type.starts_with("Dictionary") {
                let values = items.filter_map(|(k, sub)| node(schema, k, sub, None).map(|(_, v)| v)).collect();
                Some((key, Json::Array(values)))
            } else {
                let mut obj = Vec::with_capacity(kids.len());
                for (k, sub) in items {
                    if let Some((kk, v)) = node(schema, k, sub, None) {
                        insert(&mut obj, kk, v);
                    }
                }
                Some((key, Json::Object(obj)))
            }
        }
        _ => Some((key, typed(field, &f.name, &f.show))),
    }
}

/// A leaf value typed by the schema: numbers as numbers, enumerations and
/// named booleans as their names (an unknown value as its number), other
/// booleans as true/false, times as RFC 3339, text as text.
pub fn scalar(schema: &Schema, name: &str, show: &str) -> Value {
    typed(schema.field_by_key(name).map(|id| schema.field(id)), name, show).into_value()
}

/// [`scalar`] of a field already looked up in the schema (`def`).
fn typed<'a>(def: Option<&FilterField>, name: &str, show: &'a str) -> Json<'a> {
    let Some(def) = def else {
        return analysis_scalar(name, show);
    };
    let text = || Json::Str(Cow::Borrowed(show));
    match def.display {
        Display::Uint(_) | Display::Int(_) => match show.parse::<i64>() {
            Ok(n) => match def.vals.and_then(|v| v.lookup(n)) {
                Some(e) => Json::Str(Cow::Borrowed(e.name)),
                None => Json::Int(n),
            },
            Err(_) => text(),
        },
        Display::Bool => match (show, def.bool_names) {
            ("1", Some((t, _))) => Json::Str(Cow::Borrowed(t)),
            ("0", Some((_, f))) => Json::Str(Cow::Borrowed(f)),
            ("1", None) => Json::Bool(true),
            ("0", None) => Json::Bool(false),
            _ => text(),
        },
        Display::Time => shown_time_to_rfc3339(show).map_or_else(text, |t| Json::Str(Cow::Owned(t))),
        _ => text(),
    }
}

/// A field of the analysis across messages (`presentation::ANALYSIS_FIELDS`):
/// frame numbers and counts as numbers, intervals as seconds, Booleans as
/// true/false, the rest as text.
fn analysis_scalar<'a>(name: &str, show: &'a str) -> Json<'a> {
    let text = || Json::Str(Cow::Borrowed(show));
    let below = name.strip_prefix("xmmep.").unwrap_or(name);
    let Some(a) = presentation::ANALYSIS_FIELDS.iter().find(|a| a.abbrev == below) else {
        return text();
    };
    match a.kind {
        FieldKind::FrameNum(_) | FieldKind::Uint32 | FieldKind::Int64 => show.parse::<i64>().map_or_else(|_| text(), Json::Int),
        // tshark shows an interval as "0.000310179" (PDML `show`): seconds.
        FieldKind::RelativeTime => show.parse::<f64>().map_or_else(|_| text(), Json::Float),
        FieldKind::Boolean => match show {
            "1" => Json::Bool(true),
            "0" => Json::Bool(false),
            _ => text(),
        },
        _ => text(),
    }
}

/// `1700000000.123456789` -> `2023-11-14T22:13:20.123456Z`.
pub fn epoch_to_rfc3339(epoch: &str) -> Option<String> {
    let (secs, frac) = epoch.split_once('.').unwrap_or((epoch, ""));
    let secs: i64 = secs.parse().ok()?;
    let micros: String = frac.chars().chain(std::iter::repeat('0')).take(6).collect();
    if !micros.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let c = xmmep_core::calendar::civil(secs)?;
    let mut out = date(i64::from(c.year), c.month.into(), c.day.into());
    for (n, sep) in [(c.hour, 'T'), (c.minute, ':'), (c.second, ':')] {
        out.push(sep);
        padded(&mut out, n.into(), 2);
    }
    out.push('.');
    out.push_str(&micros);
    out.push('Z');
    Some(out)
}

/// `YYYY-MM-DD` (`{year:04}-{month:02}-{day:02}`), without the formatting
/// machinery: it is once per frame and per time field.
fn date(year: i64, month: u64, day: u64) -> String {
    let mut out = String::with_capacity(32);
    if year < 0 {
        out.push('-');
    }
    // A negative year's sign counts in the width, as with `{:04}`.
    padded(&mut out, year.unsigned_abs(), if year < 0 { 3 } else { 4 });
    out.push('-');
    padded(&mut out, month, 2);
    out.push('-');
    padded(&mut out, day, 2);
    out
}

/// A time as Wireshark 4.0 shows an absolute UTC time (the PDML reader
/// brings later releases to that form), `May 29, 1990 12:00:00.000000000 UTC`
/// -> `1990-05-29T12:00:00Z`.
pub fn shown_time_to_rfc3339(show: &str) -> Option<String> {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let rest = show.strip_suffix(" UTC")?;
    let (month, rest) = rest.split_once(' ')?;
    let (day, rest) = rest.trim_start().split_once(", ")?;
    let (year, time) = rest.split_once(' ')?;
    let month = MONTHS.iter().position(|m| *m == month)? + 1;
    let day: u32 = day.parse().ok()?;
    let year: i64 = year.parse().ok()?;
    let hms = time.split('.').next()?;
    if hms.len() != 8 {
        return None;
    }
    let mut out = date(year, month as u64, day.into());
    out.push('T');
    out.push_str(hms);
    out.push('Z');
    Some(out)
}

/// The leading CSV columns: where and when, the message, its problems.
pub const LEADING: [&str; 11] = ["file", "frame", "time", "src", "dst", "transport", "msg_type", "msg_name", "problems", "worst", "classes"];

/// The CSV columns by name, and where each field's values go.
#[derive(Debug, Clone)]
pub struct Columns {
    names: Vec<String>,
    /// Column name -> index, for the columns after [`LEADING`].
    at: HashMap<String, usize>,
}

impl Columns {
    /// The column of the field with filter name `name`, if it has one.
    fn of_field(&self, name: &str) -> Option<usize> {
        self.at.get(column_key(name)).copied()
    }
}

impl std::ops::Deref for Columns {
    type Target = [String];
    fn deref(&self) -> &[String] {
        &self.names
    }
}

impl<'a> IntoIterator for &'a Columns {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;
    fn into_iter(self) -> Self::IntoIter {
        self.names.iter()
    }
}

/// The CSV columns: [`LEADING`], then one column per flat filter field of
/// the table (every field that holds a value, without `xmmep.`; struct
/// members as `struct.member`), then the analysis across messages.
pub fn csv_columns() -> Columns {
    let schema = Schema::standard();
    let mut cols: Vec<String> = LEADING.iter().map(|s| s.to_string()).collect();
    for f in &schema.fields {
        if matches!(f.display, Display::Container | Display::Label | Display::Ipv4) || HEADER.contains(&f.key.as_str()) {
            continue;
        }
        cols.push(column_of(&f.key));
    }
    // The analysis across messages: links, times, users, transfers.
    for a in presentation::ANALYSIS_FIELDS.iter().filter(|a| a.kind != FieldKind::None) {
        cols.push(column_of(&format!("{}.{}", presentation::PROTOCOL.filter, a.abbrev)));
    }
    let mut at = HashMap::new();
    for (i, c) in cols.iter().enumerate().skip(LEADING.len()) {
        at.entry(c.clone()).or_insert(i);
    }
    Columns { names: cols, at }
}

/// The column of a filter field: its name without `xmmep.`, or the whole
/// filter name when that names a leading column (`xmmep.time`, the time
/// since the request, beside `time`, the frame's), so that no two columns
/// share a name (Spark and DuckDB refuse or rename duplicates).
pub fn column_of(filter: &str) -> String {
    column_key(filter).to_string()
}

fn column_key(filter: &str) -> &str {
    let key = key_of(filter, true);
    if LEADING.contains(&key) {
        filter
    } else {
        key
    }
}

/// The CSV record of a message, in [`csv_columns`] order. A field seen once
/// is its value; seen several times (list elements, struct members of a
/// list), a JSON array of its values, so that no value is ambiguous. A
/// `ByteRecord`, which the CSV writer copies out in one pass (most columns
/// are empty).
pub fn csv_record(row: &Row, m: &Message, columns: &Columns) -> csv::ByteRecord {
    let values = record_values(row, m, columns);
    let mut rec = csv::ByteRecord::with_capacity(1024, values.len());
    let mut json = Vec::new();
    for v in &values {
        match v.as_slice() {
            [] => rec.push_field(b""),
            [Value::String(s)] => rec.push_field(s.as_bytes()),
            // A number or Boolean as JSON writes it; several values as a JSON array.
            vals => {
                json.clear();
                let written = if let [one] = vals { serde_json::to_writer(&mut json, one) } else { serde_json::to_writer(&mut json, vals) };
                written.expect("writing to a Vec");
                rec.push_field(&json);
            }
        }
    }
    rec
}

/// The values of a message per column, in [`csv_columns`] order: none, one,
/// or (a field seen several times) several. The CSV record and the Parquet
/// row are both made from these.
pub fn record_values(row: &Row, m: &Message, columns: &Columns) -> Vec<Vec<Value>> {
    let schema = Schema::standard();
    let worst = row.problems.iter().map(|p| crate::check::report::rank(&p.severity)).max();
    let text = |s: &str| vec![Value::from(s)];
    let mut rec = vec![
        text(row.file),
        vec![Value::from(row.frame)],
        if row.time.is_empty() { Vec::new() } else { text(&row.time) },
        text(&row.src),
        text(&row.dst),
        text(&row.transport),
        row.msg_type.map(Value::from).into_iter().collect(),
        text(&row.msg_name),
        vec![Value::from(row.problems.len())],
        worst.map(|w| Value::from(crate::check::report::SEVERITIES[w])).into_iter().collect(),
        text(&row.problems.iter().map(|p| p.class.as_str()).collect::<Vec<_>>().join(" ")),
    ];
    debug_assert_eq!(rec.len(), LEADING.len());
    rec.resize(columns.len(), Vec::new());
    for f in &m.fields {
        if let Some(at) = columns.of_field(&f.name) {
            rec[at].push(typed(f.def.map(|id| schema.field(id)), &f.name, &f.show).into_value());
        }
    }
    rec
}

/// A value as text: a string as itself, anything else as JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(epoch_to_rfc3339("1700000000.123456789").as_deref(), Some("2023-11-14T22:13:20.123456Z"));
        assert_eq!(epoch_to_rfc3339("0").as_deref(), Some("1970-01-01T00:00:00.000000Z"));
        assert_eq!(epoch_to_rfc3339("951782400.5").as_deref(), Some("2000-02-29T00:00:00.500000Z"));
        assert_eq!(epoch_to_rfc3339("x"), None);
        assert_eq!(shown_time_to_rfc3339("May 29, 1990 12:00:00.000000000 UTC").as_deref(), Some("1990-05-29T12:00:00Z"));
        assert_eq!(shown_time_to_rfc3339("Jan  1, 1970 00:00:00.000000000 UTC").as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(shown_time_to_rfc3339("soon"), None);
        assert_eq!(shown_time_to_rfc3339("Mar  5, -44 12:00:00.000000000 UTC").as_deref(), Some("-044-03-05T12:00:00Z"));
        assert_eq!(shown_time_to_rfc3339("Mar  5, 12345 12:00:00.000000000 UTC").as_deref(), Some("12345-03-05T12:00:00Z"));
        assert_eq!(shown_time_to_rfc3339("Mar  5, 7 12:00:00.000000000 UTC").as_deref(), Some("0007-03-05T12:00:00Z"));
    }

    #[test]
    fn dates_as_format_writes_them() {
        for year in [i64::MIN, -10_000, -44, -1, 0, 7, 999, 1990, 12_345] {
            for (month, day) in [(1, 1), (12, 31), (3, 100)] {
                assert_eq!(date(year, month, day), format!("{year:04}-{month:02}-{day:02}"));
            }
        }
    }

    #[test]
    fn columns_are_unique() {
        let cols = csv_columns();
        let unique: std::collections::BTreeSet<&String> = cols.iter().collect();
        assert_eq!(unique.len(), cols.len(), "{cols:?}");
        assert!(cols.iter().any(|c| c == "xmmep.time"), "the time since the request");
    }

    #[test]
    fn typed_scalars() {
        let s = Schema::standard();
        assert_eq!(scalar(s, "xmmep.login_status", "0"), Value::from("STATUS_AVAILABLE"));
        assert_eq!(scalar(s, "xmmep.login_status", "9"), Value::from(9));
        assert_eq!(scalar(s, "xmmep.server_port", "6620"), Value::from(6620));
        assert_eq!(scalar(s, "xmmep.is_room_msg", "1"), Value::Bool(true));
        assert_eq!(scalar(s, "xmmep.gender", "0"), Value::from("Female"));
        assert_eq!(scalar(s, "xmmep.user_name", "0"), Value::from("0"));
    }
}
