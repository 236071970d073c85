//! The committed capture corpus, `tests/captures` below the workspace
//! root (written by `xmmep-capgen`): where it lies, and one capture of it
//! by name.

use std::path::{Path, PathBuf};

/// The corpus folder, `tests/captures` below the workspace root.
pub fn dir() -> PathBuf {
    crate::root().join("tests/captures")
}

/// The corpus capture at `rel` (`login.pcapng`, `malformed/oversize.pcapng`).
pub fn path(rel: impl AsRef<Path>) -> PathBuf {
    dir().join(rel)
}
