//! The five match finders (liblzma's `lz_encoder_mf.c`): hash chains HC3/HC4 and binary
//! trees BT2/BT3/BT4.
//!
//! Positions stored in `hash` and `son` are `read_pos + offset`; `offset` starts at
//! `cyclic_size`, so the value 0 is always "too far away" and means "empty". A candidate
//! is usable while its distance `delta = pos - candidate` is below `cyclic_size`.

use super::hash::{hash2, hash3, hash4, hash4_main, memcmplen, window, WIN, WIN_MASK};
use super::{Match, Mf};
use crate::Action;

/// Records a match if there is room (the caller's array should hold
/// [`super::MATCH_ARRAY_LEN`] entries, which is always enough).
#[inline(always)]
fn push(matches: &mut [Match], count: &mut usize, len: u32, dist: u32) {
    if let Some(m) = matches.get_mut(*count) {
        *m = Match { len, dist };
        *count += 1;
    }
}

/// Sets the length of the last recorded match.
#[inline(always)]
fn set_last_len(matches: &mut [Match], count: usize, len: u32) {
    if let Some(m) = count.checked_sub(1).and_then(|i| matches.get_mut(i)) {
        m.len = len;
    }
}

/// Index in `son` (in entries of one position) of the candidate `delta` bytes back.
#[inline(always)]
fn cyclic_index(cyclic_pos: u32, cyclic_size: u32, delta: u32) -> usize {
    // delta < cyclic_size, so neither branch wraps.
    (if delta > cyclic_pos {
        cyclic_pos + cyclic_size - delta
    } else {
        cyclic_pos - delta
    }) as usize
}

/// The main hash bucket of the next position, loaded early so that its likely cache
/// miss overlaps with this position's walk (a software prefetch; the caller only folds
/// the value into a sink). Measured with the LZMA2 encoder: -6 and -9 about 10 % faster;
/// also touching the next candidate's tree node and window byte was slower.
#[inline(always)]
fn next_bucket(hash: &[u32], buf: &[u8], cur: usize, mask: u32) -> u32 {
    hash[hash4_main(window(buf, cur + 1), mask)]
}

/// The state the chain and tree walkers need, copied out of [`Mf`] once per position.
struct Walk<'a> {
    len_limit: u32,
    pos: u32,
    buf: &'a [u8],
    cur: usize,
    depth: u32,
    cyclic_pos: u32,
    cyclic_size: u32,
}

/// Walks the hash chain from `cur_match`, recording matches longer than `len_best`
/// (liblzma `hc_find_func`). Links the current position into the chain first.
#[inline(always)]
fn hc_find_func(
    w: &Walk<'_>,
    mut cur_match: u32,
    son: &mut [u32],
    matches: &mut [Match],
    mut count: usize,
    mut len_best: u32,
) -> usize {
    son[w.cyclic_pos as usize] = cur_match;
    let cur_win = window(w.buf, w.cur);
    let mut depth = w.depth;
    loop {
        let delta = w.pos.wrapping_sub(cur_match);
        if depth == 0 || delta >= w.cyclic_size {
            return count;
        }
        depth -= 1;

        let pb = window(w.buf, w.cur - delta as usize);
        cur_match = son[cyclic_index(w.cyclic_pos, w.cyclic_size, delta)];

        let lb = len_best as usize;
        if pb[lb & WIN_MASK] == cur_win[lb & WIN_MASK] && pb[0] == cur_win[0] {
            let len = memcmplen(pb, cur_win, 1, w.len_limit);
            if len_best < len {
                len_best = len;
                push(matches, &mut count, len, delta - 1);
                if len == w.len_limit {
                    return count;
                }
            }
        }
    }
}

/// Walks and re-roots the binary tree from `cur_match`, recording matches longer than
/// `len_best` (liblzma `bt_find_func`).
#[inline(always)]
fn bt_find_func(
    w: &Walk<'_>,
    mut cur_match: u32,
    son: &mut [u32],
    matches: &mut [Match],
    mut count: usize,
    mut len_best: u32,
) -> usize {
    let cur_win = window(w.buf, w.cur);
    let mut ptr0 = w.cyclic_pos as usize * 2 + 1;
    let mut ptr1 = w.cyclic_pos as usize * 2;
    let mut len0 = 0u32;
    let mut len1 = 0u32;
    let mut depth = w.depth;
    loop {
        let delta = w.pos.wrapping_sub(cur_match);
        if depth == 0 || delta >= w.cyclic_size {
            son[ptr0] = 0;
            son[ptr1] = 0;
            return count;
        }
        depth -= 1;

        let pair = cyclic_index(w.cyclic_pos, w.cyclic_size, delta) * 2;
        let pb = window(w.buf, w.cur - delta as usize);
        let mut len = len0.min(len1);

        if pb[len as usize & WIN_MASK] == cur_win[len as usize & WIN_MASK] {
            len = memcmplen(pb, cur_win, len + 1, w.len_limit);
            if len_best < len {
                len_best = len;
                push(matches, &mut count, len, delta - 1);
                if len == w.len_limit {
                    son[ptr1] = son[pair];
                    son[ptr0] = son[pair + 1];
                    return count;
                }
            }
        }

        if pb[len as usize & WIN_MASK] < cur_win[len as usize & WIN_MASK] {
            son[ptr1] = cur_match;
            ptr1 = pair + 1;
            cur_match = son[ptr1];
            len1 = len;
        } else {
            son[ptr0] = cur_match;
            ptr0 = pair;
            cur_match = son[ptr0];
            len0 = len;
        }
    }
}

/// Inserts the current position into the binary tree without recording matches
/// (liblzma `bt_skip_func`).
#[inline(always)]
fn bt_skip_func(w: &Walk<'_>, mut cur_match: u32, son: &mut [u32]) {
    let cur_win = window(w.buf, w.cur);
    let mut ptr0 = w.cyclic_pos as usize * 2 + 1;
    let mut ptr1 = w.cyclic_pos as usize * 2;
    let mut len0 = 0u32;
    let mut len1 = 0u32;
    let mut depth = w.depth;
    loop {
        let delta = w.pos.wrapping_sub(cur_match);
        if depth == 0 || delta >= w.cyclic_size {
            son[ptr0] = 0;
            son[ptr1] = 0;
            return;
        }
        depth -= 1;

        let pair = cyclic_index(w.cyclic_pos, w.cyclic_size, delta) * 2;
        let pb = window(w.buf, w.cur - delta as usize);
        let mut len = len0.min(len1);

        if pb[len as usize & WIN_MASK] == cur_win[len as usize & WIN_MASK] {
            len = memcmplen(pb, cur_win, len + 1, w.len_limit);
            if len == w.len_limit {
                son[ptr1] = son[pair];
                son[ptr0] = son[pair + 1];
                return;
            }
        }

        if pb[len as usize & WIN_MASK] < cur_win[len as usize & WIN_MASK] {
            son[ptr1] = cur_match;
            ptr1 = pair + 1;
            cur_match = son[ptr1];
            len1 = len;
        } else {
            son[ptr0] = cur_match;
            ptr0 = pair;
            cur_match = son[ptr0];
            len0 = len;
        }
    }
}

/// The walk state of the current position, borrowing only `buf` from the [`Mf`] so that
/// `hash` and `son` stay mutable.
macro_rules! walk {
    ($mf:ident, $len_limit:expr) => {
        Walk {
            len_limit: $len_limit,
            pos: $mf.read_pos.wrapping_add($mf.offset),
            buf: &$mf.buf,
            cur: $mf.read_pos as usize,
            depth: $mf.depth,
            cyclic_pos: $mf.cyclic_pos,
            cyclic_size: $mf.cyclic_size,
        }
    };
}

/// The buckets of the current position in the concatenated `hash` array, for a finder
/// hashing `W` bytes: the main one and, from `W = 3`, the two-byte one and, at `W = 4`,
/// the three-byte one (unused entries are 0).
#[derive(Clone, Copy)]
struct Buckets {
    h2: usize,
    h3: usize,
    main: usize,
}

#[inline(always)]
fn buckets<const W: u32>(cur: &[u8; WIN], mask: u32) -> Buckets {
    match W {
        2 => Buckets {
            h2: 0,
            h3: 0,
            main: hash2(cur),
        },
        3 => {
            let (h2, main) = hash3(cur, mask);
            Buckets { h2, h3: 0, main }
        }
        _ => {
            let (h2, h3, main) = hash4(cur, mask);
            Buckets { h2, h3, main }
        }
    }
}

/// The distances from `pos` to the positions in the two- and three-byte buckets of a
/// `W`-byte finder (`u32::MAX`, never usable, where the finder has no such bucket).
#[inline(always)]
fn short_deltas<const W: u32>(hash: &[u32], b: Buckets, pos: u32) -> (u32, u32) {
    let delta2 = if W >= 3 {
        pos.wrapping_sub(hash[b.h2])
    } else {
        u32::MAX
    };
    let delta3 = if W == 4 {
        pos.wrapping_sub(hash[b.h3])
    } else {
        u32::MAX
    };
    (delta2, delta3)
}

/// Stores position `pos` in the buckets `b` of a `W`-byte finder; returns the previous
/// occupant of the main bucket, where the chain or tree walk starts.
#[inline(always)]
fn insert<const W: u32>(hash: &mut [u32], b: Buckets, pos: u32) -> u32 {
    let cur_match = hash[b.main];
    if W >= 3 {
        hash[b.h2] = pos;
    }
    if W == 4 {
        hash[b.h3] = pos;
    }
    hash[b.main] = pos;
    cur_match
}

impl Mf {
    /// liblzma's `header()`: the length limit for this position, or `None` if there is
    /// too little input to run the finder (then the byte is counted as pending).
    #[inline(always)]
    fn header(&mut self, is_bt: bool, len_min: u32) -> Option<u32> {
        let avail = self.avail();
        if self.nice_len <= avail {
            Some(self.nice_len)
        } else if avail < len_min || (is_bt && self.action == Action::SyncFlush) {
            self.move_pending();
            None
        } else {
            Some(avail)
        }
    }

    /// Whether the byte `delta` positions back equals the current byte.
    #[inline(always)]
    fn first_byte_matches(buf: &[u8], cur: usize, delta: u32) -> bool {
        buf[cur - delta as usize] == buf[cur]
    }

    /// Finds the matches at the current position and advances (liblzma's
    /// `hc3_find`, `hc4_find`, `bt2_find`, `bt3_find` and `bt4_find`): `W` is the
    /// number of hashed bytes, `BT` selects the binary tree over the hash chain.
    #[inline(always)]
    pub(super) fn find_with<const W: u32, const BT: bool>(
        &mut self,
        matches: &mut [Match],
    ) -> usize {
        let Some(len_limit) = self.header(BT, W) else {
            return 0;
        };
        let mask = self.hash_mask;
        let cyclic_size = self.cyclic_size;
        let w = walk!(self, len_limit);
        let cur_win = window(w.buf, w.cur);
        let b = buckets::<W>(cur_win, mask);
        if W == 4 {
            self.sink ^= next_bucket(&self.hash, w.buf, w.cur, mask);
        }
        let (mut delta2, delta3) = short_deltas::<W>(&self.hash, b, w.pos);
        let cur_match = insert::<W>(&mut self.hash, b, w.pos);

        // The short matches the two- and three-byte buckets give, the longest extended.
        let mut len_best = 1;
        let mut count = 0;
        if W == 3 {
            len_best = 2;
            if delta2 < cyclic_size && Self::first_byte_matches(w.buf, w.cur, delta2) {
                len_best = memcmplen(
                    cur_win,
                    window(w.buf, w.cur - delta2 as usize),
                    len_best,
                    len_limit,
                );
                push(matches, &mut count, len_best, delta2 - 1);
            }
        } else if W == 4 {
            if delta2 < cyclic_size && Self::first_byte_matches(w.buf, w.cur, delta2) {
                len_best = 2;
                push(matches, &mut count, 2, delta2 - 1);
            }
            if delta2 != delta3
                && delta3 < cyclic_size
                && Self::first_byte_matches(w.buf, w.cur, delta3)
            {
                len_best = 3;
                push(matches, &mut count, 3, delta3 - 1);
                delta2 = delta3;
            }
            if count != 0 {
                len_best = memcmplen(
                    cur_win,
                    window(w.buf, w.cur - delta2 as usize),
                    len_best,
                    len_limit,
                );
                set_last_len(matches, count, len_best);
            }
        }
        if count != 0 && len_best == len_limit {
            // Long enough: link the position in without searching.
            if BT {
                bt_skip_func(&w, cur_match, &mut self.son);
            } else {
                self.son[w.cyclic_pos as usize] = cur_match;
            }
            self.move_pos();
            return count;
        }
        if W == 4 {
            len_best = len_best.max(3);
        }
        let count = if BT {
            bt_find_func(&w, cur_match, &mut self.son, matches, count, len_best)
        } else {
            hc_find_func(&w, cur_match, &mut self.son, matches, count, len_best)
        };
        self.move_pos();
        count
    }

    /// Runs `amount` positions through the finder without searching (liblzma's
    /// `hc3_skip` ... `bt4_skip`); `W` and `BT` as for [`Mf::find_with`].
    #[inline(always)]
    pub(super) fn skip_with<const W: u32, const BT: bool>(&mut self, amount: u32) {
        for _ in 0..amount {
            let len_limit = if BT {
                match self.header(true, W) {
                    Some(len_limit) => len_limit,
                    None => continue,
                }
            } else {
                if self.avail() < W {
                    self.move_pending();
                    continue;
                }
                0
            };
            let w = walk!(self, len_limit);
            let b = buckets::<W>(window(w.buf, w.cur), self.hash_mask);
            if W == 4 && BT {
                self.sink ^= next_bucket(&self.hash, w.buf, w.cur, self.hash_mask);
            }
            let cur_match = insert::<W>(&mut self.hash, b, w.pos);
            if BT {
                bt_skip_func(&w, cur_match, &mut self.son);
            } else {
                self.son[w.cyclic_pos as usize] = cur_match;
            }
            self.move_pos();
        }
    }

    /// [`Mf::skip_with`] for the hash chains, kept out of line: inlined into the
    /// dispatch, the chain skips ran 2-3 % more instructions at -0/-1 (the tree skips
    /// run slightly fewer inlined).
    #[inline(never)]
    pub(super) fn hc_skip<const W: u32>(&mut self, amount: u32) {
        self.skip_with::<W, false>(amount);
    }
}
