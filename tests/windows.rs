//! The analyst windows of the plugin through the real tshark, on corpus
//! captures: File > Export Objects > XMMEP (`--export-objects xmmep,DIR`),
//! Service Response Time > XMMEP (`-z xmmep,srt`) and the XMMEP flow graph
//! (`-z flow,xmmep,standard`). Each output is compared with a reviewed file
//! under tests/golden/windows/; to update after a deliberate change, run
//! `XMMEP_BLESS=1 cargo test --release --test windows` and READ the diff.
//! The exported files are also compared byte for byte with the file data
//! the capture's TCP streams carry, read from the capture without the
//! plugin.

use std::path::{Path, PathBuf};

use xmmep_core::table;
use xmmep_testkit::captures;
use xmmep_testkit::tshark::{is_root, Tshark, NOBODY};
use xmmep_tools::capture::extract::payloads;
use xmmep_tools::capture::sessions::is_file_data;

/// Compares `text` with golden file `name` (or writes it, when blessing).
fn golden(name: &str, text: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/windows").join(name);
    if std::env::var_os("XMMEP_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(want == text, "{} differs:\n--- golden\n{want}\n--- now\n{text}", path.display());
}

/// A folder tshark (run as nobody when we are root) can write to.
fn out_dir(ts: &Tshark, name: &str) -> PathBuf {
    let d = ts.home().join(name);
    std::fs::create_dir_all(&d).unwrap();
    if is_root() {
        std::os::unix::fs::chown(&d, Some(NOBODY), Some(NOBODY)).unwrap();
    }
    d
}

/// Runs `--export-objects xmmep,DIR` on `cap` (with `extra` arguments) and
/// returns the files written, sorted by name.
fn export(ts: &Tshark, cap: &Path, dir: &str, extra: &[&str]) -> Vec<(String, Vec<u8>)> {
    let out = out_dir(ts, dir);
    let spec = format!("xmmep,{}", out.display());
    let mut args = vec!["-r", cap.to_str().unwrap(), "-q", "--export-objects", &spec];
    args.extend_from_slice(extra);
    ts.run(&args).assert_success();
    let mut files: Vec<(String, Vec<u8>)> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().path()).map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap())).collect();
    files.sort();
    files
}

#[test]
fn export_objects_are_the_files_the_connections_carried() {
    let ts = Tshark::with_plugin();
    let cap = captures::path("file_transfer.pcapng");
    let files = export(&ts, &cap, "one-pass", &[]);
    // What the data connections carried, read from the capture alone.
    let mut carried: Vec<Vec<u8>> = payloads(&std::fs::read(&cap).unwrap()).into_iter().filter(|p| p.tcp && is_file_data(&p.data)).map(|p| p.data).collect();
    let mut exported: Vec<Vec<u8>> = files.iter().map(|(_, b)| b.clone()).collect();
    carried.sort();
    exported.sort();
    assert_eq!(carried.len(), 2, "the capture has one whole file and one cut short");
    assert!(exported == carried, "the exported files are not the bytes the connections carried");
    let listing: String = files.iter().map(|(n, b)| format!("{n}\t{} bytes\n", b.len())).collect();
    golden("export_objects.txt", &format!("# tshark --export-objects xmmep,DIR -r tests/captures/file_transfer.pcapng\n{listing}"));
    // Two passes export the same.
    assert_eq!(export(&ts, &cap, "two-pass", &["-2"]), files);
}

/// `-z NAME` output of each capture, headed by the capture's name.
fn stat_outputs(ts: &Tshark, z: &str, caps: &[&str]) -> String {
    let mut text = String::new();
    for name in caps {
        let f = ts.add_file(&captures::path(name)).to_string_lossy().into_owned();
        let out = ts.run(&["-r", &f, "-q", "-z", z]);
        out.assert_success();
        text.push_str(&format!("# tshark -r tests/captures/{name} -q -z {z}\n{}", out.stdout));
    }
    text
}

#[test]
fn service_response_time_has_a_row_per_request_type() {
    let ts = Tshark::with_plugin();
    let text = stat_outputs(&ts, "xmmep,srt", &["login.pcapng", "buddies.pcapng", "file_transfer.pcapng"]);
    // Login: five logins, the refused one (RES1 alone) among them.
    assert!(text.lines().any(|l| l.split_whitespace().take(3).collect::<Vec<_>>() == ["112", "MSG_LOGIN_REQ", "5"]), "{text}");
    // File offers: one call per offer its recipient answered, in one pass
    // and in two.
    let t = &table::FILE_TRANSFER;
    let f = ts.add_file(&captures::path("file_transfer.pcapng")).to_string_lossy().into_owned();
    let filter = format!("xmmep.msg_type == {} && xmmep.transfer.answer_in", t.stages[0]);
    let answered = ts.run(&["-r", &f, "-2", "-Y", &filter, "-T", "fields", "-e", "frame.number"]).assert_success().stdout.lines().count();
    assert!(answered >= 2, "file_transfer.pcapng has answered offers");
    let offer = table::definition(t.stages[0]).unwrap().name;
    let row = [t.stages[0].to_string(), offer.to_string(), answered.to_string()];
    for pass in [&[][..], &["-2"][..]] {
        let out = ts.run(&[&["-r", f.as_str(), "-q", "-z", "xmmep,srt"][..], pass].concat());
        assert!(out.assert_success().stdout.lines().any(|l| l.split_whitespace().take(3).eq(row.iter().map(String::as_str))), "{pass:?}: no row {row:?}\n{}", out.stdout);
    }
    golden("srt.txt", &text);
}

#[test]
fn flow_graph_has_an_arrow_per_message() {
    let ts = Tshark::with_plugin();
    let text = stat_outputs(&ts, "flow,xmmep,standard", &["chat_utf8.pcapng", "login.pcapng"]);
    for label in ["LOGIN_REQ alice", "LOGIN_RES1 SUCCESS", "TXT_MSG alice->bob_k", "LOGIN_RES1 PASSWD_MISMATCH"] {
        assert!(text.contains(label), "no arrow labelled {label:?}:\n{text}");
    }
    // One arrow per message: as many as the messages tshark counts.
    for name in ["chat_utf8.pcapng", "login.pcapng"] {
        let f = ts.add_file(&captures::path(name)).to_string_lossy().into_owned();
        let types = ts.run(&["-r", &f, "-Y", "xmmep", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-e", "xmmep.msg_type"]);
        let messages: usize = types.assert_success().stdout.lines().map(|l| l.split(',').count()).sum();
        let arrows = ts.run(&["-r", &f, "-q", "-z", "flow,xmmep,standard"]).stdout.lines().filter(|l| l.contains("--->") || l.contains("<---")).count();
        assert_eq!(arrows, messages, "{name}");
    }
    golden("flow.txt", &text);
}
