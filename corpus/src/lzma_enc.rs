//! A tiny, independent LZMA encoder driven by explicit operations.
//!
//! It is deliberately unrelated to the library's encoder: it has no match finder and no
//! parser. The caller says which symbols to write (`lit`, `match`, `rep0`..`rep3`,
//! `shortrep`, `eopm`) and this module range-codes them with the adaptive LZMA model, so a
//! test vector can spell out exactly what its compressed data means. [`LzmaModel::auto`]
//! adds a naive greedy parse for longer data.

/// Number of bits of a probability.
const PROB_BITS: u32 = 11;
/// Initial probability (one half).
const PROB_INIT: u16 = 1 << (PROB_BITS - 1);
/// Adaptation speed.
const MOVE_BITS: u32 = 5;
/// Shortest match length LZMA can code.
pub const MATCH_LEN_MIN: usize = 2;
/// Longest match length LZMA can code.
pub const MATCH_LEN_MAX: usize = 273;

/// A range encoder writing into a byte vector.
#[derive(Debug)]
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
    /// A fresh encoder (its first output byte is always 0).
    pub fn new() -> Self {
        RangeEncoder { low: 0, range: u32::MAX, cache: 0, cache_size: 1, out: Vec::new() }
    }

    fn shift_low(&mut self) {
        if (self.low as u32) < 0xFF00_0000 || (self.low >> 32) != 0 {
            let carry = (self.low >> 32) as u8;
            let mut temp = self.cache;
            loop {
                self.out.push(temp.wrapping_add(carry));
                temp = 0xFF;
                self.cache_size -= 1;
                if self.cache_size == 0 {
                    break;
                }
            }
            self.cache = ((self.low >> 24) & 0xFF) as u8;
        }
        self.cache_size += 1;
        self.low = (self.low & 0x00FF_FFFF) << 8;
    }

    fn normalize(&mut self) {
        while self.range < (1 << 24) {
            self.range <<= 8;
            self.shift_low();
        }
    }

    /// Codes one bit with an adaptive probability.
    pub fn bit(&mut self, prob: &mut u16, bit: u32) {
        let bound = (self.range >> PROB_BITS) * u32::from(*prob);
        if bit == 0 {
            self.range = bound;
            *prob += ((1 << PROB_BITS) - *prob) >> MOVE_BITS;
        } else {
            self.low += u64::from(bound);
            self.range -= bound;
            *prob -= *prob >> MOVE_BITS;
        }
        self.normalize();
    }

    /// Codes `count` bits of `value` (most significant first) with fixed probability 1/2.
    pub fn direct(&mut self, value: u32, count: u32) {
        for i in (0..count).rev() {
            self.range >>= 1;
            if (value >> i) & 1 != 0 {
                self.low += u64::from(self.range);
            }
            self.normalize();
        }
    }

    /// Codes `count` bits of `value`, most significant first, through a bit tree.
    pub fn tree(&mut self, probs: &mut [u16], count: u32, value: u32) {
        let mut m = 1usize;
        for i in (0..count).rev() {
            let b = (value >> i) & 1;
            self.bit(&mut probs[m], b);
            m = (m << 1) | b as usize;
        }
    }

    /// Codes `count` bits of `value`, least significant first, through a bit tree.
    pub fn tree_reverse(&mut self, probs: &mut [u16], count: u32, value: u32) {
        let mut m = 1usize;
        let mut v = value;
        for _ in 0..count {
            let b = v & 1;
            v >>= 1;
            self.bit(&mut probs[m], b);
            m = (m << 1) | b as usize;
        }
    }

    /// Flushes the encoder and returns its bytes.
    pub fn finish(mut self) -> Vec<u8> {
        for _ in 0..5 {
            self.shift_low();
        }
        self.out
    }
}

#[derive(Clone, Debug)]
struct LenCoder {
    choice: u16,
    choice2: u16,
    low: [[u16; 8]; 16],
    mid: [[u16; 8]; 16],
    high: [u16; 256],
}

impl LenCoder {
    fn new() -> Self {
        LenCoder {
            choice: PROB_INIT,
            choice2: PROB_INIT,
            low: [[PROB_INIT; 8]; 16],
            mid: [[PROB_INIT; 8]; 16],
            high: [PROB_INIT; 256],
        }
    }

    fn encode(&mut self, rc: &mut RangeEncoder, len: usize, pos_state: usize) {
        let l = (len - MATCH_LEN_MIN) as u32;
        if l < 8 {
            rc.bit(&mut self.choice, 0);
            rc.tree(&mut self.low[pos_state], 3, l);
        } else if l < 16 {
            rc.bit(&mut self.choice, 1);
            rc.bit(&mut self.choice2, 0);
            rc.tree(&mut self.mid[pos_state], 3, l - 8);
        } else {
            rc.bit(&mut self.choice, 1);
            rc.bit(&mut self.choice2, 1);
            rc.tree(&mut self.high, 8, l - 16);
        }
    }
}

/// One symbol of an LZMA stream as a test vector describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// Literal bytes, one literal symbol each.
    Lit(Vec<u8>),
    /// A match with an explicit distance (1 = the previous byte) and length.
    Match {
        /// Distance, 1-based.
        dist: u32,
        /// Length, 2..=273.
        len: usize,
    },
    /// A repeated match with rep distance 0..=3 and length 2..=273.
    Rep {
        /// Which rep distance.
        which: usize,
        /// Length.
        len: usize,
    },
    /// A one-byte repeat of rep0.
    ShortRep,
    /// The end-of-payload marker.
    Eopm,
    /// Greedy parse of the given bytes into literals and matches.
    Auto(Vec<u8>),
}

/// The LZMA model state: probabilities, state machine, rep distances and the history.
///
/// The history is the decoded data since the last dictionary reset; a match whose distance
/// reaches before it copies zeros (such vectors describe corrupt data anyway).
#[derive(Clone, Debug)]
pub struct LzmaModel {
    lc: u32,
    lp: u32,
    pb: u32,
    state: usize,
    reps: [u32; 4],
    is_match: [[u16; 16]; 12],
    is_rep: [u16; 12],
    is_rep0: [u16; 12],
    is_rep1: [u16; 12],
    is_rep2: [u16; 12],
    is_rep0_long: [[u16; 16]; 12],
    literal: Vec<u16>,
    dist_slot: [[u16; 64]; 4],
    dist_special: [u16; 115],
    align: [u16; 16],
    match_len: LenCoder,
    rep_len: LenCoder,
    /// Decoded bytes since the last dictionary reset.
    pub history: Vec<u8>,
    /// Start of the bytes of `history` not yet returned by [`LzmaModel::take_new`].
    new_start: usize,
    /// Bytes decoded before a dictionary reset, not yet returned by `take_new`.
    pending: Vec<u8>,
}

impl LzmaModel {
    /// A fresh model with the given literal/position properties.
    pub fn new(lc: u32, lp: u32, pb: u32) -> Self {
        let mut m = LzmaModel {
            lc,
            lp,
            pb,
            state: 0,
            reps: [0; 4],
            is_match: [[PROB_INIT; 16]; 12],
            is_rep: [PROB_INIT; 12],
            is_rep0: [PROB_INIT; 12],
            is_rep1: [PROB_INIT; 12],
            is_rep2: [PROB_INIT; 12],
            is_rep0_long: [[PROB_INIT; 16]; 12],
            literal: Vec::new(),
            dist_slot: [[PROB_INIT; 64]; 4],
            dist_special: [PROB_INIT; 115],
            align: [PROB_INIT; 16],
            match_len: LenCoder::new(),
            rep_len: LenCoder::new(),
            history: Vec::new(),
            new_start: 0,
            pending: Vec::new(),
        };
        m.reset_state(lc, lp, pb);
        m
    }

    /// Resets probabilities, state and reps (LZMA2 state reset), maybe with new properties.
    pub fn reset_state(&mut self, lc: u32, lp: u32, pb: u32) {
        let hist = std::mem::take(&mut self.history);
        let pending = std::mem::take(&mut self.pending);
        let new_start = self.new_start;
        let lit_len = 0x300usize << (lc + lp).min(12);
        *self = LzmaModel {
            lc,
            lp,
            pb,
            state: 0,
            reps: [0; 4],
            is_match: [[PROB_INIT; 16]; 12],
            is_rep: [PROB_INIT; 12],
            is_rep0: [PROB_INIT; 12],
            is_rep1: [PROB_INIT; 12],
            is_rep2: [PROB_INIT; 12],
            is_rep0_long: [[PROB_INIT; 16]; 12],
            literal: vec![PROB_INIT; lit_len],
            dist_slot: [[PROB_INIT; 64]; 4],
            dist_special: [PROB_INIT; 115],
            align: [PROB_INIT; 16],
            match_len: LenCoder::new(),
            rep_len: LenCoder::new(),
            history: hist,
            new_start,
            pending,
        };
    }

    /// Forgets the history (LZMA2 dictionary reset).
    pub fn reset_dict(&mut self) {
        self.pending.extend_from_slice(&self.history[self.new_start..]);
        self.history.clear();
        self.new_start = 0;
    }

    /// Appends bytes that reached the dictionary without LZMA coding (LZMA2 stored chunk).
    pub fn append_stored(&mut self, data: &[u8]) {
        self.history.extend_from_slice(data);
    }

    /// Returns the bytes decoded since the previous call.
    pub fn take_new(&mut self) -> Vec<u8> {
        let mut v = std::mem::take(&mut self.pending);
        v.extend_from_slice(&self.history[self.new_start..]);
        self.new_start = self.history.len();
        v
    }

    fn pos(&self) -> usize {
        self.history.len()
    }

    fn pos_state(&self) -> usize {
        self.pos() & ((1usize << self.pb) - 1)
    }

    fn byte_back(&self, dist: u32) -> u8 {
        let d = dist as usize + 1;
        if d <= self.history.len() {
            self.history[self.history.len() - d]
        } else {
            0
        }
    }

    fn literal(&mut self, rc: &mut RangeEncoder, byte: u8) {
        let ps = self.pos_state();
        rc.bit(&mut self.is_match[self.state][ps], 0);
        let prev = if self.history.is_empty() { 0 } else { self.history[self.history.len() - 1] };
        let lit_state = ((self.pos() & ((1usize << self.lp) - 1)) << self.lc)
            + (usize::from(prev) >> (8 - self.lc));
        let base = 0x300 * lit_state;
        let match_byte0 = u32::from(self.byte_back(self.reps[0]));
        let probs = &mut self.literal[base..base + 0x300];
        if self.state < 7 {
            rc.tree(probs, 8, u32::from(byte));
        } else {
            let mut match_byte = match_byte0;
            let mut offset = 0x100u32;
            let mut symbol = u32::from(byte) | 0x100;
            while symbol < 0x10000 {
                match_byte <<= 1;
                let match_bit = match_byte & offset;
                let idx = (offset + match_bit + (symbol >> 8)) as usize;
                let bit = (symbol >> 7) & 1;
                rc.bit(&mut probs[idx], bit);
                symbol <<= 1;
                offset &= !(match_byte ^ symbol);
            }
        }
        self.state = if self.state < 4 {
            0
        } else if self.state < 10 {
            self.state - 3
        } else {
            self.state - 6
        };
        self.history.push(byte);
    }

    fn copy(&mut self, dist0: u32, len: usize) {
        for _ in 0..len {
            let b = self.byte_back(dist0);
            self.history.push(b);
        }
    }

    /// Codes a match; `dist0` is the 0-based distance (distance - 1), `u32::MAX` for EOPM.
    fn encode_match(&mut self, rc: &mut RangeEncoder, dist0: u32, len: usize) {
        let ps = self.pos_state();
        rc.bit(&mut self.is_match[self.state][ps], 1);
        rc.bit(&mut self.is_rep[self.state], 0);
        self.match_len.encode(rc, len, ps);
        let len_state = (len - MATCH_LEN_MIN).min(3);
        let slot = dist_slot(dist0);
        rc.tree(&mut self.dist_slot[len_state], 6, slot);
        if slot >= 4 {
            let footer = (slot >> 1) - 1;
            let base = (2 | (slot & 1)) << footer;
            let reduced = dist0 - base;
            if slot < 14 {
                // Reverse bit tree whose node m (from 1) is `dist_special[base - slot - 1 + m]`.
                let off = (base - slot) as usize;
                let mut m = 1usize;
                let mut v = reduced;
                for _ in 0..footer {
                    let b = v & 1;
                    v >>= 1;
                    rc.bit(&mut self.dist_special[off + m - 1], b);
                    m = (m << 1) | b as usize;
                }
            } else {
                rc.direct(reduced >> 4, footer - 4);
                rc.tree_reverse(&mut self.align, 4, reduced & 15);
            }
        }
        self.reps = [dist0, self.reps[0], self.reps[1], self.reps[2]];
        self.state = if self.state < 7 { 7 } else { 10 };
    }

    fn encode_rep(&mut self, rc: &mut RangeEncoder, which: usize, len: usize) {
        let ps = self.pos_state();
        let s = self.state;
        rc.bit(&mut self.is_match[s][ps], 1);
        rc.bit(&mut self.is_rep[s], 1);
        if which == 0 {
            rc.bit(&mut self.is_rep0[s], 0);
            rc.bit(&mut self.is_rep0_long[s][ps], 1);
        } else {
            rc.bit(&mut self.is_rep0[s], 1);
            let dist = self.reps[which];
            if which == 1 {
                rc.bit(&mut self.is_rep1[s], 0);
            } else {
                rc.bit(&mut self.is_rep1[s], 1);
                rc.bit(&mut self.is_rep2[s], if which == 2 { 0 } else { 1 });
                if which == 3 {
                    self.reps[3] = self.reps[2];
                }
                self.reps[2] = self.reps[1];
            }
            self.reps[1] = self.reps[0];
            self.reps[0] = dist;
        }
        self.rep_len.encode(rc, len, ps);
        self.state = if s < 7 { 8 } else { 11 };
        self.copy(self.reps[0], len);
    }

    fn encode_shortrep(&mut self, rc: &mut RangeEncoder) {
        let ps = self.pos_state();
        let s = self.state;
        rc.bit(&mut self.is_match[s][ps], 1);
        rc.bit(&mut self.is_rep[s], 1);
        rc.bit(&mut self.is_rep0[s], 0);
        rc.bit(&mut self.is_rep0_long[s][ps], 0);
        self.state = if s < 7 { 9 } else { 11 };
        self.copy(self.reps[0], 1);
    }

    /// Codes one operation.
    pub fn op(&mut self, rc: &mut RangeEncoder, op: &Op) -> Result<(), String> {
        match op {
            Op::Lit(bytes) => {
                for &b in bytes {
                    self.literal(rc, b);
                }
            }
            Op::Match { dist, len } => {
                check_len(*len)?;
                if *dist == 0 {
                    return Err("match distance must be at least 1".into());
                }
                self.encode_match(rc, dist - 1, *len);
                self.copy(dist - 1, *len);
            }
            Op::Rep { which, len } => {
                check_len(*len)?;
                if *which > 3 {
                    return Err("rep index must be 0..=3".into());
                }
                self.encode_rep(rc, *which, *len);
            }
            Op::ShortRep => self.encode_shortrep(rc),
            Op::Eopm => {
                let ps = self.pos_state();
                let _ = ps;
                self.encode_match(rc, u32::MAX, MATCH_LEN_MIN);
            }
            Op::Auto(data) => self.auto(rc, data),
        }
        Ok(())
    }

    /// Greedy parse: at each position, the longest earlier match of at least 3 bytes (found
    /// through a small hash of 3-byte prefixes), coded as rep0 when its distance equals rep0;
    /// otherwise a literal.
    pub fn auto(&mut self, rc: &mut RangeEncoder, data: &[u8]) {
        use std::collections::HashMap;
        let mut heads: HashMap<[u8; 3], Vec<usize>> = HashMap::new();
        // Work on history + data so matches may reach into the history.
        let start = self.history.len();
        let mut all = self.history.clone();
        all.extend_from_slice(data);
        for p in start.saturating_sub(4096)..start {
            if p + 3 <= all.len() {
                heads.entry([all[p], all[p + 1], all[p + 2]]).or_default().push(p);
            }
        }
        let mut i = start;
        while i < all.len() {
            let mut best_len = 0usize;
            let mut best_pos = 0usize;
            if i + 3 <= all.len() {
                if let Some(cands) = heads.get(&[all[i], all[i + 1], all[i + 2]]) {
                    for &c in cands.iter().rev().take(16) {
                        let max = (all.len() - i).min(MATCH_LEN_MAX);
                        let mut l = 0;
                        while l < max && all[c + l] == all[i + l] {
                            l += 1;
                        }
                        if l > best_len {
                            best_len = l;
                            best_pos = c;
                        }
                    }
                }
            }
            let step = if best_len >= 3 {
                let dist0 = (i - best_pos - 1) as u32;
                if dist0 == self.reps[0] {
                    self.encode_rep(rc, 0, best_len);
                } else {
                    self.encode_match(rc, dist0, best_len);
                    self.copy(dist0, best_len);
                }
                best_len
            } else {
                self.literal(rc, all[i]);
                1
            };
            for p in i..i + step {
                if p + 3 <= all.len() {
                    let v = heads.entry([all[p], all[p + 1], all[p + 2]]).or_default();
                    v.push(p);
                    if v.len() > 64 {
                        v.drain(..32);
                    }
                }
            }
            i += step;
        }
    }
}

fn check_len(len: usize) -> Result<(), String> {
    if (MATCH_LEN_MIN..=MATCH_LEN_MAX).contains(&len) {
        Ok(())
    } else {
        Err(format!("match length {len} outside 2..=273"))
    }
}

fn dist_slot(dist0: u32) -> u32 {
    if dist0 < 4 {
        dist0
    } else {
        let n = 31 - dist0.leading_zeros();
        (n << 1) | ((dist0 >> (n - 1)) & 1)
    }
}

/// The .lzma / LZMA2 properties byte for lc, lp, pb.
pub fn props_byte(lc: u32, lp: u32, pb: u32) -> u8 {
    ((pb * 5 + lp) * 9 + lc) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dist_slots() {
        assert_eq!(dist_slot(0), 0);
        assert_eq!(dist_slot(3), 3);
        assert_eq!(dist_slot(4), 4);
        assert_eq!(dist_slot(5), 4);
        assert_eq!(dist_slot(6), 5);
        assert_eq!(dist_slot(8), 6);
        assert_eq!(dist_slot(u32::MAX), 63);
    }

    #[test]
    fn first_byte_is_zero() {
        let mut rc = RangeEncoder::new();
        let mut m = LzmaModel::new(3, 0, 2);
        m.op(&mut rc, &Op::Lit(b"hello".to_vec())).unwrap();
        let out = rc.finish();
        assert_eq!(out[0], 0);
        assert_eq!(m.history, b"hello");
    }

    #[test]
    fn auto_reproduces_data() {
        let mut rc = RangeEncoder::new();
        let mut m = LzmaModel::new(3, 0, 2);
        let data = b"abcabcabcabcXabcabcabc the the the the".to_vec();
        m.op(&mut rc, &Op::Auto(data.clone())).unwrap();
        assert_eq!(m.history, data);
    }
}
