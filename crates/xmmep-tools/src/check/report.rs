//! What the check collects: every problem with its place (kept by
//! [`Problems`] in bounded memory), and counts per message type and per
//! report class; written as text or JSON.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::ser::SerializeStruct;
use serde::Serialize;

pub use super::problems::{Problem, Problems};
use crate::pdml::Frame;

#[derive(Debug, Default, Clone, Serialize)]
pub struct TypeStats {
    pub messages: u64,
    pub problems: u64,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct ClassStats {
    pub severity: String,
    pub count: u64,
}

#[derive(Debug, Default)]
pub struct Summary {
    /// The captures, in the order the reports list them.
    pub files: Vec<String>,
    pub frames: u64,
    pub messages: u64,
    pub problems: Problems,
    pub by_message: BTreeMap<String, TypeStats>,
    pub by_class: BTreeMap<String, ClassStats>,
    /// Problems at or above the threshold.
    pub failing: u64,
    pub threshold: String,
}

/// Severity names in rising order; the threshold is one of them.
pub const SEVERITIES: [&str; 5] = ["comment", "chat", "note", "warning", "error"];

pub fn rank(severity: &str) -> usize {
    SEVERITIES.iter().position(|s| *s == severity).unwrap_or(0)
}

/// The counts kept under `name` in `map`, made the first time: the name
/// is copied only then (once per message type or class, not per message).
fn counts<'m, V: Default>(map: &'m mut BTreeMap<String, V>, name: &str) -> &'m mut V {
    if !map.contains_key(name) {
        map.insert(name.to_string(), V::default());
    }
    map.get_mut(name).expect("just inserted")
}

impl Summary {
    pub fn new(threshold: &str) -> Summary {
        Summary { threshold: threshold.to_string(), ..Default::default() }
    }

    /// Counts the frame and keeps its problems; fails only when a spilled
    /// problem cannot be written.
    pub fn add_frame(&mut self, file: &str, f: &Frame) -> io::Result<()> {
        self.frames += 1;
        for (i, m) in f.messages.iter().enumerate() {
            let name = m.name();
            self.messages += 1;
            counts(&mut self.by_message, name).messages += 1;
            for x in &m.experts {
                self.add(file, (f.number, i), name, x)?;
            }
        }
        // A dissector exception outside a message (should not happen) still counts.
        for x in f.other_experts.iter().filter(|x| x.name.starts_with("xmmep") || x.name == "_ws.malformed") {
            self.add(file, (f.number, f.messages.len()), "", x)?;
        }
        Ok(())
    }

    /// A problem at `place`: the frame number and the message's index in it.
    fn add(&mut self, file: &str, place: (u32, usize), message: &str, x: &crate::pdml::Expert) -> io::Result<()> {
        if !message.is_empty() {
            counts(&mut self.by_message, message).problems += 1;
        }
        let c = counts(&mut self.by_class, &x.name);
        c.count += 1;
        c.severity = x.severity.clone();
        let failing = rank(&x.severity) >= rank(&self.threshold);
        if failing {
            self.failing += 1;
        }
        let p = Problem {
            file: file.to_string(),
            frame: place.0,
            index: place.1,
            message: message.to_string(),
            class: x.name.clone(),
            severity: x.severity.clone(),
            group: x.group.clone(),
            text: x.message.clone(),
        };
        self.problems.push(p, failing)
    }

    /// Whether a problem is at or above the threshold (fails the check).
    pub fn fails(&self, p: &Problem) -> bool {
        rank(&p.severity) >= rank(&self.threshold)
    }

    /// The human report: one line per problem at or above the threshold
    /// (every problem with `all`), then the two tables.
    pub fn write_text(&self, all: bool, mut o: impl Write) -> io::Result<()> {
        self.problems.each(&self.files, |p| if all || self.fails(p) { writeln!(o, "{}", p.line()) } else { Ok(()) })?;
        writeln!(o, "\n{:<32} {:>10} {:>10}", "message type", "messages", "problems")?;
        for (name, s) in &self.by_message {
            writeln!(o, "{name:<32} {:>10} {:>10}", s.messages, s.problems)?;
        }
        writeln!(o, "\n{:<32} {:>10} {:>10}", "report class", "severity", "count")?;
        for (name, s) in &self.by_class {
            writeln!(o, "{name:<32} {:>10} {:>10}", s.severity, s.count)?;
        }
        writeln!(
            o,
            "\n{} file(s), {} frame(s), {} XMMEP message(s), {} problem(s), {} at or above {}",
            self.files.len(),
            self.frames,
            self.messages,
            self.problems.len(),
            self.failing,
            self.threshold
        )?;
        o.flush()
    }

    /// [`Summary::write_text`] as a string.
    pub fn text(&self, all: bool) -> io::Result<String> {
        let mut out = Vec::new();
        self.write_text(all, &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// The JSON report: the problems stream from where they are kept, the
/// captures in the order of `files`.
impl Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct InOrder<'a>(&'a Summary);
        impl Serialize for InOrder<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                self.0.problems.serialize_in(&self.0.files, serializer)
            }
        }
        let mut s = serializer.serialize_struct("Summary", 8)?;
        s.serialize_field("files", &self.files)?;
        s.serialize_field("frames", &self.frames)?;
        s.serialize_field("messages", &self.messages)?;
        s.serialize_field("problems", &InOrder(self))?;
        s.serialize_field("by_message", &self.by_message)?;
        s.serialize_field("by_class", &self.by_class)?;
        s.serialize_field("failing", &self.failing)?;
        s.serialize_field("threshold", &self.threshold)?;
        s.end()
    }
}
