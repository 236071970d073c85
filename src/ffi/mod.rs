//! FFI layer of the epan plugin: the only place with `unsafe`.
//!
//! - [`sys`]: raw bindgen output (wireshark-headers/wrapper.h);
//! - [`version`]: everything that differs between the supported Wireshark
//!   releases, keyed by capability;
//! - [`plugin`]: the symbols the plugin loader looks up;
//! - [`guard`]: panic catching for every `extern "C"` entry point;
//! - [`ids`]: the ids registration hands out (protocol, hf, ett, ei,
//!   handle), and [`cstr`]: C strings from Rust text; the leaves the other
//!   modules share;
//! - [`entry`]: traits ([`Dissector`], [`Heuristic`], [`PduFraming`]) and
//!   the panic-guarded trampolines Wireshark calls;
//! - [`epan`]: safe wrappers (via the C shim's TRY/CATCH) for tvb, tree,
//!   item, expert, column and conversation operations;
//! - [`batch`]: a message's items and expert infos added in one guarded
//!   call;
//! - [`tap`]: taps (the plugin's records, credentials), the statistics
//!   tree, and bytes a `tshark -z` statistic writes to standard output;
//! - [`follow`]: a follower fed with lines of text (Analyze > Follow);
//! - [`conv_table`]: a Conversations and Endpoints tab keyed by names, and
//!   the conversation filter of a packet;
//! - [`export_object`]: File > Export Objects, objects whose bytes
//!   arrive over many frames;
//! - [`srt`]: a Service Response Time table over a tap;
//! - [`flow`]: a flow graph (Statistics > Flow Graph) over a tap of arrows;
//! - [`conversation`]: secondary conversations (an announced address and
//!   port, decoded by a given dissector) and their file-scoped data;
//! - [`registry`]: registration from runtime data (hf/ett/ei arrays leaked
//!   for the process lifetime, handles, heuristics, port preferences,
//!   prefs).
//!
//! Nothing here knows the protocol the plugin dissects: the plugin passes
//! in every name, text and tag (tests/layers.rs keeps it so). What is
//! `pub(crate)` is exactly what `crate::plugin` (the table-driven
//! registration and dissection) calls: the compiler's dead-code check
//! keeps it so. `sys` stays private to this layer; what the plugin needs
//! of it (encodings, field types) is re-exported by name.

pub(crate) mod batch;
pub(crate) mod conv_table;
pub(crate) mod conversation;
mod cstr;
pub(crate) mod entry;
pub(crate) mod epan;
pub(crate) mod export_object;
pub(crate) mod flow;
pub(crate) mod follow;
pub(crate) mod guard;
mod ids;
pub(crate) mod plugin;
pub(crate) mod registry;
pub(crate) mod srt;
mod sys;
pub(crate) mod tap;
pub(crate) mod version;

pub(crate) use cstr::Text;
pub(crate) use entry::{set_panic_expert, tcp_dissect_pdus, Dissector, Heuristic, PduFraming};
pub(crate) use epan::{label_settable, EpanResult, Packet, Tree, Tvb, COL_INFO, COL_PROTOCOL, ENC_GB18030, ENC_NA, ENC_UTF_8};
pub(crate) use ids::{EiId, EttId, Handle, HfId, Protocol};
pub(crate) use registry::{ExpertDesc, FieldDesc, FieldStrings};

// The crate's own unit-test executable links the crate's code, the C shim and
// thus (potentially) references to epan symbols, which no loader provides
// there: link it against the Wireshark libraries. Nothing in the unit tests
// calls into epan; with --as-needed the libraries are dropped
// when no reference survives dead-code elimination. The cdylib (no
// cfg(test)) never links them: Wireshark provides the symbols at load time.
#[cfg(test)]
#[link(name = "wireshark")]
#[link(name = "wsutil")]
#[link(name = "glib-2.0")]
extern "C" {}
