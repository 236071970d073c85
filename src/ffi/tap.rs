//! Taps and the statistics tree: registering a tap and queueing records to
//! it, the credentials tap, a stats_tree (`tshark -z ABBR,tree`,
//! Statistics > NAME) driven by a safe Rust trait, and a tap of bytes that
//! a `tshark -z` statistic writes to standard output.
//!
//! A tap record is queued as a copy in the packet's pool (the shim's
//! `shim_tap_queue_copy`), which lives until the taps have read it; the
//! record type is `Copy` (no destructor, no borrowed data). A [`Tap`] is
//! typed by its record, and only [`register_stats_tree`] reads a tap's
//! records back, as that same type.
//!
//! None of these epan calls throws a Wireshark exception (registration,
//! `tap_queue_packet`, the stats_tree node calls only allocate, and wmem
//! aborts rather than throws), so they are made directly; the callbacks
//! Wireshark makes catch every panic.

use std::ffi::{c_int, c_void, CString};
use std::marker::PhantomData;

use super::cstr::{c_text, leak_cstr};
use super::epan::Packet;
use super::guard;
use super::ids::HfId;
use super::sys;
use super::version;

/// The record behind a tap callback's `data`, as the listener registered
/// for a `Tap<R>` reads it.
///
/// # Safety
/// `data` must be null or a record queued to a `Tap<R>` (every record of
/// one is a copy of an `R`), alive for the callback.
pub(super) unsafe fn record<'a, R>(data: *const c_void) -> Option<&'a R> {
    // SAFETY: as the caller promises; records are copies in the packet's
    // pool, aligned to 8 by wmem.
    unsafe { data.cast::<R>().as_ref() }
}

/// The id of a registered tap: what every kind of tap below queues to and
/// asks whether anyone listens.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TapId(c_int);

impl TapId {
    /// `register_tap(name)`: a new tap, or the existing one of that name.
    /// Call during registration.
    pub(crate) fn register(name: &str) -> TapId {
        // SAFETY: the name is leaked (Wireshark keeps the pointer);
        // register_tap does not throw.
        TapId(unsafe { sys::register_tap(leak_cstr(name)) })
    }

    /// A tap id that Wireshark returned by another call (the shim's
    /// registrations).
    pub(super) fn from_raw(id: c_int) -> TapId {
        TapId(id)
    }

    /// The id, for the shim's calls.
    pub(super) fn raw(self) -> c_int {
        self.0
    }

    /// Whether some listener reads this tap now (so a record is worth
    /// building).
    pub(crate) fn listening(self) -> bool {
        // SAFETY: a plain lookup of a registered tap id.
        unsafe { sys::shim_tap_listening(self.0) != 0 }
    }
}

/// A registered tap whose records are `R`.
pub(crate) struct Tap<R> {
    id: TapId,
    _record: PhantomData<fn(R)>,
}

impl<R> Clone for Tap<R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<R> Copy for Tap<R> {}

/// `register_tap(name)`: a new tap, or the existing one of that name.
/// Call during registration.
pub(crate) fn register_tap<R: Copy + 'static>(name: &str) -> Tap<R> {
    Tap { id: TapId::register(name), _record: PhantomData }
}

impl<R: Copy + 'static> Tap<R> {
    /// Whether some listener reads this tap now (so a record is worth
    /// building).
    pub(crate) fn listening(self) -> bool {
        self.id.listening()
    }

    /// Queues a copy of `record` for the taps of this packet.
    pub(crate) fn queue(self, pkt: &Packet<'_>, record: &R) {
        // SAFETY: `record` is valid for size_of::<R>() bytes; the shim copies
        // them into the packet's pool (R is Copy: a byte copy is a valid R,
        // and nothing needs dropping). pinfo is the packet's.
        unsafe { sys::shim_tap_queue_copy(self.id.raw(), pkt.pinfo.as_ptr(), (record as *const R).cast::<c_void>(), std::mem::size_of::<R>()) }
    }
}

/// Wireshark's tap "credentials", read by `tshark -z credentials` and
/// Tools > Credentials.
#[derive(Clone, Copy)]
pub(crate) struct CredentialsTap {
    id: TapId,
    proto: *const std::ffi::c_char,
}

// SAFETY: `proto` points to a leaked, never-written C string.
unsafe impl Send for CredentialsTap {}
// SAFETY: as above; the struct is read-only.
unsafe impl Sync for CredentialsTap {}

/// `register_tap("credentials")` (the existing tap when a dissector of
/// Wireshark registered it first), with the Protocol the records show.
pub(crate) fn register_credentials_tap(proto: &str) -> CredentialsTap {
    CredentialsTap { id: TapId::register("credentials"), proto: leak_cstr(proto) }
}

impl CredentialsTap {
    /// Whether some listener reads the credentials now.
    pub(crate) fn listening(self) -> bool {
        self.id.listening()
    }

    /// Queues, with this packet, a credential of frame `frame` (this one
    /// or an earlier one): the user name, the password's header field
    /// (the GUI goes to it in that frame) and an Info text.
    pub(crate) fn queue(self, pkt: &Packet<'_>, frame: u32, username: &str, password: HfId, info: &str) {
        let (user, info) = (c_text(username), c_text(info));
        // SAFETY: the strings are NUL-terminated and outlive the call (the
        // shim copies them into the packet's pool); `proto` lives for the
        // process; pinfo is the packet's.
        unsafe { sys::shim_tap_queue_credential(self.id.raw(), pkt.pinfo.as_ptr(), frame, password.get(), user.as_ptr(), self.proto, info.as_ptr()) }
    }
}

/// A registered tap whose record is the bytes a packet appended to it
/// (the shim's `shim_tap_bytes_t`).
#[derive(Clone, Copy)]
pub(crate) struct BytesTap {
    id: TapId,
}

/// `register_tap(name)` for a [`BytesTap`]. Call during registration.
pub(crate) fn register_bytes_tap(name: &str) -> BytesTap {
    BytesTap { id: TapId::register(name) }
}

impl BytesTap {
    /// Whether some listener reads this tap now.
    pub(crate) fn listening(self) -> bool {
        self.id.listening()
    }

    /// Appends `bytes` to this packet's record: one record per packet
    /// (dissection), holding every append in order.
    pub(crate) fn append(self, pkt: &Packet<'_>, bytes: &[u8]) {
        // SAFETY: `bytes` is valid for its length; the shim copies it into
        // the packet's pool. pinfo is the packet's.
        unsafe { sys::shim_tap_append_bytes(self.id.raw(), pkt.pinfo.as_ptr(), bytes.as_ptr().cast::<c_void>(), bytes.len()) }
    }
}

/// Registers the statistic `tshark -z <cli>` (`title` in lists), whose
/// listener writes each packet's record of the [`BytesTap`] named
/// `tap_name` to the C library's stdout, just before tshark prints the
/// packet there. Call during registration.
pub(crate) fn register_stdout_stat(_tap: BytesTap, tap_name: &str, cli: &str, title: &str) {
    // SAFETY: the strings are leaked (Wireshark keeps them); registration
    // does not throw; the listener is the shim's.
    unsafe { sys::shim_register_stdout_stat(leak_cstr(cli), leak_cstr(title), leak_cstr(tap_name)) }
}

// ---------------------------------------------------------------------------
// Statistics tree

/// A node of a stats tree, as Wireshark numbers the nodes that can have
/// children (the root is 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NodeId(pub(crate) i32);

impl NodeId {
    pub(crate) const ROOT: NodeId = NodeId(0);
}

/// One stats tree during a callback.
pub(crate) struct StatsTree {
    st: *mut sys::stats_tree,
}

fn name(s: &str) -> CString {
    c_text(s)
}

impl StatsTree {
    /// A node under `parent` that can have children, with a count of 0.
    pub(crate) fn create_node(&mut self, parent: NodeId, label: &str) -> NodeId {
        let n = name(label);
        // SAFETY: `st` is the tree of the running callback; the name is
        // copied; `parent` is an id this tree returned.
        NodeId(unsafe { sys::stats_tree_create_node(self.st, n.as_ptr(), parent.0, sys::STAT_DT_INT, version::to_c_bool(true)) })
    }

    /// Adds 1 to node `label` under `parent` (made if missing; `parent_node`
    /// says whether it can have children, then its id is returned).
    pub(crate) fn tick(&mut self, parent: NodeId, label: &str, parent_node: bool) -> NodeId {
        let n = name(label);
        // SAFETY: as in `create_node`.
        NodeId(unsafe { sys::stats_tree_manip_node_int(sys::MN_INCREASE, self.st, n.as_ptr(), parent.0, version::to_c_bool(parent_node), 1) })
    }

    /// Adds 1 to leaf `label` under `parent` and `value` to its average,
    /// minimum and maximum.
    pub(crate) fn add_value(&mut self, parent: NodeId, label: &str, value: f64) {
        let n = name(label);
        // SAFETY: as in `create_node`.
        unsafe {
            sys::stats_tree_manip_node_float(sys::MN_AVERAGE, self.st, n.as_ptr(), parent.0, version::to_c_bool(false), value as f32);
        }
    }
}

/// The tree's flags: sort column "name" (its default order ascending).
const SORT_BY_NAME: u32 = sys::ST_SORT_COL_NAME << sys::ST_FLG_SRTCOL_SHIFT;

/// A statistics tree over the records of one tap.
pub(crate) trait StatsTreeSpec: 'static {
    type Record: Copy + 'static;
    /// Makes the fixed nodes of a new (or reset) tree.
    fn init(st: &mut StatsTree);
    /// Counts one record.
    fn packet(st: &mut StatsTree, record: &Self::Record);
}

unsafe extern "C" fn stats_init<S: StatsTreeSpec>(st: *mut sys::stats_tree) {
    let mut tree = StatsTree { st };
    if let Err(p) = guard::catch(|| S::init(&mut tree)) {
        guard::print("statistics tree", &p);
    }
}

unsafe extern "C" fn stats_packet<S: StatsTreeSpec>(
    st: *mut sys::stats_tree,
    _pinfo: *mut sys::packet_info,
    _edt: *mut sys::epan_dissect_t,
    data: *const c_void,
    _flags: sys::tap_flags_t,
) -> sys::tap_packet_status {
    // SAFETY: the tree listens to a `Tap<S::Record>` (register_stats_tree).
    let Some(record) = (unsafe { record::<S::Record>(data) }) else { return sys::TAP_PACKET_DONT_REDRAW };
    let mut tree = StatsTree { st };
    match guard::catch(|| S::packet(&mut tree, record)) {
        Ok(()) => sys::TAP_PACKET_REDRAW,
        Err(p) => {
            guard::print("statistics tree", &p);
            sys::TAP_PACKET_FAILED
        }
    }
}

/// `stats_tree_register_plugin`: the tree `abbr` (`-z ABBR,tree`) titled
/// `title` (the Statistics menu) over the records of `tap` (registered with
/// [`register_tap`]; pass its name). Call during registration.
///
/// The tree opens sorted by name, ascending, whatever the user's default
/// sort (Wireshark's is by count, descending): node names are chosen so
/// that this is the order they are meant to be read in.
pub(crate) fn register_stats_tree<S: StatsTreeSpec>(_tap: Tap<S::Record>, tap_name: &str, abbr: &str, title: &str) {
    // SAFETY: the strings are leaked (Wireshark keeps them); the callbacks
    // are extern "C" and catch panics. The return value (void before 4.4,
    // the tree's configuration from 4.4 on) is not needed.
    #[allow(clippy::let_unit_value)]
    let _ = unsafe { sys::stats_tree_register_plugin(leak_cstr(tap_name), leak_cstr(abbr), leak_cstr(title), SORT_BY_NAME, Some(stats_packet::<S>), Some(stats_init::<S>), None) };
}
