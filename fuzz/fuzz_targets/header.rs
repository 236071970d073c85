#![no_main]
//! Fuzz target `header`: see `xmmep_fuzz::checks::header`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| xmmep_fuzz::checks::header(data));
