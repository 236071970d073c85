#![no_main]
//! Fuzz target `analysis`: see `xmmep_fuzz::checks::analysis`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| xmmep_fuzz::checks::analysis(data));
