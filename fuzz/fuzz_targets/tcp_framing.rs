#![no_main]
//! Fuzz target `tcp_framing`: see `xmmep_fuzz::checks::tcp_framing`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| xmmep_fuzz::checks::tcp_framing(data));
