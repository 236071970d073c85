//! Follow > XMMEP Stream (`tshark -z follow,xmmep,ascii,N`) and the XMMEP
//! Conversations and Endpoints tab (`-z conv,xmmep`, `-z endpoints,xmmep`)
//! in the real tshark with the plugin, against reviewed output in
//! tests/golden/chat_views/. Every chat (`xmmep.chat`) of a capture is
//! followed. To update after a deliberate change, run `XMMEP_BLESS=1 cargo
//! test --release --test chat_views` and READ the diff before committing
//! it; a release whose tshark lays its tables out otherwise gets its own
//! file (`NAME.MAJOR.MINOR.txt`).

use std::collections::BTreeSet;
use std::path::Path;

use xmmep_testkit::captures;
use xmmep_testkit::tshark::{wireshark_version, Tshark};

/// The captures with chats.
const CAPTURES: &[&str] = &["chat_relayed.pcapng", "chat_utf8.pcapng", "file_transfer.pcapng"];

fn text(ts: &Tshark, cap: &str, args: &[&str]) -> String {
    let mut all = vec!["-r", cap];
    all.extend_from_slice(args);
    ts.run(&all).assert_success().stdout.clone()
}

fn report(ts: &Tshark, cap: &Path) -> String {
    let file = ts.add_file(cap);
    let file = file.to_str().unwrap();
    let chats: BTreeSet<u32> = text(ts, file, &["-T", "fields", "-e", "xmmep.chat"]).split(|c: char| c.is_whitespace() || c == ',').filter_map(|n| n.parse().ok()).collect();
    assert!(!chats.is_empty(), "{} has no chat", cap.display());
    let mut out = String::new();
    for n in &chats {
        out += &text(ts, file, &["-q", "-z", &format!("follow,xmmep,ascii,{n}")]);
    }
    out += &text(ts, file, &["-q", "-z", "conv,xmmep", "-z", "endpoints,xmmep"]);
    out
}

#[test]
fn chats_read_as_reviewed() {
    let ts = Tshark::with_plugin();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("XMMEP_BLESS").is_some();
    let mut stale = Vec::new();
    for name in CAPTURES {
        // tshark formats its tables differently in some releases (4.6
        // writes units in Endpoints): such a release has its own file.
        let (major, minor) = wireshark_version();
        let common = root.join("tests/golden/chat_views").join(name).with_extension("txt");
        let own = common.with_extension(format!("{major}.{minor}.txt"));
        let golden = if own.exists() { own.clone() } else { common.clone() };
        let got = format!("# tests/captures/{name}\n{}", report(&ts, &captures::path(name)));
        if bless {
            std::fs::create_dir_all(common.parent().unwrap()).unwrap();
            let same = std::fs::read_to_string(&common).ok().as_deref() == Some(got.as_str());
            if !same && common.exists() {
                std::fs::write(&own, &got).unwrap();
            } else {
                std::fs::write(&common, &got).unwrap();
            }
        } else if std::fs::read_to_string(&golden).ok().as_deref() != Some(got.as_str()) {
            stale.push(format!("{}:\n{got}", golden.display()));
        }
    }
    assert!(stale.is_empty(), "output differs from the reviewed files (XMMEP_BLESS=1 to update, then read the diff):\n{}", stale.join("\n"));
}
