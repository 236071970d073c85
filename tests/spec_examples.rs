//! The four encoding examples of section 3.3.1 of the specification, byte
//! for byte, encoded and decoded back. Their message types (138, 182, 125,
//! 220) are illustrations with their own layouts, so they get an ad-hoc
//! schema here rather than entries in the protocol table.

use xmmep::codec::{encode_checked, values_of, Decoder, EncValue, Options, Value};
use xmmep::schema::Schema;
use xmmep::table::{Field, FieldType, MessageDef, Prim, Role, StructDef, Tail};

const fn f(name: &'static str, ty: FieldType) -> Field {
    Field { spec_name: name, abbrev: name, ty, label: name, desc: name, role: Role::Plain, chars: None, info: None, bool_names: None }
}

static FLAG: Field = f("flag", FieldType::Prim(Prim::Boolean));
static AGE: Field = f("age", FieldType::Prim(Prim::Integer));
static GREETING: Field = f("greeting", FieldType::Prim(Prim::String));
static NAME: Field = f("name", FieldType::Prim(Prim::String));
static EX_USER_NAME: Field = f("user_name", FieldType::Prim(Prim::String));
static EX_EMAIL: Field = f("email", FieldType::Prim(Prim::String));
static EX_AGE: Field = f("age", FieldType::Prim(Prim::Integer));
static EX_USER: StructDef = StructDef { name: "ExampleUserInfo", abbrev: "example_user_info", desc: "", members: &[&EX_USER_NAME, &EX_EMAIL, &EX_AGE] };
static USER: Field = f("user_info", FieldType::Struct(&EX_USER));
static NAMES: Field = f("names", FieldType::ListOfString { alt: None });
static KEY: Field = f("ages.key", FieldType::Prim(Prim::String));
static VALUE: Field = f("ages.value", FieldType::Prim(Prim::Integer));
static AGES: Field = f("ages", FieldType::Dictionary { key: &KEY, value: &VALUE });

const fn m(code: u16, fields: &'static [&'static Field]) -> MessageDef {
    MessageDef { code, name: "EXAMPLE", section: "3.3.1", directions: &[], desc: "", fields, tail: Tail::Required }
}

static EXAMPLES: &[MessageDef] = &[
    m(125, &[&FLAG, &NAMES]),
    m(138, &[&FLAG, &AGE, &GREETING]),
    m(182, &[&NAME, &USER]),
    m(220, &[&FLAG, &AGES]),
];

fn t(s: &str) -> EncValue {
    EncValue::text(s)
}

fn check(code: u16, values: Vec<EncValue>, expected: &[u8], body_len: u64) {
    let schema = Schema::new(EXAMPLES);
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
    check(138, vec![EncValue::Bool(true), EncValue::Int(18), t("hello")], b"  10 1381\x0118\x01hello", 10);
}

#[test]
fn struct_field_182() {
    let user = EncValue::Struct(vec![t("puma"), t("abc@xy.cn"), EncValue::Int(21)]);
    check(182, vec![t("tiger"), user], b"  23 182tiger\x01puma\x02abc@xy.cn\x0221", 23);
}

#[test]
fn list_field_125() {
    check(125, vec![EncValue::Bool(true), EncValue::List(vec![t("tiger"), t("puma")])], b"  12 1251\x01tiger\x03puma", 12);
}

#[test]
fn dictionary_field_220() {
    let ages = EncValue::Dict(vec![(t("Wang"), EncValue::Int(20)), (t("Lee"), EncValue::Int(21))]);
    check(220, vec![EncValue::Bool(true), ages], b"  16 2201\x01Wang\x0420\x03Lee\x0421", 16);
}

#[test]
fn header_example_of_3_2_2() {
    // Body length 32, type 126: "  32 126".
    let mut v = Vec::new();
    xmmep::codec::header::write_header(&mut v, 32, 126);
    assert_eq!(&v, b"  32 126");
}
