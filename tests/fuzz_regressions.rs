//! Failures scripts/fuzz.sh found, each rebuilt as a small capture and
//! decoded by the plugin and the Lua script: no Lua error, no dissector
//! bug, and both show the same.



use xmmep_tools::capture::net::{Client, Net, Server, Tcp};
use xmmep_core::codec::encode_raw;
use xmmep_tools::pdml;

use xmmep_testkit::pcap::pcapng;
use xmmep_testkit::render::render_with;
use xmmep_testkit::tshark::Tshark;

const PORT: u16 = 47430;

/// Decodes `cap` with `args` by the plugin, then by the Lua script alone;
/// returns both renderings after checking for Lua errors and bugs.
fn both(cap: &[u8], args: &[&str]) -> [String; 2] {
    let mut out = [String::new(), String::new()];
    for (i, lua) in [false, true].into_iter().enumerate() {
        let ts = if lua { Tshark::without_plugin() } else { Tshark::with_plugin() };
        let file = ts.write_file("c.pcapng", cap).display().to_string();
        let script = ts.add_file(&xmmep_testkit::root().join(xmmep_tools::lua_gen::OUTPUT));
        let script = format!("lua_script:{}", script.display());
        let mut a = vec!["-r", file.as_str(), "-T", "pdml"];
        if lua {
            a.extend_from_slice(&["-X", script.as_str()]);
        }
        a.extend_from_slice(args);
        let o = ts.run_with_env(&[("WIRESHARK_ABORT_ON_DISSECTOR_BUG", "1")], &a);
        o.assert_success();
        for bad in ["Lua Error", "Dissector bug"] {
            assert!(!o.stdout.contains(bad) && !o.stderr.contains(bad), "lua={lua}: {bad}:\n{}", o.stderr);
        }
        let mut frames = Vec::new();
        pdml::read_frames(o.stdout.as_bytes(), |f| frames.push(f)).expect("PDML");
        out[i] = render_with(&frames, true);
    }
    out
}

/// Found by fuzz.sh (Wireshark 4.0, run 16 of seed 1000): when TCP cannot
/// reassemble, tcp_dissect_pdus asks for the length of a PDU of which fewer
/// than the 8 header bytes are there; the Lua script read 8 bytes anyway
/// ("Range is out of bounds" in get_len_func). Both dissectors now show
/// the short piece as a malformed header and go on.
#[test]
fn segments_shorter_than_a_header_without_reassembly() {
    let mut net = Net::new(3, "short segments");
    let (c, s) = (net.host([10, 0, 0, 2]), net.host([10, 0, 0, 1]));
    let mut t = Tcp::connect(&mut net, c, s, PORT);
    let ka = encode_raw(200, b"alice");
    t.send_cut(&mut net, Client, &ka, &[1, 3]);
    t.send_cut(&mut net, Server, &[ka.clone(), ka.clone()].concat(), &[5, 13, 20]);
    t.close(&mut net, Client);
    let cap = pcapng(&mut net);
    let decode_as = format!("tcp.port=={PORT},xmmep");
    let [plugin, lua] = both(&cap, &["-d", &decode_as, "-o", "tcp.desegment_tcp_streams:FALSE"]);
    assert!(plugin.contains("Malformed header"), "{plugin}");
    assert_eq!(plugin, lua, "the plugin and the Lua script differ");
}

/// Found by fuzz.sh's comparison (Wireshark 4.0, seed 100, runs 12 and 24,
/// 27 frames): a TCP segment with FIN that ends inside a message. In one
/// pass both dissectors show the message cut short (truncated). In the
/// first pass of `-2` Wireshark builds no tree, so the Lua script cannot
/// read `tcp.flags.fin` and waits for the rest, which the second pass then
/// shows as an unfinished reassembly: docs/decisions.md 46, skipped by
/// fuzz.sh. If the script ever shows the truncated message there too, the
/// decision and its skip can go.
#[test]
fn message_cut_short_by_fin() {
    let mut net = Net::new(5, "fin cuts a message");
    let (c, s) = (net.host([10, 0, 0, 2]), net.host([10, 0, 0, 1]));
    let mut t = Tcp::connect(&mut net, c, s, PORT);
    let ka = encode_raw(200, b"alice");
    t.send(&mut net, Client, &ka);
    let cut = encode_raw(200, b"bob_k");
    t.close_with(&mut net, Client, &cut[..10]);
    let cap = pcapng(&mut net);
    let decode_as = format!("tcp.port=={PORT},xmmep");
    let [plugin, lua] = both(&cap, &["-d", &decode_as]);
    assert!(plugin.contains("truncated"), "{plugin}");
    assert_eq!(plugin, lua, "one pass: the plugin and the Lua script differ");
    let [plugin, lua] = both(&cap, &["-d", &decode_as, "-2"]);
    assert!(plugin.contains("truncated"), "{plugin}");
    assert!(!lua.contains("truncated"), "two passes: the Lua script now sees FIN (decision 46 can go):\n{lua}");
}
