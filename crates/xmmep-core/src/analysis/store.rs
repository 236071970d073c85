//! Where the tracker keeps what it found, message by message: a record of
//! 8 bytes per message, in the order the first pass saw them, an index of
//! frames (16 bytes a frame: its first message and its time), and side
//! maps for what few messages have beyond it (forward lists, transfers,
//! the end of a multi-part answer, reports, a second back link, a link
//! too long for its record). A capture of millions of messages then costs
//! the analysis about its record size per message, instead of a hash map
//! entry with vectors per message; messages are numbered by their place
//! in the first pass, and the sorted index of frames turns a `MsgRef` into
//! that number and back. A link's time is not kept: it is the difference
//! of the two messages' times, which their frames hold.

use crate::numhash::{table_bytes, NumMap};
use crate::reports::{fill, template, ReportKind};
use crate::table::{self, EXCHANGES, FORWARDS};

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

/// Flags of a message, in the top byte of `Rec::back`.
const REQUEST: u8 = 1;
/// `back` is the request this message answers.
const RESPONSE: u8 = 2;
/// `back` is the original this message forwards.
const FORWARD: u8 = 4;
/// The message completes an exchange (see `Links::completes`).
const COMPLETES: u8 = 8;
/// The first pass reported on the message (`Store::reports`).
const REPORTED: u8 = 16;
/// `back` is the end of the message's multi-part answer, as a distance
/// ahead (a request that answers and forwards nothing has its back link
/// free; others keep the end in `Store::end_in`).
const END: u8 = 32;

/// A link in a record: how many messages away it is, in the low 24 bits
/// (0: none). Links are nearly always close; `FAR` says the distance did
/// not fit, and the target is in `Store::far`. (Unit tests narrow the
/// field to reach that case with a small capture.)
const SPAN: u32 = if cfg!(test) { 10 } else { 24 };
const DIST: u32 = (1 << SPAN) - 1;
const FAR: u32 = DIST;

/// The links every kind of message may have: 8 bytes.
#[derive(Clone, Copy)]
struct Rec {
    /// Flags (top byte); the request (RESPONSE) or the original (FORWARD),
    /// as a distance back; or the end of a multi-part answer (END), as a
    /// distance ahead.
    back: u32,
    /// The index + 1 into `EXCHANGES` of the exchange the message
    /// completes (top byte); the first answer, for a request, and for a
    /// forward that is not a request the next listed forward of its
    /// original, as a distance ahead.
    next: u32,
}

const EMPTY: Rec = Rec { back: 0, next: 0 };

impl Rec {
    fn flags(self) -> u8 {
        (self.back >> SPAN) as u8
    }
    fn exchange(self) -> u8 {
        (self.next >> SPAN) as u8
    }
}

/// One frame with messages: its number, the number of its first message
/// and its time (the time of its messages; `Store::own_time` keeps one
/// that differs), in nanoseconds after the base of its run of frames
/// (`Store::bases`): 12 bytes, where a full time would make 16.
#[derive(Clone, Copy)]
struct Frame {
    frame: u32,
    first: u32,
    time_off: u32,
}

/// A report of the first pass, kept as what its text is made of (the
/// text is made when it is read: a few messages are read many times,
/// most never).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Report {
    /// An answer of type `msg_type` with no request of exchange `exchange`.
    NoRequest { exchange: u8, msg_type: u16 },
    /// Part `seq` of an answer of type `msg_type` where `expected` was due.
    PartSequence { msg_type: u16, seq: i64, expected: i64 },
    /// A forward of relation `relation` with no original.
    NoOriginal { relation: u8 },
}

/// A message type's name in reports.
pub(super) fn name(code: u16) -> &'static str {
    table::definition(code).map_or("?", |m| m.name)
}

impl Report {
    fn kind_text(self) -> (ReportKind, String) {
        match self {
            Report::NoRequest { exchange, msg_type } => (ReportKind::NoRequest, fill(template::NO_REQUEST, &[&name(EXCHANGES[exchange as usize].request), &name(msg_type)])),
            Report::PartSequence { msg_type, seq, expected } => {
                let t = if seq > expected { template::PART_GAP } else { template::PART_REPEAT };
                (ReportKind::PartSequence, fill(t, &[&name(msg_type), &seq, &expected]))
            }
            Report::NoOriginal { relation } => {
                let rel = &FORWARDS[relation as usize];
                (ReportKind::NoOriginal, fill(template::NO_ORIGINAL, &[&name(rel.original), &rel.key_labels()]))
            }
        }
    }
}

pub(super) struct Store {
    /// One per frame with messages, in frame order.
    frames: Chunked<Frame>,
    /// Where the frames' times count from: (index in `frames` of the first
    /// frame of a run, the run's base time), in frame order. A run ends at
    /// a frame whose time is before its base or more than `u32::MAX`
    /// nanoseconds (4.3 s) after: a dense capture has a run every few
    /// seconds, a sparse one (where frames are few) up to one per frame.
    bases: Chunked<(u32, i64)>,
    recs: Chunked<Rec>,
    /// What few messages have, by message number: a request's end of a
    /// multi-part answer (when its record has no room, see `END`), a
    /// transfer stage's transfer, an original's
    /// forwards, the forward link of a forward that is also an answer
    /// (`back` holds the answer's), the time of a message that differs
    /// from its frame's (only a feed that is not a capture does that), a
    /// link too far for its record (number * 2, + 1 for `next`).
    end_in: NumMap<u32, u32>,
    transfer: NumMap<u32, u32>,
    forwards: NumMap<u32, Forwards>,
    /// The next listed forward after a forward that is also a request
    /// (other forwards keep it in their record).
    next_forward: NumMap<u32, u32>,
    forward_of: NumMap<u32, u32>,
    own_time: NumMap<u32, i64>,
    /// For a message that completes an exchange followed across
    /// connections (a file offer's answer), the request's type and number.
    completes_from: NumMap<u32, (u16, u32)>,
    far: NumMap<u64, u32>,
    /// The reports, by message number, in the order they were made.
    reports: Chunked<(u32, Report)>,
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
            bases: Chunked::new(),
            recs: Chunked::new(),
            end_in: NumMap::default(),
            transfer: NumMap::default(),
            forwards: NumMap::default(),
            next_forward: NumMap::default(),
            forward_of: NumMap::default(),
            own_time: NumMap::default(),
            completes_from: NumMap::default(),
            far: NumMap::default(),
            reports: Chunked::new(),
        }
    }

    /// Numbers a new message, seen at `time_ns`: `at` must come after
    /// every message so far (the tracker checks). Places skipped in its
    /// frame get empty records.
    pub(super) fn push(&mut self, at: MsgRef, time_ns: i64) -> u32 {
        let (first, frame_time) = match self.frames.last_mut() {
            Some(&mut Frame { frame, first, .. }) if frame == at.frame => (first, self.frame_time(self.frames.len() - 1)),
            _ => {
                let first = self.recs.len() as u32;
                let i = self.frames.len() as u32;
                let base = self.bases.last_mut().map(|&mut (_, base)| base);
                let time_off = match base.and_then(|b| time_ns.checked_sub(b)).and_then(|d| u32::try_from(d).ok()) {
                    Some(off) => off,
                    None => {
                        self.bases.push((i, time_ns));
                        0
                    }
                };
                self.frames.push(Frame { frame: at.frame, first, time_off });
                (first, time_ns)
            }
        };
        let n = first + u32::from(at.index);
        while self.recs.len() as u32 <= n {
            self.recs.push(EMPTY);
        }
        if time_ns != frame_time {
            self.own_time.insert(n, time_ns);
        }
        n
    }

    /// Messages numbered so far.
    pub(super) fn len(&self) -> usize {
        self.recs.len()
    }

    /// The index in `frames` of `frame`, if the first pass saw messages in it.
    fn frame_index(&self, frame: u32) -> Option<usize> {
        // The first pass asks about the message it just numbered: the last frame.
        let i = match self.frames.len().checked_sub(1) {
            Some(last) if self.frames.get(last).is_some_and(|f| f.frame == frame) => last,
            _ => self.frames.partition_point(|f| f.frame < frame),
        };
        (self.frames.get(i)?.frame == frame).then_some(i)
    }

    /// The numbers of the messages of `frames[i]`, first to one past the last.
    fn range(&self, i: usize) -> (u32, u32) {
        let first = self.frames.get(i).expect("an index of frames").first;
        let end = self.frames.get(i + 1).map_or(self.recs.len() as u32, |f| f.first);
        (first, end)
    }

    /// The number of a message the first pass saw.
    pub(super) fn num(&self, at: MsgRef) -> Option<u32> {
        let (first, end) = self.range(self.frame_index(at.frame)?);
        let n = first + u32::from(at.index);
        (n < end).then_some(n)
    }

    /// The index in `frames` of message `n`'s frame.
    fn frame_of(&self, n: u32) -> usize {
        self.frames.partition_point(|f| f.first <= n) - 1
    }

    /// The message of number `n`.
    fn at(&self, n: u32) -> MsgRef {
        let f = self.frames.get(self.frame_of(n)).expect("every number has a frame");
        MsgRef { frame: f.frame, index: (n - f.first) as u16 }
    }

    /// The time of `frames[i]`.
    fn frame_time(&self, i: usize) -> i64 {
        // Nearly always the last run (the first pass asks of the frame it
        // is in).
        let last = self.bases.len() - 1;
        let run = match self.bases.get(last) {
            Some(&(start, _)) if start as usize <= i => last,
            _ => self.bases.partition_point(|&(start, _)| start as usize <= i) - 1,
        };
        let (_, base) = *self.bases.get(run).expect("every frame has a run");
        base + i64::from(self.frames.get(i).expect("an index of frames").time_off)
    }

    /// The time of message `n` of `frames[i]` (its frame's, unless it had
    /// its own).
    fn time(&self, n: u32, i: usize) -> i64 {
        if !self.own_time.is_empty() {
            if let Some(&t) = self.own_time.get(&n) {
                return t;
            }
        }
        self.frame_time(i)
    }

    /// How many messages the first pass saw in `frame`.
    pub(super) fn messages_in(&self, frame: u32) -> u16 {
        self.frame_index(frame).map_or(0, |i| {
            let (first, end) = self.range(i);
            (end - first) as u16
        })
    }

    fn rec(&mut self, n: u32) -> &mut Rec {
        self.recs.get_mut(n as usize).expect("numbered by push")
    }

    fn set_flags(&mut self, n: u32, set: u8, clear: u8) {
        let r = self.rec(n);
        r.back = (r.back & !(u32::from(clear) << SPAN)) | (u32::from(set) << SPAN);
    }

    fn flags(&self, n: u32) -> u8 {
        self.recs.get(n as usize).map_or(0, |r| r.flags())
    }

    /// Sets the back link of `n` to `to` (an earlier message).
    fn set_back(&mut self, n: u32, to: u32) {
        let d = n - to;
        let d = if d < FAR {
            d
        } else {
            self.far.insert(u64::from(n) * 2, to);
            FAR
        };
        let r = self.rec(n);
        r.back = (r.back & !DIST) | d;
    }

    /// Sets the next link of `n` to `to` (a later message).
    fn set_next(&mut self, n: u32, to: u32) {
        let d = to - n;
        let d = if d < FAR {
            d
        } else {
            self.far.insert(u64::from(n) * 2 + 1, to);
            FAR
        };
        let r = self.rec(n);
        r.next = (r.next & !DIST) | d;
    }

    fn back(&self, n: u32, r: Rec) -> Option<u32> {
        match r.back & DIST {
            0 => None,
            FAR => self.far.get(&(u64::from(n) * 2)).copied(),
            d => Some(n - d),
        }
    }

    fn next(&self, n: u32, r: Rec) -> Option<u32> {
        match r.next & DIST {
            0 => None,
            FAR => self.far.get(&(u64::from(n) * 2 + 1)).copied(),
            d => Some(n + d),
        }
    }

    pub(super) fn set_request(&mut self, n: u32) {
        self.set_flags(n, REQUEST, 0);
    }

    /// `n` answers request `req`.
    pub(super) fn set_response_to(&mut self, n: u32, req: u32) {
        let r = *self.rec(n);
        if r.flags() & FORWARD != 0 {
            // Keep the forward link aside; the record holds the answer's.
            if let Some(orig) = self.back(n, r) {
                self.forward_of.insert(n, orig);
            }
        }
        self.set_flags(n, RESPONSE, FORWARD);
        self.set_back(n, req);
    }

    pub(super) fn set_completes(&mut self, n: u32, exchange: usize) {
        self.set_flags(n, COMPLETES, 0);
        let r = self.rec(n);
        r.next = (r.next & DIST) | (((exchange + 1) as u32) << SPAN);
    }

    /// `n` completes the exchange of request `req` (of type `code`), which
    /// no other link of `n` names (a file offer, for its answer).
    pub(super) fn set_completes_from(&mut self, n: u32, code: u16, req: u32) {
        self.set_flags(n, COMPLETES, 0);
        self.completes_from.insert(n, (code, req));
    }

    /// The first answer of request `n` (a later one does not replace it).
    pub(super) fn set_response_in(&mut self, n: u32, res: u32) {
        if self.rec(n).next & DIST == 0 {
            self.set_next(n, res);
        }
    }

    pub(super) fn set_end_in(&mut self, n: u32, end: u32) {
        let r = *self.rec(n);
        let d = end - n;
        if r.flags() & (RESPONSE | FORWARD) == 0 && d < FAR {
            self.set_flags(n, END, 0);
            let r = self.rec(n);
            r.back = (r.back & !DIST) | d;
        } else {
            if r.flags() & END != 0 {
                self.set_flags(n, 0, END);
                self.rec(n).back &= !DIST;
            }
            self.end_in.insert(n, end);
        }
    }

    /// `n` forwards original `orig`.
    pub(super) fn set_forward_of(&mut self, n: u32, orig: u32) {
        if self.flags(n) & RESPONSE != 0 {
            self.forward_of.insert(n, orig);
            return;
        }
        self.set_flags(n, FORWARD, 0);
        self.set_back(n, orig);
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
        } else if self.flags(prev) & REQUEST != 0 {
            self.next_forward.insert(prev, fwd);
        } else {
            self.set_next(prev, fwd);
        }
    }

    /// The listed forward after forward `m`.
    fn next_forward(&self, m: u32) -> u32 {
        if self.flags(m) & REQUEST != 0 {
            self.next_forward.get(&m).copied().unwrap_or(NONE)
        } else {
            self.recs.get(m as usize).and_then(|&r| self.next(m, r)).unwrap_or(NONE)
        }
    }

    pub(super) fn set_transfer(&mut self, n: u32, id: u32) {
        self.transfer.insert(n, id);
    }

    /// A report on the message just numbered (`n` is the last so far).
    pub(super) fn add_report(&mut self, n: u32, report: Report) {
        self.set_flags(n, REPORTED, 0);
        self.reports.push((n, report));
    }

    /// Whether `n` is a request nothing answered.
    pub(super) fn unanswered(&self, n: u32) -> bool {
        self.recs.get(n as usize).is_some_and(|r| r.flags() & REQUEST != 0 && r.next & DIST == 0)
    }

    /// A link from message `n` (at `time_ns`) back to `to`.
    fn link(&self, to: u32, time_ns: i64) -> Link {
        let i = self.frame_of(to);
        let f = self.frames.get(i).expect("every number has a frame");
        Link { to: MsgRef { frame: f.frame, index: (to - f.first) as u16 }, delta_ns: time_ns - self.time(to, i) }
    }

    /// Everything found for message `at`; None when the first pass did
    /// not see it or found nothing.
    pub(super) fn links(&self, at: MsgRef) -> Option<Links> {
        let fi = self.frame_index(at.frame)?;
        let (first, end) = self.range(fi);
        let n = first + u32::from(at.index);
        if n >= end {
            return None;
        }
        let r = *self.recs.get(n as usize)?;
        let flags = r.flags();
        let time_ns = self.time(n, fi);
        let back = if flags & END == 0 { self.back(n, r).map(|to| self.link(to, time_ns)) } else { None };
        let mut l = Links {
            request: flags & REQUEST != 0,
            response_in: if flags & REQUEST != 0 { self.next(n, r).map(|m| self.at(m)) } else { None },
            response_to: if flags & RESPONSE != 0 { back } else { None },
            forward_of: if flags & FORWARD != 0 { back } else { None },
            ..Links::default()
        };
        if flags & COMPLETES != 0 {
            l.completes = match r.exchange() {
                0 => self.completes_from.get(&n).map(|&(code, req)| (code, self.link(req, time_ns).delta_ns)),
                e => Some((EXCHANGES[e as usize - 1].request, back.map_or(0, |b| b.delta_ns))),
            };
        }
        // The side maps, only for messages that may be in them.
        if flags & RESPONSE != 0 && !self.forward_of.is_empty() {
            if let Some(&to) = self.forward_of.get(&n) {
                l.forward_of = Some(self.link(to, time_ns));
            }
        }
        if flags & END != 0 {
            l.end_in = Some(self.at(n + (r.back & DIST)));
        } else if l.request && !self.end_in.is_empty() {
            l.end_in = self.end_in.get(&n).map(|&m| self.at(m));
        }
        if !self.transfer.is_empty() {
            l.transfer = self.transfer.get(&n).copied();
        }
        if !self.forwards.is_empty() {
            if let Some(f) = self.forwards.get(&n) {
                l.forward_count = f.count;
                let mut m = f.first;
                for _ in 0..f.listed {
                    l.forwards.push(self.at(m));
                    m = self.next_forward(m);
                }
            }
        }
        if flags & REPORTED != 0 {
            let mut i = self.reports.partition_point(|&(m, _)| m < n);
            while let Some(&(m, report)) = self.reports.get(i) {
                if m != n {
                    break;
                }
                l.reports.push(report.kind_text());
                i += 1;
            }
        }
        (l != Links::default()).then_some(l)
    }

    /// Heap bytes held, by capacity (what the allocator gave).
    pub(super) fn heap_bytes(&self) -> usize {
        self.frames.heap_bytes()
            + self.bases.heap_bytes()
            + self.recs.heap_bytes()
            + table_bytes(&self.end_in)
            + table_bytes(&self.transfer)
            + table_bytes(&self.forwards)
            + table_bytes(&self.next_forward)
            + table_bytes(&self.forward_of)
            + table_bytes(&self.own_time)
            + table_bytes(&self.completes_from)
            + table_bytes(&self.far)
            + self.reports.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_takes_8_bytes_and_a_frame_12() {
        assert_eq!(std::mem::size_of::<Rec>(), 8);
        assert_eq!(std::mem::size_of::<Frame>(), 12);
    }

    #[test]
    fn frame_times_read_back_across_runs() {
        let mut s = Store::new();
        // Close, 5 s later, earlier than the run's base, far apart.
        let times = [1_000, 1_500, 5_000_001_000, 4_000_000_000, i64::MIN, 0, i64::MAX, 7];
        let nums: Vec<u32> = times.iter().enumerate().map(|(i, &t)| s.push(MsgRef { frame: i as u32 + 1, index: 0 }, t)).collect();
        for (i, &t) in times.iter().enumerate() {
            assert_eq!(s.time(nums[i], i), t);
        }
        assert_eq!(s.bases.len(), 7);
    }

    #[test]
    fn links_far_apart_and_own_times_read_back() {
        let mut s = Store::new();
        let req = s.push(MsgRef { frame: 1, index: 0 }, 10);
        s.set_request(req);
        let far = FAR + 5;
        for i in 1..=far {
            s.push(MsgRef { frame: 1 + i, index: 0 }, 10 + i64::from(i));
        }
        // A second message of the last frame, at a time of its own.
        let res = s.push(MsgRef { frame: 1 + far, index: 1 }, 7);
        s.set_response_to(res, req);
        s.set_response_in(req, res);
        let l = s.links(MsgRef { frame: 1 + far, index: 1 }).unwrap();
        assert_eq!(l.response_to, Some(Link { to: MsgRef { frame: 1, index: 0 }, delta_ns: -3 }));
        let l = s.links(MsgRef { frame: 1, index: 0 }).unwrap();
        assert_eq!(l.response_in, Some(MsgRef { frame: 1 + far, index: 1 }));
        assert!(!s.unanswered(req));
    }

    #[test]
    fn ends_read_back_from_the_record_or_the_side_map() {
        let mut s = Store::new();
        let at = |frame| MsgRef { frame, index: 0 };
        // A request, a request that also answers one, and their ends: near,
        // near, and too far for a record.
        let (a, b) = (s.push(at(1), 0), s.push(at(2), 0));
        s.set_request(a);
        s.set_request(b);
        s.set_response_to(b, a);
        let end_a = s.push(at(3), 0);
        s.set_end_in(a, end_a);
        s.set_end_in(b, end_a);
        let c = s.push(at(4), 0);
        s.set_request(c);
        for i in 5..=FAR + 5 {
            s.push(at(i), 0);
        }
        s.set_end_in(c, c + FAR + 1);
        assert_eq!(s.links(at(1)).unwrap().end_in, Some(at(3)));
        let l = s.links(at(2)).unwrap();
        assert_eq!((l.end_in, l.response_to.map(|r| r.to)), (Some(at(3)), Some(at(1))));
        assert_eq!(s.links(at(4)).unwrap().end_in, Some(at(FAR + 5)));
        assert_eq!(s.end_in.len(), 2);
    }

    #[test]
    fn numbers_and_places_convert_both_ways() {
        let mut s = Store::new();
        let refs: Vec<MsgRef> = [(3, 0), (3, 1), (7, 0), (9, 2), (10_000, 0)].iter().map(|&(frame, index)| MsgRef { frame, index }).collect();
        for &at in &refs {
            s.push(at, 0);
        }
        for &at in &refs {
            let n = s.num(at).unwrap();
            assert_eq!(s.at(n), at);
        }
        // Frame 9's first message was never pushed: it has an empty record.
        assert_eq!(s.messages_in(9), 3);
        let skipped = MsgRef { frame: 9, index: 0 };
        assert!(s.num(skipped).is_some() && s.links(skipped).is_none());
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
