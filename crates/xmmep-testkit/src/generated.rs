//! The generated files the repository commits (`lua/xmmep.lua`,
//! `docs/reference.md`): each must be what its generator makes now.

/// Asserts that the committed file at `rel` (below the workspace root) is
/// `fresh`, what its generator makes now; if not, says to run `command`,
/// which writes it again.
pub fn assert_up_to_date(rel: &str, fresh: &str, command: &str) {
    let committed = std::fs::read_to_string(crate::root().join(rel)).unwrap_or_default();
    assert!(committed == fresh, "{rel} is stale: run `{command}`");
}
