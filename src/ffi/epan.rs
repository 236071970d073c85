//! Safe(ish) wrappers for the epan calls a dissector makes while dissecting:
//! tvb access, tree items, expert infos, columns, conversations.
//!
//! Every call that can throw a Wireshark exception goes through the C shim
//! (`shim_*`, TRY/CATCH_ALL), which turns the exception into an
//! [`EpanError`]. Nothing here can longjmp through Rust frames.
//!
//! The handle types ([`Tvb`], [`Pinfo`], [`Tree`], [`Item`]) are `Copy`
//! pointers valid for the lifetime `'a` of one dissector call; they are only
//! created by the entry trampolines in `entry.rs` from the pointers
//! Wireshark passes, or derived from those by the methods below.

use std::ffi::{c_int, c_void};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use super::cstr::{c_text, Text};
use super::ids::{EiId, EttId, Handle, HfId, Protocol};
use super::sys;

/// A Wireshark exception caught by the shim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EpanError {
    /// The exception code (`sys::BoundsError` ... `sys::ReassemblyError`).
    pub(crate) code: i32,
    /// The exception's message, empty if it had none.
    pub(crate) message: String,
}

impl EpanError {
    /// Name of the exception, as in `epan/exceptions.h`.
    pub(crate) fn name(&self) -> &'static str {
        match self.code as u32 {
            sys::BoundsError => "BoundsError",
            sys::ContainedBoundsError => "ContainedBoundsError",
            sys::ReportedBoundsError => "ReportedBoundsError",
            sys::FragmentBoundsError => "FragmentBoundsError",
            sys::TypeError => "TypeError",
            sys::DissectorError => "DissectorError",
            sys::ScsiBoundsError => "ScsiBoundsError",
            sys::OutOfMemoryError => "OutOfMemoryError",
            sys::ReassemblyError => "ReassemblyError",
            _ => "unknown exception",
        }
    }
}

impl std::fmt::Display for EpanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.message.is_empty() {
            write!(f, "{}", self.name())
        } else {
            write!(f, "{}: {}", self.name(), self.message)
        }
    }
}

impl std::error::Error for EpanError {}

/// Result of an epan call made through the shim.
pub(crate) type EpanResult<T> = Result<T, EpanError>;

/// Runs one shim call with a fresh exception record and converts its code.
pub(crate) fn shim(call: impl FnOnce(*mut sys::shim_exc_t) -> c_int) -> EpanResult<()> {
    // Not zeroed: every wrapper clears the record before its call (GUARDED),
    // and this runs for every item, where zeroing 260 bytes shows.
    let mut exc = std::mem::MaybeUninit::<sys::shim_exc_t>::uninit();
    let rc = call(exc.as_mut_ptr());
    if rc == 0 {
        return Ok(());
    }
    // SAFETY: a wrapper that returns an exception code has written the
    // record: `message` NUL-terminated (shim_exc_record fills it with
    // g_strlcpy, which terminates within the buffer, or clears it).
    let msg = unsafe { std::ffi::CStr::from_ptr((*exc.as_ptr()).message.as_ptr()) };
    Err(EpanError { code: rc, message: msg.to_string_lossy().into_owned() })
}

/// `label`, when it may be set whole (`Batch::add_item_text`) in place of
/// Wireshark's label of a name-only item (FT_NONE, FT_PROTOCOL) plus an
/// appended text, with the same result: when it fits Wireshark's label
/// buffer (past it, the two ways truncate differently) and has no control
/// characters (which not every release escapes alike in both ways). Having
/// none, it has no NUL either: it goes to Wireshark as it is.
pub(crate) fn label_settable(label: &str) -> Option<Text<'_>> {
    let settable = label.len() < sys::SHIM_ITEM_LABEL_LENGTH as usize && !label.bytes().any(|b| b < 0x20 || b == 0x7f);
    settable.then_some(Text::checked(label))
}

/// Column identifiers (`COL_PROTOCOL`, `COL_INFO`, ...).
pub(crate) type Column = c_int;
/// The protocol column.
pub(crate) const COL_PROTOCOL: Column = sys::COL_PROTOCOL as Column;
/// The info column.
pub(crate) const COL_INFO: Column = sys::COL_INFO as Column;

/// Field encodings (`ENC_ASCII`, `ENC_BIG_ENDIAN`, ...), re-exported.
pub(crate) use sys::{ENC_GB18030, ENC_NA, ENC_UTF_8};

// ---------------------------------------------------------------------------

/// A tvbuff (packet data) valid for `'a`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tvb<'a> {
    ptr: NonNull<sys::tvbuff_t>,
    _life: PhantomData<&'a sys::tvbuff_t>,
}

impl<'a> Tvb<'a> {
    /// # Safety
    /// `ptr` must be a tvbuff that stays valid for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut sys::tvbuff_t) -> Option<Self> {
        NonNull::new(ptr).map(|ptr| Tvb { ptr, _life: PhantomData })
    }

    /// The raw pointer, for bindings not wrapped here.
    pub(crate) fn as_ptr(self) -> *mut sys::tvbuff_t {
        self.ptr.as_ptr()
    }

    /// Bytes actually captured.
    pub(crate) fn captured_len(self) -> u32 {
        // SAFETY: valid tvb (type invariant); tvb_captured_length does not throw.
        let n = unsafe { sys::tvb_captured_length(self.as_ptr()) };
        n as u32
    }

    /// Length on the wire (may exceed the captured length).
    pub(crate) fn reported_len(self) -> u32 {
        // SAFETY: valid tvb (type invariant); tvb_reported_length does not throw.
        let n = unsafe { sys::tvb_reported_length(self.as_ptr()) };
        n as u32
    }

    /// All captured bytes, zero-copy, valid as long as the tvb.
    pub(crate) fn bytes(self) -> EpanResult<&'a [u8]> {
        let len = self.captured_len();
        self.slice(0, len)
    }

    /// `len` bytes from `offset` converted from `encoding` (ENC_UTF_8,
    /// ENC_GB18030, ...) by Wireshark itself, so text built by the plugin
    /// (labels, Info) reads exactly as Wireshark shows string fields. The
    /// result ends at the first NUL, as C strings do.
    pub(crate) fn string(self, offset: u32, len: u32, encoding: u32) -> EpanResult<String> {
        let (Ok(off), Ok(l)) = (i32::try_from(offset), i32::try_from(len)) else {
            return Err(EpanError { code: sys::BoundsError as i32, message: "offset or length too large".into() });
        };
        let mut p: *const u8 = ptr::null();
        // SAFETY: valid tvb; the shim catches a bounds exception and writes
        // `p` only on success.
        shim(|e| unsafe { sys::shim_tvb_get_string(self.as_ptr(), off, l, encoding, &mut p, e) })?;
        if p.is_null() {
            return Ok(String::new());
        }
        // SAFETY: tvb_get_string_enc returned a NUL-terminated UTF-8 string
        // of its own allocation, which we copy and then free exactly once.
        Ok(unsafe {
            let text = std::ffi::CStr::from_ptr(p.cast()).to_string_lossy().into_owned();
            sys::shim_string_free(p);
            text
        })
    }

    /// `len` captured bytes from `offset`, zero-copy.
    pub(crate) fn slice(self, offset: u32, len: u32) -> EpanResult<&'a [u8]> {
        if len == 0 {
            return Ok(&[]);
        }
        let (Ok(off), Ok(l)) = (i32::try_from(offset), i32::try_from(len)) else {
            return Err(EpanError { code: sys::BoundsError as i32, message: "offset or length too large".into() });
        };
        let mut p: *const u8 = ptr::null();
        // SAFETY: valid tvb; the shim catches the exception tvb_get_ptr throws
        // when the range is not captured, and writes `p` only on success.
        shim(|e| unsafe { sys::shim_tvb_get_ptr(self.as_ptr(), off, l, &mut p, e) })?;
        if p.is_null() {
            return Err(EpanError { code: sys::BoundsError as i32, message: "tvb_get_ptr returned NULL".into() });
        }
        // SAFETY: tvb_get_ptr succeeded, so `len` bytes at `p` are captured
        // data owned by the tvb, which outlives 'a and is never mutated
        // while a dissector runs.
        Ok(unsafe { std::slice::from_raw_parts(p, len as usize) })
    }
}

// ---------------------------------------------------------------------------

/// Per-packet information (`packet_info`), valid for `'a`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pinfo<'a> {
    ptr: NonNull<sys::packet_info>,
    _life: PhantomData<&'a mut sys::packet_info>,
}

impl<'a> Pinfo<'a> {
    /// # Safety
    /// `ptr` must be the packet_info of the running dissection, valid for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut sys::packet_info) -> Option<Self> {
        NonNull::new(ptr).map(|ptr| Pinfo { ptr, _life: PhantomData })
    }

    /// The raw pointer, for bindings not wrapped here.
    pub(crate) fn as_ptr(self) -> *mut sys::packet_info {
        self.ptr.as_ptr()
    }

    /// Whether the packet has columns: not with `-T fields` or `-V` alone,
    /// where the Info text would be made for nobody.
    pub(crate) fn has_columns(self) -> bool {
        // SAFETY: valid pinfo for the dissection; reads one pointer field.
        unsafe { !(*self.as_ptr()).cinfo.is_null() }
    }

    /// Replaces the column text (copied).
    pub(crate) fn col_set(self, col: Column, text: &str) -> EpanResult<()> {
        let t = c_text(text);
        // SAFETY: valid pinfo; `t` outlives the call and Wireshark copies it.
        shim(|e| unsafe { sys::shim_col_set(self.as_ptr(), col, t.as_ptr(), e) })
    }

    /// Appends to the column text (copied).
    pub(crate) fn col_append(self, col: Column, text: &str) -> EpanResult<()> {
        let t = c_text(text);
        // SAFETY: as for col_set.
        shim(|e| unsafe { sys::shim_col_append(self.as_ptr(), col, t.as_ptr(), e) })
    }

    /// Replaces the whole column text, text before a fence included.
    pub(crate) fn col_rewrite(self, col: Column, text: &str) -> EpanResult<()> {
        let t = c_text(text);
        // SAFETY: as for col_set.
        shim(|e| unsafe { sys::shim_col_rewrite(self.as_ptr(), col, t.as_ptr(), e) })
    }

    /// The column's text (empty when the packet has no columns).
    pub(crate) fn col_get(self, col: Column) -> String {
        // SAFETY: valid pinfo; the shim only reads; the text is copied
        // before any other call can change the column.
        unsafe {
            let p = sys::shim_col_get(self.as_ptr(), col);
            if p.is_null() {
                String::new()
            } else {
                std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
            }
        }
    }

    /// Makes `handle` the dissector of this packet's conversation (both
    /// directions of the TCP stream / UDP flow), e.g. after a heuristic hit.
    pub(crate) fn set_conversation_dissector(self, handle: Handle) -> EpanResult<()> {
        // SAFETY: valid pinfo; handle was returned by Wireshark and lives for
        // the whole process.
        shim(|e| unsafe { sys::shim_conversation_set_dissector(self.as_ptr(), handle.as_ptr(), e) })
    }

    /// The frame number of the packet.
    pub(crate) fn frame(self) -> u32 {
        // SAFETY: valid pinfo; the shim only reads it.
        unsafe { sys::shim_frame_number(self.as_ptr()) }
    }

    /// Whether the frame was dissected before (a later pass, or the GUI
    /// redrawing it): state is then read, never changed.
    pub(crate) fn visited(self) -> bool {
        // SAFETY: valid pinfo (its frame_data is always set); the shim only reads.
        unsafe { sys::shim_frame_visited(self.as_ptr()) != 0 }
    }

    /// The frame's absolute time in nanoseconds since the epoch.
    pub(crate) fn time_ns(self) -> i64 {
        let (mut secs, mut nsecs) = (0i64, 0i32);
        // SAFETY: valid pinfo; the out-pointers are live locals.
        unsafe { sys::shim_frame_time(self.as_ptr(), &mut secs, &mut nsecs) };
        secs.saturating_mul(1_000_000_000).saturating_add(nsecs as i64)
    }

    /// A key of the packet's conversation: its transport and both
    /// endpoints, the same in both directions (the Lua script's is built
    /// the same way); and the direction, whether the source is the key's
    /// first endpoint. Creates no conversation.
    pub(crate) fn conversation_key(self) -> (u64, bool) {
        let mut src_first = 0;
        // SAFETY: valid pinfo; the shim only reads its addresses and ports;
        // the out-pointer is a live local.
        let key = unsafe { sys::shim_conversation_key(self.as_ptr(), &mut src_first) };
        (key, src_first != 0)
    }

    /// Whether column `col` currently reads exactly `text` (false when the
    /// packet has no columns).
    pub(crate) fn col_text_is(self, col: Column, text: &str) -> bool {
        let t = c_text(text);
        // SAFETY: valid pinfo; the shim only reads the column; `t` outlives
        // the call.
        unsafe { sys::shim_col_text_is(self.as_ptr(), col, t.as_ptr()) != 0 }
    }

    /// Expert info on `item` (None: the packet), with the registered summary
    /// (`text` None) or a custom text.
    pub(crate) fn expert(self, item: Option<Item<'a>>, ei: EiId, text: Option<&str>) -> EpanResult<()> {
        let t = text.map(c_text);
        let tp = t.as_ref().map_or(ptr::null(), |t| t.as_ptr());
        let ip = item.map_or(ptr::null_mut(), |i| i.as_ptr());
        // SAFETY: valid pinfo; `ip` is NULL or an item of this packet; `ei`
        // is a registered, process-lifetime expert_field; `t` outlives the call.
        shim(|e| unsafe { sys::shim_expert_add_info(self.as_ptr(), ip, ei.as_ptr(), tp, e) })
    }
}

// ---------------------------------------------------------------------------

/// A protocol tree node; may be NULL (no tree wanted), which every call
/// accepts (Wireshark then only does what filters and columns need).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tree<'a> {
    ptr: *mut sys::proto_tree,
    _life: PhantomData<&'a mut sys::proto_tree>,
}

/// A protocol tree item; may be NULL when no tree is built.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Item<'a> {
    ptr: *mut sys::proto_item,
    _life: PhantomData<&'a mut sys::proto_item>,
}

macro_rules! add_value {
    ($(#[$m:meta])* $name:ident, $shim:ident, $t:ty) => {
        $(#[$m])*
        pub(crate) fn $name(self, hf: HfId, tvb: Tvb<'a>, start: i32, len: i32, value: $t) -> EpanResult<Item<'a>> {
            let mut out = ptr::null_mut();
            // SAFETY: tree NULL or valid for 'a; tvb valid; hf registered.
            // Range/type errors are exceptions, caught by the shim.
            shim(|e| unsafe {
                sys::$shim(self.ptr, hf.get(), tvb.as_ptr(), start, len, value as _, &mut out, e)
            })?;
            Ok(Item::from_raw(out))
        }
    };
}

impl<'a> Tree<'a> {
    /// # Safety
    /// `ptr` must be NULL or a tree node valid for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut sys::proto_tree) -> Self {
        Tree { ptr, _life: PhantomData }
    }

    /// The raw pointer (may be NULL).
    pub(crate) fn as_ptr(self) -> *mut sys::proto_tree {
        self.ptr
    }

    /// `proto_tree_add_item`: the value is read from the tvb with `encoding`.
    pub(crate) fn add_item(self, hf: HfId, tvb: Tvb<'a>, start: i32, len: i32, encoding: u32) -> EpanResult<Item<'a>> {
        let mut out = ptr::null_mut();
        // SAFETY: tree NULL or valid; tvb valid; exceptions caught by the shim.
        shim(|e| unsafe { sys::shim_tree_add_item(self.ptr, hf.get(), tvb.as_ptr(), start, len, encoding, &mut out, e) })?;
        Ok(Item::from_raw(out))
    }

    /// Whether the tree is shown (not NULL, and not tshark's tree for
    /// filters and fields alone): only then are item labels kept, so only
    /// then are they worth making.
    pub(crate) fn is_visible(self) -> bool {
        // SAFETY: tree NULL or valid for 'a; the shim only reads it.
        unsafe { sys::shim_tree_visible(self.ptr) != 0 }
    }

    /// Whether Wireshark keeps an item of field `hf` in this tree: the tree
    /// is shown, or a filter, column or `-e` references the field. On
    /// another, `add_*` return before they read or convert the value.
    pub(crate) fn is_referenced(self, hf: HfId) -> bool {
        // SAFETY: tree NULL or valid for 'a; `hf` registered, so the shim's
        // proto_field_is_referenced cannot throw; it only reads.
        unsafe { sys::shim_field_is_referenced(self.ptr, hf.get()) != 0 }
    }

    /// The protocol's own item (labelled with the protocol's name),
    /// usually followed by `Item::add_subtree`.
    pub(crate) fn add_protocol(self, proto: Protocol, tvb: Tvb<'a>, start: i32, len: i32) -> EpanResult<Item<'a>> {
        let mut out = ptr::null_mut();
        // SAFETY: as for add_item; a protocol id is a valid hf index.
        shim(|e| unsafe { sys::shim_tree_add_item(self.ptr, proto.0, tvb.as_ptr(), start, len, sys::ENC_NA, &mut out, e) })?;
        Ok(Item::from_raw(out))
    }

    add_value!(
        /// Unsigned field (FT_UINT8..32, FT_CHAR, FT_FRAMENUM) with a given value.
        add_uint, shim_tree_add_uint, u32);
    add_value!(
        /// 64-bit unsigned field with a given value.
        add_uint64, shim_tree_add_uint64, u64);
    add_value!(
        /// 64-bit signed field with a given value.
        add_int64, shim_tree_add_int64, i64);
    /// FT_STRING with a given value (copied by Wireshark; NULs shown as
    /// U+2400, as in [`c_text`]). For a value in the packet, cheaper than
    /// `add_item` when the caller has the text as Wireshark would read it.
    pub(crate) fn add_string<'t>(self, hf: HfId, tvb: Tvb<'a>, start: i32, len: i32, value: impl Into<Text<'t>>) -> EpanResult<Item<'a>> {
        let v = value.into().shown();
        let Ok(vl) = c_int::try_from(v.len()) else {
            return Err(EpanError { code: sys::BoundsError as i32, message: "string too long".into() });
        };
        let mut out = ptr::null_mut();
        // SAFETY: as for add_item; `v` is `vl` readable bytes without NUL
        // that outlive the call (the shim copies and terminates them).
        shim(|e| unsafe { sys::shim_tree_add_string(self.ptr, hf.get(), tvb.as_ptr(), start, len, v.as_ptr().cast(), vl, &mut out, e) })?;
        Ok(Item::from_raw(out))
    }

    /// A new item carrying expert info `ei` (text None: registered summary).
    pub(crate) fn add_expert(self, pinfo: Pinfo<'a>, ei: EiId, tvb: Tvb<'a>, start: i32, len: i32, text: Option<&str>) -> EpanResult<Item<'a>> {
        let t = text.map(c_text);
        let tp = t.as_ref().map_or(ptr::null(), |t| t.as_ptr());
        let mut out = ptr::null_mut();
        // SAFETY: as for add_item; `ei` registered for the process lifetime.
        shim(|e| unsafe { sys::shim_tree_add_expert(self.ptr, pinfo.as_ptr(), ei.as_ptr(), tvb.as_ptr(), start, len, tp, &mut out, e) })?;
        Ok(Item::from_raw(out))
    }
}

impl<'a> Item<'a> {
    pub(super) fn from_raw(ptr: *mut sys::proto_item) -> Self {
        Item { ptr, _life: PhantomData }
    }

    /// The raw pointer (may be NULL).
    pub(crate) fn as_ptr(self) -> *mut sys::proto_item {
        self.ptr
    }

    /// A subtree under this item.
    pub(crate) fn add_subtree(self, ett: EttId) -> EpanResult<Tree<'a>> {
        let mut out = ptr::null_mut();
        // SAFETY: item NULL or valid for 'a; ett registered.
        shim(|e| unsafe { sys::shim_item_add_subtree(self.ptr, ett.get(), &mut out, e) })?;
        // SAFETY: epan returned a node of this packet's tree (or NULL).
        Ok(unsafe { Tree::from_raw(out) })
    }

    /// Appends `text` to the item's label.
    pub(crate) fn append_text(self, text: &str) -> EpanResult<()> {
        let t = c_text(text);
        // SAFETY: item NULL or valid; `t` outlives the call.
        shim(|e| unsafe { sys::shim_item_append_text(self.ptr, t.as_ptr(), e) })
    }

    /// Marks the item as generated (not in the packet bytes: shown in []).
    pub(crate) fn set_generated(self) {
        // SAFETY: item NULL or valid; setting a flag bit cannot throw.
        unsafe { sys::shim_item_set_generated(self.ptr) }
    }
}

// ---------------------------------------------------------------------------

/// Everything one dissector call gets: the data, the packet info, the tree
/// and the opaque `data` argument of the caller.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Packet<'a> {
    /// The data to dissect.
    pub(crate) tvb: Tvb<'a>,
    /// Packet information.
    pub(crate) pinfo: Pinfo<'a>,
    /// Tree to add to (may be NULL).
    pub(crate) tree: Tree<'a>,
    pub(crate) data: *mut c_void,
}

impl<'a> Packet<'a> {
    /// Adds Wireshark's standard item for a caught exception (for bounds
    /// errors the familiar "[Malformed Packet]" / "[Packet size limited
    /// during capture]" with its expert info).
    pub(crate) fn show_exception(&self, err: &EpanError) -> EpanResult<()> {
        let m = c_text(&err.message);
        // SAFETY: valid tvb/pinfo, tree NULL or valid; `m` outlives the call.
        shim(|e| unsafe { sys::shim_show_exception(self.tvb.as_ptr(), self.pinfo.as_ptr(), self.tree.as_ptr(), err.code, m.as_ptr(), e) })
    }
}
