//! XMMEP (X-Messenger Message Exchange Protocol) dissector.
//!
//! `table` is the single source of truth; `codec` decodes and encodes with it
//! and knows nothing of Wireshark; `plugin` (FFI) registers the epan dissector.

pub mod capture;
pub mod check;
pub mod codec;
pub mod docs_gen;
pub mod lua_gen;
pub mod reports;
pub mod schema;
pub mod table;
pub mod ffi;
pub mod batch;
pub mod export;
pub mod pdml;
pub mod plugin;
