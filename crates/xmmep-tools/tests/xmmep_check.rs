//! `xmmep-check`, the conformance check for users' CI: exit codes, the
//! per-problem lines, the summary tables and JSON, with the binary plugin
//! and with the built-in Lua script.

use std::process::{Command, Output};

use xmmep_testkit::tshark::Tshark;

fn capture(ts: &Tshark, rel: &str) -> String {
    ts.add_file(&xmmep_testkit::captures::path(rel)).to_string_lossy().into_owned()
}

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xmmep-check")).args(args).output().expect("run xmmep-check")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn exit_codes_with_the_plugin() {
    let ts = Tshark::with_plugin();
    let tshark = ts.wrapper_script();
    let tshark = tshark.to_str().unwrap();
    let clean = capture(&ts, "keepalive.pcapng");
    let login = capture(&ts, "login.pcapng");
    let bad = capture(&ts, "malformed/bad_boolean.pcapng");

    let o = check(&["--tshark", tshark, &clean]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("MSG_KEEP_ALIVE"), "{}", stdout(&o));
    assert!(String::from_utf8_lossy(&o.stderr).is_empty(), "the plugin is used, not the Lua fallback");

    // The clear-text password is a note: below the default threshold, so
    // not printed unless --verbose, but counted in the tables.
    let o = check(&["--tshark", tshark, &login]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!stdout(&o).contains("Password sent in clear text"), "{}", stdout(&o));
    assert!(stdout(&o).contains("xmmep.cleartext_password"), "{}", stdout(&o));
    let o = check(&["--tshark", tshark, "--verbose", &login]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("MSG_LOGIN_REQ: Password sent in clear text [note"), "{}", stdout(&o));
    let o = check(&["--tshark", tshark, "--fail-on", "note", &login]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("MSG_LOGIN_REQ: Password sent in clear text"), "{}", stdout(&o));

    let json = ts.home().join("report.json");
    let o = check(&["--tshark", tshark, "--json", json.to_str().unwrap(), &clean, &bad]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    let line = format!("{bad}:7: MSG_TXT_MSG: Room message is \"true\", not '0' or '1' [error xmmep.bad_boolean]");
    assert!(out.lines().any(|l| l == line), "{out}");
    assert!(out.contains("xmmep.bad_boolean                     error          1"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["failing"], 1);
    assert_eq!(v["problems"][0]["class"], "xmmep.bad_boolean");
    assert_eq!(v["problems"][0]["frame"], 7);
    assert_eq!(v["by_message"]["MSG_TXT_MSG"]["problems"], 1);
    assert_eq!(v["files"].as_array().unwrap().len(), 2);

    // Errors only: a warning passes, an error fails.
    let warn = capture(&ts, "malformed/unknown_enum.pcapng");
    assert_eq!(check(&["--tshark", tshark, "--fail-on", "error", &warn]).status.code(), Some(0));
    assert_eq!(check(&["--tshark", tshark, "--fail-on", "error", &bad]).status.code(), Some(1));
}

#[test]
fn every_malformed_capture_fails() {
    let ts = Tshark::with_plugin();
    let tshark = ts.wrapper_script();
    for class in xmmep_core::reports::CLASSES.iter().filter(|c| c.abbrev != "internal_error") {
        let cap = capture(&ts, &format!("malformed/{}.pcapng", class.abbrev));
        let o = check(&["--tshark", tshark.to_str().unwrap(), "--fail-on", "note", &cap]);
        assert_eq!(o.status.code(), Some(1), "{}: {}", class.abbrev, stdout(&o));
        assert!(stdout(&o).contains(&format!("[{} xmmep.{}]", class.severity.name(), class.abbrev)), "{}", stdout(&o));
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(check(&[]).status.code(), Some(2));
    assert_eq!(check(&["--fail-on", "loud", "x.pcapng"]).status.code(), Some(2));
    let o = check(&["--lua", "/nonexistent/capture.pcapng"]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn lua_script_finds_the_same_problems() {
    // The built-in Lua script, with no plugin anywhere: runs as root too.
    let ts = Tshark::without_plugin();
    let tshark = ts.wrapper_script();
    let cap = capture(&ts, "malformed/bad_boolean.pcapng");
    let o = check(&["--tshark", tshark.to_str().unwrap(), &cap]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(o.stderr.is_empty(), "quiet by default: {}", String::from_utf8_lossy(&o.stderr));
    let o = check(&["--tshark", tshark.to_str().unwrap(), "--verbose", &cap]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("using the built-in Lua script"));
    let line = format!("{cap}:7: MSG_TXT_MSG: Room message is \"true\", not '0' or '1' [error xmmep.bad_boolean]");
    assert!(stdout(&o).lines().any(|l| l == line), "{}", stdout(&o));
    let clean = capture(&ts, "keepalive.pcapng");
    assert_eq!(check(&["--tshark", tshark.to_str().unwrap(), "--lua", &clean]).status.code(), Some(0));
}

#[test]
fn tshark_missing_says_how_to_install_it() {
    let cap = xmmep_testkit::captures::path("keepalive.pcapng");
    let o = check(&["--tshark", "/nonexistent/bin/tshark", cap.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("xmmep-check: tshark not found: install it with apt-get install tshark"), "{err}");
    assert!(!err.contains("Lua"), "{err}");
}

#[test]
fn folders_and_jobs_give_the_same_report() {
    let ts = Tshark::with_plugin();
    let tshark = ts.wrapper_script();
    let tshark = tshark.to_str().unwrap();
    let dir = ts.home().join("caps");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["login.pcapng", "buddies.pcapng", "malformed/bad_boolean.pcapng", "malformed/unknown_enum.pcapng"] {
        let to = dir.join(name.replace('/', "_"));
        std::fs::copy(xmmep_testkit::captures::path(name), &to).unwrap();
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let one = check(&["--tshark", tshark, "--jobs", "1", dir.to_str().unwrap()]);
    let two = check(&["--tshark", tshark, "--jobs", "2", dir.to_str().unwrap()]);
    assert_eq!(one.status.code(), Some(1), "{}", stdout(&one));
    assert_eq!(stdout(&one), stdout(&two));
    assert!(stdout(&one).contains("4 file(s)"), "{}", stdout(&one));
    assert!(stdout(&one).contains("malformed_bad_boolean.pcapng:7: MSG_TXT_MSG"), "{}", stdout(&one));
    // Not a terminal: no progress bar on stderr.
    assert!(two.stderr.is_empty(), "{}", String::from_utf8_lossy(&two.stderr));
}
