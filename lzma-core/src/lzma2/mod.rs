//! LZMA2: chunked LZMA with uncompressed chunks and resets.
//!
//! ```
//! use lzma_core::lzma2::{decoder::Lzma2Decoder, encoder::Lzma2Encoder};
//! use lzma_core::{oneshot::run, LzmaOptions};
//! let opts = LzmaOptions::preset(0, false)?;
//! let chunks = run(&mut Lzma2Encoder::new(&opts)?, b"chunked LZMA")?;
//! assert_eq!(run(&mut Lzma2Decoder::new(opts.dict_size)?, &chunks)?, b"chunked LZMA");
//! # Ok::<(), lzma_core::Error>(())
//! ```

pub mod decoder;
pub mod encoder;
