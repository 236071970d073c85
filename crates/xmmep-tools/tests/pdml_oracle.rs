//! The oracle of `xmmep-export` and `xmmep-check`: on every corpus capture,
//! with the plugin and with the built-in Lua script, what each tool writes
//! (JSON Lines, CSV, the check's JSON and text reports) equals, value for
//! value, what tshark's full tree shows of the capture decoded in two
//! passes (`tshark -2 -T pdml`, every link the whole capture gives), made
//! into rows and a summary by the same row and summary types.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use serde_json::Value;
use xmmep_testkit::render::options_for;
use xmmep_testkit::tshark::Dissector;
use xmmep_tools::check::report::Summary;
use xmmep_tools::export;
use xmmep_tools::pdml::{self, Frame};

fn tool(bin: &str, args: &[String]) -> Output {
    Command::new(bin).args(args).output().unwrap_or_else(|e| panic!("run {bin}: {e}"))
}

/// The frames of `file` as `tshark -2 -T pdml` shows them with `d`.
fn oracle_frames(d: &Dissector, file: &str, opts: &[String]) -> Vec<Frame> {
    let mut args = vec!["-r", file, "-2", "-T", "pdml"];
    args.extend(opts.iter().map(String::as_str));
    let out = d.run(&args);
    out.assert_success();
    let mut frames = Vec::new();
    pdml::read_frames(out.stdout.as_bytes(), |f| frames.push(f)).expect("PDML");
    frames
}

/// The corpus captures, copied where tshark's user reads them, grouped by
/// the tshark options they need (`-o xmmep.charset:gb18030`).
fn corpus(d: &Dissector) -> BTreeMap<Vec<String>, Vec<String>> {
    let mut groups: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    for cap in xmmep_testkit::captures::all() {
        let copy = d.ts.add_file(&cap).to_string_lossy().into_owned();
        groups.entry(options_for(&cap)).or_default().push(copy);
    }
    groups
}

/// `-o PREF` as the tools take it (`-O PREF`).
fn tool_prefs(opts: &[String]) -> Vec<String> {
    opts.chunks(2).flat_map(|p| ["-O".to_string(), p[1].clone()]).collect()
}

fn compare(d: &Dissector) {
    let wrapper = d.ts.wrapper_script().to_string_lossy().into_owned();
    let mut common = vec!["--tshark".to_string(), wrapper, "--jobs".into(), "1".into()];
    if d.is_lua() {
        common.push("--lua".into());
    }
    let mut checked = 0;
    for (opts, caps) in corpus(d) {
        let files = caps;
        let frames: Vec<Vec<Frame>> = files.iter().map(|f| oracle_frames(d, f, &opts)).collect();

        // Export, JSON Lines and CSV.
        let mut want_jsonl = Vec::new();
        let columns = export::csv_columns();
        let mut csv = csv::Writer::from_writer(Vec::new());
        csv.write_record(&columns).unwrap();
        for (file, frames) in files.iter().zip(&frames) {
            for f in frames {
                for (row, m) in export::rows(file, f).iter().zip(&f.messages) {
                    want_jsonl.push(serde_json::to_value(row).unwrap());
                    csv.write_byte_record(&export::csv_record(row, m, &columns)).unwrap();
                }
            }
        }
        let want_csv = String::from_utf8(csv.into_inner().unwrap()).unwrap();
        let mut args = common.clone();
        args.extend(["--fail-on".into(), "never".into()]);
        args.extend(tool_prefs(&opts));
        args.extend(files.iter().cloned());
        let o = tool(env!("CARGO_BIN_EXE_xmmep-export"), &args);
        assert_eq!(o.status.code(), Some(0), "{}: {}", d.name(), String::from_utf8_lossy(&o.stderr));
        let got: Vec<Value> = String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
        assert_eq!(got.len(), want_jsonl.len(), "{}: rows of {files:?}", d.name());
        for (g, w) in got.iter().zip(&want_jsonl) {
            assert_eq!(g, w, "{}: a JSON Lines row", d.name());
        }
        let mut args_csv = args.clone();
        args_csv.splice(0..0, ["--format".to_string(), "csv".to_string()]);
        let o = tool(env!("CARGO_BIN_EXE_xmmep-export"), &args_csv);
        assert_eq!(o.status.code(), Some(0), "{}: {}", d.name(), String::from_utf8_lossy(&o.stderr));
        let got_csv = String::from_utf8_lossy(&o.stdout);
        for (g, w) in got_csv.lines().zip(want_csv.lines()) {
            assert_eq!(g, w, "{}: a CSV line", d.name());
        }
        assert_eq!(got_csv.lines().count(), want_csv.lines().count(), "{}: CSV lines", d.name());

        // Check, JSON and text (verbose: every problem).
        let mut summary = Summary::new("warning");
        summary.files = files.clone();
        for (file, frames) in files.iter().zip(&frames) {
            for f in frames {
                summary.add_frame(file, f).unwrap();
            }
        }
        let json = d.ts.home().join("check.json");
        let mut args = common.clone();
        args.extend(["--verbose".into(), "--json".into(), json.to_string_lossy().into_owned()]);
        args.extend(opts.iter().cloned());
        args.extend(files.iter().cloned());
        let o = tool(env!("CARGO_BIN_EXE_xmmep-check"), &args);
        let code = if summary.failing > 0 { 1 } else { 0 };
        assert_eq!(o.status.code(), Some(code), "{}: {}", d.name(), String::from_utf8_lossy(&o.stderr));
        assert_eq!(String::from_utf8_lossy(&o.stdout), summary.text(true).unwrap(), "{}: check's text report", d.name());
        let got: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(got, serde_json::to_value(&summary).unwrap(), "{}: check's JSON report", d.name());
        checked += files.len();
    }
    assert_eq!(checked, xmmep_testkit::captures::all().len());
    assert!(checked > 30, "the corpus: {checked} captures");
}

#[test]
fn the_tools_equal_the_two_pass_tree_with_the_plugin() {
    compare(&Dissector::plugin());
}

#[test]
fn the_tools_equal_the_two_pass_tree_with_the_lua_script() {
    compare(&Dissector::lua());
}
