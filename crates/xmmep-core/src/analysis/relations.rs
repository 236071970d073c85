//! The table's relations between messages (`table::EXCHANGES`, `FORWARDS`,
//! `FILE_TRANSFER`, `LOGIN`, `CHATS`) and its user-name fields, compiled against the
//! schema once: per message code its roles, per field id whether it names a
//! user. The tracker and the Lua generator read this, never the names.

use std::sync::OnceLock;

use crate::presentation::PROTOCOL;
use crate::schema::{FieldId, Node, Scalar, Schema, StructNode};
use crate::table::{self, Role};

/// What a message type is in the relations; all None for most.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles {
    /// Index into `table::EXCHANGES` of the exchange it requests.
    pub request: Option<usize>,
    /// ... whose answer (or part of the answer) it is.
    pub response: Option<usize>,
    /// ... whose multi-part answer it ends.
    pub end: Option<usize>,
    /// Index into `table::FORWARDS` of the relation it is the original of.
    pub original: Option<usize>,
    /// ... the forward of.
    pub forward: Option<usize>,
    /// Its stage (0 offered .. 3 answer forwarded) in `table::FILE_TRANSFER`.
    pub transfer_stage: Option<usize>,
    /// Index into `table::CHATS`: the message belongs to a chat.
    pub chat: Option<usize>,
}

/// Where one side of a chat message's chat is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyId {
    Field(FieldId),
    SessionUser,
}

/// Whether a field's values are user names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    No,
    Yes,
    /// A user, unless this Boolean field of the message is true (a room).
    UnlessRoom(FieldId),
}

pub struct Relations {
    roles: Vec<Roles>,
    /// By field id.
    pub users: Vec<UserField>,
    /// Key fields of each `table::FORWARDS` entry, in its order.
    pub forward_keys: Vec<Vec<FieldId>>,
    pub transfer_keys: Vec<FieldId>,
    /// The two sides of each `table::CHATS` entry, in its order.
    pub chat_parties: Vec<[PartyId; 2]>,
    pub file_name: FieldId,
    pub file_size: FieldId,
    pub accepted: FieldId,
    pub seq_num: FieldId,
    pub login_user: FieldId,
    pub login_result: FieldId,
}

/// The field id of a filter name below `xmmep.`.
fn id(schema: &Schema, abbrev: &str) -> Option<FieldId> {
    schema.field_by_key(&format!("{}.{abbrev}", PROTOCOL.filter))
}

impl Relations {
    /// The relations over `schema`; the standard schema has every field the
    /// relations name (a unit test checks).
    pub fn new(schema: &Schema) -> Relations {
        Relations::try_new(schema).expect("the table's relations name only fields of the schema")
    }

    /// The relations, or None when `schema` lacks a field they name (an
    /// ad-hoc schema of the tests).
    pub fn try_new(schema: &Schema) -> Option<Relations> {
        let mut roles = vec![Roles::default(); table::MAX_MSG_TYPE as usize + 1];
        for (i, e) in table::EXCHANGES.iter().enumerate() {
            roles[e.request as usize].request = Some(i);
            for &r in e.responses {
                roles[r as usize].response = Some(i);
            }
            if let Some(end) = e.end {
                roles[end as usize].end = Some(i);
            }
        }
        for (i, f) in table::FORWARDS.iter().enumerate() {
            roles[f.original as usize].original = Some(i);
            roles[f.forward as usize].forward = Some(i);
        }
        for (stage, &code) in table::FILE_TRANSFER.stages.iter().enumerate() {
            roles[code as usize].transfer_stage = Some(stage);
        }
        for (i, c) in table::CHATS.iter().enumerate() {
            roles[c.code as usize].chat = Some(i);
        }
        let mut users = vec![UserField::No; schema.fields.len()];
        let mut missing = false;
        let mut mark = |s: &Scalar| match s.field.role {
            Role::User => users[s.id as usize] = UserField::Yes,
            Role::Recipient { room_flag } => match id(schema, room_flag) {
                Some(flag) => users[s.id as usize] = UserField::UnlessRoom(flag),
                None => missing = true,
            },
            _ => {}
        };
        fn members(s: &StructNode, mark: &mut dyn FnMut(&Scalar)) {
            s.members.iter().for_each(mark);
        }
        for m in schema.messages() {
            for node in &m.nodes {
                match node {
                    Node::Scalar(s) => mark(s),
                    Node::Struct(s) | Node::StructList { elem: s, .. } => members(s, &mut mark),
                    Node::StringList { elem, alt, .. } => {
                        mark(elem);
                        if let Some(s) = alt {
                            members(s, &mut mark);
                        }
                    }
                    Node::Dict { key, value, .. } => {
                        mark(key);
                        mark(value);
                    }
                }
            }
        }
        if missing {
            return None;
        }
        let t = &table::FILE_TRANSFER;
        Some(Relations {
            roles,
            users,
            forward_keys: table::FORWARDS.iter().map(|f| f.keys.iter().map(|k| id(schema, k)).collect()).collect::<Option<_>>()?,
            transfer_keys: t.keys.iter().map(|k| id(schema, k)).collect::<Option<_>>()?,
            chat_parties: table::CHATS
                .iter()
                .map(|c| {
                    let side = |p: table::Party| match p {
                        table::Party::Field(k) => id(schema, k).map(PartyId::Field),
                        table::Party::SessionUser => Some(PartyId::SessionUser),
                    };
                    Some([side(c.parties[0])?, side(c.parties[1])?])
                })
                .collect::<Option<_>>()?,
            file_name: id(schema, t.file_name)?,
            file_size: id(schema, t.file_size)?,
            accepted: id(schema, t.result)?,
            seq_num: id(schema, "seq_num")?,
            login_user: id(schema, table::LOGIN.user)?,
            login_result: id(schema, table::LOGIN.result)?,
        })
    }

    /// The relations of the standard schema, compiled once.
    pub fn standard() -> &'static Relations {
        static R: OnceLock<Relations> = OnceLock::new();
        R.get_or_init(|| Relations::new(Schema::standard()))
    }

    /// The roles of a message type (all None outside the defined range).
    pub fn roles(&self, code: u16) -> Roles {
        self.roles.get(code as usize).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_name_existing_messages_and_fields() {
        let r = Relations::standard();
        for e in table::EXCHANGES {
            assert!(table::definition(e.request).is_some());
            for &c in e.responses.iter().chain(e.end.iter()) {
                assert!(table::definition(c).is_some(), "{c}");
            }
        }
        for f in table::FORWARDS {
            assert!(table::definition(f.original).is_some() && table::definition(f.forward).is_some());
        }
        assert_eq!(r.roles(112).request, Some(3));
        assert_eq!(r.roles(127).end, Some(3));
        assert_eq!(r.roles(136).forward, Some(0));
        assert_eq!(r.roles(183).transfer_stage, Some(3));
        assert_eq!(r.roles(9999), Roles::default());
        for c in table::CHATS {
            assert!(table::definition(c.code).is_some());
        }
        assert_eq!(r.roles(170).chat, Some(7));
        assert_eq!(r.roles(170).original, r.roles(170).forward);
        assert_eq!(r.chat_parties[2][0], PartyId::SessionUser);
    }

    #[test]
    fn user_fields_include_members_and_list_elements() {
        let s = Schema::standard();
        let r = Relations::standard();
        let user = |k: &str| r.users[s.field_by_key(k).unwrap() as usize];
        assert_eq!(user("xmmep.user_name"), UserField::Yes);
        assert_eq!(user("xmmep.online_buddy.buddy_name"), UserField::Yes);
        assert_eq!(user("xmmep.observers"), UserField::Yes);
        assert_eq!(user("xmmep.chatroom.creator"), UserField::Yes);
        assert!(matches!(user("xmmep.receiver"), UserField::UnlessRoom(_)));
        assert_eq!(user("xmmep.nickname"), UserField::No);
    }
}
