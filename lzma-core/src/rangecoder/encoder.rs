//! The range encoder.
//!
//! Bits are coded straight into an owned byte buffer as they are produced: there is no
//! symbol queue as in liblzma. LZMA2 chunks are bounded (64 KiB compressed), and the LZMA1
//! encoder drains the buffer into the caller's output between symbols, so the buffer stays
//! small.
//!
//! The normalization step runs *before* each bit (as liblzma's `rc_encode` does), not after.
//! The bytes produced are the same either way, but the number of pending bytes after a symbol
//! differs, and LZMA2 uses that number to decide where a chunk ends.

/// Bits of probability precision.
pub const BIT_MODEL_TOTAL_BITS: u32 = 11;
/// Probability scale: a probability is in `0..BIT_MODEL_TOTAL`.
pub const BIT_MODEL_TOTAL: u32 = 1 << BIT_MODEL_TOTAL_BITS;
/// Initial probability (one half).
pub const PROB_INIT: u16 = (BIT_MODEL_TOTAL / 2) as u16;
/// Normalize when the range drops below this.
const TOP_VALUE: u32 = 1 << 24;

/// A range encoder writing into an owned buffer.
#[derive(Debug, Clone)]
pub struct RangeEncoder {
    low: u64,
    range: u32,
    cache: u8,
    cache_size: u64,
    out: Vec<u8>,
}

impl Default for RangeEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl RangeEncoder {
    /// A new encoder with an empty output buffer.
    pub fn new() -> Self {
        RangeEncoder {
            low: 0,
            range: u32::MAX,
            cache: 0,
            cache_size: 1,
            out: Vec::new(),
        }
    }

    /// A new encoder whose buffer can hold `capacity` bytes before growing.
    pub fn with_capacity(capacity: usize) -> Self {
        let mut rc = Self::new();
        rc.out.reserve(capacity);
        rc
    }

    /// Resets the coder state (not the output buffer) for a new stream or LZMA2 chunk.
    pub fn reset(&mut self) {
        self.low = 0;
        self.range = u32::MAX;
        self.cache = 0;
        self.cache_size = 1;
    }

    /// Bytes that a flush would still add beyond [`RangeEncoder::out`]: the cached bytes plus
    /// the four bytes of `low` (liblzma's `rc_pending`).
    #[inline(always)]
    pub fn pending(&self) -> u64 {
        self.cache_size + 4
    }

    /// The bytes produced so far and not yet taken.
    #[inline]
    pub fn out(&self) -> &[u8] {
        &self.out
    }

    /// Number of bytes produced and not yet taken.
    #[inline(always)]
    pub fn out_len(&self) -> usize {
        self.out.len()
    }

    /// Discards the produced bytes (after the caller has copied them).
    pub fn clear_out(&mut self) {
        self.out.clear();
    }

    #[inline(always)]
    fn shift_low(&mut self) {
        if (self.low as u32) < 0xFF00_0000 || (self.low >> 32) != 0 {
            let carry = (self.low >> 32) as u8;
            let mut byte = self.cache;
            loop {
                self.out.push(byte.wrapping_add(carry));
                byte = 0xFF;
                self.cache_size -= 1;
                if self.cache_size == 0 {
                    break;
                }
            }
            self.cache = (self.low >> 24) as u8;
        }
        self.cache_size += 1;
        self.low = (self.low & 0x00FF_FFFF) << 8;
    }

    #[inline(always)]
    fn normalize(&mut self) {
        if self.range < TOP_VALUE {
            self.shift_low();
            self.range <<= 8;
        }
    }

    /// Codes one bit with an adaptive probability, and adapts it.
    #[inline(always)]
    pub fn bit(&mut self, prob: &mut u16, bit: u32) {
        self.normalize();
        let p = u32::from(*prob);
        let bound = (self.range >> BIT_MODEL_TOTAL_BITS) * p;
        if bit == 0 {
            self.range = bound;
            *prob = super::adapt(p, 0) as u16;
        } else {
            self.low += u64::from(bound);
            self.range -= bound;
            *prob = super::adapt(p, 1) as u16;
        }
    }

    /// Codes the `bits` low bits of `symbol`, most significant first, through the bit tree
    /// `probs` (which needs `1 << bits` entries).
    #[inline(always)]
    pub fn bittree(&mut self, probs: &mut [u16], bits: u32, symbol: u32) {
        let mut node = 1usize;
        let mut n = bits;
        while n != 0 {
            n -= 1;
            let bit = (symbol >> n) & 1;
            self.bit(&mut probs[node], bit);
            node = (node << 1) + bit as usize;
        }
    }

    /// Codes the `bits` low bits of `symbol`, least significant first, through the reverse
    /// bit tree `probs`.
    #[inline(always)]
    pub fn bittree_reverse(&mut self, probs: &mut [u16], bits: u32, mut symbol: u32) {
        let mut node = 1usize;
        for _ in 0..bits {
            let bit = symbol & 1;
            symbol >>= 1;
            self.bit(&mut probs[node], bit);
            node = (node << 1) + bit as usize;
        }
    }

    /// Codes the `bits` low bits of `value` with fixed probability one half.
    #[inline]
    pub fn direct(&mut self, value: u32, bits: u32) {
        let mut n = bits;
        while n != 0 {
            n -= 1;
            self.normalize();
            self.range >>= 1;
            if (value >> n) & 1 != 0 {
                self.low += u64::from(self.range);
            }
        }
    }

    /// Writes out everything (five more bytes of state) and resets the coder for the next
    /// stream or chunk.
    pub fn flush(&mut self) {
        self.normalize();
        for _ in 0..5 {
            self.shift_low();
        }
        self.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_stream_is_five_zero_bytes() {
        let mut rc = RangeEncoder::new();
        rc.flush();
        assert_eq!(rc.out(), &[0, 0, 0, 0, 0]);
    }

    #[test]
    fn probabilities_adapt() {
        let mut rc = RangeEncoder::new();
        let mut p = PROB_INIT;
        rc.bit(&mut p, 0);
        assert_eq!(p, 1024 + 32);
        rc.bit(&mut p, 1);
        assert_eq!(p, 1056 - 33);
        assert_eq!(rc.pending(), 5);
    }

    #[test]
    fn carry_propagates_through_cached_ff_bytes() {
        // Many 1 bits with a strongly 0-biased probability push carries through.
        let mut rc = RangeEncoder::new();
        let mut p = 2000u16;
        for i in 0..10_000u32 {
            let mut q = p;
            rc.bit(&mut q, u32::from(i % 7 == 0));
            p = 2000;
            rc.direct(i, 3);
        }
        rc.flush();
        assert!(rc.out_len() > 1000);
        assert_eq!(rc.out()[0], 0);
    }
}
