//! Range coder: decoder, encoder and price tables.

pub mod decoder;
pub mod encoder;
pub mod price;
