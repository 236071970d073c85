//! The encoder: typed values to bytes (spec 3.2.2, 3.3.1). Used by tests and
//! the capture generator; the dissectors only decode.

use crate::codec::decode::{Decoded, Value};
use crate::codec::header::write_header;
use crate::schema::{Display, Schema};
use crate::table::{FieldType, MessageDef, Prim, ELEMENT_SEP, FIELD_SEP, HEADER_LEN, KEY_SEP, MAX_BODY_LEN, MEMBER_SEP};

/// A value to encode, shaped like the field it goes in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncValue {
    /// String bytes, already in the chosen character set.
    Text(Vec<u8>),
    Int(i64),
    Bool(bool),
    Struct(Vec<EncValue>),
    List(Vec<EncValue>),
    Dict(Vec<(EncValue, EncValue)>),
}

impl EncValue {
    pub fn text(s: &str) -> EncValue {
        EncValue::Text(s.as_bytes().to_vec())
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            EncValue::Text(b) => out.extend_from_slice(b),
            EncValue::Int(v) => out.extend_from_slice(v.to_string().as_bytes()),
            EncValue::Bool(b) => out.push(if *b { b'1' } else { b'0' }),
            EncValue::Struct(members) => join(out, members, MEMBER_SEP, |v, o| v.write(o)),
            EncValue::List(elems) => join(out, elems, ELEMENT_SEP, |v, o| v.write(o)),
            EncValue::Dict(pairs) => join(out, pairs, ELEMENT_SEP, |(k, v), o| {
                k.write(o);
                o.push(KEY_SEP);
                v.write(o);
            }),
        }
    }
}

fn join<T>(out: &mut Vec<u8>, items: &[T], sep: u8, mut f: impl FnMut(&T, &mut Vec<u8>)) {
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        f(it, out);
    }
}

/// The body: fields joined by SOH.
pub fn encode_body(values: &[EncValue]) -> Vec<u8> {
    let mut out = Vec::new();
    join(&mut out, values, FIELD_SEP, |v, o| v.write(o));
    out
}

/// A whole message: header (space padded) and body. The body length must be
/// at most MAX_BODY_LEN (9999) bytes; longer bodies cannot be framed at all.
pub fn encode_raw(msg_type: u32, body: &[u8]) -> Vec<u8> {
    assert!(body.len() <= MAX_BODY_LEN as usize, "body of {} bytes cannot be framed", body.len());
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    write_header(&mut out, body.len() as u32, msg_type);
    out.extend_from_slice(body);
    out
}

pub fn encode_message(msg_type: u32, values: &[EncValue]) -> Vec<u8> {
    encode_raw(msg_type, &encode_body(values))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError(pub String);

/// Encodes after checking that every value has the shape of its field, so a
/// generator cannot write a message the table does not define by mistake.
pub fn encode_checked(def: &MessageDef, values: &[EncValue]) -> Result<Vec<u8>, ShapeError> {
    if values.len() > def.fields.len() {
        return Err(ShapeError(format!("{}: {} values for {} fields", def.name, values.len(), def.fields.len())));
    }
    for (f, v) in def.fields.iter().zip(values) {
        if !fits(&f.ty, v) {
            return Err(ShapeError(format!("{}: value {v:?} does not fit {} ({})", def.name, f.abbrev, f.ty.spec_name())));
        }
    }
    Ok(encode_message(def.code as u32, values))
}

fn fits_scalar(ty: &FieldType, v: &EncValue) -> bool {
    let prim = match ty {
        FieldType::Prim(p) => *p,
        FieldType::Enum(e) => e.repr,
        _ => return false,
    };
    matches!(
        (prim, v),
        (Prim::String, EncValue::Text(_)) | (Prim::Boolean, EncValue::Bool(_)) | (Prim::Byte | Prim::Character | Prim::Short | Prim::Integer | Prim::Long, EncValue::Int(_))
    )
}

fn fits(ty: &FieldType, v: &EncValue) -> bool {
    match (ty, v) {
        (FieldType::Struct(s), EncValue::Struct(m)) => m.len() <= s.members.len() && s.members.iter().zip(m).all(|(f, v)| fits_scalar(&f.ty, v)),
        (FieldType::ListOfString { alt }, EncValue::List(es)) => es.iter().all(|e| match (e, alt) {
            (EncValue::Text(_), _) => true,
            (EncValue::Struct(_), Some(s)) => fits(&FieldType::Struct(s), e),
            _ => false,
        }),
        (FieldType::ListOfStruct(s), EncValue::List(es)) => es.iter().all(|e| fits(&FieldType::Struct(s), e)),
        (FieldType::Dictionary { key, value }, EncValue::Dict(ps)) => ps.iter().all(|(k, v)| fits_scalar(&key.ty, k) && fits_scalar(&value.ty, v)),
        _ => fits_scalar(ty, v),
    }
}

/// Rebuilds the typed values of a decoded message (the inverse of encoding),
/// for round-trip tests and tools. Invalid values come back as text.
pub fn values_of(schema: &Schema, d: &Decoded, msg: &[u8]) -> Vec<EncValue> {
    let items = &d.items;
    // Skip the two header items.
    let mut i = 2;
    let mut out = Vec::new();
    while i < items.len() {
        let (v, next) = value_at(schema, d, msg, i);
        out.push(v);
        i = next;
    }
    out
}

/// The value of item `i` and the index of the item after its subtree.
fn value_at(schema: &Schema, d: &Decoded, msg: &[u8], i: usize) -> (EncValue, usize) {
    let items = &d.items;
    let it = items[i];
    let bytes = || msg[it.offset as usize..(it.offset + it.len) as usize].to_vec();
    let mut children = Vec::new();
    let mut j = i + 1;
    while j < items.len() && items[j].depth > it.depth {
        // A generated address repeats its parent's text; it is no value.
        if schema.field(items[j].id).display == Display::Ipv4 {
            j += 1;
            continue;
        }
        let (v, next) = value_at(schema, d, msg, j);
        children.push(v);
        j = next;
    }
    let v = match it.value {
        Value::Text | Value::Invalid => EncValue::Text(bytes()),
        Value::Uint(v) => EncValue::Int(v as i64),
        Value::Int(v) | Value::Time(v) => EncValue::Int(v),
        Value::Bool(b) => EncValue::Bool(b),
        Value::Ipv4(_) => EncValue::Text(bytes()),
        Value::Struct => EncValue::Struct(children),
        Value::Index(_) => EncValue::List(children),
        Value::Count(_) => {
            if schema.field(it.id).spec_type.starts_with("Dictionary") {
                EncValue::Dict(
                    children
                        .into_iter()
                        .map(|p| match p {
                            EncValue::List(mut kv) if kv.len() == 2 => {
                                let v = kv.pop().unwrap();
                                (kv.pop().unwrap(), v)
                            }
                            EncValue::List(mut kv) => (kv.pop().unwrap_or(EncValue::Text(vec![])), EncValue::Text(vec![])),
                            other => (other, EncValue::Text(vec![])),
                        })
                        .collect(),
                )
            } else {
                EncValue::List(children)
            }
        }
    };
    (v, j)
}
