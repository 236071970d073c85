//! Every text and rule a person sees that is not a name from the message
//! table, written once: the protocol's names, preference titles and
//! descriptions, tree labels, Info templates and the Wireshark field type of
//! each display. The epan plugin registers and shows them, the Lua
//! generator writes them into `lua/xmmep.lua`, the docs generator into
//! `docs/reference.md`; `tests/parity.rs` fails when the plugin and the script show one
//! of them differently. docs/presentation.md says how they are used.

use crate::codec::charset::Charset;
use crate::reports::fill;
use crate::schema::Display;

/// The protocol's names: full, short (the Protocol column), filter.
pub struct ProtocolNames {
    pub name: &'static str,
    pub short: &'static str,
    pub filter: &'static str,
}

pub const PROTOCOL: ProtocolNames = ProtocolNames { name: "X-Messenger Message Exchange Protocol", short: "XMMEP", filter: "xmmep" };

/// Names of the plugin's dissector handles (Decode As, `-d ...,NAME`).
pub const TCP_DISSECTOR: &str = "xmmep";
pub const UDP_DISSECTOR: &str = "xmmep_udp";

/// A heuristic: the dissector list it joins, its title in Enabled
/// Protocols, and its short name (`--disable-heuristic NAME`).
pub struct HeuristicNames {
    pub list: &'static str,
    pub title: &'static str,
    pub name: &'static str,
}

pub const TCP_HEURISTIC: HeuristicNames = HeuristicNames { list: "tcp", title: "XMMEP over TCP", name: "xmmep_tcp" };
pub const UDP_HEURISTIC: HeuristicNames = HeuristicNames { list: "udp", title: "XMMEP over UDP", name: "xmmep_udp" };

/// A preference: its name below `xmmep.`, its title and its description.
pub struct Pref {
    pub name: &'static str,
    pub title: &'static str,
    pub desc: &'static str,
}

pub const CHARSET_PREF: Pref =
    Pref { name: "charset", title: "Character set of String fields", desc: "UTF-8 for clients that send UTF-8 text; GB18030 for clients that send Chinese text in GB18030" };

/// The choices of the charset preference, in the order they are offered;
/// the preference stores the index into this list.
pub const CHARSETS: [(&str, Charset); 2] = [("utf8", Charset::Utf8), ("gb18030", Charset::Gb18030)];

/// The charset at `index` of [`CHARSETS`]; the first for an index out of
/// range, so a stale stored value still decodes.
pub fn charset_at(index: usize) -> Charset {
    CHARSETS.get(index).map_or(CHARSETS[0].1, |c| c.1)
}

pub const DESEGMENT_PREF: Pref = Pref {
    name: "desegment",
    title: "Reassemble XMMEP messages spanning multiple TCP segments",
    desc: "Whether the XMMEP dissector should reassemble messages spanning multiple TCP segments. \
           To use this option, you must also enable \"Allow subdissectors to reassemble TCP streams\" in the TCP protocol settings.",
};

pub const ANALYZE_PREF: Pref = Pref {
    name: "analyze",
    title: "Analyze XMMEP across messages",
    desc: "Link requests to their responses, originals to their forwards and the stages of a file transfer, \
           and show the logged-in user of each connection. Off, every message is still decoded and checked on its own, \
           at less cost per message, with none of these links or the reports that need them.",
};

/// Whether each message's bytes are added as [`RAW_FIELD`]: off unless a
/// tool asks (`-o xmmep.raw:TRUE`), so that nothing else pays for it.
pub const RAW_PREF: Pref = Pref {
    name: "raw",
    title: "Add each message's bytes as xmmep.raw",
    desc: "Adds a hidden field xmmep.raw over the bytes of each XMMEP message, header included, \
           for tools that decode the messages themselves from tshark -T fields (xmmep-export, xmmep-check). Off by default.",
};

/// `xmmep.raw`: one message's bytes, hidden, only with [`RAW_PREF`] on.
/// Registered and added by the plugin and the Lua script alike.
pub static RAW_FIELD: AnalysisField = AnalysisField {
    abbrev: "raw",
    label: "Message bytes",
    desc: "The bytes of the message, header included (hidden; only with the preference xmmep.raw on)",
    kind: FieldKind::Bytes,
    unit: None,
};

/// The port preferences of the Lua script (`xmmep.tcp.port`,
/// `xmmep.udp.port`). The plugin's come from Wireshark's own
/// `dissector_add_uint_range_with_preference`, which titles them itself.
pub const TCP_PORTS_PREF: Pref = Pref { name: "tcp.port", title: "TCP ports", desc: PORTS_DESC };
pub const UDP_PORTS_PREF: Pref = Pref { name: "udp.port", title: "UDP ports", desc: PORTS_DESC };
const PORTS_DESC: &str = "Ports always decoded as XMMEP (empty by default; the heuristics find XMMEP elsewhere)";

/// Labels of the tree that are not names from the table. `{}` as in
/// [`fill`], one argument each, in order.
pub mod label {
    /// After the protocol item: ", MSG_LOGIN_REQ".
    pub const MESSAGE: &str = ", {}";
    /// A list holder: "Group list: 3 elements" (label, elements).
    pub const COUNTED: &str = "{}: {}";
    /// The n-th element of a dictionary without a key item: "Entry 2" (label, n).
    pub const INDEXED: &str = "{} {}";
    /// A dictionary element by its key: "Condition: SEARCH_COND_NAME" (the
    /// key's label, its enumeration name or else its text), so that a search
    /// reads without expanding it.
    pub const PAIR_KEY: &str = "{}: {}";
    /// ... followed by its value: "Condition: SEARCH_COND_NAME = alice".
    pub const PAIR_VALUE: &str = "{} = {}";
    /// A value that does not decode as its type: "Port: 70000" (label, text).
    pub const INVALID: &str = "{}: {}";
    /// Appended to the label of a field item: a struct's first text member
    /// ("Buddy: alice"), the element count of a list ("Buddy list: 2 elements").
    pub const VALUE_SUFFIX: &str = ": {}";
    /// The value of a struct that a refusal filled with placeholders
    /// (`Tail::EmptyOnFailure`): "User info: none sent, ...".
    pub const NOT_SENT: &str = "none sent, the request was refused (every field empty or 0)";
    pub const ELEMENTS_ONE: &str = crate::reports::template::ONE_ELEMENT;
    pub const ELEMENTS_MANY: &str = crate::reports::template::ELEMENTS;
}

/// The date of a time (seconds since 1970-01-01 UTC) as `YYYY-MM-DD`, for
/// a field that is a day (`Role::Date`); None outside years 1..=9999,
/// where Wireshark's own label stays. The Lua engine's `date_text` gives
/// the same dates (proleptic Gregorian).
pub fn date_text(secs: i64) -> Option<String> {
    let c = crate::calendar::civil(secs).filter(|c| c.year >= 1)?;
    Some(format!("{:04}-{:02}-{:02}", c.year, c.month, c.day))
}

/// "1 element", "3 elements".
pub fn elements(n: u32) -> String {
    if n == 1 {
        label::ELEMENTS_ONE.to_string()
    } else {
        fill(label::ELEMENTS_MANY, &[&n])
    }
}

/// Texts of the Info column and of the protocol item that are not names
/// from the table.
pub mod info {
    pub const MALFORMED_HEADER: &str = "Malformed header";
    pub const UNKNOWN_TYPE: &str = "Unknown type {}";
    /// A Boolean with no `bool_names` in the table.
    pub const BOOL_TRUE: &str = "true";
    pub const BOOL_FALSE: &str = "false";
    /// Between a dictionary element's key and value (`SEARCH_COND_NAME:bob`).
    pub const PAIR_SEP: &str = ":";
    /// After a message with a warning or an error, once per short name of
    /// their classes (`reports::ReportClass::short`).
    pub const PROBLEM_MARK: &str = " [{}]";
}

/// The flow graph (Statistics > Flow Graph, XMMEP; `-z flow,xmmep,...`):
/// the arrow labels of `codec::info::flow_label`.
pub mod flow {
    /// The tap the plugin queues one arrow per message to, and the name of
    /// the flow (`-z flow,NAME,standard`) and its menu entry.
    pub const TAP: &str = "xmmep_flow";
    pub const NAME: &str = "xmmep";
    pub const UI_NAME: &str = "XMMEP";
    /// Left out of a message name in a label (`LOGIN_REQ`).
    pub const NAME_PREFIX: &str = "MSG_";
    /// Info tags whose values a label joins when a message has both: who
    /// sends to whom, whose buddy is whom.
    pub const PAIRS: &[(&str, &str)] = &[("from", "to"), ("user", "buddy")];
    pub const PAIR_JOIN: &str = "->";
}

/// The description registered with a field: none when it only repeats the
/// label (Wireshark's Lua API drops such a description, so the plugin does
/// too, and both list the field alike).
pub fn blurb<'a>(label: &str, desc: &'a str) -> Option<&'a str> {
    (desc != label).then_some(desc)
}

/// The Wireshark field type a display is registered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    String,
    Uint8,
    Uint16,
    Uint32,
    Uint64,
    Int8,
    Int16,
    Int32,
    Int64,
    Boolean,
    /// Absolute time, shown in UTC.
    AbsoluteTime,
    Ipv4,
    /// No value: a struct or a list holder with a filter name.
    None,
    /// A frame number, pointing at a request, a response or neither.
    FrameNum(FrameLink),
    /// A time interval.
    RelativeTime,
    /// Raw bytes.
    Bytes,
}

/// What an FT_FRAMENUM field points at (the GUI draws request and response
/// arrows for the first two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameLink {
    Request,
    Response,
    Other,
}

impl FieldKind {
    /// The choice, made once for the plugin, the Lua script and the docs.
    /// Labels (subtrees with no filter name) are never registered; they map
    /// to `None` like containers.
    pub fn of(d: Display) -> FieldKind {
        match d {
            Display::Text => FieldKind::String,
            Display::Uint(8) => FieldKind::Uint8,
            Display::Uint(16) => FieldKind::Uint16,
            Display::Uint(32) => FieldKind::Uint32,
            Display::Uint(_) => FieldKind::Uint64,
            Display::Int(8) => FieldKind::Int8,
            Display::Int(16) => FieldKind::Int16,
            Display::Int(32) => FieldKind::Int32,
            Display::Int(_) => FieldKind::Int64,
            Display::Bool => FieldKind::Boolean,
            Display::Time => FieldKind::AbsoluteTime,
            Display::Ipv4 => FieldKind::Ipv4,
            Display::Container | Display::Label => FieldKind::None,
        }
    }

    /// Wireshark's name of the type, as `tshark -G fields` prints it.
    pub fn ws_name(self) -> &'static str {
        match self {
            FieldKind::String => "FT_STRING",
            FieldKind::Uint8 => "FT_UINT8",
            FieldKind::Uint16 => "FT_UINT16",
            FieldKind::Uint32 => "FT_UINT32",
            FieldKind::Uint64 => "FT_UINT64",
            FieldKind::Int8 => "FT_INT8",
            FieldKind::Int16 => "FT_INT16",
            FieldKind::Int32 => "FT_INT32",
            FieldKind::Int64 => "FT_INT64",
            FieldKind::Boolean => "FT_BOOLEAN",
            FieldKind::AbsoluteTime => "FT_ABSOLUTE_TIME",
            FieldKind::Ipv4 => "FT_IPv4",
            FieldKind::None => "FT_NONE",
            FieldKind::FrameNum(_) => "FT_FRAMENUM",
            FieldKind::RelativeTime => "FT_RELATIVE_TIME",
            FieldKind::Bytes => "FT_BYTES",
        }
    }
}

/// A field the analysis across messages adds (docs/decisions.md 38-43): not
/// in the message's bytes, so shown as generated; `abbrev` is below `xmmep.`.
pub struct AnalysisField {
    pub abbrev: &'static str,
    pub label: &'static str,
    pub desc: &'static str,
    pub kind: FieldKind,
    /// The unit after the value in the label (`table::Unit`).
    pub unit: Option<&'static crate::table::Unit>,
}

/// The analysis fields, by name. The plugin and the Lua script register
/// [`ANALYSIS_FIELDS`] in this order and show them as `crate::analysis` says.
pub mod analysis {
    use super::{AnalysisField, FieldKind, FrameLink};

    const fn f(abbrev: &'static str, label: &'static str, desc: &'static str, kind: FieldKind) -> AnalysisField {
        AnalysisField { abbrev, label, desc, kind, unit: None }
    }

    pub static CHAT: AnalysisField = f(
        "chat",
        "Chat",
        "The chat this message belongs to: its number, from 0 in order of first appearance, shared by every message between the same two users (or a user and a chat room) on any connection",
        FieldKind::Uint32,
    );
    pub static RESPONSE_IN: AnalysisField = f("response_in", "Response in", "The frame of the first answer to this request", FieldKind::FrameNum(FrameLink::Response));
    pub static RESPONSE_END_IN: AnalysisField =
        f("response_end_in", "Response end in", "The frame of the message that ends this request's multi-part answer", FieldKind::FrameNum(FrameLink::Response));
    pub static RESPONSE_TO: AnalysisField = f("response_to", "Request in", "The frame of the request this message answers", FieldKind::FrameNum(FrameLink::Request));
    pub static TIME: AnalysisField =
        f("time", "Time since request", "Time from the request to this answer (for the end of a multi-part answer: the whole exchange)", FieldKind::RelativeTime);
    pub static FORWARDED_IN: AnalysisField = f("forwarded_in", "Forwarded in", "A frame that forwards this message to another client", FieldKind::FrameNum(FrameLink::Other));
    pub static FORWARD_COUNT: AnalysisField = f("forward_count", "Forwards", "How many forwards of this message the capture holds", FieldKind::Uint32);
    pub static FORWARD_OF: AnalysisField = f("forward_of", "Forward of", "The frame of the message this one forwards", FieldKind::FrameNum(FrameLink::Other));
    pub static FORWARD_DELAY: AnalysisField = f("forward_delay", "Forward delay", "Time from the original to this forward", FieldKind::RelativeTime);
    pub static TRANSFER: AnalysisField = f("transfer", "File transfer", "The file transfer this message belongs to, across connections", FieldKind::None);
    pub static TRANSFER_FILE_NAME: AnalysisField = f("transfer.file_name", "File name", "Name of the file, from the offer", FieldKind::String);
    pub static TRANSFER_FILE_SIZE: AnalysisField =
        AnalysisField { unit: Some(&crate::table::BYTES), ..f("transfer.file_size", "File size", "Size of the file in bytes, from the offer", FieldKind::Int64) };
    pub static TRANSFER_OFFER_IN: AnalysisField = f("transfer.offer_in", "Offered in", "The frame of MSG_SEND_FILE_REQ", FieldKind::FrameNum(FrameLink::Other));
    pub static TRANSFER_OFFER_FWD_IN: AnalysisField = f("transfer.offer_fwd_in", "Offer forwarded in", "The frame of MSG_SEND_FILE_REQ_FWD", FieldKind::FrameNum(FrameLink::Other));
    pub static TRANSFER_ANSWER_IN: AnalysisField = f("transfer.answer_in", "Answered in", "The frame of MSG_SEND_FILE_RES", FieldKind::FrameNum(FrameLink::Other));
    pub static TRANSFER_ANSWER_FWD_IN: AnalysisField =
        f("transfer.answer_fwd_in", "Answer forwarded in", "The frame of MSG_SEND_FILE_RES_FWD", FieldKind::FrameNum(FrameLink::Other));
    pub static TRANSFER_ACCEPTED: AnalysisField = f("transfer.accepted", "Accepted", "Whether the receiver accepted the file", FieldKind::Boolean);
    pub static USER: AnalysisField = f("user", "User", "Every user name the message carries, in any field (hidden, like ip.addr)", FieldKind::String);
    pub static SESSION_USER: AnalysisField = f("session_user", "Session user", "The user logged in on this conversation", FieldKind::String);

    /// The stage fields of a transfer, in `table::FILE_TRANSFER.stages` order.
    pub static TRANSFER_STAGES: [&AnalysisField; 4] = [&TRANSFER_OFFER_IN, &TRANSFER_OFFER_FWD_IN, &TRANSFER_ANSWER_IN, &TRANSFER_ANSWER_FWD_IN];
    /// Label of the transfer subtree: file name, outcome.
    pub const TRANSFER_LABEL: &str = "File transfer: {}, {}";
    pub const TRANSFER_ACCEPTED_TEXT: &str = "accepted";
    pub const TRANSFER_DECLINED_TEXT: &str = "declined";
    pub const TRANSFER_OPEN_TEXT: &str = "not answered";
    /// A run of parts in the Info column: first name, last name, count.
    pub const PART_RUN: &str = "{}..{} ({} parts)";
}

/// Every analysis field, in registration order.
pub static ANALYSIS_FIELDS: &[&AnalysisField] = &[
    &analysis::CHAT,
    &analysis::RESPONSE_IN,
    &analysis::RESPONSE_END_IN,
    &analysis::RESPONSE_TO,
    &analysis::TIME,
    &analysis::FORWARDED_IN,
    &analysis::FORWARD_COUNT,
    &analysis::FORWARD_OF,
    &analysis::FORWARD_DELAY,
    &analysis::TRANSFER,
    &analysis::TRANSFER_FILE_NAME,
    &analysis::TRANSFER_FILE_SIZE,
    &analysis::TRANSFER_OFFER_IN,
    &analysis::TRANSFER_OFFER_FWD_IN,
    &analysis::TRANSFER_ANSWER_IN,
    &analysis::TRANSFER_ANSWER_FWD_IN,
    &analysis::TRANSFER_ACCEPTED,
    &analysis::USER,
    &analysis::SESSION_USER,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_counts_read_as_english() {
        assert_eq!(elements(0), "0 elements");
        assert_eq!(elements(1), "1 element");
        assert_eq!(elements(12), "12 elements");
    }

    #[test]
    fn dates_are_civil_days() {
        assert_eq!(date_text(0).as_deref(), Some("1970-01-01"));
        assert_eq!(date_text(86_399).as_deref(), Some("1970-01-01"));
        assert_eq!(date_text(-1).as_deref(), Some("1969-12-31"));
        assert_eq!(date_text(951_782_400).as_deref(), Some("2000-02-29"));
        assert_eq!(date_text(631_152_000).as_deref(), Some("1990-01-01"));
        assert_eq!(date_text(253_402_300_799).as_deref(), Some("9999-12-31"));
        assert_eq!(date_text(253_402_300_800), None);
        assert_eq!(date_text(-62_135_596_800).as_deref(), Some("0001-01-01"));
        assert_eq!(date_text(-62_135_596_801), None);
    }

    #[test]
    fn charset_preference_reads_by_index() {
        assert_eq!(charset_at(0), Charset::Utf8);
        assert_eq!(charset_at(1), Charset::Gb18030);
        assert_eq!(charset_at(7), Charset::Utf8);
    }

    #[test]
    fn field_kinds_follow_the_width() {
        assert_eq!(FieldKind::of(Display::Uint(16)).ws_name(), "FT_UINT16");
        assert_eq!(FieldKind::of(Display::Int(64)).ws_name(), "FT_INT64");
        assert_eq!(FieldKind::of(Display::Label), FieldKind::None);
    }
}

/// The statistics tree (`tshark -z xmmep,tree`, Statistics > XMMEP) and the
/// credentials tap (`tshark -z credentials`, Tools > Credentials): names of
/// the tree and of its nodes. What each node counts is `crate::stats`'s.
pub mod stats {
    /// The tap the plugin queues one record per message to.
    pub const TAP: &str = "xmmep";
    /// `-z ABBR,tree`.
    pub const TREE_ABBR: &str = "xmmep";
    /// The menu entry and window title (Statistics > XMMEP).
    pub const TREE_NAME: &str = super::PROTOCOL.short;
    /// The Lua script's text of the tree (Statistics > XMMEP there too):
    /// `tshark -X lua_script:lua/xmmep.lua -z xmmep,stats`. Not TREE_ABBR's
    /// `xmmep,tree`, which names the plugin's stats_tree (decisions.md 66).
    pub const LUA_COMMAND: &str = "xmmep,stats";
    /// The columns of the Lua script's text: those of Wireshark's text of
    /// a stats_tree, less the rates and bursts (Wireshark's own timing).
    pub const LUA_COLUMNS: [&str; 6] = ["Topic / Item", "Count", "Average", "Min Val", "Max Val", "Percent"];
    /// Service Response Time: the table's title and its first column (a
    /// row per request type).
    pub const SRT_TITLE: &str = "XMMEP response times";
    pub const SRT_COLUMN: &str = "Request";

    /// The top-level nodes, in the order they are shown.
    pub const MESSAGES: &str = "Messages by type";
    pub const RESULTS: &str = "Results by result code";
    pub const PRESENCE: &str = "Presence changes by status";
    /// Milliseconds: Wireshark prints a float node's average with two
    /// decimals.
    pub const RESPONSE_TIMES: &str = "Response time (ms) by request type";
    pub const PROBLEMS: &str = "Problems by report class";

    /// A message type under its section and under RESPONSE_TIMES: "112
    /// MSG_LOGIN_REQ" (code, name). The tree is sorted by name, so its
    /// types read in the specification's order (codes have three digits).
    pub const MESSAGE_TYPE: &str = "{} {}";
    /// A section of the specification under MESSAGES: "5.2 Login"
    /// (number, title); sorted by name they read 5.1 to 5.9, then OTHER.
    pub const SECTION: &str = "{} {}";
    /// The titles of the specification's sections 5.1 to 5.9, by number.
    pub const SECTIONS: &[(&str, &str)] = &[
        ("5.1", "Registration"),
        ("5.2", "Login"),
        ("5.3", "Presence"),
        ("5.4", "Buddy groups"),
        ("5.5", "Buddies"),
        ("5.6", "Chat"),
        ("5.7", "File transfer"),
        ("5.8", "Buddy information"),
        ("5.9", "Keepalive"),
    ];
    /// The group of a message type with no definition and of a message
    /// whose header does not parse (its leaves are `info::UNKNOWN_TYPE`
    /// and `info::MALFORMED_HEADER`).
    pub const OTHER: &str = "Other";
    /// A result code with no name in the table: "Result 42".
    pub const UNKNOWN_RESULT: &str = "Result {}";
    /// A Boolean result under RESULTS: "Result flag: True" (the field's
    /// label, its text).
    pub const RESULT_FLAG: &str = "{}: {}";
    /// A status with no name in the table: "Status 9".
    pub const UNKNOWN_STATUS: &str = "Status {}";
    /// The credentials tap's Info: the message's name and the password,
    /// when no answer can tell the outcome (the message awaits none, or
    /// the analysis is off).
    pub const CREDENTIAL_INFO: &str = "{}, password {}";
    /// ... and the frame of the answer that accepted the request.
    pub const CREDENTIAL_ACCEPTED: &str = "{}, password {}, accepted in frame {}";
    /// ... and the frame and result of the answer that refused it.
    pub const CREDENTIAL_REFUSED: &str = "{}, password {}, refused in frame {}: {}";
    /// ... and the frame of an answer that carries no result.
    pub const CREDENTIAL_ANSWERED: &str = "{}, password {}, answered in frame {}";
    /// ... for a request the whole capture leaves unanswered.
    pub const CREDENTIAL_UNANSWERED: &str = "{}, password {}, no answer in the capture";
    /// The credentials tap's Protocol.
    pub const CREDENTIAL_PROTO: &str = "XMMEP";

    /// "5.2 Login" for a message of section "5.2.3"; None for a section
    /// outside the table of titles.
    pub fn section_name(section: &str) -> Option<String> {
        let group = section.rsplit_once('.').map_or(section, |(g, _)| g);
        SECTIONS.iter().find(|(n, _)| *n == group).map(|(n, t)| crate::reports::fill(SECTION, &[n, t]))
    }
}

/// A chat as a person reads it (Analyze > Follow > XMMEP Stream, `tshark -z
/// follow,xmmep,ascii,N`; the Lua script's Tools > XMMEP chats): the
/// texts of its lines. Which message gives which line is
/// `crate::transcript`'s.
pub mod transcript {
    /// The follower's tap, and the protocol's name in Follow's menu.
    pub const FOLLOW_TAP: &str = "xmmep_follow";
    /// A line: its time (UTC, [`TIME`]) and its event, ended by a newline.
    pub const LINE: &str = "{} {}\n";
    /// "2024-11-30 15:24:02": year, month, day, hour, minute, second.
    pub const TIME: &str = "{}-{}-{} {}:{}:{}";
    /// A text to a user: sender, receiver, text.
    pub const TEXT: &str = "{} -> {}: {}";
    /// A text to a chat room: sender, room, text.
    pub const ROOM_TEXT: &str = "{} -> room {}: {}";
    /// A file offer: sender, file name, size ([`BYTES`]).
    pub const OFFER: &str = "{} offers {} ({})";
    /// A file offer whose size the message does not give: sender, file name.
    pub const OFFER_UNSIZED: &str = "{} offers {}";
    /// A size in bytes, digits grouped by three: "123,456 bytes".
    pub const BYTES: &str = "{} bytes";
    pub const ONE_BYTE: &str = "1 byte";
    /// An answer to an offer: the receiver, the file name.
    pub const ACCEPTS: &str = "{} accepts {}";
    pub const DECLINES: &str = "{} declines {}";
    /// The file of an answer whose offer the capture does not hold.
    pub const UNKNOWN_FILE: &str = "a file";
    /// The separator of digit groups in sizes.
    pub const GROUP_SEP: char = ',';
    /// The Lua script's window of every chat's lines (Tools > XMMEP chats;
    /// its title too), and the tshark command that prints the same text
    /// (`-z xmmep,chats`), where the Lua API has no Follow.
    pub const WINDOW: &str = "XMMEP chats";
    pub const COMMAND: &str = "xmmep,chats";
    /// A chat's heading in that window: its number (`xmmep.chat`), the
    /// two users, or the user and the room.
    pub const HEADING: &str = "Chat {}: {} <-> {}\n";
    pub const ROOM_HEADING: &str = "Chat {}: {} <-> room {}\n";
}
