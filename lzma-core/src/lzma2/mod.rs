//! LZMA2: chunked LZMA with uncompressed chunks and resets.

pub mod decoder;
pub mod encoder;
