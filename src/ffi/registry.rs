//! Registration from runtime data: protocols, header fields (hf), subtrees
//! (ett), expert infos (ei), dissector handles, heuristics, Decode As and
//! preferences.
//!
//! Wireshark keeps pointers into every array and string it is given at
//! registration, for the rest of the process. These functions therefore
//! take ordinary Rust values (`Vec` of descriptors, `&str`), and leak
//! C copies of them: registration happens once per process, so the leak is
//! bounded and intended.
//!
//! Registration functions must be called from Wireshark's registration
//! callbacks (`register_protoinfo` for protocols, fields, subtrees, expert
//! infos and preferences; `register_handoff` for handles, tables and
//! heuristics): that is, from the plugin's, which `plugin.rs` hands to
//! Wireshark.

use std::ffi::{c_char, c_int, c_void};
use std::ptr;
use std::sync::atomic::{AtomicI32, Ordering};

use super::cstr::leak_cstr;
use super::entry::{self, Dissector, Heuristic};
use super::ids::{EiId, EttId, ExpertCell, Handle, HfId, Protocol};
use super::sys;
use super::version;

fn leak_opt(s: Option<&str>) -> *const c_char {
    s.map_or(ptr::null(), leak_cstr)
}

fn leak_int() -> &'static AtomicI32 {
    Box::leak(Box::new(AtomicI32::new(-1)))
}

/// `proto_register_protocol(name, short_name, filter_name)`.
pub(crate) fn register_protocol(name: &str, short_name: &str, filter_name: &str) -> Protocol {
    // SAFETY: called during registration; the strings are leaked and so live
    // as long as Wireshark keeps them.
    let id = unsafe { sys::proto_register_protocol(leak_cstr(name), leak_cstr(short_name), leak_cstr(filter_name)) };
    Protocol(id)
}

// ---------------------------------------------------------------------------
// Header fields

/// Value-to-text mapping shown with a field's value.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) enum FieldStrings {
    /// Plain value.
    #[default]
    None,
    /// `value_string` (for integer fields; use display `BASE_DEC` etc.).
    Values(Vec<(u32, String)>),
    /// `true_false_string` (for FT_BOOLEAN).
    TrueFalse(String, String),
    /// `unit_name_string`, singular and plural (display `BASE_DEC |
    /// BASE_UNIT_STRING`).
    Units(String, String),
    /// What an FT_FRAMENUM points at (`FRAMENUM_TYPE`), for the GUI's
    /// request/response arrows.
    FrameNum(FrameNumType),
}

/// `ft_framenum_type_t`.
pub(crate) type FrameNumType = sys::ft_framenum_type;
pub(crate) use sys::{FT_FRAMENUM_NONE, FT_FRAMENUM_REQUEST, FT_FRAMENUM_RESPONSE};

/// Field type, one of the `FT_*` below.
pub(crate) type FieldType = sys::ftenum;
/// The field types and displays the plugin registers, re-exported so that
/// the raw bindings stay inside the FFI layer.
pub(crate) use sys::{
    FT_IPv4, ABSOLUTE_TIME_UTC, BASE_DEC, BASE_NONE, BASE_UNIT_STRING, FT_ABSOLUTE_TIME, FT_BOOLEAN, FT_BYTES, FT_FRAMENUM, FT_INT16, FT_INT32, FT_INT64, FT_INT8, FT_NONE,
    FT_RELATIVE_TIME, FT_STRING, FT_UINT16, FT_UINT32, FT_UINT64, FT_UINT8,
};

/// Description of one header field, as the table-driven code builds it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FieldDesc {
    /// Display name ("Body length").
    pub(crate) name: String,
    /// Filter name ("tcp.len").
    pub(crate) abbrev: String,
    /// `sys::FT_UINT16`, `sys::FT_STRING`, ...
    pub(crate) ftype: FieldType,
    /// `sys::BASE_DEC as i32`, `sys::BASE_NONE as i32`, or the bit width of
    /// an FT_BOOLEAN with a bitmask.
    pub(crate) display: i32,
    /// Value strings.
    pub(crate) strings: FieldStrings,
    /// Bitmask (0: none).
    pub(crate) bitmask: u64,
    /// Description shown in the status bar and `tshark -G fields`.
    pub(crate) blurb: Option<String>,
}

impl FieldDesc {
    /// A field with no value strings, bitmask or blurb.
    pub(crate) fn new(name: &str, abbrev: &str, ftype: FieldType, display: u32) -> Self {
        FieldDesc { name: name.to_string(), abbrev: abbrev.to_string(), ftype, display: display as i32, strings: FieldStrings::None, bitmask: 0, blurb: None }
    }

    /// With a description.
    pub(crate) fn blurb(mut self, blurb: &str) -> Self {
        self.blurb = Some(blurb.to_string());
        self
    }

    /// With value strings.
    pub(crate) fn strings(mut self, strings: FieldStrings) -> Self {
        self.strings = strings;
        self
    }
}

fn leak_strings(s: &FieldStrings) -> *const std::ffi::c_void {
    match s {
        FieldStrings::None => ptr::null(),
        FieldStrings::Values(vals) => {
            let mut v: Vec<sys::value_string> = vals.iter().map(|(value, text)| sys::value_string { value: *value, strptr: leak_cstr(text) }).collect();
            // value_string arrays end with { 0, NULL }.
            v.push(sys::value_string { value: 0, strptr: ptr::null() });
            Box::leak(v.into_boxed_slice()).as_ptr().cast()
        }
        FieldStrings::TrueFalse(t, f) => {
            let tfs = Box::leak(Box::new(sys::true_false_string { true_string: leak_cstr(t), false_string: leak_cstr(f) }));
            (tfs as *const sys::true_false_string).cast()
        }
        FieldStrings::Units(one, many) => {
            // The struct's members are `char *`; epan only reads them.
            let units = Box::leak(Box::new(sys::unit_name_string { singular: leak_cstr(one).cast_mut(), plural: leak_cstr(many).cast_mut() }));
            (units as *const sys::unit_name_string).cast()
        }
        // FRAMENUM_TYPE(x) is GINT_TO_POINTER(x): the value itself.
        FieldStrings::FrameNum(t) => *t as usize as *const std::ffi::c_void,
    }
}

/// Registers `fields` under `proto` (`proto_register_field_array`); the
/// returned ids are in the same order.
pub(crate) fn register_fields(proto: Protocol, fields: &[FieldDesc]) -> Vec<HfId> {
    let ids: Vec<HfId> = fields.iter().map(|_| HfId(leak_int())).collect();
    let array: Vec<sys::hf_register_info> = fields
        .iter()
        .zip(&ids)
        .map(|(f, id)| sys::hf_register_info {
            p_id: id.0.as_ptr(),
            hfinfo: sys::header_field_info {
                name: leak_cstr(&f.name),
                abbrev: leak_cstr(&f.abbrev),
                type_: f.ftype,
                display: f.display,
                strings: leak_strings(&f.strings),
                bitmask: f.bitmask,
                blurb: leak_opt(f.blurb.as_deref()),
                // HFILL
                id: -1,
                parent: 0,
                ref_type: sys::HF_REF_TYPE_NONE,
                same_name_prev_id: -1,
                same_name_next: ptr::null_mut(),
            },
        })
        .collect();
    let array = Box::leak(array.into_boxed_slice());
    // SAFETY: called during registration; the array and everything it points
    // to is leaked (Wireshark keeps pointers to the hfinfo entries forever);
    // Wireshark writes each id through `p_id`, an AtomicI32 with the layout
    // of an int, before any dissection reads it.
    unsafe { sys::proto_register_field_array(proto.0, array.as_mut_ptr(), array.len() as c_int) };
    ids
}

// ---------------------------------------------------------------------------
// Subtrees

/// Registers `n` subtree ids (`proto_register_subtree_array`).
pub(crate) fn register_subtrees(n: usize) -> Vec<EttId> {
    let ids: Vec<EttId> = (0..n).map(|_| EttId(leak_int())).collect();
    let ptrs: Vec<*mut c_int> = ids.iter().map(|e| e.0.as_ptr()).collect();
    let ptrs = Box::leak(ptrs.into_boxed_slice());
    // SAFETY: registration time; the pointer array and the ints are leaked;
    // Wireshark writes each id once, before any dissection reads it.
    unsafe { sys::proto_register_subtree_array(ptrs.as_ptr(), ptrs.len() as c_int) };
    ids
}

// ---------------------------------------------------------------------------
// Expert infos

/// Expert info groups and severities, re-exported (`PI_MALFORMED`, `PI_ERROR`, ...).
pub(crate) use sys::{PI_ERROR, PI_MALFORMED, PI_NOTE, PI_PROTOCOL, PI_SECURITY, PI_SEQUENCE, PI_WARN};

/// Description of one expert info.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExpertDesc {
    /// Filter name ("tcp.analysis.lost_segment").
    pub(crate) abbrev: String,
    /// `PI_MALFORMED`, `PI_PROTOCOL`, `PI_SECURITY`, ...
    pub(crate) group: u32,
    /// `PI_ERROR`, `PI_WARN`, `PI_NOTE`, `PI_CHAT`.
    pub(crate) severity: u32,
    /// Default text.
    pub(crate) summary: String,
}

impl ExpertDesc {
    /// Shorthand constructor.
    pub(crate) fn new(abbrev: &str, group: u32, severity: u32, summary: &str) -> Self {
        ExpertDesc { abbrev: abbrev.into(), group, severity, summary: summary.into() }
    }
}

/// Registers expert infos for `proto` (`expert_register_protocol` +
/// `expert_register_field_array`); ids in the same order.
pub(crate) fn register_expert(proto: Protocol, infos: &[ExpertDesc]) -> Vec<EiId> {
    let ids: Vec<EiId> = infos.iter().map(|_| EiId(Box::leak(Box::new(ExpertCell(std::cell::UnsafeCell::new(sys::expert_field { ei: -1, hf: -1 })))))).collect();
    let array: Vec<sys::ei_register_info> = infos
        .iter()
        .zip(&ids)
        .map(|(d, id)| {
            // EXPFILL: everything after `summary` zero, except the embedded
            // hf's HFILL values.
            let mut info =
                sys::expert_field_info { name: leak_cstr(&d.abbrev), group: d.group as i32, severity: d.severity as i32, summary: leak_cstr(&d.summary), ..Default::default() };
            info.hf_info.hfinfo.type_ = sys::FT_NONE;
            info.hf_info.hfinfo.display = sys::BASE_NONE as i32;
            info.hf_info.hfinfo.id = -1;
            info.hf_info.hfinfo.ref_type = sys::HF_REF_TYPE_NONE;
            info.hf_info.hfinfo.same_name_prev_id = -1;
            sys::ei_register_info { ids: id.as_ptr(), eiinfo: info }
        })
        .collect();
    let array = Box::leak(array.into_boxed_slice());
    // SAFETY: registration time; the array, strings and expert_fields are
    // leaked, as Wireshark keeps pointers to all of them.
    unsafe {
        let module = sys::expert_register_protocol(proto.0);
        sys::expert_register_field_array(module, array.as_mut_ptr(), array.len() as c_int);
    }
    ids
}

// ---------------------------------------------------------------------------
// Dissector handles, tables, heuristics

/// `register_dissector(name, D, proto)`: a named handle (findable with
/// `find_dissector`, usable in `-d ...,name`).
pub(crate) fn register_dissector<D: Dissector>(name: &str, proto: Protocol) -> Handle {
    // SAFETY: `name` leaked; the callback is a panic-guarded trampoline.
    Handle(unsafe { sys::register_dissector(leak_cstr(name), Some(entry::dissector_fn::<D>), proto.0) })
}

/// `heur_dissector_add(list, H, display_name, internal_name, proto, enable)`
/// for `list` "tcp" or "udp".
pub(crate) fn heur_dissector_add<H: Heuristic>(list: &str, display_name: &str, internal_name: &str, proto: Protocol, enabled: bool) {
    let enable = if enabled { sys::HEURISTIC_ENABLE } else { sys::HEURISTIC_DISABLE };
    // SAFETY: strings leaked; the callback is a panic-guarded trampoline.
    unsafe { sys::heur_dissector_add(leak_cstr(list), Some(entry::heuristic_fn::<H>), leak_cstr(display_name), leak_cstr(internal_name), proto.0, enable) }
}

/// `dissector_add_uint_range_with_preference(table, default_range, handle)`:
/// e.g. ("tcp.port", "", h) adds a "TCP port(s)" preference, empty by default.
pub(crate) fn add_uint_range_with_preference(table: &str, default_range: &str, handle: Handle) {
    // SAFETY: strings leaked; handle valid for the process.
    unsafe { sys::dissector_add_uint_range_with_preference(leak_cstr(table), leak_cstr(default_range), handle.0) }
}

// ---------------------------------------------------------------------------
// Preferences

/// A protocol's preferences module.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PrefsModule(*mut sys::module_t);

/// `prefs_register_protocol(proto, NULL)`.
pub(crate) fn prefs_register_protocol(proto: Protocol) -> PrefsModule {
    // SAFETY: registration time; no apply callback.
    PrefsModule(unsafe { sys::prefs_register_protocol(proto.0, None) })
}

/// A boolean preference's current value (written by Wireshark).
#[derive(Clone, Copy, Debug)]
pub(crate) struct BoolPref(&'static version::PrefBoolCell);
impl BoolPref {
    /// Current value.
    pub(crate) fn get(self) -> bool {
        version::pref_bool_get(self.0)
    }
}

/// An enum preference's current value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EnumPref(&'static AtomicI32);
impl EnumPref {
    /// Current value.
    pub(crate) fn get(self) -> i32 {
        self.0.load(Ordering::Relaxed)
    }
}

impl PrefsModule {
    /// `prefs_register_bool_preference`.
    pub(crate) fn bool_pref(self, name: &str, title: &str, description: &str, default: bool) -> BoolPref {
        let cell: &'static version::PrefBoolCell = Box::leak(Box::new(version::pref_bool_cell(default)));
        // SAFETY: registration time; strings and cell leaked; the cell has the
        // layout of the gboolean/bool Wireshark writes to.
        unsafe { sys::prefs_register_bool_preference(self.0, leak_cstr(name), leak_cstr(title), leak_cstr(description), cell.as_ptr() as *mut _) };
        BoolPref(cell)
    }

    /// `prefs_register_enum_preference`; `values` are (name, description, value).
    pub(crate) fn enum_pref(self, name: &str, title: &str, description: &str, default: i32, values: &[(&str, &str, i32)], radio_buttons: bool) -> EnumPref {
        let cell: &'static AtomicI32 = Box::leak(Box::new(AtomicI32::new(default)));
        let mut vals: Vec<sys::enum_val_t> = values.iter().map(|(n, d, v)| sys::enum_val_t { name: leak_cstr(n), description: leak_cstr(d), value: *v }).collect();
        vals.push(sys::enum_val_t { name: ptr::null(), description: ptr::null(), value: 0 });
        let vals = Box::leak(vals.into_boxed_slice());
        // SAFETY: registration time; everything leaked; NULL-terminated list.
        unsafe { sys::prefs_register_enum_preference(self.0, leak_cstr(name), leak_cstr(title), leak_cstr(description), cell.as_ptr(), vals.as_ptr(), radio_buttons as _) };
        EnumPref(cell)
    }
}

// ---------------------------------------------------------------------------
// Capture lifetime

/// Calls `f` when the open capture file closes (its wmem file scope is
/// freed). To be called during a dissection, when a file is open.
pub(crate) fn on_file_close(f: fn()) {
    unsafe extern "C" fn call(_pool: *mut sys::wmem_allocator_t, _ev: sys::wmem_cb_event_t, data: *mut c_void) -> version::CBool {
        // SAFETY: `data` is the fn pointer registered below, cast to a
        // data pointer and back (both pointer-sized).
        let f: fn() = unsafe { std::mem::transmute::<*mut c_void, fn()>(data) };
        let _ = crate::ffi::guard::catch(f);
        // false: unregister, the callback has run for this file.
        version::to_c_bool(false)
    }
    // SAFETY: wmem_file_scope() is valid during dissection; the callback
    // is a panic-guarded extern "C" fn matching wmem_user_cb_t for this
    // release (CBool), and `data` is a plain fn pointer with no lifetime.
    unsafe {
        sys::wmem_register_callback(sys::wmem_file_scope(), Some(call), f as *mut c_void);
    }
}
