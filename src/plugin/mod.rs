//! The epan plugin: registration and dissection, table-driven. Safe Rust on
//! top of the FFI layer (`crate::ffi`); it knows the codec's output and the
//! presentation rules of docs/presentation.md, and nothing of any message.

mod dissect;
mod register;

pub use register::{register_handoff, register_protoinfo};
