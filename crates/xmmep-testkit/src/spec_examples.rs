//! The four encoding examples of section 3.3.1 of the specification: their
//! ad-hoc message definitions (types 138, 182, 125, 220 are illustrations
//! with their own layouts, not entries of the protocol table) and their
//! bytes. Used by the core's spec_examples test and by the Lua tests.

use xmmep_core::table::{Field, FieldType, MessageDef, Prim, Role, StructDef, Tail};

/// A plain field named `name` everywhere (abbrev, label, description).
pub const fn f(name: &'static str, ty: FieldType) -> Field {
    Field { spec_name: name, abbrev: name, ty, label: name, desc: name, role: Role::Plain, chars: None, info: None, bool_names: None, unit: None }
}

static FLAG: Field = f("flag", FieldType::Prim(Prim::Boolean));
static AGE: Field = f("age", FieldType::Prim(Prim::Integer));
static GREETING: Field = f("greeting", FieldType::Prim(Prim::String));
static NAME: Field = f("name", FieldType::Prim(Prim::String));
static EX_USER_NAME: Field = f("user_name", FieldType::Prim(Prim::String));
static EX_EMAIL: Field = f("email", FieldType::Prim(Prim::String));
static EX_AGE: Field = f("age", FieldType::Prim(Prim::Integer));
static EX_USER: StructDef = StructDef { name: "ExampleUserInfo", abbrev: "example_user_info", label: "Example user info", desc: "", members: &[&EX_USER_NAME, &EX_EMAIL, &EX_AGE] };
static USER: Field = f("user_info", FieldType::Struct(&EX_USER));
static NAMES: Field = f("names", FieldType::ListOfString { alt: None });
static KEY: Field = f("ages.key", FieldType::Prim(Prim::String));
static VALUE: Field = f("ages.value", FieldType::Prim(Prim::Integer));
static AGES: Field = f("ages", FieldType::Dictionary { key: &KEY, value: &VALUE });

static FIELDS_125: [&Field; 2] = [&FLAG, &NAMES];
static FIELDS_138: [&Field; 3] = [&FLAG, &AGE, &GREETING];
static FIELDS_182: [&Field; 2] = [&NAME, &USER];
static FIELDS_220: [&Field; 2] = [&FLAG, &AGES];

/// An example message of section 3.3.1 with these fields.
pub const fn m(code: u16, fields: &'static [&'static Field]) -> MessageDef {
    MessageDef { code, name: "EXAMPLE", section: "3.3.1", directions: &[], desc: "", fields, tail: Tail::Required }
}

/// The definitions as a value, to build a larger ad-hoc schema from
/// (`MessageDef` is not `Copy`).
pub const DEFS: [MessageDef; 4] = [m(125, &FIELDS_125), m(138, &FIELDS_138), m(182, &FIELDS_182), m(220, &FIELDS_220)];

/// The definitions, for `Schema::new`.
pub static EXAMPLES: [MessageDef; 4] = DEFS;

/// Simple fields: flag=true, age=18, greeting="hello".
pub const EX_138: &[u8] = b"  10 1381\x0118\x01hello";
/// A struct field: name="tiger", user_info={puma, abc@xy.cn, 21}.
pub const EX_182: &[u8] = b"  23 182tiger\x01puma\x02abc@xy.cn\x0221";
/// A list field: flag=true, names=[tiger, puma].
pub const EX_125: &[u8] = b"  12 1251\x01tiger\x03puma";
/// A dictionary field: flag=true, ages={Wang: 20, Lee: 21}.
pub const EX_220: &[u8] = b"  16 2201\x01Wang\x0420\x03Lee\x0421";

/// The four examples' bytes.
pub const ENCODED: [&[u8]; 4] = [EX_138, EX_182, EX_125, EX_220];
