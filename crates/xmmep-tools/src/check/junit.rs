//! The JUnit XML report of `xmmep-check`, as GitLab, Jenkins and GitHub
//! test-report actions read it: one `<testsuite>` per capture, one failing
//! `<testcase>` per message with a problem at or above the threshold, and
//! one passing `<testcase>` for a capture without such a problem. The
//! elements and attributes are those of the common schema
//! (`crates/xmmep-tools/tests/junit.xsd` is the one the tests hold it to).

use std::io::Write;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::report::{Problem, Summary};

/// One test case: a message with failing problems, or a clean capture.
struct Case<'a> {
    classname: &'a str,
    name: String,
    /// The failing problems of the message (none: a passing case).
    problems: Vec<&'a Problem>,
}

/// The test cases of one capture, in frame order.
fn cases<'a>(summary: &'a Summary, file: &str) -> Vec<Case<'a>> {
    let mut out: Vec<Case> = Vec::new();
    let mut last: Option<(u32, usize)> = None;
    for p in summary.problems.iter().filter(|p| p.file == file && summary.fails(p)) {
        let place = (p.frame, p.index);
        match out.last_mut() {
            Some(case) if last == Some(place) => case.problems.push(p),
            _ => {
                let message = if p.message.is_empty() { "-" } else { &p.message };
                out.push(Case { classname: if p.message.is_empty() { "xmmep" } else { &p.message }, name: format!("frame {}: {message}", p.frame), problems: vec![p] });
            }
        }
        last = Some(place);
    }
    if out.is_empty() {
        out.push(Case { classname: "xmmep", name: format!("no problem at or above {}", summary.threshold), problems: Vec::new() });
    }
    out
}

/// XML 1.0 allows neither most control characters nor unpaired surrogates,
/// even escaped; a text from a capture may hold them.
fn xml_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn start<'a>(name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
    let mut e = BytesStart::new(name);
    for (k, v) in attrs {
        e.push_attribute((*k, xml_text(v).as_str()));
    }
    e
}

/// Writes the report of `summary` (its files in the order given) to `out`.
pub fn write(summary: &Summary, out: impl Write) -> std::io::Result<()> {
    let suites: Vec<(&str, Vec<Case>)> = summary.files.iter().map(|f| (f.as_str(), cases(summary, f))).collect();
    let tests: usize = suites.iter().map(|(_, c)| c.len()).sum();
    let failures: usize = suites.iter().map(|(_, c)| c.iter().filter(|c| !c.problems.is_empty()).count()).sum();

    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let (tests_s, failures_s) = (tests.to_string(), failures.to_string());
    let top = [("name", "xmmep-check"), ("tests", tests_s.as_str()), ("failures", failures_s.as_str()), ("errors", "0")];
    w.write_event(Event::Start(start("testsuites", &top)))?;
    for (file, cases) in &suites {
        let tests = cases.len().to_string();
        let failures = cases.iter().filter(|c| !c.problems.is_empty()).count().to_string();
        let attrs = [("name", *file), ("tests", &tests), ("failures", &failures), ("errors", "0"), ("skipped", "0")];
        w.write_event(Event::Start(start("testsuite", &attrs)))?;
        for case in cases {
            let attrs = [("classname", case.classname), ("name", case.name.as_str())];
            if case.problems.is_empty() {
                w.write_event(Event::Empty(start("testcase", &attrs)))?;
                continue;
            }
            w.write_event(Event::Start(start("testcase", &attrs)))?;
            // One <failure> per case: GitLab and Jenkins show only the first.
            let classes: Vec<&str> = case.problems.iter().map(|p| p.class.as_str()).collect();
            let texts: Vec<&str> = case.problems.iter().map(|p| p.text.as_str()).collect();
            let (classes, texts) = (classes.join(" "), texts.join("; "));
            w.write_event(Event::Start(start("failure", &[("type", &classes), ("message", &texts)])))?;
            let body: Vec<String> = case.problems.iter().map(|p| p.line()).collect();
            w.write_event(Event::Text(BytesText::new(&xml_text(&body.join("\n")))))?;
            w.write_event(Event::End(BytesEnd::new("failure")))?;
            w.write_event(Event::End(BytesEnd::new("testcase")))?;
        }
        w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    let mut out = w.into_inner();
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(file: &str, frame: u32, index: usize, message: &str, severity: &str, text: &str) -> Problem {
        Problem {
            file: file.into(),
            frame,
            index,
            message: message.into(),
            class: format!("xmmep.{severity}_class"),
            severity: severity.into(),
            group: "protocol".into(),
            text: text.into(),
        }
    }

    #[test]
    fn cases_group_by_message_and_respect_the_threshold() {
        let mut s = Summary::new("warning");
        s.files = vec!["a.pcapng".into(), "b.pcapng".into()];
        s.problems = vec![
            problem("a.pcapng", 3, 0, "MSG_A", "error", "first"),
            problem("a.pcapng", 3, 0, "MSG_A", "warning", "second"),
            problem("a.pcapng", 3, 1, "MSG_A", "error", "other message, same frame"),
            problem("a.pcapng", 5, 0, "MSG_B", "note", "below the threshold"),
            problem("b.pcapng", 1, 0, "MSG_C", "note", "below the threshold"),
        ];
        let a = cases(&s, "a.pcapng");
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].problems.len(), 2);
        assert_eq!(a[0].name, "frame 3: MSG_A");
        assert_eq!(a[1].problems.len(), 1);
        let b = cases(&s, "b.pcapng");
        assert_eq!(b.len(), 1);
        assert!(b[0].problems.is_empty());
        assert_eq!(b[0].name, "no problem at or above warning");
    }

    #[test]
    fn control_characters_become_replacement_characters() {
        let mut s = Summary::new("note");
        s.files = vec!["a.pcapng".into()];
        s.problems = vec![problem("a.pcapng", 1, 0, "MSG_A", "error", "bad \u{1} byte & <tag>")];
        let mut out = Vec::new();
        write(&s, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("bad \u{FFFD} byte &amp; &lt;tag&gt;"), "{text}");
        assert!(!text.contains('\u{1}'), "{text}");
    }
}
