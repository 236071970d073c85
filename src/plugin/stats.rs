//! Statistics > XMMEP (`tshark -z xmmep,tree`), and the taps: `xmmep`
//! and the credentials tap (`tshark -z credentials`, Tools > Credentials,
//! which the module `credentials` fills).
//!
//! Dissection queues one [`TapRecord`] per message to tap `xmmep`
//! ([`tap_message`]); the statistics tree counts the records
//! ([`count`]): messages by type grouped by section of the specification,
//! results, presence changes, response times per request type, problems by
//! report class. What a message contributes is `xmmep_core::stats`'s; the
//! names shown are `xmmep_core::presentation::stats`'s.
//!
//! The tree is built through [`Sink`], so that the counting is tested here
//! without Wireshark; `ffi::tap::StatsTree` is the real sink.

use xmmep_core::codec::{Decoded, Decoder};
use xmmep_core::presentation::{info, stats as names};
use xmmep_core::reports::CLASSES;
use xmmep_core::schema::Schema;
use xmmep_core::stats::{names as stat_names, MessageFacts};

use crate::ffi::tap::{self, CredentialsTap, NodeId, StatsTree, StatsTreeSpec, Tap};
use crate::ffi::{HfId, Packet};

/// What the plugin queues to tap `xmmep` for each message.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TapRecord {
    /// What the message itself says (type, result, presence, problems).
    pub(crate) facts: MessageFacts,
    /// For a response matched to its request: the request's message type
    /// and the seconds from the request to this response. The statistics
    /// tree averages them per request type. None for anything else, and
    /// for every message when the analysis across messages is off.
    pub(crate) response: Option<(u16, f64)>,
    /// For the answer that accepts a request carrying a presence (a
    /// successful MSG_LOGIN_RES1): that presence, counted here rather than
    /// at the request, so that a refused login changes nothing. None
    /// without the analysis across messages.
    pub(crate) accepted_presence: Option<u64>,
    /// For a chat event (not a relayed copy): its chat and direction, for
    /// the Conversations and Endpoints tab. None without the analysis.
    pub(crate) chat: Option<ChatRecord>,
}

impl TapRecord {
    /// The record of a decoded message, with no response time.
    pub(crate) fn new(schema: &Schema, decoded: &Decoded) -> TapRecord {
        TapRecord { facts: MessageFacts::of(schema, decoded), response: None, accepted_presence: None, chat: None }
    }
}

/// What a chat event adds to tap `xmmep`'s record, for the
/// Conversations and Endpoints tab (`chat_views`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChatRecord {
    pub(crate) chat: u32,
    /// Whether the chat's first party acts (sends the text, the offer or
    /// the answer); else its second.
    pub(crate) first_acts: bool,
    /// The message's length, header included.
    pub(crate) bytes: u32,
}

/// The taps the plugin queues to (kept in `state::State`).
pub(crate) struct Taps {
    messages: Tap<TapRecord>,
    credentials: CredentialsTap,
    password: Option<HfId>,
}

/// Registers tap `xmmep`, the statistics tree over it, and joins tap
/// `credentials`; `password` is the header field of the password (the
/// GUI's Credentials dialog goes to it). Call from `register_protoinfo`.
pub(crate) fn register(password: Option<HfId>) -> Taps {
    let messages = tap::register_tap::<TapRecord>(names::TAP);
    tap::register_stats_tree::<Tree>(messages, names::TAP, names::TREE_ABBR, names::TREE_NAME);
    let credentials = tap::register_credentials_tap(names::CREDENTIAL_PROTO);
    Taps { messages, credentials, password }
}

impl Taps {
    /// Tap `xmmep`.
    pub(crate) fn messages(&self) -> Tap<TapRecord> {
        self.messages
    }

    /// The credentials tap and the password's header field, when some
    /// listener reads the tap now.
    pub(crate) fn credentials(&self) -> Option<(CredentialsTap, HfId)> {
        let password = self.password?;
        self.credentials.listening().then_some((self.credentials, password))
    }
}

/// Queues the statistics record of one message (`decoded`, by `dec`)
/// to tap `xmmep`. Nothing is built when nobody listens. `response`,
/// `linked_problems` (a bit per report class), `accepted_presence` and
/// `chat` (see [`TapRecord`]) come from the analysis across messages.
#[allow(clippy::too_many_arguments)]
pub(crate) fn tap_message(
    taps: &Taps,
    pkt: &Packet<'_>,
    dec: &Decoder<'_>,
    decoded: &Decoded,
    response: Option<(u16, f64)>,
    linked_problems: u32,
    accepted_presence: Option<u64>,
    chat: Option<ChatRecord>,
) {
    if !taps.messages.listening() {
        return;
    }
    let mut record = TapRecord { response, accepted_presence, chat, ..TapRecord::new(dec.schema, decoded) };
    record.facts.problems |= linked_problems;
    taps.messages.queue(pkt, &record);
}

/// Where the counting writes: a stats tree, or a test's model of one.
pub(crate) trait Sink {
    /// Adds 1 to node `label` under `parent`, made if missing; returns its
    /// id when `parent_node` (it then can have children).
    fn tick(&mut self, parent: NodeId, label: &str, parent_node: bool) -> NodeId;
    /// Adds 1 to leaf `label` under `parent`, and `value` to its average,
    /// minimum and maximum.
    fn add_value(&mut self, parent: NodeId, label: &str, value: f64);
}

impl Sink for StatsTree {
    fn tick(&mut self, parent: NodeId, label: &str, parent_node: bool) -> NodeId {
        StatsTree::tick(self, parent, label, parent_node)
    }
    fn add_value(&mut self, parent: NodeId, label: &str, value: f64) {
        StatsTree::add_value(self, parent, label, value)
    }
}

/// The top-level nodes (shown sorted by name).
pub(crate) const TOP: [&str; 5] = [names::MESSAGES, names::RESULTS, names::PRESENCE, names::RESPONSE_TIMES, names::PROBLEMS];

/// The leaf of message type `code` ("112 MSG_LOGIN_REQ"), or the text for
/// a type with no definition.
fn message_name(schema: &Schema, code: u32) -> String {
    stat_names::message(code, schema.message(code).map(|m| m.def))
}

/// Counts one record. Every top-level node counts what its children
/// count; the top-level nodes are found by name under the root.
pub(crate) fn count(st: &mut impl Sink, schema: &Schema, rec: &TapRecord) {
    let f = &rec.facts;
    // Messages by type, grouped by section.
    let msgs = st.tick(NodeId::ROOT, names::MESSAGES, true);
    let def = f.msg_type.and_then(|t| schema.message(t)).map(|m| m.def);
    let group = stat_names::section(def);
    let section = st.tick(msgs, &group, true);
    let leaf = match f.msg_type {
        Some(t) => message_name(schema, t),
        None => info::MALFORMED_HEADER.to_string(),
    };
    st.tick(section, &leaf, false);
    // Results.
    if let Some(code) = f.result {
        let results = st.tick(NodeId::ROOT, names::RESULTS, true);
        st.tick(results, &stat_names::result(code), false);
    }
    if let Some(b) = f.result_flag {
        let results = st.tick(NodeId::ROOT, names::RESULTS, true);
        st.tick(results, &stat_names::result_flag(b), false);
    }
    // Presence changes: a request's (a login's) counts at the answer that
    // accepts it.
    if let Some(status) = f.presence.filter(|_| !f.awaits_answer).or(rec.accepted_presence) {
        let presence = st.tick(NodeId::ROOT, names::PRESENCE, true);
        st.tick(presence, &stat_names::status(status), false);
    }
    // Response times per request type.
    if let Some((request, secs)) = rec.response {
        let times = st.tick(NodeId::ROOT, names::RESPONSE_TIMES, true);
        st.add_value(times, &message_name(schema, u32::from(request)), secs * 1000.0);
    }
    // Problems by report class.
    for class in CLASSES.iter().filter(|c| f.problems & (1 << c.kind.index()) != 0) {
        let problems = st.tick(NodeId::ROOT, names::PROBLEMS, true);
        st.tick(problems, class.summary, false);
    }
}

/// The statistics tree over tap `xmmep`.
struct Tree;

impl StatsTreeSpec for Tree {
    type Record = TapRecord;

    fn init(st: &mut StatsTree) {
        for label in TOP {
            st.create_node(NodeId::ROOT, label);
        }
    }

    fn packet(st: &mut StatsTree, record: &TapRecord) {
        count(st, Schema::standard(), record);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use xmmep_core::codec::{encode_checked, Charset, EncValue, Options};
    use xmmep_core::table;

    use super::*;

    /// A stats tree as paths ("Messages by type/5.2 Login/112 MSG_LOGIN_REQ")
    /// with their counts and values.
    #[derive(Default)]
    struct Model {
        parents: Vec<String>,
        counts: BTreeMap<String, u32>,
        values: BTreeMap<String, Vec<f64>>,
    }

    impl Model {
        fn new() -> Model {
            Model { parents: vec![String::new()], ..Default::default() }
        }
        fn path(&self, parent: NodeId, label: &str) -> String {
            let p = &self.parents[parent.0 as usize];
            if p.is_empty() {
                label.to_string()
            } else {
                format!("{p}/{label}")
            }
        }
        fn count(&self, path: &str) -> u32 {
            self.counts.get(path).copied().unwrap_or(0)
        }
    }

    impl Sink for Model {
        fn tick(&mut self, parent: NodeId, label: &str, parent_node: bool) -> NodeId {
            let path = self.path(parent, label);
            *self.counts.entry(path.clone()).or_default() += 1;
            if !parent_node {
                return NodeId(-1);
            }
            let i = self.parents.iter().position(|p| *p == path).unwrap_or_else(|| {
                self.parents.push(path);
                self.parents.len() - 1
            });
            NodeId(i as i32)
        }
        fn add_value(&mut self, parent: NodeId, label: &str, value: f64) {
            let path = self.path(parent, label);
            *self.counts.entry(path.clone()).or_default() += 1;
            self.values.entry(path).or_default().push(value);
        }
    }

    fn record(code: u16, values: &[EncValue]) -> TapRecord {
        let bytes = encode_checked(table::definition(code).unwrap(), values).unwrap();
        let schema = Schema::standard();
        TapRecord::new(schema, &Decoder::new(schema, Options { charset: Charset::Utf8 }).decode(&bytes))
    }

    fn text(s: &str) -> EncValue {
        EncValue::Text(s.as_bytes().to_vec())
    }

    #[test]
    fn messages_results_presence_and_problems() {
        let mut m = Model::new();
        let schema = Schema::standard();
        count(&mut m, schema, &record(112, &[text("alice"), text("secret123"), EncValue::Int(0)]));
        count(&mut m, schema, &record(111, &[EncValue::Int(12)]));
        count(&mut m, schema, &record(101, &[EncValue::Int(0)]));
        assert_eq!(m.count("Messages by type"), 3);
        assert_eq!(m.count("Messages by type/5.2 Login"), 2);
        assert_eq!(m.count("Messages by type/5.2 Login/112 MSG_LOGIN_REQ"), 1);
        assert_eq!(m.count("Messages by type/5.1 Registration/101 MSG_REGISTER_RES"), 1);
        assert_eq!(m.count("Results by result code"), 2);
        assert_eq!(m.count("Results by result code/RESULT_PASSWD_MISMATCH"), 1);
        // A login request's presence counts at the answer that accepts it.
        assert_eq!(m.count("Presence changes by status"), 0);
        count(&mut m, schema, &TapRecord { accepted_presence: Some(0), ..record(127, &[]) });
        assert_eq!(m.count("Presence changes by status/STATUS_AVAILABLE"), 1);
        assert_eq!(m.count("Problems by report class/Password in clear text"), 1);
        assert_eq!(m.count("Response time (ms) by request type"), 0);
    }

    #[test]
    fn response_times_per_request_type() {
        let mut m = Model::new();
        let schema = Schema::standard();
        let end = record(127, &[]);
        for secs in [0.25, 0.5, 0.125] {
            count(&mut m, schema, &TapRecord { response: Some((112, secs)), ..end });
        }
        count(&mut m, schema, &TapRecord { response: Some((100, 1.0)), ..record(101, &[EncValue::Int(0)]) });
        let times = "Response time (ms) by request type";
        assert_eq!(m.count(times), 4);
        assert_eq!(m.values[&format!("{times}/112 MSG_LOGIN_REQ")], vec![250.0, 500.0, 125.0]);
        assert_eq!(m.values[&format!("{times}/100 MSG_REGISTER_REQ")], vec![1000.0]);
        assert_eq!(m.count("Messages by type/5.2 Login/127 MSG_LOGIN_RES_END"), 3);
    }

    #[test]
    fn boolean_results_and_unknown_types() {
        let mut m = Model::new();
        let schema = Schema::standard();
        count(&mut m, schema, &record(182, &[text("bob"), text("alice"), EncValue::Int(7), EncValue::Bool(true)]));
        let raw = Decoder::new(schema, Options { charset: Charset::Utf8 }).decode(&xmmep_core::codec::encode_raw(998, b"x"));
        count(&mut m, schema, &TapRecord::new(schema, &raw));
        assert_eq!(m.count("Results by result code/Result: True"), 1);
        assert_eq!(m.count("Messages by type/Other/Unknown type 998"), 1);
        assert_eq!(m.count("Problems by report class/Message type with no definition"), 1);
    }
}
