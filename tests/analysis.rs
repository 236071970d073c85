//! The analysis across messages through the real tshark, plugin and Lua:
//! one pass and two passes agree but for what needs the whole capture
//! (docs/decisions.md 41), the Lua script shows the same links as the
//! plugin in two passes too, and the sample captures' login, status fan-out
//! and file transfers are linked as their sessions were written.

use std::collections::BTreeMap;
use std::path::Path;

use xmmep_testkit::captures;
use xmmep_testkit::render::{decode, render_with};
use xmmep_testkit::tshark::{Dissector, Tshark};

/// What only a pass over the whole capture can know: a request's answer,
/// an original's forwards, a transfer's later stages and outcome, an
/// unanswered request.
fn needs_whole_capture(line: &str) -> bool {
    let t = line.trim_start();
    ["xmmep.response_in =", "xmmep.response_end_in =", "xmmep.forwarded_in =", "xmmep.forward_count =", "xmmep.transfer =", "xmmep.transfer.", "xmmep.no_response:"]
        .iter()
        .any(|p| t.starts_with(p) || t.contains(&format!(" {p}")))
}

fn rendered(ts: &Tshark, cap: &Path, extra: &[&str]) -> String {
    let mut frames = decode(ts, cap, extra);
    for m in frames.iter_mut().flat_map(|f| f.messages.iter_mut()) {
        m.fields.retain(|fl| !xmmep_core::conversations::is_plugin_only(&fl.name));
    }
    render_with(&frames, true)
}

/// `s` without those lines, and without the label lines (`"..."`) of the
/// items they remove.
fn without_whole_capture(s: &str) -> String {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut out = Vec::new();
    let mut removed: Option<usize> = None;
    for l in s.lines() {
        if let Some(i) = removed {
            if indent(l) > i && l.trim_start().starts_with('"') {
                continue;
            }
            removed = None;
        }
        if needs_whole_capture(l) {
            removed = Some(indent(l));
            continue;
        }
        out.push(l);
    }
    out.join("\n")
}

fn first_difference(a: &str, b: &str) -> String {
    let i = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(a.lines().count().min(b.lines().count()));
    let ctx = |s: &str| s.lines().skip(i.saturating_sub(3)).take(7).collect::<Vec<_>>().join("\n");
    format!("line {}\n--- first\n{}\n--- second\n{}", i + 1, ctx(a), ctx(b))
}

#[test]
fn one_pass_and_two_passes_agree_but_for_the_whole_capture() {
    let both = Dissector::both();
    let mut differ = Vec::new();
    let mut found_more = 0;
    for cap in captures::all() {
        for d in &both {
            let one = rendered(&d.ts, &cap, &d.args(&[]));
            let two = rendered(&d.ts, &cap, &d.args(&["-2"]));
            if two != one {
                found_more += 1;
            }
            let (a, b) = (without_whole_capture(&one), without_whole_capture(&two));
            if a != b {
                differ.push(format!("{} ({}): {}", cap.display(), d.name(), first_difference(&a, &b)));
            }
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n\n"));
    // The second pass does add what only it can know.
    assert!(found_more >= 4, "{found_more}");
}

#[test]
fn lua_equals_plugin_in_two_passes() {
    let [plugin, lua] = Dissector::both();
    let mut differ = Vec::new();
    for cap in captures::all() {
        let a = rendered(&plugin.ts, &cap, &plugin.args(&["-2"]));
        let b = rendered(&lua.ts, &cap, &lua.args(&["-2"]));
        if a != b {
            differ.push(format!("{}: {}", cap.display(), first_difference(&a, &b)));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n\n"));
}

/// `-T fields` rows (frame number first) of a two-pass decode, for the
/// plugin and for the Lua script, which must agree.
fn rows(cap: &str, filter: &str, fields: &[&str]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for d in Dissector::both() {
        let f = d.ts.add_file(&captures::path(cap)).to_string_lossy().into_owned();
        let mut args = vec!["-2", "-r", f.as_str(), "-Y", filter, "-T", "fields", "-e", "frame.number"];
        for e in fields {
            args.extend(["-e", e]);
        }
        let o = d.run(&args);
        o.assert_success();
        out.push(o.stdout.lines().map(|l| l.split('\t').map(String::from).collect()).collect::<Vec<Vec<String>>>());
    }
    assert_eq!(out[0], out[1], "plugin and Lua differ on {cap} {filter}");
    out.swap_remove(0)
}

#[test]
fn login_refused_then_accepted() {
    // Every LOGIN_REQ of login.pcapng, with its answers.
    let reqs = rows("login.pcapng", "xmmep.msg_type == 112", &["xmmep.user_name", "xmmep.response_in", "xmmep.response_end_in"]);
    let alice: Vec<_> = reqs.iter().filter(|r| r[1] == "alice").collect();
    assert_eq!(alice.len(), 2, "{reqs:?}");
    // The refused one is answered by RES1 alone; the retry by all parts.
    assert!(!alice[0][2].is_empty() && alice[0][3].is_empty(), "{alice:?}");
    assert!(!alice[1][2].is_empty() && !alice[1][3].is_empty(), "{alice:?}");
    let res1 = rows("login.pcapng", "xmmep.msg_type == 113", &["xmmep.result", "xmmep.response_to", "xmmep.session_user"]);
    // A frame may hold several messages: the RES1 is the first of its frame.
    let first = |v: &String| v.split(',').next().unwrap_or("").to_string();
    let res1: Vec<Vec<String>> = res1.iter().map(|r| r.iter().map(first).collect()).collect();
    let alice: Vec<Vec<String>> = alice.iter().map(|r| r.iter().map(first).collect()).collect();
    let refused = res1.iter().find(|r| r[0] == alice[0][2]).unwrap();
    assert_eq!((refused[1].as_str(), refused[2].as_str(), refused[3].as_str()), ("12", alice[0][0].as_str(), ""));
    let accepted = res1.iter().find(|r| r[0] == alice[1][2]).unwrap();
    assert_eq!((accepted[1].as_str(), accepted[2].as_str(), accepted[3].as_str()), ("0", alice[1][0].as_str(), "alice"));
    // The end carries the whole login time, which is at least the first part's.
    let end = rows("login.pcapng", &format!("frame.number == {} && xmmep.msg_type == 127", alice[1][3]), &["xmmep.response_to", "xmmep.time"]);
    assert_eq!(end[0][1].split(',').next_back().unwrap(), alice[1][0]);
    assert!(end[0][2].split(',').next_back().unwrap().parse::<f64>().unwrap() > 0.0);
    // No session user before the successful login on that connection.
    let before = rows("login.pcapng", &format!("frame.number < {} && xmmep.session_user == \"alice\"", alice[1][2]), &[]);
    assert!(before.is_empty(), "{before:?}");
}

#[test]
fn status_fan_out_links_the_original_and_every_forward() {
    let originals = rows("login.pcapng", "xmmep.msg_type == 135", &["xmmep.user_name", "xmmep.status", "xmmep.forward_count", "xmmep.forwarded_in"]);
    let fwds = rows("login.pcapng", "xmmep.msg_type == 136", &["xmmep.observer", "xmmep.forward_of", "xmmep.forward_delay"]);
    let by_original: BTreeMap<&str, Vec<&Vec<String>>> = fwds.iter().fold(BTreeMap::new(), |mut m, f| {
        m.entry(f[2].as_str()).or_default().push(f);
        m
    });
    let wide = originals.iter().find(|o| o[1] == "alice" && o[3].parse::<u32>().unwrap_or(0) >= 3).expect("a status change of alice forwarded to three watchers");
    let listed: Vec<&str> = wide[4].split(',').collect();
    let linked: Vec<&str> = by_original[wide[0].as_str()].iter().map(|f| f[0].as_str()).collect();
    assert_eq!(listed, linked);
    for o in &originals {
        let n: usize = o[3].parse().unwrap_or(0);
        assert_eq!(by_original.get(o[0].as_str()).map_or(0, Vec::len), n, "{o:?}");
    }
    assert!(fwds.iter().all(|f| !f[2].is_empty() && f[3].parse::<f64>().unwrap() >= 0.0), "{fwds:?}");
}

#[test]
fn file_transfers_are_followed_across_connections() {
    let stages = ["xmmep.transfer.offer_in", "xmmep.transfer.offer_fwd_in", "xmmep.transfer.answer_in", "xmmep.transfer.answer_fwd_in"];
    let mut fields = vec!["xmmep.msg_type", "xmmep.transfer.file_name", "xmmep.transfer.accepted"];
    fields.extend(stages);
    let all = rows("file_transfer.pcapng", "xmmep.transfer", &fields);
    let by_name: BTreeMap<&str, Vec<&Vec<String>>> = all.iter().fold(BTreeMap::new(), |mut m, r| {
        m.entry(r[2].as_str()).or_default().push(r);
        m
    });
    assert!(by_name.len() >= 2, "{all:?}");
    for (name, msgs) in &by_name {
        // Every message of a transfer shows the same transaction: its four
        // stages are the frames of the four messages, and one outcome.
        assert_eq!(msgs.len(), 4, "{name}: {msgs:?}");
        for m in msgs {
            assert_eq!(m[3..], msgs[0][3..], "{name}");
        }
        let frames: Vec<&str> = msgs.iter().map(|m| m[0].as_str()).collect();
        let types: Vec<&str> = msgs.iter().map(|m| m[1].as_str()).collect();
        assert_eq!(types, ["180", "181", "182", "183"], "{name}");
        assert_eq!(msgs[0][4..].iter().map(String::as_str).collect::<Vec<_>>(), frames, "{name}");
    }
    // -T fields prints a Boolean as 1/0 (4.0) or True/False (4.4 on).
    let outcomes: Vec<&str> = by_name.values().map(|m| if matches!(m[0][3].as_str(), "1" | "True") { "accepted" } else { "declined" }).collect();
    assert!(outcomes.contains(&"accepted") && outcomes.contains(&"declined"), "one accepted, one declined: {outcomes:?}");
}

#[test]
fn user_field_selects_everything_about_a_user() {
    // Every message that carries bob_k in any field, member or list.
    let any = rows("login.pcapng", "xmmep.user == \"bob_k\"", &[]);
    let fields = [
        "user_name",
        "user_info.user_name",
        "observer",
        "observers",
        "online_buddy.buddy_name",
        "buddy.buddy_name",
        "buddy_name",
        "sender",
        "receiver",
        "chatroom.creator",
        "blocked_users",
    ];
    let direct: Vec<String> = fields.iter().map(|f| format!("xmmep.{f} == \"bob_k\"")).collect();
    let direct = rows("login.pcapng", &direct.join(" || "), &[]);
    assert_eq!(any, direct);
    assert!(any.len() >= 5, "{any:?}");
}

/// With `xmmep.analyze` off, each message shows what it shows with it on
/// less the analysis: no link, no session user, none of the four report
/// classes only the analysis raises; its own fields, its user names
/// (`xmmep.user`) and its own reports stay. Plugin and Lua alike.
#[test]
fn without_the_analysis_only_the_analysis_goes() {
    use xmmep_core::presentation::{analysis::USER, ANALYSIS_FIELDS};
    use xmmep_core::reports::{ReportKind, CLASSES};
    let linked: Vec<String> = ANALYSIS_FIELDS.iter().filter(|f| f.abbrev != USER.abbrev).map(|f| format!("xmmep.{}", f.abbrev)).collect();
    let reports: Vec<String> = CLASSES
        .iter()
        .filter(|c| matches!(c.kind, ReportKind::NoRequest | ReportKind::NoResponse | ReportKind::PartSequence | ReportKind::NoOriginal))
        .map(|c| format!("xmmep.{}", c.abbrev))
        .collect();
    let is_linked = |name: &str| linked.iter().any(|l| name == l || name.strip_prefix(l.as_str()).is_some_and(|r| r.starts_with('.')));
    let both = Dissector::both();
    let mut removed = 0;
    for cap in captures::all() {
        for d in &both {
            let mut on = decode(&d.ts, &cap, &d.args(&["-2"]));
            let mut off = decode(&d.ts, &cap, &d.args(&["-o", "xmmep.analyze:FALSE", "-2"]));
            for m in on.iter_mut().chain(off.iter_mut()).flat_map(|f| f.messages.iter_mut()) {
                m.fields.retain(|fl| !xmmep_core::conversations::is_plugin_only(&fl.name));
            }
            for m in off.iter().flat_map(|f| f.messages.iter()) {
                assert!(!m.fields.iter().any(|f| is_linked(&f.name)), "{}: analysis field with the analysis off", cap.display());
                assert!(!m.experts.iter().any(|e| reports.contains(&e.name)), "{}: analysis report with the analysis off", cap.display());
            }
            for m in on.iter_mut().flat_map(|f| f.messages.iter_mut()) {
                let before = m.fields.len() + m.experts.len();
                m.fields.retain(|f| !is_linked(&f.name));
                m.experts.retain(|e| !reports.contains(&e.name));
                removed += before - m.fields.len() - m.experts.len();
            }
            assert_eq!(render_with(&on, true), render_with(&off, true), "{}: the messages' own items differ", cap.display());
        }
    }
    assert!(removed > 100, "the corpus shows the analysis: {removed} items");
}
