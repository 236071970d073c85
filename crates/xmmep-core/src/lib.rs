//! The XMMEP protocol without Wireshark: the message table (the single
//! source of truth), the schema compiled from it, the codec, the report
//! classes, and the presentation rules every dissector shows them by.
//!
//! Nothing here links Wireshark: `cargo test -p xmmep-core` needs only a
//! Rust toolchain. The epan plugin (the workspace's root package), the Lua
//! generator and the docs generator (crate `xmmep-tools`) all read it.

pub mod analysis;
pub mod calendar;
pub mod codec;
pub mod conversations;
pub mod numhash;
pub mod presentation;
pub mod record;
pub mod reports;
pub mod schema;
pub mod stats;
pub mod table;
pub mod transcript;
