//! The Lua script and the binary plugin show the same thing: for every
//! capture of the corpus, frame by frame, the same messages, the same xmmep
//! fields with the same values and places, and the same expert infos
//! (names, severities, groups, texts), the same tree labels, and the same
//! Protocol and Info
//! columns; and they register the same names, fields, value strings,
//! heuristics and preferences, with the same texts. docs/lua.md lists what
//! may differ; none of it shows here, so any difference fails this test.

use std::path::Path;

use xmmep_testkit::captures;
use xmmep_testkit::render::{decode, render_with};
use xmmep_testkit::tshark::{lua_script, Dissector, Tshark};

#[test]
fn lua_equals_plugin_on_the_corpus() {
    corpus_parity(&[]);
}

/// The same with the analysis across messages off (`xmmep.analyze`).
#[test]
fn lua_equals_plugin_on_the_corpus_without_analysis() {
    corpus_parity(&["-o", "xmmep.analyze:FALSE"]);
}

/// Plugin and Lua script on every corpus capture, with `prefs` given to both.
fn corpus_parity(prefs: &[&str]) {
    let [plugin, lua] = Dissector::both();
    let mut differ = Vec::new();
    for cap in captures::all() {
        // Secondary conversations are plugin-only (the Lua API cannot follow
        // them; xmmep_core::conversations::PLUGIN_ONLY): leave their fields out.
        let mut pf = decode(&plugin.ts, &cap, &plugin.args(prefs));
        for m in pf.iter_mut().flat_map(|f| f.messages.iter_mut()) {
            m.fields.retain(|fl| !xmmep_core::conversations::is_plugin_only(&fl.name));
        }
        let a = render_with(&pf, true);
        let b = render_with(&decode(&lua.ts, &cap, &lua.args(prefs)), true);
        // The columns too: Protocol and Info, frame by frame.
        let cols = |d: &Dissector| {
            let f = d.ts.add_file(&cap);
            let f = f.to_string_lossy().into_owned();
            let mut args = vec!["-r", f.as_str(), "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Protocol", "-e", "_ws.col.Info"];
            let opts = xmmep_testkit::render::options_for(&cap);
            args.extend(opts.iter().map(String::as_str));
            args.extend_from_slice(prefs);
            let out = d.run(&args);
            out.assert_success();
            out.stdout
        };
        // Frames of file data connections (XMMEP-DATA) are plugin-only too.
        let no_file_data =
            |c: String| c.lines().filter(|l| !l.contains(&format!("\t{}\t", xmmep_core::conversations::FILE_DATA_PROTOCOL.short))).map(|l| format!("{l}\n")).collect::<String>();
        let (ca, cb) = (no_file_data(cols(&plugin)), cols(&lua));
        let cb = if ca.lines().count() == cb.lines().count() {
            cb
        } else {
            // Drop the Lua rows of the frames the plugin showed as file data.
            let keep: std::collections::BTreeSet<&str> = ca.lines().filter_map(|l| l.split('\t').next()).collect();
            cb.lines().filter(|l| l.split('\t').next().is_some_and(|n| keep.contains(n))).map(|l| format!("{l}\n")).collect()
        };
        if ca != cb {
            let d: Vec<String> = ca.lines().zip(cb.lines()).filter(|(p, l)| p != l).take(3).map(|(p, l)| format!("plugin: {p}\n   lua: {l}")).collect();
            differ.push(format!("{}: columns differ\n{}", cap.display(), d.join("\n")));
        }
        if a != b {
            let first = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(a.lines().count().min(b.lines().count()));
            let ctx = |s: &str| s.lines().skip(first.saturating_sub(3)).take(8).collect::<Vec<_>>().join("\n");
            differ.push(format!("{}: first difference at line {}\n--- plugin\n{}\n--- lua\n{}", cap.display(), first + 1, ctx(&a), ctx(&b)));
        }
    }
    assert!(differ.is_empty(), "{} capture(s) differ:\n{}", differ.len(), differ.join("\n\n"));
}

/// What a `tshark -G REPORT` listing says about XMMEP: the lines that
/// name it; for `defaultprefs`, the whole entry (description, choices,
/// value) of every `xmmep.` preference.
fn registered(ts: &Tshark, report: &str) -> Vec<String> {
    let out = ts.run(&["-G", report]);
    out.assert_success();
    if report == "defaultprefs" {
        return out
            .stdout
            .split("\n\n")
            .filter(|entry| entry.lines().any(|l| l.starts_with("#xmmep.")))
            // The plugin's port preferences are made and titled by
            // Wireshark (dissector_add_uint_range_with_preference) and are
            // not listed here; the script has to make its own.
            .filter(|entry| !entry.lines().any(|l| l.starts_with("#xmmep.tcp.port") || l.starts_with("#xmmep.udp.port")))
            .flat_map(|entry| entry.lines().map(String::from))
            .collect();
    }
    let lines = out
        .stdout
        .lines()
        .filter(|l| l.split('\t').any(|c| c == "xmmep" || c.starts_with("xmmep.")))
        // Plugin-only: the secondary conversations' protocol, fields, expert.
        .filter(|l| !l.split('\t').any(xmmep_core::conversations::is_plugin_only));
    if report == "heuristic-decodes" {
        // Wireshark 4.4 and later add each heuristic's title, which the Lua
        // API cannot set (it uses the protocol's short name); docs/lua.md
        // lists this difference. Everything before the title must agree.
        return lines.map(|l| l.rsplit_once('\t').map_or(l, |(rest, _)| rest).to_string()).collect();
    }
    lines.map(String::from).collect()
}

#[test]
fn lua_registers_what_the_plugin_registers() {
    // Every text a person sees outside the packet tree: protocol names,
    // field names, labels, types and descriptions, value strings,
    // heuristics, preference titles, descriptions and defaults.
    let plugin = Tshark::with_plugin();
    let lua = Tshark::without_plugin();
    lua.install_lua(&lua_script());
    let mut differ = Vec::new();
    for report in ["protocols", "fields", "values", "heuristic-decodes", "defaultprefs"] {
        let (a, b) = (registered(&plugin, report), registered(&lua, report));
        assert!(!a.is_empty(), "the plugin registers nothing in -G {report}");
        for l in a.iter().filter(|l| !b.contains(l)) {
            differ.push(format!("-G {report}, plugin only: {l}"));
        }
        for l in b.iter().filter(|l| !a.contains(l)) {
            differ.push(format!("-G {report}, Lua only:    {l}"));
        }
    }
    assert!(differ.is_empty(), "plugin and Lua script register different texts:\n{}", differ.join("\n"));
}

#[test]
fn lua_steps_aside_when_the_plugin_is_loaded() {
    let ts = Tshark::with_plugin();
    let x = ts.lua_option();
    let cap = ts.add_file(&xmmep_testkit::captures::path("keepalive.pcapng"));
    let out = ts.run(&["-X", &x, "-r", &cap.to_string_lossy(), "-T", "fields", "-e", "xmmep.user_name"]);
    out.assert_success();
    assert!(!out.stderr.contains("Lua: Error"), "{}", out.stderr);
    assert!(!out.stdout.trim().is_empty(), "nothing decoded");
    // Decoded once, by the plugin: no message is shown twice.
    let plugin_only = Tshark::with_plugin();
    let cap2 = plugin_only.add_file(&cap);
    let alone = plugin_only.run(&["-r", &cap2.to_string_lossy(), "-T", "fields", "-e", "xmmep.user_name"]);
    assert_eq!(out.stdout, alone.stdout);
}

/// The same on messages that are almost right: every message type with
/// random values, then mutated (delimiters moved, bytes changed, removed,
/// inserted), one per datagram on a bound port, in UTF-8 and in GB18030.
#[test]
fn lua_equals_plugin_on_mutated_messages() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    use xmmep_tools::capture::net::{Net, Udp};

    let mut runner = TestRunner::deterministic();
    let mut net = Net::new(5, "mutated");
    let (c, s) = (net.host([10, 9, 0, 2]), net.host([10, 9, 0, 1]));
    let flow = Udp::new(c, 50555, s, 47600);
    for round in 0..8 {
        for def in xmmep_core::table::MESSAGES {
            let values = xmmep_testkit::values::message(def).new_tree(&mut runner).unwrap().current();
            let mut bytes = xmmep_core::codec::encode_checked(def, &values).unwrap();
            if round > 0 {
                let edits = xmmep_testkit::mutate::edits().new_tree(&mut runner).unwrap().current();
                xmmep_testkit::mutate::apply(&mut bytes, &edits);
            }
            flow.a_to_b(&mut net, &bytes, None);
        }
    }
    let [plugin, lua] = Dissector::both();
    let cap = plugin.ts.write_file("mutated.pcapng", &xmmep_testkit::pcap::pcapng(&mut net));
    for charset in ["utf8", "gb18030"] {
        let opts = ["-o", "xmmep.udp.port:47600", "-o", &format!("xmmep.charset:{charset}")];
        let a = render_with(&decode(&plugin.ts, &cap, &plugin.args(&opts)), true);
        let b = render_with(&decode(&lua.ts, &cap, &lua.args(&opts)), true);
        assert!(a.lines().count() > 8 * 43 * 3, "too little decoded");
        if let Some((i, (p, l))) = a.lines().zip(b.lines()).enumerate().find(|(_, (p, l))| p != l) {
            panic!("{charset}: line {}\nplugin: {p}\n   lua: {l}", i + 1);
        }
        assert_eq!(a.lines().count(), b.lines().count(), "{charset}");
    }
}

/// Where the tree is not shown (a display filter alone, and -T fields from
/// 4.4), the Lua script makes only the items someone asked for
/// (TreeItem:referenced), as Wireshark keeps only those. Every xmmep field
/// and expert info the plugin shows anywhere in the corpus, as a filter of
/// its own, selects the same frames with the same Info in both; a field's
/// value too where a nested field is selected under a parent not made.
#[test]
fn lua_equals_plugin_under_a_filter_without_a_shown_tree() {
    let [plugin, lua] = Dissector::both();
    // Each name once, with the first capture that shows it.
    let mut names: std::collections::BTreeMap<String, std::path::PathBuf> = Default::default();
    for cap in captures::all() {
        for m in decode(&plugin.ts, &cap, &plugin.args(&[])).iter().flat_map(|f| f.messages.iter()) {
            let fields = m.fields.iter().map(|f| f.name.as_ref()).filter(|n| !n.is_empty() && !xmmep_core::conversations::is_plugin_only(n));
            for n in fields.chain(m.experts.iter().map(|e| e.name.as_str()).filter(|n| n.starts_with("xmmep."))) {
                names.entry(n.to_string()).or_insert_with(|| cap.clone());
            }
        }
    }
    assert!(names.len() > 60, "fields and expert infos seen in the corpus: {}", names.len());
    let run = |d: &Dissector, cap: &Path, filter: &str| {
        let f = d.ts.add_file(cap).to_string_lossy().into_owned();
        let opts = xmmep_testkit::render::options_for(cap);
        let mut args = vec!["-r", f.as_str(), "-Y", filter];
        args.extend(opts.iter().map(String::as_str));
        let out = d.run(&args);
        out.assert_success();
        out.stdout
    };
    let mut differ = Vec::new();
    for (name, cap) in &names {
        let (a, b) = (run(&plugin, cap, name), run(&lua, cap, name));
        assert!(!a.is_empty(), "{name} selects nothing in {}", cap.display());
        if a != b {
            differ.push(format!("-Y {name} on {}:\nplugin:\n{a}lua:\n{b}", cap.display()));
        }
    }
    assert!(differ.is_empty(), "{} filter(s) differ:\n{}", differ.len(), differ.join("\n"));
}
