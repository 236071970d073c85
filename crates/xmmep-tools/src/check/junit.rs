//! The JUnit XML report of `xmmep-check`, as GitLab, Jenkins and GitHub
//! test-report actions read it: one `<testsuite>` per capture, one failing
//! `<testcase>` per message with a problem at or above the threshold, and
//! one passing `<testcase>` for a capture without such a problem. The
//! elements and attributes are those of the common schema
//! (`crates/xmmep-tools/tests/junit.xsd` is the one the tests hold it to).

use std::io::{self, Write};

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::report::{Problem, Summary};

/// The test cases of one capture, in frame order: a failing case per
/// message with problems at or above the threshold (`on_case` gets each
/// with its problems), or one passing case when there is none. `on_case`
/// gets the case's class name, its name and its failing problems.
fn cases(summary: &Summary, file: &str, mut on_case: impl FnMut(&str, &str, &[Problem]) -> io::Result<()>) -> io::Result<()> {
    let mut case: Vec<Problem> = Vec::new();
    let mut flush = |case: &mut Vec<Problem>| -> io::Result<()> {
        if let Some(first) = case.first() {
            let message = if first.message.is_empty() { "-" } else { &first.message };
            let classname = if first.message.is_empty() { "xmmep" } else { &first.message };
            on_case(classname, &format!("frame {}: {message}", first.frame), case)?;
        }
        case.clear();
        Ok(())
    };
    summary.problems.each_of(file, |p| {
        if !summary.fails(p) {
            return Ok(());
        }
        if case.first().is_some_and(|c| (c.frame, c.index) != (p.frame, p.index)) {
            flush(&mut case)?;
        }
        case.push(p.clone());
        Ok(())
    })?;
    flush(&mut case)?;
    if summary.problems.failing_messages(file) == 0 {
        on_case("xmmep", &format!("no problem at or above {}", summary.threshold), &[])?;
    }
    Ok(())
}

/// The capture's test cases and failing ones.
fn counts(summary: &Summary, file: &str) -> (u64, u64) {
    let failing = summary.problems.failing_messages(file);
    (failing.max(1), failing)
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
pub fn write(summary: &Summary, out: impl Write) -> io::Result<()> {
    let (tests, failures) = summary.files.iter().map(|f| counts(summary, f)).fold((0, 0), |(t, f), (t1, f1)| (t + t1, f + f1));

    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let (tests_s, failures_s) = (tests.to_string(), failures.to_string());
    let top = [("name", "xmmep-check"), ("tests", tests_s.as_str()), ("failures", failures_s.as_str()), ("errors", "0")];
    w.write_event(Event::Start(start("testsuites", &top)))?;
    for file in &summary.files {
        let (tests, failures) = counts(summary, file);
        let (tests, failures) = (tests.to_string(), failures.to_string());
        let attrs = [("name", file.as_str()), ("tests", &tests), ("failures", &failures), ("errors", "0"), ("skipped", "0")];
        w.write_event(Event::Start(start("testsuite", &attrs)))?;
        cases(summary, file, |classname, name, problems| {
            let attrs = [("classname", classname), ("name", name)];
            if problems.is_empty() {
                w.write_event(Event::Empty(start("testcase", &attrs)))?;
                return Ok(());
            }
            w.write_event(Event::Start(start("testcase", &attrs)))?;
            // One <failure> per case: GitLab and Jenkins show only the first.
            let classes: Vec<&str> = problems.iter().map(|p| p.class.as_str()).collect();
            let texts: Vec<&str> = problems.iter().map(|p| p.text.as_str()).collect();
            let (classes, texts) = (classes.join(" "), texts.join("; "));
            w.write_event(Event::Start(start("failure", &[("type", &classes), ("message", &texts)])))?;
            let body: Vec<String> = problems.iter().map(|p| p.line()).collect();
            w.write_event(Event::Text(BytesText::new(&xml_text(&body.join("\n")))))?;
            w.write_event(Event::End(BytesEnd::new("failure")))?;
            w.write_event(Event::End(BytesEnd::new("testcase")))
        })?;
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

    /// The cases of `file`: (name, failing problems' texts).
    fn cases_of(s: &Summary, file: &str) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        cases(s, file, |_, name, problems| {
            out.push((name.to_string(), problems.iter().map(|p| p.text.clone()).collect()));
            Ok(())
        })
        .unwrap();
        out
    }

    fn push(s: &mut Summary, p: Problem) {
        let failing = s.fails(&p);
        s.problems.push(p, failing).unwrap();
    }

    #[test]
    fn cases_group_by_message_and_respect_the_threshold() {
        let mut s = Summary::new("warning");
        s.files = vec!["a.pcapng".into(), "b.pcapng".into()];
        push(&mut s, problem("a.pcapng", 3, 0, "MSG_A", "error", "first"));
        push(&mut s, problem("a.pcapng", 3, 0, "MSG_A", "warning", "second"));
        push(&mut s, problem("a.pcapng", 3, 1, "MSG_A", "error", "other message, same frame"));
        push(&mut s, problem("a.pcapng", 5, 0, "MSG_B", "note", "below the threshold"));
        push(&mut s, problem("b.pcapng", 1, 0, "MSG_C", "note", "below the threshold"));
        let a = cases_of(&s, "a.pcapng");
        assert_eq!(a.len(), 2);
        assert_eq!(a[0], ("frame 3: MSG_A".to_string(), vec!["first".to_string(), "second".to_string()]));
        assert_eq!(a[1].1.len(), 1);
        assert_eq!(counts(&s, "a.pcapng"), (2, 2));
        let b = cases_of(&s, "b.pcapng");
        assert_eq!(b, vec![("no problem at or above warning".to_string(), Vec::new())]);
        assert_eq!(counts(&s, "b.pcapng"), (1, 0));
    }

    #[test]
    fn control_characters_become_replacement_characters() {
        let mut s = Summary::new("note");
        s.files = vec!["a.pcapng".into()];
        push(&mut s, problem("a.pcapng", 1, 0, "MSG_A", "error", "bad \u{1} byte & <tag>"));
        let mut out = Vec::new();
        write(&s, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("bad \u{FFFD} byte &amp; &lt;tag&gt;"), "{text}");
        assert!(!text.contains('\u{1}'), "{text}");
    }
}
