//! The normal parser (`Mode::Normal`): forward dynamic programming over prices.
//!
//! From the current position it prices every way to reach each of the next positions
//! (literal, short rep, rep matches, matches, and the two-step "match or rep, literal, rep0"
//! combinations), walking forward up to the longest match found, then traces the cheapest path
//! back and hands out its symbols one per call. Price caches are refreshed exactly where
//! liblzma refreshes them, since they steer the decisions.

use super::fast::memcmplen;
use super::mf_api::MfView;
use super::{
    dist_slot, dist_state, is_literal_state, update_literal, update_long_rep, update_match,
    update_short_rep, LzmaCore, ALIGN_BITS, ALIGN_SIZE, BACK_LITERAL, DIST_MODEL_END,
    DIST_MODEL_START, DIST_SLOTS, DIST_STATES, FULL_DISTANCES, LITERAL_STRIDE, MATCH_LEN_MAX, OPTS,
    REPS,
};
use super::{len_price, LenPrices, NormalTables, Optimal, POS_STATES_MAX};
use crate::rangecoder::price::{
    bit0_price, bit1_price, bit_price, bittree_price, bittree_reverse_price, direct_price,
    INFINITY_PRICE,
};

/// Mask keeping parser table indices in range (they always are; the mask lets the compiler
/// see it).
const OPTS_MASK: usize = OPTS as usize - 1;
/// Mask of an index into a length price row.
const LEN_ROW_MASK: usize = 511;

/// Index into the parser table.
#[inline(always)]
fn oi(i: u32) -> usize {
    i as usize & OPTS_MASK
}

/// The optimum parser's table.
type Table = [Optimal; OPTS as usize];

/// The length price caches, read-only during a parse.
#[derive(Clone, Copy)]
struct Lens<'a> {
    /// Match lengths.
    m: &'a LenPrices,
    /// Repeated-match lengths.
    r: &'a LenPrices,
}

impl LzmaCore {
    /// Price of coding `symbol` as a literal at `pos` after `prev_byte`; after a match
    /// (`match_mode`) the matched-literal coding with `match_byte` is priced.
    #[inline]
    fn literal_price(
        &self,
        pos: u32,
        prev_byte: u32,
        match_mode: bool,
        match_byte: u32,
        symbol: u32,
    ) -> u32 {
        let probs = &self.literal[self.literal_coder(pos, prev_byte)];
        const MASK: usize = LITERAL_STRIDE - 1;
        if !match_mode {
            let mut price = 0;
            let mut node = symbol | 0x100;
            while node != 1 {
                let bit = node & 1;
                node >>= 1;
                price += bit_price(probs[node as usize & MASK], bit);
            }
            return price;
        }
        let mut price = 0;
        let mut offset = 0x100u32;
        let mut symbol = symbol | 0x100;
        let mut match_byte = match_byte;
        while symbol < 0x10000 {
            match_byte <<= 1;
            let match_bit = match_byte & offset;
            let index = (offset + match_bit + (symbol >> 8)) as usize;
            let bit = (symbol >> 7) & 1;
            price += bit_price(probs[index & MASK], bit);
            symbol <<= 1;
            offset &= !(match_byte ^ symbol);
        }
        price
    }

    #[inline(always)]
    fn short_rep_price(&self, state: u32, pos_state: usize) -> u32 {
        let s = state as usize;
        bit0_price(self.is_rep0[s]) + bit0_price(self.is_rep0_long[s][pos_state])
    }

    #[inline(always)]
    fn pure_rep_price(&self, rep_index: u32, state: u32, pos_state: usize) -> u32 {
        let s = state as usize;
        if rep_index == 0 {
            bit0_price(self.is_rep0[s]) + bit1_price(self.is_rep0_long[s][pos_state])
        } else {
            let mut price = bit1_price(self.is_rep0[s]);
            if rep_index == 1 {
                price += bit0_price(self.is_rep1[s]);
            } else {
                price += bit1_price(self.is_rep1[s]);
                price += bit_price(self.is_rep2[s], rep_index - 2);
            }
            price
        }
    }

    #[inline(always)]
    fn rep_price(
        &self,
        prices: &LenPrices,
        rep_index: u32,
        len: u32,
        state: u32,
        pos_state: usize,
    ) -> u32 {
        len_price(prices, len, pos_state) + self.pure_rep_price(rep_index, state, pos_state)
    }

    #[inline(always)]
    fn dist_len_price(&self, prices: &LenPrices, dist: u32, len: u32, pos_state: usize) -> u32 {
        let ds = dist_state(len);
        let price = if (dist as usize) < FULL_DISTANCES {
            self.dist_prices[ds][dist as usize]
        } else {
            let slot = dist_slot(dist) as usize;
            self.dist_slot_prices[ds][slot & (DIST_SLOTS - 1)]
                + self.align_prices[(dist as usize) & (ALIGN_SIZE - 1)]
        };
        price + len_price(prices, len, pos_state)
    }

    /// Price of the distance `dist` in each of the four length contexts (the part of
    /// [`LzmaCore::dist_len_price`] that does not depend on the length itself).
    #[inline(always)]
    fn dist_prices_by_state(&self, dist: u32) -> [u32; DIST_STATES] {
        let mut out = [0; DIST_STATES];
        if (dist as usize) < FULL_DISTANCES {
            for (ds, p) in out.iter_mut().enumerate() {
                *p = self.dist_prices[ds][dist as usize];
            }
        } else {
            let slot = dist_slot(dist) as usize & (DIST_SLOTS - 1);
            let align = self.align_prices[(dist as usize) & (ALIGN_SIZE - 1)];
            for (ds, p) in out.iter_mut().enumerate() {
                *p = self.dist_slot_prices[ds][slot] + align;
            }
        }
        out
    }

    fn fill_dist_prices(&mut self) {
        let table = self.dist_table_size as usize;
        for ds in 0..DIST_STATES {
            let probs = &self.dist_slot[ds];
            let prices = &mut self.dist_slot_prices[ds];
            for (slot, p) in prices.iter_mut().enumerate().take(table) {
                *p = bittree_price(probs, 6, slot as u32);
            }
            for (slot, p) in prices
                .iter_mut()
                .enumerate()
                .take(table)
                .skip(DIST_MODEL_END as usize)
            {
                *p += direct_price(((slot as u32 >> 1) - 1) - ALIGN_BITS);
            }
            let start = DIST_MODEL_START as usize;
            self.dist_prices[ds][..start].copy_from_slice(&prices[..start]);
        }
        for i in DIST_MODEL_START..FULL_DISTANCES as u32 {
            let slot = dist_slot(i);
            let footer_bits = (slot >> 1) - 1;
            let base = (2 | (slot & 1)) << footer_bits;
            // Node `n` of this slot's reverse tree is entry `base - slot - 1 + n`.
            let probs = &self.dist_special[(base - slot) as usize..];
            let mut price = 0;
            let mut node = 1usize;
            let mut symbol = i - base;
            for _ in 0..footer_bits {
                let bit = symbol & 1;
                symbol >>= 1;
                price += bit_price(probs[node - 1], bit);
                node = (node << 1) + bit as usize;
            }
            for ds in 0..DIST_STATES {
                self.dist_prices[ds][i as usize] = price + self.dist_slot_prices[ds][slot as usize];
            }
        }
        self.match_price_count = 0;
    }

    fn fill_align_prices(&mut self) {
        for i in 0..ALIGN_SIZE {
            self.align_prices[i] = bittree_reverse_price(&self.dist_align, ALIGN_BITS, i as u32);
        }
        self.align_price_count = 0;
    }

    /// Traces the cheapest path ending at `cur` back to the start, reversing the links so
    /// that the symbols can be read forward. Returns the first symbol `(back, len)`.
    fn backward(&mut self, opts: &mut Table, mut cur: u32) -> (u32, u32) {
        self.opts_end_index = cur;
        let mut pos_mem = opts[oi(cur)].pos_prev;
        let mut back_mem = opts[oi(cur)].back_prev;
        loop {
            let c = opts[oi(cur)];
            if c.prev_1_is_literal {
                let pm = pos_mem as usize;
                opts[pm & OPTS_MASK].back_prev = BACK_LITERAL;
                opts[pm & OPTS_MASK].prev_1_is_literal = false;
                opts[pm & OPTS_MASK].pos_prev = pos_mem - 1;
                if c.prev_2 {
                    opts[(pm - 1) & OPTS_MASK].prev_1_is_literal = false;
                    opts[(pm - 1) & OPTS_MASK].pos_prev = c.pos_prev_2;
                    opts[(pm - 1) & OPTS_MASK].back_prev = c.back_prev_2;
                }
            }
            let pos_prev = pos_mem;
            let back_cur = back_mem;
            back_mem = opts[oi(pos_prev)].back_prev;
            pos_mem = opts[oi(pos_prev)].pos_prev;
            opts[oi(pos_prev)].back_prev = back_cur;
            opts[oi(pos_prev)].pos_prev = cur;
            cur = pos_prev;
            if cur == 0 {
                break;
            }
        }
        self.opts_current_index = opts[0].pos_prev;
        (opts[0].back_prev, opts[0].pos_prev)
    }
}

/// First step of a parse: prices of everything reachable from the current position.
/// Returns `Err((back, len))` when the decision is already made, else the parse end.
fn helper1<M: MfView>(
    c: &mut LzmaCore,
    opts: &mut Table,
    lens: Lens<'_>,
    mf: &mut M,
    position: u32,
) -> Result<u32, (u32, u32)> {
    let nice_len = mf.nice_len();
    let (matches_count, len_main) = if mf.read_ahead() == 0 {
        mf.find(&mut c.matches)
    } else {
        (c.matches_count, c.longest_match_length)
    };

    let buf_avail = (mf.avail() + 1).min(MATCH_LEN_MAX);
    if buf_avail < 2 {
        return Err((BACK_LITERAL, 1));
    }

    let cur = mf.read_pos() as usize - 1;
    let mut rep_lens = [0u32; REPS];
    let mut rep_max_index = 0;
    {
        let buf = mf.buf();
        for i in 0..REPS {
            let back = cur - c.reps[i] as usize - 1;
            if buf[cur] != buf[back] || buf[cur + 1] != buf[back + 1] {
                continue;
            }
            rep_lens[i] = memcmplen(buf, cur, back, 2, buf_avail);
            if rep_lens[i] > rep_lens[rep_max_index] {
                rep_max_index = i;
            }
        }
    }

    if rep_lens[rep_max_index] >= nice_len {
        let len = rep_lens[rep_max_index];
        mf.skip(len - 1);
        return Err((rep_max_index as u32, len));
    }
    if len_main >= nice_len {
        let back = c.matches[matches_count as usize - 1].dist + REPS as u32;
        mf.skip(len_main - 1);
        return Err((back, len_main));
    }

    let buf = mf.buf();
    let current_byte = u32::from(buf[cur]);
    let match_byte = u32::from(buf[cur - c.reps[0] as usize - 1]);
    if len_main < 2 && current_byte != match_byte && rep_lens[rep_max_index] < 2 {
        return Err((BACK_LITERAL, 1));
    }

    let state = c.state;
    let s = state as usize;
    opts[0].state = state as u8;
    let pos_state = (position & c.pos_mask) as usize;
    let lit_price = bit0_price(c.is_match[s][pos_state])
        + c.literal_price(
            position,
            u32::from(buf[cur - 1]),
            !is_literal_state(state),
            match_byte,
            current_byte,
        );
    opts[1].price = lit_price;
    opts[1].back_prev = BACK_LITERAL;
    opts[1].prev_1_is_literal = false;

    let match_price = bit1_price(c.is_match[s][pos_state]);
    let rep_match_price = match_price + bit1_price(c.is_rep[s]);

    if match_byte == current_byte {
        let short_rep_price = rep_match_price + c.short_rep_price(state, pos_state);
        if short_rep_price < opts[1].price {
            opts[1].price = short_rep_price;
            opts[1].back_prev = 0;
            opts[1].prev_1_is_literal = false;
        }
    }

    let len_end = len_main.max(rep_lens[rep_max_index]);
    if len_end < 2 {
        return Err((opts[1].back_prev, 1));
    }

    opts[1].pos_prev = 0;
    opts[0].backs = c.reps;

    for o in &mut opts[2..=len_end as usize] {
        o.price = INFINITY_PRICE;
    }

    for (i, &rep_len) in rep_lens.iter().enumerate() {
        if rep_len < 2 {
            continue;
        }
        let price = rep_match_price + c.pure_rep_price(i as u32, state, pos_state);
        for len in (2..=rep_len).rev() {
            let total = price + len_price(lens.r, len, pos_state);
            let o = &mut opts[oi(len)];
            if total < o.price {
                o.price = total;
                o.pos_prev = 0;
                o.back_prev = i as u32;
                o.prev_1_is_literal = false;
            }
        }
    }

    let normal_match_price = match_price + bit0_price(c.is_rep[s]);
    let mut len = if rep_lens[0] >= 2 { rep_lens[0] + 1 } else { 2 };
    if len <= len_main {
        let mut i = 0usize;
        while len > c.matches[i].len {
            i += 1;
        }
        loop {
            let dist = c.matches[i].dist;
            let total = normal_match_price + c.dist_len_price(lens.m, dist, len, pos_state);
            let o = &mut opts[oi(len)];
            if total < o.price {
                o.price = total;
                o.pos_prev = 0;
                o.back_prev = dist + REPS as u32;
                o.prev_1_is_literal = false;
            }
            if len == c.matches[i].len {
                i += 1;
                if i == matches_count as usize {
                    break;
                }
            }
            len += 1;
        }
    }
    Ok(len_end)
}

/// Sets `opts[i].price` to infinity for the positions the parse grows into.
#[inline(always)]
fn extend_end(opts: &mut Table, len_end: &mut u32, target: u32) {
    while *len_end < target {
        *len_end += 1;
        opts[oi(*len_end)].price = INFINITY_PRICE;
    }
}

/// One step of the parse at `cur`: relaxes every position reachable from it.
#[allow(clippy::too_many_arguments)]
fn helper2(
    c: &mut LzmaCore,
    opts: &mut Table,
    lens: Lens<'_>,
    reps: &mut [u32; REPS],
    buf: &[u8],
    at: usize,
    mut len_end: u32,
    position: u32,
    cur: u32,
    nice_len: u32,
    buf_avail_full: u32,
) -> u32 {
    let mut matches_count = c.matches_count;
    let mut new_len = c.longest_match_length;
    let cur_opt = opts[oi(cur)];
    let mut pos_prev = cur_opt.pos_prev;
    let mut state;

    if cur_opt.prev_1_is_literal {
        pos_prev -= 1;
        if cur_opt.prev_2 {
            state = opts[oi(cur_opt.pos_prev_2)].state.into();
            state = if cur_opt.back_prev_2 < REPS as u32 {
                update_long_rep(state)
            } else {
                update_match(state)
            };
        } else {
            state = opts[oi(pos_prev)].state.into();
        }
        state = update_literal(state);
    } else {
        state = opts[oi(pos_prev)].state.into();
    }

    if pos_prev == cur - 1 {
        state = if cur_opt.back_prev == 0 {
            update_short_rep(state)
        } else {
            update_literal(state)
        };
    } else {
        let pos;
        if cur_opt.prev_1_is_literal && cur_opt.prev_2 {
            pos_prev = cur_opt.pos_prev_2;
            pos = cur_opt.back_prev_2;
            state = update_long_rep(state);
        } else {
            pos = cur_opt.back_prev;
            state = if pos < REPS as u32 {
                update_long_rep(state)
            } else {
                update_match(state)
            };
        }
        let prev_backs = opts[oi(pos_prev)].backs;
        if pos < REPS as u32 {
            let pos = pos as usize;
            // The used rep moves to the front; those before it shift back by one.
            reps[0] = prev_backs[pos];
            reps[1..=pos].copy_from_slice(&prev_backs[..pos]);
            reps[pos + 1..].copy_from_slice(&prev_backs[pos + 1..]);
        } else {
            reps[0] = pos - REPS as u32;
            reps[1..].copy_from_slice(&prev_backs[..REPS - 1]);
        }
    }

    opts[oi(cur)].state = state as u8;
    opts[oi(cur)].backs = *reps;

    let cur_price = opts[oi(cur)].price;
    let current_byte = u32::from(buf[at]);
    let match_byte = u32::from(buf[at - reps[0] as usize - 1]);
    let pos_state = (position & c.pos_mask) as usize;
    let s = state as usize;

    let cur_and_1_price = cur_price
        + bit0_price(c.is_match[s][pos_state])
        + c.literal_price(
            position,
            u32::from(buf[at - 1]),
            !is_literal_state(state),
            match_byte,
            current_byte,
        );

    let mut next_is_literal = false;
    let next = cur as usize + 1;
    if cur_and_1_price < opts[next & OPTS_MASK].price {
        let o = &mut opts[next & OPTS_MASK];
        o.price = cur_and_1_price;
        o.pos_prev = cur;
        o.back_prev = BACK_LITERAL;
        o.prev_1_is_literal = false;
        next_is_literal = true;
    }

    let match_price = cur_price + bit1_price(c.is_match[s][pos_state]);
    let rep_match_price = match_price + bit1_price(c.is_rep[s]);

    if match_byte == current_byte
        && !(opts[next & OPTS_MASK].pos_prev < cur && opts[next & OPTS_MASK].back_prev == 0)
    {
        let short_rep_price = rep_match_price + c.short_rep_price(state, pos_state);
        if short_rep_price <= opts[next & OPTS_MASK].price {
            let o = &mut opts[next & OPTS_MASK];
            o.price = short_rep_price;
            o.pos_prev = cur;
            o.back_prev = 0;
            o.prev_1_is_literal = false;
            next_is_literal = true;
        }
    }

    if buf_avail_full < 2 {
        return len_end;
    }

    let buf_avail = buf_avail_full.min(nice_len);

    if !next_is_literal && match_byte != current_byte {
        // Literal followed by rep0.
        let back = at - reps[0] as usize - 1;
        let limit = buf_avail_full.min(nice_len + 1);
        let len_test = memcmplen(buf, at, back, 1, limit) - 1;
        if len_test >= 2 {
            let state_2 = update_literal(state);
            let pos_state_next = ((position + 1) & c.pos_mask) as usize;
            let next_rep_match_price = cur_and_1_price
                + bit1_price(c.is_match[state_2 as usize][pos_state_next])
                + bit1_price(c.is_rep[state_2 as usize]);
            let offset = cur + 1 + len_test;
            extend_end(opts, &mut len_end, offset);
            let total = next_rep_match_price + c.rep_price(lens.r, 0, len_test, state_2, pos_state_next);
            let o = &mut opts[oi(offset)];
            if total < o.price {
                o.price = total;
                o.pos_prev = cur + 1;
                o.back_prev = 0;
                o.prev_1_is_literal = true;
                o.prev_2 = false;
            }
        }
    }

    let mut start_len = 2;
    for (rep_index, &rep) in reps.iter().enumerate() {
        let back = at - rep as usize - 1;
        if buf[at] != buf[back] || buf[at + 1] != buf[back + 1] {
            continue;
        }
        let len_test = memcmplen(buf, at, back, 2, buf_avail);
        extend_end(opts, &mut len_end, cur + len_test);
        let price = rep_match_price + c.pure_rep_price(rep_index as u32, state, pos_state);
        let row = &lens.r[pos_state & (POS_STATES_MAX - 1)];
        let opts = &mut *opts;
        // From the longest length down, as liblzma (ties keep the first price set).
        let mut l = len_test;
        while l >= 2 {
            let total = price + row[(l - 2) as usize & LEN_ROW_MASK];
            let o = &mut opts[oi(cur + l)];
            if total < o.price {
                o.price = total;
                o.pos_prev = cur;
                o.back_prev = rep_index as u32;
                o.prev_1_is_literal = false;
            }
            l -= 1;
        }

        if rep_index == 0 {
            start_len = len_test + 1;
        }

        // Rep match, literal, rep0.
        let mut len_test_2 = len_test + 1;
        let limit = buf_avail_full.min(len_test_2 + nice_len);
        if len_test_2 < limit {
            len_test_2 = memcmplen(buf, at, back, len_test_2, limit);
        }
        len_test_2 -= len_test + 1;
        if len_test_2 >= 2 {
            let mut state_2 = update_long_rep(state);
            let mut pos_state_next = ((position + len_test) & c.pos_mask) as usize;
            let lt = len_test as usize;
            let cur_and_len_literal_price = price
                + len_price(lens.r, len_test, pos_state)
                + bit0_price(c.is_match[state_2 as usize][pos_state_next])
                + c.literal_price(
                    position + len_test,
                    u32::from(buf[at + lt - 1]),
                    true,
                    u32::from(buf[back + lt]),
                    u32::from(buf[at + lt]),
                );
            state_2 = update_literal(state_2);
            pos_state_next = ((position + len_test + 1) & c.pos_mask) as usize;
            let next_rep_match_price = cur_and_len_literal_price
                + bit1_price(c.is_match[state_2 as usize][pos_state_next])
                + bit1_price(c.is_rep[state_2 as usize]);
            let offset = cur + len_test + 1 + len_test_2;
            extend_end(opts, &mut len_end, offset);
            let total = next_rep_match_price + c.rep_price(lens.r, 0, len_test_2, state_2, pos_state_next);
            let o = &mut opts[oi(offset)];
            if total < o.price {
                o.price = total;
                o.pos_prev = cur + len_test + 1;
                o.back_prev = 0;
                o.prev_1_is_literal = true;
                o.prev_2 = true;
                o.pos_prev_2 = cur;
                o.back_prev_2 = rep_index as u32;
            }
        }
    }

    if new_len > buf_avail {
        new_len = buf_avail;
        matches_count = 0;
        while new_len > c.matches[matches_count as usize].len {
            matches_count += 1;
        }
        c.matches[matches_count as usize].len = new_len;
        matches_count += 1;
    }

    if new_len >= start_len {
        let normal_match_price = match_price + bit0_price(c.is_rep[s]);
        extend_end(opts, &mut len_end, cur + new_len);
        let mut i = 0usize;
        while start_len > c.matches[i].len {
            i += 1;
        }
        let mut len_test = start_len;
        let mut dist_price = c.dist_prices_by_state(c.matches[i].dist);
        let row = &lens.m[pos_state & (POS_STATES_MAX - 1)];
        loop {
            let cur_back = c.matches[i].dist;
            let mut total = normal_match_price
                + dist_price[dist_state(len_test) & 3]
                + row[(len_test - 2) as usize & LEN_ROW_MASK];
            let o = &mut opts[oi(cur + len_test)];
            if total < o.price {
                o.price = total;
                o.pos_prev = cur;
                o.back_prev = cur_back + REPS as u32;
                o.prev_1_is_literal = false;
            }

            if len_test == c.matches[i].len {
                // Match, literal, rep0.
                let back = at - cur_back as usize - 1;
                let mut len_test_2 = len_test + 1;
                let limit = buf_avail_full.min(len_test_2 + nice_len);
                if len_test_2 < limit {
                    len_test_2 = memcmplen(buf, at, back, len_test_2, limit);
                }
                len_test_2 -= len_test + 1;
                if len_test_2 >= 2 {
                    let mut state_2 = update_match(state);
                    let mut pos_state_next = ((position + len_test) & c.pos_mask) as usize;
                    let lt = len_test as usize;
                    let cur_and_len_literal_price = total
                        + bit0_price(c.is_match[state_2 as usize][pos_state_next])
                        + c.literal_price(
                            position + len_test,
                            u32::from(buf[at + lt - 1]),
                            true,
                            u32::from(buf[back + lt]),
                            u32::from(buf[at + lt]),
                        );
                    state_2 = update_literal(state_2);
                    pos_state_next = (pos_state_next + 1) & c.pos_mask as usize;
                    let next_rep_match_price = cur_and_len_literal_price
                        + bit1_price(c.is_match[state_2 as usize][pos_state_next])
                        + bit1_price(c.is_rep[state_2 as usize]);
                    let offset = cur + len_test + 1 + len_test_2;
                    extend_end(opts, &mut len_end, offset);
                    total =
                        next_rep_match_price + c.rep_price(lens.r, 0, len_test_2, state_2, pos_state_next);
                    let o = &mut opts[oi(offset)];
                    if total < o.price {
                        o.price = total;
                        o.pos_prev = cur + len_test + 1;
                        o.back_prev = 0;
                        o.prev_1_is_literal = true;
                        o.prev_2 = true;
                        o.pos_prev_2 = cur;
                        o.back_prev_2 = cur_back + REPS as u32;
                    }
                }
                i += 1;
                if i == matches_count as usize {
                    break;
                }
                dist_price = c.dist_prices_by_state(c.matches[i].dist);
            }
            len_test += 1;
        }
    }
    len_end
}

/// Chooses the next symbol: `(back, len)` with `back` a rep index (0..4), a distance plus 4,
/// or [`BACK_LITERAL`].
pub(crate) fn optimum_normal<M: MfView>(c: &mut LzmaCore, mf: &mut M, position: u32) -> (u32, u32) {
    // The tables leave `c` for the call so that both can be borrowed at once. They are
    // always there in normal mode; the fallback only keeps this free of panics.
    let mut tables = c.normal.take().unwrap_or_else(NormalTables::new);
    let decision = optimum(c, &mut tables, mf, position);
    c.normal = Some(tables);
    decision
}

#[inline(always)]
fn optimum<M: MfView>(
    c: &mut LzmaCore,
    tables: &mut NormalTables,
    mf: &mut M,
    position: u32,
) -> (u32, u32) {
    if c.opts_end_index != c.opts_current_index {
        let o = tables.opts[oi(c.opts_current_index)];
        let len = o.pos_prev - c.opts_current_index;
        c.opts_current_index = o.pos_prev;
        return (o.back_prev, len);
    }

    if mf.read_ahead() == 0 {
        if c.match_price_count >= 1 << 7 {
            c.fill_dist_prices();
        }
        if c.align_price_count >= ALIGN_SIZE as u32 {
            c.fill_align_prices();
        }
    }

    let NormalTables {
        opts,
        match_prices,
        rep_prices,
    } = tables;
    let opts = &mut **opts;
    let lens = Lens {
        m: match_prices,
        r: rep_prices,
    };
    let mut len_end = match helper1(c, opts, lens, mf, position) {
        Ok(end) => end,
        Err(decision) => return decision,
    };

    let mut reps = c.reps;
    let nice_len = mf.nice_len();
    let mut cur = 1;
    while cur < len_end {
        let (count, longest) = mf.find(&mut c.matches);
        c.matches_count = count;
        c.longest_match_length = longest;
        if longest >= nice_len {
            break;
        }
        let at = mf.read_pos() as usize - 1;
        let avail = (mf.avail() + 1).min(OPTS - 1 - cur);
        len_end = helper2(
            c,
            opts,
            lens,
            &mut reps,
            mf.buf(),
            at,
            len_end,
            position + cur,
            cur,
            nice_len,
            avail,
        );
        cur += 1;
    }
    c.backward(opts, cur)
}
