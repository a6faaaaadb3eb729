//! Shared code of the `lzma-core` fuzz targets.
//!
//! - [`spec`] turns the fuzzer's bytes into a format, a raw filter chain or
//!   encoder options (structure-aware, with `arbitrary`);
//! - [`drive`] pumps any [`lzma_core::Coder`] with input and output fed in
//!   chunks of chosen sizes, with an output cap, and reports the outcome;
//! - [`ours`] builds our coders for a spec (the one place naming the
//!   library's constructors); [`reference`] builds liblzma's equivalents;
//! - [`verdict`] compares outcomes (ours chunked vs one-shot, ours vs liblzma).
//!
//! Every decoder runs with [`MEMLIMIT`] and every run stops after
//! [`OUTPUT_CAP`] bytes, so the fuzzer's RSS limit (2560 MB in `.ci/fuzz-smoke`)
//! never triggers and one input never takes long.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod drive;
pub mod ours;
#[cfg(feature = "fuzzing")]
pub mod reference;
pub mod spec;
#[cfg(feature = "fuzzing")]
pub mod targets;
pub mod verdict;

/// Memory limit given to every decoder (ours and liblzma's).
pub const MEMLIMIT: u64 = 96 << 20;

/// Output produced by one run is cut off after this many bytes.
pub const OUTPUT_CAP: usize = 4 << 20;
