//! The chat lines of lua/xmmep.lua (`core.analysis.event` and `line`, the
//! script's chats window) are those of `xmmep_core::transcript`, which
//! the plugin's Follow > XMMEP Stream prints: random texts, offers and
//! answers through both, at random times and sizes. Under the Lua
//! version of this build.

use mlua::{Function, Table};
use proptest::prelude::*;
use xmmep_core::codec::{encode_message, Charset, Decoder, EncValue, Options};
use xmmep_core::schema::Schema;
use xmmep_core::transcript;
use xmmep_lua_tests::LuaCore;

use EncValue::{Bool, Int, Text};

/// The Lua line of message `msg` at `secs`, or nil: texts cut from the
/// message's bytes as they are (UTF-8).
const LUA_LINE: &str = r#"
local A, dec, msg, offered, secs = ...
local ev = A.event(dec, function(o, l) return msg:sub(o + 1, o + l) end, offered)
return ev and A.line(ev, secs)
"#;

fn name() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z][a-z0-9_.-]{0,11}", Just("王小明".to_string()), Just("release-team".to_string())]
}

fn body() -> impl Strategy<Value = String> {
    prop_oneof!["[ -~]{1,30}", Just("Carol said 你好 🍜".to_string())]
}

/// One chat message of each kind the transcript knows (170, 180-183).
fn message() -> impl Strategy<Value = Vec<u8>> {
    let t = |s: &str| Text(s.as_bytes().to_vec());
    let time = prop_oneof![0i64..=4_102_444_800, Just(951_782_400), Just(1_732_980_242)];
    let size = prop_oneof![0i64..=2_000, Just(1), 0i64..=1_000_000_000_000];
    (0u8..5, name(), name(), body(), time, size, any::<bool>(), 0i64..10).prop_map(move |(k, a, b, text, time, size, flag, id)| match k {
        0 => encode_message(170, &[t(&a), t(&b), Int(time), t(&text), Bool(flag)]),
        1 | 2 => encode_message(179 + u32::from(k), &[t(&a), t(&b), t(&text), Int(size), Int(id), Bool(flag), t("192.0.2.1"), Int(6000)]),
        _ => encode_message(179 + u32::from(k), &[t(&a), t(&b), Int(id), Bool(flag), t("192.0.2.2"), Int(7000)]),
    })
}

thread_local! {
    // Loaded once: the script is large.
    static LUA: LuaCore = LuaCore::from_script();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn lua_lines_are_the_plugins(msg in message(), secs in 0i64..=4_102_444_800, offered in proptest::option::of(body())) {
        let schema = Schema::standard();
        let d = Decoder::new(schema, Options::default()).decode(&msg);
        let rust = transcript::event(schema, Charset::Utf8, &msg, &d, offered.as_deref()).map(|e| e.line(secs));
        let got: Option<String> = LUA.with(|lua| {
            let analysis: Table = lua.core.get("analysis").unwrap();
            let f: Function = lua.lua.load(LUA_LINE).set_name("@line").into_function().unwrap();
            let dec = lua.decode_table(&msg, Charset::Utf8);
            f.call((analysis, dec, lua.lua.create_string(&msg).unwrap(), offered.clone(), secs)).unwrap()
        });
        prop_assert!(rust.is_some(), "no Rust event");
        prop_assert_eq!(got, rust);
    }
}
