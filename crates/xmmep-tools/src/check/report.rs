//! What the check collects: every problem with its place, and counts per
//! message type and per report class; printed as text or JSON.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::pdml::Frame;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub frame: u32,
    /// The message's place in its frame (0 for the first), which tells two
    /// messages of one type in one frame apart; not part of the JSON.
    #[serde(skip)]
    pub index: usize,
    pub message: String,
    /// Expert info name (`xmmep.unknown_enum`, or `_ws.malformed`).
    pub class: String,
    pub severity: String,
    pub group: String,
    pub text: String,
}

impl Problem {
    /// The line the human report prints: `file:frame: MSG_NAME: text [severity class]`.
    pub fn line(&self) -> String {
        let message = if self.message.is_empty() { "-" } else { &self.message };
        format!("{}:{}: {message}: {} [{} {}]", self.file, self.frame, self.text, self.severity, self.class)
    }
}

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

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub files: Vec<String>,
    pub frames: u64,
    pub messages: u64,
    pub problems: Vec<Problem>,
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

impl Summary {
    pub fn new(threshold: &str) -> Summary {
        Summary { threshold: threshold.to_string(), ..Default::default() }
    }

    pub fn add_frame(&mut self, file: &str, f: &Frame) {
        self.frames += 1;
        for (i, m) in f.messages.iter().enumerate() {
            let name = m.name().to_string();
            self.messages += 1;
            self.by_message.entry(name.clone()).or_default().messages += 1;
            for x in &m.experts {
                self.add(file, (f.number, i), &name, x);
            }
        }
        // A dissector exception outside a message (should not happen) still counts.
        for x in f.other_experts.iter().filter(|x| x.name.starts_with("xmmep") || x.name == "_ws.malformed") {
            self.add(file, (f.number, f.messages.len()), "", x);
        }
    }

    /// A problem at `place`: the frame number and the message's index in it.
    fn add(&mut self, file: &str, place: (u32, usize), message: &str, x: &crate::pdml::Expert) {
        if !message.is_empty() {
            self.by_message.entry(message.to_string()).or_default().problems += 1;
        }
        let c = self.by_class.entry(x.name.clone()).or_default();
        c.count += 1;
        c.severity = x.severity.clone();
        if rank(&x.severity) >= rank(&self.threshold) {
            self.failing += 1;
        }
        self.problems.push(Problem {
            file: file.to_string(),
            frame: place.0,
            index: place.1,
            message: message.to_string(),
            class: x.name.clone(),
            severity: x.severity.clone(),
            group: x.group.clone(),
            text: x.message.clone(),
        });
    }

    /// Whether a problem is at or above the threshold (fails the check).
    pub fn fails(&self, p: &Problem) -> bool {
        rank(&p.severity) >= rank(&self.threshold)
    }

    /// The human report: one line per problem at or above the threshold
    /// (every problem with `all`), then the two tables.
    pub fn text(&self, all: bool) -> String {
        use std::fmt::Write;
        let mut o = String::new();
        for p in self.problems.iter().filter(|p| all || self.fails(p)) {
            let _ = writeln!(o, "{}", p.line());
        }
        let _ = writeln!(o, "\n{:<32} {:>10} {:>10}", "message type", "messages", "problems");
        for (name, s) in &self.by_message {
            let _ = writeln!(o, "{name:<32} {:>10} {:>10}", s.messages, s.problems);
        }
        let _ = writeln!(o, "\n{:<32} {:>10} {:>10}", "report class", "severity", "count");
        for (name, s) in &self.by_class {
            let _ = writeln!(o, "{name:<32} {:>10} {:>10}", s.severity, s.count);
        }
        let _ = writeln!(
            o,
            "\n{} file(s), {} frame(s), {} XMMEP message(s), {} problem(s), {} at or above {}",
            self.files.len(),
            self.frames,
            self.messages,
            self.problems.len(),
            self.failing,
            self.threshold
        );
        o
    }
}
