//! Bit prices for the encoder's optimum parser.
//!
//! A price estimates the cost of coding a bit in units of 1/16 bit (`-log2(p) * 16`), looked up
//! from a small table indexed by the probability with its low four bits dropped. The table is the
//! one liblzma generates with `price_tablegen.c`; here it is computed by a `const fn` at compile
//! time, so the numbers come from the same integer arithmetic rather than from a pasted list.

/// Number of fractional bits in a price.
pub const PRICE_SHIFT_BITS: u32 = 4;
/// Low bits of a probability ignored when looking up its price.
const REDUCING_BITS: u32 = 4;
/// Bits of a probability (probabilities are in `0..1 << 11`).
const MODEL_TOTAL_BITS: u32 = 11;
/// The probability scale (`1 << 11`).
const MODEL_TOTAL: u32 = 1 << MODEL_TOTAL_BITS;
/// Entries in the price table.
const TABLE_SIZE: usize = (MODEL_TOTAL >> REDUCING_BITS) as usize;

/// A price larger than any real one; used to mark unreachable parser states.
pub const INFINITY_PRICE: u32 = 1 << 30;

/// Builds the price table: for the midpoint `i` of each probability bucket, the price is
/// `11 * 16 - 15 - b`, where `b` counts the halvings needed to keep `i` squared four times
/// (with renormalization) below `2^16`, which approximates `16 * log2(i)`.
const fn build_table() -> [u8; TABLE_SIZE] {
    let mut table = [0u8; TABLE_SIZE];
    let step = 1u32 << REDUCING_BITS;
    let mut i = step / 2;
    while i < MODEL_TOTAL {
        let mut w = i;
        let mut bits = 0u32;
        let mut round = 0;
        while round < PRICE_SHIFT_BITS {
            w *= w;
            bits <<= 1;
            while w >= 1 << 16 {
                w >>= 1;
                bits += 1;
            }
            round += 1;
        }
        table[(i >> REDUCING_BITS) as usize] =
            ((MODEL_TOTAL_BITS << PRICE_SHIFT_BITS) - 15 - bits) as u8;
        i += step;
    }
    table
}

/// Price of each probability bucket, generated at compile time.
static PRICES: [u8; TABLE_SIZE] = build_table();

/// Price of coding `bit` (0 or 1) with probability `prob` (of a 0).
///
/// ```
/// use lzma_core::rangecoder::price::bit_price;
/// // At p = 1/2 a bit costs about one bit, that is 16 units (the table is sampled at
/// // bucket midpoints, so the two sides differ slightly).
/// assert_eq!(bit_price(1024, 0), 16);
/// assert_eq!(bit_price(1024, 1), 17);
/// ```
#[inline(always)]
pub fn bit_price(prob: u16, bit: u32) -> u32 {
    let flip = 0u32.wrapping_sub(bit) & (MODEL_TOTAL - 1);
    u32::from(PRICES[(((u32::from(prob)) ^ flip) >> REDUCING_BITS) as usize & (TABLE_SIZE - 1)])
}

/// Price of coding a 0 with probability `prob`.
#[inline(always)]
pub fn bit0_price(prob: u16) -> u32 {
    u32::from(PRICES[(u32::from(prob) >> REDUCING_BITS) as usize & (TABLE_SIZE - 1)])
}

/// Price of coding a 1 with probability `prob`.
#[inline(always)]
pub fn bit1_price(prob: u16) -> u32 {
    u32::from(
        PRICES
            [((u32::from(prob) ^ (MODEL_TOTAL - 1)) >> REDUCING_BITS) as usize & (TABLE_SIZE - 1)],
    )
}

/// Price of coding the `bits` low bits of `symbol` through a bit tree (most significant
/// bit first). `probs` must hold at least `1 << bits` entries.
#[inline]
pub fn bittree_price(probs: &[u16], bits: u32, symbol: u32) -> u32 {
    let mut price = 0;
    let mut node = symbol | (1 << bits);
    while node != 1 {
        let bit = node & 1;
        node >>= 1;
        price += bit_price(probs[node as usize], bit);
    }
    price
}

/// Price of coding the `bits` low bits of `symbol` through a reverse bit tree (least
/// significant bit first).
#[inline]
pub fn bittree_reverse_price(probs: &[u16], bits: u32, mut symbol: u32) -> u32 {
    let mut price = 0;
    let mut node = 1usize;
    for _ in 0..bits {
        let bit = symbol & 1;
        symbol >>= 1;
        price += bit_price(probs[node], bit);
        node = (node << 1) + bit as usize;
    }
    price
}

/// Price of `bits` direct (fixed probability 1/2) bits.
#[inline(always)]
pub fn direct_price(bits: u32) -> u32 {
    bits << PRICE_SHIFT_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_known_points() {
        // Spot values of liblzma's price_table.c (first, middle and last rows).
        assert_eq!(&PRICES[..8], &[128, 103, 91, 84, 78, 73, 69, 66]);
        assert_eq!(PRICES[64], 16);
        assert_eq!(&PRICES[120..], &[2, 2, 2, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn prices_fall_as_probability_rises() {
        for w in PRICES[1..].windows(2) {
            assert!(w[0] >= w[1]);
        }
        assert_eq!(bit0_price(100), bit_price(100, 0));
        assert_eq!(bit1_price(100), bit_price(100, 1));
        assert_eq!(direct_price(3), 48);
    }

    #[test]
    fn tree_prices_sum_bits() {
        // Two 0 bits at 16 and two 1 bits at 17.
        let probs = [1024u16; 16];
        assert_eq!(bittree_price(&probs, 4, 5), 66);
        assert_eq!(bittree_reverse_price(&probs, 4, 5), 66);
    }
}
