//! Tools around the XMMEP dissector that need no Wireshark libraries: the
//! capture generator (`xmmep-capgen`), the conformance check
//! (`xmmep-check`, which runs the tshark binary), the PDML reader shared by
//! the checker and the tests, and the generators of `lua/xmmep.lua` and of
//! docs/reference.md.

pub mod batch;
pub mod capture;
pub mod check;
pub mod digits;
pub mod docs_gen;
pub mod export;
pub mod lua_gen;
pub mod man;
pub mod pdml;
pub mod records;
pub mod scan;

use std::path::{Path, PathBuf};

/// The workspace root, where the generated files (`lua/xmmep.lua`,
/// `docs/reference.md`) and the sample captures live. The generators and
/// tests run from a checkout, so the path compiled in is the right one.
pub fn workspace_root() -> PathBuf {
    // Two levels up from crates/xmmep-tools, as a plain path (no `..`), so
    // that callers can compare it with paths they build from the root.
    let tools = Path::new(env!("CARGO_MANIFEST_DIR"));
    tools.ancestors().nth(2).expect("crates/xmmep-tools lies two levels below the root").to_path_buf()
}
