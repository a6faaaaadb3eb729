//! LZMA1 decoder (raw, `.lzma`, lzip payloads) and the LZMA engine LZMA2 runs per chunk.
//!
//! The engine decodes into an `lz::decoder::Dict` (internal). It has two
//! paths, as liblzma 5.6+:
//! - a *fast* loop, entered at a symbol boundary while at least one window of input
//!   (the `SYMBOL_MAX_BYTES` one symbol can use) and some output room
//!   remain; range decoder, state and distances live in locals, there is no input check per
//!   bit, bit trees are unrolled and probability arrays are indexed through masks;
//! - a *resumable* path, a `loop { match seq }` state machine that decodes one bit per step
//!   and can stop at any bit when input runs out, used near the edges of the buffers.
//!
//! Verdicts follow liblzma: a distance beyond the history, a repeated match before any
//! output, a match running past a known uncompressed size, an end marker where none is
//! allowed, and a range coder that does not finish with `code == 0` are
//! [`Error::Corrupt`].
//!
//! ```
//! use lzma_core::lzma::{decoder::LzmaDecoder, LzmaProps};
//! use lzma_core::{oneshot::run, Filter, LzmaOptions};
//! let opts = LzmaOptions::preset(0, false)?;
//! let raw = run(&mut lzma_core::raw::RawEncoder::new(&[Filter::Lzma1(opts.clone())])?, b"engine")?;
//! let mut dec = LzmaDecoder::new(opts.props(), opts.dict_size, None, true)?;
//! assert_eq!(run(&mut dec, &raw)?, b"engine");
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::lz::decoder::{self as lz, decode_buffer, Dict, LzDecode, INIT_POS, REPEAT_MAX};
use crate::lzma::LzmaProps;
use crate::rangecoder::decoder::{FastRc, InitStatus, RangeDecoder, PROB_INIT, SYMBOL_MAX_BYTES};
use crate::stream::{Action, Coder, Progress, Status};
use crate::{Error, Result};

// Layout of the probabilities: every non-literal probability in one power-of-two array
// (`Probs::misc`), so that every index can be masked instead of bounds-checked, and up to
// 16 literal coders (lc + lp <= 4) as fixed-size arrays (`Probs::lit`), so the literal
// decoders index one coder with no mask at all. Larger literal tables (LZMA1 with
// lc + lp > 4) live in a separate vector and are decoded by the resumable path only.
const MISC_LEN: usize = 2048;
const MISC_MASK: usize = MISC_LEN - 1;
/// `[state][pos_state]`, 12 x 16.
const IS_MATCH: usize = 0;
/// `[state][pos_state]`, 12 x 16.
const IS_REP0_LONG: usize = 256;
const IS_REP: usize = 512;
const IS_REP0: usize = 528;
const IS_REP1: usize = 544;
const IS_REP2: usize = 560;
/// `[dist_state][64]`.
const DIST_SLOT: usize = 576;
/// 114 probabilities of distances 4..=127, indexed from `base - 1` as liblzma does.
const POS_SPECIAL: usize = 832;
/// Reverse bit tree of the four low distance bits.
const ALIGN: usize = 960;
const MATCH_LEN_CHOICE: usize = 976;
const REP_LEN_CHOICE: usize = 978;
/// Length coders: `low[16][8]` at +0, `mid[16][8]` at +128, `high[256]` at +256.
const MATCH_LEN: usize = 1024;
const REP_LEN: usize = 1536;
const LEN_MID: usize = 128;
const LEN_HIGH: usize = 256;
/// Literal coders kept in [`Probs::lit`].
const LITERAL_CODERS: usize = 16;
/// A literal coder uses 0x300 probabilities (index 1..0x300); padded to 0x400.
const LITERAL_CODER: usize = 0x400;
const LIT_MASK: usize = LITERAL_CODER - 1;

/// Memory of the LZMA1 decoder besides the dictionary buffer and its slack: liblzma 5.8's
/// figure on x86_64 (its LZMA decoder and LZ decoder structures), so that
/// [`LzmaDecoder::memusage`] is `dict_size + 33_248` exactly as 5.8 reports and enforces.
pub(crate) const ENGINE_OVERHEAD: u64 = 32_640;

/// Where the resumable path continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seq {
    IsMatch,
    Literal,
    LiteralMatched,
    LiteralWrite,
    IsRep,
    LenChoice,
    LenChoice2,
    LenBittree,
    DistSlot,
    DistModel,
    Direct,
    Align,
    Eopm,
    IsRep0,
    ShortRep,
    IsRep0Long,
    IsRep1,
    IsRep2,
    Copy,
}

/// What one step of the resumable path achieved.
enum Slow {
    SymbolDone,
    Stalled,
    End,
}

/// Why the fast loop stopped.
enum Fast {
    /// Input or output too short for another symbol; continue in the resumable path.
    Edge,
    /// A match did not fit below the limit; `len` holds the rest (`seq` is `Copy`).
    Copy,
    /// An end marker was decoded (`seq` is `Eopm`).
    Eopm,
}

#[inline(always)]
fn update_literal(state: u32) -> u32 {
    if state < 4 {
        0
    } else if state < 10 {
        state - 3
    } else {
        state - 6
    }
}

/// Decodes a `BITS`-bit tree rooted at `probs[base + 1]`. Each step loads both possible
/// next probabilities before the current bit is known and picks one with a select, so the
/// load latency stays off the bit-to-bit dependency chain.
#[inline(always)]
fn bittree<const BITS: u32>(rc: &mut FastRc<'_>, probs: &mut [u16; MISC_LEN], base: usize) -> u32 {
    let mut sym = 1usize;
    let mut p = u32::from(probs[(base + 1) & MISC_MASK]);
    for i in 0..BITS {
        let (n0, n1) = if i + 1 < BITS {
            (
                u32::from(probs[(base + 2 * sym) & MISC_MASK]),
                u32::from(probs[(base + 2 * sym + 1) & MISC_MASK]),
            )
        } else {
            (0, 0)
        };
        let (bit, np) = rc.bit_value(p);
        probs[(base + sym) & MISC_MASK] = np as u16;
        sym = 2 * sym + bit as usize;
        // A select straight on the bit keeps the next probability one step behind it.
        p = if bit != 0 { n1 } else { n0 };
    }
    sym as u32 - (1 << BITS)
}

/// Decodes the `count` (1 to 5) reverse-order bits of a distance from the tree rooted at
/// `probs[base + 1]`, loading both possible next probabilities before each bit is known.
#[inline(always)]
fn reverse_bits(rc: &mut FastRc<'_>, probs: &mut [u16; MISC_LEN], base: usize, count: u32) -> u32 {
    let mut sym = 1usize;
    let mut value = 0u32;
    let mut p = u32::from(probs[(base + 1) & MISC_MASK]);
    for i in 0..count {
        let n0 = u32::from(probs[(base + 2 * sym) & MISC_MASK]);
        let n1 = u32::from(probs[(base + 2 * sym + 1) & MISC_MASK]);
        let (bit, np) = rc.bit_value(p);
        probs[(base + sym) & MISC_MASK] = np as u16;
        sym = 2 * sym + bit as usize;
        value += bit << i;
        p = if bit != 0 { n1 } else { n0 };
    }
    value
}

/// Decodes the four low (alignment) bits of a distance, low bit first; the probability of
/// bit `k` is `ALIGN + 2^k + (bits so far)`, as the encoder lays it out. Both possible next
/// probabilities are loaded before each bit is known.
#[inline(always)]
fn align_bits(rc: &mut FastRc<'_>, probs: &mut [u16; MISC_LEN]) -> u32 {
    let mut a = 0usize;
    let mut p = u32::from(probs[(ALIGN + 1) & MISC_MASK]);
    for k in 0..4 {
        let step = 1usize << k;
        let (n0, n1) = if k < 3 {
            (
                u32::from(probs[(ALIGN + 2 * step + a) & MISC_MASK]),
                u32::from(probs[(ALIGN + 3 * step + a) & MISC_MASK]),
            )
        } else {
            (0, 0)
        };
        let (bit, np) = rc.bit_value(p);
        probs[(ALIGN + step + a) & MISC_MASK] = np as u16;
        a += (bit as usize) << k;
        p = if bit != 0 { n1 } else { n0 };
    }
    a as u32
}

#[inline(always)]
fn len_fast(
    rc: &mut FastRc<'_>,
    probs: &mut [u16; MISC_LEN],
    choice: usize,
    base: usize,
    ps: usize,
) -> u32 {
    if rc.bit(&mut probs[choice & MISC_MASK]) == 0 {
        2 + bittree::<3>(rc, probs, base + ps * 8)
    } else if rc.bit(&mut probs[(choice + 1) & MISC_MASK]) == 0 {
        10 + bittree::<3>(rc, probs, base + LEN_MID + ps * 8)
    } else {
        18 + bittree::<8>(rc, probs, base + LEN_HIGH)
    }
}

#[inline(always)]
fn literal_fast(rc: &mut FastRc<'_>, lit: &mut [u16; LITERAL_CODER]) -> u32 {
    let mut sym = 1usize;
    let mut p = u32::from(lit[1]);
    for i in 0..8 {
        let (n0, n1) = if i < 7 {
            (u32::from(lit[2 * sym]), u32::from(lit[2 * sym + 1]))
        } else {
            (0, 0)
        };
        let (bit, np) = rc.bit_value(p);
        lit[sym] = np as u16;
        sym = 2 * sym + bit as usize;
        // A select straight on the bit keeps the next probability one step behind it.
        p = if bit != 0 { n1 } else { n0 };
    }
    sym as u32
}

/// A literal coded against the byte at `rep0`: while the decoded bits equal the match
/// byte's, the probabilities depend on the match bit too. Both possible next probabilities
/// are loaded before each bit is known, as in [`bittree`].
#[inline(always)]
fn matched_literal_fast(
    rc: &mut FastRc<'_>,
    lit: &mut [u16; LITERAL_CODER],
    match_byte: u32,
) -> u32 {
    let mut sym = 1usize;
    let mut offset = 0x100usize;
    let mut mb = (match_byte as usize) << 1;
    let mut idx = offset + (mb & offset) + sym;
    let mut p = u32::from(lit[idx & LIT_MASK]);
    for i in 0..8 {
        let match_bit = mb & offset;
        let off0 = offset & !match_bit;
        let off1 = offset & match_bit;
        let (idx0, idx1, next) = if i < 7 {
            let nmb = mb << 1;
            let i0 = off0 + (nmb & off0) + 2 * sym;
            let i1 = off1 + (nmb & off1) + 2 * sym + 1;
            (
                i0,
                i1,
                u32::from(lit[i0 & LIT_MASK]) | (u32::from(lit[i1 & LIT_MASK]) << 16),
            )
        } else {
            (0, 0, 0)
        };
        let (bit, np) = rc.bit_value(p);
        lit[idx & LIT_MASK] = np as u16;
        sym = 2 * sym + bit as usize;
        let m = 0usize.wrapping_sub(bit as usize);
        offset = (off0 & !m) | (off1 & m);
        idx = (idx0 & !m) | (idx1 & m);
        mb <<= 1;
        p = (next >> (bit * 16)) & 0xFFFF;
    }
    sym as u32
}

/// Literal and position parameters as the fast loop sees them, so the common
/// `lc=3, lp=0, pb=2` gets constant masks and shifts.
trait Params: Copy {
    fn pos_state(self, pos: usize) -> usize;
    /// Index (below [`LITERAL_CODERS`]) of the literal coder for this position and byte.
    fn coder(self, pos: usize, prev: u8) -> usize;
}

/// xz's default (and every preset's) parameters.
#[derive(Clone, Copy)]
struct Lc3Lp0Pb2;

impl Params for Lc3Lp0Pb2 {
    #[inline(always)]
    fn pos_state(self, pos: usize) -> usize {
        pos & 3
    }
    #[inline(always)]
    fn coder(self, _pos: usize, prev: u8) -> usize {
        usize::from(prev >> 5)
    }
}

/// Any parameters, read at run time.
#[derive(Clone, Copy)]
struct AnyParams {
    pos_mask: usize,
    lc: u32,
    literal_mask: usize,
}

impl Params for AnyParams {
    #[inline(always)]
    fn pos_state(self, pos: usize) -> usize {
        pos & self.pos_mask
    }
    #[inline(always)]
    fn coder(self, pos: usize, prev: u8) -> usize {
        ((((pos << 8) + usize::from(prev)) & self.literal_mask) << self.lc >> 8)
            & (LITERAL_CODERS - 1)
    }
}

/// All probabilities of the LZMA model (see the layout note at the top).
#[derive(Debug)]
struct Probs {
    misc: [u16; MISC_LEN],
    lit: [[u16; LITERAL_CODER]; LITERAL_CODERS],
}

/// The LZMA decoding engine: probabilities, range decoder and LZ state. It decodes into a
/// [`Dict`] it does not own, so LZMA2 can interleave uncompressed chunks and resets.
#[derive(Debug)]
pub(crate) struct LzmaEngine {
    probs: Box<Probs>,
    /// Literal coders when `lc + lp > 4` (else empty).
    big_literal: Vec<u16>,
    rc: RangeDecoder,
    state: u32,
    reps: [u32; 4],
    pos_mask: usize,
    lc: u32,
    literal_mask: usize,
    /// Bytes still to produce when the size is known.
    remaining: Option<u64>,
    /// An end marker is accepted at the known size.
    allow_eopm: bool,
    /// The next symbol may be an end marker.
    eopm_valid: bool,
    // State of an incomplete symbol (resumable path).
    seq: Seq,
    symbol: u32,
    /// Literal coder index, or probability base of the current bit tree.
    base: usize,
    /// Bits left, or bit-tree size.
    limit: u32,
    offset: u32,
    /// Match length, or the shifted match byte of a matched literal.
    len: u32,
    rep_len: bool,
}

impl LzmaEngine {
    /// An engine reset to `props`.
    pub(crate) fn new(props: LzmaProps) -> Self {
        let mut e = LzmaEngine {
            probs: Box::new(Probs {
                misc: [PROB_INIT; MISC_LEN],
                lit: [[PROB_INIT; LITERAL_CODER]; LITERAL_CODERS],
            }),
            big_literal: Vec::new(),
            rc: RangeDecoder::new(),
            state: 0,
            reps: [0; 4],
            pos_mask: 0,
            lc: 0,
            literal_mask: 0,
            remaining: None,
            allow_eopm: true,
            eopm_valid: true,
            seq: Seq::IsMatch,
            symbol: 0,
            base: 0,
            limit: 0,
            offset: 0,
            len: 0,
            rep_len: false,
        };
        e.reset(props);
        e
    }

    /// Resets state and probabilities for new properties.
    pub(crate) fn reset(&mut self, props: LzmaProps) {
        self.pos_mask = (1usize << props.pb) - 1;
        self.lc = props.lc;
        self.literal_mask = (0x100usize << props.lp) - (0x100usize >> props.lc);
        let coders = 1usize << (props.lc + props.lp);
        self.probs.misc.fill(PROB_INIT);
        if coders <= LITERAL_CODERS {
            self.big_literal = Vec::new();
            for coder in &mut self.probs.lit[..coders] {
                coder.fill(PROB_INIT);
            }
        } else {
            self.big_literal.clear();
            self.big_literal.resize(coders * LITERAL_CODER, PROB_INIT);
        }
        self.rc.reset();
        self.state = 0;
        self.reps = [0; 4];
        self.seq = Seq::IsMatch;
        self.symbol = 0;
        self.base = 0;
        self.limit = 0;
        self.offset = 0;
        self.len = 0;
        self.rep_len = false;
    }

    /// Sets the size to produce (`None`: an end marker ends the stream) and whether an end
    /// marker is also accepted right at a known size.
    pub(crate) fn set_uncompressed(&mut self, size: Option<u64>, allow_eopm: bool) {
        self.remaining = size;
        self.allow_eopm = allow_eopm || size.is_none();
        self.eopm_valid = size.is_none();
    }

    /// Index of the first probability of the literal coder (in `probs`, or in
    /// `big_literal` when that is in use).
    fn literal_base(&self, pos: usize, prev: u8) -> usize {
        let ctx = (((pos << 8) + usize::from(prev)) & self.literal_mask) << self.lc >> 8;
        ctx * LITERAL_CODER
    }

    /// The literal probability `i` of the coder at `base` (see [`Self::literal_base`]).
    fn literal_prob(&mut self, i: usize) -> &mut u16 {
        let idx = self.base + (i & LIT_MASK);
        if self.big_literal.is_empty() {
            &mut self.probs.lit[(idx / LITERAL_CODER) % LITERAL_CODERS][idx & LIT_MASK]
        } else {
            let len = self.big_literal.len();
            &mut self.big_literal[idx % len]
        }
    }

    /// The hot loop. Runs while `seq == IsMatch`, the output position is below `limit` and a
    /// full input window remains.
    fn run_fast(
        &mut self,
        dict: &mut Dict,
        input: &[u8],
        in_pos: &mut usize,
        limit: usize,
    ) -> Result<Fast> {
        if self.pos_mask == 3 && self.lc == 3 && self.literal_mask == 0xE0 {
            self.run_fast_with(dict, input, in_pos, limit, Lc3Lp0Pb2)
        } else {
            let params = AnyParams {
                pos_mask: self.pos_mask,
                lc: self.lc,
                literal_mask: self.literal_mask,
            };
            self.run_fast_with(dict, input, in_pos, limit, params)
        }
    }

    /// The fast loop, specialized for literal and position parameters `params`.
    #[inline(always)]
    fn run_fast_with<P: Params>(
        &mut self,
        dict: &mut Dict,
        input: &[u8],
        in_pos: &mut usize,
        limit: usize,
        params: P,
    ) -> Result<Fast> {
        let Probs {
            misc: probs,
            lit: lits,
        } = &mut *self.probs;
        let mut rc = FastRc::new(self.rc.range, self.rc.code, input, *in_pos);
        let fast_end = input.len().saturating_sub(SYMBOL_MAX_BYTES);
        let mut state = self.state;
        let [mut rep0, mut rep1, mut rep2, mut rep3] = self.reps;
        let size = dict.size;
        let has_wrapped = dict.has_wrapped;
        let dict_size = size - 2 * REPEAT_MAX;
        let buf = &mut dict.buf[..];
        let mut pos = dict.pos;
        // The byte before `pos`, kept in a register for the literal context.
        let mut prev = buf[pos - 1];
        let mut result = Ok(Fast::Edge);
        let mut pending = 0u32;

        'symbols: while pos < limit {
            if rc.pos > fast_end {
                break;
            }
            let mut ps = params.pos_state(pos);
            let mut s = state as usize;
            if rc.bit(&mut probs[(IS_MATCH + (s << 4) + ps) & MISC_MASK]) == 0 {
                let lit = &mut lits[params.coder(pos, prev)];
                let sym = if state < 7 {
                    state = if state < 4 { 0 } else { state - 3 };
                    literal_fast(&mut rc, lit)
                } else {
                    state = if state < 10 { state - 3 } else { state - 6 };
                    let d = rep0 as usize;
                    let back = if d < pos {
                        pos - d - 1
                    } else {
                        pos + size - REPEAT_MAX - d - 1
                    };
                    matched_literal_fast(&mut rc, lit, u32::from(buf[back]))
                };
                prev = sym as u8;
                buf[pos] = prev;
                pos += 1;
                // A run of literals: after a literal the state is below 7, so every
                // further literal is a plain one. Stay here until a match comes.
                loop {
                    if pos >= limit || rc.pos > fast_end {
                        break 'symbols;
                    }
                    ps = params.pos_state(pos);
                    s = state as usize;
                    if rc.bit(&mut probs[(IS_MATCH + (s << 4) + ps) & MISC_MASK]) != 0 {
                        break;
                    }
                    let lit = &mut lits[params.coder(pos, prev)];
                    state = if state < 4 { 0 } else { state - 3 };
                    prev = literal_fast(&mut rc, lit) as u8;
                    buf[pos] = prev;
                    pos += 1;
                }
            }
            {
                // Match or repeated match: one length decoder call site for both keeps
                // the loop smaller.
                let is_rep = rc.bit(&mut probs[(IS_REP + s) & MISC_MASK]);
                if is_rep == 0 {
                    state = if state < 7 { 7 } else { 10 };
                    rep3 = rep2;
                    rep2 = rep1;
                    rep1 = rep0;
                } else {
                    if !has_wrapped && pos == INIT_POS {
                        result = Err(Error::Corrupt(
                            "LZMA repeated match with an empty dictionary",
                        ));
                        break;
                    }
                    if rc.bit(&mut probs[(IS_REP0 + s) & MISC_MASK]) == 0 {
                        if rc.bit(&mut probs[(IS_REP0_LONG + (s << 4) + ps) & MISC_MASK]) == 0 {
                            state = if state < 7 { 9 } else { 11 };
                            let d = rep0 as usize;
                            let back = if d < pos {
                                pos - d - 1
                            } else {
                                pos + size - REPEAT_MAX - d - 1
                            };
                            prev = buf[back];
                            buf[pos] = prev;
                            pos += 1;
                            continue;
                        }
                    } else if rc.bit(&mut probs[(IS_REP1 + s) & MISC_MASK]) == 0 {
                        std::mem::swap(&mut rep0, &mut rep1);
                    } else if rc.bit(&mut probs[(IS_REP2 + s) & MISC_MASK]) == 0 {
                        let d = rep2;
                        rep2 = rep1;
                        rep1 = rep0;
                        rep0 = d;
                    } else {
                        let d = rep3;
                        rep3 = rep2;
                        rep2 = rep1;
                        rep1 = rep0;
                        rep0 = d;
                    }
                    state = if state < 7 { 8 } else { 11 };
                }
                let r = is_rep as usize;
                let len = len_fast(
                    &mut rc,
                    probs,
                    MATCH_LEN_CHOICE + 2 * r,
                    MATCH_LEN + 512 * r,
                    ps,
                );
                if is_rep == 0 {
                    let dist_state = if len < 6 { len as usize - 2 } else { 3 };
                    let slot = bittree::<6>(&mut rc, probs, DIST_SLOT + dist_state * 64);
                    if slot < 4 {
                        rep0 = slot;
                    } else {
                        let bits = (slot >> 1) - 1;
                        let mut dist = 2 | (slot & 1);
                        if slot < 14 {
                            dist <<= bits;
                            let base = POS_SPECIAL + dist as usize - slot as usize - 1;
                            dist += reverse_bits(&mut rc, probs, base, bits);
                        } else {
                            dist = rc.direct(dist, bits - 4) << 4;
                            dist += align_bits(&mut rc, probs);
                            if dist == u32::MAX {
                                result = if self.eopm_valid {
                                    Ok(Fast::Eopm)
                                } else {
                                    Err(Error::Corrupt("LZMA end marker where none is allowed"))
                                };
                                break;
                            }
                        }
                        rep0 = dist;
                    }
                    let full = if has_wrapped {
                        dict_size
                    } else {
                        pos - INIT_POS
                    };
                    if rep0 as usize >= full {
                        result = Err(Error::Corrupt(
                            "LZMA match distance is beyond the dictionary",
                        ));
                        break;
                    }
                }

                let left = (len as usize).min(limit - pos);
                let d = rep0 as usize;
                let back = if d < pos {
                    pos - d - 1
                } else {
                    pos + size - REPEAT_MAX - d - 1
                };
                lz::copy_match(buf, back, pos, left, d);
                pos += left;
                prev = buf[pos - 1];
                if left < len as usize {
                    pending = len - left as u32;
                    result = Ok(Fast::Copy);
                    break;
                }
                continue;
            }
        }

        dict.pos = pos;
        if !has_wrapped {
            dict.full = pos - INIT_POS;
        }
        *in_pos = rc.pos;
        self.rc.range = rc.range;
        self.rc.code = rc.code;
        self.state = state;
        self.reps = [rep0, rep1, rep2, rep3];
        match result {
            Ok(Fast::Copy) => {
                self.len = pending;
                self.seq = Seq::Copy;
            }
            Ok(Fast::Eopm) => self.seq = Seq::Eopm,
            _ => {}
        }
        result
    }

    /// The resumable path: continues the current symbol from `seq`, one bit per step,
    /// until the symbol is complete, input or output runs out, or the stream ends.
    fn run_slow(
        &mut self,
        dict: &mut Dict,
        input: &[u8],
        ip: &mut usize,
        limit: usize,
        might_finish: bool,
    ) -> Result<Slow> {
        macro_rules! bit {
            ($idx:expr) => {{
                let i = $idx;
                match self.rc.bit(&mut self.probs.misc[i & MISC_MASK], input, ip) {
                    Some(b) => b,
                    None => return Ok(Slow::Stalled),
                }
            }};
        }
        let ps = dict.pos & self.pos_mask;
        loop {
            let s = self.state as usize;
            match self.seq {
                Seq::IsMatch => {
                    if dict.pos == limit && might_finish {
                        // At the known size: the stream ends here if the range decoder
                        // finishes cleanly, or an end marker follows if allowed.
                        if self.rc.normalize(input, ip).is_none() {
                            return Ok(Slow::Stalled);
                        }
                        if self.rc.is_finished() {
                            return Ok(Slow::End);
                        }
                        if !self.allow_eopm {
                            return Err(Error::Corrupt(
                                "range decoder not finished (code != 0) at the end of the LZMA data",
                            ));
                        }
                        self.eopm_valid = true;
                    }
                    if bit!(IS_MATCH + (s << 4) + ps) == 0 {
                        let prev = dict.buf[dict.pos - 1];
                        self.base = self.literal_base(dict.pos, prev);
                        self.symbol = 1;
                        self.state = update_literal(self.state);
                        if s < 7 {
                            self.seq = Seq::Literal;
                        } else {
                            self.len = u32::from(dict.get(self.reps[0])) << 1;
                            self.offset = 0x100;
                            self.seq = Seq::LiteralMatched;
                        }
                    } else {
                        self.seq = Seq::IsRep;
                    }
                }
                Seq::Literal => {
                    while self.symbol < 0x100 {
                        let mut rc = self.rc;
                        let p = self.literal_prob(self.symbol as usize);
                        let Some(b) = rc.bit(p, input, ip) else {
                            return Ok(Slow::Stalled);
                        };
                        self.rc = rc;
                        self.symbol = (self.symbol << 1) | b;
                    }
                    self.seq = Seq::LiteralWrite;
                }
                Seq::LiteralMatched => {
                    while self.symbol < 0x100 {
                        let match_bit = self.len & self.offset;
                        let mut rc = self.rc;
                        let p = self.literal_prob((self.offset + match_bit + self.symbol) as usize);
                        let Some(b) = rc.bit(p, input, ip) else {
                            return Ok(Slow::Stalled);
                        };
                        self.rc = rc;
                        self.symbol = (self.symbol << 1) | b;
                        self.offset &= match_bit ^ b.wrapping_sub(1);
                        self.len <<= 1;
                    }
                    self.seq = Seq::LiteralWrite;
                }
                Seq::LiteralWrite => {
                    if dict.pos == dict.limit {
                        return Ok(Slow::Stalled);
                    }
                    dict.put(self.symbol as u8);
                    self.seq = Seq::IsMatch;
                    return Ok(Slow::SymbolDone);
                }
                Seq::IsRep => {
                    if bit!(IS_REP + s) == 0 {
                        self.state = if s < 7 { 7 } else { 10 };
                        self.reps = [self.reps[0], self.reps[0], self.reps[1], self.reps[2]];
                        self.rep_len = false;
                        self.seq = Seq::LenChoice;
                    } else {
                        if dict.is_empty() {
                            return Err(Error::Corrupt(
                                "LZMA repeated match with an empty dictionary",
                            ));
                        }
                        self.seq = Seq::IsRep0;
                    }
                }
                Seq::LenChoice => {
                    let (choice, base) = self.len_coder();
                    if bit!(choice) == 0 {
                        self.base = base + ps * 8;
                        self.limit = 8;
                        self.len = 2;
                        self.symbol = 1;
                        self.seq = Seq::LenBittree;
                    } else {
                        self.seq = Seq::LenChoice2;
                    }
                }
                Seq::LenChoice2 => {
                    let (choice, base) = self.len_coder();
                    if bit!(choice + 1) == 0 {
                        self.base = base + LEN_MID + ps * 8;
                        self.limit = 8;
                        self.len = 10;
                    } else {
                        self.base = base + LEN_HIGH;
                        self.limit = 256;
                        self.len = 18;
                    }
                    self.symbol = 1;
                    self.seq = Seq::LenBittree;
                }
                Seq::LenBittree => {
                    while self.symbol < self.limit {
                        let b = bit!(self.base + self.symbol as usize);
                        self.symbol = (self.symbol << 1) | b;
                    }
                    self.len += self.symbol - self.limit;
                    if self.rep_len {
                        self.seq = Seq::Copy;
                    } else {
                        let dist_state = if self.len < 6 {
                            self.len as usize - 2
                        } else {
                            3
                        };
                        self.base = DIST_SLOT + dist_state * 64;
                        self.symbol = 1;
                        self.seq = Seq::DistSlot;
                    }
                }
                Seq::DistSlot => {
                    while self.symbol < 64 {
                        let b = bit!(self.base + self.symbol as usize);
                        self.symbol = (self.symbol << 1) | b;
                    }
                    let slot = self.symbol - 64;
                    if slot < 4 {
                        self.reps[0] = slot;
                        self.check_distance(dict)?;
                    } else {
                        self.limit = (slot >> 1) - 1;
                        self.reps[0] = 2 | (slot & 1);
                        if slot < 14 {
                            self.reps[0] <<= self.limit;
                            self.base = POS_SPECIAL + self.reps[0] as usize - slot as usize - 1;
                            self.symbol = 1;
                            self.offset = 0;
                            self.seq = Seq::DistModel;
                        } else {
                            self.limit -= 4;
                            self.seq = Seq::Direct;
                        }
                    }
                }
                Seq::DistModel => {
                    while self.offset < self.limit {
                        let b = bit!(self.base + self.symbol as usize);
                        self.symbol = (self.symbol << 1) | b;
                        self.reps[0] += b << self.offset;
                        self.offset += 1;
                    }
                    self.check_distance(dict)?;
                }
                Seq::Direct => {
                    while self.limit > 0 {
                        let Some(b) = self.rc.direct_bit(input, ip) else {
                            return Ok(Slow::Stalled);
                        };
                        self.reps[0] = (self.reps[0] << 1) | b;
                        self.limit -= 1;
                    }
                    self.reps[0] <<= 4;
                    self.symbol = 0;
                    self.offset = 1;
                    self.seq = Seq::Align;
                }
                Seq::Align => {
                    while self.offset < 16 {
                        let b = bit!(ALIGN + (self.offset + self.symbol) as usize);
                        self.symbol += b * self.offset;
                        self.offset <<= 1;
                    }
                    self.reps[0] += self.symbol;
                    if self.reps[0] == u32::MAX {
                        if !self.eopm_valid {
                            return Err(Error::Corrupt("LZMA end marker where none is allowed"));
                        }
                        self.seq = Seq::Eopm;
                    } else {
                        self.check_distance(dict)?;
                    }
                }
                Seq::Eopm => {
                    if self.rc.normalize(input, ip).is_none() {
                        return Ok(Slow::Stalled);
                    }
                    return if self.rc.is_finished() {
                        Ok(Slow::End)
                    } else {
                        Err(Error::Corrupt(
                            "range decoder not finished (code != 0) after the end marker",
                        ))
                    };
                }
                Seq::IsRep0 => {
                    if bit!(IS_REP0 + s) == 0 {
                        self.seq = Seq::IsRep0Long;
                    } else {
                        self.seq = Seq::IsRep1;
                    }
                }
                Seq::IsRep0Long => {
                    if bit!(IS_REP0_LONG + (s << 4) + ps) == 0 {
                        self.state = if s < 7 { 9 } else { 11 };
                        self.seq = Seq::ShortRep;
                    } else {
                        self.long_rep();
                    }
                }
                Seq::ShortRep => {
                    if dict.pos == dict.limit {
                        return Ok(Slow::Stalled);
                    }
                    let b = dict.get(self.reps[0]);
                    dict.put(b);
                    self.seq = Seq::IsMatch;
                    return Ok(Slow::SymbolDone);
                }
                Seq::IsRep1 => {
                    if bit!(IS_REP1 + s) == 0 {
                        self.reps.swap(0, 1);
                        self.long_rep();
                    } else {
                        self.seq = Seq::IsRep2;
                    }
                }
                Seq::IsRep2 => {
                    let r = self.reps;
                    self.reps = if bit!(IS_REP2 + s) == 0 {
                        [r[2], r[0], r[1], r[3]]
                    } else {
                        [r[3], r[0], r[1], r[2]]
                    };
                    self.long_rep();
                }
                Seq::Copy => {
                    dict.repeat(self.reps[0], &mut self.len);
                    if self.len > 0 {
                        return Ok(Slow::Stalled);
                    }
                    self.seq = Seq::IsMatch;
                    return Ok(Slow::SymbolDone);
                }
            }
        }
    }

    fn len_coder(&self) -> (usize, usize) {
        if self.rep_len {
            (REP_LEN_CHOICE, REP_LEN)
        } else {
            (MATCH_LEN_CHOICE, MATCH_LEN)
        }
    }

    fn long_rep(&mut self) {
        self.state = if self.state < 7 { 8 } else { 11 };
        self.rep_len = true;
        self.seq = Seq::LenChoice;
    }

    fn check_distance(&mut self, dict: &Dict) -> Result<()> {
        if !dict.is_distance_valid(self.reps[0]) {
            return Err(Error::Corrupt(
                "LZMA match distance is beyond the dictionary",
            ));
        }
        self.seq = Seq::Copy;
        Ok(())
    }

    fn decode_symbols(
        &mut self,
        dict: &mut Dict,
        input: &[u8],
        in_pos: &mut usize,
        might_finish: bool,
    ) -> Result<bool> {
        let limit = dict.limit;
        loop {
            if self.seq == Seq::IsMatch
                && dict.pos < limit
                && input.len() - *in_pos >= SYMBOL_MAX_BYTES
                && self.big_literal.is_empty()
            {
                match self.run_fast(dict, input, in_pos, limit)? {
                    Fast::Edge => {}
                    Fast::Copy => return Ok(false),
                    Fast::Eopm => {}
                }
            }
            match self.run_slow(dict, input, in_pos, limit, might_finish)? {
                Slow::SymbolDone => {}
                Slow::Stalled => return Ok(false),
                Slow::End => return Ok(true),
            }
        }
    }
}

impl LzDecode for LzmaEngine {
    fn decode(&mut self, dict: &mut Dict, input: &[u8], in_pos: &mut usize) -> Result<bool> {
        if self.rc.init_bytes_left > 0 && self.rc.read_init(input, in_pos)? == InitStatus::NeedInput
        {
            return Ok(false);
        }
        let start = dict.pos;
        let outer_limit = dict.limit;
        let mut might_finish = false;
        if let Some(rem) = self.remaining {
            if rem <= (dict.limit - dict.pos) as u64 {
                dict.limit = dict.pos + rem as usize;
                might_finish = true;
            }
        }
        let ret = self.decode_symbols(dict, input, in_pos, might_finish);
        dict.limit = outer_limit;
        if let Some(rem) = &mut self.remaining {
            *rem -= (dict.pos - start) as u64;
            if *rem == 0
                && matches!(ret, Ok(false))
                && matches!(self.seq, Seq::LiteralWrite | Seq::ShortRep | Seq::Copy)
            {
                return Err(Error::Corrupt(
                    "LZMA match extends past the known uncompressed size",
                ));
            }
        }
        if let Ok(true) = ret {
            self.rc.reset();
            self.seq = Seq::IsMatch;
        }
        ret
    }
}

/// Where a decoder driven through [`Coder`] stands.
#[derive(Debug)]
pub(crate) enum RunState {
    Running,
    Ended,
    /// An error found after some output of the same call; reported on the next call.
    Deferred(Error),
    Failed,
}

/// Runs an LZ decoder through the [`Coder`] contract: stream end, `Finish` with the input
/// exhausted (truncation), errors reported once after the output decoded before them.
pub(crate) fn run_coder<L: LzDecode>(
    run: &mut RunState,
    lz: &mut L,
    dict: &mut Dict,
    input: &[u8],
    output: &mut [u8],
    action: Action,
) -> Result<Progress> {
    match std::mem::replace(run, RunState::Failed) {
        RunState::Running => {}
        RunState::Ended => {
            *run = RunState::Ended;
            return Ok(Progress {
                consumed: 0,
                produced: 0,
                status: Status::StreamEnd,
            });
        }
        RunState::Deferred(e) => return Err(e),
        RunState::Failed => return Err(Error::Misuse("decoder used after an error")),
    }
    let mut in_pos = 0;
    let mut out_pos = 0;
    let result =
        decode_buffer(lz, dict, input, &mut in_pos, output, &mut out_pos).and_then(|end| {
            if !end && action == Action::Finish && in_pos == input.len() && out_pos < output.len() {
                Err(Error::Truncated)
            } else {
                Ok(end)
            }
        });
    let status = match result {
        Ok(true) => {
            *run = RunState::Ended;
            Status::StreamEnd
        }
        Ok(false) => {
            *run = RunState::Running;
            Status::Ok
        }
        Err(e) if out_pos > 0 => {
            *run = RunState::Deferred(e);
            Status::Ok
        }
        Err(e) => return Err(e),
    };
    Ok(Progress {
        consumed: in_pos,
        produced: out_pos,
        status,
    })
}

/// Raw LZMA1 decoder (the payload of `.lzma`, lzip and raw `--format=raw --lzma1` files).
///
/// ```
/// use lzma_core::lzma::{decoder::LzmaDecoder, LzmaProps};
/// use lzma_core::{Action, Coder, Status};
/// // An empty stream of known size 0: just the five range coder bytes.
/// let mut dec = LzmaDecoder::new(LzmaProps { lc: 3, lp: 0, pb: 2 }, 1 << 16, Some(0), false).unwrap();
/// let p = dec.code(&[0, 0, 0, 0, 0], &mut [], Action::Finish).unwrap();
/// assert_eq!((p.consumed, p.status), (5, Status::StreamEnd));
/// ```
#[derive(Debug)]
pub struct LzmaDecoder {
    engine: LzmaEngine,
    dict: Dict,
    run: RunState,
    /// The dictionary size asked for (what [`Coder::memusage`] reports on).
    dict_size: u32,
}

impl LzmaDecoder {
    /// A decoder for LZMA1 data with properties `props` and a dictionary of `dict_size`
    /// bytes. With `Some(size)` it ends once `size` bytes are out (an end marker right there
    /// is accepted if `allow_eopm`); with `None` it ends at the end-of-payload marker.
    ///
    /// Accepts `lc <= 8`, `lp <= 4`, `pb <= 4` (LZMA1 allows `lc + lp > 4`; liblzma does
    /// not, so container front ends that follow it check that themselves). The caller
    /// checks [`LzmaDecoder::memusage`] against its memory limit first. With a known size
    /// smaller than the dictionary, only a dictionary of that size is allocated.
    ///
    /// ```
    /// use lzma_core::lzma::{decoder::LzmaDecoder, LzmaProps};
    /// use lzma_core::{alone::AloneEncoder, oneshot::run, LzmaOptions};
    /// // The payload of a .lzma file is raw LZMA1 with an end marker.
    /// let lzma = run(&mut AloneEncoder::new(&LzmaOptions::preset(0, false)?)?, b"raw lzma1")?;
    /// let mut dec = LzmaDecoder::new(LzmaProps::from_byte(lzma[0])?, 1 << 16, None, true)?;
    /// assert_eq!(run(&mut dec, &lzma[13..])?, b"raw lzma1");
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn new(
        props: LzmaProps,
        dict_size: u32,
        uncompressed_size: Option<u64>,
        allow_eopm: bool,
    ) -> Result<Self> {
        if props.lc > 8 || props.lp > 4 || props.pb > 4 {
            return Err(Error::Unsupported(
                "LZMA properties out of range (lc <= 8, lp <= 4, pb <= 4)",
            ));
        }
        let mut alloc = u64::from(dict_size);
        if let Some(size) = uncompressed_size {
            alloc = alloc.min(size);
        }
        let dict = Dict::new(alloc)?;
        let mut engine = LzmaEngine::new(props);
        engine.set_uncompressed(uncompressed_size, allow_eopm);
        Ok(LzmaDecoder {
            engine,
            dict,
            run: RunState::Running,
            dict_size,
        })
    }

    /// Memory a decoder with this dictionary needs, exactly liblzma 5.8's figure
    /// (`lzma_lzma_decoder_memusage`: the requested dictionary size, the buffer's
    /// `2 * REPEAT_MAX + EXTRA` bytes of slack and the fixed structures), for `lc + lp <= 4`.
    /// Container front ends add their own base (32 KiB) on top.
    ///
    /// ```
    /// use lzma_core::lzma::decoder::LzmaDecoder;
    /// assert_eq!(LzmaDecoder::memusage(1 << 20), (1 << 20) + 33_248);
    /// ```
    pub fn memusage(dict_size: u32) -> u64 {
        u64::from(dict_size) + (2 * lz::REPEAT_MAX + lz::EXTRA) as u64 + ENGINE_OVERHEAD
    }
}

impl Coder for LzmaDecoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        run_coder(
            &mut self.run,
            &mut self.engine,
            &mut self.dict,
            input,
            output,
            action,
        )
    }

    fn memusage(&self) -> u64 {
        Self::memusage(self.dict_size)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: LzmaProps = LzmaProps {
        lc: 3,
        lp: 0,
        pb: 2,
    };

    #[test]
    fn empty_known_size() {
        let mut d = LzmaDecoder::new(P, 4096, Some(0), false).unwrap();
        let p = d
            .code(&[0, 0, 0, 0, 0, 9], &mut [0; 4], Action::Run)
            .unwrap();
        assert_eq!(
            (p.consumed, p.produced, p.status),
            (5, 0, Status::StreamEnd)
        );
        let p = d.code(&[1], &mut [0; 4], Action::Run).unwrap();
        assert_eq!((p.consumed, p.status), (0, Status::StreamEnd));
    }

    #[test]
    fn first_byte_nonzero_is_corrupt() {
        let mut d = LzmaDecoder::new(P, 4096, None, true).unwrap();
        assert!(matches!(
            d.code(&[1, 0, 0, 0, 0], &mut [0; 4], Action::Run),
            Err(Error::Corrupt(_))
        ));
        assert!(matches!(
            d.code(&[], &mut [0; 4], Action::Run),
            Err(Error::Misuse(_))
        ));
    }

    #[test]
    fn truncated_on_finish() {
        let mut d = LzmaDecoder::new(P, 4096, None, true).unwrap();
        assert_eq!(
            d.code(&[0, 0], &mut [0; 4], Action::Finish),
            Err(Error::Truncated)
        );
    }

    #[test]
    fn bad_props() {
        assert!(LzmaDecoder::new(
            LzmaProps {
                lc: 9,
                lp: 0,
                pb: 0
            },
            4096,
            None,
            true
        )
        .is_err());
        assert!(LzmaDecoder::new(
            LzmaProps {
                lc: 8,
                lp: 4,
                pb: 4
            },
            4096,
            None,
            true
        )
        .is_ok());
    }

    /// Encodes `data` as a literal-only LZMA stream (state stays "literal after literal")
    /// with properties `props`, through the project's range encoder: test streams with any
    /// lc/lp/pb, including lc + lp > 4, which the reference `xz` refuses to create.
    fn encode_literals(data: &[u8], props: LzmaProps) -> Vec<u8> {
        let mut e = crate::rangecoder::encoder::RangeEncoder::new();
        let mut is_match = [PROB_INIT; 16];
        let mut lit = vec![PROB_INIT; 0x300 << (props.lc + props.lp)];
        let mut prev = 0u8;
        for (pos, &b) in data.iter().enumerate() {
            e.bit(&mut is_match[pos & ((1 << props.pb) - 1)], 0);
            let ctx = ((pos & ((1 << props.lp) - 1)) << props.lc)
                + (usize::from(prev) >> (8 - props.lc));
            e.bittree(&mut lit[ctx * 0x300..(ctx + 1) * 0x300], 8, u32::from(b));
            prev = b;
        }
        e.flush();
        e.out().to_vec()
    }

    fn decode_in_chunks(dec: &mut LzmaDecoder, input: &[u8], step: usize) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut ip = 0usize;
        loop {
            let end = ip.saturating_add(step).min(input.len());
            let action = if end == input.len() {
                Action::Finish
            } else {
                Action::Run
            };
            let mut buf = [0u8; 37];
            let p = dec.code(&input[ip..end], &mut buf, action)?;
            ip += p.consumed;
            out.extend_from_slice(&buf[..p.produced]);
            if p.status == Status::StreamEnd {
                return Ok(out);
            }
        }
    }

    #[test]
    fn literal_streams_with_any_lc_lp_pb() {
        let data: Vec<u8> = (0..3000u32)
            .map(|i| (i * 7 % 251) as u8 ^ (i >> 5) as u8)
            .collect();
        for (lc, lp, pb) in [
            (3, 0, 2),
            (0, 0, 0),
            (4, 0, 4),
            (0, 4, 1),
            (8, 4, 4),
            (5, 1, 3),
            (8, 0, 0),
        ] {
            let props = LzmaProps { lc, lp, pb };
            let stream = encode_literals(&data, props);
            for step in [usize::MAX, 1, 7, 100] {
                let mut dec =
                    LzmaDecoder::new(props, 4096, Some(data.len() as u64), false).unwrap();
                let out = decode_in_chunks(&mut dec, &stream, step).unwrap();
                assert!(out == data, "lc={lc} lp={lp} pb={pb} step={step}");
            }
            // Decoding with other properties gives other bytes or an error, never a panic.
            let mut dec = LzmaDecoder::new(
                LzmaProps {
                    lc: 1,
                    lp: 1,
                    pb: 1,
                },
                4096,
                Some(3000),
                false,
            )
            .unwrap();
            let _ = decode_in_chunks(&mut dec, &stream, 64);
        }
    }

    #[test]
    fn memusage_is_liblzma_58() {
        // xz 5.8.1 refuses a .lzma file with a 1 MiB dictionary below
        // --memlimit-decompress=1114592: 32768 (base) + 1048576 + 33248.
        assert_eq!(LzmaDecoder::memusage(1 << 20), 1_114_592 - 32_768);
        // liblzma counts the requested size, not the rounded-up buffer.
        assert_eq!(LzmaDecoder::memusage(5000), 5000 + 33_248);
        let dec = LzmaDecoder::new(P, 1 << 20, Some(10), false).unwrap();
        assert_eq!(Coder::memusage(&dec), LzmaDecoder::memusage(1 << 20));
    }
}
