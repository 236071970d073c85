//! The generated lua/xmmep.lua in the real tshark (Wireshark 4.0, Lua 5.2),
//! loaded with `-X lua_script:` and nothing else: UDP with several messages
//! per datagram (heuristic `xmmep_udp`), TCP with a header split across
//! segments and several messages per segment (port preference), a TCP
//! stream found by the heuristic `xmmep_tcp` on an unregistered port, Decode
//! As, the charset preference, and expert infos with the codec's texts.
//!
//! Captures come from the crate's capture builder (real TCP handshakes and
//! ACKs, so only the frames that carry data are looked at for messages);
//! tshark runs through xmmep_testkit::tshark: a temporary HOME, no
//! system-wide plugin (WIRESHARK_PLUGIN_DIR), uid 65534 when root.

use xmmep_core::codec::{encode_raw, Decoder, Options};
use xmmep_core::schema::Schema;
use xmmep_tools::capture::net::{Client, Net, Server, Tcp};

use xmmep_testkit::pcap::pcapng;
use xmmep_testkit::tshark::{Output, Tshark};

/// Ports `tshark -G decodes` leaves free, and that tests/tshark_plugin.rs
/// and the corpus do not use.
const UDP_PORT: u16 = 47300;
/// Registered with the `xmmep.tcp.port` preference in one test.
const TCP_PORT: u16 = 47400;
/// Never registered: only the heuristic finds XMMEP there.
const HEUR_PORT: u16 = 47500;

/// One datagram per payload, client to server `UDP_PORT`.
fn udp_capture(payloads: &[&[u8]]) -> Vec<u8> {
    xmmep_testkit::pcap::udp(UDP_PORT, payloads)
}

/// Runs tshark on `cap` with the committed script as its only Lua (the
/// binary plugin too if `ts` has it); returns its output after checking
/// that it exited 0.
fn run(ts: &Tshark, cap: &[u8], args: &[&str]) -> Output {
    let lua = ts.lua_option();
    let file = ts.write_file("c.pcapng", cap).display().to_string();
    let mut a = vec!["-X", lua.as_str(), "-r", file.as_str()];
    a.extend_from_slice(args);
    let out = ts.run(&a);
    out.assert_success();
    out
}

/// tshark with the script alone; fails on any Lua error.
fn tshark(cap: &[u8], args: &[&str]) -> String {
    let out = run(&Tshark::without_plugin(), cap, args);
    let (stdout, stderr) = (out.stdout, out.stderr);
    assert!(!stderr.contains("Lua") && !stderr.contains("steps aside"), "tshark stderr:\n{stderr}");
    assert!(!stdout.contains("Lua Error") && !stdout.contains("steps aside"), "Lua error in the dissection:\n{stdout}");
    stdout
}

/// `-T fields` rows: one Vec of columns per frame.
fn fields(cap: &[u8], extra: &[&str], names: &[&str]) -> Vec<Vec<String>> {
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=;"]);
    for n in names {
        args.push("-e");
        args.push(n);
    }
    tshark(cap, &args).lines().map(|l| l.split('|').map(str::to_string).collect()).collect()
}

/// `fields` of a TCP capture with `tcp.len` put first: the rows of the
/// segments that carry data (without that column), after checking that no
/// other frame (handshake, ACKs, FINs) shows any `xmmep.` field of `names`.
fn tcp_data_rows(cap: &[u8], extra: &[&str], names: &[&str]) -> Vec<Vec<String>> {
    let all: Vec<&str> = [&["tcp.len"][..], names].concat();
    let mut data = Vec::new();
    for mut row in fields(cap, extra, &all) {
        let len = row.remove(0);
        if len == "0" {
            let shown = names.iter().zip(&row).filter(|(n, v)| n.starts_with("xmmep.") && !v.is_empty());
            assert_eq!(shown.count(), 0, "a frame without data shows {row:?}");
        } else {
            data.push(row);
        }
    }
    data
}

fn info_of(msgs: &[&[u8]]) -> String {
    let schema = Schema::standard();
    let dec = Decoder::new(schema, Options::default());
    msgs.iter()
        .map(|m| {
            let d = dec.decode(m);
            xmmep_core::codec::info::info_text(schema, &d, |o, l| String::from_utf8_lossy(&m[o as usize..(o + l) as usize]).into_owned())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn login() -> Vec<u8> {
    encode_raw(112, b"alice\x01secret123\x010")
}
fn keepalive(user: &str) -> Vec<u8> {
    encode_raw(200, user.as_bytes())
}
fn txt() -> Vec<u8> {
    encode_raw(170, b"alice\x01bob\x011700000000\x01hi there\x010")
}

#[test]
fn udp_several_messages_per_datagram_by_heuristic() {
    let (a, b, c) = (login(), keepalive("bob"), txt());
    let dgram = [a.clone(), b.clone(), c.clone()].concat();
    let rows = fields(&udp_capture(&[&dgram]), &[], &["_ws.col.Protocol", "xmmep.msg_type", "xmmep.user_name", "xmmep.receiver", "xmmep.send_time", "_ws.col.Info"]);
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r[0], "XMMEP");
    assert_eq!(r[1], "112;200;170");
    assert_eq!(r[2], "alice;bob");
    assert_eq!(r[3], "bob");
    // 4.6 prints times in ISO 8601 (see pdml::normalise_time).
    let sent = xmmep_tools::pdml::normalise_time(&r[4]).unwrap_or_else(|| r[4].clone());
    assert_eq!(sent, "Nov 14, 2023 22:13:20.000000000 UTC");
    assert_eq!(r[5], info_of(&[&a, &b, &c]));
}

#[test]
fn tcp_split_header_and_several_messages_per_segment_by_port_pref() {
    let (a, b, c) = (login(), keepalive("bob"), txt());
    let stream = [a.clone(), b.clone(), c.clone()].concat();
    // Segment 1: 5 bytes (half a header); 2: rest of a, all of b, part of c; 3: rest.
    let cut1 = 5;
    let cut2 = a.len() + b.len() + 10;
    let mut net = Net::new(32, "lua-tcp");
    let (cl, sv) = (net.host([10, 4, 0, 2]), net.host([10, 4, 0, 1]));
    let mut tcp = Tcp::connect(&mut net, cl, sv, TCP_PORT);
    tcp.send_cut(&mut net, Client, &stream, &[cut1, cut2]);
    tcp.close(&mut net, Client);
    let port = format!("xmmep.tcp.port:{TCP_PORT}");
    let rows = tcp_data_rows(&pcapng(&mut net), &["-o", &port], &["xmmep.msg_type", "_ws.col.Info"]);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][0], "", "nothing complete in the first segment");
    assert_eq!(rows[1][0], "112;200");
    assert_eq!(rows[1][1], info_of(&[&a, &b]));
    assert_eq!(rows[2][0], "170");
    assert_eq!(rows[2][1], info_of(&[&c]));
}

#[test]
fn tcp_heuristic_on_unregistered_port_sets_the_conversation() {
    let (a, b) = (login(), keepalive("carol"));
    let reply = encode_raw(113, b"12");
    let mut net = Net::new(33, "lua-heur");
    let (cl, sv) = (net.host([10, 5, 0, 2]), net.host([10, 5, 0, 1]));
    let mut tcp = Tcp::connect(&mut net, cl, sv, HEUR_PORT);
    // The first segment holds all of a and 3 bytes of b's header.
    tcp.send_cut(&mut net, Client, &[a.clone(), b].concat(), &[a.len() + 3]);
    // The other direction: decoded because the conversation is XMMEP now.
    tcp.send(&mut net, Server, &reply);
    tcp.close(&mut net, Client);
    let cap = pcapng(&mut net);
    let rows = tcp_data_rows(&cap, &[], &["xmmep.msg_type", "xmmep.user_name", "xmmep.result"]);
    assert_eq!(rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(), ["112", "200", "113"]);
    assert_eq!(rows[1][1], "carol");
    assert_eq!(rows[2][2], "12");
    // With the heuristic off, the same capture is not XMMEP.
    let rows = fields(&cap, &["--disable-heuristic", "xmmep_tcp"], &["tcp.len", "xmmep.msg_type"]);
    assert!(rows.iter().filter(|r| r[0] != "0").count() == 3, "{rows:?}");
    assert!(rows.iter().all(|r| r[1].is_empty()), "{rows:?}");
}

#[test]
fn decode_as_and_expert_infos_with_the_codec_texts() {
    // A malformed message (header fine, `status` not a number) that the UDP
    // heuristic rejects: only Decode As shows it.
    let bad = encode_raw(112, b"al\x01short\x01x");
    let cap = udp_capture(&[&bad]);
    let rows = fields(&cap, &[], &["xmmep.msg_type"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0], "", "the heuristic must reject a malformed message");
    let decode_as = format!("udp.port=={UDP_PORT},xmmep");
    let names = ["xmmep.msg_type", "_ws.expert.message", "_ws.expert.severity", "xmmep.bad_value"];
    let rows = fields(&cap, &["-d", &decode_as], &names);
    let d = Decoder::new(Schema::standard(), Options::default()).decode(&bad);
    // Every report, by its codec text. `-T fields` lists the occurrences of
    // `_ws.expert.message` in tree order from 4.4 on (4.0: in the order they
    // were added), so the set is compared here; the PDML-based parity and
    // golden tests check where each one sits.
    let mut texts: Vec<&str> = d.reports.iter().map(|r| r.text.as_str()).collect();
    texts.sort_unstable();
    let mut shown: Vec<&str> = rows[0][1].split(';').collect();
    shown.sort_unstable();
    assert_eq!(rows[0][0], "112");
    assert_eq!(shown, texts);
    assert!(rows[0][3].contains('x'), "bad value shown as text: {:?}", rows[0]);
    // One class by its expert filter name, with its severity.
    let rows = fields(&cap, &["-d", &decode_as, "-Y", "xmmep.not_a_number"], &["xmmep.msg_type"]);
    assert_eq!(rows.len(), 1);
    let v = tshark(&cap, &["-d", &decode_as, "-V"]);
    assert!(v.contains("[Expert Info (Error/Malformed): Login status is \"x\", not a decimal number]"), "{v}");
    assert!(v.contains("[Expert Info (Note/Security): Password sent in clear text]"), "{v}");
    assert!(v.contains("X-Messenger Message Exchange Protocol, MSG_LOGIN_REQ"), "{v}");
}

#[test]
fn charset_preference_gb18030() {
    let name = xmmep_core::codec::Charset::Gb18030.encode("张三");
    let m = encode_raw(200, &name);
    let rows = fields(&udp_capture(&[&m]), &["-o", "xmmep.charset:GB18030"], &["xmmep.user_name", "_ws.col.Info"]);
    assert_eq!(rows[0][0], "张三");
    // A two-character user name breaks the length rule: Info marks it.
    assert!(rows[0][1].ends_with("user=张三 [Length rule]"), "{:?}", rows[0]);
    // Invalid UTF-8 under the default charset: replacement characters.
    let m = encode_raw(200, b"a\xffb\x00c");
    let rows = fields(&udp_capture(&[&m]), &[], &["_ws.col.Info"]);
    assert!(rows[0][0].starts_with("MSG_KEEP_ALIVE user=a\u{fffd}b"), "{:?}", rows[0]);
}

#[test]
fn lists_structs_and_generated_addresses() {
    // MSG_LOGIN_RES3 with two buddies, and MSG_GET_LOGIN_INFO_RES with an IP.
    let res3 = encode_raw(115, b"1\x012\x01bob\x02friends\x02Bob\x03eve\x02work\x02Eve");
    let info = encode_raw(111, b"0\x0110.1.2.3\x017000");
    let dgram = [res3, info].concat();
    let v = tshark(&udp_capture(&[&dgram]), &["-V"]);
    assert!(v.contains("Buddy list: 2 elements"), "{v}");
    assert!(v.contains("Buddy name: eve"), "{v}");
    assert!(v.contains("[Login server IP address: 10.1.2.3]"), "{v}");
    assert!(v.contains("Login server port: 7000"), "{v}");
}

#[test]
fn steps_aside_when_the_binary_plugin_is_loaded() {
    let m = keepalive("dave");
    let ts = Tshark::with_plugin();
    let out = run(&ts, &udp_capture(&[&m]), &["-T", "fields", "-e", "xmmep.user_name"]);
    let all = format!("{}{}", out.stdout, out.stderr);
    // Quiet at Wireshark's default log level.
    assert!(!all.contains("steps aside"), "{all}");
    assert!(!all.contains("Lua Error") && !all.contains("Error during loading"), "{all}");
    // The plugin dissects; the script stays out of the way.
    assert_eq!(out.stdout.lines().last(), Some("dave"), "{all}");

    // At log level info, one line on stderr.
    let script = ts.lua_option();
    let cap = ts.write_file("c.pcapng", &udp_capture(&[&m]));
    let out = ts.run_with_env(&[("WIRESHARK_LOG_LEVEL", "info")], &["-X", &script, "-r", cap.to_str().unwrap(), "-T", "fields", "-e", "xmmep.user_name"]);
    out.assert_success();
    assert_eq!(out.stderr.matches("steps aside").count(), 1, "{}", out.stderr);
    assert!(!out.stdout.contains("steps aside"), "{}", out.stdout);
    assert_eq!(out.stdout.lines().last(), Some("dave"));
}

#[test]
fn version_is_clean_with_the_plugin_and_the_script_installed() {
    let ts = Tshark::with_plugin();
    // The script where a user installs it: the personal Lua plugin folder.
    ts.install_lua(&xmmep_testkit::tshark::lua_script());
    let listed = ts.run(&["-G", "plugins"]);
    assert!(listed.stdout.contains("xmmep.so") && listed.stdout.contains("xmmep.lua"), "both loaded: {}", listed.stdout);
    let out = ts.run(&["-v"]);
    out.assert_success();
    assert!(!out.stderr.to_lowercase().contains("xmmep"), "tshark -v stderr: {}", out.stderr);
    assert!(!out.stdout.contains("steps aside"), "{}", out.stdout);
    // The line is still there for whoever asks for it.
    let out = ts.run_with_env(&[("WIRESHARK_LOG_LEVEL", "info")], &["-v"]);
    assert_eq!(out.stderr.matches("xmmep.lua: XMMEP is already registered").count(), 1, "{}", out.stderr);
}

/// The data sources tshark -x lists (the GUI's bytes pane tabs), by name
/// without their size: "Frame", "Reassembled TCP", ...
fn data_sources(hex: &str) -> Vec<String> {
    let mut names: Vec<String> = hex.lines().filter(|l| l.ends_with(" bytes):") && !l.starts_with(' ')).map(|l| l[..l.rfind(" (").unwrap()].to_string()).collect();
    names.sort();
    names
}

#[test]
fn no_data_source_the_plugin_does_not_add() {
    let cap = xmmep_testkit::captures::path("chat_gb18030.pcapng");
    let cap = std::fs::read(cap).unwrap();
    let args = ["-o", "xmmep.charset:GB18030", "-V", "-x"];
    let lua_out = tshark(&cap, &args);
    assert!(lua_out.contains("X-Messenger"));
    let lua = data_sources(&lua_out);
    let ts = Tshark::with_plugin();
    let file = ts.write_file("c.pcapng", &cap);
    let mut a = vec!["-r", file.to_str().unwrap()];
    a.extend_from_slice(&args);
    let out = ts.run(&a);
    out.assert_success();
    let plugin = data_sources(&out.stdout);
    // tshark -x names the sources only where a frame has more than one.
    assert!(out.stdout.contains("X-Messenger"));
    if xmmep_testkit::tshark::wireshark_version() >= (4, 4) {
        assert_eq!(lua, plugin, "the Lua script's data sources differ from the plugin's");
    } else {
        // Before 4.4 the script converts non-UTF-8 text through a tvb of its
        // own (see shown_text in glue.lua): those tabs, and no other, are extra.
        // (A frame with such a tab has two sources, so "Frame" is named too.)
        let extra: Vec<&String> = lua.iter().filter(|n| !plugin.contains(n)).collect();
        assert!(extra.iter().all(|n| n.as_str() == "XMMEP text" || n.as_str() == "Frame"), "{extra:?}");
        let others = |v: &[String]| v.iter().filter(|n| n.as_str() != "XMMEP text" && n.as_str() != "Frame").cloned().collect::<Vec<_>>();
        assert_eq!(others(&lua), others(&plugin));
    }
}
