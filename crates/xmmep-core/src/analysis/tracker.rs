//! The state of the analysis over a capture: fed every message once, in
//! capture order (a dissector's first pass), it stores the links of each
//! message, which every later pass reads back. Bounded where the input
//! decides: unanswered requests per conversation, forward keys and transfer
//! keys are capped, the oldest giving way (docs/decisions.md 41).
//!
//! Its twin is the tracker of `lua/src/analysis.lua`;
//! `crates/xmmep-lua-tests/tests/analysis.rs` keeps the two equal.

use std::collections::{HashMap, VecDeque};

use crate::numhash::{table_bytes, NumMap};
use crate::reports::{fill, template, ReportKind};
use crate::table::{EXCHANGES, FILE_TRANSFER, FORWARDS, LOGIN};

use super::chats::{Chat, Chats};
use super::facts::{Facts, Side};
use super::links::{Links, MsgRef, Transfer};
use super::store::{name, Report, Store};

/// How many requests of one exchange may wait for an answer on one
/// conversation; past it the oldest is given up (it shows no response).
pub const MAX_PENDING: usize = 64;
/// How many forward keys and transfer keys are remembered.
pub const MAX_KEYS: usize = 65_536;
/// How many forwards of one original are listed (all are counted).
pub const MAX_LISTED_FORWARDS: usize = 64;

struct Pending {
    /// The request's number (see `Store`).
    at: u32,
    user: Option<Vec<u8>>,
    /// Last sequence number per part type, for a multi-part answer.
    seqs: Vec<(u16, i64)>,
    /// Some part of the answer came.
    answered: bool,
    /// The first part of its multi-part answer refused it: the answer ends
    /// there, and an end that still comes does not complete it again.
    refused: bool,
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
    /// Both copies of each key (the map's and the order's) count.
    fn heap_bytes(&self) -> usize {
        let keys: usize = self.order.iter().map(|k| k.capacity() * 2).sum();
        table_bytes(&self.map) + self.order.capacity() * std::mem::size_of::<Vec<u8>>() + keys
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
    store: Store,
    conversations: NumMap<u64, Conversation>,
    /// Latest original (its number) per forward relation and key.
    originals: Vec<Bounded<u32>>,
    transfers: Vec<Transfer>,
    transfer_keys: Bounded<u32>,
    users: Vec<Vec<u8>>,
    user_ids: HashMap<Vec<u8>, u32>,
    chats: Chats,
    last: Option<MsgRef>,
}

impl Default for Tracker {
    fn default() -> Self {
        Tracker::new()
    }
}

fn session_user<'a>(conversations: &NumMap<u64, Conversation>, users: &'a [Vec<u8>], conv: u64, at: MsgRef) -> Option<&'a [u8]> {
    let s = &conversations.get(&conv)?.session;
    let i = s.partition_point(|(from, _)| *from <= at);
    let (_, user) = s.get(i.checked_sub(1)?)?;
    users.get(*user as usize).map(|u| u.as_slice())
}

impl Tracker {
    pub fn new() -> Tracker {
        Tracker {
            store: Store::new(),
            conversations: NumMap::default(),
            originals: FORWARDS.iter().map(|_| Bounded::new(MAX_KEYS)).collect(),
            transfers: Vec::new(),
            transfer_keys: Bounded::new(MAX_KEYS),
            users: Vec::new(),
            user_ids: HashMap::new(),
            chats: Chats::default(),
            last: None,
        }
    }

    /// Whether the first pass has seen this message.
    pub fn seen(&self, at: MsgRef) -> bool {
        self.store.num(at).is_some()
    }

    /// How many XMMEP messages the first pass saw in `frame`.
    pub fn messages_in(&self, frame: u32) -> u16 {
        self.store.messages_in(frame)
    }

    /// Everything found for a message; None when nothing was.
    pub fn links(&self, at: MsgRef) -> Option<Links> {
        self.store.links(at)
    }

    pub fn transfer(&self, i: u32) -> Option<&Transfer> {
        self.transfers.get(i as usize)
    }

    /// The user logged in on conversation `conv` when message `at` passed.
    pub fn session_user(&self, conv: u64, at: MsgRef) -> Option<&[u8]> {
        session_user(&self.conversations, &self.users, conv, at)
    }

    /// The chat message `at` of conversation `conv` belongs to (`msg`: the
    /// message, `f`: its facts), from the parties it names; `assign` (the
    /// first pass, after `observe`) numbers a pair not seen before. Every
    /// pass finds the same number, kept nowhere per message.
    pub fn chat(&mut self, conv: u64, at: MsgRef, msg: &[u8], f: &Facts, assign: bool) -> Option<u32> {
        let [a, b] = f.chat?;
        let side = |s: Side| match s {
            Side::User(o, l) => Some((msg.get(o as usize..(o + l) as usize)?, false)),
            Side::Room(o, l) => Some((msg.get(o as usize..(o + l) as usize)?, true)),
            Side::SessionUser => Some((session_user(&self.conversations, &self.users, conv, at)?, false)),
        };
        let (a, b) = (side(a)?, side(b)?);
        self.chats.number(a, b, assign)
    }

    /// The parties of chat `n`.
    pub fn chat_parties(&self, n: u32) -> Option<&Chat> {
        self.chats.get(n)
    }

    /// How many chats the first pass numbered (0 to this, less one).
    pub fn chats(&self) -> usize {
        self.chats.len()
    }

    /// The report of a request that nothing answered, once the whole
    /// capture has been seen.
    pub fn unanswered(&self, at: MsgRef, msg_type: u16) -> Option<(ReportKind, String)> {
        if !self.store.unanswered(self.store.num(at)?) {
            return None;
        }
        let e = EXCHANGES.iter().find(|e| e.request == msg_type)?;
        Some((ReportKind::NoResponse, fill(template::NO_RESPONSE, &[&name(e.responses[0]), &name(msg_type)])))
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
        let n = self.store.push(at, time_ns);
        let r = f.roles;
        if let Some(e) = r.request {
            self.request(conv, e, n, f);
        }
        if let Some(e) = r.response.or(r.end) {
            self.answer(conv, e, at, n, f);
        }
        // A relay's original is found by `forward`.
        if let Some(i) = r.original.filter(|&i| r.forward != Some(i)) {
            if let Some(k) = &f.forward_key {
                self.originals[i].insert(k.clone(), n);
            }
        }
        if let Some(i) = r.forward {
            self.forward(i, n, f);
        }
        if let Some(stage) = r.transfer_stage {
            self.transfer_stage(stage, at, n, f);
        }
    }

    fn request(&mut self, conv: u64, e: usize, at: u32, f: &Facts) {
        self.store.set_request(at);
        let q = self.conversations.entry(conv).or_default().pending.entry(e).or_default();
        // The oldest gives way before the new one comes, so that the
        // queue never holds more than MAX_PENDING (one more would double
        // its capacity).
        if q.len() >= MAX_PENDING {
            q.pop_front();
        }
        q.push_back(Pending { at, user: f.login_user.clone(), seqs: Vec::new(), answered: false, refused: false });
    }

    fn answer(&mut self, conv: u64, e: usize, at: MsgRef, n: u32, f: &Facts) {
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
            self.store.add_report(n, Report::NoRequest { exchange: e as u8, msg_type: f.msg_type });
            return;
        };
        req.answered = true;
        let req_at = req.at;
        let mut reports = Vec::new();
        if let Some(seq) = f.seq_num {
            let slot = req.seqs.iter().position(|(t, _)| *t == f.msg_type);
            let expected = slot.map_or(1, |i| req.seqs[i].1.saturating_add(1));
            if seq != expected {
                reports.push(Report::PartSequence { msg_type: f.msg_type, seq, expected });
            }
            match slot {
                Some(i) => req.seqs[i].1 = req.seqs[i].1.max(seq),
                None => req.seqs.push((f.msg_type, seq)),
            }
        }
        // A multi-part answer whose first part refuses the request (a
        // refused login: RES1 alone) completes there, once.
        let refuses = ex.end.is_some() && f.msg_type == ex.responses[0] && f.result.is_some_and(|r| r != 0);
        let completes = if refuses {
            !std::mem::replace(&mut req.refused, true)
        } else if ex.end.is_some() {
            Some(f.msg_type) == ex.end && !req.refused
        } else {
            !continued
        };
        let login_user = (f.msg_type == LOGIN.outcome && f.result == Some(0)).then(|| req.user.clone()).flatten();
        if Some(f.msg_type) == ex.end {
            c.pending.get_mut(&e).and_then(|q| q.pop_front());
        }
        if let Some(user) = login_user {
            let id = self.user_id(&user);
            let session = &mut self.conversations.entry(conv).or_default().session;
            // The same user again changes nothing any message reads.
            if !matches!(session.last(), Some(&(_, last)) if last == id) {
                session.push((at, id));
            }
        }
        self.store.set_response_to(n, req_at);
        for report in reports {
            self.store.add_report(n, report);
        }
        if completes {
            self.store.set_completes(n, e);
        }
        self.store.set_response_in(req_at, n);
        if Some(f.msg_type) == ex.end {
            self.store.set_end_in(req_at, n);
        }
    }

    fn forward(&mut self, i: usize, at: u32, f: &Facts) {
        let original = f.forward_key.as_deref().and_then(|k| self.originals[i].get(k)).copied();
        let rel = &FORWARDS[i];
        let Some(orig) = original else {
            if rel.original == rel.forward {
                // A relay's first copy is its original.
                if let Some(k) = &f.forward_key {
                    self.originals[i].insert(k.clone(), at);
                }
                return;
            }
            self.store.add_report(at, Report::NoOriginal { relation: i as u8 });
            return;
        };
        self.store.set_forward_of(at, orig);
        self.store.add_forward(orig, at, MAX_LISTED_FORWARDS);
    }

    fn transfer_stage(&mut self, stage: usize, at: MsgRef, n: u32, f: &Facts) {
        let Some(key) = &f.transfer_key else { return };
        let existing = self.transfer_keys.get(key).copied();
        // A new offer under a key already offered starts a new transfer.
        let id = match existing {
            Some(id) if !(stage == 0 && self.transfers[id as usize].stages[0].is_some()) => id,
            _ => {
                let id = self.transfers.len() as u32;
                if self.transfers.len() == self.transfers.capacity() {
                    // By an eighth, not double: kept for the whole capture.
                    self.transfers.reserve_exact(self.transfers.len() / 8 + 16);
                }
                self.transfers.push(Transfer::default());
                self.transfer_keys.insert(key.clone(), id);
                id
            }
        };
        let t = &mut self.transfers[id as usize];
        // The offer's first answer completes it, as an exchange's answer
        // its request (its response time).
        if stage == FILE_TRANSFER.answer && t.stages[stage].is_none() {
            if let Some(offer) = t.stages[0].and_then(|o| self.store.num(o)) {
                self.store.set_completes_from(n, FILE_TRANSFER.stages[0], offer);
            }
        }
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
        self.store.set_transfer(n, id);
    }

    /// Heap bytes the tracker holds, by part and by capacity: what the
    /// analysis costs a capture in memory (the benchmark prints it per
    /// message).
    pub fn heap_parts(&self) -> Vec<(&'static str, usize)> {
        use std::mem::size_of;
        let pending = size_of::<Pending>();
        let convs: usize = self
            .conversations
            .values()
            .map(|c| {
                let queued: usize = c.pending.values().map(|q| q.capacity() * pending).sum();
                table_bytes(&c.pending) + queued + table_bytes(&c.answered) + c.session.capacity() * size_of::<(MsgRef, u32)>()
            })
            .sum();
        let users: usize = self.users.iter().map(|u| u.capacity() * 2 + size_of::<Vec<u8>>()).sum::<usize>() + table_bytes(&self.user_ids);
        let transfers: usize = self.transfers.capacity() * size_of::<Transfer>() + self.transfers.iter().filter_map(|t| t.file_name.as_ref()).map(|n| n.capacity()).sum::<usize>();
        vec![
            ("records", self.store.heap_bytes()),
            ("conversations", table_bytes(&self.conversations) + convs),
            ("forward keys", self.originals.iter().map(Bounded::heap_bytes).sum::<usize>()),
            ("transfers", self.transfer_keys.heap_bytes() + transfers),
            ("users", users),
            ("chats", self.chats.heap_bytes()),
        ]
    }

    /// Messages the first pass numbered.
    pub fn messages(&self) -> usize {
        self.store.len()
    }
}
