//! The .xz container: stream header and footer, block headers, index, stream coders, and
//! `xz --list` information.
//!
//! ```
//! use lzma_core::xz::{XzDecoder, XzEncoder};
//! use lzma_core::{oneshot::run, DecoderOptions, EncoderOptions};
//! let xz = run(&mut XzEncoder::new(&EncoderOptions::preset(0))?, b"container")?;
//! assert_eq!(&xz[..6], b"\xFD7zXZ\x00");
//! assert_eq!(&xz[xz.len() - 2..], b"YZ");
//! assert_eq!(run(&mut XzDecoder::new(DecoderOptions::new()), &xz)?, b"container");
//! # Ok::<(), lzma_core::Error>(())
//! ```

pub(crate) mod backend;
pub(crate) mod block;
pub mod block_header;
pub(crate) mod decoder;
pub(crate) mod encoder;
pub(crate) mod fields;
pub(crate) mod plan;
pub mod index;
pub mod info;
pub mod stream_flags;
pub mod vli;

pub use block::decode_block;
pub use decoder::XzDecoder;
pub use encoder::{encode_threaded_block, mt_block_size, EncodedBlock, XzEncoder};
pub use stream_flags::StreamFlags;
