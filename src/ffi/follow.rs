//! A follower (Analyze > Follow > NAME Stream, `tshark -z
//! follow,NAME,ascii,N`) fed with lines of text, its streams numbered by a
//! field the caller names: the shim's `shim_follow_*`
//! (wireshark-headers/shim_follow.h) behind a safe API.
//!
//! The dissector queues each line with [`Follower::queue`] (nothing is
//! built when no follower listens); the shim's tap handler keeps the lines
//! of the stream being followed. Wireshark asks the caller's [`FollowSpec`]
//! for the stream of a frame (following the selected packet) and for the
//! number of streams; those callbacks catch every panic.

use std::ffi::c_int;

use super::cstr::{c_text, leak_cstr};
use super::epan::Packet;
use super::guard;
use super::ids::Protocol;
use super::sys;
use super::tap::TapId;

/// What Wireshark asks of the caller about its streams.
pub(crate) trait FollowSpec: 'static {
    /// The stream of frame `frame`, if it has one.
    fn stream_of_frame(frame: u32) -> Option<u32>;
    /// How many streams the open capture holds.
    fn stream_count() -> u32;
}

/// A registered follower's tap.
#[derive(Clone, Copy)]
pub(crate) struct Follower {
    tap: TapId,
}

unsafe extern "C" fn stream_of_frame<S: FollowSpec>(frame: u32, out: *mut u32) -> c_int {
    // SAFETY: the shim passes a pointer to its own local.
    unsafe { guard::found_u32("follow", out, || S::stream_of_frame(frame)) }
}

unsafe extern "C" fn stream_count<S: FollowSpec>() -> u32 {
    guard::catch(S::stream_count).unwrap_or_else(|p| {
        guard::print("follow", &p);
        0
    })
}

/// Registers tap `tap_name` and the follower of `proto` on it, whose
/// stream N is the display filter `STREAM_FIELD == N`. Call during
/// registration, after the field is registered.
pub(crate) fn register_follower<S: FollowSpec>(proto: Protocol, tap_name: &str, stream_field: &str) -> Follower {
    let tap = TapId::register(tap_name);
    // SAFETY: the strings are leaked (the shim keeps them); registration
    // does not throw; the callbacks are extern "C" and catch panics.
    unsafe { sys::shim_follow_register(proto.0, leak_cstr(tap_name), leak_cstr(stream_field), Some(stream_of_frame::<S>), Some(stream_count::<S>)) };
    Follower { tap }
}

impl Follower {
    /// Whether a follower reads the lines now.
    pub(crate) fn listening(self) -> bool {
        self.tap.listening()
    }

    /// Queues `text`, a line of stream `stream` said by node 1
    /// (`node1_speaks`) or node 0, whose names are `nodes`.
    pub(crate) fn queue(self, pkt: &Packet<'_>, stream: u32, node1_speaks: bool, nodes: [&str; 2], text: &str) {
        let (a, b) = (c_text(nodes[0]), c_text(nodes[1]));
        // SAFETY: the names are NUL-terminated and `text` is valid for its
        // length; the shim copies all three into the packet's pool before
        // returning. pinfo is the packet's.
        unsafe {
            sys::shim_follow_queue(self.tap.raw(), pkt.pinfo.as_ptr(), stream, c_int::from(node1_speaks), a.as_ptr(), b.as_ptr(), text.as_ptr().cast(), text.len());
        }
    }
}
