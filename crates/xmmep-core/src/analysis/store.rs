//! Where the tracker keeps what it found, message by message: a record of
//! 18 bytes per message, in the order the first pass saw them, and side
//! maps for what few messages have beyond it (forward lists, transfers,
//! the end of a multi-part answer, reports, a second back link). A capture of millions of messages then costs the
//! analysis about its record size per message, instead of a hash map entry
//! with vectors per message; messages are numbered by their place in the
//! first pass, and a sorted index of frames turns a `MsgRef` into that
//! number and back.

use crate::numhash::{table_bytes, NumMap};
use crate::reports::ReportKind;
use crate::table::EXCHANGES;

use super::links::{Link, Links, MsgRef};

/// No message (a message number cannot reach it: it would need 4 G
/// messages, and the first pass stops numbering before).
const NONE: u32 = u32::MAX;

/// Elements per chunk: storage grows a chunk at a time, so at most one
/// chunk is allocated ahead of need (a doubling vector may hold twice what
/// it uses).
const CHUNK: usize = 4096;

/// A vector in fixed-size chunks.
pub(super) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T: Copy> Chunked<T> {
    fn new() -> Self {
        Chunked { chunks: Vec::new(), len: 0 }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, v: T) {
        if self.len % CHUNK == 0 {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        self.chunks.last_mut().expect("a chunk was just made").push(v);
        self.len += 1;
    }

    fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i / CHUNK)?.get_mut(i % CHUNK)
    }

    fn last_mut(&mut self) -> Option<&mut T> {
        self.chunks.last_mut()?.last_mut()
    }

    /// The number of leading elements for which `pred` holds (it must
    /// hold for a prefix only), as `slice::partition_point`.
    fn partition_point(&self, pred: impl Fn(&T) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if pred(self.get(mid).expect("below len")) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    fn heap_bytes(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<Vec<T>>() + self.chunks.iter().map(|c| c.capacity() * std::mem::size_of::<T>()).sum::<usize>()
    }
}

/// Flags of a message.
const REQUEST: u8 = 1;
/// `back` is the request this message answers.
const RESPONSE: u8 = 2;
/// `back` is the original this message forwards.
const FORWARD: u8 = 4;
/// The message completes an exchange (see `Links::completes`).
const COMPLETES: u8 = 8;

/// The links every kind of message may have: 16 bytes.
#[derive(Clone, Copy)]
struct Rec {
    /// Time since `back`.
    delta_ns: i64,
    /// The request (RESPONSE) or the original (FORWARD).
    back: u32,
    /// The first answer, for a request; for a forward that is not a
    /// request, the next listed forward of its original.
    response_in: u32,
}

const EMPTY: Rec = Rec { delta_ns: 0, back: NONE, response_in: NONE };

/// Flags, and the index + 1 into `EXCHANGES` of the exchange the message
/// completes: 2 bytes.
#[derive(Clone, Copy, Default)]
struct Tag {
    flags: u8,
    exchange: u8,
}

pub(super) struct Store {
    /// (frame, number of its first message), one per frame with messages,
    /// in frame order.
    frames: Chunked<(u32, u32)>,
    recs: Chunked<Rec>,
    tags: Chunked<Tag>,
    /// What few messages have, by message number: a request's end of a
    /// multi-part answer, a transfer stage's transfer, an original's
    /// forwards, reports, and the forward link of a forward that is also
    /// an answer (`back` holds the answer's).
    end_in: NumMap<u32, u32>,
    transfer: NumMap<u32, u32>,
    forwards: NumMap<u32, Forwards>,
    /// The next listed forward after a forward that is also a request
    /// (other forwards keep it in their record).
    next_forward: NumMap<u32, u32>,
    reports: NumMap<u32, Vec<(ReportKind, String)>>,
    forward_of: NumMap<u32, (u32, i64)>,
}

/// An original's forwards: how many, and the listed ones as a chain
/// from `first` to `last` through each forward's next.
#[derive(Clone, Copy)]
struct Forwards {
    count: u32,
    listed: u32,
    first: u32,
    last: u32,
}

impl Store {
    pub(super) fn new() -> Store {
        Store {
            frames: Chunked::new(),
            recs: Chunked::new(),
            tags: Chunked::new(),
            end_in: NumMap::default(),
            transfer: NumMap::default(),
            forwards: NumMap::default(),
            next_forward: NumMap::default(),
            reports: NumMap::default(),
            forward_of: NumMap::default(),
        }
    }

    /// Numbers a new message: `at` must come after every message so far
    /// (the tracker checks). Places skipped in its frame get empty records.
    pub(super) fn push(&mut self, at: MsgRef) -> u32 {
        let first = match self.frames.last_mut() {
            Some(&mut (frame, first)) if frame == at.frame => first,
            _ => {
                let first = self.recs.len() as u32;
                self.frames.push((at.frame, first));
                first
            }
        };
        let n = first + u32::from(at.index);
        while self.recs.len() as u32 <= n {
            self.recs.push(EMPTY);
            self.tags.push(Tag::default());
        }
        n
    }

    /// Messages numbered so far.
    pub(super) fn len(&self) -> usize {
        self.recs.len()
    }

    /// The numbers of `frame`'s messages, first to one past the last, if
    /// the first pass saw any.
    fn frame_range(&self, frame: u32) -> Option<(u32, u32)> {
        // The first pass asks about the message it just numbered: the last frame.
        let i = match self.frames.len().checked_sub(1) {
            Some(last) if self.frames.get(last).is_some_and(|&(f, _)| f == frame) => last,
            _ => self.frames.partition_point(|&(f, _)| f < frame),
        };
        let &(f, first) = self.frames.get(i)?;
        let end = self.frames.get(i + 1).map_or(self.recs.len() as u32, |&(_, f)| f);
        (f == frame).then_some((first, end))
    }

    /// The number of a message the first pass saw.
    pub(super) fn num(&self, at: MsgRef) -> Option<u32> {
        let (first, end) = self.frame_range(at.frame)?;
        let n = first + u32::from(at.index);
        (n < end).then_some(n)
    }

    /// The message of number `n`.
    pub(super) fn at(&self, n: u32) -> MsgRef {
        let i = self.frames.partition_point(|&(_, first)| first <= n) - 1;
        let &(frame, first) = self.frames.get(i).expect("every number has a frame");
        MsgRef { frame, index: (n - first) as u16 }
    }

    /// How many messages the first pass saw in `frame`.
    pub(super) fn messages_in(&self, frame: u32) -> u16 {
        self.frame_range(frame).map_or(0, |(first, end)| (end - first) as u16)
    }

    fn rec(&mut self, n: u32) -> &mut Rec {
        self.recs.get_mut(n as usize).expect("numbered by push")
    }

    fn tag(&mut self, n: u32) -> &mut Tag {
        self.tags.get_mut(n as usize).expect("numbered by push")
    }

    pub(super) fn set_request(&mut self, n: u32) {
        self.tag(n).flags |= REQUEST;
    }

    /// `n` answers request `req`, `delta_ns` after it.
    pub(super) fn set_response_to(&mut self, n: u32, req: u32, delta_ns: i64) {
        if self.tag(n).flags & FORWARD != 0 {
            // Keep the forward link aside; the record holds the answer's.
            let r = *self.rec(n);
            self.forward_of.insert(n, (r.back, r.delta_ns));
            self.tag(n).flags &= !FORWARD;
        }
        self.tag(n).flags |= RESPONSE;
        let r = self.rec(n);
        r.back = req;
        r.delta_ns = delta_ns;
    }

    pub(super) fn set_completes(&mut self, n: u32, exchange: usize) {
        let t = self.tag(n);
        t.flags |= COMPLETES;
        t.exchange = (exchange + 1) as u8;
    }

    /// The first answer of request `n` (a later one does not replace it).
    pub(super) fn set_response_in(&mut self, n: u32, res: u32) {
        let r = self.rec(n);
        if r.response_in == NONE {
            r.response_in = res;
        }
    }

    pub(super) fn set_end_in(&mut self, n: u32, end: u32) {
        self.end_in.insert(n, end);
    }

    /// `n` forwards original `orig`, `delta_ns` after it.
    pub(super) fn set_forward_of(&mut self, n: u32, orig: u32, delta_ns: i64) {
        if self.tag(n).flags & RESPONSE != 0 {
            self.forward_of.insert(n, (orig, delta_ns));
            return;
        }
        self.tag(n).flags |= FORWARD;
        let r = self.rec(n);
        r.back = orig;
        r.delta_ns = delta_ns;
    }

    /// Counts forward `fwd` of original `n`, listing the first `max`.
    pub(super) fn add_forward(&mut self, n: u32, fwd: u32, max: usize) {
        let f = self.forwards.entry(n).or_insert(Forwards { count: 0, listed: 0, first: NONE, last: NONE });
        f.count += 1;
        if f.listed as usize >= max {
            return;
        }
        f.listed += 1;
        let prev = std::mem::replace(&mut f.last, fwd);
        if prev == NONE {
            f.first = fwd;
        } else if self.tag(prev).flags & REQUEST != 0 {
            self.next_forward.insert(prev, fwd);
        } else {
            self.rec(prev).response_in = fwd;
        }
    }

    /// The listed forward after forward `m`.
    fn next_forward(&self, m: u32) -> u32 {
        if self.tags.get(m as usize).is_some_and(|t| t.flags & REQUEST != 0) {
            self.next_forward.get(&m).copied().unwrap_or(NONE)
        } else {
            self.recs.get(m as usize).map_or(NONE, |r| r.response_in)
        }
    }

    pub(super) fn set_transfer(&mut self, n: u32, id: u32) {
        self.transfer.insert(n, id);
    }

    pub(super) fn add_report(&mut self, n: u32, kind: ReportKind, text: String) {
        self.reports.entry(n).or_default().push((kind, text));
    }

    /// Whether `n` is a request nothing answered.
    pub(super) fn unanswered(&self, n: u32) -> bool {
        let request = self.tags.get(n as usize).is_some_and(|t| t.flags & REQUEST != 0);
        request && self.recs.get(n as usize).is_some_and(|r| r.response_in == NONE)
    }

    /// Everything found for message `n`; None when nothing was.
    pub(super) fn links(&self, n: u32) -> Option<Links> {
        let (r, t) = (*self.recs.get(n as usize)?, *self.tags.get(n as usize)?);
        let link = |to: u32, delta_ns: i64| Link { to: self.at(to), delta_ns };
        let mut l = Links {
            request: t.flags & REQUEST != 0,
            response_in: (t.flags & REQUEST != 0 && r.response_in != NONE).then(|| self.at(r.response_in)),
            completes: (t.flags & COMPLETES != 0).then(|| (EXCHANGES[t.exchange as usize - 1].request, r.delta_ns)),
            response_to: (t.flags & RESPONSE != 0).then(|| link(r.back, r.delta_ns)),
            forward_of: (t.flags & FORWARD != 0).then(|| link(r.back, r.delta_ns)),
            ..Links::default()
        };
        // The side maps, only for messages that may be in them.
        if t.flags & RESPONSE != 0 {
            if let Some(&(to, d)) = self.forward_of.get(&n) {
                l.forward_of = Some(link(to, d));
            }
        }
        if l.request {
            l.end_in = self.end_in.get(&n).map(|&m| self.at(m));
        }
        if !self.transfer.is_empty() {
            l.transfer = self.transfer.get(&n).copied();
        }
        if let Some(f) = self.forwards.get(&n) {
            l.forward_count = f.count;
            let mut m = f.first;
            for _ in 0..f.listed {
                l.forwards.push(self.at(m));
                m = self.next_forward(m);
            }
        }
        if let Some(reports) = self.reports.get(&n) {
            l.reports = reports.clone();
        }
        (l != Links::default()).then_some(l)
    }

    /// Heap bytes held, by capacity (what the allocator gave).
    pub(super) fn heap_bytes(&self) -> usize {
        let texts: usize = self.reports.values().map(|r| r.capacity() * std::mem::size_of::<(ReportKind, String)>() + r.iter().map(|(_, s)| s.capacity()).sum::<usize>()).sum();
        self.frames.heap_bytes()
            + self.recs.heap_bytes()
            + self.tags.heap_bytes()
            + table_bytes(&self.end_in)
            + table_bytes(&self.transfer)
            + table_bytes(&self.forwards)
            + table_bytes(&self.next_forward)
            + table_bytes(&self.reports)
            + texts
            + table_bytes(&self.forward_of)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_takes_18_bytes() {
        assert_eq!(std::mem::size_of::<Rec>() + std::mem::size_of::<Tag>(), 18);
    }

    #[test]
    fn numbers_and_places_convert_both_ways() {
        let mut s = Store::new();
        let refs: Vec<MsgRef> = [(3, 0), (3, 1), (7, 0), (9, 2), (10_000, 0)].iter().map(|&(frame, index)| MsgRef { frame, index }).collect();
        for &at in &refs {
            s.push(at);
        }
        for &at in &refs {
            let n = s.num(at).unwrap();
            assert_eq!(s.at(n), at);
        }
        // Frame 9's first message was never pushed: it has an empty record.
        assert_eq!(s.messages_in(9), 3);
        assert!(s.num(MsgRef { frame: 9, index: 0 }).is_some_and(|n| s.links(n).is_none()));
        assert_eq!(s.num(MsgRef { frame: 3, index: 2 }), None);
        assert_eq!(s.num(MsgRef { frame: 4, index: 0 }), None);
        assert_eq!(s.messages_in(4), 0);
    }

    #[test]
    fn chunks_grow_one_at_a_time() {
        let mut c = Chunked::new();
        for i in 0..(CHUNK * 2 + 1) as u32 {
            c.push(i);
        }
        assert_eq!(c.chunks.len(), 3);
        assert_eq!(c.get(CHUNK * 2).copied(), Some((CHUNK * 2) as u32));
        assert_eq!(c.partition_point(|&v| v < 5000), 5000);
    }
}
