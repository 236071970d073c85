//! Proptest strategies that produce valid values for any message of the
//! table, by walking its field types (so no message is described twice).

use proptest::prelude::*;
use xmmep_core::codec::EncValue;
use xmmep_core::table::{Field, FieldType, MessageDef, Prim, Role, StructDef, Tail};

/// Text without delimiters, mixing ASCII and Chinese, `min..=max` chars.
pub fn text(min: usize, max: usize) -> BoxedStrategy<String> {
    proptest::collection::vec(
        prop_oneof![
            3 => proptest::char::range('a', 'z'),
            1 => proptest::char::range('0', '9'),
            2 => proptest::char::range('\u{4e00}', '\u{9fa5}'),
            1 => Just(' '),
            1 => proptest::char::range('\u{20}', '\u{7e}'),
        ],
        min..=max,
    )
    .prop_map(|cs| cs.into_iter().collect())
    .boxed()
}

fn scalar(f: &'static Field) -> BoxedStrategy<EncValue> {
    let (prim, vals) = match &f.ty {
        FieldType::Prim(p) => (*p, None),
        FieldType::Enum(e) => (e.repr, Some(*e)),
        FieldType::ListOfString { .. } => (Prim::String, None),
        _ => unreachable!(),
    };
    if let Some(e) = vals {
        let vs: Vec<i64> = e.values.iter().map(|v| v.value).collect();
        return proptest::sample::select(vs).prop_map(EncValue::Int).boxed();
    }
    match (prim, f.role) {
        (_, Role::Port) => (0i64..=65535).prop_map(EncValue::Int).boxed(),
        (Prim::String, Role::Ip) => any::<[u8; 4]>().prop_map(|a| EncValue::text(&format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]))).boxed(),
        (Prim::String, _) => {
            let (min, max) = f.chars.map(|(a, b)| (a as usize, b as usize)).unwrap_or((0, 20));
            text(min, max).prop_map(|s| EncValue::text(&s)).boxed()
        }
        (Prim::Boolean, _) => any::<bool>().prop_map(EncValue::Bool).boxed(),
        (Prim::Byte, _) => (0i64..=255).prop_map(EncValue::Int).boxed(),
        (Prim::Character, _) => (-128i64..=127).prop_map(EncValue::Int).boxed(),
        (Prim::Short, _) => (-32768i64..=32767).prop_map(EncValue::Int).boxed(),
        (Prim::Integer, _) => any::<i32>().prop_map(|v| EncValue::Int(v as i64)).boxed(),
        (Prim::Long, _) => any::<i64>().prop_map(EncValue::Int).boxed(),
    }
}

fn structure(s: &'static StructDef) -> BoxedStrategy<EncValue> {
    s.members.iter().map(|m| scalar(m)).collect::<Vec<_>>().prop_map(EncValue::Struct).boxed()
}

/// A non-empty element, so that a one-element list does not encode as an
/// empty field (which decodes, by docs/decisions.md 10, as zero elements).
fn element(f: &'static Field) -> BoxedStrategy<EncValue> {
    text(1, 12).prop_map(|s| EncValue::text(&s)).prop_filter("not empty", move |_| f.chars.is_none()).boxed()
}

pub fn field(f: &'static Field) -> BoxedStrategy<EncValue> {
    match &f.ty {
        FieldType::Prim(_) | FieldType::Enum(_) => scalar(f),
        FieldType::Struct(s) => structure(s),
        FieldType::ListOfString { alt: None } => proptest::collection::vec(element(f), 0..5).prop_map(EncValue::List).boxed(),
        FieldType::ListOfString { alt: Some(s) } => proptest::collection::vec(prop_oneof![element(f), structure(s)], 0..5).prop_map(EncValue::List).boxed(),
        FieldType::ListOfStruct(s) => proptest::collection::vec(structure(s), 0..4).prop_map(EncValue::List).boxed(),
        FieldType::Dictionary { key, value } => proptest::collection::vec((scalar(key), scalar(value)), 0..4).prop_map(EncValue::Dict).boxed(),
    }
}

fn elements(v: &EncValue) -> i64 {
    match v {
        EncValue::List(es) => es.len() as i64,
        EncValue::Dict(ps) => ps.len() as i64,
        _ => 0,
    }
}

/// Valid values for every field of `def`; count fields agree with their
/// lists, and MSG_GET_LOGIN_INFO_RES leaves out its tail on failure.
pub fn message(def: &'static MessageDef) -> BoxedStrategy<Vec<EncValue>> {
    let fields: Vec<_> = def.fields.iter().map(|f| field(f)).collect();
    fields
        .prop_map(move |mut vs| {
            for (i, f) in def.fields.iter().enumerate() {
                if let Role::Count { of } = f.role {
                    let t = def.fields.iter().position(|t| t.abbrev == of).unwrap();
                    vs[i] = EncValue::Int(elements(&vs[t]));
                }
            }
            if let Tail::OnlyOnSuccess { from } = def.tail {
                if vs[0] != EncValue::Int(0) {
                    vs.truncate(from);
                }
            }
            vs
        })
        .boxed()
}
