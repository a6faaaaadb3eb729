//! LZ layer: the decoder's dictionary and the encoder's window and match finders.

pub mod decoder;
pub mod encoder;
