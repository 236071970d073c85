//! What the analysis needs of one decoded message: its type, the user names
//! it carries, the values its relations match on. Read off the decode's
//! items by field id, so it works for any message the table defines.

use crate::codec::{Decoded, Value};
use crate::schema::FieldId;
use smallvec::SmallVec;

use super::relations::{PartyId, Relations, Roles, UserField};

/// The facts of one message. Byte ranges are offsets into the message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    pub msg_type: u16,
    pub roles: Roles,
    /// Every user name (offset, length), in message order (inline: most messages
    /// name a few, and then nothing is allocated).
    pub users: SmallVec<[(u32, u32); 4]>,
    pub seq_num: Option<i64>,
    /// The login outcome's result code.
    pub result: Option<i64>,
    /// The login request's user name (as shown: see `facts_with`).
    pub login_user: Option<Vec<u8>>,
    /// The values a forward is matched on (None when one is missing).
    pub forward_key: Option<Vec<u8>>,
    pub transfer_key: Option<Vec<u8>>,
    /// The file name (as shown: see `facts_with`).
    pub file_name: Option<Vec<u8>>,
    pub file_size: Option<i64>,
    pub accepted: Option<bool>,
    /// The two sides of the chat the message belongs to, for a message of
    /// `table::CHATS` that names them.
    pub chat: Option<[Side; 2]>,
}

/// One side of a chat message: a user or a chat room named at (offset,
/// length) of the message, or the conversation's session user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    User(u32, u32),
    Room(u32, u32),
    SessionUser,
}

/// The value of an item as bytes a key can hold: text as it is, numbers in
/// decimal, Booleans as 1 or 0.
fn key_part(msg: &[u8], value: Value, offset: u32, len: u32, out: &mut Vec<u8>) -> bool {
    match value {
        Value::Text | Value::Invalid => out.extend_from_slice(&msg[offset as usize..(offset + len) as usize]),
        Value::Uint(v) => push_decimal(out, false, v),
        Value::Int(v) | Value::Time(v) => push_decimal(out, v < 0, v.unsigned_abs()),
        Value::Bool(b) => out.push(if b { b'1' } else { b'0' }),
        _ => return false,
    }
    true
}

/// Appends `v` in decimal (after a minus when `neg`), with no String made
/// for it: a relay's key holds its send time, and keys are built per
/// message.
fn push_decimal(out: &mut Vec<u8>, neg: bool, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if neg {
        out.push(b'-');
    }
    out.extend_from_slice(&digits[i..]);
}

struct Items<'a> {
    msg: &'a [u8],
    d: &'a Decoded,
}

impl Items<'_> {
    fn first(&self, id: FieldId) -> Option<&crate::codec::Item> {
        self.d.items.iter().find(|it| it.id == id)
    }

    /// The key made of these fields' first values, separated by NUL (which
    /// a field cannot hold).
    fn key(&self, ids: &[FieldId]) -> Option<Vec<u8>> {
        // One allocation: room for each text, for a number's 20 digits and
        // sign, and for the separators.
        let room = ids.iter().map(|&id| self.first(id).map_or(0, |it| it.len as usize + 21)).sum::<usize>() + ids.len();
        let mut out = Vec::with_capacity(room);
        for (i, &id) in ids.iter().enumerate() {
            if i > 0 {
                out.push(0);
            }
            let it = self.first(id)?;
            if !key_part(self.msg, it.value, it.offset, it.len, &mut out) {
                return None;
            }
        }
        Some(out)
    }

    fn int(&self, id: FieldId) -> Option<i64> {
        match self.first(id)?.value {
            Value::Uint(v) => i64::try_from(v).ok(),
            Value::Int(v) => Some(v),
            _ => None,
        }
    }

    /// Where a Text value is.
    fn text(&self, id: FieldId) -> Option<(u32, u32)> {
        let it = self.first(id)?;
        matches!(it.value, Value::Text).then_some((it.offset, it.len))
    }
}

impl Facts {
    /// Back to the facts of no message, keeping what it allocated (a
    /// dissector fills one `Facts` per message in place).
    fn reset(&mut self, msg_type: u16, roles: Roles) {
        self.msg_type = msg_type;
        self.roles = roles;
        self.users.clear();
        self.seq_num = None;
        self.result = None;
        self.login_user = None;
        self.forward_key = None;
        self.transfer_key = None;
        self.file_name = None;
        self.file_size = None;
        self.accepted = None;
        self.chat = None;
    }
}

impl Relations {
    /// The facts of a message and its decode (`msg` starts at its header).
    pub fn facts(&self, msg: &[u8], d: &Decoded) -> Facts {
        let mut f = Facts::default();
        self.facts_with(msg, d, &mut f, |o, l| msg[o as usize..(o + l) as usize].to_vec());
        f
    }

    /// The same into `f`, with the values that are only shown (the
    /// logged-in user, the file name) taken through `shown(offset, len)`: a
    /// dissector converts them as it shows text, while their message is at
    /// hand.
    pub fn facts_with(&self, msg: &[u8], d: &Decoded, f: &mut Facts, mut shown: impl FnMut(u32, u32) -> Vec<u8>) {
        self.facts_shown(msg, d, f);
        if d.header.is_none() {
            return;
        }
        let (msg_type, roles) = (f.msg_type, f.roles);
        let items = Items { msg, d };
        if roles.response.is_some() || roles.end.is_some() {
            f.seq_num = items.int(self.seq_num);
        }
        if msg_type == crate::table::LOGIN.outcome {
            f.result = items.int(self.login_result);
        }
        if msg_type == crate::table::LOGIN.request {
            f.login_user = items.text(self.login_user).map(|(o, l)| shown(o, l));
        }
        if let Some(r) = roles.original.or(roles.forward) {
            f.forward_key = items.key(&self.forward_keys[r]);
        }
        if roles.transfer_stage.is_some() {
            f.transfer_key = items.key(&self.transfer_keys);
            f.file_name = items.text(self.file_name).map(|(o, l)| shown(o, l));
            f.file_size = items.int(self.file_size);
            f.accepted = items.first(self.accepted).and_then(|it| match it.value {
                Value::Bool(b) => Some(b),
                _ => None,
            });
        }
    }

    /// Only what showing a message needs once the tracker has it, into
    /// `f`: its type, roles and user names (a later pass makes no keys).
    pub fn facts_shown(&self, msg: &[u8], d: &Decoded, f: &mut Facts) {
        let Some(h) = d.header else {
            f.reset(0, Roles::default());
            return;
        };
        let msg_type = u16::try_from(h.msg_type).unwrap_or(u16::MAX);
        f.reset(msg_type, self.roles(msg_type));
        let items = Items { msg, d };
        let is_true = |id: FieldId| items.first(id).is_some_and(|it| it.value == Value::Bool(true));
        for it in &d.items {
            let user = match self.users.get(it.id as usize) {
                Some(UserField::Yes) => true,
                Some(UserField::UnlessRoom(flag)) => !is_true(*flag),
                _ => false,
            };
            if user && it.value == Value::Text && it.len > 0 {
                f.users.push((it.offset, it.len));
            }
        }
        if let Some(c) = f.roles.chat {
            let side = |p: PartyId| match p {
                PartyId::SessionUser => Some(Side::SessionUser),
                PartyId::Field(id) => {
                    let (o, l) = items.text(id).filter(|&(_, l)| l > 0)?;
                    let room = matches!(self.users.get(id as usize), Some(UserField::UnlessRoom(flag)) if is_true(*flag));
                    Some(if room { Side::Room(o, l) } else { Side::User(o, l) })
                }
            };
            let [a, b] = self.chat_parties[c];
            f.chat = side(a).zip(side(b)).map(|(a, b)| [a, b]);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_in_keys_are_written_as_to_string_writes_them() {
        for v in [0i64, 7, -12, 1_723_022_409, i64::MIN, i64::MAX] {
            let mut out = b"k".to_vec();
            super::push_decimal(&mut out, v < 0, v.unsigned_abs());
            assert_eq!(out, format!("k{v}").into_bytes());
        }
        let mut out = Vec::new();
        super::push_decimal(&mut out, false, u64::MAX);
        assert_eq!(out, u64::MAX.to_string().into_bytes());
    }
}
