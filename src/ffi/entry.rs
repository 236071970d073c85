//! The `extern "C"` functions Wireshark calls while dissecting, generated
//! from safe Rust traits.
//!
//! The dissection code implements [`Dissector`], [`Heuristic`] or
//! [`PduFraming`] with ordinary safe functions taking a [`Packet`]; the
//! generic trampolines here are what Wireshark actually calls. Each one:
//! - builds the [`Packet`] from the raw pointers,
//! - runs the Rust code under [`guard::catch`] so no panic unwinds into C,
//! - on a panic, adds an expert error (see [`set_panic_expert`]) and returns
//!   a safe value.
//!
//! Exceptions: the Rust code reaches epan only through the shim wrappers in
//! `epan.rs`, which catch every Wireshark exception in C. So while a
//! trampoline's Rust frames are on the stack, no longjmp can start below
//! them and run through them. This holds for the `tcp_dissect_pdus`
//! callbacks too: `tcp_dissect_pdus` itself runs inside the shim's TRY, and
//! its callbacks (these trampolines) again only call the shim.

use std::ffi::{c_int, c_uint, c_void};
use std::sync::OnceLock;

use super::epan::{shim, EpanResult, Packet, Pinfo, Tree, Tvb, COL_INFO};
use super::guard::{self, Panicked};
use super::ids::EiId;
use super::sys;
use super::version::{self, CBool};

/// A dissector (`dissector_t`).
pub(crate) trait Dissector: 'static {
    /// Dissects `pkt`; returns the number of bytes consumed, or 0 if the
    /// data is not this protocol's.
    fn dissect(pkt: &Packet<'_>) -> i32;
}

/// A heuristic dissector (`heur_dissector_t`).
pub(crate) trait Heuristic: 'static {
    /// Returns false (having added nothing) if the data is not this
    /// protocol's; otherwise dissects it and returns true.
    fn dissect_heur(pkt: &Packet<'_>) -> bool;
}

/// Framing of a TCP stream for [`tcp_dissect_pdus`].
pub(crate) trait PduFraming: 'static {
    /// Bytes needed to know a PDU's length (the header length).
    const FIXED_LEN: u32;
    /// Total length of the PDU starting at `offset` (at least FIXED_LEN
    /// bytes are available there). Where no length can be read, return how
    /// many bytes to dissect as one undecodable PDU (at least 1): 0 would
    /// make TCP report a bad length instead of letting the dissector say
    /// what is wrong.
    /// `stream_ends` is true when this segment carries TCP's FIN: no more
    /// data will follow in this direction.
    fn pdu_len(pkt: &Packet<'_>, offset: i32, stream_ends: bool) -> u32;
    /// Dissects one whole PDU (`pkt.tvb` holds exactly that PDU).
    fn dissect_pdu(pkt: &Packet<'_>) -> i32;
}

static PANIC_EI: OnceLock<EiId> = OnceLock::new();

/// Names the expert info (group malformed, severity error: the plugin's
/// own, registered with the rest) under which panics are reported. Call
/// once at registration; without it a panic is only shown in the Info
/// column.
pub(crate) fn set_panic_expert(ei: EiId) {
    let _ = PANIC_EI.set(ei);
}

/// Reports a caught panic on the packet. Never panics itself: every step
/// returns a Result that is ignored on purpose (there is nothing better to
/// do if reporting fails).
fn report_panic(tvb: Tvb<'_>, pinfo: Pinfo<'_>, tree: Tree<'_>, p: &Panicked) {
    let text = p.to_string();
    let _ = guard::catch(|| {
        let _ = pinfo.col_append(COL_INFO, &format!(" [{text}]"));
        if let Some(ei) = PANIC_EI.get() {
            let _ = tree.add_expert(pinfo, *ei, tvb, 0, 0, Some(&text));
        }
    });
}

/// Builds the packet from Wireshark's pointers.
///
/// # Safety
/// The pointers must be those Wireshark passed to a dissector callback.
unsafe fn packet<'a>(tvb: *mut sys::tvbuff_t, pinfo: *mut sys::packet_info, tree: *mut sys::proto_tree, data: *mut c_void) -> Option<Packet<'a>> {
    Some(Packet {
        // SAFETY: forwarded from the caller's contract.
        tvb: unsafe { Tvb::from_raw(tvb) }?,
        // SAFETY: forwarded from the caller's contract.
        pinfo: unsafe { Pinfo::from_raw(pinfo) }?,
        // SAFETY: forwarded from the caller's contract (tree may be NULL).
        tree: unsafe { Tree::from_raw(tree) },
        data,
    })
}

/// The `dissector_t` for `D`.
///
/// # Safety
/// Called by Wireshark only, with valid pointers.
pub(crate) unsafe extern "C" fn dissector_fn<D: Dissector>(tvb: *mut sys::tvbuff_t, pinfo: *mut sys::packet_info, tree: *mut sys::proto_tree, data: *mut c_void) -> c_int {
    // SAFETY: Wireshark passes valid pointers for the duration of the call.
    let Some(pkt) = (unsafe { packet(tvb, pinfo, tree, data) }) else {
        return 0;
    };
    guard::guard(
        |p| {
            report_panic(pkt.tvb, pkt.pinfo, pkt.tree, p);
            // Claim the data so no other dissector runs on half-built state.
            pkt.tvb.captured_len() as c_int
        },
        || D::dissect(&pkt),
    )
}

/// The `heur_dissector_t` for `H`.
///
/// # Safety
/// Called by Wireshark only, with valid pointers.
pub(crate) unsafe extern "C" fn heuristic_fn<H: Heuristic>(tvb: *mut sys::tvbuff_t, pinfo: *mut sys::packet_info, tree: *mut sys::proto_tree, data: *mut c_void) -> CBool {
    // SAFETY: Wireshark passes valid pointers for the duration of the call.
    let Some(pkt) = (unsafe { packet(tvb, pinfo, tree, data) }) else {
        return version::to_c_bool(false);
    };
    let hit = guard::guard(
        |p| {
            // Items may already be in the tree: claim the packet so the panic
            // is visible rather than hidden behind another dissector.
            report_panic(pkt.tvb, pkt.pinfo, pkt.tree, p);
            true
        },
        || H::dissect_heur(&pkt),
    );
    version::to_c_bool(hit)
}

/// `get_pdu_len` callback for `F`. A panic yields 0, which
/// tcp_dissect_pdus treats as a bad length (reported, stream not framed).
unsafe extern "C" fn pdu_len_fn<F: PduFraming>(pinfo: *mut sys::packet_info, tvb: *mut sys::tvbuff_t, offset: c_int, data: *mut c_void) -> c_uint {
    // SAFETY: tcp_dissect_pdus passes its own valid pointers; no tree here.
    let Some(pkt) = (unsafe { packet(tvb, pinfo, std::ptr::null_mut(), data) }) else {
        return 0;
    };
    // SAFETY: `data` is what our TCP dissector was given and passed on to
    // tcp_dissect_pdus; TCP calls its subdissectors (port table, Decode As,
    // heuristics, conversations) with a `struct tcpinfo *` there, or NULL.
    let fin = !data.is_null() && unsafe { u32::from((*(data as *const sys::tcpinfo)).flags) } & sys::TH_FIN != 0;
    guard::guard(
        |p| {
            report_panic(pkt.tvb, pkt.pinfo, pkt.tree, p);
            0
        },
        || F::pdu_len(&pkt, offset, fin),
    )
}

struct PduDissector<F>(std::marker::PhantomData<F>);

impl<F: PduFraming> Dissector for PduDissector<F> {
    fn dissect(pkt: &Packet<'_>) -> i32 {
        F::dissect_pdu(pkt)
    }
}

/// `tcp_dissect_pdus` with `F`'s framing, run inside the shim's TRY.
/// `desegment` should normally be the TCP "allow subdissector to reassemble"
/// preference's effect, i.e. true.
pub(crate) fn tcp_dissect_pdus<F: PduFraming>(pkt: &Packet<'_>, desegment: bool) -> EpanResult<()> {
    // SAFETY: pointers valid for this dissection; both callbacks are
    // panic-guarded trampolines that only reach epan through the shim.
    shim(|e| unsafe {
        sys::shim_tcp_dissect_pdus(
            pkt.tvb.as_ptr(),
            pkt.pinfo.as_ptr(),
            pkt.tree.as_ptr(),
            desegment as sys::gboolean,
            F::FIXED_LEN,
            Some(pdu_len_fn::<F>),
            Some(dissector_fn::<PduDissector<F>>),
            pkt.data,
            e,
        )
    })
}
