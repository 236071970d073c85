//! `xmmep.chat` through the real tshark (docs/decisions.md 51): the chat
//! numbers of the captures that hold chats, as their sessions were
//! written, the same in one pass and in two (`-2`), and the same from the
//! plugin and from the Lua script; and the Lua script's chats (`-z
//! xmmep,chats`, the text of Tools > XMMEP chats) read as the plugin's
//! Follow > XMMEP Stream.

use xmmep_testkit::captures;
use xmmep_testkit::tshark::Dissector;

/// Each frame that holds a chat message, with the chat of each of its
/// messages (as `-T fields` prints them, comma-separated); every other
/// frame has no `xmmep.chat`.
struct Expected {
    capture: &'static str,
    chats: &'static [(u32, &'static str)],
}

const EXPECTED: &[Expected] = &[
    // alice and bob_k on their own connections, each text relayed by the
    // server: client's copy and relay are both chat 0. Then a room: alice's
    // message to release-team and its three relays are alice's chat with
    // the room (1), lindawu's answer and its relays lindawu's (2).
    Expected {
        capture: "chat_relayed.pcapng",
        chats: &[
            (31, "0"),
            (32, "0"),
            (35, "0"),
            (36, "0"),
            (39, "0"),
            (40, "0"),
            (43, "0"),
            (44, "0"),
            (47, "1"),
            (48, "1"),
            (49, "1"),
            (50, "1"),
            (55, "2"),
            (56, "2"),
            (57, "2"),
            (58, "2"),
        ],
    },
    // alice and bob_k whichever writes (0, frame 27 holds two texts), alice
    // to the room rust-lovers and its relays (1), carol.z to the same room
    // (2), and alice to bob_k again at the end: still 0.
    Expected { capture: "chat_utf8.pcapng", chats: &[(24, "0"), (25, "0"), (26, "0"), (27, "0,0"), (28, "1"), (29, "1"), (30, "1"), (34, "2"), (35, "2"), (36, "2"), (40, "0")] },
    // Three offers from alice to bob_k, each with its forward, answer and
    // answer's forward: one pair, one chat, on both connections.
    Expected {
        capture: "file_transfer.pcapng",
        chats: &[(16, "0"), (17, "0"), (20, "0"), (21, "0"), (37, "0"), (38, "0"), (41, "0"), (42, "0"), (45, "0"), (46, "0"), (49, "0"), (50, "0")],
    },
];

/// Every frame and its `xmmep.chat` values, in one pass or two.
fn chats(d: &Dissector, capture: &str, two_passes: bool) -> Vec<(u32, String)> {
    let f = d.ts.add_file(&captures::path(capture)).to_string_lossy().into_owned();
    let mut args = vec!["-r", f.as_str(), "-T", "fields", "-e", "frame.number", "-e", "xmmep.chat"];
    if two_passes {
        args.push("-2");
    }
    let out = d.run(&args);
    out.assert_success();
    assert!(!out.stderr.contains("Lua: Error"), "{}", out.stderr);
    out.stdout
        .lines()
        .map(|l| {
            let (n, c) = l.split_once('\t').unwrap_or((l, ""));
            (n.parse().unwrap_or_else(|_| panic!("frame number in {l:?}")), c.to_string())
        })
        .collect()
}

#[test]
fn chats_are_numbered_as_the_sessions_were_written_in_one_pass_and_two() {
    let both = Dissector::both();
    let mut differ = Vec::new();
    for e in EXPECTED {
        let want: std::collections::BTreeMap<u32, &str> = e.chats.iter().copied().collect();
        for d in &both {
            for two in [false, true] {
                let got = chats(d, e.capture, two);
                assert!(got.len() > 40, "{}: {} frames", e.capture, got.len());
                for (n, c) in &got {
                    let expected = want.get(n).copied().unwrap_or("");
                    if c != expected {
                        let passes = if two { "two passes" } else { "one pass" };
                        differ.push(format!("{} ({}, {passes}): frame {n}: xmmep.chat {c:?}, expected {expected:?}", e.capture, d.name()));
                    }
                }
            }
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

/// A filter on a chat selects its frames alone, in both dissectors: a
/// display filter with no tree shown, where the Lua script makes only
/// the fields asked for.
#[test]
fn a_filter_on_a_chat_selects_its_frames() {
    let e = &EXPECTED[0];
    for d in Dissector::both() {
        let f = d.ts.add_file(&captures::path(e.capture)).to_string_lossy().into_owned();
        let out = d.run(&["-r", &f, "-Y", "xmmep.chat == 1", "-T", "fields", "-e", "frame.number"]);
        out.assert_success();
        let want: Vec<String> = e.chats.iter().filter(|(_, c)| *c == "1").map(|(n, _)| n.to_string()).collect();
        assert_eq!(out.stdout.lines().collect::<Vec<_>>(), want, "{}", d.name());
    }
}

/// Follow > XMMEP Stream of the plugin, every chat of `cap`, in raw mode
/// (the bytes, where ascii mode would print a dot for each non-ASCII
/// byte): chat number -> its lines.
fn followed(d: &Dissector, cap: &std::path::Path) -> std::collections::BTreeMap<u32, Vec<String>> {
    let f = d.ts.add_file(cap).to_string_lossy().into_owned();
    let opts = xmmep_testkit::render::options_for(cap);
    let run = |extra: &[&str]| {
        let mut args = vec!["-r", f.as_str()];
        args.extend(opts.iter().map(String::as_str));
        args.extend_from_slice(extra);
        let out = d.run(&args);
        out.assert_success();
        out.stdout.clone()
    };
    let numbers: std::collections::BTreeSet<u32> =
        run(&["-T", "fields", "-e", "xmmep.chat"]).split(|c: char| c.is_whitespace() || c == ',').filter_map(|n| n.parse().ok()).collect();
    let mut chats = std::collections::BTreeMap::new();
    for n in numbers {
        let out = run(&["-q", "-z", &format!("follow,xmmep,raw,{n}")]);
        // The records follow the "Node 1:" line, one hex line each (the
        // second node's indented), until the closing line of "=".
        let records = out.lines().skip_while(|l| !l.starts_with("Node 1:")).skip(1).take_while(|l| !l.starts_with("====="));
        let bytes: Vec<u8> = records.flat_map(|l| hex(l.trim())).collect();
        let text = String::from_utf8(bytes).expect("a transcript is UTF-8");
        let lines: Vec<String> = text.lines().map(String::from).collect();
        if !lines.is_empty() {
            chats.insert(n, lines);
        }
    }
    chats
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex")).collect()
}

/// The Lua script's `-z xmmep,chats` (the text of Tools > XMMEP chats):
/// chat number -> its lines.
fn lua_chats(d: &Dissector, cap: &std::path::Path) -> std::collections::BTreeMap<u32, Vec<String>> {
    let f = d.ts.add_file(cap).to_string_lossy().into_owned();
    let opts = xmmep_testkit::render::options_for(cap);
    let mut args = vec!["-r", f.as_str(), "-q", "-z", "xmmep,chats"];
    args.extend(opts.iter().map(String::as_str));
    let out = d.run(&args);
    out.assert_success();
    assert!(!out.stderr.contains("Lua: Error"), "{}", out.stderr);
    let mut chats = std::collections::BTreeMap::new();
    // A heading "Chat N: ...", its lines, an empty line.
    for block in out.stdout.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let mut lines = block.lines();
        let head = lines.next().unwrap();
        let n = head.strip_prefix("Chat ").and_then(|r| r.split(':').next()).and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("heading {head:?}"));
        chats.insert(n, lines.map(String::from).collect());
    }
    chats
}

/// The Lua script's chats window prints the lines of the plugin's Follow >
/// XMMEP Stream, chat by chat (docs/decisions.md 53, 54).
#[test]
fn lua_chats_read_as_the_plugins_follow() {
    let [plugin, lua] = Dissector::both();
    let mut differ = Vec::new();
    for name in ["chat_relayed.pcapng", "chat_utf8.pcapng", "chat_gb18030.pcapng", "file_transfer.pcapng", "buddies.pcapng"] {
        let cap = captures::path(name);
        let (a, b) = (followed(&plugin, &cap), lua_chats(&lua, &cap));
        if name != "buddies.pcapng" {
            assert!(!a.is_empty(), "{name}: the plugin follows no chat");
        }
        if a != b {
            differ.push(format!("{name}:\nplugin's Follow: {a:#?}\nLua's chats: {b:#?}"));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n\n"));
}
