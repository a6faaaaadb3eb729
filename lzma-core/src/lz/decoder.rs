//! The LZ decoder's dictionary (history buffer) and the driver that runs an LZ-based decoder
//! (LZMA, LZMA2) into it and copies the new bytes to the caller's output.
//!
//! Layout, as liblzma's `lz_decoder`: one buffer of `dict + 2 * REPEAT_MAX` bytes plus
//! [`EXTRA`] bytes of slack. Writing starts at [`INIT_POS`]. When the write position reaches
//! the end, the last [`REPEAT_MAX`] bytes are copied to the front and writing continues after
//! them, so a match (at most 273 bytes) is always one contiguous copy. The other
//! `REPEAT_MAX` bytes keep the oldest live byte away from the write position, so a copy at
//! the largest valid distance never overlaps its source, and the slack lets a copy write
//! whole 32-byte blocks past its end.

use crate::Result;
use std::cell::RefCell;

/// The longest match (273) rounded up to a multiple of 32.
pub const REPEAT_MAX: usize = 288;
/// Write position of an empty dictionary.
pub const INIT_POS: usize = 2 * REPEAT_MAX;
/// Slack after the dictionary for block-wise match copies.
pub const EXTRA: usize = 32;
/// The smallest dictionary actually allocated (liblzma raises smaller sizes to this).
pub const DICT_MIN: u64 = 4096;

/// The decoder's history buffer.
#[derive(Debug)]
pub struct Dict {
    /// `size + EXTRA` bytes.
    pub(crate) buf: Vec<u8>,
    /// Next write position.
    pub(crate) pos: usize,
    /// How many bytes of history are valid (a distance must be below this).
    pub(crate) full: usize,
    /// Write limit for the current decoding call.
    pub(crate) limit: usize,
    /// Buffer size without the slack: the effective dictionary size plus `2 * REPEAT_MAX`.
    pub(crate) size: usize,
    /// Whether the write position has wrapped at least once since the last reset.
    pub(crate) has_wrapped: bool,
    /// Set by the LZ-based decoder to ask for a reset once the new bytes are copied out.
    pub(crate) need_reset: bool,
}

thread_local! {
    /// On a thread that keeps dictionaries (the threaded decoder's workers, which decode
    /// block after block), the buffer of the last dropped [`Dict`] (empty until one is
    /// dropped); `None` on every other thread.
    static KEPT_DICT: RefCell<Option<Vec<u8>>> = const { RefCell::new(None) };
}

/// Makes this thread keep the buffer of its last dropped dictionary and reuse it for the
/// next one of the same size, as liblzma's worker threads keep their decoder: a new buffer
/// would have every page it touches faulted in and cleared again, block after block. The
/// buffer is freed with the thread.
pub(crate) fn keep_dicts_on_this_thread() {
    KEPT_DICT.with(|k| {
        k.borrow_mut().get_or_insert_with(Vec::new);
    });
}

/// A buffer of `len` bytes for a dictionary: the kept one if it has that size (its old
/// contents are never read: the decoder reads only bytes it wrote since its reset, and
/// [`Dict::reset`] clears the one byte it reads before), else a new zeroed one.
fn dict_buffer(len: usize) -> Vec<u8> {
    let kept = KEPT_DICT.with(|k| k.borrow_mut().as_mut().map(std::mem::take));
    match kept {
        Some(buf) if buf.len() == len => buf,
        _ => vec![0u8; len],
    }
}

impl Drop for Dict {
    fn drop(&mut self) {
        KEPT_DICT.with(|k| {
            if let Some(kept) = k.borrow_mut().as_mut() {
                *kept = std::mem::take(&mut self.buf);
            }
        });
    }
}

/// The dictionary size actually used for `dict_size`: at least [`DICT_MIN`], rounded up to
/// a multiple of 16 (so the buffer position keeps the low four bits of the stream position).
pub fn effective_dict_size(dict_size: u64) -> u64 {
    (dict_size.max(DICT_MIN) + 15) & !15
}

/// Bytes of memory a dictionary of `dict_size` takes (buffer and slack).
pub fn memusage(dict_size: u64) -> u64 {
    effective_dict_size(dict_size) + (2 * REPEAT_MAX + EXTRA) as u64
}

impl Dict {
    /// Allocates a dictionary for `dict_size` bytes of history. A new buffer is zeroed by
    /// the allocator, so pages that are never written are never touched; a thread that keeps
    /// dictionaries ([`keep_dicts_on_this_thread`]) reuses its last one of the same size.
    pub fn new(dict_size: u64) -> Result<Dict> {
        let eff = effective_dict_size(dict_size);
        let size = usize::try_from(eff)
            .ok()
            .and_then(|e| e.checked_add(2 * REPEAT_MAX))
            .filter(|s| s.checked_add(EXTRA).is_some())
            .ok_or(crate::Error::MemLimit {
                needed: memusage(dict_size),
                limit: usize::MAX as u64,
            })?;
        let mut d = Dict {
            buf: dict_buffer(size + EXTRA),
            pos: 0,
            full: 0,
            limit: 0,
            size,
            has_wrapped: false,
            need_reset: false,
        };
        d.reset();
        Ok(d)
    }

    /// Forgets all history.
    pub fn reset(&mut self) {
        self.pos = INIT_POS;
        self.full = 0;
        self.limit = INIT_POS;
        self.buf[INIT_POS - 1] = 0;
        self.has_wrapped = false;
        self.need_reset = false;
    }

    /// The effective dictionary size (largest valid distance + 1).
    pub fn dict_size(&self) -> usize {
        self.size - 2 * REPEAT_MAX
    }

    /// Whether no byte has been written since the last reset.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.full == 0
    }

    /// Whether `distance` (0 = the previous byte) refers to a byte in the history.
    #[inline]
    pub fn is_distance_valid(&self, distance: u32) -> bool {
        (distance as usize) < self.full
    }

    #[inline]
    fn update_full(&mut self) {
        if !self.has_wrapped {
            self.full = self.pos - INIT_POS;
        }
    }

    /// Buffer index of the byte at `distance` (valid distances only).
    #[inline]
    pub fn back_index(&self, distance: u32) -> usize {
        let d = distance as usize;
        if d < self.pos {
            self.pos - d - 1
        } else {
            self.pos + self.size - REPEAT_MAX - d - 1
        }
    }

    /// The byte at `distance`.
    #[inline]
    pub fn get(&self, distance: u32) -> u8 {
        self.buf[self.back_index(distance)]
    }

    /// Appends one byte; the caller has checked `pos < limit`.
    #[inline]
    pub fn put(&mut self, byte: u8) {
        self.buf[self.pos] = byte;
        self.pos += 1;
        self.update_full();
    }

    /// Repeats `*len` bytes from `distance`, as many as fit below `limit`; leaves the rest
    /// in `*len`.
    pub fn repeat(&mut self, distance: u32, len: &mut u32) {
        let left = (*len as usize).min(self.limit - self.pos);
        *len -= left as u32;
        let back = self.back_index(distance);
        copy_match(&mut self.buf, back, self.pos, left, distance as usize);
        self.pos += left;
        self.update_full();
    }

    /// Copies input bytes into the dictionary (an uncompressed LZMA2 chunk), at most `*left`
    /// and as many as fit below `limit`; decrements `*left`.
    pub fn write(&mut self, input: &[u8], in_pos: &mut usize, left: &mut usize) {
        let n = (input.len() - *in_pos)
            .min(*left)
            .min(self.limit - self.pos);
        self.buf[self.pos..self.pos + n].copy_from_slice(&input[*in_pos..*in_pos + n]);
        self.pos += n;
        *in_pos += n;
        *left -= n;
        self.update_full();
    }
}

/// Copies `len` bytes from `buf[back..]` to `buf[pos..]` where the source starts
/// `distance + 1` bytes before the destination in stream order. Non-overlapping copies move
/// whole 32-byte blocks and may write up to 32 bytes past `pos + len` (into the dead zone
/// or the slack); overlapping ones (`distance < len`) repeat the pattern by doubling.
#[inline(always)]
pub(crate) fn copy_match(buf: &mut [u8], back: usize, pos: usize, len: usize, distance: usize) {
    if distance >= len {
        let mut s = back;
        let mut d = pos;
        let end = pos + len;
        while d < end {
            buf.copy_within(s..s + 32, d);
            s += 32;
            d += 32;
        }
    } else if distance == 0 {
        let b = buf[back];
        buf[pos..pos + len].fill(b);
    } else {
        // back + distance + 1 == pos: the pattern is `distance + 1` bytes long.
        let mut done = 0;
        while done < len {
            let n = (len - done).min(pos + done - back);
            buf.copy_within(back..back + n, pos + done);
            done += n;
        }
    }
}

/// An LZ-based decoder that decodes into a [`Dict`] up to `dict.limit`.
pub(crate) trait LzDecode {
    /// Decodes from `input[*in_pos..]`; returns `true` at the end of the stream.
    fn decode(&mut self, dict: &mut Dict, input: &[u8], in_pos: &mut usize) -> Result<bool>;
}

/// Bytes decoded into the dictionary before they are copied out: small enough that the copy
/// reads them from a near cache level and a large output buffer does not evict the recent
/// history the decoder is reading.
const STEP: usize = 64 << 10;

/// Runs `lz` until the output is full, the input is exhausted, or the stream ends, copying
/// new dictionary bytes to `out` (liblzma's `decode_buffer`). Returns `true` at stream end.
/// On error, `*out_pos` still counts the bytes decoded before it.
pub(crate) fn decode_buffer<L: LzDecode>(
    lz: &mut L,
    dict: &mut Dict,
    input: &[u8],
    in_pos: &mut usize,
    out: &mut [u8],
    out_pos: &mut usize,
) -> Result<bool> {
    loop {
        if dict.pos == dict.size {
            // Wrap: keep the last REPEAT_MAX bytes in front of the new write position.
            let size = dict.size;
            dict.buf.copy_within(size - REPEAT_MAX..size, 0);
            dict.pos = REPEAT_MAX;
            dict.has_wrapped = true;
        }
        let start = dict.pos;
        dict.limit = start + (out.len() - *out_pos).min(dict.size - start).min(STEP);
        let ret = lz.decode(dict, input, in_pos);
        let n = dict.pos - start;
        out[*out_pos..*out_pos + n].copy_from_slice(&dict.buf[start..dict.pos]);
        *out_pos += n;
        let end = ret?;
        if dict.need_reset {
            dict.reset();
            if end || *out_pos == out.len() {
                return Ok(end);
            }
        } else if end || *out_pos == out.len() || dict.pos < dict.limit {
            // Finished, output full, or the decoder stopped short of the limit (it needs
            // more input).
            return Ok(end);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_that_keeps_dicts_reuses_the_last_buffer_of_the_same_size() {
        std::thread::spawn(|| {
            keep_dicts_on_this_thread();
            let mut d = Dict::new(4096).unwrap();
            d.buf.fill(0xAA);
            let kept = d.buf.as_ptr();
            drop(d);
            let mut again = Dict::new(4096).unwrap();
            assert_eq!(again.buf.as_ptr(), kept);
            // The one old byte the decoder reads is cleared; the rest is never read.
            assert_eq!(again.buf[INIT_POS - 1], 0);
            again.put(7);
            assert_eq!(again.get(0), 7);
            drop(again);
            // Another size gets a new, zeroed buffer.
            let other = Dict::new(8192).unwrap();
            assert!(other.buf.iter().all(|&b| b == 0));
        })
        .join()
        .unwrap();
        // Threads that did not ask keep nothing.
        let d = Dict::new(4096).unwrap();
        drop(d);
        assert!(KEPT_DICT.with(|k| k.borrow().is_none()));
    }

    #[test]
    fn sizes() {
        assert_eq!(effective_dict_size(0), 4096);
        assert_eq!(effective_dict_size(4097), 4112);
        assert_eq!(effective_dict_size(u64::from(u32::MAX)), 1 << 32);
        let d = Dict::new(1).unwrap();
        assert_eq!(d.dict_size(), 4096);
        assert!(d.is_empty());
        assert_eq!(d.get(0), 0);
    }

    #[test]
    fn overlapping_copies() {
        for dist in 0..12usize {
            for len in 1..40usize {
                let mut buf = vec![0u8; 200];
                let pos = 50;
                for (i, b) in buf[..pos].iter_mut().enumerate() {
                    *b = i as u8 + 1;
                }
                let back = pos - dist - 1;
                let mut expect = buf.clone();
                for i in 0..len {
                    expect[pos + i] = expect[back + i];
                }
                copy_match(&mut buf, back, pos, len, dist);
                assert_eq!(
                    &buf[..pos + len],
                    &expect[..pos + len],
                    "dist {dist} len {len}"
                );
            }
        }
    }

    #[test]
    fn wrap_keeps_history() {
        let mut d = Dict::new(4096).unwrap();
        let mut x = 1u32;
        let mut all = Vec::new();
        // Fill past one wrap, then check a far match reads the right bytes.
        for _ in 0..6000 {
            if d.pos == d.size {
                let size = d.size;
                d.buf.copy_within(size - REPEAT_MAX..size, 0);
                d.pos = REPEAT_MAX;
                d.has_wrapped = true;
            }
            d.limit = d.size;
            x = x.wrapping_mul(69069).wrapping_add(1);
            let b = (x >> 24) as u8;
            d.put(b);
            all.push(b);
        }
        assert_eq!(d.full, 4096);
        for dist in [0u32, 1, 100, 4000, 4095] {
            assert_eq!(d.get(dist), all[all.len() - 1 - dist as usize]);
        }
    }
}
