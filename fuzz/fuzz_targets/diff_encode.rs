//! Differential encoding against liblzma (XZ Utils 5.8): byte-identical output.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| xz_fuzz::targets::diff_encode(data));
