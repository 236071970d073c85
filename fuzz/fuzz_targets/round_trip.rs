#![no_main]
//! Fuzz target `round_trip`: see `xmmep_fuzz::checks::round_trip`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| xmmep_fuzz::checks::round_trip(data));
