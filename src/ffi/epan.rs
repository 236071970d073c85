//! Safe(ish) wrappers for the epan calls a dissector makes while dissecting:
//! tvb access, tree items, expert infos, columns, conversations, calling
//! other dissectors.
//!
//! Every call that can throw a Wireshark exception goes through the C shim
//! (`xmmep_*`, TRY/CATCH_ALL), which turns the exception into an
//! [`EpanError`]. Nothing here can longjmp through Rust frames.
//!
//! The handle types ([`Tvb`], [`Pinfo`], [`Tree`], [`Item`]) are `Copy`
//! pointers valid for the lifetime `'a` of one dissector call; they are only
//! created by the entry trampolines in `entry.rs` from the pointers
//! Wireshark passes, or derived from those by the methods below.

use std::borrow::Cow;
use std::ffi::{c_int, c_void, CString};
use std::marker::PhantomData;
use std::ptr::{self, NonNull};

use super::registry::{EiId, EttId, Handle, HfId, Protocol};
use super::sys;

/// A Wireshark exception caught by the shim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpanError {
    /// The exception code (`sys::BoundsError` ... `sys::ReassemblyError`).
    pub code: i32,
    /// The exception's message, empty if it had none.
    pub message: String,
}

impl EpanError {
    /// Name of the exception, as in `epan/exceptions.h`.
    pub fn name(&self) -> &'static str {
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

    /// True for the "packet shorter than expected" family of exceptions.
    pub fn is_bounds(&self) -> bool {
        matches!(
            self.code as u32,
            sys::BoundsError
                | sys::ContainedBoundsError
                | sys::ReportedBoundsError
                | sys::FragmentBoundsError
        )
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
pub type EpanResult<T> = Result<T, EpanError>;

/// Runs one shim call with a fresh exception record and converts its code.
pub(crate) fn shim(call: impl FnOnce(*mut sys::xmmep_exc_t) -> c_int) -> EpanResult<()> {
    let mut exc = sys::xmmep_exc_t::default();
    let rc = call(&mut exc);
    if rc == 0 {
        return Ok(());
    }
    // SAFETY: the shim always leaves `message` NUL-terminated (it clears it
    // or fills it with g_strlcpy, which terminates within the buffer).
    let msg = unsafe { std::ffi::CStr::from_ptr(exc.message.as_ptr()) };
    Err(EpanError {
        code: rc,
        message: msg.to_string_lossy().into_owned(),
    })
}

/// A C string for a text shown to the user. Interior NULs (which C would
/// take as the end of the string) are shown as U+2400 instead.
pub(crate) fn c_text(s: &str) -> CString {
    let s: Cow<'_, str> = if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{2400}"))
    } else {
        Cow::Borrowed(s)
    };
    CString::new(s.as_bytes()).expect("NULs were replaced")
}

/// Column identifiers (`COL_PROTOCOL`, `COL_INFO`, ...).
pub type Column = c_int;
/// The protocol column.
pub const COL_PROTOCOL: Column = sys::COL_PROTOCOL as Column;
/// The info column.
pub const COL_INFO: Column = sys::COL_INFO as Column;

/// Field encodings (`ENC_ASCII`, `ENC_BIG_ENDIAN`, ...), re-exported.
pub use sys::{ENC_ASCII, ENC_BIG_ENDIAN, ENC_LITTLE_ENDIAN, ENC_NA, ENC_UTF_8};

// ---------------------------------------------------------------------------

/// A tvbuff (packet data) valid for `'a`.
#[derive(Clone, Copy, Debug)]
pub struct Tvb<'a> {
    ptr: NonNull<sys::tvbuff_t>,
    _life: PhantomData<&'a sys::tvbuff_t>,
}

impl<'a> Tvb<'a> {
    /// # Safety
    /// `ptr` must be a tvbuff that stays valid for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut sys::tvbuff_t) -> Option<Self> {
        NonNull::new(ptr).map(|ptr| Tvb {
            ptr,
            _life: PhantomData,
        })
    }

    /// The raw pointer, for bindings not wrapped here.
    pub fn as_ptr(self) -> *mut sys::tvbuff_t {
        self.ptr.as_ptr()
    }

    /// Bytes actually captured.
    pub fn captured_len(self) -> u32 {
        // SAFETY: valid tvb (type invariant); tvb_captured_length does not throw.
        let n = unsafe { sys::tvb_captured_length(self.as_ptr()) };
        n as u32
    }

    /// Length on the wire (may exceed the captured length).
    pub fn reported_len(self) -> u32 {
        // SAFETY: valid tvb (type invariant); tvb_reported_length does not throw.
        let n = unsafe { sys::tvb_reported_length(self.as_ptr()) };
        n as u32
    }

    /// All captured bytes, zero-copy, valid as long as the tvb.
    pub fn bytes(self) -> EpanResult<&'a [u8]> {
        let len = self.captured_len();
        self.slice(0, len)
    }

    /// `len` bytes from `offset` converted from `encoding` (ENC_UTF_8,
    /// ENC_GB18030, ...) by Wireshark itself, so text built by the plugin
    /// (labels, Info) reads exactly as Wireshark shows string fields. The
    /// result ends at the first NUL, as C strings do.
    pub fn string(self, offset: u32, len: u32, encoding: u32) -> EpanResult<String> {
        let (Ok(off), Ok(l)) = (i32::try_from(offset), i32::try_from(len)) else {
            return Err(EpanError { code: sys::BoundsError as i32, message: "offset or length too large".into() });
        };
        let mut p: *const u8 = ptr::null();
        // SAFETY: valid tvb; the shim catches a bounds exception and writes
        // `p` only on success.
        shim(|e| unsafe { sys::xmmep_tvb_get_string(self.as_ptr(), off, l, encoding, &mut p, e) })?;
        if p.is_null() {
            return Ok(String::new());
        }
        // SAFETY: tvb_get_string_enc returned a NUL-terminated UTF-8 string
        // of its own allocation, which we copy and then free exactly once.
        Ok(unsafe {
            let text = std::ffi::CStr::from_ptr(p.cast()).to_string_lossy().into_owned();
            sys::xmmep_string_free(p);
            text
        })
    }

    /// `len` captured bytes from `offset`, zero-copy.
    pub fn slice(self, offset: u32, len: u32) -> EpanResult<&'a [u8]> {
        if len == 0 {
            return Ok(&[]);
        }
        let (Ok(off), Ok(l)) = (i32::try_from(offset), i32::try_from(len)) else {
            return Err(EpanError {
                code: sys::BoundsError as i32,
                message: "offset or length too large".into(),
            });
        };
        let mut p: *const u8 = ptr::null();
        // SAFETY: valid tvb; the shim catches the exception tvb_get_ptr throws
        // when the range is not captured, and writes `p` only on success.
        shim(|e| unsafe { sys::xmmep_tvb_get_ptr(self.as_ptr(), off, l, &mut p, e) })?;
        if p.is_null() {
            return Err(EpanError {
                code: sys::BoundsError as i32,
                message: "tvb_get_ptr returned NULL".into(),
            });
        }
        // SAFETY: tvb_get_ptr succeeded, so `len` bytes at `p` are captured
        // data owned by the tvb, which outlives 'a and is never mutated
        // while a dissector runs.
        Ok(unsafe { std::slice::from_raw_parts(p, len as usize) })
    }

    /// A sub-tvb of `len` bytes (-1: to the end) starting at `offset`.
    pub fn subset(self, offset: i32, len: i32) -> EpanResult<Tvb<'a>> {
        let mut out: *mut sys::tvbuff_t = ptr::null_mut();
        // SAFETY: valid tvb; exceptions for bad ranges are caught by the shim.
        shim(|e| unsafe {
            sys::xmmep_tvb_new_subset_length(self.as_ptr(), offset, len, &mut out, e)
        })?;
        // SAFETY: a new subset lives as long as its parent (it is freed with
        // the packet's tvb chain), hence for 'a.
        unsafe { Tvb::from_raw(out) }.ok_or_else(|| EpanError {
            code: sys::BoundsError as i32,
            message: "tvb_new_subset_length returned NULL".into(),
        })
    }
}

// ---------------------------------------------------------------------------

/// Per-packet information (`packet_info`), valid for `'a`.
#[derive(Clone, Copy, Debug)]
pub struct Pinfo<'a> {
    ptr: NonNull<sys::packet_info>,
    _life: PhantomData<&'a mut sys::packet_info>,
}

impl<'a> Pinfo<'a> {
    /// # Safety
    /// `ptr` must be the packet_info of the running dissection, valid for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut sys::packet_info) -> Option<Self> {
        NonNull::new(ptr).map(|ptr| Pinfo {
            ptr,
            _life: PhantomData,
        })
    }

    /// The raw pointer, for bindings not wrapped here.
    pub fn as_ptr(self) -> *mut sys::packet_info {
        self.ptr.as_ptr()
    }

    fn fd(self) -> Option<&'a sys::frame_data> {
        // SAFETY: valid pinfo (type invariant); `fd` is NULL or points to the
        // frame's frame_data, which lives for the whole dissection.
        unsafe { (*self.as_ptr()).fd.as_ref() }
    }

    /// Frame number (1-based).
    pub fn frame_number(self) -> u32 {
        self.fd().map_or(0, |fd| fd.num)
    }

    /// True when the frame was already dissected once (second pass, or
    /// clicking in the GUI): state must not be updated again.
    pub fn visited(self) -> bool {
        self.fd().is_some_and(|fd| fd.visited() != 0)
    }

    /// Source port (TCP/UDP), 0 if none.
    pub fn src_port(self) -> u32 {
        // SAFETY: valid pinfo; plain field read.
        unsafe { (*self.as_ptr()).srcport }
    }

    /// Destination port (TCP/UDP), 0 if none.
    pub fn dst_port(self) -> u32 {
        // SAFETY: valid pinfo; plain field read.
        unsafe { (*self.as_ptr()).destport }
    }

    /// Current (innermost) protocol layer's match value: the port for
    /// "tcp.port" / "udp.port" tables.
    pub fn match_uint(self) -> u32 {
        // SAFETY: valid pinfo; plain field read.
        unsafe { (*self.as_ptr()).match_uint }
    }

    /// Replaces the column text (copied).
    pub fn col_set(self, col: Column, text: &str) -> EpanResult<()> {
        let t = c_text(text);
        // SAFETY: valid pinfo; `t` outlives the call and Wireshark copies it.
        shim(|e| unsafe { sys::xmmep_col_set(self.as_ptr(), col, t.as_ptr(), e) })
    }

    /// Appends to the column text (copied).
    pub fn col_append(self, col: Column, text: &str) -> EpanResult<()> {
        let t = c_text(text);
        // SAFETY: as for col_set.
        shim(|e| unsafe { sys::xmmep_col_append(self.as_ptr(), col, t.as_ptr(), e) })
    }

    /// Appends `text`, preceded by `sep` if the column is not empty.
    pub fn col_append_sep(self, col: Column, sep: &str, text: &str) -> EpanResult<()> {
        let (s, t) = (c_text(sep), c_text(text));
        // SAFETY: as for col_set.
        shim(|e| unsafe {
            sys::xmmep_col_append_sep(self.as_ptr(), col, s.as_ptr(), t.as_ptr(), e)
        })
    }

    /// Clears the column.
    pub fn col_clear(self, col: Column) -> EpanResult<()> {
        // SAFETY: valid pinfo.
        shim(|e| unsafe { sys::xmmep_col_clear(self.as_ptr(), col, e) })
    }

    /// Protects the current column text from later col_set/col_clear (used
    /// when several PDUs share one frame).
    pub fn col_set_fence(self, col: Column) -> EpanResult<()> {
        // SAFETY: valid pinfo.
        shim(|e| unsafe { sys::xmmep_col_set_fence(self.as_ptr(), col, e) })
    }

    /// Makes `handle` the dissector of this packet's conversation (both
    /// directions of the TCP stream / UDP flow), e.g. after a heuristic hit.
    pub fn set_conversation_dissector(self, handle: Handle) -> EpanResult<()> {
        // SAFETY: valid pinfo; handle was returned by Wireshark and lives for
        // the whole process.
        shim(|e| unsafe {
            sys::xmmep_conversation_set_dissector(self.as_ptr(), handle.as_ptr(), e)
        })
    }

    /// Whether column `col` currently reads exactly `text` (false when the
    /// packet has no columns).
    pub fn col_text_is(self, col: Column, text: &str) -> bool {
        let t = c_text(text);
        // SAFETY: valid pinfo; the shim only reads the column; `t` outlives
        // the call.
        unsafe { sys::xmmep_col_text_is(self.as_ptr(), col, t.as_ptr()) != 0 }
    }

    /// Expert info on `item` (None: the packet), with the registered summary
    /// (`text` None) or a custom text.
    pub fn expert(self, item: Option<Item<'a>>, ei: EiId, text: Option<&str>) -> EpanResult<()> {
        let t = text.map(c_text);
        let tp = t.as_ref().map_or(ptr::null(), |t| t.as_ptr());
        let ip = item.map_or(ptr::null_mut(), |i| i.as_ptr());
        // SAFETY: valid pinfo; `ip` is NULL or an item of this packet; `ei`
        // is a registered, process-lifetime expert_field; `t` outlives the call.
        shim(|e| unsafe { sys::xmmep_expert_add_info(self.as_ptr(), ip, ei.as_ptr(), tp, e) })
    }
}

// ---------------------------------------------------------------------------

/// A protocol tree node; may be NULL (no tree wanted), which every call
/// accepts (Wireshark then only does what filters and columns need).
#[derive(Clone, Copy, Debug)]
pub struct Tree<'a> {
    ptr: *mut sys::proto_tree,
    _life: PhantomData<&'a mut sys::proto_tree>,
}

/// A protocol tree item; may be NULL when no tree is built.
#[derive(Clone, Copy, Debug)]
pub struct Item<'a> {
    ptr: *mut sys::proto_item,
    _life: PhantomData<&'a mut sys::proto_item>,
}

macro_rules! add_value {
    ($(#[$m:meta])* $name:ident, $shim:ident, $t:ty) => {
        $(#[$m])*
        pub fn $name(self, hf: HfId, tvb: Tvb<'a>, start: i32, len: i32, value: $t) -> EpanResult<Item<'a>> {
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

macro_rules! add_format_value {
    ($(#[$m:meta])* $name:ident, $shim:ident, $t:ty) => {
        $(#[$m])*
        pub fn $name(self, hf: HfId, tvb: Tvb<'a>, start: i32, len: i32, value: $t, text: &str) -> EpanResult<Item<'a>> {
            let t = c_text(text);
            let mut out = ptr::null_mut();
            // SAFETY: as for add_uint; `t` outlives the call (copied by epan).
            shim(|e| unsafe {
                sys::$shim(self.ptr, hf.get(), tvb.as_ptr(), start, len, value as _, t.as_ptr(), &mut out, e)
            })?;
            Ok(Item::from_raw(out))
        }
    };
}

impl<'a> Tree<'a> {
    /// # Safety
    /// `ptr` must be NULL or a tree node valid for `'a`.
    pub(crate) unsafe fn from_raw(ptr: *mut sys::proto_tree) -> Self {
        Tree {
            ptr,
            _life: PhantomData,
        }
    }

    /// The raw pointer (may be NULL).
    pub fn as_ptr(self) -> *mut sys::proto_tree {
        self.ptr
    }

    /// True when Wireshark wants no tree for this packet.
    pub fn is_null(self) -> bool {
        self.ptr.is_null()
    }

    /// `proto_tree_add_item`: the value is read from the tvb with `encoding`.
    pub fn add_item(self, hf: HfId, tvb: Tvb<'a>, start: i32, len: i32, encoding: u32) -> EpanResult<Item<'a>> {
        let mut out = ptr::null_mut();
        // SAFETY: tree NULL or valid; tvb valid; exceptions caught by the shim.
        shim(|e| unsafe {
            sys::xmmep_tree_add_item(self.ptr, hf.get(), tvb.as_ptr(), start, len, encoding, &mut out, e)
        })?;
        Ok(Item::from_raw(out))
    }

    /// The protocol's own item ("X-Messenger Message Exchange Protocol"),
    /// usually followed by `Item::add_subtree`.
    pub fn add_protocol(self, proto: Protocol, tvb: Tvb<'a>, start: i32, len: i32) -> EpanResult<Item<'a>> {
        let mut out = ptr::null_mut();
        // SAFETY: as for add_item; a protocol id is a valid hf index.
        shim(|e| unsafe {
            sys::xmmep_tree_add_item(self.ptr, proto.0, tvb.as_ptr(), start, len, sys::ENC_NA, &mut out, e)
        })?;
        Ok(Item::from_raw(out))
    }

    add_value!(
        /// FT_ABSOLUTE_TIME from whole seconds since the epoch.
        add_time_secs, xmmep_tree_add_time_secs, i64);
    add_value!(
        /// FT_IPv4 from an address in host byte order (a.b.c.d = a<<24|...).
        add_ipv4, xmmep_tree_add_ipv4_host, u32);
    add_value!(
        /// Unsigned field (FT_UINT8..32, FT_CHAR, FT_FRAMENUM) with a given value.
        add_uint, xmmep_tree_add_uint, u32);
    add_value!(
        /// 64-bit unsigned field with a given value.
        add_uint64, xmmep_tree_add_uint64, u64);
    add_value!(
        /// Signed field (FT_INT8..32) with a given value.
        add_int, xmmep_tree_add_int, i32);
    add_value!(
        /// 64-bit signed field with a given value.
        add_int64, xmmep_tree_add_int64, i64);
    add_value!(
        /// FT_DOUBLE field with a given value.
        add_double, xmmep_tree_add_double, f64);

    /// FT_BOOLEAN field with a given value.
    pub fn add_boolean(self, hf: HfId, tvb: Tvb<'a>, start: i32, len: i32, value: bool) -> EpanResult<Item<'a>> {
        let mut out = ptr::null_mut();
        // SAFETY: as for add_item.
        shim(|e| unsafe {
            sys::xmmep_tree_add_boolean(self.ptr, hf.get(), tvb.as_ptr(), start, len, value as u64, &mut out, e)
        })?;
        Ok(Item::from_raw(out))
    }

    /// FT_STRING field with a given value (copied).
    pub fn add_string(self, hf: HfId, tvb: Tvb<'a>, start: i32, len: i32, value: &str) -> EpanResult<Item<'a>> {
        let v = c_text(value);
        let mut out = ptr::null_mut();
        // SAFETY: as for add_item; `v` outlives the call (copied by epan).
        shim(|e| unsafe {
            sys::xmmep_tree_add_string(self.ptr, hf.get(), tvb.as_ptr(), start, len, v.as_ptr(), &mut out, e)
        })?;
        Ok(Item::from_raw(out))
    }

    /// FT_BYTES field whose value is `value` (its length is the item's).
    pub fn add_bytes(self, hf: HfId, tvb: Tvb<'a>, start: i32, value: &[u8]) -> EpanResult<Item<'a>> {
        let len = i32::try_from(value.len()).map_err(|_| EpanError {
            code: sys::BoundsError as i32,
            message: "bytes value too long".into(),
        })?;
        let mut out = ptr::null_mut();
        // SAFETY: as for add_item; epan reads exactly `len` bytes of `value`.
        shim(|e| unsafe {
            sys::xmmep_tree_add_bytes(self.ptr, hf.get(), tvb.as_ptr(), start, len, value.as_ptr(), &mut out, e)
        })?;
        Ok(Item::from_raw(out))
    }

    add_format_value!(
        /// Unsigned field, displayed as "Name: `text`".
        add_uint_format_value, xmmep_tree_add_uint_format_value, u32);
    add_format_value!(
        /// 64-bit unsigned field, displayed as "Name: `text`".
        add_uint64_format_value, xmmep_tree_add_uint64_format_value, u64);
    add_format_value!(
        /// 64-bit signed field, displayed as "Name: `text`".
        add_int64_format_value, xmmep_tree_add_int64_format_value, i64);

    /// FT_STRING field with value `value`, displayed as "Name: `text`".
    pub fn add_string_format_value(self, hf: HfId, tvb: Tvb<'a>, start: i32, len: i32, value: &str, text: &str) -> EpanResult<Item<'a>> {
        let (v, t) = (c_text(value), c_text(text));
        let mut out = ptr::null_mut();
        // SAFETY: as for add_string.
        shim(|e| unsafe {
            sys::xmmep_tree_add_string_format_value(self.ptr, hf.get(), tvb.as_ptr(), start, len, v.as_ptr(), t.as_ptr(), &mut out, e)
        })?;
        Ok(Item::from_raw(out))
    }

    /// An FT_NONE / FT_PROTOCOL item whose whole line is `text`.
    pub fn add_none_format(self, hf: HfId, tvb: Tvb<'a>, start: i32, len: i32, text: &str) -> EpanResult<Item<'a>> {
        let t = c_text(text);
        let mut out = ptr::null_mut();
        // SAFETY: as for add_item.
        shim(|e| unsafe {
            sys::xmmep_tree_add_none_format(self.ptr, hf.get(), tvb.as_ptr(), start, len, t.as_ptr(), &mut out, e)
        })?;
        Ok(Item::from_raw(out))
    }

    /// A text-only item with a subtree under it.
    pub fn add_subtree(self, tvb: Tvb<'a>, start: i32, len: i32, ett: EttId, text: &str) -> EpanResult<(Tree<'a>, Item<'a>)> {
        let t = c_text(text);
        let (mut tree, mut item) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: as for add_item.
        shim(|e| unsafe {
            sys::xmmep_tree_add_subtree(self.ptr, tvb.as_ptr(), start, len, ett.get(), t.as_ptr(), &mut tree, &mut item, e)
        })?;
        // SAFETY: epan returned a node of this packet's tree (or NULL).
        Ok((unsafe { Tree::from_raw(tree) }, Item::from_raw(item)))
    }

    /// A new item carrying expert info `ei` (text None: registered summary).
    pub fn add_expert(self, pinfo: Pinfo<'a>, ei: EiId, tvb: Tvb<'a>, start: i32, len: i32, text: Option<&str>) -> EpanResult<Item<'a>> {
        let t = text.map(c_text);
        let tp = t.as_ref().map_or(ptr::null(), |t| t.as_ptr());
        let mut out = ptr::null_mut();
        // SAFETY: as for add_item; `ei` registered for the process lifetime.
        shim(|e| unsafe {
            sys::xmmep_tree_add_expert(self.ptr, pinfo.as_ptr(), ei.as_ptr(), tvb.as_ptr(), start, len, tp, &mut out, e)
        })?;
        Ok(Item::from_raw(out))
    }
}

impl<'a> Item<'a> {
    fn from_raw(ptr: *mut sys::proto_item) -> Self {
        Item {
            ptr,
            _life: PhantomData,
        }
    }

    /// The raw pointer (may be NULL).
    pub fn as_ptr(self) -> *mut sys::proto_item {
        self.ptr
    }

    /// True when no tree is being built.
    pub fn is_null(self) -> bool {
        self.ptr.is_null()
    }

    /// A subtree under this item.
    pub fn add_subtree(self, ett: EttId) -> EpanResult<Tree<'a>> {
        let mut out = ptr::null_mut();
        // SAFETY: item NULL or valid for 'a; ett registered.
        shim(|e| unsafe { sys::xmmep_item_add_subtree(self.ptr, ett.get(), &mut out, e) })?;
        // SAFETY: epan returned a node of this packet's tree (or NULL).
        Ok(unsafe { Tree::from_raw(out) })
    }

    /// Appends `text` to the item's label.
    pub fn append_text(self, text: &str) -> EpanResult<()> {
        let t = c_text(text);
        // SAFETY: item NULL or valid; `t` outlives the call.
        shim(|e| unsafe { sys::xmmep_item_append_text(self.ptr, t.as_ptr(), e) })
    }

    /// Replaces the item's label.
    pub fn set_text(self, text: &str) -> EpanResult<()> {
        let t = c_text(text);
        // SAFETY: item NULL or valid; `t` outlives the call.
        shim(|e| unsafe { sys::xmmep_item_set_text(self.ptr, t.as_ptr(), e) })
    }

    /// Sets the item's length in bytes.
    pub fn set_len(self, len: i32) -> EpanResult<()> {
        // SAFETY: item NULL or valid; bad lengths are caught by the shim.
        shim(|e| unsafe { sys::xmmep_item_set_len(self.ptr, len, e) })
    }

    /// Marks the item as generated (not in the packet bytes: shown in []).
    pub fn set_generated(self) -> EpanResult<()> {
        // SAFETY: item NULL or valid.
        shim(|e| unsafe { sys::xmmep_item_set_generated(self.ptr, e) })
    }
}

// ---------------------------------------------------------------------------

/// Everything one dissector call gets: the data, the packet info, the tree
/// and the opaque `data` argument of the caller.
#[derive(Clone, Copy, Debug)]
pub struct Packet<'a> {
    /// The data to dissect.
    pub tvb: Tvb<'a>,
    /// Packet information.
    pub pinfo: Pinfo<'a>,
    /// Tree to add to (may be NULL).
    pub tree: Tree<'a>,
    pub(crate) data: *mut c_void,
}

impl<'a> Packet<'a> {
    /// The caller's `data` argument (for TCP: a `struct tcpinfo *`).
    pub fn data(&self) -> *mut c_void {
        self.data
    }

    /// The same packet with another tvb/tree (e.g. one PDU of a segment).
    pub fn with(&self, tvb: Tvb<'a>, tree: Tree<'a>) -> Packet<'a> {
        Packet { tvb, tree, ..*self }
    }

    /// Adds Wireshark's standard item for a caught exception (for bounds
    /// errors the familiar "[Malformed Packet]" / "[Packet size limited
    /// during capture]" with its expert info).
    pub fn show_exception(&self, err: &EpanError) -> EpanResult<()> {
        let m = c_text(&err.message);
        // SAFETY: valid tvb/pinfo, tree NULL or valid; `m` outlives the call.
        shim(|e| unsafe {
            sys::xmmep_show_exception(self.tvb.as_ptr(), self.pinfo.as_ptr(), self.tree.as_ptr(), err.code, m.as_ptr(), e)
        })
    }

    /// `call_dissector`: hands `tvb` to another dissector; returns the bytes
    /// it consumed.
    pub fn call_dissector(&self, handle: Handle, tvb: Tvb<'a>, tree: Tree<'a>) -> EpanResult<i32> {
        let mut n: c_int = 0;
        // SAFETY: valid pointers; the callee's exceptions are caught by the shim.
        shim(|e| unsafe {
            sys::xmmep_call_dissector(handle.as_ptr(), tvb.as_ptr(), self.pinfo.as_ptr(), tree.as_ptr(), &mut n, e)
        })?;
        Ok(n)
    }

    /// Shows `tvb` as undissected data.
    pub fn call_data_dissector(&self, tvb: Tvb<'a>, tree: Tree<'a>) -> EpanResult<i32> {
        let mut n: c_int = 0;
        // SAFETY: as for call_dissector.
        shim(|e| unsafe {
            sys::xmmep_call_data_dissector(tvb.as_ptr(), self.pinfo.as_ptr(), tree.as_ptr(), &mut n, e)
        })?;
        Ok(n)
    }
}
