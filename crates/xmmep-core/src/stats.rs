//! What the statistics tree and the credentials tap take from one decoded
//! message, by rules on the table (no message or field is named here
//! except through the table's statics):
//!
//! - its type, from the header, and so its section of the specification;
//! - its result: a top-level field of enum `RESULT_CODE`, or the Boolean
//!   result flag (`table::RESULT_FLAG`);
//! - a presence change: a top-level field of enum `PRESENCE` in a message a
//!   client sends (MSG_LOGIN_REQ's login status, MSG_STATUS_CHANGED_NOTIFY's
//!   status; the server's forwards repeat a change and are not counted). In
//!   a request (MSG_LOGIN_REQ) it takes effect only if the server accepts
//!   the request (`awaits_answer`): the plugin counts it at the answer whose
//!   result is RESULT_SUCCESS, never for a refused login;
//! - its problems: the report classes the decoder reported;
//! - a credential: the user name and the clear-text password of a message
//!   a client sends (MSG_REGISTER_REQ, MSG_LOGIN_REQ, and
//!   MSG_USER_INFO_UPDATED_NOTIFY, which carries a new password).
//!
//! The texts the tree shows are `presentation::stats`'s.

use crate::codec::{Decoded, Item, Value};
use crate::schema::{CompiledMessage, FieldId, Node, Schema};
use crate::table::{self, Direction, EnumDef, Field, Role};

/// What one message contributes to the statistics and the credentials tap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MessageFacts {
    /// Message type from the header; None when the header does not parse.
    pub msg_type: Option<u32>,
    /// The result code, when the message carries one.
    pub result: Option<u64>,
    /// The Boolean result, when the message carries one.
    pub result_flag: Option<bool>,
    /// The presence a client sets (a `PRESENCE` value).
    pub presence: Option<u64>,
    /// The message is a request: its presence takes effect only if the
    /// answer's result is [`RESULT_SUCCESS`].
    pub awaits_answer: bool,
    /// One bit per report class the decoder reported in the message (bit
    /// `ReportKind::index()`); the decoder reports a class once per message.
    pub problems: u32,
    /// The user name and password a client sends in clear text.
    pub credential: Option<Credential>,
}

/// Where the user name and the password lie in the message: (offset from
/// the message's first byte, length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credential {
    pub user: (u32, u32),
    pub password: (u32, u32),
}

// Every report class has a bit.
const _: () = assert!((crate::reports::ReportKind::CharsetHint as usize) < 32);

/// Which top-level fields of a message the statistics read, by the rules
/// above: each a field of the compiled message, None when it has none.
/// The plugin reads a decode through it ([`MessageFacts::of`]); the
/// generator writes it into the Lua script's DATA, whose statistics window
/// reads the same fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Layout {
    /// A top-level field of enum `RESULT_CODE`.
    pub result: Option<FieldId>,
    /// The Boolean result flag (`table::RESULT_FLAG`).
    pub result_flag: Option<FieldId>,
    /// A top-level field of enum `PRESENCE`, in a message a client sends.
    pub presence: Option<FieldId>,
    /// The message is a request: its presence takes effect only if the
    /// answer's result is [`RESULT_SUCCESS`].
    pub awaits_answer: bool,
}

/// The layout of message `msg`.
pub fn layout(msg: &CompiledMessage) -> Layout {
    // The first top-level scalar whose field `pred` accepts.
    let top = |pred: &dyn Fn(&'static Field) -> bool| {
        msg.nodes.iter().find_map(|n| match n {
            Node::Scalar(s) if pred(s.field) => Some(s.id),
            _ => None,
        })
    };
    let of_enum = |e: &'static EnumDef| move |f: &'static Field| matches!(f.ty, table::FieldType::Enum(d) if std::ptr::eq(d, e));
    let from_client = msg.def.directions.contains(&Direction::ClientToServer);
    Layout {
        result: top(&of_enum(&table::RESULT_CODE)),
        result_flag: top(&|f| std::ptr::eq(f, &table::RESULT_FLAG)),
        presence: if from_client { top(&of_enum(&table::PRESENCE)) } else { None },
        awaits_answer: table::EXCHANGES.iter().any(|e| e.request == msg.def.code),
    }
}

impl MessageFacts {
    /// The facts of `decoded`, a message decoded with `schema`.
    pub fn of(schema: &Schema, decoded: &Decoded) -> MessageFacts {
        let mut facts = MessageFacts { msg_type: decoded.header.map(|h| h.msg_type), ..Default::default() };
        for r in &decoded.reports {
            facts.problems |= 1 << r.kind.index();
        }
        let Some(msg) = decoded.header.and_then(|h| schema.message(h.msg_type)) else { return facts };
        let l = layout(msg);
        facts.awaits_answer = l.awaits_answer;
        // The item of a top-level field.
        let item = |id: Option<FieldId>| -> Option<&Item> {
            let id = id?;
            decoded.items.iter().find(|it| it.depth == 0 && it.id == id)
        };
        let uint = |it: Option<&Item>| match it?.value {
            Value::Uint(v) => Some(v),
            _ => None,
        };
        facts.result = uint(item(l.result));
        facts.result_flag = match item(l.result_flag).map(|it| it.value) {
            Some(Value::Bool(b)) => Some(b),
            _ => None,
        };
        facts.presence = uint(item(l.presence));
        if msg.def.directions.contains(&Direction::ClientToServer) {
            let top = |pred: &dyn Fn(&'static Field) -> bool| {
                item(msg.nodes.iter().find_map(|n| match n {
                    Node::Scalar(s) if pred(s.field) => Some(s.id),
                    _ => None,
                }))
            };
            let text = |it: Option<&Item>| it.filter(|it| it.value == Value::Text).map(|it| (it.offset, it.len));
            let user = text(top(&|f| std::ptr::eq(f, &table::USER_NAME)));
            let password = text(top(&|f| f.role == Role::Password));
            if let (Some(user), Some(password)) = (user, password) {
                facts.credential = Some(Credential { user, password });
            }
        }
        facts
    }
}

/// The names of the statistics tree's nodes (the texts of
/// `presentation::stats`), for the plugin's tree and the Lua script's
/// window alike.
pub mod names {
    use crate::presentation::{info, stats as texts};
    use crate::reports::fill;
    use crate::table::{self, MessageDef};

    /// A message type's leaf, under its section and under the response
    /// times: "112 MSG_LOGIN_REQ", or the text of a type with no definition.
    pub fn message(code: u32, def: Option<&MessageDef>) -> String {
        def.map_or_else(|| fill(info::UNKNOWN_TYPE, &[&code]), |d| fill(texts::MESSAGE_TYPE, &[&code, &d.name]))
    }

    /// The section a message type is counted under: "5.2 Login", or
    /// `OTHER` for a type with no definition or no section title.
    pub fn section(def: Option<&MessageDef>) -> String {
        def.and_then(|d| texts::section_name(d.section)).unwrap_or_else(|| texts::OTHER.to_string())
    }

    /// A result code's leaf: its name, or "Result 42".
    pub fn result(code: u64) -> String {
        i64::try_from(code).ok().and_then(|c| table::RESULT_CODE.lookup(c)).map_or_else(|| fill(texts::UNKNOWN_RESULT, &[&code]), |e| e.name.to_string())
    }

    /// A Boolean result's leaf: "Result: True" (the field's label, its text).
    pub fn result_flag(b: bool) -> String {
        let flag = &table::RESULT_FLAG;
        let text = match (flag.bool_names, b) {
            (Some((t, _)), true) => t,
            (Some((_, f)), false) => f,
            (None, true) => "True",
            (None, false) => "False",
        };
        fill(texts::RESULT_FLAG, &[&flag.label, &text])
    }

    /// A presence's leaf: its name, or "Status 9".
    pub fn status(code: u64) -> String {
        i64::try_from(code).ok().and_then(|c| table::PRESENCE.lookup(c)).map_or_else(|| fill(texts::UNKNOWN_STATUS, &[&code]), |e| e.name.to_string())
    }
}

/// The result code of an accepted request (`RESULT_CODE`'s RESULT_SUCCESS).
pub const RESULT_SUCCESS: u64 = 0;

/// The field of the clear-text password (`xmmep.password`), whose item a
/// credential points to.
pub fn password_field(schema: &Schema) -> Option<crate::schema::FieldId> {
    schema.messages().iter().flat_map(|m| &m.nodes).find_map(|n| match n {
        Node::Scalar(s) if s.field.role == Role::Password => Some(s.id),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{encode_checked, encode_raw, Charset, Decoder, EncValue, Options};
    use crate::reports::ReportKind;

    fn facts(code: u16, values: &[EncValue]) -> (Vec<u8>, MessageFacts) {
        let bytes = encode_checked(table::definition(code).unwrap(), values).unwrap();
        let schema = Schema::standard();
        let decoded = Decoder::new(schema, Options { charset: Charset::Utf8 }).decode(&bytes);
        (bytes.clone(), MessageFacts::of(schema, &decoded))
    }

    fn text(s: &str) -> EncValue {
        EncValue::Text(s.as_bytes().to_vec())
    }

    fn at(bytes: &[u8], (o, l): (u32, u32)) -> &str {
        std::str::from_utf8(&bytes[o as usize..(o + l) as usize]).unwrap()
    }

    #[test]
    fn login_request_is_a_credential_and_a_presence_change() {
        let (bytes, f) = facts(112, &[text("alice"), text("secret123"), EncValue::Int(2)]);
        assert_eq!(f.msg_type, Some(112));
        assert_eq!(f.presence, Some(2));
        assert!(f.awaits_answer);
        assert_eq!(f.result, None);
        let c = f.credential.unwrap();
        assert_eq!((at(&bytes, c.user), at(&bytes, c.password)), ("alice", "secret123"));
        assert_eq!(f.problems, 1 << ReportKind::CleartextPassword.index());
    }

    #[test]
    fn result_success_is_the_tables() {
        assert_eq!(table::RESULT_CODE.lookup(RESULT_SUCCESS as i64).unwrap().name, "RESULT_SUCCESS");
    }

    #[test]
    fn the_password_field() {
        let schema = Schema::standard();
        assert_eq!(schema.field(password_field(schema).unwrap()).filter_name(), Some("xmmep.password"));
    }

    #[test]
    fn results_and_flags() {
        assert_eq!(facts(101, &[EncValue::Int(9)]).1.result, Some(9));
        let (_, f) = facts(183, &[text("alice"), text("bob"), EncValue::Int(7), EncValue::Bool(false), text("10.0.0.2"), EncValue::Int(5000)]);
        assert_eq!((f.result, f.result_flag), (None, Some(false)));
    }

    #[test]
    fn only_a_client_changes_presence() {
        assert_eq!(facts(135, &[text("alice"), EncValue::Int(1)]).1.presence, Some(1));
        assert!(!facts(135, &[text("alice"), EncValue::Int(1)]).1.awaits_answer);
        assert_eq!(facts(136, &[text("bob"), text("alice"), EncValue::Int(1)]).1.presence, None);
    }

    #[test]
    fn layouts_come_from_the_enums_and_directions() {
        let schema = Schema::standard();
        let key = |code: u32, id: Option<FieldId>| id.map(|id| schema.field(id).filter_name().unwrap_or_default().to_string()).unwrap_or_else(|| format!("none in {code}"));
        let l = layout(schema.message(112).unwrap());
        assert_eq!((key(112, l.presence), l.awaits_answer, l.result), ("xmmep.login_status".to_string(), true, None));
        let l = layout(schema.message(113).unwrap());
        assert_eq!((key(113, l.result), l.presence, l.awaits_answer), ("xmmep.result".to_string(), None, false));
        assert_eq!(key(183, layout(schema.message(183).unwrap()).result_flag), "xmmep.result_flag");
        // A server's forward repeats a change: no presence.
        assert_eq!(layout(schema.message(136).unwrap()).presence, None);
        assert!(layout(schema.message(135).unwrap()).presence.is_some());
    }

    #[test]
    fn undefined_and_malformed_messages() {
        let schema = Schema::standard();
        let dec = Decoder::new(schema, Options { charset: Charset::Utf8 });
        let f = MessageFacts::of(schema, &dec.decode(&encode_raw(999, b"x")));
        assert_eq!(f.msg_type, Some(999));
        assert_ne!(f.problems & (1 << ReportKind::UnknownType.index()), 0);
        let f = MessageFacts::of(schema, &dec.decode(b"xxxxxxxxxx"));
        assert_eq!(f.msg_type, None);
        assert_ne!(f.problems & (1 << ReportKind::BadHeader.index()), 0);
    }
}
