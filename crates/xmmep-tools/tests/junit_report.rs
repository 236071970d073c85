//! `xmmep-check --junit`: the report written for the malformed corpus is
//! valid against the common JUnit schema (tests/junit.xsd, by xmllint), and
//! says, read back with an XML parser, what the JSON report of the same run
//! says: a suite per capture in the order given, a failing case per message
//! with problems at or above the threshold, a passing case for a capture
//! without them. The exit code is the one without --junit.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use quick_xml::events::Event;
use quick_xml::Reader;
use xmmep_testkit::tshark::Tshark;

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xmmep-check")).args(args).output().expect("run xmmep-check")
}

#[derive(Debug, Default)]
struct Case {
    classname: String,
    name: String,
    /// (type, message, body) of its <failure>, if any.
    failures: Vec<(String, String, String)>,
}

#[derive(Debug, Default)]
struct Suite {
    attrs: BTreeMap<String, String>,
    cases: Vec<Case>,
}

fn attrs(e: &quick_xml::events::BytesStart) -> BTreeMap<String, String> {
    e.attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (String::from_utf8(a.key.as_ref().to_vec()).unwrap(), a.unescape_value().unwrap().into_owned())
        })
        .collect()
}

/// The report read back: the <testsuites> attributes and the suites.
fn read(path: &Path) -> (BTreeMap<String, String>, Vec<Suite>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = Reader::from_str(&text);
    let (mut top, mut suites) = (BTreeMap::new(), Vec::<Suite>::new());
    let mut failure: Option<(String, String, String)> = None;
    loop {
        match r.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) => {
                let a = attrs(&e);
                match e.name().as_ref() {
                    b"testsuites" => top = a,
                    b"testsuite" => suites.push(Suite { attrs: a, cases: Vec::new() }),
                    b"testcase" => {
                        suites.last_mut().expect("case in a suite").cases.push(Case { classname: a["classname"].clone(), name: a["name"].clone(), failures: Vec::new() })
                    }
                    b"failure" => failure = Some((a["type"].clone(), a["message"].clone(), String::new())),
                    other => panic!("unexpected element {}", String::from_utf8_lossy(other)),
                }
            }
            Event::Text(t) => {
                if let Some(f) = failure.as_mut() {
                    f.2.push_str(&t.unescape().unwrap());
                }
            }
            Event::End(e) if e.name().as_ref() == b"failure" => {
                let f = failure.take().unwrap();
                suites.last_mut().unwrap().cases.last_mut().unwrap().failures.push(f);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (top, suites)
}

#[test]
fn junit_report_of_the_malformed_corpus() {
    let ts = Tshark::with_plugin();
    let tshark = ts.wrapper_script();
    let tshark = tshark.to_str().unwrap();
    let dir = ts.home().join("malformed");
    std::fs::create_dir_all(&dir).unwrap();
    let corpus = xmmep_testkit::captures::path("malformed");
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let dir = dir.to_str().unwrap();
    let junit = ts.home().join("junit.xml");
    let json = ts.home().join("report.json");

    let plain = check(&["--tshark", tshark, dir]);
    let o = check(&["--tshark", tshark, "--junit", junit.to_str().unwrap(), "--json", json.to_str().unwrap(), dir]);
    assert_eq!(o.status.code(), plain.status.code(), "--junit leaves the exit code alone");
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stdout));

    // Valid against the common schema.
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/junit.xsd");
    let v = Command::new("xmllint").args(["--noout", "--schema"]).arg(&xsd).arg(&junit).output().expect("xmllint (Debian's libxml2-utils, which scripts/test.sh installs)");
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));

    // What the JSON report of the same run holds, per capture: the lines of
    // the problems at or above the threshold, in order.
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let files: Vec<&str> = report["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    let fails = |sev: &str| ["warning", "error"].contains(&sev);
    let mut expected: BTreeMap<&str, Vec<String>> = files.iter().map(|f| (*f, Vec::new())).collect();
    for p in report["problems"].as_array().unwrap() {
        if fails(p["severity"].as_str().unwrap()) {
            let message = match p["message"].as_str().unwrap() {
                "" => "-",
                m => m,
            };
            expected.get_mut(p["file"].as_str().unwrap()).unwrap().push(format!(
                "{}:{}: {message}: {} [{} {}]",
                p["file"].as_str().unwrap(),
                p["frame"],
                p["text"].as_str().unwrap(),
                p["severity"].as_str().unwrap(),
                p["class"].as_str().unwrap()
            ));
        }
    }

    let (top, suites) = read(&junit);
    assert_eq!(suites.len(), std::fs::read_dir(&corpus).unwrap().count(), "a suite per capture");
    let names: Vec<&str> = suites.iter().map(|s| s.attrs["name"].as_str()).collect();
    assert_eq!(names, files, "suites in the order of the report");
    let (mut tests, mut failures, mut passing) = (0, 0, 0);
    for s in &suites {
        let name = s.attrs["name"].as_str();
        let failing: Vec<&Case> = s.cases.iter().filter(|c| !c.failures.is_empty()).collect();
        assert_eq!(s.attrs["tests"], s.cases.len().to_string(), "{name}");
        assert_eq!(s.attrs["failures"], failing.len().to_string(), "{name}");
        tests += s.cases.len();
        failures += failing.len();
        let want = &expected[name];
        if want.is_empty() {
            assert_eq!(s.cases.len(), 1, "{name}: one passing case");
            assert!(s.cases[0].failures.is_empty(), "{name}");
            assert_eq!(s.cases[0].name, "no problem at or above warning");
            passing += 1;
            continue;
        }
        assert_eq!(failing.len(), s.cases.len(), "{name}: no passing case beside failing ones");
        let mut got = Vec::new();
        for c in failing {
            assert_eq!(c.failures.len(), 1, "{name}: one <failure> per case");
            let (kind, message, body) = &c.failures[0];
            let lines: Vec<&str> = body.lines().collect();
            // Every line names this case's frame and message.
            for l in &lines {
                let place = l.strip_prefix(&format!("{name}:")).unwrap();
                let (frame, rest) = place.split_once(": ").unwrap();
                assert_eq!(c.name, format!("frame {frame}: {}", rest.split(": ").next().unwrap()), "{l}");
                assert!(rest.starts_with(&format!("{}: ", c.classname)) || c.classname == "xmmep", "{l}");
                assert!(kind.split(' ').any(|k| l.ends_with(&format!(" {k}]"))), "{kind} / {l}");
                assert!(message.split("; ").any(|m| l.contains(&format!(": {m} ["))), "{message} / {l}");
            }
            got.extend(lines.iter().map(|l| l.to_string()));
        }
        assert_eq!(&got, want, "{name}: the failing problems, each once, in order");
    }
    assert_eq!(top["tests"], tests.to_string());
    assert_eq!(top["failures"], failures.to_string());
    assert_eq!(report["failing"].as_u64().unwrap() as usize, expected.values().map(Vec::len).sum::<usize>());
    assert!(passing > 0 && failures > 0, "the corpus has clean and failing captures: {passing} passing, {failures} failing");
}
