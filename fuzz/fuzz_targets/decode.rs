#![no_main]
//! Fuzz target `decode`: see `xmmep_fuzz::checks::decode`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| xmmep_fuzz::checks::decode(data));
