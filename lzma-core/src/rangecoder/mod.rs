//! Range coder: decoder, encoder and price tables.

pub mod decoder;
pub mod encoder;
pub mod price;

use decoder::{BIT_MODEL_TOTAL, MOVE_BITS};

/// LZMA's adaptation, shared by the encoder and the decoders: the probability of a 0 bit
/// after coding `bit` with probability `p`, moved 1/32 of the way towards that bit.
///
/// ```
/// use lzma_core::rangecoder::{adapt, decoder::PROB_INIT};
/// assert_eq!(adapt(u32::from(PROB_INIT), 0), 1024 + 32);
/// assert_eq!(adapt(u32::from(PROB_INIT), 1), 1024 - 32);
/// ```
pub const fn adapt(p: u32, bit: u32) -> u32 {
    if bit == 0 {
        p + ((BIT_MODEL_TOTAL - p) >> MOVE_BITS)
    } else {
        p - (p >> MOVE_BITS)
    }
}
