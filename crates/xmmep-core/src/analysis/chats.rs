//! Chats (docs/decisions.md 51): the messages between one pair of users, or
//! one user and one chat room, across every connection of the capture,
//! numbered from 0 in the order the first pass meets them. Nothing is kept
//! per message: a map from the pair to its number is filled on the first
//! pass, and every pass finds a message's number again from the pair the
//! message itself names.
//!
//! Its twin is the chat part of `lua/src/analysis.lua`.

use std::collections::HashMap;

/// How many chats are numbered; a pair first seen past it has no chat on
/// any pass (forgetting an old pair instead would change its messages'
/// numbers between passes).
pub const MAX_CHATS: usize = 1 << 20;

/// The two parties of a chat, as the message that opened it named them,
/// in the bytes the messages carry (text in the capture's charset): two
/// users, or a user (`first`) and a chat room (`second`, `room` true).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chat {
    pub first: Vec<u8>,
    pub second: Vec<u8>,
    pub room: bool,
}

#[derive(Default)]
pub(super) struct Chats {
    numbers: HashMap<Vec<u8>, u32>,
    chats: Vec<Chat>,
    /// The key being looked up, reused.
    key: Vec<u8>,
}

impl Chats {
    /// The number of the chat between `a` and `b` (a name, and whether it
    /// is a chat room), made when `assign` and the pair is new. A pair of
    /// users is the same chat either way round; two rooms make no chat.
    pub(super) fn number(&mut self, a: (&[u8], bool), b: (&[u8], bool), assign: bool) -> Option<u32> {
        let (first, second, room) = match (a.1, b.1) {
            (false, false) => (a.0, b.0, false),
            (false, true) => (a.0, b.0, true),
            (true, false) => (b.0, a.0, true),
            (true, true) => return None,
        };
        let (lo, hi) = if room || first <= second { (first, second) } else { (second, first) };
        // Kind, the first name's length, both names: no two pairs share a key.
        self.key.clear();
        self.key.push(if room { b'r' } else { b'u' });
        self.key.extend_from_slice(&(lo.len() as u32).to_le_bytes());
        self.key.extend_from_slice(lo);
        self.key.extend_from_slice(hi);
        if let Some(&n) = self.numbers.get(&self.key) {
            return Some(n);
        }
        if !assign || self.chats.len() >= MAX_CHATS {
            return None;
        }
        let n = self.chats.len() as u32;
        self.numbers.insert(self.key.clone(), n);
        self.chats.push(Chat { first: first.to_vec(), second: second.to_vec(), room });
        Some(n)
    }

    pub(super) fn get(&self, n: u32) -> Option<&Chat> {
        self.chats.get(n as usize)
    }

    pub(super) fn len(&self) -> usize {
        self.chats.len()
    }

    /// Heap bytes held, by capacity.
    pub(super) fn heap_bytes(&self) -> usize {
        let keys: usize = self.numbers.keys().map(|k| k.capacity()).sum();
        let names: usize = self.chats.iter().map(|c| c.first.capacity() + c.second.capacity()).sum();
        crate::numhash::table_bytes(&self.numbers) + keys + self.chats.capacity() * std::mem::size_of::<Chat>() + names + self.key.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: (&[u8], bool) = (b"alice", false);
    const BOB: (&[u8], bool) = (b"bob_k", false);
    const ROOM: (&[u8], bool) = (b"alice", true);

    #[test]
    fn numbers_count_from_zero_in_order_of_first_appearance() {
        let mut c = Chats::default();
        assert_eq!(c.number(BOB, ALICE, true), Some(0));
        assert_eq!(c.number(ALICE, ROOM, true), Some(1));
        assert_eq!(c.get(0), Some(&Chat { first: b"bob_k".to_vec(), second: b"alice".to_vec(), room: false }));
        assert_eq!(c.get(1), Some(&Chat { first: b"alice".to_vec(), second: b"alice".to_vec(), room: true }));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn a_pair_of_users_is_one_chat_either_way_round() {
        let mut c = Chats::default();
        let n = c.number(ALICE, BOB, true);
        assert_eq!(c.number(BOB, ALICE, true), n);
        assert_eq!(c.number(BOB, ALICE, false), n);
        // A room is its own party: the room "alice" is not the user alice.
        assert_eq!(c.number(ROOM, BOB, true), Some(1));
        assert_eq!(c.number(BOB, ROOM, false), Some(1));
        assert_eq!(c.number(ROOM, ROOM, true), None);
    }

    #[test]
    fn later_passes_find_numbers_and_make_none() {
        let mut c = Chats::default();
        assert_eq!(c.number(ALICE, BOB, false), None);
        assert_eq!(c.len(), 0);
        // Names that run into each other are still two different pairs.
        assert_eq!(c.number((b"ab", false), (b"c", false), true), Some(0));
        assert_eq!(c.number((b"a", false), (b"bc", false), true), Some(1));
    }
}
