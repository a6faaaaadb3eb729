//! Decode with input and output fed in chunk sizes chosen by the input, and
//! check the result against decoding all input at once.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| xz_fuzz::targets::decode_chunked(data));
