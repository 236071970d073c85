//! The Lua core of lua/xmmep.lua decodes exactly as the Rust decoder:
//! same items (field, depth, offset, length, value), same reports (class,
//! place, item, text) in the same order, same Info text; under the Lua
//! version this build was made with (see Cargo.toml's features).

use std::cell::OnceCell;

use proptest::prelude::*;
use xmmep_core::codec::{encode_checked, encode_raw, EncValue};
use xmmep_core::schema::Schema;
use xmmep_core::table::{self, Field, FieldType, MessageDef, Prim, Role};
use xmmep_lua_tests::{assert_same, lua_version, Charset, LuaCore};
use xmmep_testkit::spec_examples::{self as spec, f};
use xmmep_testkit::{mutate, values};

thread_local! {
    static CORE: OnceCell<LuaCore> = const { OnceCell::new() };
}

/// Runs `f` with this thread's core of the committed script.
fn with_core<R>(f: impl FnOnce(&LuaCore) -> R) -> R {
    CORE.with(|c| f(c.get_or_init(LuaCore::from_script)))
}

fn same(msg: &[u8]) {
    with_core(|lua| {
        for cs in [Charset::Utf8, Charset::Gb18030] {
            assert_same(lua, Schema::standard(), msg, cs);
        }
    });
}

#[test]
fn runs_on_the_lua_version_of_the_build() {
    let v = with_core(|l| lua_version(&l.lua));
    let want = if cfg!(feature = "lua52") { "Lua 5.2" } else { "Lua 5.4" };
    assert_eq!(v, want);
}

fn any_message() -> impl Strategy<Value = (&'static MessageDef, Vec<EncValue>)> {
    proptest::sample::select(table::MESSAGES.iter().collect::<Vec<_>>()).prop_flat_map(|def| values::message(def).prop_map(move |v| (def, v)))
}

#[test]
fn every_message_type_at_least_once() {
    // Deterministic sweep before the random ones: each type, default-ish values.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for def in table::MESSAGES {
        for _ in 0..20 {
            let vals = values::message(def).new_tree(&mut runner).unwrap().current();
            same(&encode_checked(def, &vals).unwrap());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn valid_messages((def, values) in any_message()) {
        same(&encode_checked(def, &values).unwrap());
    }

    #[test]
    fn random_bodies(code in 0u32..10000, body in proptest::collection::vec(
        prop_oneof![4 => any::<u8>(), 2 => 1u8..=4, 2 => b'0'..=b'9', 1 => Just(b'-'), 1 => Just(b'.')], 0..200)) {
        let code = if code % 3 == 0 { code } else { 95 + code % 910 };
        let mut msg = encode_raw(code, &body);
        same(&msg);
        // Also with a header that lies about the length.
        msg.truncate(msg.len() / 2);
        same(&msg);
    }

    #[test]
    fn mutated_messages((def, values) in any_message(), edits in mutate::edits(), cut in any::<prop::sample::Index>()) {
        let mut bytes = encode_checked(def, &values).unwrap();
        mutate::apply(&mut bytes, &edits);
        same(&bytes);
        let cut = cut.index(bytes.len() + 1);
        same(&bytes[..cut]);
        // Several messages in a row: the decoder looks at the first only.
        let mut two = bytes.clone();
        two.extend_from_slice(&bytes);
        same(&two);
    }

    /// The charset hint's two rules (decisions.md 58), on texts of high
    /// bytes and digits, where UTF-8 and GB18030 sequences start and break.
    #[test]
    fn charset_rules_agree_with_rust(text in prop_oneof![
        proptest::collection::vec(prop_oneof![3 => 0x80u8..=0xFF, 1 => b'0'..=b'9', 1 => any::<u8>()], 0..10),
        // Valid UTF-8 (any code point), then one byte changed.
        (proptest::collection::vec(any::<char>(), 1..4), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(cs, at, b)| {
            let mut v = cs.iter().collect::<String>().into_bytes();
            let i = at.index(v.len());
            v[i] = b;
            v
        }),
    ]) {
        with_core(|lua| {
            let s = lua.lua.create_string(&text).unwrap();
            let is_utf8: bool = lua.core.get::<mlua::Function>("is_utf8").unwrap().call(s.clone()).unwrap();
            let gb: bool = lua.core.get::<mlua::Function>("gb18030_shaped").unwrap().call(s).unwrap();
            prop_assert_eq!(is_utf8, xmmep_core::codec::Charset::is_utf8(&text), "is_utf8 {:02x?}", text);
            prop_assert_eq!(gb, xmmep_core::codec::Charset::gb18030_shaped(&text), "gb18030_shaped {:02x?}", text);
            Ok(())
        })?;
    }

    #[test]
    fn random_headers(bytes in proptest::collection::vec(
        prop_oneof![3 => b'0'..=b'9', 2 => Just(b' '), 1 => any::<u8>()], 0..40)) {
        same(&bytes);
    }

    #[test]
    fn heuristic_agrees_with_rust(parts in proptest::collection::vec(
        (any_message(), any::<bool>(), any::<prop::sample::Index>()), 1..4)) {
        let mut buf = Vec::new();
        for ((def, values), damage, at) in parts {
            let mut m = encode_checked(def, &values).unwrap();
            if damage {
                let i = at.index(m.len());
                m[i] = b"x\x01 9-"[i % 5];
            }
            buf.extend_from_slice(&m);
        }
        let dec = xmmep_core::codec::Decoder::new(Schema::standard(), Default::default());
        with_core(|lua| {
            for cut in [buf.len(), buf.len() - 1, buf.len() / 2, 8.min(buf.len()), 3.min(buf.len())] {
                let b = &buf[..cut];
                assert_eq!(lua.heuristic(b, false), xmmep_core::codec::heuristic::accept_tcp(&dec, b), "tcp {:?}", String::from_utf8_lossy(b));
                assert_eq!(lua.heuristic(b, true), xmmep_core::codec::heuristic::accept_udp(&dec, b), "udp {:?}", String::from_utf8_lossy(b));
            }
        });
    }
}

#[test]
fn hand_picked_edge_cases() {
    let cases: &[&[u8]] = &[
        b"",
        b"  1",
        b"   0 127",
        b"0000 127",
        b"   0   5",
        b"   09999",
        b"  12 999abc\x01d\x02e\x03f",
        b"     127",
        b" 3 2 126",
        b"  +2 126",
        b"GET / HTTP/1.1\r\n",
        b"\xff\x00\x01\x02\x03\x04\x05\x06",
        b"   5 112alice",
        b"  20 112ab\x01secret\x0112\x01extra\x01more",
        b"  10 112\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01",
        b"   2 111 1",
        b"   1 111",
        b"   2 111-0",
        b"  10 111007\x011.2.3.4",
        b"  23 111000\x01001.002.003.255\x0165535",
        b"  25 111000\x01256.1.1.1\x0165536\x01x",
        b"  12 196 1\x01 2\x01\x03\x03",
        b"  30 195bob\x012\x011\x04alice\x038\x04here\x039",
        b"  20 195bob\x01-0\x01\x04\x03\x03\x04\x04",
        b"  19 170a\x01b\x0199999999999\x01c\x011",
        b"  40 170a\x01b\x01-99999999999999999999999\x01c\x01 ",
        b"  30 117 1\x01 2\x01room\x02me\x02hi\x03plain\x02\x02\x02x",
        b"9999 200xyz",
    ];
    for c in cases {
        same(c);
    }
    // Over the size limit, and GB18030 / UTF-8 length rules.
    let mut big = format!("{:>4}{:>4}", 1500, 200).into_bytes();
    big.extend(std::iter::repeat_n(b'a', 1500));
    same(&big);
    for name in ["张三", "张三丰", "ab\u{80}\u{81}", "\u{10000}\u{10001}\u{10002}x"] {
        let gb = Charset::Gb18030.encode(name);
        for bytes in [name.as_bytes().to_vec(), gb] {
            let mut m = format!("{:>4}{:>4}", bytes.len(), 200).into_bytes();
            m.extend_from_slice(&bytes);
            same(&m);
            let mut m = format!("{:>4}{:>4}", bytes.len() + 10, 102).into_bytes();
            m.extend_from_slice(&bytes);
            m.extend_from_slice(b"\x01abcd\xb5\x301234");
            same(&m[..m.len().min(8 + bytes.len() + 10)]);
        }
    }
}

// ------------------------------------------------------------ ad-hoc schemas

// The specification's examples of section 3.3.1 (tests/spec_examples.rs)
// come from xmmep_testkit::spec_examples.

// Every primitive, Long included (no message of the table has one), with
// tags so the Info text shows them.
static P_BYTE: Field = Field { info: Some("b"), ..f("p_byte", FieldType::Prim(Prim::Byte)) };
static P_CHAR: Field = Field { info: Some("c"), ..f("p_char", FieldType::Prim(Prim::Character)) };
static P_SHORT: Field = Field { info: Some("s"), ..f("p_short", FieldType::Prim(Prim::Short)) };
static P_INT: Field = Field { info: Some("i"), ..f("p_int", FieldType::Prim(Prim::Integer)) };
static P_LONG: Field = Field { info: Some("l"), ..f("p_long", FieldType::Prim(Prim::Long)) };
static P_BOOL: Field = Field { info: Some("o"), bool_names: Some(("Yes", "No")), ..f("p_bool", FieldType::Prim(Prim::Boolean)) };
static P_PORT: Field = Field { role: Role::Port, info: Some("p"), ..f("p_port", FieldType::Prim(Prim::Short)) };
static P_TIME: Field = Field { role: Role::Time, info: Some("t"), ..f("p_time", FieldType::Prim(Prim::Long)) };
static P_ENUM: Field = Field { info: Some("e"), ..f("p_enum", FieldType::Enum(&table::RESULT_CODE)) };

static EXAMPLES: [MessageDef; 5] = {
    let [a, b, c, d] = spec::DEFS;
    [a, b, c, d, spec::m(300, &[&P_BYTE, &P_CHAR, &P_SHORT, &P_INT, &P_LONG, &P_BOOL, &P_PORT, &P_TIME, &P_ENUM])]
};

#[test]
fn spec_examples() {
    let schema = Schema::new(&EXAMPLES);
    let lua = LuaCore::from_schema(&schema);
    for ex in spec::ENCODED {
        assert_same(&lua, &schema, ex, Charset::Utf8);
        // Through the committed script too (138, 125 and 220 are undefined
        // there, 182 is MSG_SEND_FILE_RES).
        same(ex);
    }
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|v| v.to_string()),
        any::<i8>().prop_map(|v| v.to_string()),
        any::<i16>().prop_map(|v| v.to_string()),
        any::<i32>().prop_map(|v| v.to_string()),
        (0u32..70000).prop_map(|v| v.to_string()),
        Just("9223372036854775807".to_string()),
        Just("9223372036854775808".to_string()),
        Just("-9223372036854775808".to_string()),
        Just("-9223372036854775809".to_string()),
        Just("00000000000000000000009223372036854775807".to_string()),
        Just("18446744073709551616".to_string()),
        Just("-0".to_string()),
        Just("-".to_string()),
        Just(String::new()),
        "[0-9]{1,25}",
        "-[0-9]{1,25}",
        "[-0-9a ]{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn every_primitive_and_64_bit_values(vals in proptest::collection::vec(number_text(), 9)) {
        let schema = Schema::new(&EXAMPLES);
        thread_local! { static ADHOC: OnceCell<LuaCore> = const { OnceCell::new() }; }
        let body = vals.join("\x01");
        let msg = encode_raw(300, body.as_bytes());
        ADHOC.with(|c| assert_same(c.get_or_init(|| LuaCore::from_schema(&schema)), &schema, &msg, Charset::Utf8));
    }
}
