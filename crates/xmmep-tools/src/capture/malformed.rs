//! The malformed set: one small capture per report class of docs/decisions.md,
//! each with that one problem (a login carries the cleartext password note
//! anyway, so only the cleartext capture has a login). Each starts with a
//! well-formed message so that a heuristic has something to recognise.

use crate::capture::msg::{msg, raw, t, Int, List, Text};
use crate::capture::net::{Client, Server, Side, Tcp, Udp};
use crate::capture::people::{World, ALICE, BOB, LINDA};
use crate::capture::ports::*;
use crate::capture::sessions::Script;
use xmmep_core::codec::Charset;
use xmmep_core::codec::EncValue;
use xmmep_core::reports::ReportKind;

/// One case: its class, what is wrong, and how it is sent.
pub struct Case {
    pub kind: ReportKind,
    pub what: &'static str,
    pub build: fn(seed: u64, name: &str) -> Script,
}

fn keepalive(user: &str) -> Vec<u8> {
    msg("MSG_KEEP_ALIVE", vec![t(user)])
}

/// A TCP connection to `port` of the presence (or register) server: a
/// keepalive each way, then `bad` from `from`, then the close.
fn over_tcp(seed: u64, name: &str, port: u16, from: Side, bad: Vec<u8>, what: &str) -> Script {
    let mut w = World::new(seed, name);
    let client = ALICE.host(&mut w.net);
    let server = if port == REGISTER_TCP { w.register } else { w.presence };
    let mut c = Tcp::connect(&mut w.net, client, server, port);
    let net = &mut w.net;
    c.send(net, Client, &keepalive(ALICE.user));
    c.send(net, Server, &keepalive(ALICE.user));
    net.wait_ms(2_000, 5_000);
    c.note(what);
    c.send(net, from, &bad);
    net.wait_ms(1_000, 3_000);
    c.close(net, Client);
    (what.to_string(), w.net.take_packets())
}

/// A TCP connection to `port` of the presence (or register) server: a
/// keepalive each way, then `msgs` in order, then the close; for a problem
/// in a request, which needs its answer not to be a problem of its own,
/// and for the analysis across messages.
fn exchange_over_tcp(seed: u64, name: &str, port: u16, what: &str, msgs: Vec<(Side, Vec<u8>)>) -> Script {
    let mut w = World::new(seed, name);
    let client = ALICE.host(&mut w.net);
    let server = if port == REGISTER_TCP { w.register } else { w.presence };
    let mut c = Tcp::connect(&mut w.net, client, server, port);
    let net = &mut w.net;
    c.send(net, Client, &keepalive(ALICE.user));
    c.send(net, Server, &keepalive(ALICE.user));
    c.note(what);
    for (side, m) in msgs {
        net.wait_ms(200, 900);
        c.send(net, side, &m);
    }
    net.wait_ms(1_000, 3_000);
    c.close(net, Client);
    (what.to_string(), w.net.take_packets())
}

fn found_part(seq: i64) -> Vec<u8> {
    msg("MSG_FIND_BUDDIES_RES", vec![Int(seq), Int(0), List(vec![])])
}

fn txt_fields<'a>(time: &'a [u8], content: &'a [u8], room: &'a [u8]) -> [&'a [u8]; 5] {
    [b"alice", b"team-xmm", time, content, room]
}

pub static CASES: &[Case] = &[
    Case {
        kind: ReportKind::BadHeader,
        what: "Header with a letter O for a zero: '  1O 200'",
        build: |seed, name| {
            let mut bad = b"  1O 200".to_vec();
            bad.extend_from_slice(b"alice");
            over_tcp(seed, name, PRESENCE_TCP, Client, bad, CASES[0].what)
        },
    },
    Case {
        kind: ReportKind::Truncated,
        what: "UDP datagram ending 2 bytes short of the BodyLength of its last message",
        build: |seed, name| {
            let mut w = World::new(seed, name);
            let (a, b) = (ALICE.host(&mut w.net), BOB.host(&mut w.net));
            let u = Udp::new(a, PEER_UDP, b, PEER_UDP);
            let net = &mut w.net;
            u.a_to_b(net, &keepalive(ALICE.user), None);
            u.b_to_a(net, &keepalive(BOB.user), None);
            net.wait_ms(2_000, 4_000);
            // A chat message, then a keepalive that lost its last two bytes
            // (what is left of the user name still meets the length rule).
            let now = net.now_secs().to_string();
            let mut d = raw(170, &[b"alice", b"bob_k", now.as_bytes(), b"see you at 7", b"0"]);
            let ka = keepalive(ALICE.user);
            d.extend_from_slice(&ka[..ka.len() - 2]);
            u.a_to_b(net, &d, Some(CASES[1].what));
            (CASES[1].what.to_string(), w.net.take_packets())
        },
    },
    Case {
        kind: ReportKind::NotANumber,
        what: "MSG_TXT_MSG with send_time '12:30:05' (not a number)",
        build: |seed, name| over_tcp(seed, name, PRESENCE_TCP, Client, raw(170, &txt_fields(b"12:30:05", b"lunch?", b"1")), CASES[2].what),
    },
    Case {
        kind: ReportKind::EmptyNumber,
        what: "MSG_SEND_FILE_REQ with an empty file_size and an empty transfer_seq (one report for both)",
        build: |seed, name| {
            let bad = raw(180, &[b"alice", b"bob_k", b"notes.txt", b"", b"", b"0"]);
            over_tcp(seed, name, PRESENCE_TCP, Client, bad, CASES[3].what)
        },
    },
    Case {
        kind: ReportKind::BadBoolean,
        what: "MSG_TXT_MSG with is_room_msg 'true' (not '0' or '1')",
        build: |seed, name| over_tcp(seed, name, PRESENCE_TCP, Client, raw(170, &txt_fields(b"1718000000", b"lunch?", b"true")), CASES[4].what),
    },
    Case {
        kind: ReportKind::OutOfRange,
        what: "MSG_GET_LOGIN_INFO_RES with server_port 70000 (over 65535)",
        build: |seed, name| {
            let mut w = World::new(seed, name);
            let a = ALICE.host(&mut w.net);
            let port = w.net.ephemeral();
            let u = Udp::new(a, port, w.router, ROUTER_UDP);
            let net = &mut w.net;
            u.a_to_b(net, &msg("MSG_GET_LOGIN_INFO_REQ", vec![t(ALICE.user)]), None);
            net.wait_us(300, 900);
            u.b_to_a(net, &raw(111, &[b"0", b"203.0.113.20", b"70000"]), Some(CASES[5].what));
            (CASES[5].what.to_string(), w.net.take_packets())
        },
    },
    Case {
        kind: ReportKind::UnknownEnum,
        what: "MSG_STATUS_CHANGED_NOTIFY with status 7 (Presence has 0-3)",
        build: |seed, name| over_tcp(seed, name, PRESENCE_TCP, Client, raw(135, &[b"alice", b"7"]), CASES[6].what),
    },
    Case {
        kind: ReportKind::LengthRule,
        what: "MSG_REGISTER_ACTIVATE_REQ with a 7-character activate_code (must be 8)",
        build: |seed, name| {
            let bad = raw(102, &[LINDA.user.as_bytes(), b"Q7K2X9P"]);
            let refused = msg("MSG_REGISTER_ACTIVATE_RES", vec![Int(13)]);
            exchange_over_tcp(seed, name, REGISTER_TCP, CASES[7].what, vec![(Client, bad), (Server, refused)])
        },
    },
    Case {
        kind: ReportKind::CountMismatch,
        what: "MSG_FIND_BUDDIES_REQ with condition_count 3 and two conditions",
        build: |seed, name| {
            let bad = raw(195, &[b"alice", b"3", b"8\x04Berlin\x032\x04an"]);
            exchange_over_tcp(seed, name, PRESENCE_TCP, CASES[8].what, vec![(Client, bad), (Server, found_part(1))])
        },
    },
    Case {
        kind: ReportKind::MissingFields,
        what: "MSG_TXT_MSG without its last field (is_room_msg)",
        build: |seed, name| {
            let bad = raw(170, &[b"alice", b"team-xmm", b"1718000000", b"lunch?"]);
            over_tcp(seed, name, PRESENCE_TCP, Client, bad, CASES[9].what)
        },
    },
    Case {
        kind: ReportKind::ExtraFields,
        what: "MSG_KEEP_ALIVE with two fields past its definition",
        build: |seed, name| over_tcp(seed, name, PRESENCE_TCP, Client, raw(200, &[b"alice", b"v2.1", b"win32"]), CASES[10].what),
    },
    Case {
        kind: ReportKind::MisplacedDelimiter,
        what: "MSG_TXT_MSG whose content holds a 0x02 delimiter",
        build: |seed, name| over_tcp(seed, name, PRESENCE_TCP, Client, raw(170, &txt_fields(b"1718000000", b"see\x02attached", b"1")), CASES[11].what),
    },
    Case {
        kind: ReportKind::Oversize,
        what: "MSG_TXT_MSG of 1700 bytes (limit 1450), spanning two TCP segments",
        build: |seed, name| {
            let mut content = Vec::new();
            while content.len() < 1650 {
                content.extend_from_slice(b"The quick brown fox jumps over the lazy dog. ");
            }
            let mut bad = raw(170, &txt_fields(b"1718000000", &content, b"1"));
            let extra = bad.len() - 1700;
            content.truncate(content.len() - extra);
            bad = raw(170, &txt_fields(b"1718000000", &content, b"1"));
            over_tcp(seed, name, PRESENCE_TCP, Client, bad, CASES[12].what)
        },
    },
    Case {
        kind: ReportKind::UnknownType,
        what: "Message type 160 (chat room management, no definition)",
        build: |seed, name| over_tcp(seed, name, PRESENCE_TCP, Client, raw(160, &[b"team-xmm", b"alice", b"create"]), CASES[13].what),
    },
    Case {
        kind: ReportKind::CleartextPassword,
        what: "MSG_LOGIN_REQ carries the password in clear text",
        build: |seed, name| {
            let mut w = World::new(seed, name);
            let a = ALICE.host(&mut w.net);
            let presence = w.presence;
            let mut c = Tcp::connect(&mut w.net, a, presence, PRESENCE_TCP);
            let net = &mut w.net;
            c.note(CASES[14].what);
            c.send(net, Client, &msg("MSG_LOGIN_REQ", vec![t(ALICE.user), t(ALICE.password), Int(0)]));
            let mut res = msg("MSG_LOGIN_RES1", vec![Int(0), ALICE.user_info(Text(Charset::Utf8), net.now_secs() - 86_400)]);
            res.extend(msg("MSG_LOGIN_RES_END", vec![]));
            c.send(net, Server, &res);
            c.close(net, Server);
            (CASES[14].what.to_string(), w.net.take_packets())
        },
    },
    Case {
        kind: ReportKind::NoRequest,
        what: "MSG_REGISTER_RES with no MSG_REGISTER_REQ before it",
        build: |seed, name| over_tcp(seed, name, REGISTER_TCP, Server, msg("MSG_REGISTER_RES", vec![Int(0)]), CASES[15].what),
    },
    Case {
        kind: ReportKind::NoResponse,
        what: "MSG_GET_BUDDY_INFO_REQ that nothing answers (found in two passes)",
        build: |seed, name| over_tcp(seed, name, PRESENCE_TCP, Client, msg("MSG_GET_BUDDY_INFO_REQ", vec![t(ALICE.user), t(BOB.user)]), CASES[16].what),
    },
    Case {
        kind: ReportKind::PartSequence,
        what: "MSG_FIND_BUDDIES_RES parts 1 and 3: part 2 is missing",
        build: |seed, name| {
            let req = msg("MSG_FIND_BUDDIES_REQ", vec![t(ALICE.user), Int(1), EncValue::Dict(vec![(Int(1), t(BOB.user))])]);
            exchange_over_tcp(seed, name, PRESENCE_TCP, CASES[17].what, vec![(Client, req), (Server, found_part(1)), (Server, found_part(3))])
        },
    },
    Case {
        kind: ReportKind::NoOriginal,
        what: "MSG_STATUS_CHANGED_NOTIFY_FWD with no MSG_STATUS_CHANGED_NOTIFY before it",
        build: |seed, name| over_tcp(seed, name, PRESENCE_TCP, Server, msg("MSG_STATUS_CHANGED_NOTIFY_FWD", vec![t(ALICE.user), t(BOB.user), Int(2)]), CASES[18].what),
    },
    Case {
        kind: ReportKind::CharsetHint,
        what: "MSG_TXT_MSG whose content is GB18030, read with the UTF-8 preference",
        build: |seed, name| {
            let content = Charset::Gb18030.encode("午饭吗?");
            over_tcp(seed, name, PRESENCE_TCP, Client, raw(170, &txt_fields(b"1718000000", &content, b"1")), CASES[19].what)
        },
    },
];
