//! The progress bar of xmmep-check and xmmep-export shows on stderr when it
//! is a terminal (here a pseudo-terminal made by util-linux `script`), and
//! is cleared at the end; with stderr not a terminal, nothing is written
//! (checked in tests/xmmep_check.rs and tests/xmmep_export.rs).

use std::process::Command;

use xmmep_testkit::tshark::Tshark;

#[test]
fn a_bar_on_a_terminal() {
    // tshark as the tests run it (unprivileged, with the built plugin): as
    // root, Wireshark 4.4 and later run no Lua script.
    let ts = Tshark::with_plugin();
    let tshark = ts.wrapper_script();
    let cap = ts.add_file(&xmmep_testkit::captures::path("login.pcapng"));
    let out = std::env::temp_dir().join(format!("xmmep-progress-{}.jsonl", std::process::id()));
    for cmd in [
        format!("{} --tshark {} --fail-on never -o {} {}", env!("CARGO_BIN_EXE_xmmep-export"), tshark.display(), out.display(), cap.display()),
        format!("{} --tshark {} --lua {} > /dev/null", env!("CARGO_BIN_EXE_xmmep-check"), tshark.display(), cap.display()),
    ] {
        let o = Command::new("script").args(["-qec", &cmd, "/dev/null"]).output().expect("util-linux script");
        let tty = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{cmd}: {tty}");
        assert!(tty.contains("/1 captures, "), "no progress bar from {cmd}: {tty:?}");
        // Cleared at the end: the last thing written erases the line.
        assert!(tty.trim_end_matches(['\r', '\n']).ends_with("\u{1b}[2K") || tty.ends_with("\r"), "{tty:?}");
    }
    assert!(std::fs::metadata(&out).unwrap().len() > 0);
    let _ = std::fs::remove_file(&out);
}
