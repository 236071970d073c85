//! Before decoding, `xmmep-check` and `xmmep-export` prove that the tshark
//! they run decodes XMMEP (a probe capture of one message), and exit 2 with
//! the reason and the way out when it does not: a tshark with XMMEP
//! disabled, and, on Wireshark 4.4 and later, root with only the Lua
//! script. A capture in which tshark sees TCP or UDP payload but no XMMEP
//! gets a warning on stderr, its exit code unchanged.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output};

use xmmep_testkit::tshark::{self, Tshark};
use xmmep_tools::capture::{net, pcapng};

const TOOLS: [(&str, &str); 2] = [("xmmep-check", env!("CARGO_BIN_EXE_xmmep-check")), ("xmmep-export", env!("CARGO_BIN_EXE_xmmep-export"))];

fn run(exe: &str, args: &[&str]) -> Output {
    Command::new(exe).args(args).output().expect("run the tool")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A tshark that decodes with XMMEP disabled: the tests' tshark with
/// `--disable-protocol xmmep` added to every decode (not to `-G`, which
/// must come first).
fn disabling_wrapper(ts: &Tshark) -> PathBuf {
    let p = ts.home().join("tshark-xmmep-disabled.sh");
    let inner = ts.wrapper_script();
    let script = format!("#!/bin/sh\n[ \"$1\" = -r ] && exec {0} \"$@\" --disable-protocol xmmep\nexec {0} \"$@\"\n", inner.display());
    std::fs::write(&p, script).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

fn keepalive(ts: &Tshark) -> String {
    ts.add_file(&xmmep_testkit::captures::path("keepalive.pcapng")).to_string_lossy().into_owned()
}

/// Exit 2, nothing on stdout, and a message naming the reason and the way out.
fn assert_refused(name: &str, o: &Output, reason: &str, way_out: &str) {
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{name}: {err}");
    assert!(o.stdout.is_empty(), "{name}: {}", text(&o.stdout));
    assert!(err.starts_with(&format!("{name}: ")) && err.contains("decodes no XMMEP: a probe capture of one MSG_KEEP_ALIVE came back without it"), "{name}: {err}");
    assert!(err.contains(reason), "{name}: {err}");
    assert!(err.contains(way_out), "{name}: {err}");
    assert_eq!(err.lines().count(), 1, "{name}: {err}");
}

#[test]
fn xmmep_disabled_exits_2() {
    for (plugin, lua) in [(true, false), (true, true), (false, false)] {
        let ts = if plugin { Tshark::with_plugin() } else { Tshark::without_plugin() };
        let cap = keepalive(&ts);
        let (good, off) = (ts.wrapper_script(), disabling_wrapper(&ts));
        for (name, exe) in TOOLS {
            let mut args = vec!["--tshark", good.to_str().unwrap()];
            if lua {
                args.push("--lua");
            }
            args.push(&cap);
            // The same command with XMMEP enabled decodes.
            let o = run(exe, &args);
            assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o.stderr));
            assert!(text(&o.stdout).contains("MSG_KEEP_ALIVE"), "{name}: {}", text(&o.stdout));
            args[1] = off.to_str().unwrap();
            let o = run(exe, &args);
            let (reason, way_out) = match (plugin, lua) {
                (true, false) => ("the xmmep.so plugin is loaded, so XMMEP is disabled (--disable-protocol xmmep", "Enable them, or name another tshark with --tshark PATH"),
                (true, true) => ("the built-in Lua script (--lua) decoded nothing", "or name a tshark that decodes XMMEP with --tshark PATH"),
                _ => ("no xmmep.so plugin is loaded, and the built-in Lua script decoded nothing", "Install the plugin system-wide"),
            };
            assert_refused(name, &o, reason, way_out);
        }
    }
    // No output file is left behind either.
    let ts = Tshark::with_plugin();
    let out = ts.home().join("rows.jsonl");
    let o = run(TOOLS[1].1, &["--tshark", disabling_wrapper(&ts).to_str().unwrap(), "-o", out.to_str().unwrap(), &keepalive(&ts)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
}

/// The real tshark as this process's user, with whatever is installed
/// system-wide. As root on Wireshark 4.4 and later with no plugin installed
/// (the version roots of the tests), only the Lua script is left, which
/// tshark refuses as root: exit 2. Elsewhere (4.0 runs Lua as root; a
/// normal user runs it too; a plugin installed system-wide) it decodes.
#[test]
fn root_with_only_the_lua_script() {
    let cap = xmmep_testkit::captures::path("keepalive.pcapng");
    let cap = cap.to_str().unwrap();
    let plugins = Command::new("tshark").args(["-G", "plugins"]).output().expect("tshark");
    let system_plugin = text(&plugins.stdout).lines().any(|l| l.starts_with("xmmep.so"));
    let refused = tshark::is_root() && tshark::wireshark_version() >= (4, 4) && !system_plugin;
    for (name, exe) in TOOLS {
        for lua in [false, true] {
            let args: &[&str] = if lua { &["--lua", cap] } else { &[cap] };
            let o = run(exe, args);
            if refused {
                let reason = if lua { "the built-in Lua script (--lua) decoded nothing" } else { "no xmmep.so plugin is loaded, and the built-in Lua script decoded nothing" };
                assert_refused(name, &o, reason, "Wireshark 4.4 and later run no Lua script as root");
                assert!(text(&o.stderr)
                    .contains("Install the plugin system-wide (bash scripts/run.sh as root), run as a normal user, or name a tshark that decodes XMMEP with --tshark PATH"));
            } else {
                assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o.stderr));
                assert!(text(&o.stdout).contains("MSG_KEEP_ALIVE"), "{name}: {}", text(&o.stdout));
            }
        }
    }
}

fn write_capture(ts: &Tshark, name: &str, packets: &[pcapng::Packet]) -> String {
    ts.write_file(name, &pcapng::to_bytes(name, packets)).to_string_lossy().into_owned()
}

#[test]
fn payload_without_xmmep_warns() {
    let ts = Tshark::with_plugin();
    let tshark = ts.wrapper_script();
    let other = ts.add_file(&xmmep_testkit::captures::path("non_xmmep.pcapng")).to_string_lossy().into_owned();
    // TCP without payload: a handshake and a close. Nothing to warn about.
    let mut n = net::Net::new(1, "handshake");
    let (c, s) = (n.host([198, 51, 100, 23]), n.host([203, 0, 113, 10]));
    let mut tcp = net::Tcp::connect(&mut n, c, s, 6620);
    tcp.close(&mut n, net::Side::Client);
    let empty = write_capture(&ts, "handshake.pcapng", &n.take_packets());
    let with_payload = ts.run(&["-r", &other, "-Y", "tcp.payload || udp.payload"]).assert_success().stdout.lines().count();
    assert!(with_payload > 10, "{with_payload}");
    for (name, exe) in TOOLS {
        let o = run(exe, &["--tshark", tshark.to_str().unwrap(), &other, &empty]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", text(&o.stderr));
        let err = text(&o.stderr);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{name}: one warning, for the capture with payload: {err}");
        let start = format!("{name}: warning: {other}: no XMMEP, although {with_payload} frame(s) carry TCP or UDP payload; ");
        assert!(lines[0].starts_with(&start), "{name}: {err}");
        assert!(lines[0].contains("-d tcp.port==PORT,xmmep"), "{name}: {err}");
    }
}
