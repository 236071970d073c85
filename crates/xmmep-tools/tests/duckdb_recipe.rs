//! The DuckDB recipe of docs/tools.md: xmmep-export's JSON Lines of the whole
//! corpus loaded into DuckDB (Python package `duckdb`) by
//! scripts/duckdb-logins.py, which answers "failed logins per user per
//! hour"; its answer is checked against the same question answered here
//! from the rows themselves.
//!
//! The Python used is `$XMMEP_PYTHON`, else `python3`. scripts/test.sh
//! installs duckdb and sets XMMEP_REQUIRE_DUCKDB=1, so that under it the
//! test cannot skip; a bare `cargo test` without duckdb skips with a note.

use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;
use xmmep_testkit::tshark::Tshark;

fn python() -> String {
    std::env::var("XMMEP_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

#[test]
fn failed_logins_per_user_per_hour() {
    let has_duckdb = Command::new(python()).args(["-c", "import duckdb"]).status().is_ok_and(|s| s.success());
    if !has_duckdb {
        assert!(std::env::var_os("XMMEP_REQUIRE_DUCKDB").is_none(), "{} cannot import duckdb (pip install duckdb)", python());
        eprintln!("skipped: {} cannot import duckdb (pip install duckdb, or run scripts/test.sh)", python());
        return;
    }
    let ts = Tshark::with_plugin();
    let tshark = ts.wrapper_script();
    let out = ts.home().join("corpus.jsonl");
    let corpus = xmmep_testkit::captures::dir();
    let o = Command::new(env!("CARGO_BIN_EXE_xmmep-export"))
        .args(["--tshark", tshark.to_str().unwrap(), "--fail-on", "never", "-o", out.to_str().unwrap(), corpus.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();

    // The question answered from the rows: pair each request with the first
    // later response of the same capture that goes back to where it came from.
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let mut expected: BTreeMap<(String, String), [u64; 3]> = BTreeMap::new();
    for req in rows.iter().filter(|r| r["msg_type"] == 110 || r["msg_type"] == 112) {
        let res = rows
            .iter()
            .filter(|r| (r["msg_type"] == 111 || r["msg_type"] == 113) && r["file"] == req["file"])
            .filter(|r| r["src"] == req["dst"] && r["dst"] == req["src"] && s(&r["time"]) >= s(&req["time"]))
            .min_by_key(|r| s(&r["time"]));
        let time = s(&req["time"]);
        let hour = format!("{} {}:00", &time[..10], &time[11..13]);
        let e = expected.entry((hour, s(&req["fields"]["user_name"]))).or_default();
        e[0] += u64::from(req["msg_type"] == 112);
        match res {
            Some(r) if r["fields"]["result"] != "RESULT_SUCCESS" => e[1] += 1,
            Some(_) => {}
            None => e[2] += 1,
        }
    }
    assert!(expected.values().any(|e| e[1] > 0), "the corpus has a failed login step");

    let script = xmmep_testkit::root().join("scripts/duckdb-logins.py");
    let o = Command::new(python()).arg(&script).arg(&out).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("hour\tuser\tlogins\tfailed\tunanswered"));
    let mut got = BTreeMap::new();
    for l in lines {
        let c: Vec<&str> = l.split('\t').collect();
        assert_eq!(c.len(), 5, "{l}");
        let n = |i: usize| c[i].parse::<u64>().unwrap();
        got.insert((c[0].to_string(), c[1].to_string()), [n(2), n(3), n(4)]);
    }
    assert_eq!(got, expected);
}
