//! The message table holds exactly the specification's 43 messages, with
//! their codes, names and field counts (sections 4.2 and 5).

use xmmep_core::table::{self, FieldType, Role, Tail};

/// (code, name, number of fields) as sections 4.2 and 5 give them.
const SPEC: &[(u16, &str, usize)] = &[
    (100, "MSG_REGISTER_REQ", 8),
    (101, "MSG_REGISTER_RES", 1),
    (102, "MSG_REGISTER_ACTIVATE_REQ", 2),
    (103, "MSG_REGISTER_ACTIVATE_RES", 1),
    (104, "MSG_USER_REGISTERED_NOTIFY", 8),
    (108, "MSG_USER_INFO_UPDATED_NOTIFY", 3),
    (110, "MSG_GET_LOGIN_INFO_REQ", 1),
    (111, "MSG_GET_LOGIN_INFO_RES", 3),
    (112, "MSG_LOGIN_REQ", 3),
    (113, "MSG_LOGIN_RES1", 2),
    (114, "MSG_LOGIN_RES2", 3),
    (115, "MSG_LOGIN_RES3", 3),
    (116, "MSG_LOGIN_RES4", 3),
    (117, "MSG_LOGIN_RES5", 3),
    (118, "MSG_LOGIN_RES6", 3),
    (127, "MSG_LOGIN_RES_END", 0),
    (128, "MSG_CLIENT_READY", 1),
    (130, "MSG_BUDDY_LOGIN_NOTIFY", 2),
    (131, "MSG_BUDDY_LOGIN_NOTIFY_FWD", 2),
    (133, "MSG_SESSION_REPORT", 1),
    (135, "MSG_STATUS_CHANGED_NOTIFY", 2),
    (136, "MSG_STATUS_CHANGED_NOTIFY_FWD", 3),
    (140, "MSG_GROUP_ADDED_NOTIFY", 2),
    (141, "MSG_GROUP_REMOVED_NOTIFY", 2),
    (142, "MSG_GROUP_RENAME_NOTIFY", 3),
    (150, "MSG_ADD_BUDDY_REQ", 3),
    (151, "MSG_ADD_BUDDY_RES", 4),
    (152, "MSG_BUDDIED_NOTIFY", 2),
    (153, "MSG_BUDDIED_NOTIFY_RES", 3),
    (154, "MSG_BUDDY_REMOVED_NOTIFY", 4),
    (155, "MSG_BUDDY_MODIFIED_NOTIFY", 5),
    (156, "MSG_BUDDY_BLOCKED_NOTIFY", 2),
    (157, "MSG_BUDDY_UNBLOCKED_NOTIFY", 3),
    (170, "MSG_TXT_MSG", 5),
    (180, "MSG_SEND_FILE_REQ", 6),
    (181, "MSG_SEND_FILE_REQ_FWD", 8),
    (182, "MSG_SEND_FILE_RES", 4),
    (183, "MSG_SEND_FILE_RES_FWD", 6),
    (190, "MSG_GET_BUDDY_INFO_REQ", 2),
    (191, "MSG_GET_BUDDY_INFO_RES", 3),
    (195, "MSG_FIND_BUDDIES_REQ", 3),
    (196, "MSG_FIND_BUDDIES_RES", 3),
    (200, "MSG_KEEP_ALIVE", 1),
];

#[test]
fn exactly_the_43_messages() {
    assert_eq!(SPEC.len(), 43);
    assert_eq!(table::MESSAGES.len(), 43);
    for (def, &(code, name, n)) in table::MESSAGES.iter().zip(SPEC) {
        assert_eq!((def.code, def.name, def.fields.len()), (code, name, n));
        assert!(!def.directions.is_empty(), "{name} has no direction");
        assert_eq!(table::definition(code).map(|m| m.name), Some(name));
    }
    assert!(table::definition(160).is_none(), "160 (chat room management) has no definition");
}

#[test]
fn structs_and_enums() {
    let members: Vec<_> = table::STRUCTS.iter().map(|s| (s.name, s.members.len())).collect();
    assert_eq!(members, [("UserInfo", 9), ("Buddy", 3), ("OnlineBuddy", 8), ("Chatroom", 3)]);
    assert_eq!(table::RESULT_CODE.values.len(), 17);
    for (i, v) in table::RESULT_CODE.values.iter().enumerate() {
        assert_eq!(v.value, i as i64);
    }
    assert_eq!(table::RESULT_CODE.values[16].name, "RESULT_DUPLICATE_SESSION");
    let presence: Vec<_> = table::PRESENCE.values.iter().map(|v| (v.value, v.name)).collect();
    assert_eq!(presence, [(0, "STATUS_AVAILABLE"), (1, "STATUS_BUSY"), (2, "STATUS_AWAY"), (3, "STATUS_OFFLINE")]);
    let cond: Vec<_> = table::SEARCH_CONDITION.values.iter().map(|v| v.value).collect();
    assert_eq!(cond, [1, 2, 4, 8]);
}

#[test]
fn rules_from_the_specification() {
    let m = |c| table::definition(c).unwrap();
    assert_eq!(m(111).tail, Tail::OnlyOnSuccess { from: 1 });
    assert_eq!(m(100).fields[0].chars, Some((3, 16)));
    assert_eq!(m(100).fields[1].chars, Some((8, 12)));
    assert_eq!(m(102).fields[1].chars, Some((8, 8)));
    for code in [100, 104, 108, 112] {
        assert!(m(code).fields.iter().any(|f| f.role == Role::Password), "{code} carries a password");
    }
    assert_eq!(m(195).fields[2].abbrev, "conditions");
    assert_eq!(m(115).fields[2].abbrev, "buddy_list");
    assert_eq!(m(170).fields[2].role, Role::Time);
    assert_eq!(m(181).fields[7].role, Role::Port);
    assert!(matches!(m(117).fields[2].ty, FieldType::ListOfString { alt: Some(s) } if s.name == "Chatroom"));
    // Every count field names a list of its own message.
    for def in table::MESSAGES {
        for f in def.fields {
            if let Role::Count { of } = f.role {
                assert!(def.fields.iter().any(|t| t.abbrev == of), "{}: {of}", def.name);
            }
        }
    }
}
