//! The analysis across messages in the plugin (docs/decisions.md 38-43):
//! each message goes to `xmmep_core::analysis::Tracker` on the first pass;
//! every pass shows what the tracker holds for it. The tracker is part of
//! the capture's state (`capture`).

use std::borrow::Cow;
use std::sync::MutexGuard;

use xmmep_core::analysis::{Chat, Facts, Links, MsgRef, Relations, Roles, Tracker, Transfer};
use xmmep_core::codec::{Charset, Decoded};
use xmmep_core::presentation::analysis as f;
use xmmep_core::presentation::AnalysisField;
use xmmep_core::reports::{fill, ReportKind};
use xmmep_core::schema::Schema;
use xmmep_core::stats::MessageFacts;

use crate::ffi::batch::{Batch, Node};
use crate::ffi::{EpanResult, HfId, Packet};

use super::announce::FileLabel;
use super::capture::{self, Capture, Kept};
use super::message::{wireshark_text, Message};
use super::state::State;

/// The capture's state, locked once for all one message asks of it:
/// observing the message, showing its links, what announcements and
/// statistics want. Nothing that runs while a message is shown locks it
/// again (taps run after the dissector; the file-close hook between files).
pub(crate) struct Analysis(MutexGuard<'static, Option<Capture>>);

impl Analysis {
    pub(crate) fn lock() -> Analysis {
        Analysis(capture::lock())
    }

    fn get(&self) -> Option<&Tracker> {
        self.0.as_ref().map(|c| &c.tracker)
    }

    pub(crate) fn capture(&mut self) -> &mut Capture {
        self.0.as_mut().expect("capture::lock creates it")
    }
}

/// One message's place in the capture and what the analysis needs of it.
/// One is kept per thread and filled in place for each message (its facts
/// and links are a few hundred bytes: moving them costs more than filling
/// them).
#[derive(Default)]
pub(crate) struct Observed {
    at: MsgRef,
    conv: u64,
    /// The direction within `conv`: whether the source is its first endpoint.
    forward: bool,
    visited: bool,
    facts: Facts,
    /// What the tracker holds for it (read once, for every use below).
    links: Option<Links>,
    /// The chat it belongs to (docs/decisions.md 51).
    chat: Option<u32>,
}

impl Observed {
    /// The key of its conversation and direction.
    pub(crate) fn flow(&self) -> (u64, bool) {
        (self.conv, self.forward)
    }

    /// Names the message and, on the first pass, feeds it to the tracker.
    /// `base`: where the message starts in `pkt.tvb`. The texts the
    /// tracker keeps to show later are converted now, as Wireshark shows
    /// text, while the message is in the packet; later passes take only
    /// what showing needs (the tracker has the rest). Without the analysis
    /// (`an` None, the preference off) only that is taken too: no
    /// conversation, no place in the capture, no tracker.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn fill(&mut self, an: Option<&mut Analysis>, pkt: &Packet<'_>, msg: &[u8], base: usize, decoded: &Decoded, charset: Charset, enc: u32) -> EpanResult<()> {
        let pinfo = pkt.pinfo;
        let (frame, visited) = (pinfo.frame(), pinfo.visited());
        self.visited = visited;
        let Some(an) = an else {
            Relations::standard().facts_shown(msg, decoded, &mut self.facts);
            (self.at, self.conv, self.forward, self.links, self.chat) = (MsgRef { frame, index: 0 }, 0, true, None, None);
            return Ok(());
        };
        (self.conv, self.forward) = pinfo.conversation_key();
        if visited {
            Relations::standard().facts_shown(msg, decoded, &mut self.facts);
        } else {
            Relations::standard().facts_with(msg, decoded, &mut self.facts, |o, l| {
                let bytes = &msg[o as usize..(o + l) as usize];
                wireshark_text(pkt.tvb, base + o as usize, bytes, charset, enc).unwrap_or_else(|_| charset.decode(bytes)).into_bytes()
            });
        }
        let c = an.capture();
        let seen = if visited { c.tracker.messages_in(frame) } else { 0 };
        self.at = c.ordinals.next(frame, seen);
        if !visited {
            c.tracker.observe(self.conv, self.at, pinfo.time_ns(), &self.facts);
        }
        self.links = c.tracker.links(self.at);
        // The first pass numbers a new pair; later ones find it again.
        self.chat = c.tracker.chat(self.conv, self.at, msg, &self.facts, !visited);
        Ok(())
    }

    pub(crate) fn msg_type(&self) -> u16 {
        self.facts.msg_type
    }

    /// The number of the chat the message belongs to (`xmmep.chat`).
    pub(crate) fn chat(&self) -> Option<u32> {
        self.chat
    }

    /// Whether it is a copy the server relays of a message the capture
    /// holds (it has `xmmep.forward_of`).
    pub(crate) fn relayed(&self) -> bool {
        self.links.as_ref().is_some_and(|l| l.forward_of.is_some())
    }
}

/// The two parties of the chat a message belongs to, with its number:
/// user names and room as the messages carry them (bytes in the charset
/// of the preference).
pub(crate) fn chat_parties<'a>(an: &'a Analysis, obs: &Observed) -> Option<(u32, &'a Chat)> {
    let n = obs.chat?;
    Some((n, an.get()?.chat_parties(n)?))
}

/// Shows `xmmep.chat` first in the message's subtree, as TCP shows
/// `tcp.stream` near the top of its own.
pub(crate) fn show_chat<'p>(m: &Message<'_, 'p>, obs: &Observed, b: &mut Batch<'p, '_>, root: Node) {
    let Some(n) = obs.chat else { return };
    let s = Shower { state: m.state, root, base: m.base as i32, visible: m.visible };
    if let Some(hf) = s.wants(b, &f::CHAT) {
        let item = b.add_uint(root, hf, s.base, 0, n);
        b.set_generated(item);
    }
}

/// The file of the transfer this message belongs to, as far as the
/// messages so far tell (for announcing its data connection).
pub(crate) fn file_label(an: &Analysis, obs: &Observed) -> FileLabel {
    // Only a transfer's messages have a file.
    if obs.facts.roles.transfer_stage.is_none() {
        return FileLabel::default();
    }
    let tr = an.get().and_then(|t| obs.links.as_ref().and_then(|l| l.transfer).and_then(|i| t.transfer(i)));
    FileLabel { name: tr.and_then(|t| t.file_name.as_deref()).map(|n| shown(n).into_owned()), size: tr.and_then(|t| t.file_size) }
}

/// What the statistics tree takes from a request and its answer
/// (`capture::Answers`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Answered {
    /// For the answer that accepts a request (its result RESULT_SUCCESS):
    /// the presence the request sets.
    pub(crate) presence: Option<u64>,
}

/// Records, on the first pass, a request's presence and its answer's
/// result, and tells this message's [`Answered`]. Only requests and answers
/// of the first pass are read for it: later passes find what it kept.
pub(crate) fn answered(an: &mut Analysis, obs: &Observed, decoded: &Decoded) -> Answered {
    let roles = obs.facts.roles;
    if roles.request.is_none() && roles.response.is_none() {
        return Answered::default();
    }
    let at = (obs.at.frame, obs.at.index);
    let answers = &mut an.capture().answers;
    if !obs.visited {
        let facts = MessageFacts::of(Schema::standard(), decoded);
        if roles.request.is_some() {
            answers.request(at, facts.presence, facts.credential.is_some());
        }
        let request = obs.links.as_ref().and_then(|l| l.response_to).map(|l| (l.to.frame, l.to.index));
        if let (Some(req), Some(r)) = (request, facts.result) {
            answers.answer(req, at, r);
        }
    }
    Answered { presence: answers.accepted(at) }
}

/// What the analysis tells of the answer to a request that carries a
/// credential (docs/decisions.md 63).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Nothing: the message awaits no answer, or the analysis is off.
    Unknown,
    /// The whole capture holds no answer.
    Unanswered,
    /// The first answer with a result (its frame and result), else the
    /// first answer (its frame).
    Answered { frame: u32, result: Option<u64> },
}

/// Where the credentials tap lists the credential a message carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CredentialAt {
    /// At this message, with this outcome.
    Here(Outcome),
    /// At its answer: the first pass of a request, which keeps the
    /// credential under the request (`capture::Answers::keep`).
    Answer((u32, u16)),
}

/// Where the credential of `obs` (a message that carries one) is listed:
/// a request's at its answer on the first pass, which meets the answer
/// later; at the request on every later pass, which knows the answer.
pub(crate) fn credential_at(an: &mut Analysis, obs: &Observed) -> CredentialAt {
    if obs.facts.roles.request.is_none() {
        return CredentialAt::Here(Outcome::Unknown);
    }
    let at = (obs.at.frame, obs.at.index);
    if !obs.visited {
        return CredentialAt::Answer(at);
    }
    let Some(first) = obs.links.as_ref().and_then(|l| l.response_in) else { return CredentialAt::Here(Outcome::Unanswered) };
    let (frame, result) = an.capture().answers.outcome(at, first.frame);
    CredentialAt::Here(Outcome::Answered { frame, result })
}

/// On the first pass, at an answer: the credential kept for its request
/// (the request's frame, the credential, the outcome), taken.
pub(crate) fn released(an: &mut Analysis, obs: &Observed) -> Option<(u32, Kept, Outcome)> {
    if obs.visited {
        return None;
    }
    let req = obs.links.as_ref()?.response_to?.to;
    let answers = &mut an.capture().answers;
    let kept = answers.take_kept((req.frame, req.index))?;
    // Kept until the first answer: this one.
    let (frame, result) = answers.outcome((req.frame, req.index), obs.at.frame);
    Some((req.frame, kept, Outcome::Answered { frame, result }))
}

/// The request type and seconds of the exchange this message completes,
/// for the statistics tree's response times.
pub(crate) fn response_time(obs: &Observed) -> Option<(u16, f64)> {
    let r = obs.facts.roles;
    if r.response.is_none() && r.end.is_none() && r.transfer_stage.is_none() {
        return None;
    }
    let (code, ns) = obs.links.as_ref()?.completes?;
    Some((code, ns as f64 / 1e9))
}

/// The report classes the analysis found for this message, a bit per
/// class (as the statistics tree counts problems).
pub(crate) fn problems(an: &Analysis, obs: &Observed) -> u32 {
    // The analysis reports only on messages with a role in the relations.
    if obs.facts.roles == Roles::default() {
        return 0;
    }
    let Some(t) = an.get() else { return 0 };
    let mut bits = 0;
    each_report(t, obs, |kind, _| bits |= 1 << kind.index());
    bits
}

/// The analysis's reports of a message, in order: those of the first pass,
/// and, once the whole capture has been seen, an unanswered request's.
fn each_report(t: &Tracker, obs: &Observed, mut f: impl FnMut(ReportKind, &str)) {
    for (kind, text) in obs.links.as_ref().map_or(&[][..], |l| &l.reports[..]) {
        f(*kind, text);
    }
    if obs.visited {
        if let Some((kind, text)) = t.unanswered(obs.at, obs.facts.msg_type) {
            f(kind, &text);
        }
    }
}

/// A text the tracker keeps, converted when it was seen (`Observed::fill`).
fn shown(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Shows the links of message `m` under the subtree of its message item
/// `root`; reports go on that item. Without the analysis, only the
/// message's own user names (`xmmep.user`).
pub(crate) fn show<'p>(m: &Message<'_, 'p>, obs: &Observed, an: Option<&Analysis>, b: &mut Batch<'p, '_>, root: Node) -> EpanResult<()> {
    let state = m.state;
    let tracker = an.and_then(Analysis::get);
    let s = Shower { state, root, base: m.base as i32, visible: m.visible };
    if let Some(t) = tracker {
        if let Some(l) = &obs.links {
            s.links(b, l);
            if let Some(tr) = l.transfer.and_then(|i| t.transfer(i)) {
                s.transfer(b, tr);
            }
        }
        if s.wants(b, &f::SESSION_USER).is_some() {
            if let Some(user) = t.session_user(obs.conv, obs.at) {
                s.generated_string(b, &f::SESSION_USER, &shown(user));
            }
        }
    }
    let hf_user = state.analysis_field(&f::USER);
    for &(off, len) in &obs.facts.users {
        let item = m.text_item(b, root, hf_user, off, len);
        b.set_hidden(item);
    }
    let Some(t) = tracker else { return Ok(()) };
    // Only a pass over the whole capture knows a request went unanswered.
    each_report(t, obs, |kind, text| b.expert(root, state.experts[kind.index()], Some(text)));
    Ok(())
}

struct Shower<'s> {
    state: &'s State,
    root: Node,
    base: i32,
    visible: bool,
}

impl Shower<'_> {
    /// The header field of `field` if Wireshark keeps its items (shown, or
    /// referenced by a filter, column or `-e`): an item nobody keeps is not
    /// made at all, and its value not looked up.
    fn wants(&self, b: &Batch<'_, '_>, field: &AnalysisField) -> Option<HfId> {
        let hf = self.state.analysis_field(field);
        (self.visible || b.is_referenced(hf)).then_some(hf)
    }

    fn frame(&self, b: &mut Batch<'_, '_>, tree: Node, field: &AnalysisField, at: MsgRef) {
        if let Some(hf) = self.wants(b, field) {
            let item = b.add_uint(tree, hf, self.base, 0, at.frame);
            b.set_generated(item);
        }
    }

    fn interval(&self, b: &mut Batch<'_, '_>, field: &AnalysisField, ns: i64) {
        if let Some(hf) = self.wants(b, field) {
            let item = b.add_relative_time(self.root, hf, self.base, 0, ns);
            b.set_generated(item);
        }
    }

    fn generated_string(&self, b: &mut Batch<'_, '_>, field: &AnalysisField, value: &str) {
        if let Some(hf) = self.wants(b, field) {
            let item = b.add_string(self.root, hf, self.base, 0, value);
            b.set_generated(item);
        }
    }

    fn links(&self, b: &mut Batch<'_, '_>, l: &Links) {
        if let Some(link) = l.response_to {
            self.frame(b, self.root, &f::RESPONSE_TO, link.to);
            self.interval(b, &f::TIME, link.delta_ns);
        }
        if let Some(at) = l.response_in {
            self.frame(b, self.root, &f::RESPONSE_IN, at);
        }
        if let Some(at) = l.end_in {
            self.frame(b, self.root, &f::RESPONSE_END_IN, at);
        }
        if let Some(link) = l.forward_of {
            self.frame(b, self.root, &f::FORWARD_OF, link.to);
            self.interval(b, &f::FORWARD_DELAY, link.delta_ns);
        }
        if l.forward_count > 0 {
            if let Some(hf) = self.wants(b, &f::FORWARD_COUNT) {
                let item = b.add_uint(self.root, hf, self.base, 0, l.forward_count);
                b.set_generated(item);
            }
            for &at in &l.forwards {
                self.frame(b, self.root, &f::FORWARDED_IN, at);
            }
        }
    }

    /// The transfer's subtree: the file, each stage's frame, the outcome.
    fn transfer(&self, b: &mut Batch<'_, '_>, t: &Transfer) {
        let fields = [&f::TRANSFER, &f::TRANSFER_FILE_NAME, &f::TRANSFER_FILE_SIZE, &f::TRANSFER_ACCEPTED].into_iter().chain(f::TRANSFER_STAGES.iter().copied());
        if !self.visible && !{ fields }.any(|field| self.wants(b, field).is_some()) {
            return;
        }
        let name = t.file_name.as_deref().map(shown).unwrap_or_default();
        let outcome = match t.accepted {
            Some(true) => f::TRANSFER_ACCEPTED_TEXT,
            Some(false) => f::TRANSFER_DECLINED_TEXT,
            None => f::TRANSFER_OPEN_TEXT,
        };
        let base = self.base;
        // The label replaces Wireshark's (set, not appended): one step.
        let label = self.visible.then(|| fill(f::TRANSFER_LABEL, &[&name, &outcome]));
        let sub = b.add_item_text(self.root, self.state.analysis_field(&f::TRANSFER), base, 0, crate::ffi::ENC_NA, label.as_deref().map(Into::into), true);
        b.add_subtree_to(sub, self.state.transfer_subtree);
        if t.file_name.is_some() {
            let item = b.add_string(sub, self.state.analysis_field(&f::TRANSFER_FILE_NAME), base, 0, name.as_ref());
            b.set_generated(item);
        }
        if let Some(size) = t.file_size {
            let item = b.add_int64(sub, self.state.analysis_field(&f::TRANSFER_FILE_SIZE), base, 0, size);
            b.set_generated(item);
        }
        for (field, at) in f::TRANSFER_STAGES.iter().zip(t.stages) {
            if let Some(at) = at {
                self.frame(b, sub, field, at);
            }
        }
        if let Some(ok) = t.accepted {
            let item = b.add_boolean(sub, self.state.analysis_field(&f::TRANSFER_ACCEPTED), base, 0, ok);
            b.set_generated(item);
        }
    }
}
