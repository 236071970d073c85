//! The analysis's state for the open capture, in one place: the tracker,
//! the message ordinals and the announced-conversation answers. Created at
//! the first message that needs it and dropped when Wireshark frees the
//! file scope (the capture closes, or preferences make it dissect anew).

use std::sync::{Mutex, MutexGuard};

use xmmep_core::analysis::{Ordinals, Tracker};
use xmmep_core::numhash::{table_bytes, NumMap};
use xmmep_core::stats::RESULT_SUCCESS;

use crate::ffi::registry::on_file_close;

/// Per capture.
#[derive(Default)]
pub(crate) struct Capture {
    pub(crate) tracker: Tracker,
    pub(crate) ordinals: Ordinals,
    pub(crate) setups: Setups,
    pub(crate) answers: Answers,
}

static CAPTURE: Mutex<Option<Capture>> = Mutex::new(None);

/// Environment variable: when set, the state's size is printed to stderr
/// as the capture closes (the benchmark reads it).
const REPORT_STATE: &str = "XMMEP_REPORT_STATE";

/// The open capture's state, locked for all one message asks of it; created
/// (with its file-close hook) on first use. A panic while it was held only
/// poisons the lock: every update is a few plain stores, so go on.
pub(crate) fn lock() -> MutexGuard<'static, Option<Capture>> {
    let mut c = CAPTURE.lock().unwrap_or_else(|e| e.into_inner());
    if c.is_none() {
        *c = Some(Capture::default());
        on_file_close(close);
    }
    c
}

fn close() {
    let gone = CAPTURE.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let (Some(c), true) = (gone, std::env::var_os(REPORT_STATE).is_some()) {
        let messages = c.tracker.messages().max(1) as f64;
        let mut parts = c.tracker.heap_parts();
        parts.push(("setup frames", c.setups.heap_bytes()));
        parts.push(("login presences", c.answers.heap_bytes()));
        let bytes: usize = parts.iter().map(|(_, b)| b).sum();
        let each: Vec<String> = parts.iter().map(|(what, b)| format!("{what} {:.1}", *b as f64 / messages)).collect();
        eprintln!("xmmep state: {bytes} bytes, {messages} messages, {:.1} bytes/message ({})", bytes as f64 / messages, each.join(", "));
    }
}

/// Which frame announced each conversation's endpoint (`xmmep.setup_in`),
/// as Wireshark's conversation table answers it, asked once per
/// conversation instead of once per message (three table lookups on TCP).
/// The answer changes only when this plugin announces an endpoint, which
/// makes every conversation ask again; each change is kept with its frame,
/// so later passes read the answer of any frame without asking.
#[derive(Default)]
pub(crate) struct Setups {
    /// Bumped at every announcement.
    epoch: u32,
    convs: NumMap<(u64, bool), ConvSetups>,
}

#[derive(Default)]
struct ConvSetups {
    /// The epoch of the last answer.
    epoch: u32,
    /// (first frame, setup frame or 0), in frame order.
    changes: Vec<(u32, u32)>,
}

impl Setups {
    /// Announcing changes what conversations answer.
    pub(crate) fn announced(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
    }

    /// The setup frame of conversation `conv` (key and direction) at `frame` on the first pass
    /// (frames in order), asking `ask` only when the answer may have changed.
    pub(crate) fn first_pass<E>(&mut self, conv: (u64, bool), frame: u32, ask: impl FnOnce() -> Result<Option<u32>, E>) -> Result<Option<u32>, E> {
        let epoch = self.epoch;
        let c = self.convs.entry(conv).or_insert_with(|| ConvSetups { epoch: epoch.wrapping_sub(1), changes: Vec::new() });
        let last = c.changes.last().copied();
        if c.epoch == epoch {
            if let Some((_, setup)) = last {
                return Ok((setup != 0).then_some(setup));
            }
        }
        let setup = ask()?;
        c.epoch = epoch;
        let value = setup.unwrap_or(0);
        match last {
            Some((_, v)) if v == value => {}
            // Two answers in one frame: the later one is what every pass
            // after the first sees for the whole frame.
            Some((f, _)) if f == frame => *c.changes.last_mut().expect("not empty") = (frame, value),
            _ => c.changes.push((frame, value)),
        }
        Ok(setup)
    }

    /// The setup frame the first pass found for `conv` at `frame`; None
    /// when it never asked (then ask Wireshark).
    pub(crate) fn later(&self, conv: (u64, bool), frame: u32) -> Option<Option<u32>> {
        let c = self.convs.get(&conv)?;
        let i = c.changes.partition_point(|&(f, _)| f <= frame);
        let (_, setup) = *c.changes.get(i.checked_sub(1)?)?;
        Some((setup != 0).then_some(setup))
    }

    fn heap_bytes(&self) -> usize {
        table_bytes(&self.convs) + self.convs.values().map(|c| c.changes.capacity() * std::mem::size_of::<(u32, u32)>()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asks_once_per_conversation_until_an_announcement() {
        let mut s = Setups::default();
        let asked = std::cell::Cell::new(0);
        let ask = |v: Option<u32>| {
            let asked = &asked;
            move || -> Result<Option<u32>, ()> {
                asked.set(asked.get() + 1);
                Ok(v)
            }
        };
        assert_eq!(s.first_pass((7, true), 1, ask(None)), Ok(None));
        assert_eq!(s.first_pass((7, true), 2, ask(Some(99))), Ok(None));
        s.announced();
        assert_eq!(s.first_pass((7, true), 5, ask(Some(5))), Ok(Some(5)));
        assert_eq!(s.first_pass((7, true), 6, ask(None)), Ok(Some(5)));
        assert_eq!(asked.get(), 2);
        assert_eq!(s.later((7, true), 1), Some(None));
        assert_eq!(s.later((7, true), 4), Some(None));
        assert_eq!(s.later((7, true), 5), Some(Some(5)));
        assert_eq!(s.later((7, true), 900), Some(Some(5)));
        assert_eq!(s.later((8, true), 5), None);
    }
}

/// What the statistics tree and the credentials tap need of a request
/// and its answer, which the tracker does not keep: the presence a request
/// sets, kept until its first answer with a result; then, if that answer
/// accepts it, kept for that answer, where every pass reads it. For a
/// request that carries a credential, that answer's frame and result when
/// it refuses (an accepted one, the common case, keeps nothing). Filled on
/// the first pass.
#[derive(Default)]
pub(crate) struct Answers {
    /// What a request not answered yet waits for, by request.
    pending: NumMap<(u32, u16), Awaiting>,
    /// The presence a request's accepting first answer sets, by answer.
    accepted: NumMap<(u32, u16), u32>,
    /// The first answer with a result (its frame, the result) of each
    /// request that carries a credential, when it refuses, by request.
    refused: NumMap<(u32, u16), (u32, u16)>,
    /// The credentials of requests the first pass keeps for their answer
    /// while the credentials tap listens (at most [`MAX_KEPT`]).
    kept: NumMap<(u32, u16), Kept>,
}

/// What a request waits for its answer to settle.
#[derive(Clone, Copy)]
struct Awaiting {
    /// A `PRESENCE` value; one past `u32` is none of them.
    presence: Option<u32>,
    credential: bool,
}

/// A request's credential, as the credentials tap shows it.
pub(crate) struct Kept {
    pub(crate) user: String,
    pub(crate) password: String,
    /// The request's message name.
    pub(crate) name: &'static str,
}

/// How many credentials the first pass keeps waiting for their answers;
/// past it a credential is listed without its outcome.
pub(crate) const MAX_KEPT: usize = 4096;

impl Answers {
    /// `request` waits for its answer: it sets `presence` (a `PRESENCE`
    /// value), or carries a `credential`, or both.
    pub(crate) fn request(&mut self, request: (u32, u16), presence: Option<u64>, credential: bool) {
        let presence = presence.and_then(|p| u32::try_from(p).ok());
        if presence.is_some() || credential {
            self.pending.insert(request, Awaiting { presence, credential });
        }
    }

    /// `answer` answers `request` with `result` (RESULT_SUCCESS accepts
    /// it): the first such answer settles the request.
    pub(crate) fn answer(&mut self, request: (u32, u16), answer: (u32, u16), result: u64) {
        let Some(a) = self.pending.remove(&request) else { return };
        if result == RESULT_SUCCESS {
            if let Some(presence) = a.presence {
                self.accepted.insert(answer, presence);
            }
        } else if a.credential {
            // Results are Bytes: a wider one is no result code either.
            self.refused.insert(request, (answer.0, u16::try_from(result).unwrap_or(u16::MAX)));
        }
    }

    /// The presence `answer` sets, if it accepted a request carrying one.
    pub(crate) fn accepted(&self, answer: (u32, u16)) -> Option<u64> {
        self.accepted.get(&answer).map(|&p| u64::from(p))
    }

    /// The answer with a result of `request`, a request that carries a
    /// credential and whose first answer is in frame `first`: its frame and
    /// result; the result is None when no answer carried one.
    pub(crate) fn outcome(&self, request: (u32, u16), first: u32) -> (u32, Option<u64>) {
        if let Some(&(frame, result)) = self.refused.get(&request) {
            return (frame, Some(u64::from(result)));
        }
        match self.pending.get(&request) {
            Some(a) if a.credential => (first, None),
            _ => (first, Some(RESULT_SUCCESS)),
        }
    }

    /// Keeps the credential of `request` for its answer; gives it back
    /// when [`MAX_KEPT`] wait already.
    pub(crate) fn keep(&mut self, request: (u32, u16), kept: Kept) -> Result<(), Kept> {
        if self.kept.len() >= MAX_KEPT {
            return Err(kept);
        }
        self.kept.insert(request, kept);
        Ok(())
    }

    /// The credential kept for `request`, taken.
    pub(crate) fn take_kept(&mut self, request: (u32, u16)) -> Option<Kept> {
        if self.kept.is_empty() {
            return None;
        }
        self.kept.remove(&request)
    }

    fn heap_bytes(&self) -> usize {
        let kept: usize = self.kept.values().map(|k| k.user.capacity() + k.password.capacity()).sum();
        table_bytes(&self.pending) + table_bytes(&self.accepted) + table_bytes(&self.refused) + table_bytes(&self.kept) + kept
    }
}
