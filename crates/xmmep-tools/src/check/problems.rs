//! Every problem the check finds, in bounded memory: each capture's
//! problems stay in arrival order (frame order, as tshark decodes a capture
//! front to back), held in memory up to [`HOLD`] problems in all, then
//! spilled as JSON lines to an unnamed temporary file and read back, capture
//! by capture, when the reports are written. A capture with millions of
//! problems costs disk, not memory.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, Write};
use std::os::unix::fs::FileExt;

use serde::{Deserialize, Serialize};

/// Problems held in memory before they are spilled (a few megabytes).
const HOLD: usize = 8192;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub frame: u32,
    /// The message's place in its frame (0 for the first), which tells two
    /// messages of one type in one frame apart; not part of the JSON report.
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

/// A problem as spilled: the capture is known from where it lies, the
/// message's place in its frame is kept.
#[derive(Serialize, Deserialize)]
struct Spilled {
    frame: u32,
    index: usize,
    message: String,
    class: String,
    severity: String,
    group: String,
    text: String,
}

/// One capture's problems: spilled runs, then those held.
#[derive(Debug, Default)]
struct Capture {
    name: String,
    /// (offset, length) of each spilled run, in order.
    runs: Vec<(u64, usize)>,
    held: Vec<Problem>,
    count: u64,
    /// Messages with a failing problem (the JUnit report's failing cases),
    /// and the place of the last failing problem.
    failing_messages: u64,
    last_failing: Option<(u32, usize)>,
}

#[derive(Debug, Default)]
pub struct Problems {
    captures: Vec<Capture>,
    by_name: HashMap<String, usize>,
    held: usize,
    spill: Option<File>,
    spilled: u64,
    total: u64,
}

impl Problems {
    /// Keeps `p`; `failing`: whether it is at or above the threshold.
    pub fn push(&mut self, p: Problem, failing: bool) -> io::Result<()> {
        let at = match self.by_name.get(&p.file) {
            Some(&at) => at,
            None => {
                self.captures.push(Capture { name: p.file.clone(), ..Capture::default() });
                self.by_name.insert(p.file.clone(), self.captures.len() - 1);
                self.captures.len() - 1
            }
        };
        let c = &mut self.captures[at];
        if failing {
            let place = Some((p.frame, p.index));
            if c.last_failing != place {
                c.failing_messages += 1;
            }
            c.last_failing = place;
        }
        c.count += 1;
        c.held.push(p);
        self.total += 1;
        self.held += 1;
        if self.held >= HOLD {
            self.spill_held()?;
        }
        Ok(())
    }

    /// Every problem kept.
    pub fn len(&self) -> u64 {
        self.total
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Messages of `file` with a failing problem.
    pub fn failing_messages(&self, file: &str) -> u64 {
        self.by_name.get(file).map_or(0, |&at| self.captures[at].failing_messages)
    }

    /// Writes every held problem to the spill file, a run per capture.
    fn spill_held(&mut self) -> io::Result<()> {
        let file = match &mut self.spill {
            Some(f) => f,
            None => self.spill.insert(tempfile::tempfile()?),
        };
        let mut out = io::BufWriter::new(file);
        for c in self.captures.iter_mut().filter(|c| !c.held.is_empty()) {
            let start = self.spilled;
            for p in c.held.drain(..) {
                let line = Spilled { frame: p.frame, index: p.index, message: p.message, class: p.class, severity: p.severity, group: p.group, text: p.text };
                let mut text = serde_json::to_vec(&line).map_err(io::Error::other)?;
                text.push(b'\n');
                out.write_all(&text)?;
                self.spilled += text.len() as u64;
            }
            c.runs.push((start, (self.spilled - start) as usize));
        }
        out.flush()?;
        self.held = 0;
        Ok(())
    }

    /// Calls `f` with each problem of `file`, in the order they came.
    pub fn each_of(&self, file: &str, mut f: impl FnMut(&Problem) -> io::Result<()>) -> io::Result<()> {
        let Some(&at) = self.by_name.get(file) else { return Ok(()) };
        let c = &self.captures[at];
        let mut buf = Vec::new();
        for &(offset, len) in &c.runs {
            let spill = self.spill.as_ref().expect("runs are spilled");
            buf.resize(len, 0);
            spill.read_exact_at(&mut buf, offset)?;
            for line in buf.lines() {
                let s: Spilled = serde_json::from_str(&line?).map_err(io::Error::other)?;
                let p = Problem { file: c.name.clone(), frame: s.frame, index: s.index, message: s.message, class: s.class, severity: s.severity, group: s.group, text: s.text };
                f(&p)?;
            }
        }
        c.held.iter().try_for_each(f)
    }

    /// Calls `f` with every problem, the captures in the order of `files`
    /// (captures decoded in parallel report in any order), then those of
    /// any capture not in `files`.
    pub fn each(&self, files: &[String], mut f: impl FnMut(&Problem) -> io::Result<()>) -> io::Result<()> {
        for file in files {
            self.each_of(file, &mut f)?;
        }
        for c in self.captures.iter().filter(|c| !files.contains(&c.name)) {
            self.each_of(&c.name, &mut f)?;
        }
        Ok(())
    }

    /// The problems as a JSON array, the captures in the order of `files`.
    pub fn serialize_in<S: serde::Serializer>(&self, files: &[String], serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(usize::try_from(self.total).ok())?;
        let mut failed = None;
        let walked = self.each(files, |p| {
            seq.serialize_element(p).map_err(|e| {
                failed = Some(e);
                io::Error::other("serialization failed")
            })
        });
        if let Some(e) = failed {
            return Err(e);
        }
        walked.map_err(S::Error::custom)?;
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(file: &str, frame: u32) -> Problem {
        Problem {
            file: file.into(),
            frame,
            index: 0,
            message: "MSG".into(),
            class: "xmmep.c".into(),
            severity: "error".into(),
            group: "protocol".into(),
            text: format!("t{frame}"),
        }
    }

    #[test]
    fn problems_come_back_in_order_across_spills() {
        let mut ps = Problems::default();
        let n = HOLD as u32 * 2 + 17;
        for i in 0..n {
            ps.push(problem(if i % 3 == 0 { "a" } else { "b" }, i), i % 2 == 0).unwrap();
        }
        assert!(ps.spill.is_some(), "more than HOLD problems spill");
        assert!(ps.held < HOLD);
        let mut seen = Vec::new();
        ps.each(&["b".to_string(), "a".to_string()], |p| {
            seen.push((p.file.clone(), p.frame, p.text.clone()));
            Ok(())
        })
        .unwrap();
        let want: Vec<_> = (0..n)
            .filter(|i| i % 3 != 0)
            .map(|i| ("b".to_string(), i, format!("t{i}")))
            .chain((0..n).filter(|i| i % 3 == 0).map(|i| ("a".to_string(), i, format!("t{i}"))))
            .collect();
        assert_eq!(seen, want);
        assert_eq!(ps.len(), u64::from(n));
        assert_eq!(ps.failing_messages("a"), u64::from((0..n).filter(|i| i % 3 == 0 && i % 2 == 0).count() as u32));
    }
}
