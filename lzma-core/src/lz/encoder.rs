//! The LZ encoder layer: the input window, the five match finders and the driver that
//! feeds them (liblzma's `lz_encoder.c`, `lz_encoder_mf.c`, `lz_encoder_hash.h`).
//!
//! The finders return exactly the matches liblzma's return, in the same order, so an
//! encoder built on them produces byte-identical output to XZ Utils.
//!
//! # Notes for the LZMA/LZMA2 encoder (read this first)
//!
//! - [`Mf`] mirrors liblzma's `lzma_mf`; its methods are its `mf_*` helpers:
//!   `mf_ptr` = [`Mf::read_pos`] (an index into [`Mf::buf`]), `mf_avail` = [`Mf::avail`],
//!   `mf_unencoded` = [`Mf::unencoded`], `mf_position` = [`Mf::position`],
//!   `lzma_mf_find` = [`Mf::find`], `mf_skip` = [`Mf::skip`], `mf_read` = [`Mf::read`].
//!   `mf->read_ahead` is the public field [`Mf::read_ahead`] (the encoder decrements it);
//!   `mf->read_limit`, `mf->write_pos`, `mf->match_len_max` are [`Mf::read_limit`],
//!   [`Mf::write_pos`], [`Mf::match_len_max`]; `mf->buffer[i]` is `mf.buf()[i]`.
//! - [`Mf::find`] returns `(count, len_best)` and writes `count` matches; pass an array of
//!   [`MATCH_ARRAY_LEN`] entries (liblzma's `matches[MATCH_LEN_MAX + 1]`).
//! - [`Mf::buf`] has at least [`BUF_SLACK`] (512) zeroed bytes after `write_pos`, so
//!   reading up to 273 + 16 bytes past the last input byte is always in range (liblzma
//!   only guarantees 8, `LZMA_MEMCMPLEN_EXTRA`).
//! - [`Mf::action`] is `mf->action`: [`Action::Run`] while more input may come, otherwise
//!   the caller's `SyncFlush` or `Finish` once all input is in the window. The driver
//!   passes [`Action::FullFlush`] down as `SyncFlush` (liblzma's LZ layer never sees
//!   `LZMA_FULL_FLUSH`: its stream encoder turns a full flush into `LZMA_FINISH` of the
//!   block, which the `xz` container layer should do too).
//! - [`LzEncode::encode`] is liblzma's `lz->code`: return `Ok(Status::Ok)` for `LZMA_OK`
//!   and `Ok(Status::StreamEnd)` for `LZMA_STREAM_END` (flush done or stream finished).
//!   LZMA2's `options_update` has no hook here: change the options through
//!   [`LzEncoder::inner_mut`].
//! - [`MfConfig`] is `lzma_lz_options` without the preset dictionary; use
//!   [`LzEncoder::with_preset_dict`] / [`Mf::with_preset_dict`] for that. [`Mf::new`]
//!   raises `nice_len` to the bytes the finder hashes (as `set_lz_options` does) and
//!   fills in the default depth.
//! - A filter before LZMA (Delta/BCJ) must feed the driver with `Run` until it has
//!   delivered all its output, then `Finish`/`SyncFlush`; with that, any chunking of the
//!   input gives the same output, as with liblzma's chained `fill_window`.
//! - [`LzEncoder`]'s [`Coder::code`] follows `lzma_code`'s sequencing: once `SyncFlush`
//!   or `Finish` is given it must be repeated (with the rest of the same input) until
//!   `Status::StreamEnd`, else `Error::Misuse`; after a flush's `StreamEnd` the coder
//!   takes `Run` again; after `Finish`'s it only answers `StreamEnd`.
//!
//! # How this is tested
//!
//! Beside the unit tests (brute force, window moves, normalization, chunking, flushing,
//! proptest), the ignored test `same_trace_as_liblzma` links XZ Utils' own LZ layer from
//! a static `liblzma.a` through the C program `liblzma_trace.c` next to this module,
//! drives both with the same scripted encoder, and compares every find, skip and code
//! call: `cargo test -p lzma-core --lib same_trace_as_liblzma -- --ignored`.

mod finders;
mod hash;
#[cfg(test)]
mod tests;

use crate::{Action, Coder, Error, MatchFinder, Progress, Result, Status};

/// Longest match the LZ layer supports (liblzma `MATCH_LEN_MAX`).
const MATCH_LEN_MAX: u32 = 273;

/// Entries the `matches` array given to [`Mf::find`] should have (liblzma sizes it
/// `MATCH_LEN_MAX + 1`); the finders never return more.
pub const MATCH_ARRAY_LEN: usize = MATCH_LEN_MAX as usize + 1;

/// Zeroed bytes [`Mf::buf`] always has after [`Mf::write_pos`].
pub const BUF_SLACK: usize = hash::WIN;

/// Size of liblzma's `lzma_coder` of `lz_encoder.c` on 64-bit targets, counted by
/// [`Mf::memusage`] so the figures equal liblzma's.
const LZ_CODER_STRUCT_SIZE: u64 = 240;

/// Room the window has beyond the history it keeps, the look-ahead and half the
/// dictionary (liblzma's reserve). liblzma adds 512 KiB plus a few KiB here; they only
/// make the window move (a `memmove` of the kept history) less often, and since the
/// whole window becomes resident once the input is larger than it, they cost that much
/// peak memory. With 64 KiB (the command's input chunk), a window move copies at most
/// about two bytes per byte of input even at the smallest dictionaries (`-0`: 256 KiB),
/// well under 1 % of the compression time. Where the window moves does not change the
/// output: the encoder always has the same look-ahead (`keep_size_after`).
const WINDOW_RESERVE: u64 = 64 << 10;

/// Largest dictionary the encoder accepts (1.5 GiB).
const DICT_SIZE_MAX: u32 = (1 << 30) + (1 << 29);

/// Length of the common prefix of `buf[a..]` and `buf[b..]`, knowing the first `len`
/// bytes agree, up to `limit` (at most 273) bytes, comparing eight bytes at a time
/// (liblzma's `lzma_memcmplen`). `None` if a view of 512 bytes at `a` or `b` does not
/// fit in `buf` (never for positions up to [`Mf::write_pos`] of a window, which has
/// [`BUF_SLACK`] bytes after it) or `limit` is above 273.
#[inline(always)]
pub(crate) fn memcmplen_at(buf: &[u8], a: usize, b: usize, len: u32, limit: u32) -> Option<u32> {
    if limit > hash::LEN_LIMIT_MAX {
        return None;
    }
    let wa = buf.get(a..)?.first_chunk::<{ hash::WIN }>()?;
    let wb = buf.get(b..)?.first_chunk::<{ hash::WIN }>()?;
    Some(hash::memcmplen(wa, wb, len, limit))
}

/// Options of the LZ layer (liblzma `lzma_lz_options`, without the preset dictionary).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MfConfig {
    /// Dictionary size: how far back matches may reach (4 KiB ..= 1.5 GiB).
    pub dict_size: u32,
    /// Extra history kept before the dictionary (LZMA: 4096; LZMA2 raises it so that
    /// `before_size + dict_size >= 64 KiB`).
    pub before_size: u32,
    /// Extra bytes kept after the read position (LZMA: `LOOP_INPUT_MAX` = 4097).
    pub after_size: u32,
    /// Longest match the encoder accepts (273 for LZMA); at most 273.
    pub match_len_max: u32,
    /// The finders stop searching at a match this long; [`Mf::find`] then extends it up
    /// to `match_len_max`.
    pub nice_len: u32,
    /// Which match finder.
    pub mf: MatchFinder,
    /// Maximum search depth; 0 selects the default (BT: 16 + nice/2, HC: 4 + nice/4).
    pub depth: u32,
}

impl MfConfig {
    /// The LZ options the LZMA1/LZMA2 encoder uses for `opts` (liblzma's
    /// `set_lz_options`): `before_size` 4096, `after_size` 4097, `match_len_max` 273.
    ///
    /// ```
    /// use lzma_core::lz::encoder::MfConfig;
    /// let cfg = MfConfig::for_lzma(&lzma_core::LzmaOptions::preset(6, false).unwrap());
    /// assert_eq!((cfg.dict_size, cfg.nice_len, cfg.match_len_max), (8 << 20, 64, 273));
    /// ```
    pub fn for_lzma(opts: &crate::LzmaOptions) -> Self {
        MfConfig {
            dict_size: opts.dict_size,
            before_size: 4096,
            after_size: 4096 + 1,
            match_len_max: MATCH_LEN_MAX,
            nice_len: opts.nice_len.max(opts.mf.hash_bytes()),
            mf: opts.mf,
            depth: opts.depth,
        }
    }
}

/// A match: `len` bytes at distance `dist + 1` (liblzma `lzma_match`; `dist` is zero-based).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Match {
    /// Length in bytes.
    pub len: u32,
    /// Distance minus one.
    pub dist: u32,
}

/// Sizes derived from an [`MfConfig`] (liblzma's `lz_encoder_prepare`).
#[derive(Clone, Copy, Debug)]
struct Layout {
    keep_size_before: u32,
    keep_size_after: u32,
    /// liblzma's window size, counted by [`Layout::memusage`].
    size: u32,
    /// The window size used (see [`WINDOW_RESERVE`]); at most `size`.
    window_size: u32,
    cyclic_size: u32,
    hash_mask: u32,
    hash_count: u32,
    sons_count: u32,
    depth: u32,
    nice_len: u32,
    match_len_max: u32,
}

impl Layout {
    fn new(cfg: &MfConfig) -> Result<Self> {
        let bad = |what: &str| Error::Options(format!("LZ encoder: {what}"));
        if !(crate::lzma::DICT_SIZE_MIN..=DICT_SIZE_MAX).contains(&cfg.dict_size) {
            return Err(bad("dictionary size out of range"));
        }
        let hash_bytes = cfg.mf.hash_bytes();
        let nice_len = cfg.nice_len.max(hash_bytes);
        if cfg.match_len_max > MATCH_LEN_MAX || nice_len > cfg.match_len_max {
            return Err(bad("nice_len must be at most match_len_max, at most 273"));
        }
        let overflow = || bad("window size overflows");
        let keep_size_before = cfg
            .before_size
            .checked_add(cfg.dict_size)
            .ok_or_else(overflow)?;
        let keep_size_after = cfg
            .after_size
            .checked_add(cfg.match_len_max)
            .ok_or_else(overflow)?;

        // Spare room so that the window moves rarely; more for big dictionaries.
        let mut reserve = cfg.dict_size / 2;
        if reserve > 1 << 30 {
            reserve /= 2;
        }
        let extra =
            u64::from(cfg.before_size) + u64::from(cfg.match_len_max) + u64::from(cfg.after_size);
        let size = u64::from(keep_size_before)
            + u64::from(reserve)
            + extra / 2
            + (1 << 19)
            + u64::from(keep_size_after);
        let size = u32::try_from(size).map_err(|_| overflow())?;
        let window_size = u64::from(keep_size_before)
            + u64::from(reserve)
            + WINDOW_RESERVE
            + u64::from(keep_size_after);
        let window_size = u32::try_from(window_size).map_err(|_| overflow())?;

        let cyclic_size = cfg.dict_size + 1;
        let hash_mask = if hash_bytes == 2 {
            0xFFFF
        } else {
            // The next 2^n - 1 at or above dict_size - 1, halved, at least 0xFFFF.
            let mut hs = cfg.dict_size - 1;
            hs |= hs >> 1;
            hs |= hs >> 2;
            hs |= hs >> 4;
            hs |= hs >> 8;
            hs >>= 1;
            hs |= 0xFFFF;
            if hs > 1 << 24 {
                if hash_bytes == 3 {
                    hs = (1 << 24) - 1;
                } else {
                    hs >>= 1;
                }
            }
            hs
        };
        let mut hash_count = hash_mask + 1;
        if hash_bytes > 2 {
            hash_count += hash::HASH_2_SIZE;
        }
        if hash_bytes > 3 {
            hash_count += hash::HASH_3_SIZE;
        }
        let sons_count = if cfg.mf.is_bt() {
            cyclic_size * 2
        } else {
            cyclic_size
        };
        let depth = match cfg.depth {
            0 if cfg.mf.is_bt() => 16 + nice_len / 2,
            0 => 4 + nice_len / 4,
            d => d,
        };
        Ok(Layout {
            keep_size_before,
            keep_size_after,
            size,
            window_size: window_size.min(size),
            cyclic_size,
            hash_mask,
            hash_count,
            sons_count,
            depth,
            nice_len,
            match_len_max: cfg.match_len_max,
        })
    }

    fn memusage(&self) -> u64 {
        (u64::from(self.hash_count) + u64::from(self.sons_count)) * 4
            + u64::from(self.size)
            + LZ_CODER_STRUCT_SIZE
    }
}

/// The input window and match finder (liblzma `lzma_mf`).
///
/// Input is appended at `write_pos`; the finder runs byte by byte at `read_pos`; the
/// encoder has consumed everything up to `read_pos - read_ahead`.
///
/// ```
/// use lzma_core::lz::encoder::{Match, Mf, MfConfig, MATCH_ARRAY_LEN};
/// use lzma_core::{Action, MatchFinder};
/// let cfg = MfConfig { dict_size: 1 << 16, before_size: 4096, after_size: 4097,
///                      match_len_max: 273, nice_len: 32, mf: MatchFinder::Bt4, depth: 0 };
/// let mut mf = Mf::new(&cfg).unwrap();
/// mf.fill_window(b"abcdefgh-abcdefgh", Action::Finish);
/// let mut matches = [Match::default(); MATCH_ARRAY_LEN];
/// mf.skip(9);
/// let (count, len) = mf.find(&mut matches);
/// assert_eq!((count, len), (1, 8));
/// assert_eq!(matches[0], Match { len: 8, dist: 8 });
/// ```
#[derive(Debug)]
pub struct Mf {
    /// Window buffer, with room for `size` bytes plus [`BUF_SLACK`] bytes of zeroed slack.
    /// Its length is the high-water mark of the bytes written so far (always at least
    /// `write_pos + BUF_SLACK` once input arrived): the memory is allocated uninitialized
    /// and its pages are touched only as input fills them, as liblzma's `malloc`ed buffer.
    buf: Vec<u8>,
    /// Window size in use (`Layout::window_size`).
    size: u32,
    keep_size_before: u32,
    keep_size_after: u32,
    /// `buf[i]` is at position `i + offset` in `hash` and `son`.
    offset: u32,
    read_pos: u32,
    /// Bytes run through the finder but not yet encoded (liblzma `mf->read_ahead`).
    /// The LZ-based encoder decrements it as it encodes symbols.
    pub read_ahead: u32,
    read_limit: u32,
    write_pos: u32,
    /// Bytes before `read_pos` not yet hashed (after a sync flush).
    pending: u32,

    hash: Vec<u32>,
    son: Vec<u32>,
    cyclic_pos: u32,
    cyclic_size: u32,
    hash_mask: u32,
    depth: u32,
    nice_len: u32,
    match_len_max: u32,
    action: Action,
    kind: MatchFinder,
    layout: Layout,
    /// Receives the values of buckets loaded early as a software prefetch.
    sink: u32,
}

impl Mf {
    /// Allocates the window and the finder's tables (liblzma `lz_encoder_prepare` +
    /// `lz_encoder_init`). `Error::Options` if the options are out of range.
    pub fn new(cfg: &MfConfig) -> Result<Self> {
        let layout = Layout::new(cfg)?;
        // vec![0; n] allocates zeroed memory (calloc): pages never touched cost nothing
        // when they come fresh from the OS. The window is not zeroed at all (see `buf`):
        // calloc clears recycled memory (a second encoder, a worker thread's next block),
        // which would make the whole window resident.
        let mut buf = Vec::with_capacity(layout.window_size as usize + BUF_SLACK);
        buf.resize(BUF_SLACK, 0);
        Ok(Mf {
            buf,
            size: layout.window_size,
            keep_size_before: layout.keep_size_before,
            keep_size_after: layout.keep_size_after,
            offset: layout.cyclic_size,
            read_pos: 0,
            read_ahead: 0,
            read_limit: 0,
            write_pos: 0,
            pending: 0,
            hash: vec![0u32; layout.hash_count as usize],
            son: vec![0u32; layout.sons_count as usize],
            cyclic_pos: 0,
            cyclic_size: layout.cyclic_size,
            hash_mask: layout.hash_mask,
            depth: layout.depth,
            nice_len: layout.nice_len,
            match_len_max: layout.match_len_max,
            action: Action::Run,
            kind: cfg.mf,
            layout,
            sink: 0,
        })
    }

    /// Like [`Mf::new`], then loads a preset dictionary (its last `size` bytes at most)
    /// into the window and the finder, as liblzma's `lz_encoder_init` does.
    pub fn with_preset_dict(cfg: &MfConfig, dict: &[u8]) -> Result<Self> {
        let mut mf = Mf::new(cfg)?;
        mf.load_preset_dict(dict);
        Ok(mf)
    }

    /// Empties the window and the finder for a new, independent stream, keeping the
    /// allocations (liblzma's `lz_encoder_init` on a coder it reuses): the hash table is
    /// zeroed; the window and the trees need not be, as nothing in them is read before it
    /// is written again. `dict` is the preset dictionary (empty for none), loaded as
    /// [`Mf::with_preset_dict`] does.
    pub fn reset(&mut self, dict: &[u8]) {
        self.offset = self.cyclic_size;
        self.read_pos = 0;
        self.read_ahead = 0;
        self.read_limit = 0;
        self.write_pos = 0;
        self.pending = 0;
        self.cyclic_pos = 0;
        self.action = Action::Run;
        self.hash.fill(0);
        self.load_preset_dict(dict);
    }

    /// Loads a preset dictionary into a fresh window.
    fn load_preset_dict(&mut self, dict: &[u8]) {
        if !dict.is_empty() {
            let n = dict.len().min(self.size as usize);
            self.write_at(0, &dict[dict.len() - n..]);
            self.write_pos = n as u32;
            self.action = Action::SyncFlush;
            self.skip_raw(self.write_pos);
            self.action = Action::Run;
        }
    }

    /// Memory the LZ layer needs with these options, in bytes, as liblzma's
    /// `lzma_lz_encoder_memusage`; `u64::MAX` if the options are invalid.
    ///
    /// ```
    /// use lzma_core::lz::encoder::{Mf, MfConfig};
    /// let cfg = MfConfig::for_lzma(&lzma_core::LzmaOptions::preset(6, false).unwrap());
    /// assert!(Mf::memusage(&cfg) > 90 << 20);
    /// ```
    pub fn memusage(cfg: &MfConfig) -> u64 {
        Layout::new(cfg).map_or(u64::MAX, |l| l.memusage())
    }

    /// The whole window buffer. Bytes `[read_pos - read_ahead - dict_size, write_pos)` are
    /// valid input; at least [`BUF_SLACK`] zeroed bytes follow `write_pos`.
    #[inline(always)]
    pub fn buf(&self) -> &[u8] {
        &self.buf
    }

    /// Index in [`Mf::buf`] of the next byte for [`Mf::find`]/[`Mf::skip`] (`mf_ptr`).
    #[inline(always)]
    pub fn read_pos(&self) -> usize {
        self.read_pos as usize
    }

    /// Index in [`Mf::buf`] up to which the encoder may run while the action is `Run`
    /// (`mf->read_limit`).
    #[inline(always)]
    pub fn read_limit(&self) -> usize {
        self.read_limit as usize
    }

    /// Index in [`Mf::buf`] of the first byte without input (`mf->write_pos`).
    #[inline(always)]
    pub fn write_pos(&self) -> usize {
        self.write_pos as usize
    }

    /// Bytes not yet run through the finder (`mf_avail`).
    #[inline(always)]
    pub fn avail(&self) -> u32 {
        self.write_pos.saturating_sub(self.read_pos)
    }

    /// Bytes not yet encoded, including the read-ahead (`mf_unencoded`).
    #[inline(always)]
    pub fn unencoded(&self) -> u32 {
        self.avail().wrapping_add(self.read_ahead)
    }

    /// Position of the next byte to encode; only its low bits are meaningful (the window
    /// moves keep `position() & 15`) (`mf_position`).
    #[inline(always)]
    pub fn position(&self) -> u32 {
        self.read_pos.wrapping_sub(self.read_ahead)
    }

    /// The finder's nice length (after raising it to the hashed bytes).
    #[inline(always)]
    pub fn nice_len(&self) -> u32 {
        self.nice_len
    }

    /// Longest match the encoder accepts (`mf->match_len_max`).
    #[inline(always)]
    pub fn match_len_max(&self) -> u32 {
        self.match_len_max
    }

    /// The search depth in effect (after defaults).
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// `Run` while more input may come; `SyncFlush` or `Finish` once the caller asked for
    /// it and all input is in the window (`mf->action`).
    #[inline(always)]
    pub fn action(&self) -> Action {
        self.action
    }

    /// Finds the matches at the current byte, then advances one byte (`lzma_mf_find`).
    ///
    /// Writes `count` matches to `matches` in order of increasing length, the longest
    /// last, and returns `(count, len_best)`. If the longest reaches `nice_len`, it is
    /// extended up to `match_len_max` or the available input, and `len_best` is that
    /// extended length (`matches` keeps the unextended one, as in liblzma).
    #[inline]
    pub fn find(&mut self, matches: &mut [Match]) -> (u32, u32) {
        let count = match self.kind {
            MatchFinder::Hc3 => self.find_with::<3, false>(matches),
            MatchFinder::Hc4 => self.find_with::<4, false>(matches),
            MatchFinder::Bt2 => self.find_with::<2, true>(matches),
            MatchFinder::Bt3 => self.find_with::<3, true>(matches),
            MatchFinder::Bt4 => self.find_with::<4, true>(matches),
        };
        let mut len_best = 0;
        if let Some(longest) = count.checked_sub(1).and_then(|i| matches.get(i)) {
            len_best = longest.len;
            if len_best == self.nice_len {
                let limit = (self.avail() + 1).min(self.match_len_max);
                let p1 = (self.read_pos as usize).wrapping_sub(1);
                let p2 = p1.wrapping_sub(longest.dist as usize + 1);
                len_best = hash::memcmplen(
                    hash::window(&self.buf, p1),
                    hash::window(&self.buf, p2),
                    len_best,
                    limit,
                );
            }
        }
        self.read_ahead = self.read_ahead.wrapping_add(1);
        (count as u32, len_best)
    }

    /// Runs `amount` bytes through the finder without returning matches (`mf_skip`).
    #[inline]
    pub fn skip(&mut self, amount: u32) {
        if amount != 0 {
            self.skip_raw(amount);
            self.read_ahead = self.read_ahead.wrapping_add(amount);
        }
    }

    /// Copies up to `*left` bytes that end at the read position to `out[*out_pos..]`
    /// (`mf_read`; LZMA2 uses it for uncompressed chunks). Needs `read_ahead == 0`.
    pub fn read(&self, out: &mut [u8], out_pos: &mut usize, left: &mut usize) {
        let room = out.len().saturating_sub(*out_pos);
        let n = room.min(*left);
        if n == 0 {
            return;
        }
        let start = (self.read_pos as usize).saturating_sub(*left);
        out[*out_pos..*out_pos + n].copy_from_slice(&self.buf[start..start + n]);
        *out_pos += n;
        *left -= n;
    }

    /// Appends input to the window (liblzma `fill_window` without a chained filter).
    /// Returns the bytes consumed from `input`.
    ///
    /// `action` other than `Run` with all of `input` consumed ends the input: the
    /// finder may then run up to the last byte, and [`Mf::action`] becomes `action`.
    pub fn fill_window(&mut self, input: &[u8], action: Action) -> usize {
        if self.read_pos >= self.size - self.keep_size_after {
            self.move_window();
        }

        let wp = self.write_pos as usize;
        let n = input.len().min(self.size as usize - wp);
        self.write_at(wp, &input[..n]);
        self.write_pos += n as u32;

        if action != Action::Run && n == input.len() {
            self.action = action;
            self.read_limit = self.write_pos;
        } else if self.write_pos > self.keep_size_after {
            // With little input there may be too little to encode anything yet.
            self.read_limit = self.write_pos - self.keep_size_after;
        }

        // Resume after a finished sync flush: hash the bytes skipped while flushing.
        if self.pending > 0 && self.read_pos < self.read_limit {
            let pending = self.pending;
            self.pending = 0;
            self.read_pos -= pending;
            self.skip_raw(pending);
        }
        n
    }

    /// Copies `data` to `buf[at..]` and zeroes the [`BUF_SLACK`] bytes after it
    /// (comparisons may read into them), growing the initialized part of the buffer as
    /// needed. `at` must be at most `buf.len()`; `at + data.len()` at most `size`.
    fn write_at(&mut self, at: usize, data: &[u8]) {
        if self.buf.len() < at {
            self.buf.resize(at, 0);
        }
        let len = self.buf.len();
        let end = at + data.len();
        if end <= len {
            self.buf[at..end].copy_from_slice(data);
        } else {
            let (old, new) = data.split_at(len - at);
            self.buf[at..len].copy_from_slice(old);
            self.buf.extend_from_slice(new);
        }
        let slack_end = end + BUF_SLACK;
        let zero_end = slack_end.min(self.buf.len());
        self.buf[end..zero_end].fill(0);
        self.buf.resize(slack_end.max(self.buf.len()), 0);
    }

    /// Drops history older than `keep_size_before` to make room at the end; the shift is
    /// a multiple of 16 so that `position() & 15` is unchanged (liblzma `move_window`).
    fn move_window(&mut self) {
        let move_offset = self.read_pos.saturating_sub(self.keep_size_before) & !15;
        let move_end = self.write_pos.max(move_offset) as usize;
        self.buf.copy_within(move_offset as usize..move_end, 0);
        self.offset = self.offset.wrapping_add(move_offset);
        self.read_pos -= move_offset;
        self.read_limit = self.read_limit.wrapping_sub(move_offset);
        self.write_pos = self.write_pos.saturating_sub(move_offset);
    }

    /// The finder's skip without touching `read_ahead`.
    #[inline]
    fn skip_raw(&mut self, amount: u32) {
        match self.kind {
            MatchFinder::Hc3 => self.hc_skip::<3>(amount),
            MatchFinder::Hc4 => self.hc_skip::<4>(amount),
            MatchFinder::Bt2 => self.skip_with::<2, true>(amount),
            MatchFinder::Bt3 => self.skip_with::<3, true>(amount),
            MatchFinder::Bt4 => self.skip_with::<4, true>(amount),
        }
    }

    /// Marks the current byte as processed by the finder (liblzma `move_pos`).
    #[inline(always)]
    fn move_pos(&mut self) {
        self.cyclic_pos += 1;
        if self.cyclic_pos == self.cyclic_size {
            self.cyclic_pos = 0;
        }
        self.read_pos += 1;
        if self.read_pos.wrapping_add(self.offset) == u32::MAX {
            self.normalize();
        }
    }

    /// Counts the current byte as skipped while flushing; it is hashed when input resumes
    /// (liblzma `move_pending`).
    #[inline(always)]
    fn move_pending(&mut self) {
        self.read_pos += 1;
        self.pending += 1;
    }

    /// Rebases every stored position before `offset + read_pos` overflows; entries too
    /// far back to be used become empty (liblzma `normalize`).
    #[cold]
    #[inline(never)]
    fn normalize(&mut self) {
        let sub = u32::MAX - self.cyclic_size;
        let rebase = |v: &mut u32| *v = v.saturating_sub(sub);
        self.hash.iter_mut().for_each(rebase);
        self.son.iter_mut().for_each(rebase);
        self.offset = self.offset.wrapping_sub(sub);
    }

    /// Test hook: starts positions at `offset` instead of `cyclic_size` (must be at least
    /// `cyclic_size`), so that normalization happens soon.
    #[cfg(test)]
    fn set_offset_for_test(&mut self, offset: u32) {
        assert!(offset >= self.cyclic_size && self.read_pos == 0);
        self.offset = offset;
    }
}

/// The LZ-based encoder the driver calls (liblzma's `lzma_lz_encoder`): LZMA1 or LZMA2.
pub trait LzEncode {
    /// Encodes from the window into `out[*out_pos..]` (liblzma `lz->code`).
    ///
    /// Return `Ok(Status::Ok)` to be called again (more input or output room needed) and
    /// `Ok(Status::StreamEnd)` when a flush or the stream is complete.
    fn encode(&mut self, mf: &mut Mf, out: &mut [u8], out_pos: &mut usize) -> Result<Status>;

    /// Memory the encoder itself uses, added to the LZ layer's in
    /// [`Coder::memusage`] of [`LzEncoder`].
    fn memusage(&self) -> u64 {
        0
    }
}

/// Where the driver stands (liblzma's `lzma_internal.sequence`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sequence {
    Run,
    /// A flush or finish is in progress with this action.
    Ending(Action),
    End,
    Error,
}

/// The LZ encoder driver: fills the window and runs the LZ-based encoder
/// (liblzma `lz_encode`, `fill_window`).
#[derive(Debug)]
pub struct LzEncoder<E: LzEncode> {
    mf: Mf,
    inner: E,
    seq: Sequence,
}

impl<E: LzEncode> LzEncoder<E> {
    /// A driver with a fresh window and finder for `cfg`, encoding with `inner`.
    pub fn new(cfg: &MfConfig, inner: E) -> Result<Self> {
        Ok(LzEncoder {
            mf: Mf::new(cfg)?,
            inner,
            seq: Sequence::Run,
        })
    }

    /// Like [`LzEncoder::new`], with a preset dictionary loaded into the window.
    pub fn with_preset_dict(cfg: &MfConfig, dict: &[u8], inner: E) -> Result<Self> {
        Ok(LzEncoder {
            mf: Mf::with_preset_dict(cfg, dict)?,
            inner,
            seq: Sequence::Run,
        })
    }

    /// The LZ-based encoder.
    pub fn inner(&self) -> &E {
        &self.inner
    }

    /// The LZ-based encoder, mutably (e.g. to update its options between chunks).
    pub fn inner_mut(&mut self) -> &mut E {
        &mut self.inner
    }

    /// The window and match finder.
    pub fn mf(&self) -> &Mf {
        &self.mf
    }

    /// Starts a new, independent stream with the same window and finder, keeping their
    /// allocations (see [`Mf::reset`]); `dict` is the preset dictionary (empty for none).
    /// The LZ-based encoder is reset by the caller, through [`LzEncoder::inner_mut`].
    pub fn reset(&mut self, dict: &[u8]) {
        self.mf.reset(dict);
        self.seq = Sequence::Run;
    }

    /// liblzma's `lz_encode`.
    fn lz_encode(
        &mut self,
        input: &[u8],
        in_pos: &mut usize,
        out: &mut [u8],
        out_pos: &mut usize,
        action: Action,
    ) -> Result<Status> {
        while *out_pos < out.len() && (*in_pos < input.len() || action != Action::Run) {
            if self.mf.action == Action::Run && self.mf.read_pos >= self.mf.read_limit {
                *in_pos += self.mf.fill_window(&input[*in_pos..], action);
            }
            let ret = self.inner.encode(&mut self.mf, out, out_pos);
            if !matches!(ret, Ok(Status::Ok)) {
                // Ready for more input after a flush; irrelevant after the end or an error.
                self.mf.action = Action::Run;
                return ret;
            }
        }
        Ok(Status::Ok)
    }
}

impl<E: LzEncode> Coder for LzEncoder<E> {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        // The LZ layer knows sync flush and finish; a full flush is a sync flush here.
        let action = if action == Action::FullFlush {
            Action::SyncFlush
        } else {
            action
        };
        match self.seq {
            Sequence::End => {
                return Ok(Progress {
                    consumed: 0,
                    produced: 0,
                    status: Status::StreamEnd,
                })
            }
            Sequence::Error => return Err(Error::Misuse("encoder used after an error")),
            Sequence::Ending(a) if a != action => {
                self.seq = Sequence::Error;
                return Err(Error::Misuse(
                    "the action changed before the flush or finish ended",
                ));
            }
            Sequence::Run if action != Action::Run => self.seq = Sequence::Ending(action),
            _ => {}
        }
        let mut consumed = 0;
        let mut produced = 0;
        match self.lz_encode(input, &mut consumed, output, &mut produced, action) {
            Ok(Status::Ok) => Ok(Progress {
                consumed,
                produced,
                status: Status::Ok,
            }),
            Ok(Status::StreamEnd) => {
                self.seq = if action == Action::Finish {
                    Sequence::End
                } else {
                    Sequence::Run
                };
                Ok(Progress {
                    consumed,
                    produced,
                    status: Status::StreamEnd,
                })
            }
            Err(e) => {
                self.seq = Sequence::Error;
                Err(e)
            }
        }
    }

    fn memusage(&self) -> u64 {
        self.mf
            .layout
            .memusage()
            .saturating_add(self.inner.memusage())
    }
}
