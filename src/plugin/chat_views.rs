//! The windows that show chats (`xmmep.chat`): Analyze > Follow > XMMEP
//! Chat (`tshark -z follow,xmmep,ascii,N`), one line per event as
//! `xmmep_core::transcript` writes it, and the XMMEP tab of Statistics >
//! Conversations and Endpoints (`tshark -z conv,xmmep`, `-z
//! endpoints,xmmep`), users and rooms with the messages and bytes of
//! their chats.
//!
//! Each chat event counts once: a relayed copy (a message whose original
//! the capture holds: `xmmep.forward_of`) adds no line and no row. Nothing
//! is built when neither the follower nor tap `xmmep` has a listener.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use xmmep_core::codec::{Decoded, Decoder};
use xmmep_core::presentation::{analysis as fields, transcript as names, PROTOCOL};
use xmmep_core::transcript;

use crate::ffi::conv_table::{self, ConvRow, ConvTableSpec};
use crate::ffi::follow::{self, FollowSpec, Follower};
use crate::ffi::tap::Tap;
use crate::ffi::{Packet, Protocol};

use super::capture;
use super::links::{self, Analysis, Observed};
use super::state::STATE;
use super::stats::{ChatRecord, TapRecord};

/// The follower, set at registration.
static FOLLOWER: OnceLock<Follower> = OnceLock::new();

/// The last frame with a chat event and its chat, for the GUI's questions
/// about the selected packet (Follow, Conversation Filter): it has just
/// been dissected. Frame in the high half, chat in the low half.
static LAST: AtomicU64 = AtomicU64::new(u64::MAX);

/// Registers the follower and the tab (over `messages`, tap `xmmep`).
/// Call from `register_protoinfo`, after the fields.
pub(crate) fn register(proto: Protocol, messages: Tap<TapRecord>) {
    let stream_field = format!("{}.{}", PROTOCOL.filter, fields::CHAT.abbrev);
    let user_field = format!("{}.{}", PROTOCOL.filter, fields::USER.abbrev);
    let follower = follow::register_follower::<Views>(proto, names::FOLLOW_TAP, &stream_field);
    conv_table::register_conv_table::<Views>(proto, messages, PROTOCOL.filter, PROTOCOL.short, &stream_field, &user_field);
    let _ = FOLLOWER.set(follower);
}

/// A chat message: queues its line to the follower, and returns what it
/// adds to tap `xmmep` (`messages_listening`: whether that tap has a
/// listener). None for a message of no chat, a relayed copy, or when
/// nobody listens.
#[allow(clippy::too_many_arguments)]
pub(crate) fn message(messages_listening: bool, pkt: &Packet<'_>, an: &Analysis, obs: &Observed, dec: &Decoder<'_>, msg: &[u8], decoded: &Decoded) -> Option<ChatRecord> {
    let n = obs.chat()?;
    LAST.store(u64::from(pkt.pinfo.frame()) << 32 | u64::from(n), Ordering::Relaxed);
    let follower = *FOLLOWER.get()?;
    let following = follower.listening();
    if !(following || messages_listening) || obs.relayed() {
        return None;
    }
    let file = links::file_label(an, obs);
    let event = transcript::event(dec.schema, dec.opts.charset, msg, decoded, file.name.as_deref())?;
    let (_, chat) = links::chat_parties(an, obs)?;
    let (first, second) = (dec.opts.charset.decode(&chat.first), dec.opts.charset.decode(&chat.second));
    let first_acts = event.parties().0 == first;
    if following {
        let secs = pkt.pinfo.time_ns().div_euclid(1_000_000_000);
        follower.queue(pkt, n, !first_acts, [&first, &second], &event.line(secs));
    }
    Some(ChatRecord { chat: n, first_acts, bytes: u32::try_from(msg.len()).unwrap_or(u32::MAX) })
}

struct Views;

fn last_chat(frame: u32) -> Option<u32> {
    let last = LAST.load(Ordering::Relaxed);
    (last != u64::MAX && (last >> 32) as u32 == frame).then_some(last as u32)
}

impl FollowSpec for Views {
    fn stream_of_frame(frame: u32) -> Option<u32> {
        last_chat(frame)
    }

    fn stream_count() -> u32 {
        capture::lock().as_ref().map_or(0, |c| u32::try_from(c.tracker.chats()).unwrap_or(u32::MAX))
    }
}

impl ConvTableSpec for Views {
    type Record = TapRecord;

    fn row(record: &TapRecord, add: &mut dyn FnMut(ConvRow<'_>)) {
        let (Some(c), Some(state)) = (record.chat, STATE.get()) else { return };
        let capture = capture::lock();
        let Some(chat) = capture.as_ref().and_then(|cap| cap.tracker.chat_parties(c.chat)) else { return };
        let charset = state.charset();
        let (first, second) = (charset.decode(&chat.first), charset.decode(&chat.second));
        let (from, to) = if c.first_acts { (&first, &second) } else { (&second, &first) };
        // A room is a party of conversations, not an endpoint: its members
        // received, each on their own connection.
        let to_is_endpoint = !chat.room;
        add(ConvRow { from, to, to_is_endpoint, conv: c.chat, bytes: c.bytes });
    }

    fn conv_of_frame(frame: u32) -> Option<u32> {
        last_chat(frame)
    }
}
