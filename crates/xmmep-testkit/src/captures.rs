//! The committed capture corpus, `tests/captures` below the workspace
//! root (written by `xmmep-capgen`): where it lies, one capture of it by
//! name, and every capture of it or of another folder.

use std::path::{Path, PathBuf};

/// The corpus folder, `tests/captures` below the workspace root.
pub fn dir() -> PathBuf {
    crate::root().join("tests/captures")
}

/// The corpus capture at `rel` (`login.pcapng`, `malformed/oversize.pcapng`).
pub fn path(rel: impl AsRef<Path>) -> PathBuf {
    dir().join(rel)
}

/// Every capture of the corpus, sorted.
pub fn all() -> Vec<PathBuf> {
    below(&dir())
}

/// Every `.pcapng` file below `dir`, subfolders included, sorted.
pub fn below(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "pcapng") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    out.sort();
    out
}
