//! The plugin's records (`tshark -2 -z xmmep,records -T fields`, read by
//! `xmmep_tools::records`) rebuild, on every corpus capture, the frames that
//! the whole tree shows (`tshark -2 -T pdml`, read by `xmmep_tools::pdml`):
//! every message's fields with their depth, place and value, its expert
//! infos and the field each is on, and where and when the frame was.

use xmmep_testkit::render::options_for;
use xmmep_testkit::tshark::Dissector;
use xmmep_tools::pdml::{self, Frame};
use xmmep_tools::records;

fn frames(d: &Dissector, file: &str, how: &[String], opts: &[String]) -> Vec<Frame> {
    let mut args = vec!["-r", file, "-2"];
    args.extend(how.iter().map(String::as_str));
    args.extend(opts.iter().map(String::as_str));
    let out = d.run(&args);
    out.assert_success();
    let mut frames = Vec::new();
    if how[0] == "-T" {
        pdml::read_frames(out.stdout.as_bytes(), |f| frames.push(f)).expect("PDML");
    } else {
        records::read_frames(out.stdout_bytes.as_slice(), |f| frames.push(f)).expect("records");
    }
    frames
}

/// What the tools read of a frame: the labels of items and text-only items
/// are Wireshark's (which cuts long ones), positions in PDML are in the
/// frame's bytes (the records': in the message); these are left out.
fn tools_view(mut f: Frame) -> Frame {
    for m in &mut f.messages {
        m.pos = 0;
        for fl in &mut m.fields {
            fl.showname.clear();
            fl.pos = 0;
            if fl.name.is_empty() {
                fl.show.clear();
            }
        }
    }
    // Expert infos outside messages that the tools count (`check::report`).
    f.other_experts.retain(|x| x.name.starts_with("xmmep") || x.name == "_ws.malformed");
    f
}

#[test]
fn records_rebuild_the_two_pass_tree() {
    let d = Dissector::plugin();
    let pdml_args: Vec<String> = ["-T", "pdml"].iter().map(|s| s.to_string()).collect();
    let mut messages = 0;
    for cap in xmmep_testkit::captures::all() {
        let opts = options_for(&cap);
        let file = d.ts.add_file(&cap).to_string_lossy().into_owned();
        let want: Vec<Frame> = frames(&d, &file, &pdml_args, &opts).into_iter().map(tools_view).collect();
        let got: Vec<Frame> = frames(&d, &file, &records::tshark_args(), &opts).into_iter().map(tools_view).collect();
        assert_eq!(got.len(), want.len(), "{}: frames", cap.display());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.messages.len(), w.messages.len(), "{} frame {}: messages", cap.display(), w.number);
            for (gm, wm) in g.messages.iter().zip(&w.messages) {
                assert_eq!(gm.name(), wm.name(), "{} frame {}", cap.display(), w.number);
                assert_eq!(gm.fields, wm.fields, "{} frame {}: fields", cap.display(), w.number);
                assert_eq!(gm.experts, wm.experts, "{} frame {}: expert infos", cap.display(), w.number);
                messages += 1;
            }
            assert_eq!(g, w, "{} frame {}", cap.display(), w.number);
        }
    }
    assert!(messages > 300, "{messages} messages");
}
