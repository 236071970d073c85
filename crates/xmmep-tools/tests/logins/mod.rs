//! "Failed logins per user per hour", the question of the DuckDB and Spark
//! recipes (scripts/duckdb-logins.py, scripts/spark-export.py), answered
//! here from xmmep-export's JSON Lines rows, and their printed answers read.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use xmmep_testkit::tshark::Tshark;

/// (hour, user) -> [logins, failed, unanswered].
pub type Answer = BTreeMap<(String, String), [u64; 3]>;

/// `$XMMEP_PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("XMMEP_PYTHON").unwrap_or_else(|_| "python3".to_string())
}

pub fn can_import(module: &str) -> bool {
    Command::new(python()).args(["-c", &format!("import {module}")]).status().is_ok_and(|s| s.success())
}

/// The whole corpus exported by xmmep-export in `format` to `out`.
pub fn export_corpus(ts: &Tshark, format: &str, out: &Path) {
    let tshark = ts.wrapper_script();
    let corpus = xmmep_testkit::captures::dir();
    let o = Command::new(env!("CARGO_BIN_EXE_xmmep-export"))
        .args(["--tshark", tshark.to_str().unwrap(), "--fail-on", "never", "--format", format, "-o", out.to_str().unwrap(), corpus.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The answer from the corpus' rows: each request paired with the first
/// later response of the same capture that goes back to where it came from.
pub fn expected(ts: &Tshark) -> Answer {
    let out: PathBuf = ts.home().join("expected.jsonl");
    export_corpus(ts, "jsonl", &out);
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let mut expected = Answer::new();
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
    expected
}

/// A recipe's printed answer: a header, then tab-separated lines.
pub fn answer(stdout: &str) -> Answer {
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("hour\tuser\tlogins\tfailed\tunanswered"), "{stdout}");
    let mut got = Answer::new();
    for l in lines {
        let c: Vec<&str> = l.split('\t').collect();
        assert_eq!(c.len(), 5, "{l}");
        let n = |i: usize| c[i].parse::<u64>().unwrap();
        got.insert((c[0].to_string(), c[1].to_string()), [n(2), n(3), n(4)]);
    }
    got
}
