//! Structure-aware round trip: arbitrary options (format, preset, extreme,
//! LZMA options, filter chain, check, block size) and data through our
//! encoder, then our decoder and liblzma's.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| xz_fuzz::targets::roundtrip(data));
