//! Range decoder: the arithmetic decoder under LZMA.
//!
//! Two flavours share the same arithmetic:
//! - [`RangeDecoder`] keeps `range` and `code` between calls and reads input one byte at a
//!   time with a bounds check, so a caller can stop at any bit when input runs out (the
//!   resumable path of the LZMA decoder);
//! - [`FastRc`] is a copy of the same two registers used in the LZMA decoder's hot loop. It
//!   does not stop when input runs out (a read past the end gives 0): the caller only uses
//!   it while one whole LZMA symbol (at most [`SYMBOL_MAX_BYTES`] input bytes) remains.
//!
//! Probabilities are 11-bit (`u16` values in `1..2048`), adapted by 1/32 per bit
//! ([`super::adapt`]).

use super::adapt;

/// Bits of precision of a probability.
pub const BIT_MODEL_TOTAL_BITS: u32 = 11;
/// One in probability units (a probability is `p / BIT_MODEL_TOTAL` of a 0 bit).
pub const BIT_MODEL_TOTAL: u32 = 1 << BIT_MODEL_TOTAL_BITS;
/// The adaptation shift.
pub const MOVE_BITS: u32 = 5;
/// The initial value of every probability (one half).
pub const PROB_INIT: u16 = (BIT_MODEL_TOTAL / 2) as u16;
/// `range` is renormalized (one input byte shifted in) when it drops below this.
pub const TOP_VALUE: u32 = 1 << 24;
/// The most input bytes one LZMA symbol can consume: 22 bits coded with probabilities
/// plus 26 direct bits (liblzma's `LZMA_IN_REQUIRED`).
pub const SYMBOL_MAX_BYTES: usize = 20;

/// The state of a range decoder between calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RangeDecoder {
    /// Current range width.
    pub range: u32,
    /// Current code value, always below `range` in a valid stream.
    pub code: u32,
    /// Bytes of the 5-byte initialization still to read.
    pub init_bytes_left: u32,
}

impl Default for RangeDecoder {
    fn default() -> Self {
        RangeDecoder::new()
    }
}

/// Outcome of [`RangeDecoder::read_init`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitStatus {
    /// All five initialization bytes have been read.
    Ready,
    /// The input ran out first; call again with more.
    NeedInput,
}

impl RangeDecoder {
    /// A decoder that still has to read its five initialization bytes.
    ///
    /// ```
    /// use lzma_core::rangecoder::decoder::{InitStatus, RangeDecoder};
    /// let mut rc = RangeDecoder::new();
    /// let mut pos = 0;
    /// assert_eq!(rc.read_init(&[0, 1, 2, 3, 4], &mut pos), Ok(InitStatus::Ready));
    /// assert_eq!((pos, rc.code), (5, 0x0102_0304));
    /// ```
    pub const fn new() -> Self {
        RangeDecoder {
            range: u32::MAX,
            code: 0,
            init_bytes_left: 5,
        }
    }

    /// Resets to the state before initialization.
    pub fn reset(&mut self) {
        *self = RangeDecoder::new();
    }

    /// Whether the stream may end here: a cleanly finished range coder leaves `code == 0`.
    pub fn is_finished(&self) -> bool {
        self.code == 0
    }

    /// Reads the initialization bytes from `input[*pos..]`. The first byte is always 0
    /// (the encoder's first cache byte); anything else means corrupt data.
    pub fn read_init(&mut self, input: &[u8], pos: &mut usize) -> crate::Result<InitStatus> {
        while self.init_bytes_left > 0 {
            let Some(&b) = input.get(*pos) else {
                return Ok(InitStatus::NeedInput);
            };
            if self.init_bytes_left == 5 && b != 0 {
                return Err(crate::Error::Corrupt(
                    "first byte of the range coder is not 0",
                ));
            }
            self.code = (self.code << 8) | u32::from(b);
            *pos += 1;
            self.init_bytes_left -= 1;
        }
        Ok(InitStatus::Ready)
    }

    /// Shifts in one input byte if `range` is below [`TOP_VALUE`]. Returns `None`, with
    /// nothing changed, if a byte is needed and `input` has none left.
    #[inline]
    pub fn normalize(&mut self, input: &[u8], pos: &mut usize) -> Option<()> {
        if self.range < TOP_VALUE {
            let b = *input.get(*pos)?;
            *pos += 1;
            self.range <<= 8;
            self.code = (self.code << 8) | u32::from(b);
        }
        Some(())
    }

    /// Decodes one bit with probability `prob` and adapts it. `None` (nothing changed)
    /// if input ran out.
    #[inline]
    pub fn bit(&mut self, prob: &mut u16, input: &[u8], pos: &mut usize) -> Option<u32> {
        self.normalize(input, pos)?;
        let p = u32::from(*prob);
        let bound = (self.range >> BIT_MODEL_TOTAL_BITS) * p;
        if self.code < bound {
            self.range = bound;
            *prob = adapt(p, 0) as u16;
            Some(0)
        } else {
            self.range -= bound;
            self.code -= bound;
            *prob = adapt(p, 1) as u16;
            Some(1)
        }
    }

    /// Decodes one direct bit (probability one half, not adapted). `None` (nothing
    /// changed) if input ran out.
    #[inline]
    pub fn direct_bit(&mut self, input: &[u8], pos: &mut usize) -> Option<u32> {
        self.normalize(input, pos)?;
        self.range >>= 1;
        self.code = self.code.wrapping_sub(self.range);
        let mask = 0u32.wrapping_sub(self.code >> 31);
        self.code = self.code.wrapping_add(self.range & mask);
        Some(mask.wrapping_add(1))
    }
}

/// [`adapt`] for every probability `p` below [`BIT_MODEL_TOTAL`] (all a model can hold:
/// it starts at one half and adapting keeps it in `1..BIT_MODEL_TOTAL`) and bit `b`, at
/// index `2 * p + b`. In the hot loop one load from it replaces the four arithmetic
/// instructions of the adaptation: the bit loop is bound by arithmetic throughput nearly
/// as much as by its dependency chain (measured: 2-6 % less CPU time to decode).
static ADAPTED: [u16; 2 * BIT_MODEL_TOTAL as usize] = {
    let mut t = [0u16; 2 * BIT_MODEL_TOTAL as usize];
    let mut i = 0;
    while i < t.len() {
        t[i] = adapt(i as u32 >> 1, i as u32 & 1) as u16;
        i += 1;
    }
    t
};

/// [`adapt`] through [`ADAPTED`]; `p` is taken modulo [`BIT_MODEL_TOTAL`], which changes
/// no valid probability and keeps the index in bounds without a check.
#[inline(always)]
fn adapted(p: u32, bit: u32) -> u32 {
    u32::from(ADAPTED[((2 * p + bit) as usize) & (ADAPTED.len() - 1)])
}

/// What [`FastRc`] reads past the end of its input (only if its caller broke the
/// one-symbol-of-input rule); out of line so the in-bounds read stays branch-predicted.
#[cold]
#[inline(never)]
fn past_end() -> u8 {
    0
}

/// The range decoder registers as used in the LZMA decoder's hot loop, reading input
/// without an exhaustion check.
///
/// The caller enters a symbol only while at least [`SYMBOL_MAX_BYTES`] input bytes remain
/// after [`FastRc::pos`]; a read past the end (only possible if that is violated) yields 0
/// rather than a panic.
pub struct FastRc<'a> {
    /// Current range width.
    pub range: u32,
    /// Current code value.
    pub code: u32,
    input: &'a [u8],
    /// Position of the next input byte.
    pub pos: usize,
}

impl<'a> FastRc<'a> {
    /// Continues decoding with the given registers at `input[pos..]`.
    #[inline(always)]
    pub fn new(range: u32, code: u32, input: &'a [u8], pos: usize) -> Self {
        FastRc {
            range,
            code,
            input,
            pos,
        }
    }

    #[inline(always)]
    fn normalize(&mut self) {
        if self.range < TOP_VALUE {
            self.range <<= 8;
            // A predicted branch to a cold call, not a select: the byte load then waits
            // for nothing but its address, keeping `code`'s dependency chain short.
            let b = match self.input.get(self.pos) {
                Some(&b) => b,
                None => past_end(),
            };
            self.code = (self.code << 8) | u32::from(b);
            self.pos += 1;
        }
    }

    /// Decodes one bit with probability `prob` and adapts it.
    #[inline(always)]
    pub fn bit(&mut self, prob: &mut u16) -> u32 {
        self.normalize();
        let p = u32::from(*prob);
        let bound = (self.range >> BIT_MODEL_TOTAL_BITS) * p;
        if self.code < bound {
            self.range = bound;
            *prob = adapted(p, 0) as u16;
            0
        } else {
            self.range -= bound;
            self.code -= bound;
            *prob = adapted(p, 1) as u16;
            1
        }
    }

    /// Decodes one bit like [`FastRc::bit`] but without a data-dependent branch (range,
    /// code and probability are selected with masks), for bit trees whose bits are
    /// unpredictable.
    #[inline(always)]
    pub fn bit_masked(&mut self, prob: &mut u16) -> u32 {
        self.normalize();
        let p = u32::from(*prob);
        let bound = (self.range >> BIT_MODEL_TOTAL_BITS) * p;
        let bit = u32::from(self.code >= bound);
        let mask = 0u32.wrapping_sub(bit);
        // bit 1: range - bound, code - bound; bit 0: bound, code.
        self.range = bound.wrapping_add(self.range.wrapping_sub(bound.wrapping_mul(2)) & mask);
        self.code = self.code.wrapping_sub(bound & mask);
        *prob = adapted(p, bit) as u16;
        bit
    }

    /// Decodes one bit with probability `p` without a data-dependent branch and returns
    /// the bit and the adapted probability; the caller stores it. Splitting load and store
    /// lets bit-tree decoders load the next probability before this bit is known.
    #[inline(always)]
    pub fn bit_value(&mut self, p: u32) -> (u32, u32) {
        self.normalize();
        let bound = (self.range >> BIT_MODEL_TOTAL_BITS) * p;
        let r1 = self.range.wrapping_sub(bound);
        let c1 = self.code.wrapping_sub(bound);
        let bit = self.code >= bound;
        self.range = if bit { r1 } else { bound };
        self.code = if bit { c1 } else { self.code };
        let b = u32::from(bit);
        (b, adapted(p, b))
    }

    /// Decodes `count` direct bits, appending them to `value`.
    #[inline(always)]
    pub fn direct(&mut self, mut value: u32, count: u32) -> u32 {
        for _ in 0..count {
            self.normalize();
            self.range >>= 1;
            // A negative difference (as liblzma tests it, also for corrupt data where
            // `code` is not below `range`) is a 0 bit and leaves `code` as it was. A
            // select, not a mask, keeps the `code` dependency chain at two operations.
            let c1 = self.code.wrapping_sub(self.range);
            let zero = (c1 as i32) < 0;
            self.code = if zero { self.code } else { c1 };
            value = (value << 1) | u32::from(!zero);
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_rejects_nonzero_first_byte() {
        let mut rc = RangeDecoder::new();
        let mut pos = 0;
        assert!(matches!(
            rc.read_init(&[1, 0, 0, 0, 0], &mut pos),
            Err(crate::Error::Corrupt(_))
        ));
    }

    #[test]
    fn init_is_resumable() {
        let data = [0u8, 0x12, 0x34, 0x56, 0x78];
        let mut rc = RangeDecoder::new();
        for i in 0..5 {
            let mut pos = 0;
            let st = rc.read_init(&data[i..=i], &mut pos).unwrap();
            assert_eq!(pos, 1);
            assert_eq!(st == InitStatus::Ready, i == 4);
        }
        assert_eq!(rc.code, 0x1234_5678);
        assert!(!rc.is_finished());
    }

    #[test]
    fn slow_and_fast_agree() {
        // Pseudo-random input and a mix of bits and direct bits: both flavours must
        // produce the same bits, registers, probabilities and input consumption.
        let mut input = [0u8; 64];
        let mut x = 0x1234_5678u32;
        for b in input.iter_mut() {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *b = (x >> 24) as u8;
        }
        let mut slow = RangeDecoder {
            range: 0x8000_0000,
            code: 0x1234_5678,
            init_bytes_left: 0,
        };
        let mut probs_slow = [PROB_INIT; 8];
        let mut probs_fast = [PROB_INIT; 8];
        let mut spos = 0;
        let (mut range, mut code, mut fpos) = (slow.range, slow.code, 0usize);
        for round in 0..6 {
            let mut f = FastRc::new(range, code, &input, fpos);
            for i in 0..8 {
                let a = slow.bit(&mut probs_slow[i], &input, &mut spos).unwrap();
                let b = f.bit(&mut probs_fast[i]);
                assert_eq!(a, b, "round {round} bit {i}");
            }
            let mut v = 0;
            for _ in 0..3 {
                v = (v << 1) + slow.direct_bit(&input, &mut spos).unwrap();
            }
            assert_eq!(f.direct(0, 3), v);
            let mut pm = probs_fast;
            let mut g = FastRc::new(f.range, f.code, f.input, f.pos);
            for i in 0..8 {
                let a = f.bit(&mut probs_fast[i]);
                let b = g.bit_masked(&mut pm[i]);
                assert_eq!((a, f.range, f.code), (b, g.range, g.code));
                let _ = slow.bit(&mut probs_slow[i], &input, &mut spos).unwrap();
            }
            assert_eq!(pm, probs_fast);
            range = f.range;
            code = f.code;
            fpos = f.pos;
            assert_eq!((range, code, fpos), (slow.range, slow.code, spos));
            assert_eq!(probs_slow, probs_fast);
        }
    }

    #[test]
    fn direct_bits_agree_on_corrupt_registers() {
        // A corrupt stream can leave `code` at or above `range`; both flavours must then
        // still decide every direct bit by the sign of `code - range`, as liblzma does.
        let input = [0x5Au8, 0xA5, 0xFF, 0x00, 0x80, 0x7F, 0x33, 0xCC];
        for (range, code) in [
            (0x0100_0000u32, 0xFFFF_FFFFu32),
            (0x8000_0000, 0x9000_0000),
            (0x0123_4567, 0x0123_4567),
            (0xFFFF_FFFF, 0x7FFF_FFFF),
        ] {
            let mut slow = RangeDecoder {
                range,
                code,
                init_bytes_left: 0,
            };
            let mut spos = 0;
            let mut v = 1u32;
            for _ in 0..26 {
                v = (v << 1) + slow.direct_bit(&input, &mut spos).unwrap_or(0);
            }
            let mut f = FastRc::new(range, code, &input, 0);
            assert_eq!(f.direct(1, 26), v, "range {range:#x} code {code:#x}");
            assert_eq!((f.range, f.code), (slow.range, slow.code));
        }
    }

    #[test]
    fn adaptation_table_matches_the_rule() {
        for p in 0..BIT_MODEL_TOTAL {
            for bit in 0..2 {
                assert_eq!(adapted(p, bit), adapt(p, bit), "p {p} bit {bit}");
            }
        }
        // Adapting keeps every probability reachable from one half in 1..2048.
        let mut seen = [false; BIT_MODEL_TOTAL as usize];
        let mut todo = vec![u32::from(PROB_INIT)];
        while let Some(p) = todo.pop() {
            if std::mem::replace(&mut seen[p as usize], true) {
                continue;
            }
            for bit in 0..2 {
                let q = adapt(p, bit);
                assert!((1..BIT_MODEL_TOTAL).contains(&q), "{p} -> {q}");
                todo.push(q);
            }
        }
    }

    #[test]
    fn normalize_needs_input() {
        let mut rc = RangeDecoder {
            range: 1,
            code: 0,
            init_bytes_left: 0,
        };
        let mut pos = 0;
        let mut p = PROB_INIT;
        assert_eq!(rc.bit(&mut p, &[], &mut pos), None);
        assert_eq!((rc.range, p), (1, PROB_INIT));
    }
}
