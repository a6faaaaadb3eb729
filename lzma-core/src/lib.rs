//! `lzma-core`: a memory-safe xz/LZMA codec.
//!
//! Formats: `.xz`, `.lzma` (LZMA_Alone), lzip (decode), raw LZMA1/LZMA2 filter chains.
//! Filters: LZMA1, LZMA2, Delta, BCJ (x86, ARM, ARM-Thumb, ARM64, PowerPC, IA-64, SPARC, RISC-V).
//! Checks: None, CRC32, CRC64, SHA-256.
//!
//! Every coder is a sans-IO state machine implementing [`stream::Coder`]; the [`read`],
//! [`bufread`] and [`write`] modules wrap it for `std::io`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
pub mod error;
pub mod filter;
pub mod lz;
pub mod lzma;
pub mod lzma2;
pub mod rangecoder;
pub mod stream;
pub mod xz;

pub use check::Check;
pub use error::{Error, Result};
pub use filter::Filter;
pub use lzma::{LzmaOptions, MatchFinder, Mode};
pub use stream::{Action, Coder, Progress, Status};
