//! The binary plugin in the real tshark, on capture files built here with
//! the crate's own capture builder: every message type field by field
//! against the codec, TCP reassembly, several messages per segment and per
//! datagram, every report class, Decode As and port preferences, heuristics
//! that leave other protocols alone, two-pass equality, and the field list.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use xmmep_core::codec::{encode_checked, encode_raw, Charset};
use xmmep_core::schema::Schema;
use xmmep_core::table;
use xmmep_tools::capture::net::{Client, Net, Server, Tcp, Udp};
use xmmep_tools::pdml::{self, Frame};

use xmmep_testkit::expect::{assert_message, expected};
use xmmep_testkit::pcap::pcapng;
use xmmep_testkit::tshark::{Dissector, Tshark};

const UDP_PORT: u16 = 47100;
const TCP_PORT: u16 = 47200;
/// Ethernet (14) + IPv4 (20) + UDP (8): where a datagram's payload starts.
const UDP_PAYLOAD: u32 = 42;

/// One datagram per payload, client to server.
fn udp_capture<P: AsRef<[u8]>>(payloads: &[P]) -> Vec<u8> {
    xmmep_testkit::pcap::udp(UDP_PORT, payloads)
}

fn frames(ts: &Tshark, cap: &[u8], extra: &[&str]) -> Vec<Frame> {
    let file = ts.write_file("t.pcapng", cap);
    let f = file.to_string_lossy().into_owned();
    let mut args = vec!["-r", f.as_str(), "-T", "pdml"];
    args.extend_from_slice(extra);
    let out = ts.run(&args);
    out.assert_success();
    assert!(out.stderr.trim().is_empty(), "tshark complained: {}", out.stderr);
    let mut frames = Vec::new();
    pdml::read_frames(out.stdout.as_bytes(), |fr| frames.push(fr)).unwrap();
    frames
}

fn fields(ts: &Tshark, cap: &[u8], args: &[&str]) -> String {
    let file = ts.write_file("f.pcapng", cap);
    let f = file.to_string_lossy().into_owned();
    let mut a = vec!["-r", f.as_str()];
    a.extend_from_slice(args);
    let out = ts.run(&a);
    out.assert_success();
    out.stdout
}

/// Valid values for every message type, from the table-walking strategies,
/// deterministic for the test.
fn one_of_each() -> Vec<Vec<u8>> {
    let mut runner = TestRunner::deterministic();
    table::MESSAGES
        .iter()
        .map(|def| {
            let values = xmmep_testkit::values::message(def).new_tree(&mut runner).unwrap().current();
            encode_checked(def, &values).unwrap()
        })
        .collect()
}

#[test]
fn every_message_type_field_by_field() {
    let ts = Tshark::with_plugin();
    let msgs = one_of_each();
    let shown = frames(&ts, &udp_capture(&msgs), &[]);
    assert_eq!(shown.len(), 43);
    for (frame, msg) in shown.iter().zip(&msgs) {
        assert_eq!(frame.messages.len(), 1, "frame {}", frame.number);
        let exp = expected(msg, UDP_PAYLOAD, Charset::Utf8);
        let name = Schema::standard().message(exp.decoded.header.unwrap().msg_type).unwrap().def.name;
        assert_eq!(frame.messages[0].name(), name);
        assert_message(&frame.messages[0], &exp, name);
    }
}

#[test]
fn several_messages_per_datagram_and_gb18030() {
    let ts = Tshark::with_plugin();
    let gb = Charset::Gb18030;
    let chat = |text: &str| {
        let body = [&b"alice"[..], b"bob", b"1700000000", &gb.encode(text), b"0"].join(&1u8);
        encode_raw(170, &body)
    };
    let dgram = [encode_raw(200, b"alice"), chat("你好"), encode_raw(135, b"alice\x011")].concat();
    let shown = frames(&ts, &udp_capture(std::slice::from_ref(&dgram)), &["-o", "xmmep.charset:gb18030"]);
    let msgs = &shown[0].messages;
    let names: Vec<&str> = msgs.iter().map(|m| m.name()).collect();
    assert_eq!(names, ["MSG_KEEP_ALIVE", "MSG_TXT_MSG", "MSG_STATUS_CHANGED_NOTIFY"]);
    assert_eq!(msgs[1].field("xmmep.content").unwrap().show, "你好");
    let mut at = 0;
    for m in msgs {
        let len = xmmep_core::codec::parse_header(&dgram[at..]).unwrap().message_len();
        assert_message(m, &expected(&dgram[at..at + len], UDP_PAYLOAD + at as u32, gb), m.name());
        at += len;
    }
    let info = fields(&ts, &udp_capture(&[dgram]), &["-o", "xmmep.charset:gb18030", "-T", "fields", "-e", "_ws.col.Info"]);
    assert_eq!(info.trim(), "MSG_KEEP_ALIVE user=alice, MSG_TXT_MSG from=alice to=bob, MSG_STATUS_CHANGED_NOTIFY user=alice status=STATUS_BUSY");
}

/// A TCP session: a header cut inside its 8 bytes, a body cut in two, and
/// several messages in one segment.
fn tcp_capture() -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut net = Net::new(11, "tcp");
    let (c, s) = (net.host([10, 2, 0, 2]), net.host([10, 2, 0, 1]));
    let mut tcp = Tcp::connect(&mut net, c, s, TCP_PORT);
    let login = encode_raw(112, b"alice\x01secret123\x010");
    let res1 = encode_raw(113, b"0\x01alice\x02Alice\x02hi\x02a@x.cn\x02a.png\x02631152000\x02Suzhou\x021700000000\x020");
    let res2 = encode_raw(114, b"1\x012\x01Friends\x03Work");
    let end = encode_raw(127, b"");
    let ready = encode_raw(128, b"alice");
    let chat = encode_raw(170, b"alice\x01bob\x011700000100\x01see you at 3\x010");
    // The first segment is a whole message, so the heuristic sees a header.
    tcp.send(&mut net, Client, &login);
    // Three messages in one segment.
    tcp.send(&mut net, Server, &[res1.clone(), res2.clone(), end.clone()].concat());
    // A header cut after 3 bytes, then the body cut in two.
    tcp.send_cut(&mut net, Client, &ready, &[3, 10]);
    tcp.send_cut(&mut net, Client, &chat, &[20]);
    tcp.close(&mut net, Client);
    (pcapng(&mut net), vec![login, res1, res2, end, ready, chat])
}

#[test]
fn tcp_reassembly_and_several_messages_per_segment() {
    let ts = Tshark::with_plugin();
    let (cap, msgs) = tcp_capture();
    let shown = frames(&ts, &cap, &[]);
    let all: Vec<&pdml::Message> = shown.iter().flat_map(|f| &f.messages).collect();
    let names: Vec<&str> = all.iter().map(|m| m.name()).collect();
    assert_eq!(names, ["MSG_LOGIN_REQ", "MSG_LOGIN_RES1", "MSG_LOGIN_RES2", "MSG_LOGIN_RES_END", "MSG_CLIENT_READY", "MSG_TXT_MSG"]);
    for (m, bytes) in all.iter().zip(&msgs) {
        // Positions are relative to the tvb tshark shows the message in (the
        // segment, or the reassembled buffer); compare from the message start.
        let exp = expected(bytes, m.pos, Charset::Utf8);
        assert_message(m, &exp, m.name());
    }
    // The three messages of one segment share a frame.
    assert!(shown.iter().any(|f| f.messages.len() == 3));
}

#[test]
fn two_passes_equal_one() {
    let ts = Tshark::with_plugin();
    let (cap, _) = tcp_capture();
    let args = ["-T", "fields", "-e", "frame.number", "-e", "xmmep.msg_type", "-e", "xmmep.user_name", "-e", "_ws.col.Info", "-e", "_ws.expert.message"];
    // TCP's own reassembly notes in Info differ between one pass and two
    // from 4.4 on; everything XMMEP shows must not.
    let norm = |out: String| out.lines().map(xmmep_tools::pdml::normalise_info).collect::<Vec<_>>().join("\n");
    let one = norm(fields(&ts, &cap, &args));
    let mut two_args = vec!["-2"];
    two_args.extend_from_slice(&args);
    let two = norm(fields(&ts, &cap, &two_args));
    assert!(one.contains("MSG_TXT_MSG"), "{one}");
    assert_eq!(one, two);
}

/// One malformed message per report class (except the plugin-only internal
/// error), each in its own datagram.
fn malformed() -> Vec<(&'static str, Vec<u8>)> {
    let f = |fields: &[&[u8]]| fields.join(&1u8);
    let mut cut = encode_raw(200, b"alice");
    cut.truncate(11);
    vec![
        ("bad_header", b"  1x 200alice".to_vec()),
        ("truncated", cut),
        ("not_a_number", encode_raw(114, &f(&[b"x", b"0", b""]))),
        ("empty_number", encode_raw(114, &f(&[b"1", b"", b""]))),
        ("bad_boolean", encode_raw(170, &f(&[b"alice", b"bob", b"1", b"hi", b"2"]))),
        ("out_of_range", encode_raw(101, b"300")),
        ("unknown_enum", encode_raw(135, &f(&[b"alice", b"9"]))),
        ("length_rule", encode_raw(110, b"al")),
        ("count_mismatch", encode_raw(116, &f(&[b"1", b"5", b"eve\x03mallory"]))),
        ("missing_fields", encode_raw(170, &f(&[b"alice", b"bob"]))),
        ("extra_fields", encode_raw(200, &f(&[b"alice", b"more"]))),
        ("misplaced_delimiter", encode_raw(140, &f(&[b"alice", b"new\x03group"]))),
        ("oversize", encode_raw(170, &f(&[b"alice", b"bob", b"1", &[b'x'; 1500], b"0"]))),
        ("unknown_type", encode_raw(160, &f(&[b"room", b"topic"]))),
        ("cleartext_password", encode_raw(112, &f(&[b"alice", b"secret123", b"0"]))),
    ]
}

#[test]
fn every_report_class() {
    let ts = Tshark::with_plugin();
    let cases = malformed();
    let payloads: Vec<Vec<u8>> = cases.iter().map(|(_, p)| p.clone()).collect();
    // Bound to the port: the heuristic rightly refuses some of these.
    let shown = frames(&ts, &udp_capture(&payloads), &["-o", &format!("xmmep.udp.port:{UDP_PORT}")]);
    assert_eq!(shown.len(), cases.len());
    for ((class, bytes), frame) in cases.iter().zip(&shown) {
        let m = &frame.messages[0];
        let names: Vec<&str> = m.experts.iter().map(|x| x.name.as_str()).collect();
        assert!(names.contains(&format!("xmmep.{class}").as_str()), "{class}: {names:?}");
        if *class != "bad_header" {
            assert_message(m, &expected(bytes, UDP_PAYLOAD, Charset::Utf8), class);
        }
    }
    // Every class is registered (tshark lists expert infos among fields);
    // their severities and groups were compared above, message by message.
    let out = ts.run(&["-G", "fields"]);
    out.assert_success();
    for c in xmmep_core::reports::CLASSES {
        let abbrev = format!("xmmep.{}", c.abbrev);
        assert!(out.stdout.lines().any(|l| l.split('\t').nth(2) == Some(abbrev.as_str())), "{abbrev} not registered");
    }
}

#[test]
fn garbage_and_truncation_never_crash() {
    let ts = Tshark::with_plugin();
    let mut payloads = vec![[1u8, 2, 3, 4].repeat(2500), encode_raw(170, &[3u8; 9000])];
    payloads.push([b"  10 200".to_vec(), vec![2u8; 2]].concat());
    payloads.push((0..=255u8).cycle().take(3000).collect());
    let cap = udp_capture(&payloads);
    let shown = frames(&ts, &cap, &["-o", &format!("xmmep.udp.port:{UDP_PORT}")]);
    assert_eq!(shown.len(), payloads.len());
    assert!(shown.iter().all(|f| !f.messages.is_empty()));
    // Snap every frame to 60 bytes with editcap: bodies end early.
    let dir = ts.home().join("cut");
    std::fs::create_dir_all(&dir).unwrap();
    let full = dir.join("full.pcapng");
    std::fs::write(&full, &cap).unwrap();
    let short = dir.join("short.pcapng");
    let st = std::process::Command::new("editcap").args(["-s", "60"]).arg(&full).arg(&short).status().unwrap();
    assert!(st.success());
    let shown = frames(&ts, &std::fs::read(&short).unwrap(), &["-o", &format!("xmmep.udp.port:{UDP_PORT}")]);
    assert_eq!(shown.len(), payloads.len());
}

#[test]
fn decode_as_and_port_preferences() {
    let ts = Tshark::with_plugin();
    let cap = udp_capture(&[encode_raw(200, b"alice")]);
    let no_heur = ["--disable-heuristic", "xmmep_udp"];
    let run = |extra: &[&str]| {
        let mut a = no_heur.to_vec();
        a.extend_from_slice(extra);
        a.extend_from_slice(&["-T", "fields", "-e", "xmmep.user_name"]);
        fields(&ts, &cap, &a).trim().to_string()
    };
    assert_eq!(run(&[]), "", "without heuristic, port or Decode As nothing is XMMEP");
    assert_eq!(run(&["-d", &format!("udp.port=={UDP_PORT},xmmep")]), "alice");
    assert_eq!(run(&["-o", &format!("xmmep.udp.port:{UDP_PORT}")]), "alice");
    // And the heuristic alone finds it.
    assert_eq!(fields(&ts, &cap, &["-T", "fields", "-e", "xmmep.user_name"]).trim(), "alice");
}

#[test]
fn heuristics_leave_other_protocols_alone() {
    let ts = Tshark::with_plugin();
    let mut net = Net::new(3, "other");
    let (c, s) = (net.host([10, 3, 0, 2]), net.host([10, 3, 0, 1]));
    let talk: &[(u16, &[&[u8]])] = &[
        (2121, &[b"220 ftp.example.com FTP server ready\r\n", b"USER anonymous\r\n", b"331 Please specify the password.\r\n"]),
        (2525, &[b"220 mail.example.com ESMTP Postfix\r\n", b"EHLO client.example.com\r\n", b"250-mail.example.com\r\n250 8BITMIME\r\n"]),
        (8081, &[b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"]),
        (9999, &[b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\x5f", b"\x00\x01\x02\x03   1 200"]),
    ];
    for (port, lines) in talk {
        let mut t = Tcp::connect(&mut net, c, s, *port);
        for (i, l) in lines.iter().enumerate() {
            t.send(&mut net, if i % 2 == 0 { Client } else { Server }, l);
        }
        t.close(&mut net, Client);
    }
    let flow = Udp::new(c, 50999, s, 9998);
    flow.a_to_b(&mut net, b"1234 200 not quite", None);
    flow.a_to_b(&mut net, b"   5 160hello", None);
    let cap = pcapng(&mut net);
    let out = fields(&ts, &cap, &["-Y", "xmmep", "-T", "fields", "-e", "frame.number"]);
    assert_eq!(out.trim(), "", "XMMEP found in other traffic");
}

#[test]
fn field_list_has_every_schema_field() {
    let ts = Tshark::with_plugin();
    let out = ts.run(&["-G", "fields"]);
    out.assert_success();
    let registered: std::collections::HashMap<&str, &str> = out
        .stdout
        .lines()
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c.first() == Some(&"F") && c.get(4) == Some(&"xmmep")).then(|| (c[2], c[3]))
        })
        // Expert infos are listed as fields too.
        .filter(|(name, _)| !xmmep_core::reports::CLASSES.iter().any(|c| name.strip_prefix("xmmep.") == Some(c.abbrev)))
        .collect();
    let schema = Schema::standard();
    let mut n = 0;
    for f in schema.fields.iter().filter(|f| f.is_filterable()) {
        let ft = registered.get(f.key.as_str()).unwrap_or_else(|| panic!("{} not registered", f.key));
        assert_eq!(*ft, xmmep_core::presentation::FieldKind::of(f.display).ws_name(), "{}", f.key);
        n += 1;
    }
    // The analysis across messages adds its own, and the announced
    // conversations `xmmep.setup_in`.
    for a in xmmep_core::presentation::ANALYSIS_FIELDS {
        let name = format!("xmmep.{}", a.abbrev);
        assert_eq!(registered.get(name.as_str()).copied(), Some(a.kind.ws_name()), "{name}");
        n += 1;
    }
    assert_eq!(registered.get("xmmep.setup_in").copied(), Some("FT_FRAMENUM"));
    n += 1;
    // And each message's bytes, `xmmep.raw` (with its preference on).
    assert_eq!(registered.get("xmmep.raw").copied(), Some(xmmep_core::presentation::RAW_FIELD.kind.ws_name()));
    n += 1;
    assert_eq!(registered.len(), n, "fields registered beyond the schema and the analysis");
    // Value strings come from the table's enums and message names.
    let values = ts.run(&["-G", "values"]);
    values.assert_success();
    let has = |row: &str| values.stdout.lines().any(|l| l == row);
    assert!(has("V\txmmep.msg_type\t0x000000c8\tMSG_KEEP_ALIVE") || has("V\txmmep.msg_type\t200\tMSG_KEEP_ALIVE"), "msg_type values");
    for e in table::RESULT_CODE.values {
        let dec = format!("V\txmmep.result\t{}\t{}", e.value, e.name);
        let hex = format!("V\txmmep.result\t0x{:08x}\t{}", e.value, e.name);
        assert!(has(&dec) || has(&hex), "{dec}");
    }
}

#[test]
fn stream_closing_inside_a_message_is_truncated() {
    let mut net = Net::new(13, "fin");
    let (c, srv) = (net.host([10, 4, 0, 2]), net.host([10, 4, 0, 1]));
    let mut tcp = Tcp::connect(&mut net, c, srv, TCP_PORT);
    tcp.send(&mut net, Client, &encode_raw(200, b"alice"));
    // The client writes half a chat message and closes: the FIN rides on it.
    let chat = encode_raw(170, b"alice\x01bob\x011700000100\x01bye\x010");
    tcp.close_with(&mut net, Client, &chat[..20]);
    let cap = pcapng(&mut net);
    let expected = format!("Body has 12 of {} bytes", chat.len() - 8);
    for d in Dissector::both() {
        let args = d.args(&[]);
        let shown = frames(&d.ts, &cap, &args);
        let msgs: Vec<&pdml::Message> = shown.iter().flat_map(|f| &f.messages).collect();
        let last = msgs.last().expect("messages");
        assert_eq!(last.name(), "MSG_TXT_MSG", "{args:?}");
        let x = last.experts.iter().find(|x| x.name == "xmmep.truncated").unwrap_or_else(|| panic!("{args:?}: {:?}", last.experts));
        assert_eq!((x.severity.as_str(), x.message.as_str()), ("error", expected.as_str()));
    }
}

#[test]
fn desegment_preference_is_honoured() {
    let (cap, _) = tcp_capture();
    for d in Dissector::both() {
        let lua = d.is_lua();
        let names = |extra: &[&str]| -> Vec<String> { frames(&d.ts, &cap, &d.args(extra)).iter().flat_map(|f| f.messages.iter().map(|m| m.name().to_string())).collect() };
        // Reassembled: every message once, whole.
        let whole = names(&[]);
        assert!(whole.iter().all(|n| n.starts_with("MSG_")), "lua {lua}: {whole:?}");
        // Not reassembled: a message cut across segments is shown from the
        // segment that holds its start, as far as it goes, and reported.
        let shown = frames(&d.ts, &cap, &d.args(&["-o", "xmmep.desegment:FALSE"]));
        let experts: Vec<&str> = shown.iter().flat_map(|f| &f.messages).flat_map(|m| &m.experts).map(|x| x.name.as_str()).collect();
        assert!(experts.contains(&"xmmep.truncated"), "lua {lua}: {experts:?}");
        assert_ne!(whole, names(&["-o", "xmmep.desegment:FALSE"]), "lua {lua}");
    }
}
