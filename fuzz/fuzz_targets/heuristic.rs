#![no_main]
//! Fuzz target `heuristic`: see `xmmep_fuzz::checks::heuristic`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| xmmep_fuzz::checks::heuristic(data));
