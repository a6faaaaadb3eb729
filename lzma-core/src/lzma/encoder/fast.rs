//! The fast parser (`Mode::Fast`): greedy, with one byte of lookahead and no prices.

use super::mf_api::MfView;
use super::{LzmaCore, BACK_LITERAL, MATCH_LEN_MAX, REPS};

/// Whether a match at distance `big` should give way to one a byte shorter at distance
/// `small` (the shorter one is much closer).
#[inline(always)]
fn change_pair(small: u32, big: u32) -> bool {
    (big >> 7) > small
}

/// Length of the common prefix of `buf[a..]` and `buf[b..]`, knowing the first `len` bytes
/// agree, up to `limit` bytes (liblzma `lzma_memcmplen`). Compares eight bytes at a time
/// within fixed 512-byte views of the window (one bounds check per view; the window's
/// slack keeps them in range), as the match finder does.
#[inline(always)]
pub(crate) fn memcmplen(buf: &[u8], a: usize, b: usize, len: u32, limit: u32) -> u32 {
    match crate::lz::encoder::memcmplen_at(buf, a, b, len, limit) {
        Some(n) => n,
        None => memcmplen_slow(buf, a, b, len, limit),
    }
}

/// Byte-wise [`memcmplen`] for comparisons that reach the end of `buf` (never the case
/// with the window's slack, but kept correct).
#[cold]
fn memcmplen_slow(buf: &[u8], a: usize, b: usize, mut len: u32, limit: u32) -> u32 {
    while len < limit {
        match (buf.get(a + len as usize), buf.get(b + len as usize)) {
            (Some(x), Some(y)) if x == y => len += 1,
            _ => break,
        }
    }
    len
}

/// Chooses the next symbol: `(back, len)` with `back` a rep index (0..4), a distance plus 4,
/// or [`BACK_LITERAL`].
pub(crate) fn optimum_fast<M: MfView>(c: &mut LzmaCore, mf: &mut M) -> (u32, u32) {
    let nice_len = mf.nice_len();
    let (mut matches_count, mut len_main) = if mf.read_ahead() == 0 {
        mf.find(&mut c.matches)
    } else {
        (c.matches_count, c.longest_match_length)
    };

    let cur = mf.read_pos() as usize - 1;
    let buf_avail = (mf.avail() + 1).min(MATCH_LEN_MAX);
    if buf_avail < 2 {
        return (BACK_LITERAL, 1);
    }

    let mut rep_len = 0;
    let mut rep_index = 0;
    {
        let buf = mf.buf();
        for i in 0..REPS {
            let back = cur - c.reps[i] as usize - 1;
            if buf[cur] != buf[back] || buf[cur + 1] != buf[back + 1] {
                continue;
            }
            let len = memcmplen(buf, cur, back, 2, buf_avail);
            if len >= nice_len {
                mf.skip(len - 1);
                return (i as u32, len);
            }
            if len > rep_len {
                rep_index = i as u32;
                rep_len = len;
            }
        }
    }

    if len_main >= nice_len {
        let back = c.matches[matches_count as usize - 1].dist + REPS as u32;
        mf.skip(len_main - 1);
        return (back, len_main);
    }

    let mut back_main = 0;
    if len_main >= 2 {
        back_main = c.matches[matches_count as usize - 1].dist;
        while matches_count > 1
            && len_main == c.matches[matches_count as usize - 2].len + 1
            && change_pair(c.matches[matches_count as usize - 2].dist, back_main)
        {
            matches_count -= 1;
            len_main = c.matches[matches_count as usize - 1].len;
            back_main = c.matches[matches_count as usize - 1].dist;
        }
        if len_main == 2 && back_main >= 0x80 {
            len_main = 1;
        }
    }

    if rep_len >= 2
        && (rep_len + 1 >= len_main
            || (rep_len + 2 >= len_main && back_main > 1 << 9)
            || (rep_len + 3 >= len_main && back_main > 1 << 15))
    {
        mf.skip(rep_len - 1);
        return (rep_index, rep_len);
    }

    if len_main < 2 || buf_avail <= 2 {
        return (BACK_LITERAL, 1);
    }

    // Look one byte ahead: if a better match starts there, code a literal now.
    let (count, longest) = mf.find(&mut c.matches);
    c.matches_count = count;
    c.longest_match_length = longest;
    if longest >= 2 {
        let new_dist = c.matches[count as usize - 1].dist;
        if (longest >= len_main && new_dist < back_main)
            || (longest == len_main + 1 && !change_pair(back_main, new_dist))
            || longest > len_main + 1
            || (longest + 1 >= len_main && len_main >= 3 && change_pair(new_dist, back_main))
        {
            return (BACK_LITERAL, 1);
        }
    }

    let next = cur + 1;
    let limit = 2.max(len_main - 1) as usize;
    let buf = mf.buf();
    for &rep in &c.reps {
        let back = next - rep as usize - 1;
        if buf[next..next + limit] == buf[back..back + limit] {
            return (BACK_LITERAL, 1);
        }
    }

    mf.skip(len_main - 2);
    (back_main + REPS as u32, len_main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memcmplen_counts_common_prefix() {
        let mut buf = b"abcdefghijklmnopqrstuvwxyz".to_vec();
        buf.extend_from_slice(b"abcdefghijklmnopqrstuvwXYZ");
        assert_eq!(memcmplen(&buf, 26, 0, 0, 26), 23);
        assert_eq!(memcmplen(&buf, 26, 0, 2, 10), 10);
        assert_eq!(memcmplen(&buf, 26, 0, 0, 26 + 1), 23);
        assert_eq!(memcmplen(&buf, 1, 0, 0, 5), 0);
        // Near the end of the slice the byte-wise tail is used.
        assert_eq!(memcmplen(&buf, 49, 23, 0, 3), 0);
        assert_eq!(memcmplen(&buf, 48, 22, 0, 4), 1);
    }

    #[test]
    fn change_pair_prefers_much_closer() {
        assert!(change_pair(1, 256));
        assert!(!change_pair(2, 256));
    }
}
