//! The state of the analysis over a capture: fed every message once, in
//! capture order (a dissector's first pass), it stores the links of each
//! message, which every later pass reads back. Bounded where the input
//! decides: unanswered requests per conversation, forward keys and transfer
//! keys are capped, the oldest giving way (docs/decisions.md 41).
//!
//! Its twin is the tracker of `lua/src/analysis.lua`;
//! `crates/lua-tests/tests/analysis.rs` keeps the two equal.

use std::collections::{HashMap, VecDeque};

use crate::numhash::NumMap;

use crate::reports::{fill, template, ReportKind};
use crate::table::{self, EXCHANGES, FORWARDS, LOGIN};

use super::facts::Facts;

/// One message of the capture: its frame and its place among the frame's
/// XMMEP messages (from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MsgRef {
    pub frame: u32,
    pub index: u16,
}

/// A link to an earlier message, with the time since it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    pub to: MsgRef,
    pub delta_ns: i64,
}

/// How many requests of one exchange may wait for an answer on one
/// conversation; past it the oldest is given up (it shows no response).
pub const MAX_PENDING: usize = 64;
/// How many forward keys and transfer keys are remembered.
pub const MAX_KEYS: usize = 65_536;
/// How many forwards of one original are listed (all are counted).
pub const MAX_LISTED_FORWARDS: usize = 64;

/// Everything the analysis found for one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Links {
    /// The message is a request that expects an answer.
    pub request: bool,
    /// The request, for an answer or a part of one.
    pub response_to: Option<Link>,
    /// The first answer, for a request.
    pub response_in: Option<MsgRef>,
    /// The end of a multi-part answer, for its request.
    pub end_in: Option<MsgRef>,
    /// The original, for a forward.
    pub forward_of: Option<Link>,
    /// The first forwards, for an original, and how many there are.
    pub forwards: Vec<MsgRef>,
    pub forward_count: u32,
    /// Index of the file transfer the message belongs to.
    pub transfer: Option<u32>,
    /// Reports found on the first pass, with their texts.
    pub reports: Vec<(ReportKind, String)>,
    /// For the message that completes an exchange (the answer, or the end
    /// of a multi-part answer; not a later part): the request's type and
    /// the exchange's time, once per exchange, for statistics.
    pub completes: Option<(u16, i64)>,
}

/// A file transfer followed across connections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transfer {
    /// Offered, forwarded, answered, answer forwarded.
    pub stages: [Option<MsgRef>; 4],
    pub accepted: Option<bool>,
    pub file_name: Option<Vec<u8>>,
    pub file_size: Option<i64>,
}

struct Pending {
    at: MsgRef,
    time_ns: i64,
    user: Option<Vec<u8>>,
    /// Last sequence number per part type, for a multi-part answer.
    seqs: Vec<(u16, i64)>,
    /// Some part of the answer came.
    answered: bool,
}

#[derive(Default)]
struct Conversation {
    /// Unanswered requests per exchange (index into EXCHANGES).
    pending: NumMap<usize, VecDeque<Pending>>,
    /// The last answered request per exchange, for an answer in parts
    /// without an end (seq_num above 1).
    answered: NumMap<usize, Pending>,
    /// Who is logged in, from which message on.
    session: Vec<(MsgRef, u32)>,
}

/// A map whose keys beyond `cap` push out the oldest.
struct Bounded<V> {
    map: HashMap<Vec<u8>, V>,
    order: VecDeque<Vec<u8>>,
    cap: usize,
}

impl<V> Bounded<V> {
    fn new(cap: usize) -> Self {
        Bounded { map: HashMap::new(), order: VecDeque::new(), cap }
    }
    fn get(&self, k: &[u8]) -> Option<&V> {
        self.map.get(k)
    }
    fn insert(&mut self, k: Vec<u8>, v: V) {
        if self.map.insert(k.clone(), v).is_none() {
            self.order.push_back(k);
            if self.order.len() > self.cap {
                if let Some(old) = self.order.pop_front() {
                    self.map.remove(&old);
                }
            }
        }
    }
}

pub struct Tracker {
    links: NumMap<MsgRef, Links>,
    conversations: HashMap<u64, Conversation>,
    /// Latest original per forward relation and key.
    originals: Vec<Bounded<(MsgRef, i64)>>,
    transfers: Vec<Transfer>,
    transfer_keys: Bounded<u32>,
    users: Vec<Vec<u8>>,
    user_ids: HashMap<Vec<u8>, u32>,
    /// XMMEP messages per frame, as the first pass saw them.
    frame_messages: NumMap<u32, u16>,
    last: Option<MsgRef>,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker::new()
    }
}

fn name(code: u16) -> &'static str {
    table::definition(code).map_or("?", |m| m.name)
}

impl Tracker {
    pub fn new() -> Tracker {
        Tracker {
            links: NumMap::default(),
            conversations: HashMap::new(),
            originals: FORWARDS.iter().map(|_| Bounded::new(MAX_KEYS)).collect(),
            transfers: Vec::new(),
            transfer_keys: Bounded::new(MAX_KEYS),
            users: Vec::new(),
            user_ids: HashMap::new(),
            frame_messages: NumMap::default(),
            last: None,
        }
    }

    /// Whether the first pass has seen this message.
    pub fn seen(&self, at: MsgRef) -> bool {
        self.frame_messages.get(&at.frame).is_some_and(|&n| at.index < n)
    }

    /// How many XMMEP messages the first pass saw in `frame`.
    pub fn messages_in(&self, frame: u32) -> u16 {
        self.frame_messages.get(&frame).copied().unwrap_or(0)
    }

    pub fn links(&self, at: MsgRef) -> Option<&Links> {
        self.links.get(&at)
    }

    pub fn transfer(&self, i: u32) -> Option<&Transfer> {
        self.transfers.get(i as usize)
    }

    /// The user logged in on conversation `conv` when message `at` passed.
    pub fn session_user(&self, conv: u64, at: MsgRef) -> Option<&[u8]> {
        let s = &self.conversations.get(&conv)?.session;
        let i = s.partition_point(|(from, _)| *from <= at);
        let (_, user) = s.get(i.checked_sub(1)?)?;
        self.users.get(*user as usize).map(|u| u.as_slice())
    }

    /// The report of a request that nothing answered, once the whole
    /// capture has been seen.
    pub fn unanswered(&self, at: MsgRef, msg_type: u16) -> Option<(ReportKind, String)> {
        let l = self.links.get(&at)?;
        if !l.request || l.response_in.is_some() {
            return None;
        }
        let e = EXCHANGES.iter().find(|e| e.request == msg_type)?;
        Some((ReportKind::NoResponse, fill(template::NO_RESPONSE, &[&name(e.responses[0]), &name(msg_type)])))
    }

    fn entry(&mut self, at: MsgRef) -> &mut Links {
        self.links.entry(at).or_default()
    }

    fn user_id(&mut self, user: &[u8]) -> u32 {
        if let Some(&id) = self.user_ids.get(user) {
            return id;
        }
        let id = self.users.len() as u32;
        self.users.push(user.to_vec());
        self.user_ids.insert(user.to_vec(), id);
        id
    }

    /// Takes in one message of conversation `conv`, seen at `time_ns`
    /// (nanoseconds since the epoch). Messages must come in capture order;
    /// one already seen, or out of order, is ignored.
    pub fn observe(&mut self, conv: u64, at: MsgRef, time_ns: i64, f: &Facts) {
        if self.last.is_some_and(|last| at <= last) {
            return;
        }
        self.last = Some(at);
        let n = self.frame_messages.entry(at.frame).or_insert(0);
        *n = (*n).max(at.index + 1);
        let r = f.roles;
        if let Some(e) = r.request {
            self.request(conv, e, at, time_ns, f);
        }
        if let Some(e) = r.response.or(r.end) {
            self.answer(conv, e, at, time_ns, f);
        }
        if let Some(i) = r.original {
            if let Some(k) = &f.forward_key {
                self.originals[i].insert(k.clone(), (at, time_ns));
            }
        }
        if let Some(i) = r.forward {
            self.forward(i, at, time_ns, f);
        }
        if let Some(stage) = r.transfer_stage {
            self.transfer_stage(stage, at, f);
        }
    }

    fn request(&mut self, conv: u64, e: usize, at: MsgRef, time_ns: i64, f: &Facts) {
        self.entry(at).request = true;
        let q = self.conversations.entry(conv).or_default().pending.entry(e).or_default();
        q.push_back(Pending { at, time_ns, user: f.login_user.clone(), seqs: Vec::new(), answered: false });
        if q.len() > MAX_PENDING {
            q.pop_front();
        }
    }

    fn answer(&mut self, conv: u64, e: usize, at: MsgRef, time_ns: i64, f: &Facts) {
        let ex = &EXCHANGES[e];
        let c = self.conversations.entry(conv).or_default();
        let continued = ex.end.is_none() && f.seq_num.is_some_and(|s| s > 1);
        let req = if ex.end.is_some() {
            let q = c.pending.get_mut(&e);
            q.and_then(|q| {
                // A first part for a request that had one: that answer ended
                // without its end (a refused login is RES1 alone), so this
                // one answers the next request.
                if f.msg_type == ex.responses[0] && q.front().is_some_and(|p| p.answered) {
                    q.pop_front();
                }
                q.front_mut()
            })
        } else if continued && c.answered.contains_key(&e) {
            c.answered.get_mut(&e)
        } else {
            match c.pending.get_mut(&e).and_then(|q| q.pop_front()) {
                Some(p) => {
                    c.answered.insert(e, p);
                    c.answered.get_mut(&e)
                }
                None => None,
            }
        };
        let Some(req) = req else {
            let text = fill(template::NO_REQUEST, &[&name(ex.request), &name(f.msg_type)]);
            self.entry(at).reports.push((ReportKind::NoRequest, text));
            return;
        };
        req.answered = true;
        let (req_at, req_time) = (req.at, req.time_ns);
        let mut reports = Vec::new();
        if let Some(seq) = f.seq_num {
            let slot = req.seqs.iter().position(|(t, _)| *t == f.msg_type);
            let expected = slot.map_or(1, |i| req.seqs[i].1.saturating_add(1));
            if seq != expected {
                let t = if seq > expected { template::PART_GAP } else { template::PART_REPEAT };
                reports.push((ReportKind::PartSequence, fill(t, &[&name(f.msg_type), &seq, &expected])));
            }
            match slot {
                Some(i) => req.seqs[i].1 = req.seqs[i].1.max(seq),
                None => req.seqs.push((f.msg_type, seq)),
            }
        }
        let login_user = (f.msg_type == LOGIN.outcome && f.result == Some(0)).then(|| req.user.clone()).flatten();
        if Some(f.msg_type) == ex.end {
            c.pending.get_mut(&e).and_then(|q| q.pop_front());
        }
        if let Some(user) = login_user {
            let id = self.user_id(&user);
            self.conversations.entry(conv).or_default().session.push((at, id));
        }
        let completes = if ex.end.is_some() { Some(f.msg_type) == ex.end } else { !continued };
        let l = self.entry(at);
        l.response_to = Some(Link { to: req_at, delta_ns: time_ns - req_time });
        l.reports.extend(reports);
        if completes {
            l.completes = Some((ex.request, time_ns - req_time));
        }
        let r = self.entry(req_at);
        r.response_in.get_or_insert(at);
        if Some(f.msg_type) == ex.end {
            r.end_in = Some(at);
        }
    }

    fn forward(&mut self, i: usize, at: MsgRef, time_ns: i64, f: &Facts) {
        let original = f.forward_key.as_deref().and_then(|k| self.originals[i].get(k)).copied();
        let Some((orig, orig_time)) = original else {
            let rel = &FORWARDS[i];
            let text = fill(template::NO_ORIGINAL, &[&name(rel.original), &rel.keys.join(", ")]);
            self.entry(at).reports.push((ReportKind::NoOriginal, text));
            return;
        };
        self.entry(at).forward_of = Some(Link { to: orig, delta_ns: time_ns - orig_time });
        let o = self.entry(orig);
        o.forward_count += 1;
        if o.forwards.len() < MAX_LISTED_FORWARDS {
            o.forwards.push(at);
        }
    }

    fn transfer_stage(&mut self, stage: usize, at: MsgRef, f: &Facts) {
        let Some(key) = &f.transfer_key else { return };
        let existing = self.transfer_keys.get(key).copied();
        // A new offer under a key already offered starts a new transfer.
        let id = match existing {
            Some(id) if !(stage == 0 && self.transfers[id as usize].stages[0].is_some()) => id,
            _ => {
                let id = self.transfers.len() as u32;
                self.transfers.push(Transfer::default());
                self.transfer_keys.insert(key.clone(), id);
                id
            }
        };
        let t = &mut self.transfers[id as usize];
        t.stages[stage].get_or_insert(at);
        if f.accepted.is_some() && stage >= 2 {
            t.accepted = f.accepted;
        }
        if t.file_name.is_none() {
            t.file_name = f.file_name.clone();
        }
        if t.file_size.is_none() {
            t.file_size = f.file_size;
        }
        self.entry(at).transfer = Some(id);
    }
}
