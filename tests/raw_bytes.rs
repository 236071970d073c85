//! `xmmep.raw` (the preference `xmmep.raw` on): each message's bytes as a
//! hidden field, the same from the plugin and the Lua script, one per
//! message the tree shows, as long as the message; absent with the
//! preference off (the default).

use xmmep_core::codec::parse_header;
use xmmep_testkit::render::options_for;
use xmmep_testkit::tshark::Dissector;
use xmmep_tools::pdml;

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len() / 2).map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap()).collect()
}

/// Per frame: the frame number and the raw bytes of each message.
fn raw_of(d: &Dissector, file: &str, opts: &[String], on: bool) -> Vec<(u32, Vec<Vec<u8>>)> {
    let mut args = vec!["-r", file, "-T", "fields", "-e", "frame.number", "-e", "xmmep.raw"];
    if on {
        args.extend(["-o", "xmmep.raw:TRUE"]);
    }
    args.extend(opts.iter().map(String::as_str));
    let out = d.run(&args);
    out.assert_success();
    out.stdout
        .lines()
        .map(|l| {
            let (n, raw) = l.split_once('\t').unwrap_or((l, ""));
            let raws = if raw.is_empty() { Vec::new() } else { raw.split(',').map(unhex).collect() };
            (n.parse().unwrap(), raws)
        })
        .collect()
}

#[test]
fn every_message_has_its_bytes_with_the_preference_on() {
    let [plugin, lua] = Dissector::both();
    let mut messages = 0;
    for cap in xmmep_testkit::captures::all() {
        let opts = options_for(&cap);
        let mut seen = Vec::new();
        for d in [&plugin, &lua] {
            let file = d.ts.add_file(&cap).to_string_lossy().into_owned();
            let raw = raw_of(d, &file, &opts, true);
            // Off by default: no bytes.
            assert!(raw_of(d, &file, &opts, false).iter().all(|(_, r)| r.is_empty()), "{}: {}", d.name(), cap.display());
            if d.is_lua() {
                // The same as the plugin's, checked below.
                seen.push(raw);
                continue;
            }
            let mut args = vec!["-r", file.as_str(), "-T", "pdml"];
            args.extend(opts.iter().map(String::as_str));
            let out = d.run(&args);
            out.assert_success();
            let mut frames = Vec::new();
            pdml::read_frames(out.stdout.as_bytes(), |f| frames.push(f)).unwrap();
            assert_eq!(raw.len(), frames.len(), "{}: {}", d.name(), cap.display());
            for ((n, raws), f) in raw.iter().zip(&frames) {
                let what = format!("{}: {} frame {n}", d.name(), cap.display());
                assert_eq!(*n, f.number, "{what}");
                assert_eq!(raws.len(), f.messages.len(), "{what}: one xmmep.raw per message");
                for (r, m) in raws.iter().zip(&f.messages) {
                    assert_eq!(r.len() as u32, m.size, "{what}: as long as the message");
                    if let Some(t) = m.field("xmmep.msg_type") {
                        assert_eq!(parse_header(r).map(|h| h.msg_type.to_string()), Some(t.show.clone()), "{what}: its header");
                    }
                }
                messages += raws.len();
            }
            seen.push(raw);
        }
        assert_eq!(seen[0], seen[1], "plugin and Lua: {}", cap.display());
    }
    assert!(messages > 400, "the corpus: {messages} messages");
}
