//! Statistics > XMMEP (`tshark -z xmmep,tree`) and the credentials tap
//! (`tshark -z credentials`) in the real tshark with the plugin, on every
//! capture of the corpus. The expected figures are counted from the
//! dissector's own fields in a `-T fields` run of the same capture (message
//! types, result codes, result flags, statuses, expert infos, user names
//! and passwords), read with the message table; none is written here.

use std::collections::BTreeMap;
use std::path::PathBuf;

use xmmep_core::codec::{encode_checked, EncValue};
use xmmep_core::presentation::{info, stats as names, PROTOCOL};
use xmmep_core::reports::{fill, ReportKind, CLASSES};
use xmmep_core::table::{self, Direction, Field, MessageDef};
use xmmep_testkit::captures;
use xmmep_testkit::tshark::Tshark;

fn corpus() -> Vec<PathBuf> {
    let out = captures::all();
    assert!(out.len() > 10, "the corpus is missing: {out:?}");
    out
}

/// The statistics tree of tshark's text output: "parent/child" paths with
/// their counts (a level is one more leading space; names never hold two
/// spaces in a row, columns are separated by at least two).
fn parse_tree(text: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut path: Vec<String> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("Topic / Item") {
            inside = true;
            continue;
        }
        if !inside || line.starts_with("---") {
            continue;
        }
        if line.trim().is_empty() || line.starts_with("===") {
            inside = false;
            continue;
        }
        let depth = line.len() - line.trim_start().len();
        let (name, rest) = line.trim_start().split_once("  ").unwrap_or_else(|| panic!("no columns in {line:?}"));
        let count: u64 = rest.split_whitespace().next().unwrap().parse().unwrap_or_else(|_| panic!("no count in {line:?}"));
        path.truncate(depth);
        path.push(name.to_string());
        out.insert(path.join("/"), count);
    }
    out
}

/// One line of `-z credentials`: frame, protocol, user name, info.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Credential {
    frame: u32,
    proto: String,
    user: String,
    info: String,
}

fn parse_credentials(text: &str) -> Vec<Credential> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut tokens = line.split_whitespace();
        let (Some(frame), Some(proto), Some(user)) = (tokens.next(), tokens.next(), tokens.next()) else { continue };
        let Ok(frame) = frame.parse() else { continue };
        // The info is the rest of the line after the user name's column.
        let after_proto = &line[line.find(proto).unwrap() + proto.len()..];
        let info = after_proto.trim_start()[user.len()..].trim().to_string();
        out.push(Credential { frame, proto: proto.to_string(), user: user.to_string(), info });
    }
    out.sort();
    out
}

fn has(def: &MessageDef, f: &Field) -> bool {
    def.fields.iter().any(|g| std::ptr::eq(*g, f))
}

fn from_client(def: &MessageDef) -> bool {
    def.directions.contains(&Direction::ClientToServer)
}

/// Values of one `-T fields` column (`-E occurrence=a -E aggregator=|`).
fn values(col: &str) -> Vec<&str> {
    if col.is_empty() {
        Vec::new()
    } else {
        col.split('|').collect()
    }
}

/// The name of value `v` of enum `e`, or `unknown` filled with it.
fn enum_name(e: &table::EnumDef, unknown: &str, v: &str) -> String {
    let n: i64 = v.parse().unwrap();
    e.lookup(n).map_or_else(|| fill(unknown, &[&n]), |x| x.name.to_string())
}

/// The Info of a request's credential whose first answer (frame
/// `answer`) carries `result` (a code, as `-T fields` prints it).
fn credential_outcome(name: &str, password: &str, answer: u32, result: Option<&str>) -> String {
    match result {
        None => fill(names::CREDENTIAL_ANSWERED, &[&name, &password, &answer]),
        Some("0") => fill(names::CREDENTIAL_ACCEPTED, &[&name, &password, &answer]),
        Some(r) => fill(names::CREDENTIAL_REFUSED, &[&name, &password, &answer, &enum_name(&table::RESULT_CODE, names::UNKNOWN_RESULT, r)]),
    }
}

struct Expected {
    tree: BTreeMap<String, u64>,
    credentials: Vec<Credential>,
}

/// The figures of the tree and the credentials, from the fields of every
/// XMMEP frame of `file`.
fn expected(ts: &Tshark, file: &str) -> Expected {
    let mut cols = vec!["frame.number", "xmmep.msg_type", "xmmep.result", "xmmep.result_flag", "xmmep.status", "xmmep.login_status", "xmmep.user_name", "xmmep.password"];
    let experts: Vec<String> = CLASSES.iter().map(|c| format!("{}.{}", PROTOCOL.filter, c.abbrev)).collect();
    cols.extend(experts.iter().map(String::as_str));
    const EXPERTS: usize = 8;
    let mut args = vec!["-r", file, "-Y", PROTOCOL.filter, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|"];
    for c in &cols {
        args.extend(["-e", c]);
    }
    let out = ts.run(&args);
    out.assert_success();
    let mut tree = BTreeMap::new();
    let mut tick = |path: String| *tree.entry(path).or_insert(0) += 1;
    let mut credentials = Vec::new();
    let flag_text = |v: &str| match (table::RESULT_FLAG.bool_names, v == "1" || v == "True") {
        (Some((t, _)), true) => t.to_string(),
        (Some((_, f)), false) => f.to_string(),
        (None, true) => "True".to_string(),
        (None, false) => "False".to_string(),
    };
    // The answer of each login and of each request with a password (two
    // passes: a request's `response_in` needs its answer seen), and the
    // result codes of each frame.
    let requests = ts.run(&["-r", file, "-2", "-Y", "xmmep.login_status || xmmep.password", "-T", "fields", "-e", "frame.number", "-e", "xmmep.response_in"]);
    requests.assert_success();
    let answer_of: BTreeMap<u32, u32> =
        requests.stdout.lines().filter_map(|l| l.split_once('\t')).filter_map(|(f, r)| Some((f.parse().ok()?, r.split(',').next()?.parse().ok()?))).collect();
    let results: BTreeMap<u32, Vec<String>> = out
        .stdout
        .lines()
        .map(|line| {
            let c: Vec<&str> = line.split('\t').collect();
            (c[0].parse().unwrap(), values(c[2]).into_iter().map(str::to_string).collect())
        })
        .collect();
    for line in out.stdout.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        let frame: u32 = c[0].parse().unwrap();
        let (mut statuses, mut users, mut passwords) = (values(c[4]).into_iter(), values(c[6]).into_iter(), values(c[7]).into_iter());
        for code in values(c[1]) {
            let code: u32 = code.parse().unwrap();
            tick(names::MESSAGES.to_string());
            let def = table::definition(code as u16);
            let group = def.and_then(|d| names::section_name(d.section)).unwrap_or_else(|| names::OTHER.to_string());
            let leaf = def.map_or_else(|| fill(info::UNKNOWN_TYPE, &[&code]), |d| fill(names::MESSAGE_TYPE, &[&code, &d.name]));
            tick(format!("{}/{group}", names::MESSAGES));
            tick(format!("{}/{group}/{leaf}", names::MESSAGES));
            let Some(def) = def else { continue };
            // A status, user name or password of this message, in order.
            let status = has(def, &table::STATUS).then(|| statuses.next()).flatten();
            let user = has(def, &table::USER_NAME).then(|| users.next()).flatten();
            let password = has(def, &table::PASSWORD).then(|| passwords.next()).flatten();
            if let (true, Some(s)) = (from_client(def), status) {
                tick(names::PRESENCE.to_string());
                tick(format!("{}/{}", names::PRESENCE, enum_name(&table::PRESENCE, names::UNKNOWN_STATUS, s)));
            }
            if let (true, Some(user), Some(password)) = (from_client(def), user, password) {
                // A request's credential carries its answer's outcome; one
                // pass lists it at the answer, so not at all without one.
                let request = table::EXCHANGES.iter().any(|e| e.request == def.code);
                let info = match (request, answer_of.get(&frame)) {
                    (false, _) => Some(fill(names::CREDENTIAL_INFO, &[&def.name, &password])),
                    (true, None) => None,
                    (true, Some(answer)) => Some(credential_outcome(def.name, password, *answer, results[answer].first().map(String::as_str))),
                };
                if let Some(info) = info {
                    credentials.push(Credential { frame, proto: names::CREDENTIAL_PROTO.to_string(), user: user.to_string(), info });
                }
            }
        }
        for r in values(c[2]) {
            tick(names::RESULTS.to_string());
            tick(format!("{}/{}", names::RESULTS, enum_name(&table::RESULT_CODE, names::UNKNOWN_RESULT, r)));
        }
        for f in values(c[3]) {
            tick(names::RESULTS.to_string());
            tick(format!("{}/{}", names::RESULTS, fill(names::RESULT_FLAG, &[&table::RESULT_FLAG.label, &flag_text(f)])));
        }
        // A login's status counts only when its answer accepts it.
        let accepted = answer_of.get(&frame).and_then(|f| results.get(f)).is_some_and(|r| r.first().is_some_and(|r| r == "0"));
        for s in values(c[5]).into_iter().filter(|_| accepted) {
            tick(names::PRESENCE.to_string());
            tick(format!("{}/{}", names::PRESENCE, enum_name(&table::PRESENCE, names::UNKNOWN_STATUS, s)));
        }
        for (class, col) in CLASSES.iter().zip(&c[EXPERTS..]) {
            for _ in values(col) {
                tick(names::PROBLEMS.to_string());
                tick(format!("{}/{}", names::PROBLEMS, class.summary));
                // A message whose header does not parse has no type field.
                if class.kind == ReportKind::BadHeader {
                    tick(names::MESSAGES.to_string());
                    tick(format!("{}/{}", names::MESSAGES, names::OTHER));
                    tick(format!("{}/{}/{}", names::MESSAGES, names::OTHER, info::MALFORMED_HEADER));
                }
            }
        }
    }
    credentials.sort();
    Expected { tree, credentials }
}

/// The tree's counts, the nodes with a count of 0 left out (the top-level
/// nodes are always there).
fn counted(tree: BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    tree.into_iter().filter(|(_, n)| *n > 0).collect()
}

#[test]
fn tree_and_credentials_match_the_fields_on_every_capture() {
    let ts = Tshark::with_plugin();
    let mut seen_credentials = 0;
    for cap in corpus() {
        let file = ts.add_file(&cap);
        let f = file.to_string_lossy().into_owned();
        let out = ts.run(&["-r", &f, "-q", "-z", "xmmep,tree", "-z", "credentials"]);
        out.assert_success();
        let tree = parse_tree(&out.stdout);
        for top in [names::MESSAGES, names::RESULTS, names::PRESENCE, names::RESPONSE_TIMES, names::PROBLEMS] {
            assert!(tree.contains_key(top), "{}: no node {top:?} in\n{}", cap.display(), out.stdout);
        }
        let want = expected(&ts, &f);
        // Response times come from the analysis across messages: checked
        // by `response_times_count_each_exchange_once`.
        let tree: BTreeMap<String, u64> = counted(tree).into_iter().filter(|(k, _)| !k.starts_with(names::RESPONSE_TIMES)).collect();
        assert_eq!(tree, want.tree, "{}: tree\n{}", cap.display(), out.stdout);
        let got: Vec<Credential> = parse_credentials(&out.stdout).into_iter().filter(|c| c.proto == names::CREDENTIAL_PROTO).collect();
        assert_eq!(got, want.credentials, "{}: credentials\n{}", cap.display(), out.stdout);
        seen_credentials += got.len();
    }
    assert!(seen_credentials >= 3, "the corpus's logins and registrations gave {seen_credentials} credentials");
}

#[test]
fn login_capture_lists_every_login_and_password() {
    let ts = Tshark::with_plugin();
    let cap = captures::path("login.pcapng");
    let file = ts.add_file(&cap);
    let f = file.to_string_lossy().into_owned();
    let out = ts.run(&["-r", &f, "-q", "-z", "credentials"]);
    out.assert_success();
    let logins =
        ts.run(&["-r", &f, "-2", "-Y", "xmmep.msg_type == 112", "-T", "fields", "-e", "frame.number", "-e", "xmmep.user_name", "-e", "xmmep.password", "-e", "xmmep.response_in"]);
    logins.assert_success();
    let answers = ts.run(&["-r", &f, "-Y", "xmmep.msg_type == 113", "-T", "fields", "-e", "frame.number", "-e", "xmmep.result"]);
    answers.assert_success();
    let result_of: BTreeMap<&str, &str> = answers.stdout.lines().filter_map(|l| l.split_once('\t')).collect();
    let want: Vec<Credential> = logins
        .stdout
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let answer = c[3].split(',').next().unwrap();
            let info = credential_outcome(table::definition(112).unwrap().name, c[2], answer.parse().unwrap(), result_of.get(answer).copied());
            Credential { frame: c[0].parse().unwrap(), proto: names::CREDENTIAL_PROTO.into(), user: c[1].into(), info }
        })
        .collect();
    // alice refused, alice again, bob, carol and linda.
    assert_eq!(want.len(), 5, "login.pcapng has five logins:\n{}", logins.stdout);
    assert_eq!(want.iter().filter(|c| c.info.contains("refused in frame")).count(), 1, "{want:?}");
    assert_eq!(parse_credentials(&out.stdout), want, "{}", out.stdout);
}

/// A login refused, then one the capture never answers: one pass lists
/// the refused one at its answer; two passes list both at their requests,
/// the second as unanswered.
#[test]
fn credentials_carry_the_answer_and_its_absence() {
    let ts = Tshark::with_plugin();
    let msg = |code: u16, values: &[EncValue]| encode_checked(table::definition(code).unwrap(), values).unwrap();
    let text = |s: &str| EncValue::Text(s.as_bytes().to_vec());
    let login = |pw: &str| msg(112, &[text("alice"), text(pw), EncValue::Int(0)]);
    let refused =
        msg(113, &[EncValue::Int(12), EncValue::Struct(vec![text(""), text(""), text(""), text(""), text(""), EncValue::Int(0), text(""), EncValue::Int(0), EncValue::Int(0)])]);
    let cap = ts.write_file("unanswered.pcapng", &xmmep_testkit::pcap::udp(47123, &[login("wonderland1"), refused, login("wonderland7")]));
    let f = cap.to_string_lossy().into_owned();
    let name = table::definition(112).unwrap().name;
    let first = Credential { frame: 1, proto: names::CREDENTIAL_PROTO.into(), user: "alice".into(), info: credential_outcome(name, "wonderland1", 2, Some("12")) };
    let second = Credential { frame: 3, proto: names::CREDENTIAL_PROTO.into(), user: "alice".into(), info: fill(names::CREDENTIAL_UNANSWERED, &[&name, &"wonderland7"]) };
    let one = ts.run(&["-r", &f, "-q", "-z", "credentials"]);
    one.assert_success();
    assert_eq!(parse_credentials(&one.stdout), vec![first.clone()], "{}", one.stdout);
    let two = ts.run(&["-r", &f, "-2", "-q", "-z", "credentials"]);
    two.assert_success();
    assert_eq!(parse_credentials(&two.stdout), vec![first, second], "{}", two.stdout);
}

#[test]
fn two_passes_count_the_same() {
    let ts = Tshark::with_plugin();
    for name in ["login.pcapng", "tcp_reorder.pcapng", "file_transfer.pcapng"] {
        let file = ts.add_file(&captures::path(name));
        let f = file.to_string_lossy().into_owned();
        let one = ts.run(&["-r", &f, "-q", "-z", "xmmep,tree", "-z", "credentials"]);
        let two = ts.run(&["-r", &f, "-2", "-q", "-z", "xmmep,tree", "-z", "credentials"]);
        one.assert_success();
        two.assert_success();
        assert_eq!(parse_tree(&one.stdout), parse_tree(&two.stdout), "{name}");
        assert_eq!(parse_credentials(&one.stdout), parse_credentials(&two.stdout), "{name}");
    }
}

#[test]
fn z_help_lists_the_tree() {
    let ts = Tshark::with_plugin();
    let out = ts.run(&["-z", "help"]);
    let cli = format!("{},tree", names::TREE_ABBR);
    assert!(out.stderr.lines().chain(out.stdout.lines()).any(|l| l.trim() == cli), "{cli} missing from -z help:\n{}{}", out.stdout, out.stderr);
}

/// Response times count each exchange once: an answer that links to its
/// request, or the end of a multi-part answer (not its parts), and a file
/// offer at its first answer, by request type, as `-T fields` shows the
/// links.
#[test]
fn response_times_count_each_exchange_once() {
    let ts = Tshark::with_plugin();
    let mut total = 0;
    for name in ["login.pcapng", "register.pcapng", "buddies.pcapng", "file_transfer.pcapng"] {
        let cap = captures::path(name);
        let f = ts.add_file(&cap).to_string_lossy().into_owned();
        let out = ts.run(&["-r", &f, "-q", "-z", "xmmep,tree"]);
        out.assert_success();
        let got: BTreeMap<String, u64> = counted(parse_tree(&out.stdout)).into_iter().filter(|(k, _)| k.starts_with(&format!("{}/", names::RESPONSE_TIMES))).collect();
        let rows = ts.run(&[
            "-r",
            &f,
            "-Y",
            "xmmep.response_to",
            "-T",
            "fields",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=|",
            "-e",
            "xmmep.msg_type",
            "-e",
            "xmmep.seq_num",
            "-e",
            "xmmep.result",
        ]);
        rows.assert_success();
        let mut want: BTreeMap<String, u64> = BTreeMap::new();
        for line in rows.stdout.lines() {
            let c: Vec<&str> = line.split('\t').collect();
            // The frame's sequence numbers, one per message that has the field.
            let mut seqs = c.get(1).map_or("", |s| *s).split('|').filter(|s| !s.is_empty());
            let mut results = c.get(2).map_or("", |s| *s).split('|').filter(|s| !s.is_empty());
            for code in c[0].split('|') {
                let code: u16 = code.parse().unwrap();
                let seq = table::definition(code).filter(|d| has(d, &table::SEQ_NUM)).and_then(|_| seqs.next()).and_then(|s| s.parse::<i64>().ok());
                let result = table::definition(code).filter(|d| has(d, &table::RESULT)).and_then(|_| results.next()).and_then(|s| s.parse::<i64>().ok());
                let Some(e) = table::EXCHANGES.iter().find(|e| e.responses.contains(&code) || e.end == Some(code)) else { continue };
                // Multi-part: the end completes it, or a first part that
                // refuses (RES1 alone); else the first part.
                let completes = match e.end {
                    Some(_) if code == e.responses[0] => result.is_some_and(|r| r != 0),
                    Some(end) => code == end,
                    None => seq.is_none_or(|n| n <= 1),
                };
                if completes {
                    let leaf = fill(names::MESSAGE_TYPE, &[&e.request, &table::definition(e.request).unwrap().name]);
                    *want.entry(format!("{}/{leaf}", names::RESPONSE_TIMES)).or_default() += 1;
                }
            }
        }
        // A file offer completes at its transfer's first answer stage,
        // when the offer is in the capture.
        let t = &table::FILE_TRANSFER;
        let filter = format!("xmmep.msg_type == {} && xmmep.transfer.offer_in", t.stages[t.answer]);
        let answers = ts.run(&["-r", &f, "-Y", &filter, "-T", "fields", "-e", "frame.number", "-e", "xmmep.transfer.answer_in"]);
        answers.assert_success();
        let first_answers = answers.stdout.lines().filter(|l| l.split_once('\t').is_some_and(|(frame, first)| frame == first)).count() as u64;
        if first_answers > 0 {
            let leaf = fill(names::MESSAGE_TYPE, &[&t.stages[0], &table::definition(t.stages[0]).unwrap().name]);
            *want.entry(format!("{}/{leaf}", names::RESPONSE_TIMES)).or_default() += first_answers;
        }
        assert_eq!(got, want, "{name}\n{}", out.stdout);
        total += want.values().sum::<u64>();
    }
    assert!(total >= 5, "{total}");
}

/// The tree opens in the specification's order: sections 5.1 to 5.9, and
/// in each the message types by code, whatever their counts.
#[test]
fn tree_reads_in_the_specifications_order() {
    let ts = Tshark::with_plugin();
    let f = ts.add_file(&captures::path("login.pcapng")).to_string_lossy().into_owned();
    let out = ts.run(&["-r", &f, "-q", "-z", "xmmep,tree"]);
    out.assert_success();
    let (mut sections, mut types) = (Vec::new(), Vec::new());
    let mut inside = false;
    for line in out.stdout.lines() {
        let depth = line.len() - line.trim_start().len();
        let name = line.trim_start().split("  ").next().unwrap_or("");
        if depth == 0 {
            inside = name == names::MESSAGES;
        } else if inside && depth == 1 {
            sections.push(name.to_string());
        } else if inside && depth == 2 {
            types.push(name.split(' ').next().unwrap().parse::<u32>().unwrap());
        }
    }
    assert!(sections.len() >= 3 && types.len() >= 10, "{}", out.stdout);
    assert!(sections.windows(2).all(|w| w[0] < w[1]), "{sections:?}");
    assert!(types.windows(2).all(|w| w[0] < w[1]), "{types:?}");
}
