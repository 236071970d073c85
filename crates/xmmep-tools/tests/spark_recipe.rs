//! The Spark recipe of docs/tools.md: scripts/spark-export.py in Spark's
//! local mode (`local[2]`) exports each corpus capture to Parquet on an
//! executor with the built xmmep-export and answers "failed logins per
//! user per hour" with Spark SQL; the answer is checked against the same
//! question answered here from the rows themselves.
//!
//! Needs `pyspark` in `$XMMEP_PYTHON` (else `python3`) and a Java runtime.
//! scripts/test.sh installs both and sets XMMEP_REQUIRE_SPARK=1, so that
//! under it the test cannot skip; a bare `cargo test` without them skips
//! with a note.

mod logins;

use std::process::Command;

use logins::python;
use xmmep_testkit::tshark::Tshark;

#[test]
fn failed_logins_per_user_per_hour_on_spark() {
    let java = Command::new("java").arg("-version").output().is_ok_and(|o| o.status.success());
    if !(java && logins::can_import("pyspark")) {
        let why = format!("{} cannot import pyspark, or no java (pip install pyspark; a Java runtime)", python());
        assert!(std::env::var_os("XMMEP_REQUIRE_SPARK").is_none(), "{why}");
        eprintln!("skipped: {why}, or run scripts/test.sh");
        return;
    }
    let ts = Tshark::with_plugin();
    let expected = logins::expected(&ts);
    let tshark = ts.wrapper_script();
    let out = ts.home().join("spark-out");
    let o = Command::new(python())
        .arg(xmmep_testkit::root().join("scripts/spark-export.py"))
        .args(["--master", "local[2]", "--xmmep-export", env!("CARGO_BIN_EXE_xmmep-export")])
        .arg(xmmep_testkit::captures::dir())
        .arg(&out)
        .args(["--", "--tshark", tshark.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert_eq!(logins::answer(&String::from_utf8_lossy(&o.stdout)), expected);
    // One Parquet file per capture, written by the executors.
    let files = std::fs::read_dir(&out).unwrap().filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "parquet")).count();
    let captures = ["pcapng", "pcap", "cap"].iter().map(|x| walk(&xmmep_testkit::captures::dir(), x)).sum::<usize>();
    assert_eq!(files, captures);
    // Spark's own logging stays quiet: no INFO or WARN line.
    assert!(!stderr.lines().any(|l| l.contains(" INFO ") || l.contains(" WARN ")), "{stderr}");
}

fn walk(dir: &std::path::Path, ext: &str) -> usize {
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).map(|p| if p.is_dir() { walk(&p, ext) } else { usize::from(p.extension().is_some_and(|x| x == ext)) }).sum()
}
