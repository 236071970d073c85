//! `xmmep-export --format parquet`: the CSV's columns ([`super::csv_columns`]),
//! each typed from the message table, written in row groups of
//! [`ROW_GROUP`] rows so that memory stays bounded (docs/decisions.md 70).
//!
//! A column's type follows what [`super::scalar`] makes of its field:
//! integers as Int64, Booleans as Boolean, times as Timestamp(µs, UTC),
//! intervals (seconds) as Float64, enumerations, named Booleans and text as
//! Utf8. A field that a message may hold several times (list and dictionary
//! elements, `extra_field`, the analysis' `user`, ...) is a list of text,
//! also when a message holds it once.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema as ArrowSchema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde_json::Value;
use xmmep_core::presentation::{self, FieldKind};
use xmmep_core::schema::{Display, FieldId, Node, Schema};

/// Rows per row group: the rows held in memory before they are written.
pub const ROW_GROUP: usize = 65_536;

/// The type of a Parquet column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    Bool,
    Time,
    Text,
    TextList,
}

impl Kind {
    pub fn data_type(self) -> DataType {
        match self {
            Kind::Int => DataType::Int64,
            Kind::Float => DataType::Float64,
            Kind::Bool => DataType::Boolean,
            Kind::Time => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            Kind::Text => DataType::Utf8,
            Kind::TextList => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        }
    }
}

/// The type of each of `columns` (the CSV's columns, leading ones first).
pub fn kinds(columns: &[String]) -> Vec<Kind> {
    let schema = Schema::standard();
    let repeated = repeated_fields(schema);
    columns
        .iter()
        .map(|c| match c.as_str() {
            // The leading columns (`super::LEADING`, `super::record_values`).
            "frame" | "msg_type" | "problems" => Kind::Int,
            "time" => Kind::Time,
            "file" | "src" | "dst" | "transport" | "msg_name" | "worst" | "classes" => Kind::Text,
            _ => field_kind(schema, &repeated, c),
        })
        .collect()
}

/// The type of a field's column, looked up as [`super::scalar`] does: the
/// table first, then the analysis across messages.
fn field_kind(schema: &Schema, repeated: &BTreeSet<FieldId>, column: &str) -> Kind {
    let prefix = format!("{}.", presentation::PROTOCOL.filter);
    // A column is a filter name without `xmmep.`, or whole (`super::column_of`).
    let name = if column.starts_with(&prefix) { column.to_string() } else { format!("{prefix}{column}") };
    let column = &name[prefix.len()..];
    if let Some(id) = schema.field_by_key(&name) {
        let def = schema.field(id);
        return match def.display {
            _ if repeated.contains(&id) => Kind::TextList,
            Display::Uint(_) | Display::Int(_) if def.vals.is_none() => Kind::Int,
            Display::Bool if def.bool_names.is_none() => Kind::Bool,
            Display::Time => Kind::Time,
            _ => Kind::Text,
        };
    }
    match presentation::ANALYSIS_FIELDS.iter().find(|a| a.abbrev == column).map(|a| a.kind) {
        // A message may carry several users, and be forwarded several times.
        _ if column == presentation::analysis::USER.abbrev || column == presentation::analysis::FORWARDED_IN.abbrev => Kind::TextList,
        Some(FieldKind::FrameNum(_) | FieldKind::Uint32 | FieldKind::Int64) => Kind::Int,
        Some(FieldKind::RelativeTime) => Kind::Float,
        Some(FieldKind::Boolean) => Kind::Bool,
        _ => Kind::Text,
    }
}

/// The fields a message may show more than once: elements of lists and
/// dictionaries, fields used twice in one message, and the generic fields.
fn repeated_fields(schema: &Schema) -> BTreeSet<FieldId> {
    let g = schema.generic;
    let mut out: BTreeSet<FieldId> = [g.raw_field, g.extra_field, g.bad_value].into();
    for m in schema.messages() {
        let mut seen = BTreeSet::new();
        for node in &m.nodes {
            // A node lists its own field first, and again as a scalar.
            let ids: BTreeSet<FieldId> = node.shown_ids().into_iter().collect();
            match node {
                Node::Scalar(_) | Node::Struct(_) => {
                    for id in ids {
                        if !seen.insert(id) {
                            out.insert(id);
                        }
                    }
                }
                Node::StringList { .. } | Node::StructList { .. } | Node::Dict { .. } => out.extend(ids),
            }
        }
    }
    out
}

/// The Arrow schema of `columns`.
pub fn arrow_schema(columns: &[String]) -> SchemaRef {
    Arc::new(ArrowSchema::new(columns.iter().zip(kinds(columns)).map(|(c, k)| Field::new(c, k.data_type(), true)).collect::<Vec<_>>()))
}

enum Builder {
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Time(TimestampMicrosecondBuilder),
    Text(StringBuilder),
    TextList(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(kind: Kind) -> Builder {
        match kind {
            Kind::Int => Builder::Int(Int64Builder::new()),
            Kind::Float => Builder::Float(Float64Builder::new()),
            Kind::Bool => Builder::Bool(BooleanBuilder::new()),
            Kind::Time => Builder::Time(TimestampMicrosecondBuilder::new().with_timezone("UTC")),
            Kind::Text => Builder::Text(StringBuilder::new()),
            Kind::TextList => Builder::TextList(ListBuilder::new(StringBuilder::new())),
        }
    }

    /// Appends a row's values; false when they do not fit the type (then
    /// the cell is null).
    fn append(&mut self, values: &[Value]) -> bool {
        let one = match values {
            [] => None,
            [v] => Some(v),
            _ => None,
        };
        let fits = match self {
            Builder::TextList(b) => {
                if values.is_empty() {
                    b.append_null();
                } else {
                    for v in values {
                        b.values().append_value(super::plain(v));
                    }
                    b.append(true);
                }
                return true;
            }
            // Text that a message holds twice is written as the CSV writes it.
            Builder::Text(b) => {
                match values {
                    [] => b.append_null(),
                    [v] => b.append_value(super::plain(v)),
                    _ => b.append_value(Value::Array(values.to_vec()).to_string()),
                }
                return true;
            }
            Builder::Int(b) => fit(b, one.map(Value::as_i64)),
            Builder::Float(b) => fit(b, one.map(Value::as_f64)),
            Builder::Bool(b) => fit_bool(b, one.map(Value::as_bool)),
            Builder::Time(b) => fit(b, one.map(|v| v.as_str().and_then(rfc3339_micros))),
        };
        fits || values.is_empty()
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Float(b) => Arc::new(b.finish()),
            Builder::Bool(b) => Arc::new(b.finish()),
            Builder::Time(b) => Arc::new(b.finish()),
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::TextList(b) => Arc::new(b.finish()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Builder::Int(b) => b.len(),
            Builder::Float(b) => b.len(),
            Builder::Bool(b) => b.len(),
            Builder::Time(b) => b.len(),
            Builder::Text(b) => b.len(),
            Builder::TextList(b) => b.len(),
        }
    }
}

/// Appends a typed value, or null; true when the value was there.
fn fit<T: arrow_array::types::ArrowPrimitiveType>(b: &mut arrow_array::builder::PrimitiveBuilder<T>, v: Option<Option<T::Native>>) -> bool {
    let v = v.flatten();
    b.append_option(v);
    v.is_some()
}

fn fit_bool(b: &mut BooleanBuilder, v: Option<Option<bool>>) -> bool {
    let v = v.flatten();
    b.append_option(v);
    v.is_some()
}

/// `2024-11-30T15:23:18.360231Z` -> microseconds since the epoch.
pub fn rfc3339_micros(s: &str) -> Option<i64> {
    Some(chrono::DateTime::parse_from_rfc3339(s).ok()?.timestamp_micros())
}

/// Writes rows to a Parquet file in row groups of [`ROW_GROUP`] rows.
pub struct Writer<W: Write + Send> {
    out: ArrowWriter<W>,
    schema: SchemaRef,
    builders: Vec<Builder>,
    /// Values that did not fit their column's type, per column: written
    /// as null, reported by [`Writer::close`].
    misfits: BTreeMap<usize, u64>,
}

impl<W: Write + Send> Writer<W> {
    pub fn new(out: W, columns: &[String]) -> Result<Self, String> {
        let schema = arrow_schema(columns);
        let props = WriterProperties::builder().set_compression(Compression::SNAPPY).set_max_row_group_size(ROW_GROUP).build();
        let out = ArrowWriter::try_new(out, schema.clone(), Some(props)).map_err(|e| e.to_string())?;
        let builders = kinds(columns).into_iter().map(Builder::new).collect();
        Ok(Writer { out, schema, builders, misfits: BTreeMap::new() })
    }

    /// Adds one row: its values per column ([`super::record_values`]).
    pub fn push(&mut self, row: &[Vec<Value>]) -> Result<(), String> {
        for (i, (b, v)) in self.builders.iter_mut().zip(row).enumerate() {
            if !b.append(v) {
                *self.misfits.entry(i).or_default() += 1;
            }
        }
        if self.builders[0].len() >= ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), String> {
        if self.builders[0].len() == 0 {
            return Ok(());
        }
        let arrays = self.builders.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(|e| e.to_string())?;
        self.out.write(&batch).map_err(|e| e.to_string())
    }

    /// Writes the last row group and the footer; returns, per column name,
    /// how many values did not fit its type and were written as null.
    pub fn close(mut self) -> Result<Vec<(String, u64)>, String> {
        self.flush()?;
        self.out.close().map_err(|e| e.to_string())?;
        Ok(self.misfits.into_iter().map(|(i, n)| (self.schema.field(i).name().clone(), n)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_from_the_table() {
        let columns = super::super::csv_columns();
        let k: BTreeMap<&str, Kind> = columns.iter().map(String::as_str).zip(kinds(&columns)).collect();
        assert_eq!(k["frame"], Kind::Int);
        assert_eq!(k["time"], Kind::Time);
        assert_eq!(k["server_port"], Kind::Int);
        assert_eq!(k["login_status"], Kind::Text, "an enumeration is its names");
        assert_eq!(k["is_room_msg"], Kind::Bool);
        assert_eq!(k["gender"], Kind::Text, "a named Boolean is its names");
        assert_eq!(k["groups"], Kind::TextList);
        assert_eq!(k["buddy.buddy_name"], Kind::TextList);
        assert_eq!(k["extra_field"], Kind::TextList);
        assert_eq!(k["user"], Kind::TextList);
        assert_eq!(k["response_to"], Kind::Int);
        assert_eq!(k["forward_delay"], Kind::Float);
        assert_eq!(k["xmmep.time"], Kind::Float);
        assert_eq!(k["transfer.accepted"], Kind::Bool);
    }

    #[test]
    fn times() {
        assert_eq!(rfc3339_micros("1970-01-01T00:00:01.000002Z"), Some(1_000_002));
        assert_eq!(rfc3339_micros("1990-05-29T12:00:00Z"), Some(643_982_400_000_000));
        assert_eq!(rfc3339_micros("soon"), None);
    }

    /// Rows go out in row groups of ROW_GROUP rows; a value that does not
    /// fit its column is null and counted.
    #[test]
    fn row_groups_and_misfits() {
        use parquet::file::reader::{FileReader, SerializedFileReader};
        let columns = super::super::csv_columns();
        let path = std::env::temp_dir().join(format!("xmmep-row-groups-{}.parquet", std::process::id()));
        let mut w = Writer::new(std::fs::File::create(&path).unwrap(), &columns).unwrap();
        let mut row = vec![Vec::new(); columns.len()];
        for n in 0..2 * ROW_GROUP + 1 {
            row[1] = vec![Value::from(n)];
            row[2] = vec![Value::from(if n == 5 { "soon" } else { "2024-11-30T15:23:18.360231Z" })];
            w.push(&row).unwrap();
        }
        assert_eq!(w.close().unwrap(), [("time".to_string(), 1)]);
        let r = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        let sizes: Vec<i64> = r.metadata().row_groups().iter().map(|g| g.num_rows()).collect();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(sizes, [ROW_GROUP as i64, ROW_GROUP as i64, 1]);
    }
}
