//! The Rust epan plugin loads into the real tshark, registers its protocol
//! and fields, and dissects through the C shim (including the exception
//! path) without crashing.
//!
//! Each positive check has a negative control run in an identical HOME
//! without the plugin, so none of them can pass because something else
//! (a system plugin, a Lua script) provides `xmmep`.

use xmmep_testkit::tshark::Tshark;

/// A UDP port `tshark -G decodes` shows as free (checked below).
const PORT: u16 = 40123;

fn plugin_line(listing: &str) -> Option<&str> {
    listing.lines().find(|l| l.split('\t').next().map(str::trim) == Some("xmmep.so"))
}

#[test]
fn tshark_lists_plugin_and_fields() {
    let ts = Tshark::with_plugin();
    let installed = ts.plugin_path().unwrap().to_string_lossy().into_owned();

    let plugins = ts.run(&["-G", "plugins"]);
    plugins.assert_success();
    let line = plugin_line(&plugins.stdout).unwrap_or_else(|| panic!("xmmep.so not listed:\n{}\n{}", plugins.stdout, plugins.stderr));
    let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
    assert_eq!(cols, ["xmmep.so", env!("CARGO_PKG_VERSION"), "dissector", installed.as_str()], "{line}");
    assert!(!plugins.stderr.contains("xmmep"), "loader complained: {}", plugins.stderr);

    let fields = ts.run(&["-G", "fields"]);
    fields.assert_success();
    let has = |want: &[&str]| fields.stdout.lines().any(|l| l.split('\t').collect::<Vec<_>>().starts_with(want));
    assert!(has(&["P", "X-Messenger Message Exchange Protocol", "xmmep"]), "protocol not registered");
    assert!(has(&["F", "Message type", "xmmep.msg_type", "FT_UINT16", "xmmep", "BASE_DEC"]), "xmmep.msg_type missing");
    assert!(has(&["F", "Body length", "xmmep.body_len", "FT_UINT16", "xmmep", "BASE_DEC"]), "xmmep.body_len missing");

    // Negative control: same layout, no plugin.
    let bare = Tshark::without_plugin();
    let plugins = bare.run(&["-G", "plugins"]);
    plugins.assert_success();
    assert!(plugin_line(&plugins.stdout).is_none(), "xmmep.so listed without the plugin");
    let fields = bare.run(&["-G", "fields"]);
    fields.assert_success();
    assert!(!fields.stdout.contains("xmmep.msg_type"), "xmmep.msg_type exists without the plugin");
}

#[test]
fn decode_as_dissects_header_and_reports_short_data() {
    let ts = Tshark::with_plugin();
    let decodes = ts.run(&["-G", "decodes"]);
    decodes.assert_success();
    assert!(!decodes.stdout.lines().any(|l| l.starts_with(&format!("udp.port\t{PORT}\t"))), "UDP port {PORT} is taken by another dissector");

    let cap = ts.write_file(
        "header.pcapng",
        &xmmep_testkit::pcap::udp(
            PORT,
            &[
                // A whole header: body length 12, type 101, then the body.
                &b"  12 101hello world!"[..],
                // Zero padding is accepted too.
                b"00000204",
                // Too short for the header: reported as a bad header.
                b"  12",
            ],
        ),
    );
    let cap = cap.to_string_lossy().into_owned();
    let decode_as = format!("udp.port=={PORT},xmmep");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = ["-r", &cap, "-d", &decode_as].iter().map(|s| s.to_string()).collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        ts.run(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };

    let out = run(&["-T", "fields", "-E", "separator=,", "-e", "frame.number", "-e", "xmmep.body_len", "-e", "xmmep.msg_type", "-e", "_ws.col.Protocol"]);
    out.assert_success();
    let rows: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(rows, ["1,12,101,XMMEP", "2,0,204,XMMEP", "3,,,XMMEP"], "stderr: {}", out.stderr);

    // Frame 3 is too short for a header: the dissector reports it as a bad
    // header (an expert error), never reading past the data.
    let bad = run(&["-Y", "xmmep.bad_header", "-T", "fields", "-e", "frame.number"]);
    bad.assert_success();
    assert_eq!(bad.stdout.trim(), "3", "stderr: {}", bad.stderr);

    // Without the plugin, the same Decode As is rejected.
    let bare = Tshark::without_plugin();
    let cap2 = bare.write_file("header.pcapng", &std::fs::read(&cap).unwrap());
    let out = bare.run(&["-r", &cap2.to_string_lossy(), "-d", &decode_as, "-T", "fields", "-e", "frame.number"]);
    assert!(!out.status.success() || out.stdout.trim().is_empty(), "xmmep decoded without the plugin: {out:?}");
}
