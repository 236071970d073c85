//! The DuckDB recipe of docs/tools.md: xmmep-export's Parquet, and its JSON
//! Lines, of the whole corpus read by DuckDB (Python package `duckdb`) in
//! scripts/duckdb-logins.py, which answers "failed logins per user per
//! hour"; its answers are checked against the same question answered here
//! from the rows themselves.
//!
//! The Python used is `$XMMEP_PYTHON`, else `python3`. scripts/test.sh
//! installs duckdb and sets XMMEP_REQUIRE_DUCKDB=1, so that under it the
//! test cannot skip; a bare `cargo test` without duckdb skips with a note.

mod logins;

use std::process::Command;

use logins::python;
use xmmep_testkit::tshark::Tshark;

#[test]
fn failed_logins_per_user_per_hour() {
    if !logins::can_import("duckdb") {
        assert!(std::env::var_os("XMMEP_REQUIRE_DUCKDB").is_none(), "{} cannot import duckdb (pip install duckdb)", python());
        eprintln!("skipped: {} cannot import duckdb (pip install duckdb, or run scripts/test.sh)", python());
        return;
    }
    let ts = Tshark::with_plugin();
    let expected = logins::expected(&ts);
    let script = xmmep_testkit::root().join("scripts/duckdb-logins.py");
    for (format, name) in [("parquet", "corpus.parquet"), ("jsonl", "corpus.jsonl")] {
        let out = ts.home().join(name);
        logins::export_corpus(&ts, format, &out);
        let o = Command::new(python()).arg(&script).arg(&out).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(logins::answer(&String::from_utf8_lossy(&o.stdout)), expected, "{format}");
    }
}
