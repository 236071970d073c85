//! Secondary conversations: announcing an address and port so that the
//! traffic to it is decoded by a given dissector, the file-scoped data kept
//! for such a conversation and per frame.
//! Over `wireshark-headers/shim_conv.{h,c}` (TRY/CATCH like the shim).
//!
//! The data lives in Wireshark's file scope (`wmem_file_scope`): it is
//! released when the capture closes, and a [`ConvData`] or [`FrameBytes`]
//! borrowed during one dissector call is valid for that call (`'a`).
//! Callers write it on the first pass only ([`Pinfo::visited`]).

use std::ffi::{c_char, CStr};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use super::cstr::c_text;
use super::epan::{shim, EpanResult, Packet, Pinfo};
use super::ids::{Handle, Protocol};
use super::sys;

/// The transport of an announced endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transport {
    Tcp,
    Udp,
}

/// What an announcement says of the conversation it sets up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Announcement<'s> {
    /// What the conversation carries, in the caller's own numbering (read
    /// back with [`ConvData::tag`]).
    pub(crate) tag: i32,
    /// Whether an earlier announcement of the same endpoint with the same
    /// tag stays (and is returned); otherwise this one starts a new
    /// conversation, as new traffic on the same port does (or, when no
    /// traffic reached the earlier one yet, takes over its data: no frame
    /// can tell the two apart, and a Wireshark conversation is costly).
    pub(crate) keep_earlier: bool,
    /// A name kept with the conversation.
    pub(crate) name: Option<&'s str>,
    /// A length the announcement gives (negative: none).
    pub(crate) length: Option<i64>,
}

impl<'a> Packet<'a> {
    /// Whether TCP says this segment carries FIN (the `data` of a TCP
    /// subdissector is a `struct tcpinfo *`, or NULL elsewhere).
    pub(crate) fn tcp_fin(&self) -> bool {
        if self.data.is_null() {
            return false;
        }
        // SAFETY: TCP calls its conversation dissectors with a valid
        // `struct tcpinfo *` as `data`; only that dissector calls this.
        let flags = unsafe { (*(self.data as *const sys::tcpinfo)).flags };
        u32::from(flags) & sys::TH_FIN != 0
    }
}

/// The data of an announced conversation (file scope).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConvData<'a> {
    ptr: NonNull<sys::shim_conv_data_t>,
    _life: PhantomData<&'a mut sys::shim_conv_data_t>,
}

impl<'a> ConvData<'a> {
    fn new(ptr: *mut sys::shim_conv_data_t) -> Option<Self> {
        NonNull::new(ptr).map(|ptr| ConvData { ptr, _life: PhantomData })
    }

    fn get(&self) -> &sys::shim_conv_data_t {
        // SAFETY: the pointer came from shim_conv_announce/lookup: a
        // wmem_file_scope struct alive until the file closes, which is
        // after this dissector call ('a); dissection is single-threaded.
        unsafe { self.ptr.as_ref() }
    }

    /// The frame whose message announced the conversation.
    pub(crate) fn setup_frame(&self) -> u32 {
        self.get().setup_frame
    }

    /// What the conversation carries ([`Announcement::tag`]).
    pub(crate) fn tag(&self) -> i32 {
        self.get().tag
    }

    /// The announced length, if one was given.
    pub(crate) fn length(&self) -> Option<i64> {
        let s = self.get().length;
        (s >= 0).then_some(s)
    }

    /// The announced name, if one was given.
    pub(crate) fn name(&self) -> Option<String> {
        let p = self.get().name;
        // SAFETY: NULL or a NUL-terminated copy in file scope (wmem_strdup).
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }

    /// Bytes counted so far, and the last frame that had some.
    pub(crate) fn progress(&self) -> (u64, u32) {
        (self.get().bytes_seen, self.get().last_frame)
    }

    /// Records the count after frame `frame` (first pass).
    pub(crate) fn set_progress(&self, bytes_seen: u64, frame: u32) {
        // SAFETY: as in `get`; no other reference to the struct is live
        // (ConvData hands out copies of fields only).
        unsafe {
            let d = self.ptr.as_ptr();
            (*d).bytes_seen = bytes_seen;
            (*d).last_frame = frame;
        }
    }
}

/// Announces `ip:port` (any peer): the traffic to it is dissected by
/// `handle`, with new conversation data under `key` (see shim_conv.h).
pub(crate) fn announce<'a>(
    pinfo: Pinfo<'a>,
    transport: Transport,
    ip: [u8; 4],
    port: u16,
    handle: Handle,
    key: Protocol,
    what: &Announcement<'_>,
) -> EpanResult<Option<ConvData<'a>>> {
    let name = what.name.map(c_text);
    let name_ptr: *const c_char = name.as_ref().map_or(ptr::null(), |n| n.as_ptr());
    let length = what.length.filter(|s| *s >= 0).unwrap_or(-1);
    let mut out = ptr::null_mut();
    // SAFETY: valid pinfo; a process-lifetime handle; `name` outlives the
    // call (the C side copies it into file scope); exceptions caught.
    shim(|e| unsafe {
        sys::shim_conv_announce(
            pinfo.as_ptr(),
            (transport == Transport::Udp) as i32,
            u32::from_be_bytes(ip),
            port,
            handle.as_ptr(),
            key.0,
            what.tag,
            what.keep_earlier as i32,
            name_ptr,
            length,
            &mut out,
            e,
        )
    })?;
    Ok(ConvData::new(out))
}

/// The data under `key` of this packet's conversation, if it was announced.
pub(crate) fn lookup(pinfo: Pinfo<'_>, key: Protocol) -> EpanResult<Option<ConvData<'_>>> {
    let mut out = ptr::null_mut();
    // SAFETY: valid pinfo; exceptions caught.
    shim(|e| unsafe { sys::shim_conv_lookup(pinfo.as_ptr(), key.0, &mut out, e) })?;
    Ok(ConvData::new(out))
}

/// What the first pass counted of the bytes of a conversation up to one
/// frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FrameBytes {
    /// Bytes before this frame's, and with them.
    pub(crate) before: u64,
    pub(crate) after: u64,
}

/// The record of this frame under `key`, if the first pass made one.
pub(crate) fn frame_bytes(pinfo: Pinfo<'_>, key: Protocol) -> Option<FrameBytes> {
    // SAFETY: valid pinfo; p_get_proto_data only reads a list.
    let p = unsafe { sys::shim_frame_bytes_get(pinfo.as_ptr(), key.0) };
    // SAFETY: NULL or the file-scope record made by `set_frame_bytes`.
    (!p.is_null()).then(|| unsafe { FrameBytes { before: (*p).before, after: (*p).after } })
}

/// Stores this frame's record under `key` (first pass).
pub(crate) fn set_frame_bytes(pinfo: Pinfo<'_>, key: Protocol, f: FrameBytes) -> EpanResult<()> {
    let mut out = ptr::null_mut();
    // SAFETY: valid pinfo; exceptions caught.
    shim(|e| unsafe { sys::shim_frame_bytes_add(pinfo.as_ptr(), key.0, &mut out, e) })?;
    if !out.is_null() {
        // SAFETY: a fresh zeroed file-scope record nobody else refers to yet.
        unsafe {
            (*out).before = f.before;
            (*out).after = f.after;
        }
    }
    Ok(())
}
