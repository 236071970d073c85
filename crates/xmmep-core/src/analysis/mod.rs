//! The analysis across messages (docs/decisions.md 38-43, 51, 52): which
//! request a response answers, which original a forward or relay passes on,
//! the file transfer each negotiation message belongs to, who is logged in
//! on a conversation, and the chat each message between two parties is
//! part of. Pure Rust: the plugin feeds [`Tracker`] on its first pass
//! and reads the links back on every pass.
//!
//! Its twin is the Lua script's analysis, `lua/src/analysis.lua`, which
//! implements the same facts, tracker and ordinals over the same relations
//! (the generator writes them from the table).
//! `crates/xmmep-lua-tests/tests/analysis.rs` keeps the two equal on random
//! conversations, and `tests/analysis.rs` compares the plugin and the
//! script through tshark. A change here is a change there.

mod chats;
mod facts;
mod links;
mod relations;
mod store;
mod tracker;

pub use chats::{Chat, MAX_CHATS};
pub use facts::{Facts, Side};
pub use links::{Link, Links, MsgRef, Transfer};
pub use relations::{PartyId, Relations, Roles, UserField};
pub use tracker::{Tracker, MAX_KEYS, MAX_LISTED_FORWARDS, MAX_PENDING};

/// Numbers the XMMEP messages of a frame in the order one dissection of it
/// shows them, so that every pass names a message alike. A frame dissected
/// again at once (the GUI redraws a packet) starts over: the count repeats
/// modulo the number of messages the first pass saw.
#[derive(Debug, Default, Clone, Copy)]
pub struct Ordinals {
    frame: u32,
    next: u32,
}

impl Ordinals {
    /// The place of the next message of `frame`; `seen` is how many the
    /// first pass saw there (0 on the first pass itself).
    pub fn next(&mut self, frame: u32, seen: u16) -> MsgRef {
        if frame != self.frame {
            *self = Ordinals { frame, next: 0 };
        }
        let n = self.next;
        self.next += 1;
        let index = if seen > 0 { n % seen as u32 } else { n };
        MsgRef { frame, index: index.min(u16::MAX as u32) as u16 }
    }
}
