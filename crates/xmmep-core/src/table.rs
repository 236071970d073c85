//! The XMMEP 2.0 message table: the single source of truth for the protocol.
//!
//! Everything that sections 4 to 6 of `xmmep-2.0.txt` define lives here as
//! data: messages, structs, enums, result codes and fields with the rules a
//! decoder can check (docs/decisions.md). The codec, the epan plugin and the Lua
//! generator all walk these statics; none of them names a message or field.
//!
//! A field that appears in several messages is defined once as a `static` and
//! referenced from each message, because its filter name is global
//! (`xmmep.<abbrev>`) and must mean the same thing everywhere.

/// One value of an enumeration (also used for result codes and gender).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumValue {
    pub value: i64,
    /// The specification's name, e.g. `STATUS_AVAILABLE`.
    pub name: &'static str,
    /// Short English meaning.
    pub desc: &'static str,
}

#[derive(Debug, PartialEq, Eq)]
pub struct EnumDef {
    /// Type name as the specification writes it (`Presence`).
    pub name: &'static str,
    /// The primitive the enum is encoded as (the specification says Byte).
    pub repr: Prim,
    pub values: &'static [EnumValue],
}

impl EnumDef {
    pub fn lookup(&self, v: i64) -> Option<&'static EnumValue> {
        self.values.iter().find(|e| e.value == v)
    }
}

/// Primitive wire types. Everything is ASCII text on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prim {
    String,
    Byte,
    Character,
    Boolean,
    Short,
    Integer,
    Long,
}

impl Prim {
    /// The range a decimal value must fall in, for the integer types.
    pub fn range(self) -> Option<(i64, i64)> {
        match self {
            Prim::Byte => Some((0, 255)),
            Prim::Character => Some((-128, 127)),
            Prim::Short => Some((-32768, 32767)),
            Prim::Integer => Some((i32::MIN as i64, i32::MAX as i64)),
            Prim::Long => Some((i64::MIN, i64::MAX)),
            Prim::String | Prim::Boolean => None,
        }
    }
    pub fn spec_name(self) -> &'static str {
        match self {
            Prim::String => "String",
            Prim::Byte => "Byte",
            Prim::Character => "Character",
            Prim::Boolean => "Boolean",
            Prim::Short => "Short",
            Prim::Integer => "Integer",
            Prim::Long => "Long",
        }
    }
}

/// A field's type as the specification declares it.
#[derive(Debug, PartialEq, Eq)]
pub enum FieldType {
    Prim(Prim),
    Enum(&'static EnumDef),
    Struct(&'static StructDef),
    /// List<String>; `alt` is the struct an element decodes as when it holds
    /// STX (docs/decisions.md 20: MSG_LOGIN_RES5 room_list may carry Chatrooms).
    ListOfString {
        alt: Option<&'static StructDef>,
    },
    ListOfStruct(&'static StructDef),
    /// Dictionary<key, value>; key and value are fields of their own so that
    /// they get filter names (`xmmep.<dict>.key`, `xmmep.<dict>.value`).
    Dictionary {
        key: &'static Field,
        value: &'static Field,
    },
}

impl FieldType {
    /// The specification's spelling of the type, for documentation.
    pub fn spec_name(&self) -> String {
        match self {
            FieldType::Prim(p) => p.spec_name().to_string(),
            FieldType::Enum(e) => format!("Enum {}", e.name),
            FieldType::Struct(s) => format!("Struct {}", s.name),
            FieldType::ListOfString { .. } => "List<String>".to_string(),
            FieldType::ListOfStruct(s) => format!("List<Struct {}>", s.name),
            FieldType::Dictionary { key, value } => {
                format!("Dictionary<{}, {}>", key.ty.spec_name(), value.ty.spec_name())
            }
        }
    }
}

/// What the specification says a field means beyond its type, where a decoder
/// can check or display something (docs/decisions.md 13, 15, 18, 19, 21).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Plain,
    /// Seconds since 1970-01-01 UTC, shown as an absolute time.
    Time,
    /// A day given as seconds since 1970-01-01 UTC: filtered as an absolute
    /// time, labelled with the date alone (docs/decisions.md 62).
    Date,
    /// Typed Short but read as unsigned 0..65535.
    Port,
    /// Dotted IPv4 text; also shown as an address when it parses.
    Ip,
    /// Password in clear text: flagged for the analyst.
    Password,
    /// Counts the elements of the named field of the same message.
    Count {
        of: &'static str,
    },
    /// A user name: `xmmep.user` repeats it, wherever it is (docs/decisions.md 38).
    User,
    /// A user name, or a chat room's name when the message's Boolean field
    /// `room_flag` is true.
    Recipient {
        room_flag: &'static str,
    },
}

#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    /// Name as the specification writes it (`buddy list`, `conitions`).
    pub spec_name: &'static str,
    /// Filter name below `xmmep.` (docs/decisions.md 22), typos fixed.
    pub abbrev: &'static str,
    pub ty: FieldType,
    /// Short English label shown in the tree.
    pub label: &'static str,
    /// One-line English description (field table of docs/reference.md, hf blurb).
    pub desc: &'static str,
    pub role: Role,
    /// Length rule in characters (min, max), docs/decisions.md 18.
    pub chars: Option<(u16, u16)>,
    /// Tag shown in the Info column (`user=alice`), if the field is a key field.
    pub info: Option<&'static str>,
    /// Texts for a Boolean's true and false values, if not "True"/"False".
    pub bool_names: Option<(&'static str, &'static str)>,
    /// The unit after a number's value in its label (`BYTES`).
    pub unit: Option<&'static Unit>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct StructDef {
    /// Type name as written in the specification (`UserInfo`).
    pub name: &'static str,
    /// Lower snake case name, the filter prefix of its members.
    pub abbrev: &'static str,
    /// How the tree labels a value of this struct (`Chat room`): the one
    /// spelling, also used by fields whose elements are such values.
    pub label: &'static str,
    pub desc: &'static str,
    pub members: &'static [&'static Field],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    ClientToServer,
    ServerToClient,
    ServerToServer,
    ClientToClient,
}

impl Direction {
    pub fn arrow(self) -> &'static str {
        match self {
            Direction::ClientToServer => "C->S",
            Direction::ServerToClient => "S->C",
            Direction::ServerToServer => "S->S",
            Direction::ClientToClient => "C->C",
        }
    }
}

/// Which trailing fields the specification allows to be left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// Every field is required.
    Required,
    /// Fields from index `from` on are sent only when the first field (a
    /// result code) is RESULT_SUCCESS (MSG_GET_LOGIN_INFO_RES, spec 5.2.2).
    OnlyOnSuccess { from: usize },
    /// Every field is required, but when the result is not RESULT_SUCCESS
    /// and every member of the fields from index `from` on is empty or "0"
    /// they are placeholders: shown as one line, not as values
    /// (MSG_LOGIN_RES1; docs/decisions.md 62).
    EmptyOnFailure { from: usize },
}

#[derive(Debug, PartialEq, Eq)]
pub struct MessageDef {
    pub code: u16,
    pub name: &'static str,
    /// Section of the specification that defines it.
    pub section: &'static str,
    pub directions: &'static [Direction],
    pub desc: &'static str,
    pub fields: &'static [&'static Field],
    pub tail: Tail,
}

// ---------------------------------------------------------------- enums

const fn ev(value: i64, name: &'static str, desc: &'static str) -> EnumValue {
    EnumValue { value, name, desc }
}

pub static PRESENCE: EnumDef = EnumDef {
    name: "Presence",
    repr: Prim::Byte,
    values: &[ev(0, "STATUS_AVAILABLE", "Available"), ev(1, "STATUS_BUSY", "Busy"), ev(2, "STATUS_AWAY", "Away"), ev(3, "STATUS_OFFLINE", "Offline")],
};

pub static SEARCH_CONDITION: EnumDef = EnumDef {
    name: "SearchCondition",
    repr: Prim::Byte,
    values: &[ev(1, "SEARCH_COND_NAME", "User name"), ev(2, "SEARCH_COND_NICKNAME", "Nickname"), ev(4, "SEARCH_COND_EMAIL", "Email"), ev(8, "SEARCH_COND_LOCATION", "Location")],
};

/// Result codes, section 6. Carried in Byte fields named `result`.
pub static RESULT_CODE: EnumDef = EnumDef {
    name: "ResultCode",
    repr: Prim::Byte,
    values: &[
        ev(0, "RESULT_SUCCESS", "Success"),
        ev(1, "RESULT_ERROR", "Unknown error"),
        ev(2, "RESULT_PARAM_ERROR", "Parameter error"),
        ev(3, "RESULT_NETWORKING_ERROR", "Network error"),
        ev(4, "RESULT_DATABASE_ERROR", "Database error"),
        ev(5, "RESULT_SERVER_BUSY", "Server busy"),
        ev(6, "RESULT_SERVER_NOT_READY", "Server not ready"),
        ev(7, "RESULT_TIME_OUT", "Time-out"),
        ev(8, "RESULT_NO_SUCH_USER", "No such user"),
        ev(9, "RESULT_USER_EXISTS", "User name already exists"),
        ev(10, "RESULT_MAIL_IN_USE", "Email address already in use"),
        ev(11, "RESULT_USER_MAIL_EXISTS", "User name and email already exist"),
        ev(12, "RESULT_PASSWD_MISMATCH", "Wrong password"),
        ev(13, "RESULT_ACTIVATE_CODE_MISMATCH", "Activation code mismatch"),
        ev(14, "RESULT_USER_NOT_ACTIVATED", "User not activated"),
        ev(15, "RESULT_EXPIRED_SESSION", "Session expired"),
        ev(16, "RESULT_DUPLICATE_SESSION", "Duplicate session (logged in elsewhere)"),
    ],
};

/// Gender in UserInfo (Byte: 1 male, 0 female).
pub static GENDER: EnumDef = EnumDef { name: "Gender", repr: Prim::Byte, values: &[ev(0, "Female", "Female"), ev(1, "Male", "Male")] };

/// Boolean texts for gender in MSG_REGISTER_REQ (1 male, 0 female).
const MALE_FEMALE: Option<(&str, &str)> = Some(("Male", "Female"));

// ---------------------------------------------------------------- field builders

const fn field(spec_name: &'static str, abbrev: &'static str, ty: FieldType, label: &'static str, desc: &'static str) -> Field {
    Field { spec_name, abbrev, ty, label, desc, role: Role::Plain, chars: None, info: None, bool_names: None, unit: None }
}

const fn string(name: &'static str, label: &'static str, desc: &'static str) -> Field {
    field(name, name, FieldType::Prim(Prim::String), label, desc)
}

const fn boolean(name: &'static str, label: &'static str, desc: &'static str) -> Field {
    field(name, name, FieldType::Prim(Prim::Boolean), label, desc)
}

const fn integer(name: &'static str, label: &'static str, desc: &'static str) -> Field {
    field(name, name, FieldType::Prim(Prim::Integer), label, desc)
}

/// The unit of a number, after the value in its label ("5812 bytes"):
/// singular and plural, each with its leading space, as Wireshark's
/// `unit_name_string` takes them (docs/decisions.md 64).
#[derive(Debug, PartialEq, Eq)]
pub struct Unit {
    pub singular: &'static str,
    pub plural: &'static str,
}

pub static BYTES: Unit = Unit { singular: " byte", plural: " bytes" };

impl Field {
    const fn unit(mut self, unit: &'static Unit) -> Field {
        self.unit = Some(unit);
        self
    }
    const fn role(mut self, role: Role) -> Field {
        self.role = role;
        self
    }
    const fn chars(mut self, min: u16, max: u16) -> Field {
        self.chars = Some((min, max));
        self
    }
    const fn info(mut self, tag: &'static str) -> Field {
        self.info = Some(tag);
        self
    }
}

// ---------------------------------------------------------------- struct members

pub mod user_info {
    use super::*;
    pub static USER_NAME: Field = string("user_name", "User name", "User name of the registered user").role(Role::User);
    pub static NICKNAME: Field = string("nickname", "Nickname", "Nickname");
    pub static PERSONAL_MSG: Field = string("personal_msg", "Personal message", "Personal message (signature)");
    pub static EMAIL: Field = string("email", "Email", "Email address");
    pub static AVATAR: Field = string("avatar", "Avatar", "Avatar image file");
    pub static BIRTHDAY: Field = integer("birthday", "Birthday", "Birthday, seconds since 1970-01-01 00:00:00 UTC").role(Role::Date);
    pub static LOCATION: Field = string("location", "Location", "Place of residence");
    pub static LAST_LOGIN_TIME: Field = integer("last_login_time", "Last login time", "Last login, seconds since 1970-01-01 00:00:00 UTC").role(Role::Time);
    pub static GENDER_CODE: Field = field("gender", "gender", FieldType::Enum(&super::GENDER), "Gender", "Gender: 1 male, 0 female");
}

pub static USER_INFO: StructDef = StructDef {
    name: "UserInfo",
    abbrev: "user_info",
    label: "User info",
    desc: "Basic information of a registered user",
    members: &[
        &user_info::USER_NAME,
        &user_info::NICKNAME,
        &user_info::PERSONAL_MSG,
        &user_info::EMAIL,
        &user_info::AVATAR,
        &user_info::BIRTHDAY,
        &user_info::LOCATION,
        &user_info::LAST_LOGIN_TIME,
        &user_info::GENDER_CODE,
    ],
};

pub mod buddy {
    use super::*;
    pub static BUDDY_NAME: Field = string("buddy_name", "Buddy name", "User name of the buddy").role(Role::User).info("buddy");
    pub static GROUP_NAME: Field = string("group_name", "Group", "Group the buddy belongs to");
    pub static DISPLAY_NAME: Field = string("display_name", "Display name", "Name shown for the buddy");
}

pub static BUDDY: StructDef =
    StructDef { name: "Buddy", abbrev: "buddy", label: "Buddy", desc: "A buddy in the buddy list", members: &[&buddy::BUDDY_NAME, &buddy::GROUP_NAME, &buddy::DISPLAY_NAME] };

pub mod online_buddy {
    use super::*;
    pub static BUDDY_NAME: Field = string("buddy_name", "Buddy name", "User name of the buddy").role(Role::User).info("buddy");
    pub static GROUP_NAME: Field = string("group_name", "Group", "Group the buddy belongs to");
    pub static DISPLAY_NAME: Field = string("display_name", "Display name", "Name shown for the buddy");
    pub static PERSONAL_MESSAGE: Field = string("personal_message", "Personal message", "Personal message of the buddy");
    pub static AVATAR: Field = string("avatar", "Avatar", "Avatar image file");
    pub static IP: Field = string("ip", "IP", "Address the buddy logged in from").role(Role::Ip);
    pub static PORT: Field = field("port", "port", FieldType::Prim(Prim::Short), "Port", "Port the buddy listens on").role(Role::Port);
    pub static STATUS: Field = field("status", "status", FieldType::Enum(&super::PRESENCE), "Status", "Presence of the buddy");
}

pub static ONLINE_BUDDY: StructDef = StructDef {
    name: "OnlineBuddy",
    abbrev: "online_buddy",
    label: "Online buddy",
    desc: "A buddy that is online",
    members: &[
        &online_buddy::BUDDY_NAME,
        &online_buddy::GROUP_NAME,
        &online_buddy::DISPLAY_NAME,
        &online_buddy::PERSONAL_MESSAGE,
        &online_buddy::AVATAR,
        &online_buddy::IP,
        &online_buddy::PORT,
        &online_buddy::STATUS,
    ],
};

pub mod chatroom {
    use super::*;
    pub static ROOM_NAME: Field = string("room_name", "Room name", "Chat room name (globally unique)");
    pub static CREATOR: Field = string("creator", "Creator", "User who created the room").role(Role::User);
    pub static ANNOUNCE: Field = string("announce", "Announcement", "Chat room announcement");
}

/// The one spelling of a chat room in labels (the struct and `room_list`).
const CHAT_ROOM: &str = "Chat room";

pub static CHATROOM: StructDef =
    StructDef { name: "Chatroom", abbrev: "chatroom", label: CHAT_ROOM, desc: "A chat room", members: &[&chatroom::ROOM_NAME, &chatroom::CREATOR, &chatroom::ANNOUNCE] };

/// Every struct of the specification, in the order of section 4.3.
pub static STRUCTS: &[&StructDef] = &[&USER_INFO, &BUDDY, &ONLINE_BUDDY, &CHATROOM];
/// Every enum, result codes and gender included.
pub static ENUMS: &[&EnumDef] = &[&PRESENCE, &SEARCH_CONDITION, &RESULT_CODE, &GENDER];

// ---------------------------------------------------------------- message fields

pub static USER_NAME: Field = string("user_name", "User name", "User name (3-16 characters)").chars(3, 16).info("user").role(Role::User);
pub static PASSWORD: Field = string("password", "Password", "Login password in clear text (8-12 characters)").chars(8, 12).role(Role::Password);
pub static EMAIL: Field = string("email", "Email", "Email address, for verification and password recovery");
pub static NICKNAME: Field = string("nickname", "Nickname", "Nickname");
pub static PERSONAL_MSG: Field = string("personal_msg", "Personal message", "Personal message (signature)");
pub static BIRTHDATE: Field = string("birthdate", "Birth date", "Birth date as text");
pub static LOCATION: Field = string("location", "Location", "Region the user lives in");
pub static GENDER_BOOLEAN: Field = Field { bool_names: MALE_FEMALE, ..boolean("gender", "Gender", "Gender: 1 male, 0 female") };
pub static RESULT: Field = field("result", "result", FieldType::Enum(&RESULT_CODE), "Result", "Result code (section 6)").info("result");
pub static RESULT_FLAG: Field = Field { abbrev: "result_flag", ..boolean("result", "Result", "Boolean result: buddy exists / transfer accepted").info("ok") };
pub static ACTIVATE_CODE: Field = string("activate_code", "Activation code", "Activation code (8 characters)").chars(8, 8);
pub static USER_INFO_FIELD: Field = field("user_info", "user_info", FieldType::Struct(&USER_INFO), "User info", "Basic information of the user");
pub static SERVER_IP: Field = string("server_ip", "Login server IP", "Login server address").role(Role::Ip).info("server");
pub static SERVER_PORT: Field = field("server_port", "server_port", FieldType::Prim(Prim::Short), "Login server port", "Login server listen port").role(Role::Port).info("port");
pub static LOGIN_STATUS: Field = field("login_status", "login_status", FieldType::Enum(&PRESENCE), "Login status", "Presence to set after login").info("status");
pub static SEQ_NUM: Field = field("seq_num", "seq_num", FieldType::Prim(Prim::Short), "Sequence number", "Which packet of a multi-part response this is").info("seq");
pub static COUNT_GROUPS: Field = integer("count", "Count", "Number of elements in the list that follows").role(Role::Count { of: "groups" });
pub static COUNT_BUDDY_LIST: Field = integer("count", "Count", "Number of elements in the list that follows").role(Role::Count { of: "buddy_list" });
pub static COUNT_BLOCKED: Field = integer("count", "Count", "Number of elements in the list that follows").role(Role::Count { of: "blocked_users" });
pub static COUNT_ROOMS: Field = integer("count", "Count", "Number of elements in the list that follows").role(Role::Count { of: "room_list" });
pub static COUNT_BUDDIES: Field = integer("count", "Count", "Number of elements in the list that follows").role(Role::Count { of: "buddies" });
pub static GROUPS: Field = field("groups", "groups", FieldType::ListOfString { alt: None }, "Group", "Buddy group names");
pub static BUDDY_LIST: Field = field("buddy list", "buddy_list", FieldType::ListOfStruct(&BUDDY), "Buddy list", "Buddies of the user");
pub static BLOCKED_USERS: Field = field("blocked_users", "blocked_users", FieldType::ListOfString { alt: None }, "Blocked user", "Users on the block list").role(Role::User);
pub static ROOM_LIST: Field = field("room_list", "room_list", FieldType::ListOfString { alt: Some(&CHATROOM) }, CHAT_ROOM, "Chat rooms the user takes part in");
pub static ONLINE_BUDDY_LIST: Field = field("buddy_list", "buddy_list", FieldType::ListOfStruct(&ONLINE_BUDDY), "Buddy list", "Buddies that are online");
pub static OBSERVER: Field = string("observer", "Observer", "User who watches the buddy").info("to").role(Role::User);
pub static OBSERVERS: Field = field("observers", "observers", FieldType::ListOfString { alt: None }, "Observer", "Users who watch the buddy").role(Role::User);
pub static BUDDY_ONLINE: Field = field("buddy", "buddy", FieldType::Struct(&ONLINE_BUDDY), "Buddy", "The buddy, with its online information");
pub static BUDDY_TO_ADD: Field = field("buddy", "buddy", FieldType::Struct(&BUDDY), "Buddy", "The buddy to add");
pub static STATUS: Field = field("status", "status", FieldType::Enum(&PRESENCE), "Status", "Presence of the user").info("status");
pub static NEW_GROUP: Field = string("new_group", "New group", "Name of the added group").info("group");
pub static GROUP_NAME: Field = string("group_name", "Group", "Group name").info("group");
pub static NEW_NAME: Field = string("new_name", "New name", "New group name").info("new");
pub static IS_ROOM_MEMBER: Field = boolean("is_room_member", "Is room member", "Whether a chat room member is being added");
pub static IS_ADD: Field = boolean("is_add", "Add back", "Whether user B adds user A as a buddy too");
pub static BUDDY_GROUP: Field = string("buddy_group", "Buddy group", "Group of the removed buddy");
pub static BUDDY_NAME: Field = string("buddy_name", "Buddy name", "User name of the buddy").info("buddy").role(Role::User);
pub static DISPLAY_NAME: Field = string("display_name", "Display name", "Name shown for the buddy");
pub static OLD_GROUP_NAME: Field = string("old_group_name", "Old group", "Group the buddy moved from");
pub static NEW_GROUP_NAME: Field = string("new_group_name", "New group", "Group the buddy moved to");
pub static SENDER: Field = string("sender", "Sender", "Sending user").info("from").role(Role::User);
pub static RECEIVER: Field = string("receiver", "Receiver", "Receiving user, or chat room for a room message").info("to").role(Role::Recipient { room_flag: "is_room_msg" });
pub static SEND_TIME: Field = integer("send_time", "Send time", "Time sent, seconds since 1970-01-01 00:00:00 UTC").role(Role::Time);
pub static CONTENT: Field = string("content", "Content", "Message text");
pub static IS_ROOM_MSG: Field = boolean("is_room_msg", "Room message", "Whether receiver is a chat room");
pub static FILE_NAME: Field = string("file_name", "File name", "Name of the file offered").info("file");
pub static FILE_SIZE: Field = integer("file_size", "File size", "Size of the file in bytes").unit(&BYTES);
pub static TRANSFER_SEQ: Field = integer("transfer_seq", "Transfer sequence", "File transfer sequence number");
pub static IS_IMAGE: Field = boolean("is_image", "Is image", "Whether the file is sent as an image");
pub static SENDER_IP: Field = string("sender_ip", "Sender IP", "Address of the sender for the transfer").role(Role::Ip);
pub static SENDER_PORT: Field = field("sender_port", "sender_port", FieldType::Prim(Prim::Short), "Sender port", "Port of the sender for the transfer").role(Role::Port);
pub static RECEIVER_IP: Field = string("receiver_ip", "Receiver IP", "Address of the receiver for the transfer").role(Role::Ip);
pub static RECEIVER_PORT: Field = field("receiver_port", "receiver_port", FieldType::Prim(Prim::Short), "Receiver port", "Port of the receiver for the transfer").role(Role::Port);
pub static BUDDY_INFO: Field = field("buddy_info", "buddy_info", FieldType::Struct(&USER_INFO), "Buddy info", "Full user information of the buddy");
pub static CONDITION_COUNT: Field = integer("condition_count", "Condition count", "Number of search conditions").role(Role::Count { of: "conditions" });
pub static CONDITION_KEY: Field = field("key", "conditions.key", FieldType::Enum(&SEARCH_CONDITION), "Condition", "What to search by");
pub static CONDITION_VALUE: Field = string("value", "Value", "Value to search for").abbrev_is("conditions.value");
pub static CONDITIONS: Field =
    field("conitions", "conditions", FieldType::Dictionary { key: &CONDITION_KEY, value: &CONDITION_VALUE }, "Conditions", "Search conditions; all must match").info("where");
pub static BUDDIES: Field = field("buddies", "buddies", FieldType::ListOfStruct(&USER_INFO), "Buddies", "Users found");

impl Field {
    const fn abbrev_is(mut self, abbrev: &'static str) -> Field {
        self.abbrev = abbrev;
        self
    }
}

// ---------------------------------------------------------------- messages

use Direction::*;

const fn msg(code: u16, name: &'static str, section: &'static str, directions: &'static [Direction], desc: &'static str, fields: &'static [&'static Field]) -> MessageDef {
    MessageDef { code, name, section, directions, desc, fields, tail: Tail::Required }
}

const REGISTRATION: &[&Field] = &[&USER_NAME, &PASSWORD, &EMAIL, &NICKNAME, &PERSONAL_MSG, &BIRTHDATE, &LOCATION, &GENDER_BOOLEAN];

/// All messages of XMMEP 2.0, in code order.
pub static MESSAGES: &[MessageDef] = &[
    msg(100, "MSG_REGISTER_REQ", "5.1.1", &[ClientToServer], "Registration request", REGISTRATION),
    msg(101, "MSG_REGISTER_RES", "5.1.2", &[ServerToClient], "Registration response", &[&RESULT]),
    msg(102, "MSG_REGISTER_ACTIVATE_REQ", "5.1.3", &[ClientToServer], "Registration activation request", &[&USER_NAME, &ACTIVATE_CODE]),
    msg(103, "MSG_REGISTER_ACTIVATE_RES", "5.1.4", &[ServerToClient], "Registration activation response", &[&RESULT]),
    msg(104, "MSG_USER_REGISTERED_NOTIFY", "5.1.5", &[ServerToServer], "New user registered (register server to router, router to presence server)", REGISTRATION),
    msg(108, "MSG_USER_INFO_UPDATED_NOTIFY", "5.1.6", &[ClientToServer], "Registration information changed", &[&USER_NAME, &USER_INFO_FIELD, &PASSWORD]),
    msg(110, "MSG_GET_LOGIN_INFO_REQ", "5.2.1", &[ClientToServer], "Ask the router for the login server's IP and port", &[&USER_NAME]),
    MessageDef {
        tail: Tail::OnlyOnSuccess { from: 1 },
        ..msg(111, "MSG_GET_LOGIN_INFO_RES", "5.2.2", &[ServerToClient], "Login server IP and port (only the result on failure)", &[&RESULT, &SERVER_IP, &SERVER_PORT])
    },
    msg(112, "MSG_LOGIN_REQ", "5.2.3", &[ClientToServer], "Login request", &[&USER_NAME, &PASSWORD, &LOGIN_STATUS]),
    MessageDef {
        tail: Tail::EmptyOnFailure { from: 1 },
        ..msg(113, "MSG_LOGIN_RES1", "5.2.4", &[ServerToClient], "Login response part 1: the user's information", &[&RESULT, &USER_INFO_FIELD])
    },
    msg(114, "MSG_LOGIN_RES2", "5.2.5", &[ServerToClient], "Login response part 2: buddy groups", &[&SEQ_NUM, &COUNT_GROUPS, &GROUPS]),
    msg(115, "MSG_LOGIN_RES3", "5.2.6", &[ServerToClient], "Login response part 3: buddy list", &[&SEQ_NUM, &COUNT_BUDDY_LIST, &BUDDY_LIST]),
    msg(116, "MSG_LOGIN_RES4", "5.2.7", &[ServerToClient], "Login response part 4: block list", &[&SEQ_NUM, &COUNT_BLOCKED, &BLOCKED_USERS]),
    msg(117, "MSG_LOGIN_RES5", "5.2.8", &[ServerToClient], "Login response part 5: chat rooms", &[&SEQ_NUM, &COUNT_ROOMS, &ROOM_LIST]),
    msg(118, "MSG_LOGIN_RES6", "5.2.9", &[ServerToClient], "Login response part 6: buddies online", &[&SEQ_NUM, &COUNT_BUDDY_LIST, &ONLINE_BUDDY_LIST]),
    msg(127, "MSG_LOGIN_RES_END", "5.2.10", &[ServerToClient], "End of the login response", &[]),
    msg(128, "MSG_CLIENT_READY", "5.2.11", &[ClientToServer], "Client is ready", &[&USER_NAME]),
    msg(130, "MSG_BUDDY_LOGIN_NOTIFY", "5.3.1", &[ServerToClient], "A buddy logged in", &[&OBSERVER, &BUDDY_ONLINE]),
    msg(131, "MSG_BUDDY_LOGIN_NOTIFY_FWD", "5.3.2", &[ServerToServer], "Buddy login forwarded (presence server to router)", &[&OBSERVERS, &BUDDY_ONLINE]),
    msg(133, "MSG_SESSION_REPORT", "5.3.3", &[ServerToClient], "Session state (e.g. logged in elsewhere)", &[&RESULT]),
    msg(135, "MSG_STATUS_CHANGED_NOTIFY", "5.3.4", &[ClientToServer], "The user changed presence", &[&USER_NAME, &STATUS]),
    msg(136, "MSG_STATUS_CHANGED_NOTIFY_FWD", "5.3.5", &[ServerToClient], "Presence change forwarded to a watcher", &[&OBSERVER, &USER_NAME, &STATUS]),
    msg(140, "MSG_GROUP_ADDED_NOTIFY", "5.4.1", &[ClientToServer], "The client added a buddy group", &[&USER_NAME, &NEW_GROUP]),
    msg(141, "MSG_GROUP_REMOVED_NOTIFY", "5.4.2", &[ClientToServer], "The client removed a buddy group", &[&USER_NAME, &GROUP_NAME]),
    msg(142, "MSG_GROUP_RENAME_NOTIFY", "5.4.3", &[ClientToServer], "The client renamed a buddy group", &[&USER_NAME, &GROUP_NAME, &NEW_NAME]),
    msg(150, "MSG_ADD_BUDDY_REQ", "5.5.1", &[ClientToServer], "Add a buddy", &[&USER_NAME, &BUDDY_TO_ADD, &IS_ROOM_MEMBER]),
    msg(151, "MSG_ADD_BUDDY_RES", "5.5.2", &[ServerToClient], "Add buddy response", &[&USER_NAME, &RESULT_FLAG, &BUDDY_ONLINE, &IS_ROOM_MEMBER]),
    msg(152, "MSG_BUDDIED_NOTIFY", "5.5.3", &[ServerToClient], "User A added user B as a buddy", &[&USER_NAME, &BUDDY_ONLINE]),
    msg(153, "MSG_BUDDIED_NOTIFY_RES", "5.5.4", &[ClientToServer], "User B answers whether to add user A back", &[&USER_NAME, &BUDDY_ONLINE, &IS_ADD]),
    msg(154, "MSG_BUDDY_REMOVED_NOTIFY", "5.5.5", &[ClientToServer], "The client removed a buddy", &[&USER_NAME, &BUDDY_GROUP, &BUDDY_NAME, &IS_ROOM_MEMBER]),
    msg(
        155,
        "MSG_BUDDY_MODIFIED_NOTIFY",
        "5.5.6",
        &[ClientToServer],
        "The client changed a buddy's display name or group",
        &[&USER_NAME, &BUDDY_NAME, &DISPLAY_NAME, &OLD_GROUP_NAME, &NEW_GROUP_NAME],
    ),
    msg(156, "MSG_BUDDY_BLOCKED_NOTIFY", "5.5.7", &[ClientToServer], "The client blocked a buddy", &[&USER_NAME, &BUDDY_NAME]),
    msg(157, "MSG_BUDDY_UNBLOCKED_NOTIFY", "5.5.8", &[ClientToServer], "The client unblocked a buddy", &[&USER_NAME, &BUDDY_NAME, &GROUP_NAME]),
    msg(170, "MSG_TXT_MSG", "5.6.1", &[ClientToClient], "Text chat message, to a user or a chat room", &[&SENDER, &RECEIVER, &SEND_TIME, &CONTENT, &IS_ROOM_MSG]),
    msg(180, "MSG_SEND_FILE_REQ", "5.7.1", &[ClientToServer], "Offer to send a file", &[&SENDER, &RECEIVER, &FILE_NAME, &FILE_SIZE, &TRANSFER_SEQ, &IS_IMAGE]),
    msg(
        181,
        "MSG_SEND_FILE_REQ_FWD",
        "5.7.2",
        &[ServerToClient],
        "File offer forwarded to the receiver",
        &[&SENDER, &RECEIVER, &FILE_NAME, &FILE_SIZE, &TRANSFER_SEQ, &IS_IMAGE, &SENDER_IP, &SENDER_PORT],
    ),
    msg(182, "MSG_SEND_FILE_RES", "5.7.3", &[ClientToServer], "Answer to a file offer", &[&SENDER, &RECEIVER, &TRANSFER_SEQ, &RESULT_FLAG]),
    msg(
        183,
        "MSG_SEND_FILE_RES_FWD",
        "5.7.4",
        &[ServerToClient],
        "Answer to a file offer forwarded to the sender",
        &[&SENDER, &RECEIVER, &TRANSFER_SEQ, &RESULT_FLAG, &RECEIVER_IP, &RECEIVER_PORT],
    ),
    msg(190, "MSG_GET_BUDDY_INFO_REQ", "5.8.1", &[ClientToServer], "Ask for a buddy's information", &[&USER_NAME, &BUDDY_NAME]),
    msg(191, "MSG_GET_BUDDY_INFO_RES", "5.8.2", &[ServerToClient], "A buddy's full information", &[&USER_NAME, &RESULT, &BUDDY_INFO]),
    msg(195, "MSG_FIND_BUDDIES_REQ", "5.8.3", &[ClientToServer], "Search users by conditions", &[&USER_NAME, &CONDITION_COUNT, &CONDITIONS]),
    msg(196, "MSG_FIND_BUDDIES_RES", "5.8.4", &[ServerToClient], "Users found by a search", &[&SEQ_NUM, &COUNT_BUDDIES, &BUDDIES]),
    msg(
        200,
        "MSG_KEEP_ALIVE",
        "5.9.1",
        &[ClientToClient, ClientToServer, ServerToClient, ServerToServer],
        "Keepalive between clients, clients and servers, and servers",
        &[&USER_NAME],
    ),
];

/// The table's definition of the message with this code (`Schema::message`
/// gives its compiled form).
pub fn definition(code: u16) -> Option<&'static MessageDef> {
    // Codes are sorted; the table is small enough that this is a few probes.
    MESSAGES.binary_search_by_key(&code, |m| m.code).ok().map(|i| &MESSAGES[i])
}

// ---------------------------------------------------------------- relations between messages

/// A request and the messages that answer it (sections 5.1 to 5.8), for the
/// request/response links (docs/decisions.md 38-41).
#[derive(Debug, PartialEq, Eq)]
pub struct Exchange {
    pub request: u16,
    /// The answers; with `end`, the parts of a multi-part answer, each with
    /// a `seq_num` that counts from 1 per part type.
    pub responses: &'static [u16],
    /// The message that closes a multi-part answer.
    pub end: Option<u16>,
}

const fn exchange(request: u16, responses: &'static [u16]) -> Exchange {
    Exchange { request, responses, end: None }
}

pub static EXCHANGES: &[Exchange] = &[
    exchange(100, &[101]),
    exchange(102, &[103]),
    exchange(110, &[111]),
    Exchange { request: 112, responses: &[113, 114, 115, 116, 117, 118], end: Some(127) },
    exchange(150, &[151]),
    exchange(152, &[153]),
    exchange(190, &[191]),
    // MSG_FIND_BUDDIES_RES may come in several parts (seq_num), no end.
    exchange(195, &[196]),
];

/// A message the server passes on to other clients, matched with its
/// forwards by the fields both carry (filter names below `xmmep.`).
#[derive(Debug, PartialEq, Eq)]
pub struct Forward {
    pub original: u16,
    pub forward: u16,
    pub keys: &'static [&'static str],
}

const TRANSFER_KEYS: &[&str] = &["sender", "receiver", "transfer_seq"];

impl Forward {
    /// The labels of the keys, for texts a person reads ("User name, Status").
    pub fn key_labels(&self) -> String {
        self.keys.iter().map(|k| key_label(self.original, k)).collect::<Vec<_>>().join(", ")
    }
}

/// The label of `key` (a field, or `struct.member`) in message `code`; the
/// key itself when the message has no such field.
fn key_label(code: u16, key: &'static str) -> &'static str {
    let fields = definition(code).map_or(&[][..], |m| m.fields);
    for f in fields {
        if f.abbrev == key {
            return f.label;
        }
        if let FieldType::Struct(s) | FieldType::ListOfStruct(s) = &f.ty {
            let member = key.strip_prefix(s.abbrev).and_then(|r| r.strip_prefix('.'));
            if let Some(m) = member.and_then(|m| s.members.iter().find(|x| x.abbrev == m)) {
                return m.label;
            }
        }
    }
    key
}

/// The forwards; an entry whose original and forward are the same type is
/// a relay: the first message with a key is the original, every later one
/// with that key a relay of it (docs/decisions.md 52).
pub static FORWARDS: &[Forward] = &[
    Forward { original: 135, forward: 136, keys: &["user_name", "status"] },
    Forward { original: 130, forward: 131, keys: &["online_buddy.buddy_name"] },
    Forward { original: 180, forward: 181, keys: TRANSFER_KEYS },
    Forward { original: 182, forward: 183, keys: TRANSFER_KEYS },
    // The server relays a text message unchanged to each recipient.
    Forward { original: 170, forward: 170, keys: &["sender", "receiver", "send_time", "content", "is_room_msg"] },
];

/// Who one side of a chat is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The user (or, for a `Role::Recipient` field whose flag is true, the
    /// chat room) this field names (filter name below `xmmep.`).
    Field(&'static str),
    /// The user logged in on the message's conversation
    /// (docs/decisions.md 42).
    SessionUser,
}

/// A message type that belongs to the chat between two parties
/// (docs/decisions.md 51).
#[derive(Debug, PartialEq, Eq)]
pub struct ChatMessage {
    pub code: u16,
    pub parties: [Party; 2],
}

const fn chat(code: u16, a: Party, b: Party) -> ChatMessage {
    ChatMessage { code, parties: [a, b] }
}

use Party::{Field as By, SessionUser};

/// The messages of chats: text, buddy management, file transfer.
pub static CHATS: &[ChatMessage] = &[
    chat(150, By("user_name"), By("buddy.buddy_name")),
    chat(151, By("user_name"), By("online_buddy.buddy_name")),
    // User A's notice to user B, on B's connection, names A only.
    chat(152, SessionUser, By("user_name")),
    chat(154, By("user_name"), By("buddy_name")),
    chat(155, By("user_name"), By("buddy_name")),
    chat(156, By("user_name"), By("buddy_name")),
    chat(157, By("user_name"), By("buddy_name")),
    chat(170, By("sender"), By("receiver")),
    chat(180, By("sender"), By("receiver")),
    chat(181, By("sender"), By("receiver")),
    chat(182, By("sender"), By("receiver")),
    chat(183, By("sender"), By("receiver")),
];

/// The file transfer negotiation (section 5.7), followed as one
/// transaction across the sender's and the receiver's connections.
#[derive(Debug, PartialEq, Eq)]
pub struct Transfer {
    /// Offered, forwarded, answered, answer forwarded.
    pub stages: [u16; 4],
    pub keys: &'static [&'static str],
    pub file_name: &'static str,
    pub file_size: &'static str,
    /// The Boolean answer: accepted or declined.
    pub result: &'static str,
    /// The stage that answers the offer (stage 0), as an exchange's
    /// answer its request: the first one is the offer's response time
    /// (docs/decisions.md 65).
    pub answer: usize,
}

pub static FILE_TRANSFER: Transfer =
    Transfer { stages: [180, 181, 182, 183], keys: TRANSFER_KEYS, file_name: "file_name", file_size: "file_size", result: "result_flag", answer: 2 };

/// The message types whose answers have response times (Service Response
/// Time, the statistics tree): each exchange's request, and the file offer.
pub fn timed_requests() -> impl Iterator<Item = u16> {
    EXCHANGES.iter().map(|e| e.request).chain([FILE_TRANSFER.stages[0]])
}

/// The login that puts a user on a connection: the request's user name,
/// and the response whose result says whether it worked.
#[derive(Debug, PartialEq, Eq)]
pub struct Login {
    pub request: u16,
    pub user: &'static str,
    pub outcome: u16,
    pub result: &'static str,
}

pub static LOGIN: Login = Login { request: 112, user: "user_name", outcome: 113, result: "result" };

/// Limits of the header and of a message (spec 3.1, 3.2; docs/decisions.md 3, 4).
pub const HEADER_LEN: usize = 8;
pub const MAX_BODY_LEN: u32 = 9999;
pub const MIN_MSG_TYPE: u32 = 100;
pub const MAX_MSG_TYPE: u32 = 999;
pub const MAX_MESSAGE_LEN: usize = 1450;

/// Delimiters (spec 3.3.1.1).
pub const FIELD_SEP: u8 = 0x01;
pub const MEMBER_SEP: u8 = 0x02;
pub const ELEMENT_SEP: u8 = 0x03;
pub const KEY_SEP: u8 = 0x04;
