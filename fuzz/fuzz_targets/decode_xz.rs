//! Decode arbitrary bytes as .xz with a memory limit: no panic, no hang, a verdict.
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use xz_fuzz::spec::Format;

fuzz_target!(|data: &[u8]| xz_fuzz::targets::decode(Format::Xz, data));
