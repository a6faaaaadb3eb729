//! The .xz container: stream header and footer, block headers, index, stream coders, and
//! `xz --list` information.

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
