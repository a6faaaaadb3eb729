//! Decode with a raw filter chain (up to three Delta/BCJ filters, then LZMA1
//! or LZMA2) chosen by the first bytes; the rest is the compressed data.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| xz_fuzz::targets::decode_raw(data));
