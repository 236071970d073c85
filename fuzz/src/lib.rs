//! The properties the fuzz targets check, one function per target; also
//! included by the main crate's tests/fuzz_corpus.rs, which replays the
//! committed corpus and regressions with the ordinary `cargo test`.

pub mod checks;
