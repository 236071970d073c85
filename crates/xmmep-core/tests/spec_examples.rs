//! The four encoding examples of section 3.3.1 of the specification, byte
//! for byte, encoded and decoded back. Their message types (138, 182, 125,
//! 220) are illustrations with their own layouts, so they get an ad-hoc
//! schema here rather than entries in the protocol table.

use xmmep_core::codec::{encode_checked, values_of, Decoder, EncValue, Options, Value};
use xmmep_core::schema::Schema;
use xmmep_testkit::spec_examples::{EXAMPLES, EX_125, EX_138, EX_182, EX_220};
use xmmep_tools::capture::msg::t;

fn check(code: u16, values: Vec<EncValue>, expected: &[u8], body_len: u64) {
    let schema = Schema::new(&EXAMPLES);
    let def = EXAMPLES.iter().find(|d| d.code == code).unwrap();
    let bytes = encode_checked(def, &values).unwrap();
    assert_eq!(bytes, expected, "encoding of example {code}");
    let d = Decoder::new(&schema, Options::default()).decode(&bytes);
    assert!(d.reports.is_empty(), "example {code}: {:?}", d.reports);
    assert_eq!(d.items[0].value, Value::Uint(body_len));
    assert_eq!(d.items[1].value, Value::Uint(code as u64));
    assert_eq!(values_of(&schema, &d, &bytes), values, "decoding of example {code}");
}

#[test]
fn simple_fields_138() {
    check(138, vec![EncValue::Bool(true), EncValue::Int(18), t("hello")], EX_138, 10);
}

#[test]
fn struct_field_182() {
    let user = EncValue::Struct(vec![t("puma"), t("abc@xy.cn"), EncValue::Int(21)]);
    check(182, vec![t("tiger"), user], EX_182, 23);
}

#[test]
fn list_field_125() {
    check(125, vec![EncValue::Bool(true), EncValue::List(vec![t("tiger"), t("puma")])], EX_125, 12);
}

#[test]
fn dictionary_field_220() {
    let ages = EncValue::Dict(vec![(t("Wang"), EncValue::Int(20)), (t("Lee"), EncValue::Int(21))]);
    check(220, vec![EncValue::Bool(true), ages], EX_220, 16);
}

#[test]
fn header_example_of_3_2_2() {
    // Body length 32, type 126: "  32 126".
    let mut v = Vec::new();
    xmmep_core::codec::header::write_header(&mut v, 32, 126);
    assert_eq!(&v, b"  32 126");
}
