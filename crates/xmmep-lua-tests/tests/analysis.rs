//! The analysis of lua/xmmep.lua (`core.analysis`) finds exactly what the
//! Rust tracker finds: random conversations of related messages (requests,
//! answers in parts, forwards, relays, transfers, logins, chats) go through
//! both, and every message's links, transfer, session user, chat, reports
//! and users, and every frame's Info, must be equal. Under the Lua version of this build.

use mlua::{Function, Table};
use proptest::prelude::*;
use xmmep_core::analysis::{MsgRef, Relations, Tracker};
use xmmep_core::codec::info::frame_info;
use xmmep_core::codec::{encode_message, Decoded, Decoder, EncValue, Options};
use xmmep_core::schema::Schema;
use xmmep_lua_tests::LuaCore;
use xmmep_tools::capture::msg::t;

use EncValue::{Bool, Int, List};

const USERS: [&str; 3] = ["alice", "bob_k", "carol"];

/// One message of a scenario, chosen by `kind` with small values, so that
/// links, repeats, gaps and strays all happen.
fn message(kind: u8, a: usize, b: usize, n: i64, flag: bool) -> Vec<u8> {
    let (ua, ub) = (t(USERS[a % 3]), t(USERS[b % 3]));
    let online = || EncValue::Struct(vec![t(USERS[b % 3]), t("Work"), t("B"), t(""), t(""), t("192.0.2.9"), Int(5000), Int(n % 4)]);
    match kind % 16 {
        0 => encode_message(112, &[ua, t("password1"), Int(0)]),
        1 => encode_message(113, &[Int(if flag { 0 } else { 12 }), EncValue::Struct(vec![ua])]),
        2 => encode_message(114 + (n % 5) as u32, &[Int(n % 3 + 1), Int(0), List(vec![])]),
        3 => encode_message(127, &[]),
        4 => encode_message(100 + 2 * (n % 2) as u32, &[ua, t("12345678")]),
        5 => encode_message(101 + 2 * (n % 2) as u32, &[Int(0)]),
        6 => encode_message(135, &[ua, Int(n % 4)]),
        7 => encode_message(136, &[ub, ua, Int(n % 4)]),
        8 => encode_message(130, &[ua, online()]),
        9 => encode_message(131, &[List(vec![ua]), online()]),
        10 => encode_message(180 + (n % 2) as u32, &[ua, ub, t("f.txt"), Int(100 + n), Int(n % 3), Bool(flag), t("192.0.2.1"), Int(6000)]),
        11 => encode_message(182 + (n % 2) as u32, &[ua, ub, Int(n % 3), Bool(flag), t("192.0.2.2"), Int(7000)]),
        12 => encode_message(195, &[ua, Int(1), EncValue::Dict(vec![(Int(1), ub)])]),
        13 => encode_message(196, &[Int(n % 3 + 1), Int(0), List(vec![])]),
        14 => encode_message(170, &[ua, ub, Int(0), t("hi"), Bool(flag)]),
        _ => encode_message(152 + (n % 2) as u32, &[ua, online(), Bool(flag)]),
    }
}

/// Flattens the Lua tracker's view of message `at` like [`rust_view`].
const LUA_VIEW: &str = r#"
local A = ...
local function ref(r) if not r then return "-" end return string.format("%d:%d", math.floor(r / 65536), r % 65536) end
local function link(l) if not l then return "-" end return ref(l.to) .. "/" .. string.format("%.0f", l.ns) end
return function(t, c, at, code)
  local out = {}
  local l = A.links(t, at)
  if l then
    local fw = {}
    for _, f in ipairs(l.forwards) do fw[#fw + 1] = ref(f) end
    out[#out + 1] = table.concat({ tostring(l.request == true), link(l.response_to), ref(l.response_in), ref(l.end_in), link(l.forward_of), table.concat(fw, ","), tostring(l.forward_count) }, " ")
    for _, r in ipairs(l.reports) do out[#out + 1] = r[1] .. ":" .. r[2] end
    local tr = l.transfer and A.transfer(t, l.transfer)
    if tr then
      local st = {}
      for s = 1, 4 do st[s] = ref(tr.stages[s]) end
      out[#out + 1] = table.concat(st, ",") .. " " .. tostring(tr.accepted) .. " " .. tostring(tr.file_name) .. " " .. tostring(tr.file_size)
    end
  end
  local k, txt = A.unanswered(t, at, code)
  if k then out[#out + 1] = k .. ":" .. txt end
  out[#out + 1] = "user=" .. tostring(A.session_user(t, c, at))
  return table.concat(out, "\n")
end
"#;

fn rust_view(tr: &Tracker, conv: u64, at: MsgRef, code: u16) -> String {
    let r = |m: Option<MsgRef>| m.map_or("-".to_string(), |m| format!("{}:{}", m.frame, m.index));
    let link = |l: Option<xmmep_core::analysis::Link>| l.map_or("-".to_string(), |l| format!("{}/{}", r(Some(l.to)), l.delta_ns));
    let mut out = Vec::new();
    if let Some(l) = tr.links(at) {
        let fw: Vec<String> = l.forwards.iter().map(|&f| r(Some(f))).collect();
        out.push(format!("{} {} {} {} {} {} {}", l.request, link(l.response_to), r(l.response_in), r(l.end_in), link(l.forward_of), fw.join(","), l.forward_count));
        for (k, txt) in &l.reports {
            out.push(format!("{k:?}:{txt}"));
        }
        if let Some(x) = l.transfer.and_then(|i| tr.transfer(i)) {
            let st: Vec<String> = x.stages.iter().map(|s| r(*s)).collect();
            let acc = x.accepted.map_or("nil".to_string(), |a| a.to_string());
            let name = x.file_name.as_ref().map_or("nil".to_string(), |n| String::from_utf8_lossy(n).into_owned());
            let size = x.file_size.map_or("nil".to_string(), |s| s.to_string());
            out.push(format!("{} {acc} {name} {size}", st.join(",")));
        }
    }
    if let Some((k, txt)) = tr.unanswered(at, code) {
        out.push(format!("{k:?}:{txt}"));
    }
    let user = tr.session_user(conv, at).map_or("nil".to_string(), |u| String::from_utf8_lossy(u).into_owned());
    out.push(format!("user={user}"));
    out.join("\n")
}

/// (kind, a, b, n, flag, conversation, new frame, microseconds later)
type Step = (u8, usize, usize, i64, bool, u64, bool, i64);

fn run(steps: &[Step], lua: &LuaCore) {
    let a: Table = lua.core.get("analysis").unwrap();
    let view: Function = lua.lua.load(LUA_VIEW).call(a.clone()).unwrap();
    let lt: Table = a.get::<Function>("new_tracker").unwrap().call(()).unwrap();
    let facts_fn: Function = a.get("facts").unwrap();
    let observe: Function = a.get("observe").unwrap();
    let chat: Function = a.get("chat").unwrap();
    let parties: Function = a.get("chat_parties").unwrap();
    let decode: Function = lua.core.get("decode").unwrap();
    let dec = Decoder::new(Schema::standard(), Options::default());
    let mut rt = Tracker::new();
    let (mut frame, mut index, mut secs, mut nsecs) = (1u32, 0u16, 1_700_000_000i64, 0i64);
    let mut seen = Vec::new();
    for &(kind, ua, ub, n, flag, conv, new_frame, later_us) in steps {
        if new_frame {
            frame += 1;
            index = 0;
        }
        nsecs += later_us * 1000;
        secs += nsecs / 1_000_000_000;
        nsecs %= 1_000_000_000;
        let msg = message(kind, ua, ub, n, flag);
        let mut d = Decoded::new();
        let _ = dec.decode_into(&msg, &mut d);
        let facts = Relations::standard().facts(&msg, &d);
        let at = MsgRef { frame, index };
        rt.observe(conv, at, secs * 1_000_000_000 + nsecs, &facts);
        let ld: Table = decode.call((lua.lua.create_string(&msg).unwrap(), "utf8")).unwrap();
        let lf: Table = facts_fn.call((lua.lua.create_string(&msg).unwrap(), ld)).unwrap();
        let lref = frame as i64 * 65536 + index as i64;
        observe.call::<()>((lt.clone(), conv, lref, secs, nsecs, lf.clone())).unwrap();
        // Users found: same ranges.
        let lusers: Vec<(u32, u32)> = lf
            .get::<Table>("users")
            .unwrap()
            .sequence_values::<Table>()
            .map(|p| {
                let p = p.unwrap();
                (p.get(1).unwrap(), p.get(2).unwrap())
            })
            .collect();
        assert_eq!(lusers, facts.users.to_vec(), "users of {msg:?}");
        // The chat, numbered on this first pass, and its parties.
        let want = rt.chat(conv, at, &msg, &facts, true);
        let got: Option<u32> = chat.call((lt.clone(), conv, lref, lua.lua.create_string(&msg).unwrap(), lf.clone(), true)).unwrap();
        assert_eq!(got, want, "chat of {msg:?}");
        if let Some(n) = want {
            let p = rt.chat_parties(n).unwrap();
            let lp: Table = parties.call((lt.clone(), n)).unwrap();
            let (first, second, room): (mlua::LuaString, mlua::LuaString, bool) = (lp.get("first").unwrap(), lp.get("second").unwrap(), lp.get("room").unwrap());
            assert_eq!((&first.as_bytes()[..], &second.as_bytes()[..], room), (&p.first[..], &p.second[..], p.room), "parties of chat {n}");
        }
        seen.push((conv, at, lref, facts.msg_type));
        index += 1;
    }
    for (conv, at, lref, code) in seen {
        let want = rust_view(&rt, conv, at, code);
        let got: String = view.call((lt.clone(), conv, lref, code)).unwrap();
        assert_eq!(got, want, "message {}:{}", at.frame, at.index);
    }
}

fn step() -> impl Strategy<Value = Step> {
    (0u8..16, 0usize..3, 0usize..3, 0i64..6, any::<bool>(), 1u64..4, proptest::bool::weighted(0.7), 0i64..3_000_000)
}

thread_local! {
    static CORE: LuaCore = LuaCore::from_script();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn lua_tracker_finds_what_the_rust_tracker_finds(steps in proptest::collection::vec(step(), 1..80)) {
        CORE.with(|lua| run(&steps, lua));
    }

    #[test]
    fn frame_info_is_the_same(codes in proptest::collection::vec(proptest::sample::select(vec![112u16, 113, 114, 115, 116, 117, 118, 127, 128, 196, 135]), 0..12)) {
        CORE.with(|lua| {
            let a: Table = lua.core.get("analysis").unwrap();
            let f: Function = a.get("frame_info").unwrap();
            let msgs: Vec<(u16, String)> = codes.iter().enumerate().map(|(i, &c)| (c, format!("m{i}"))).collect();
            let t = lua.lua.create_table().unwrap();
            for (i, (c, s)) in msgs.iter().enumerate() {
                t.set(i + 1, lua.lua.create_sequence_from([mlua::Value::Integer(*c as i64), mlua::Value::String(lua.lua.create_string(s).unwrap())]).unwrap()).unwrap();
            }
            let got: String = f.call(t).unwrap();
            prop_assert_eq!(got, frame_info(&msgs));
            Ok(())
        })?;
    }
}
