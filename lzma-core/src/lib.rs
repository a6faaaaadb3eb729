//! `lzma-core`: a memory-safe xz/LZMA codec in pure safe Rust.
//!
//! Formats: `.xz` ([`xz`]), `.lzma` / LZMA_Alone ([`alone`]), lzip decoding ([`lzip`]), raw
//! LZMA1/LZMA2 filter chains ([`raw`]) and format detection ([`auto`]).
//! Filters: LZMA1, LZMA2, Delta, BCJ (x86, ARM, ARM-Thumb, ARM64, PowerPC, IA-64, SPARC, RISC-V).
//! Checks: None, CRC32, CRC64, SHA-256.
//!
//! Every coder is a sans-IO state machine implementing [`Coder`]: it takes an input slice
//! and an output slice and reports what it consumed and produced. The [`read`],
//! [`bufread`] and [`write`](mod@write) modules wrap the coders for `std::io` with the same type names
//! in each (`read::XzDecoder`, `write::XzEncoder`, ...), and [`compress`] /
//! [`decompress`] do whole buffers at once.
//!
//! Where to start:
//!
//! | Task | API |
//! |------|-----|
//! | whole buffers | [`compress`], [`compress_with`], [`decompress`], [`decompress_with`], [`oneshot::decompress_auto`] |
//! | streaming I/O | [`read`], [`bufread`], [`write`](mod@write): `XzDecoder`, `XzEncoder`, `LzmaDecoder`, `LzmaEncoder`, `LzipDecoder`, `RawDecoder`, `RawEncoder`, `AutoDecoder` |
//! | sans-IO coders | [`xz::XzDecoder`], [`xz::XzEncoder`], [`alone::AloneDecoder`], [`alone::AloneEncoder`], [`lzip::LzipDecoder`], [`raw::RawDecoder`], [`raw::RawEncoder`], [`auto::AutoDecoder`] |
//! | options | [`DecoderOptions`] (memory limit, `ignore_check`, `single_stream`), [`EncoderOptions`] (preset, filters, check, block size and list, threaded layout) |
//! | `xz --list` | [`xz::info::parse`] |
//! | format pieces | [`xz::stream_flags`], [`xz::block_header`], [`xz::index`], [`xz::vli`], [`check`] |
//! | block-level work (threads) | [`xz::encode_threaded_block`], [`xz::decode_block`] |
//!
//! Decoders never trust header values: memory needs are checked against
//! [`DecoderOptions::memlimit`] before anything is allocated, sizes are checked arithmetic,
//! and malformed input gives a typed [`Error`], never a panic.
//!
//! ```
//! use std::io::{Read, Write};
//! use lzma_core::{Check, DecoderOptions, EncoderOptions};
//!
//! // One shot.
//! let xz = lzma_core::compress(b"Hello, xz!", 6)?;
//! assert_eq!(lzma_core::decompress(&xz)?, b"Hello, xz!");
//!
//! // Streaming writer with options (SHA-256 check, 1 MiB blocks).
//! let opts = EncoderOptions::preset(3).check(Check::Sha256).block_size(1 << 20);
//! let mut w = lzma_core::write::XzEncoder::with_options(Vec::new(), &opts)?;
//! w.write_all(b"streamed")?;
//! let xz = w.finish()?;
//!
//! // Streaming reader with a memory limit.
//! let mut r = lzma_core::read::XzDecoder::with_options(&xz[..], DecoderOptions::new().memlimit(64 << 20));
//! let mut text = String::new();
//! r.read_to_string(&mut text)?;
//! assert_eq!(text, "streamed");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alone;
pub mod auto;
pub mod bufread;
pub mod check;
pub mod error;
pub mod filter;
/// Internal: the LZ dictionary, window and match finders, `pub` only for the project's
/// benches, fuzzing and tests; no stability promises.
#[doc(hidden)]
pub mod lz;
pub mod lzip;
pub mod lzma;
pub mod lzma2;
pub mod mt;
pub mod oneshot;
pub mod options;
/// Internal: the range coder and its price tables, `pub` only for the project's benches,
/// fuzzing and tests; no stability promises.
#[doc(hidden)]
pub mod rangecoder;
pub mod raw;
pub mod read;
pub mod stream;
pub mod write;
pub mod xz;
mod zio;

pub use check::Check;
pub use error::{Error, Result};
pub use filter::Filter;
pub use lzma::{LzmaOptions, MatchFinder, Mode};
pub use oneshot::{compress, compress_with, decompress, decompress_with};
pub use options::{DecoderOptions, EncoderOptions};
pub use stream::{Action, Coder, Progress, Status};
