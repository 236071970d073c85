//! Secondary conversations (traffic that a message announces), like packet-ftp.c follows
//! the data connection that PASV announces: some messages name an address
//! and port where the next traffic will be, and the dissector decodes that
//! traffic from its first byte, with no heuristic.
//!
//! - [`ANNOUNCEMENTS`]: which (IP, port) field pairs of the table announce
//!   what: the login server of MSG_GET_LOGIN_INFO_RES (XMMEP over TCP), any
//!   OnlineBuddy's address (XMMEP over UDP between peers), the file-transfer
//!   addresses (a TCP connection that carries the file);
//! - [`Announcer`]: finds them in a decoded message, by schema field, never
//!   by message name;
//! - (the file transfer a message belongs to, and so the file's name and
//!   size, is `crate::analysis`'s);
//! - the names and texts the plugin registers and shows for them.
//!
//! The Lua API of Wireshark 4.0 cannot create conversations: all of this is
//! plugin-only ([`PLUGIN_ONLY`]).

use crate::numhash::NumMap;

use crate::codec::{Decoded, Value};
use crate::presentation::ProtocolNames;
use crate::reports::fill;
use crate::schema::{FieldId, Node, Scalar, Schema};
use crate::table::{self, online_buddy, Field};

/// The transport of the announced traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Tcp,
    Udp,
}

/// What the announced traffic carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carries {
    /// XMMEP messages (the plugin's TCP or UDP dissector).
    Xmmep,
    /// The bytes of a file (the file data dissector): the specification
    /// does not define their format.
    FileData,
}

/// One kind of announcement: a pair of sibling fields (in a message or in a
/// struct) holding an address and a port.
#[derive(Debug, PartialEq, Eq)]
pub struct Announcement {
    pub ip: &'static Field,
    pub port: &'static Field,
    pub transport: Transport,
    pub carries: Carries,
    /// Only when the message's result (`result` RESULT_SUCCESS, or the
    /// Boolean `result` true) says yes, if the message has one.
    pub only_on_success: bool,
}

/// Every announcement of the table.
pub static ANNOUNCEMENTS: &[Announcement] = &[
    // 5.2.2: the login server; the client connects to it next.
    Announcement { ip: &table::SERVER_IP, port: &table::SERVER_PORT, transport: Transport::Tcp, carries: Carries::Xmmep, only_on_success: true },
    // 4.3 OnlineBuddy: where the buddy is reached peer to peer (keepalives, chat).
    Announcement { ip: &online_buddy::IP, port: &online_buddy::PORT, transport: Transport::Udp, carries: Carries::Xmmep, only_on_success: false },
    // 5.7.2 and 5.7.4: the two ends of a file transfer; the file goes over
    // a TCP connection to one of them.
    Announcement { ip: &table::SENDER_IP, port: &table::SENDER_PORT, transport: Transport::Tcp, carries: Carries::FileData, only_on_success: false },
    Announcement { ip: &table::RECEIVER_IP, port: &table::RECEIVER_PORT, transport: Transport::Tcp, carries: Carries::FileData, only_on_success: true },
];

/// An announcement found in a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub what: &'static Announcement,
    pub ip: [u8; 4],
    pub port: u16,
    /// Index in `Decoded::items` of the port item.
    pub item: usize,
}

/// Finds announcements in decoded messages of one schema.
pub struct Announcer {
    /// Generated address field of an announcing IP field -> announcement.
    ips: NumMap<FieldId, usize>,
    /// Announcing port field -> announcement.
    ports: NumMap<FieldId, usize>,
    result: Option<FieldId>,
    result_flag: Option<FieldId>,
    /// By message type: whether it has an announcing IP field (most
    /// messages have none, and need not be walked).
    announcing: Vec<bool>,
}

fn scalars<'a>(node: &'a Node, out: &mut Vec<&'a Scalar>) {
    match node {
        Node::Scalar(s) => out.push(s),
        Node::Struct(st) | Node::StructList { elem: st, .. } => out.extend(st.members.iter()),
        Node::StringList { elem, alt, .. } => {
            out.push(elem);
            if let Some(st) = alt {
                out.extend(st.members.iter());
            }
        }
        Node::Dict { key, value, .. } => {
            out.push(key);
            out.push(value);
        }
    }
}

impl Announcer {
    pub fn new(schema: &Schema) -> Announcer {
        let mut a = Announcer { ips: NumMap::default(), ports: NumMap::default(), result: None, result_flag: None, announcing: Vec::new() };
        for m in schema.messages() {
            let mut all = Vec::new();
            for n in &m.nodes {
                scalars(n, &mut all);
            }
            for s in all {
                for (i, an) in ANNOUNCEMENTS.iter().enumerate() {
                    if std::ptr::eq(s.field, an.ip) {
                        if let Some(addr) = s.addr_id {
                            a.ips.insert(addr, i);
                            let code = m.def.code as usize;
                            if a.announcing.len() <= code {
                                a.announcing.resize(code + 1, false);
                            }
                            a.announcing[code] = true;
                        }
                    }
                    if std::ptr::eq(s.field, an.port) {
                        a.ports.insert(s.id, i);
                    }
                }
                if std::ptr::eq(s.field, &table::RESULT) {
                    a.result = Some(s.id);
                }
                if std::ptr::eq(s.field, &table::RESULT_FLAG) {
                    a.result_flag = Some(s.id);
                }
            }
        }
        a
    }

    /// The standard schema's announcer, built once.
    pub fn standard() -> &'static Announcer {
        static A: std::sync::OnceLock<Announcer> = std::sync::OnceLock::new();
        A.get_or_init(|| Announcer::new(Schema::standard()))
    }

    /// Whether the message says yes: its top-level result is
    /// RESULT_SUCCESS or true; a message without a result says yes.
    fn succeeded(&self, d: &Decoded) -> bool {
        d.items.iter().filter(|it| it.depth == 0).all(|it| match it.value {
            Value::Uint(v) if Some(it.id) == self.result => v == 0,
            Value::Bool(b) if Some(it.id) == self.result_flag => b,
            Value::Invalid if Some(it.id) == self.result || Some(it.id) == self.result_flag => false,
            _ => true,
        })
    }

    /// Every announcement in `d`: an announcing IP that parses as an
    /// address, followed by its port (non-zero) in the same struct or
    /// message. 0.0.0.0 and port 0 announce nothing.
    pub fn find(&self, d: &Decoded) -> Vec<Found> {
        let mut out = Vec::new();
        let code = d.header.map_or(usize::MAX, |h| h.msg_type as usize);
        if !self.announcing.get(code).copied().unwrap_or(false) {
            return out;
        }
        // (announcement, depth of the IP field, address)
        let mut pending: Option<(usize, u8, [u8; 4])> = None;
        let mut ok = None;
        for (i, it) in d.items.iter().enumerate() {
            if pending.is_some_and(|(_, depth, _)| it.depth < depth) {
                pending = None;
            }
            match it.value {
                Value::Ipv4(ip) => {
                    if let Some(&a) = self.ips.get(&it.id) {
                        pending = Some((a, it.depth.saturating_sub(1), ip));
                    }
                }
                Value::Uint(port) => {
                    let Some(&a) = self.ports.get(&it.id) else { continue };
                    let Some((pa, depth, ip)) = pending else { continue };
                    pending = None;
                    if pa != a || depth != it.depth || port == 0 || port > u16::MAX as u64 || ip == [0; 4] {
                        continue;
                    }
                    let what = &ANNOUNCEMENTS[a];
                    if what.only_on_success && !*ok.get_or_insert_with(|| self.succeeded(d)) {
                        continue;
                    }
                    out.push(Found { what, ip, port: port as u16, item: i });
                }
                _ => {}
            }
        }
        out
    }
}

/// Filter names the plugin registers and the Lua script does not: those of
/// secondary conversations (the Lua API cannot follow them); a name here
/// covers the names below it (`xmmep.file_data` covers
/// `xmmep.file_data.file_name`).
pub const PLUGIN_ONLY: &[&str] = &["xmmep.setup_in", "xmmep.file_data"];

/// Whether `name` (a filter, field or expert name) is plugin-only.
pub fn is_plugin_only(name: &str) -> bool {
    PLUGIN_ONLY.iter().any(|p| name == *p || name.strip_prefix(p).is_some_and(|rest| rest.starts_with('.')))
}

/// A generated field: label, filter name, description.
pub struct FieldNames {
    pub label: &'static str,
    pub filter: &'static str,
    pub desc: &'static str,
}

/// On every XMMEP message of an announced conversation: the frame whose
/// message announced it (FT_FRAMENUM).
pub const SETUP_IN: FieldNames = FieldNames { label: "Announced in", filter: "xmmep.setup_in", desc: "The frame whose message announced this conversation's address and port" };

/// The file data protocol (its own protocol, like FTP-DATA beside FTP).
pub const FILE_DATA_PROTOCOL: ProtocolNames = ProtocolNames { name: "XMMEP File Data", short: "XMMEP-DATA", filter: "xmmep.file_data" };
/// The file data dissector's handle name.
pub const FILE_DATA_DISSECTOR: &str = "xmmep_file_data";

/// The file data fields, in registration order.
pub mod file_data {
    use super::FieldNames;
    pub const FILE_NAME: FieldNames = FieldNames { label: "File name", filter: "xmmep.file_data.file_name", desc: "Name of the file, from the offer that set up the connection" };
    pub const FILE_SIZE: FieldNames = FieldNames { label: "File size", filter: "xmmep.file_data.file_size", desc: "Size of the file in bytes, from the offer" };
    pub const SETUP_IN: FieldNames = FieldNames { label: "Set up in", filter: "xmmep.file_data.setup_in", desc: "The frame whose message announced this connection" };
    pub const BYTES_SEEN: FieldNames =
        FieldNames { label: "Bytes so far", filter: "xmmep.file_data.bytes_seen", desc: "File bytes seen on this connection up to and including this segment" };
    pub const DATA: FieldNames = FieldNames { label: "Data", filter: "xmmep.file_data.data", desc: "File content (its format is not defined by XMMEP)" };

    /// The expert note on a size mismatch.
    pub const SIZE_MISMATCH: &str = "xmmep.file_data.size_mismatch";
    pub const SIZE_MISMATCH_SEVERITY: crate::reports::Severity = crate::reports::Severity::Note;
    pub const SIZE_MISMATCH_GROUP: crate::reports::Group = crate::reports::Group::Sequence;
    pub const SIZE_MISMATCH_SUMMARY: &str = "The bytes of the file connection differ from the announced file size";
    /// Texts: bytes seen, announced size.
    pub const MORE_THAN_ANNOUNCED: &str = "{} bytes of file data, more than the announced file size of {} bytes";
    pub const FEWER_THAN_ANNOUNCED: &str = "The connection ended after {} bytes of file data, fewer than the announced file size of {} bytes";

    /// The protocol item: file name, size, setup frame.
    pub const LABEL: &str = ", {} ({} bytes), set up in frame {}";
    /// Without a known file (an announced address whose offer is not in the
    /// capture): the setup frame.
    pub const LABEL_UNKNOWN: &str = ", unknown file, set up in frame {}";
    /// Info column: file name, bytes in this segment.
    pub const INFO: &str = "File data: {}, {} bytes";
    pub const UNKNOWN_FILE: &str = "unknown file";

    /// File > Export Objects: the content type of a file whose bytes all
    /// arrived (or whose size is unknown), and of one that falls short of
    /// its announced size, whose name then ends with the suffix (as a
    /// browser names a download that did not finish).
    pub const EXPORT_TYPE: &str = "XMMEP file";
    pub const EXPORT_TYPE_INCOMPLETE: &str = "XMMEP file, incomplete";
    pub const EXPORT_INCOMPLETE_SUFFIX: &str = ".part";
}

/// The size note's text, if `seen` bytes of a file announced as `size`
/// bytes differ; `ended`: the connection is over (so fewer is final).
pub fn size_note(seen: u64, size: i64, ended: bool) -> Option<String> {
    let size_u = u64::try_from(size).ok()?;
    if seen > size_u {
        Some(fill(file_data::MORE_THAN_ANNOUNCED, &[&seen, &size]))
    } else if ended && seen < size_u {
        Some(fill(file_data::FEWER_THAN_ANNOUNCED, &[&seen, &size]))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{encode_checked, Decoder, EncValue, Options};

    fn decode(name: &str, values: Vec<EncValue>) -> (Vec<u8>, Decoded) {
        let def = table::MESSAGES.iter().find(|m| m.name == name).unwrap();
        let bytes = encode_checked(def, &values).unwrap();
        let d = Decoder::new(Schema::standard(), Options::default()).decode(&bytes);
        (bytes, d)
    }

    fn t(s: &str) -> EncValue {
        EncValue::Text(s.as_bytes().to_vec())
    }

    #[test]
    fn login_server_only_on_success() {
        let (_, d) = decode("MSG_GET_LOGIN_INFO_RES", vec![EncValue::Int(0), t("203.0.113.10"), EncValue::Int(6620)]);
        let f = Announcer::standard().find(&d);
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].ip, f[0].port, f[0].what.transport, f[0].what.carries), ([203, 0, 113, 10], 6620, Transport::Tcp, Carries::Xmmep));
        let (_, d) = decode("MSG_GET_LOGIN_INFO_RES", vec![EncValue::Int(8)]);
        assert!(Announcer::standard().find(&d).is_empty());
    }

    fn online(ip: &str, port: i64) -> EncValue {
        EncValue::Struct(vec![t("bob"), t("Work"), t("Bob"), t(""), t(""), t(ip), EncValue::Int(port), EncValue::Int(0)])
    }

    #[test]
    fn every_online_buddy_with_an_address() {
        let list = EncValue::List(vec![online("198.51.100.1", 6650), online("not an ip", 6650), online("198.51.100.3", 0), online("198.51.100.4", 7000)]);
        let (_, d) = decode("MSG_LOGIN_RES6", vec![EncValue::Int(1), EncValue::Int(4), list]);
        let f: Vec<_> = Announcer::standard().find(&d).iter().map(|f| (f.ip, f.port, f.what.transport)).collect();
        assert_eq!(f, vec![([198, 51, 100, 1], 6650, Transport::Udp), ([198, 51, 100, 4], 7000, Transport::Udp)]);
        let (_, d) = decode("MSG_BUDDY_LOGIN_NOTIFY", vec![t("alice"), online("198.51.100.9", 6650)]);
        assert_eq!(Announcer::standard().find(&d).len(), 1);
    }

    #[test]
    fn file_transfer_addresses() {
        let (_, d) = decode(
            "MSG_SEND_FILE_REQ_FWD",
            vec![t("alice"), t("bob"), t("a.pdf"), EncValue::Int(1234), EncValue::Int(7), EncValue::Bool(false), t("198.51.100.23"), EncValue::Int(6660)],
        );
        let f = Announcer::standard().find(&d);
        assert_eq!((f.len(), f[0].what.carries, f[0].port), (1, Carries::FileData, 6660));
        let res = |ok: bool, port: i64| decode("MSG_SEND_FILE_RES_FWD", vec![t("alice"), t("bob"), EncValue::Int(7), EncValue::Bool(ok), t("198.51.100.47"), EncValue::Int(port)]);
        let (_, d) = res(true, 50123);
        assert_eq!(Announcer::standard().find(&d).len(), 1);
        assert!(Announcer::standard().find(&res(false, 50123).1).is_empty());
        assert!(Announcer::standard().find(&res(true, 0).1).is_empty());
    }

    #[test]
    fn size_notes() {
        assert_eq!(size_note(10, 10, true), None);
        assert_eq!(size_note(5, 10, false), None);
        assert!(size_note(5, 10, true).unwrap().contains("fewer"));
        assert!(size_note(11, 10, false).unwrap().contains("more"));
        assert!(is_plugin_only("xmmep.file_data.file_name") && is_plugin_only("xmmep.setup_in") && !is_plugin_only("xmmep.file_datax"));
    }
}
