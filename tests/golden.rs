//! Golden decode output: every capture of tests/captures decoded by tshark
//! with the plugin, rendered as stable text and compared with the reviewed
//! file in tests/golden/. To update after a deliberate change, run
//! `XMMEP_BLESS=1 cargo test --release --test golden` and READ the diff
//! before committing it.

use std::path::Path;

use xmmep_testkit::captures;
use xmmep_testkit::render::{decode, render};
use xmmep_testkit::tshark::Tshark;

#[test]
fn corpus_decodes_as_reviewed() {
    let ts = Tshark::with_plugin();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("XMMEP_BLESS").is_some();
    let all = captures::all();
    assert!(all.len() >= 20, "corpus too small: {all:?}");
    let mut stale = Vec::new();
    for cap in &all {
        let rel = cap.strip_prefix(captures::dir()).unwrap();
        let golden = root.join("tests/golden").join(rel).with_extension("txt");
        let text = format!("# tests/captures/{}\n{}", rel.display(), render(&decode(&ts, cap, &[])));
        if bless {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &text).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if want != text {
            stale.push(format!("{}\n--- golden\n{want}\n--- now\n{text}", golden.display()));
        }
    }
    assert!(stale.is_empty(), "decode output differs from the golden files:\n{}", stale.join("\n"));
}
