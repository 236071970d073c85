//! Renders what an XMMEP dissector showed (read from tshark's PDML) as
//! stable text: one block per message, one line per field with its place,
//! expert infos under the item they belong to. Used for the golden files
//! and to compare the plugin with the Lua script.

use std::fmt::Write;
use std::path::Path;

use xmmep_tools::pdml::{self, Frame};

use super::tshark::Tshark;

/// tshark options a capture needs: GB18030 captures say so in their name.
pub fn options_for(capture: &Path) -> Vec<String> {
    let name = capture.to_string_lossy();
    if name.contains("gb18030") {
        vec!["-o".into(), "xmmep.charset:gb18030".into()]
    } else {
        Vec::new()
    }
}

pub fn render(frames: &[Frame]) -> String {
    render_with(frames, false)
}

/// As [`render`], with each field's label as tshark shows it (`showname`)
/// when `labels` is set: the tree as an analyst reads it.
pub fn render_with(frames: &[Frame], labels: bool) -> String {
    let mut o = String::new();
    for f in frames.iter().filter(|f| !f.messages.is_empty()) {
        for m in &f.messages {
            let _ = writeln!(o, "frame {}: {} @{}+{}", f.number, m.name(), m.pos, m.size);
            for x in m.experts.iter().filter(|x| x.on.is_empty()) {
                let _ = writeln!(o, "  ! {}/{} {}: {}", x.severity, x.group, x.name, x.message);
            }
            for fl in &m.fields {
                let indent = "  ".repeat(fl.depth as usize + 1);
                if fl.name.is_empty() {
                    let _ = writeln!(o, "{indent}- {} @{}+{}", fl.show, fl.pos, fl.size);
                } else {
                    let _ = writeln!(o, "{indent}{} = {} @{}+{}", fl.name, fl.show, fl.pos, fl.size);
                    if labels {
                        let _ = writeln!(o, "{indent}  \"{}\"", fl.showname);
                    }
                }
            }
            // Field-level expert infos, after the fields, naming their field
            // (PDML nests them in the field; order within a message is kept).
            for x in m.experts.iter().filter(|x| !x.on.is_empty()) {
                let _ = writeln!(o, "  ! {}/{} {} on {}: {}", x.severity, x.group, x.name, x.on, x.message);
            }
        }
        // Only problems of this dissector (frame comments are experts too).
        for x in f.other_experts.iter().filter(|x| x.name.starts_with("xmmep") || x.name == "_ws.malformed") {
            let _ = writeln!(o, "frame {}: ! {}/{} {}: {}", f.number, x.severity, x.group, x.name, x.message);
        }
    }
    o
}

/// Runs tshark on `capture` with `extra` options and reads the frames.
pub fn decode(ts: &Tshark, capture: &Path, extra: &[&str]) -> Vec<Frame> {
    let file = ts.add_file(capture);
    let f = file.to_string_lossy().into_owned();
    let opts = options_for(capture);
    let mut args: Vec<&str> = vec!["-r", &f, "-T", "pdml"];
    args.extend(opts.iter().map(String::as_str));
    args.extend_from_slice(extra);
    let out = ts.run(&args);
    out.assert_success();
    let mut frames = Vec::new();
    pdml::read_frames(out.stdout.as_bytes(), |fr| frames.push(fr)).expect("PDML");
    frames
}
