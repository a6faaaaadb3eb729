//! The LZMA1 encoder, and the LZMA coding core shared with the LZMA2 encoder.
//!
//! The core (`LzmaCore`) holds the probability models, the range encoder, the price caches
//! and the parser state. It codes literals, matches and repeated matches straight into the
//! range encoder's buffer. Two parsers choose what to code: a greedy one with one byte of
//! lookahead (`fast`, for `Mode::Fast`) and an optimal one working on prices (`normal`).
//! Every decision follows liblzma, so the output is byte-identical to XZ Utils.
//!
//! ```
//! use lzma_core::{lzma::encoder::LzmaEncoder, oneshot::run, LzmaOptions};
//! let a = run(&mut LzmaEncoder::new(&LzmaOptions::preset(0, false)?)?, &[b'a'; 1000])?;
//! assert!(a.len() < 50); // a long repeat codes to a few matches
//! # Ok::<(), lzma_core::Error>(())
//! ```

pub(crate) mod fast;
pub(crate) mod glue;
pub(crate) mod mf_api;
pub(crate) mod normal;

use self::mf_api::{Match, MfView};
use crate::rangecoder::encoder::{RangeEncoder, PROB_INIT};
use crate::rangecoder::price::{bit0_price, bit1_price, bittree_price};
use crate::{Error, LzmaOptions, Mode, Result};

/// Checks encoder options as liblzma does (a `nice_len` below the bytes the match finder
/// hashes is valid: the match finder raises it).
pub(crate) fn validate(opts: &LzmaOptions) -> Result<()> {
    opts.validate_for_encoder()
}

/// Number of states of the LZMA state machine.
pub(crate) const STATES: usize = 12;
/// States below this follow a literal.
pub(crate) const LIT_STATES: u32 = 7;
/// Number of repeated distances kept.
pub(crate) const REPS: usize = 4;
/// Largest number of position states (`1 << pb` with `pb <= 4`).
pub(crate) const POS_STATES_MAX: usize = 16;
/// Shortest match.
pub(crate) const MATCH_LEN_MIN: u32 = 2;
/// Longest match.
pub(crate) const MATCH_LEN_MAX: u32 = 273;
const LEN_LOW_BITS: u32 = 3;
const LEN_LOW_SYMBOLS: u32 = 1 << LEN_LOW_BITS;
const LEN_MID_BITS: u32 = 3;
const LEN_MID_SYMBOLS: u32 = 1 << LEN_MID_BITS;
const LEN_HIGH_BITS: u32 = 8;
const LEN_HIGH_SYMBOLS: u32 = 1 << LEN_HIGH_BITS;
/// Number of length symbols.
pub(crate) const LEN_SYMBOLS: usize =
    (LEN_LOW_SYMBOLS + LEN_MID_SYMBOLS + LEN_HIGH_SYMBOLS) as usize;
/// Number of distance-slot contexts (by match length).
pub(crate) const DIST_STATES: usize = 4;
const DIST_SLOT_BITS: u32 = 6;
/// Number of distance slots.
pub(crate) const DIST_SLOTS: usize = 1 << DIST_SLOT_BITS;
/// First slot with extra distance bits.
pub(crate) const DIST_MODEL_START: u32 = 4;
/// First slot whose extra bits are partly direct bits.
pub(crate) const DIST_MODEL_END: u32 = 14;
/// Distances below this are priced exactly.
pub(crate) const FULL_DISTANCES: usize = 1 << (DIST_MODEL_END / 2);
/// Bits coded with the align model.
pub(crate) const ALIGN_BITS: u32 = 4;
/// Entries of the align model.
pub(crate) const ALIGN_SIZE: usize = 1 << ALIGN_BITS;
const ALIGN_MASK: u32 = ALIGN_SIZE as u32 - 1;
/// Stride of the literal coders (each uses 0x300 probabilities): padded to a power of two
/// so that masked indices need no bounds checks.
pub(crate) const LITERAL_STRIDE: usize = 0x400;
/// Entries of a length price row: padded to a power of two, for the same reason.
pub(crate) const LEN_PRICE_ROW: usize = 512;
/// Size of the optimum parser's table (liblzma `OPTS`).
pub(crate) const OPTS: u32 = 1 << 12;
/// Most bytes one encoder loop iteration may consume (liblzma `LOOP_INPUT_MAX`).
pub(crate) const LOOP_INPUT_MAX: u32 = OPTS + 1;
/// Largest compressed LZMA2 chunk payload.
pub(crate) const LZMA2_CHUNK_MAX: u32 = 1 << 16;
/// The "no distance" marker of a literal in `back` values.
pub(crate) const BACK_LITERAL: u32 = u32::MAX;

/// State after a literal.
#[inline(always)]
pub(crate) fn update_literal(state: u32) -> u32 {
    if state < 4 {
        0
    } else if state < 10 {
        state - 3
    } else {
        state - 6
    }
}
/// State after a match.
#[inline(always)]
pub(crate) fn update_match(state: u32) -> u32 {
    if state < LIT_STATES {
        7
    } else {
        10
    }
}
/// State after a long repeated match.
#[inline(always)]
pub(crate) fn update_long_rep(state: u32) -> u32 {
    if state < LIT_STATES {
        8
    } else {
        11
    }
}
/// State after a short repeated match (one byte at rep0).
#[inline(always)]
pub(crate) fn update_short_rep(state: u32) -> u32 {
    if state < LIT_STATES {
        9
    } else {
        11
    }
}
/// Whether the previous symbol was a literal.
#[inline(always)]
pub(crate) fn is_literal_state(state: u32) -> bool {
    state < LIT_STATES
}

/// Distance-slot context of a match length.
#[inline(always)]
pub(crate) fn dist_state(len: u32) -> usize {
    if len < DIST_STATES as u32 + MATCH_LEN_MIN {
        (len - MATCH_LEN_MIN) as usize
    } else {
        DIST_STATES - 1
    }
}

/// The distance slot of a zero-based distance: the slot is twice the index of the top bit,
/// plus the bit below it (distances below 4 are their own slot).
#[inline(always)]
pub(crate) fn dist_slot(dist: u32) -> u32 {
    if dist < 4 {
        dist
    } else {
        let top = 31 - dist.leading_zeros();
        top * 2 + ((dist >> (top - 1)) & 1)
    }
}

/// A length coder (one for matches, one for repeated matches) with its price cache.
#[derive(Clone)]
pub(crate) struct LengthEncoder {
    choice: u16,
    choice2: u16,
    low: [[u16; LEN_LOW_SYMBOLS as usize]; POS_STATES_MAX],
    mid: [[u16; LEN_MID_SYMBOLS as usize]; POS_STATES_MAX],
    high: [u16; LEN_HIGH_SYMBOLS as usize],
    table_size: u32,
    counters: [u32; POS_STATES_MAX],
}

/// The cached prices of a length coder: per position state, the price of each length
/// (minus 2). Normal mode only.
pub(crate) type LenPrices = [[u32; LEN_PRICE_ROW]; POS_STATES_MAX];

impl LengthEncoder {
    fn new() -> Self {
        LengthEncoder {
            choice: PROB_INIT,
            choice2: PROB_INIT,
            low: [[PROB_INIT; LEN_LOW_SYMBOLS as usize]; POS_STATES_MAX],
            mid: [[PROB_INIT; LEN_MID_SYMBOLS as usize]; POS_STATES_MAX],
            high: [PROB_INIT; LEN_HIGH_SYMBOLS as usize],
            table_size: 0,
            counters: [0; POS_STATES_MAX],
        }
    }

    /// Resets the probabilities and, in normal mode (`prices` given), the price cache.
    fn reset(&mut self, pos_states: usize, prices: Option<&mut LenPrices>) {
        self.choice = PROB_INIT;
        self.choice2 = PROB_INIT;
        for ps in 0..pos_states {
            self.low[ps] = [PROB_INIT; LEN_LOW_SYMBOLS as usize];
            self.mid[ps] = [PROB_INIT; LEN_MID_SYMBOLS as usize];
        }
        self.high = [PROB_INIT; LEN_HIGH_SYMBOLS as usize];
        if let Some(prices) = prices {
            for ps in 0..pos_states {
                self.update_prices(ps, prices);
            }
        }
    }

    fn update_prices(&mut self, pos_state: usize, prices: &mut LenPrices) {
        let table_size = self.table_size as usize;
        self.counters[pos_state] = self.table_size;
        let a0 = bit0_price(self.choice);
        let a1 = bit1_price(self.choice);
        let b0 = a1 + bit0_price(self.choice2);
        let b1 = a1 + bit1_price(self.choice2);
        let low = &self.low[pos_state];
        let mid = &self.mid[pos_state];
        for (i, p) in prices[pos_state]
            .iter_mut()
            .enumerate()
            .take(table_size.min(LEN_SYMBOLS))
        {
            let i = i as u32;
            *p = if i < LEN_LOW_SYMBOLS {
                a0 + bittree_price(low, LEN_LOW_BITS, i)
            } else if i < LEN_LOW_SYMBOLS + LEN_MID_SYMBOLS {
                b0 + bittree_price(mid, LEN_MID_BITS, i - LEN_LOW_SYMBOLS)
            } else {
                b1 + bittree_price(
                    &self.high,
                    LEN_HIGH_BITS,
                    i - LEN_LOW_SYMBOLS - LEN_MID_SYMBOLS,
                )
            };
        }
    }

    /// Codes `len`; in normal mode (`prices` given) first refreshes the price cache of
    /// `pos_state` when it is due.
    #[inline(always)]
    fn encode(
        &mut self,
        rc: &mut RangeEncoder,
        pos_state: usize,
        len: u32,
        prices: Option<&mut LenPrices>,
    ) {
        // liblzma queues the bits of a symbol and adapts the probabilities only after the
        // symbol, so its refreshed prices do not yet see this length: refresh first.
        if let Some(prices) = prices {
            self.counters[pos_state] -= 1;
            if self.counters[pos_state] == 0 {
                self.update_prices(pos_state, prices);
            }
        }
        let mut len = len - MATCH_LEN_MIN;
        if len < LEN_LOW_SYMBOLS {
            rc.bit(&mut self.choice, 0);
            rc.bittree(&mut self.low[pos_state], LEN_LOW_BITS, len);
        } else {
            rc.bit(&mut self.choice, 1);
            len -= LEN_LOW_SYMBOLS;
            if len < LEN_MID_SYMBOLS {
                rc.bit(&mut self.choice2, 0);
                rc.bittree(&mut self.mid[pos_state], LEN_MID_BITS, len);
            } else {
                rc.bit(&mut self.choice2, 1);
                rc.bittree(&mut self.high, LEN_HIGH_BITS, len - LEN_MID_SYMBOLS);
            }
        }
    }
}

/// The cached price of `len` at `pos_state`.
#[inline(always)]
pub(crate) fn len_price(prices: &LenPrices, len: u32, pos_state: usize) -> u32 {
    prices[pos_state & (POS_STATES_MAX - 1)]
        [(len.wrapping_sub(MATCH_LEN_MIN)) as usize & (LEN_PRICE_ROW - 1)]
}

/// The tables only the normal parser uses, allocated only in normal mode: fast mode
/// never prices, and liblzma, whose unused tables are never touched, spends no memory
/// on them either. Each is allocated directly on the heap (never built on the stack).
pub(crate) struct NormalTables {
    /// The optimum parser's table.
    pub(crate) opts: Box<[Optimal; OPTS as usize]>,
    /// Prices of the match length coder.
    pub(crate) match_prices: Box<LenPrices>,
    /// Prices of the repeated-match length coder.
    pub(crate) rep_prices: Box<LenPrices>,
}

impl NormalTables {
    fn new() -> Self {
        fn boxed<T: Clone, const N: usize>(value: T) -> Box<[T; N]> {
            match vec![value; N].into_boxed_slice().try_into() {
                Ok(a) => a,
                Err(_) => unreachable!("the vector has N entries"),
            }
        }
        NormalTables {
            opts: boxed(Optimal::default()),
            match_prices: boxed([0; LEN_PRICE_ROW]),
            rep_prices: boxed([0; LEN_PRICE_ROW]),
        }
    }
}

/// One node of the optimum parser (liblzma `lzma_optimal`).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Optimal {
    pub(crate) state: u8,
    pub(crate) prev_1_is_literal: bool,
    pub(crate) prev_2: bool,
    pub(crate) pos_prev_2: u32,
    pub(crate) back_prev_2: u32,
    pub(crate) price: u32,
    pub(crate) pos_prev: u32,
    pub(crate) back_prev: u32,
    pub(crate) backs: [u32; REPS],
}

/// What one call of [`LzmaCore::encode`] ended with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CoreStatus {
    /// More input is needed.
    NeedInput,
    /// LZMA1 only: the range encoder's buffer holds the requested amount; drain it first.
    OutputFull,
    /// The stream (LZMA1) or the chunk (LZMA2) has been flushed.
    Flushed,
}

/// The LZMA coding core shared by the LZMA1 and LZMA2 encoders.
pub(crate) struct LzmaCore {
    pub(crate) rc: RangeEncoder,
    pub(crate) uncomp_size: u64,
    pub(crate) state: u32,
    pub(crate) reps: [u32; REPS],
    pub(crate) matches: [Match; MATCH_LEN_MAX as usize + 1],
    pub(crate) matches_count: u32,
    pub(crate) longest_match_length: u32,
    pub(crate) fast_mode: bool,
    pub(crate) is_initialized: bool,
    pub(crate) use_eopm: bool,
    pub(crate) pos_mask: u32,
    pub(crate) lc: u32,
    pub(crate) literal_mask: u32,
    pub(crate) literal: Vec<[u16; LITERAL_STRIDE]>,
    pub(crate) is_match: [[u16; POS_STATES_MAX]; STATES],
    pub(crate) is_rep: [u16; STATES],
    pub(crate) is_rep0: [u16; STATES],
    pub(crate) is_rep1: [u16; STATES],
    pub(crate) is_rep2: [u16; STATES],
    pub(crate) is_rep0_long: [[u16; POS_STATES_MAX]; STATES],
    pub(crate) dist_slot: [[u16; DIST_SLOTS]; DIST_STATES],
    pub(crate) dist_special: [u16; FULL_DISTANCES - DIST_MODEL_END as usize],
    pub(crate) dist_align: [u16; ALIGN_SIZE],
    pub(crate) match_len: LengthEncoder,
    pub(crate) rep_len: LengthEncoder,
    pub(crate) dist_slot_prices: [[u32; DIST_SLOTS]; DIST_STATES],
    pub(crate) dist_prices: [[u32; FULL_DISTANCES]; DIST_STATES],
    pub(crate) dist_table_size: u32,
    pub(crate) match_price_count: u32,
    pub(crate) align_prices: [u32; ALIGN_SIZE],
    pub(crate) align_price_count: u32,
    pub(crate) opts_end_index: u32,
    pub(crate) opts_current_index: u32,
    /// Normal mode only (always `Some` there, except while the parser holds it).
    pub(crate) normal: Option<NormalTables>,
}

impl LzmaCore {
    /// Creates the core for `opts` (already validated) and resets it.
    pub(crate) fn new(opts: &LzmaOptions, use_eopm: bool) -> Result<Box<Self>> {
        let fast_mode = opts.mode == Mode::Fast;
        let mut core = Box::new(LzmaCore {
            rc: RangeEncoder::with_capacity((LZMA2_CHUNK_MAX + 64) as usize),
            uncomp_size: 0,
            state: 0,
            reps: [0; REPS],
            matches: [Match::default(); MATCH_LEN_MAX as usize + 1],
            matches_count: 0,
            longest_match_length: 0,
            fast_mode,
            is_initialized: false,
            use_eopm,
            pos_mask: 0,
            lc: 0,
            literal_mask: 0,
            literal: vec![[PROB_INIT; LITERAL_STRIDE]; 1 << 4],
            is_match: [[PROB_INIT; POS_STATES_MAX]; STATES],
            is_rep: [PROB_INIT; STATES],
            is_rep0: [PROB_INIT; STATES],
            is_rep1: [PROB_INIT; STATES],
            is_rep2: [PROB_INIT; STATES],
            is_rep0_long: [[PROB_INIT; POS_STATES_MAX]; STATES],
            dist_slot: [[PROB_INIT; DIST_SLOTS]; DIST_STATES],
            dist_special: [PROB_INIT; FULL_DISTANCES - DIST_MODEL_END as usize],
            dist_align: [PROB_INIT; ALIGN_SIZE],
            match_len: LengthEncoder::new(),
            rep_len: LengthEncoder::new(),
            dist_slot_prices: [[0; DIST_SLOTS]; DIST_STATES],
            dist_prices: [[0; FULL_DISTANCES]; DIST_STATES],
            dist_table_size: 0,
            match_price_count: 0,
            align_prices: [0; ALIGN_SIZE],
            align_price_count: 0,
            opts_end_index: 0,
            opts_current_index: 0,
            normal: (!fast_mode).then(NormalTables::new),
        });
        if !fast_mode {
            if opts.dict_size > (1 << 30) + (1 << 29) {
                return Err(Error::Options(
                    "dict must be at most 1.5 GiB in normal mode".into(),
                ));
            }
            let mut log_size = 0;
            while log_size < 32 && (1u64 << log_size) < u64::from(opts.dict_size) {
                log_size += 1;
            }
            core.dist_table_size = log_size * 2;
            let nice = opts.nice_len.max(opts.mf.hash_bytes());
            core.match_len.table_size = nice + 1 - MATCH_LEN_MIN;
            core.rep_len.table_size = nice + 1 - MATCH_LEN_MIN;
        }
        core.is_initialized = opts.preset_dict.as_ref().is_some_and(|d| !d.is_empty());
        core.reset(opts);
        Ok(core)
    }

    /// Makes the core as [`LzmaCore::new`] left it, for a new stream with the same `opts`
    /// (the allocations are kept).
    pub(crate) fn restart(&mut self, opts: &LzmaOptions) {
        self.uncomp_size = 0;
        self.matches_count = 0;
        self.longest_match_length = 0;
        self.rc.clear_out();
        self.is_initialized = opts.preset_dict.as_ref().is_some_and(|d| !d.is_empty());
        self.reset(opts);
    }

    /// Resets the models and the coder state (liblzma `lzma_lzma_encoder_reset`); `lc`, `lp`
    /// and `pb` are taken from `opts`.
    pub(crate) fn reset(&mut self, opts: &LzmaOptions) {
        self.pos_mask = (1 << opts.pb) - 1;
        self.lc = opts.lc;
        self.literal_mask = (0x100 << opts.lp) - (0x100 >> opts.lc);
        self.rc.reset();
        self.state = 0;
        self.reps = [0; REPS];
        for coder in &mut self.literal[..1 << (opts.lc + opts.lp)] {
            coder.fill(PROB_INIT);
        }
        self.is_match = [[PROB_INIT; POS_STATES_MAX]; STATES];
        self.is_rep0_long = [[PROB_INIT; POS_STATES_MAX]; STATES];
        self.is_rep = [PROB_INIT; STATES];
        self.is_rep0 = [PROB_INIT; STATES];
        self.is_rep1 = [PROB_INIT; STATES];
        self.is_rep2 = [PROB_INIT; STATES];
        self.dist_special = [PROB_INIT; FULL_DISTANCES - DIST_MODEL_END as usize];
        self.dist_slot = [[PROB_INIT; DIST_SLOTS]; DIST_STATES];
        self.dist_align = [PROB_INIT; ALIGN_SIZE];
        let pos_states = 1usize << opts.pb;
        let (match_prices, rep_prices) = match self.normal.as_mut() {
            Some(t) => (Some(&mut *t.match_prices), Some(&mut *t.rep_prices)),
            None => (None, None),
        };
        self.match_len.reset(pos_states, match_prices);
        self.rep_len.reset(pos_states, rep_prices);
        self.match_price_count = u32::MAX / 2;
        self.align_price_count = u32::MAX / 2;
        self.opts_end_index = 0;
        self.opts_current_index = 0;
    }

    /// The literal coder for a byte at `position` following `prev_byte`: the low `lp` bits of
    /// the position and the high `lc` bits of the previous byte select it.
    #[inline(always)]
    pub(crate) fn literal_coder(&self, position: u32, prev_byte: u32) -> usize {
        let bits = ((position << 8).wrapping_add(prev_byte) & self.literal_mask) << self.lc;
        (bits >> 8) as usize & 15
    }

    /// Codes the literal at window index `at` (the byte before it is the context).
    #[inline(always)]
    fn literal(&mut self, buf: &[u8], at: usize, position: u32) {
        let cur = u32::from(buf[at]);
        let prev = u32::from(buf[at - 1]);
        let coder = self.literal_coder(position, prev);
        let probs = &mut self.literal[coder];
        if is_literal_state(self.state) {
            self.state = if self.state < 4 { 0 } else { self.state - 3 };
            encode_literal(&mut self.rc, probs, cur);
        } else {
            self.state = if self.state < 10 {
                self.state - 3
            } else {
                self.state - 6
            };
            let match_byte = u32::from(buf[at - self.reps[0] as usize - 1]);
            encode_matched(&mut self.rc, probs, match_byte, cur);
        }
    }

    #[inline(always)]
    fn encode_match(&mut self, pos_state: usize, distance: u32, len: u32) {
        self.state = update_match(self.state);
        let prices = self.normal.as_mut().map(|t| &mut *t.match_prices);
        self.match_len.encode(&mut self.rc, pos_state, len, prices);
        let slot = dist_slot(distance);
        self.rc
            .bittree(&mut self.dist_slot[dist_state(len)], DIST_SLOT_BITS, slot);
        if slot >= DIST_MODEL_START {
            let footer_bits = (slot >> 1) - 1;
            let base = (2 | (slot & 1)) << footer_bits;
            let reduced = distance.wrapping_sub(base);
            if slot < DIST_MODEL_END {
                // The reverse tree of this slot: node `n` (from 1) is entry
                // `base - slot - 1 + n` of the shared array.
                let start = (base - slot) as usize;
                let probs = &mut self.dist_special[start..];
                let mut node = 1usize;
                let mut symbol = reduced;
                for _ in 0..footer_bits {
                    let bit = symbol & 1;
                    symbol >>= 1;
                    self.rc.bit(&mut probs[node - 1], bit);
                    node = (node << 1) + bit as usize;
                }
            } else {
                self.rc
                    .direct(reduced >> ALIGN_BITS, footer_bits - ALIGN_BITS);
                self.rc
                    .bittree_reverse(&mut self.dist_align, ALIGN_BITS, reduced & ALIGN_MASK);
                self.align_price_count = self.align_price_count.wrapping_add(1);
            }
        }
        self.reps = [distance, self.reps[0], self.reps[1], self.reps[2]];
        self.match_price_count = self.match_price_count.wrapping_add(1);
    }

    #[inline(always)]
    fn encode_rep(&mut self, pos_state: usize, rep: u32, len: u32) {
        let s = self.state as usize;
        if rep == 0 {
            self.rc.bit(&mut self.is_rep0[s], 0);
            self.rc
                .bit(&mut self.is_rep0_long[s][pos_state], u32::from(len != 1));
        } else {
            let distance = self.reps[rep as usize];
            self.rc.bit(&mut self.is_rep0[s], 1);
            if rep == 1 {
                self.rc.bit(&mut self.is_rep1[s], 0);
            } else {
                self.rc.bit(&mut self.is_rep1[s], 1);
                self.rc.bit(&mut self.is_rep2[s], rep - 2);
                if rep == 3 {
                    self.reps[3] = self.reps[2];
                }
                self.reps[2] = self.reps[1];
            }
            self.reps[1] = self.reps[0];
            self.reps[0] = distance;
        }
        if len == 1 {
            self.state = update_short_rep(self.state);
        } else {
            let prices = self.normal.as_mut().map(|t| &mut *t.rep_prices);
            self.rep_len.encode(&mut self.rc, pos_state, len, prices);
            self.state = update_long_rep(self.state);
        }
    }

    /// Codes one parser decision at the current position and takes it off the read-ahead.
    #[inline(always)]
    fn encode_symbol<M: MfView>(&mut self, mf: &mut M, back: u32, len: u32, position: u32) {
        let pos_state = (position & self.pos_mask) as usize;
        let s = self.state as usize;
        if back == BACK_LITERAL {
            self.rc.bit(&mut self.is_match[s][pos_state], 0);
            let at = (mf.read_pos() - mf.read_ahead()) as usize;
            self.literal(mf.buf(), at, position);
        } else {
            self.rc.bit(&mut self.is_match[s][pos_state], 1);
            if back < REPS as u32 {
                self.rc.bit(&mut self.is_rep[s], 1);
                self.encode_rep(pos_state, back, len);
            } else {
                self.rc.bit(&mut self.is_rep[s], 0);
                self.encode_match(pos_state, back - REPS as u32, len);
            }
        }
        mf.set_read_ahead(mf.read_ahead() - len);
    }

    /// Codes the very first byte, which is always a literal without context.
    fn encode_init<M: MfView>(&mut self, mf: &mut M) -> bool {
        if mf.read_pos() >= mf.read_limit() {
            if mf.is_running() {
                return false;
            }
        } else {
            mf.skip(1);
            mf.set_read_ahead(0);
            let first = u32::from(mf.buf()[mf.read_pos() as usize - 1]);
            self.rc.bit(&mut self.is_match[0][0], 0);
            encode_literal(&mut self.rc, &mut self.literal[0], first);
            self.uncomp_size += 1;
        }
        self.is_initialized = true;
        true
    }

    fn encode_eopm(&mut self, position: u32) {
        let pos_state = (position & self.pos_mask) as usize;
        let s = self.state as usize;
        self.rc.bit(&mut self.is_match[s][pos_state], 1);
        self.rc.bit(&mut self.is_rep[s], 0);
        self.encode_match(pos_state, u32::MAX, MATCH_LEN_MIN);
    }

    /// Encodes until input runs out (`NeedInput`), or until the stream or chunk is complete
    /// and flushed (`Flushed`).
    ///
    /// With `limit` (LZMA2) the loop also stops at the uncompressed position `limit` or when the
    /// compressed chunk nears 64 KiB. Without it (LZMA1) the loop also pauses, returning
    /// `OutputFull`, once `out_cap` bytes wait in the range encoder's buffer.
    pub(crate) fn encode<M: MfView>(
        &mut self,
        mf: &mut M,
        limit: Option<u32>,
        out_cap: usize,
    ) -> CoreStatus {
        if !self.is_initialized && !self.encode_init(mf) {
            return CoreStatus::NeedInput;
        }
        loop {
            match limit {
                Some(limit) => {
                    if mf.position() >= limit
                        || self.rc.out_len() as u64 + self.rc.pending()
                            >= u64::from(LZMA2_CHUNK_MAX - LOOP_INPUT_MAX)
                    {
                        break;
                    }
                }
                None => {
                    if self.rc.out_len() >= out_cap {
                        return CoreStatus::OutputFull;
                    }
                }
            }
            if mf.read_pos() >= mf.read_limit() {
                if mf.is_running() {
                    return CoreStatus::NeedInput;
                }
                if mf.read_ahead() == 0 {
                    break;
                }
            }
            let position = self.uncomp_size as u32;
            let (back, len) = if self.fast_mode {
                fast::optimum_fast(self, mf)
            } else {
                normal::optimum_normal(self, mf, position)
            };
            self.encode_symbol(mf, back, len, position);
            self.uncomp_size += u64::from(len);
        }
        if self.use_eopm {
            self.encode_eopm(self.uncomp_size as u32);
        }
        self.rc.flush();
        CoreStatus::Flushed
    }
}

/// Codes a literal byte through the 8-level bit tree of its coder.
#[inline(always)]
fn encode_literal(rc: &mut RangeEncoder, probs: &mut [u16; LITERAL_STRIDE], byte: u32) {
    let mut node = 1usize;
    for i in (0..8).rev() {
        let bit = (byte >> i) & 1;
        rc.bit(&mut probs[node & (LITERAL_STRIDE - 1)], bit);
        node = (node << 1) | bit as usize;
    }
}

/// Codes a literal after a match: while the bits agree with the byte at rep0, the model
/// also depends on that byte's bit.
#[inline(always)]
fn encode_matched(
    rc: &mut RangeEncoder,
    probs: &mut [u16; LITERAL_STRIDE],
    match_byte: u32,
    byte: u32,
) {
    let mut offset = 0x100u32;
    let mut symbol = byte | 0x100;
    let mut match_byte = match_byte;
    while symbol < 0x10000 {
        match_byte <<= 1;
        let match_bit = match_byte & offset;
        let index = (offset + match_bit + (symbol >> 8)) as usize;
        let bit = (symbol >> 7) & 1;
        rc.bit(&mut probs[index & (LITERAL_STRIDE - 1)], bit);
        symbol <<= 1;
        offset &= !(match_byte ^ symbol);
    }
}

/// The raw LZMA1 encoder, as XZ Utils writes `--format=raw --lzma1` and the payload of
/// `.lzma` files: an end-of-payload marker follows the data.
///
/// ```
/// use lzma_core::lzma::encoder::LzmaEncoder;
/// use lzma_core::{Action, Coder, LzmaOptions};
/// let mut enc = LzmaEncoder::new(&LzmaOptions::preset(0, false)?)?;
/// let mut out = vec![0u8; 1024];
/// let p = enc.code(b"hello hello hello", &mut out, Action::Finish)?;
/// assert!(p.produced > 0);
/// # Ok::<(), lzma_core::Error>(())
/// ```
pub struct LzmaEncoder {
    lz: crate::lz::encoder::LzEncoder<glue::Lzma1Stream>,
}

impl LzmaEncoder {
    /// Creates an encoder for `opts`; bad options give [`Error::Options`].
    ///
    /// ```
    /// use lzma_core::lzma::encoder::LzmaEncoder;
    /// use lzma_core::{oneshot::run, Filter, LzmaOptions};
    /// let opts = LzmaOptions::preset(0, false)?;
    /// let raw = run(&mut LzmaEncoder::new(&opts)?, b"lzma1 lzma1")?;
    /// let mut dec = lzma_core::raw::RawDecoder::new(&[Filter::Lzma1(opts)], u64::MAX)?;
    /// assert_eq!(run(&mut dec, &raw)?, b"lzma1 lzma1");
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn new(opts: &LzmaOptions) -> Result<Self> {
        let stream = glue::Lzma1Stream::new(opts)?;
        let cfg = glue::mf_config(opts, OPTS);
        Ok(LzmaEncoder {
            lz: glue::lz_encoder(&cfg, opts, stream)?,
        })
    }

    /// Memory the encoder needs for `opts`, as liblzma's `lzma_raw_encoder_memusage` for
    /// LZMA1 (`u64::MAX` for invalid options).
    ///
    /// ```
    /// use lzma_core::{lzma::encoder::LzmaEncoder, LzmaOptions};
    /// let mut opts = LzmaOptions::preset(0, false)?;
    /// assert!(LzmaEncoder::memusage(&opts) > u64::from(opts.dict_size));
    /// opts.nice_len = 1; // invalid
    /// assert_eq!(LzmaEncoder::memusage(&opts), u64::MAX);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn memusage(opts: &LzmaOptions) -> u64 {
        if validate(opts).is_err() {
            return u64::MAX;
        }
        let lz = crate::lz::encoder::Mf::memusage(&glue::mf_config(opts, OPTS));
        lz.saturating_add(core_memusage())
    }
}

/// Memory of the coder state, counted as liblzma counts it (`sizeof(lzma_lzma1_encoder)` on
/// 64-bit targets), so that memory figures and limits agree with XZ Utils.
pub(crate) fn core_memusage() -> u64 {
    249_552
}

impl crate::Coder for LzmaEncoder {
    fn code(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        action: crate::Action,
    ) -> Result<crate::Progress> {
        self.lz.code(input, output, action)
    }
    fn memusage(&self) -> u64 {
        self.lz.memusage()
    }
}
