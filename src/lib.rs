//! XMMEP (X-Messenger Message Exchange Protocol) epan plugin for Wireshark.
//!
//! `xmmep_core` holds the message table, the codec and the presentation
//! rules; this crate only puts them into Wireshark: `ffi` is the FFI layer
//! (the only place with `unsafe`), `plugin` the table-driven registration
//! and dissection in safe Rust on top of it.

mod ffi;
mod plugin;
mod scratch;
