//! The LZMA2 encoder: LZMA in chunks of at most 2 MiB of input and 64 KiB of output, with
//! chunks that did not shrink stored uncompressed, exactly as liblzma frames them.
//!
//! Chunk layout (first byte, then big-endian sizes minus one):
//! - `0x00`: end of stream;
//! - `0x01` / `0x02`: uncompressed chunk with / without dictionary reset, then a 16-bit size;
//! - `0x80 | reset << 5 | (usize - 1) >> 16`: LZMA chunk, then 16 bits of the uncompressed
//!   size, a 16-bit compressed size and, when `reset >= 2`, the properties byte. `reset` is 0
//!   (nothing), 1 (state), 2 (state and properties) or 3 (also the dictionary).
//!
//! ```
//! use lzma_core::{lzma2::encoder::Lzma2Encoder, oneshot::run, LzmaOptions};
//! // Random-looking bytes do not shrink: they go out as an uncompressed chunk (0x01).
//! let noise: Vec<u8> = (0u32..64).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
//! let out = run(&mut Lzma2Encoder::new(&LzmaOptions::preset(0, false)?)?, &noise)?;
//! assert_eq!((out[0], *out.last().unwrap()), (0x01, 0x00));
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::lz::encoder::{LzEncode, LzEncoder, Mf};
use crate::lzma::encoder::glue::{lz_encoder, mf_config};
use crate::lzma::encoder::mf_api::MfView;
use crate::lzma::encoder::{core_memusage, CoreStatus, LzmaCore, MATCH_LEN_MAX, OPTS};
use crate::{Action, Error, LzmaOptions, Result, Status};

/// Largest uncompressed size of one chunk.
const UNCOMPRESSED_MAX: u32 = 1 << 21;
/// Largest compressed payload of one chunk.
pub(crate) const CHUNK_MAX: u32 = 1 << 16;
/// Header bytes of an LZMA chunk with properties.
const HEADER_MAX: usize = 6;
/// Header bytes of an uncompressed chunk.
const HEADER_UNCOMPRESSED: usize = 3;

/// The LZMA2 properties byte of the `.xz` filter flags for a dictionary size: the size is
/// rounded up to the next `2^n` or `3 * 2^n`, and the byte encodes which (40 means 4 GiB - 1).
///
/// ```
/// use lzma_core::lzma2::encoder::props_byte;
/// assert_eq!(props_byte(8 << 20), 22); // -6
/// assert_eq!(props_byte(64 << 20), 28); // -9
/// assert_eq!(props_byte(3 << 20), 19);
/// assert_eq!(props_byte(1), 0); // below 4 KiB counts as 4 KiB
/// assert_eq!(props_byte(u32::MAX), 40);
/// ```
pub fn props_byte(dict_size: u32) -> u8 {
    let mut d = dict_size.max(crate::lzma::DICT_SIZE_MIN) - 1;
    // Keep the top two bits, set every bit below them.
    d |= d >> 2;
    d |= d >> 3;
    d |= d >> 4;
    d |= d >> 8;
    d |= d >> 16;
    if d == u32::MAX {
        40
    } else {
        (crate::lzma::encoder::dist_slot(d + 1) - 24) as u8
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seq {
    Init,
    LzmaEncode,
    LzmaCopy,
    UncompressedHeader,
    UncompressedCopy,
}

/// The LZMA2 chunker on top of the LZMA core (liblzma's `lzma_lzma2_coder`).
pub(crate) struct Lzma2Chunker {
    core: Box<LzmaCore>,
    opts: LzmaOptions,
    seq: Seq,
    need_properties: bool,
    need_state_reset: bool,
    need_dictionary_reset: bool,
    uncompressed_size: u32,
    compressed_size: usize,
    header: [u8; HEADER_MAX],
    header_start: usize,
    /// Bytes of the current chunk (header, then payload) already copied out.
    copied: usize,
}

impl Lzma2Chunker {
    pub(crate) fn new(opts: &LzmaOptions) -> Result<Self> {
        crate::lzma::encoder::validate(opts)?;
        let core = LzmaCore::new(opts, false)?;
        Ok(Lzma2Chunker {
            core,
            opts: opts.clone(),
            seq: Seq::Init,
            need_properties: true,
            need_state_reset: false,
            need_dictionary_reset: opts.preset_dict.as_ref().map_or(true, |d| d.is_empty()),
            uncompressed_size: 0,
            compressed_size: 0,
            header: [0; HEADER_MAX],
            header_start: 0,
            copied: 0,
        })
    }

    /// Makes the chunker as [`Lzma2Chunker::new`] left it, keeping the allocations.
    fn restart(&mut self) {
        self.core.restart(&self.opts);
        self.seq = Seq::Init;
        self.need_properties = true;
        self.need_state_reset = false;
        self.need_dictionary_reset = self.opts.preset_dict.as_ref().map_or(true, |d| d.is_empty());
        self.uncompressed_size = 0;
        self.compressed_size = 0;
        self.header_start = 0;
        self.copied = 0;
    }

    /// Bytes the LZ window must keep before the read position: LZMA2 needs a whole
    /// uncompressed chunk (64 KiB) of history to store a chunk uncompressed.
    pub(crate) fn before_size(dict_size: u32) -> u32 {
        if u64::from(OPTS) + u64::from(dict_size) < u64::from(CHUNK_MAX) {
            CHUNK_MAX - dict_size
        } else {
            OPTS
        }
    }

    /// Memory of the coder state: the LZMA core plus liblzma's `sizeof(lzma_lzma2_coder)` on
    /// 64-bit targets (mostly the chunk buffer), so that figures agree with XZ Utils.
    fn own_memusage() -> u64 {
        core_memusage() + 65_704
    }

    fn write_lzma_header(&mut self) {
        let u = self.uncompressed_size - 1;
        let c = self.compressed_size - 1;
        let (start, control) = if self.need_properties {
            (
                0,
                if self.need_dictionary_reset {
                    0x80 | (3 << 5)
                } else {
                    0x80 | (2 << 5)
                },
            )
        } else {
            (
                1,
                if self.need_state_reset {
                    0x80 | (1 << 5)
                } else {
                    0x80
                },
            )
        };
        let mut pos = start;
        self.header[pos] = control + (u >> 16) as u8;
        self.header[pos + 1] = (u >> 8) as u8;
        self.header[pos + 2] = u as u8;
        self.header[pos + 3] = (c >> 8) as u8;
        self.header[pos + 4] = c as u8;
        pos += 5;
        if self.need_properties {
            self.header[pos] = self.opts.props().to_byte();
        }
        self.header_start = start;
        self.need_properties = false;
        self.need_state_reset = false;
        self.need_dictionary_reset = false;
    }

    fn write_uncompressed_header(&mut self) {
        self.header[0] = if self.need_dictionary_reset { 1 } else { 2 };
        self.need_dictionary_reset = false;
        let u = self.uncompressed_size - 1;
        self.header[1] = (u >> 8) as u8;
        self.header[2] = u as u8;
        self.header_start = 0;
    }

    /// One step of the LZ driver: encodes what the window holds into `out[*out_pos..]`.
    /// Returns `StreamEnd` when the window is empty and the action is a flush or `Finish`
    /// (after writing the end marker for `Finish`).
    pub(crate) fn encode_chunks<M: MfView>(
        &mut self,
        mf: &mut M,
        out: &mut [u8],
        out_pos: &mut usize,
    ) -> Result<Status> {
        while *out_pos < out.len() {
            match self.seq {
                Seq::Init => {
                    if mf.unencoded() == 0 {
                        let action = mf.action();
                        if action == Action::Finish {
                            out[*out_pos] = 0;
                            *out_pos += 1;
                        }
                        return Ok(if action == Action::Run {
                            Status::Ok
                        } else {
                            Status::StreamEnd
                        });
                    }
                    if self.need_state_reset {
                        self.core.reset(&self.opts);
                    }
                    self.uncompressed_size = 0;
                    self.compressed_size = 0;
                    self.copied = 0;
                    self.core.rc.clear_out();
                    self.seq = Seq::LzmaEncode;
                }
                Seq::LzmaEncode => {
                    let left = UNCOMPRESSED_MAX - self.uncompressed_size;
                    let read_start = mf.position();
                    let limit = if left < MATCH_LEN_MAX {
                        0
                    } else {
                        read_start + left - MATCH_LEN_MAX
                    };
                    let status = self.core.encode(mf, Some(limit), 0);
                    self.uncompressed_size += mf.position() - read_start;
                    if status != CoreStatus::Flushed {
                        return Ok(Status::Ok);
                    }
                    self.compressed_size = self.core.rc.out_len();
                    if self.compressed_size >= self.uncompressed_size as usize {
                        self.uncompressed_size += mf.read_ahead();
                        mf.set_read_ahead(0);
                        self.write_uncompressed_header();
                        self.need_state_reset = true;
                        self.seq = Seq::UncompressedHeader;
                        continue;
                    }
                    self.write_lzma_header();
                    self.seq = Seq::LzmaCopy;
                }
                Seq::LzmaCopy => {
                    let header = &self.header[self.header_start..];
                    let payload = self.core.rc.out();
                    let total = header.len() + payload.len();
                    while self.copied < total && *out_pos < out.len() {
                        let (src, from) = if self.copied < header.len() {
                            (header, self.copied)
                        } else {
                            (payload, self.copied - header.len())
                        };
                        let n = (src.len() - from).min(out.len() - *out_pos);
                        out[*out_pos..*out_pos + n].copy_from_slice(&src[from..from + n]);
                        *out_pos += n;
                        self.copied += n;
                    }
                    if self.copied < total {
                        return Ok(Status::Ok);
                    }
                    self.seq = Seq::Init;
                }
                Seq::UncompressedHeader => {
                    let header = &self.header[..HEADER_UNCOMPRESSED];
                    let n = (header.len() - self.copied).min(out.len() - *out_pos);
                    out[*out_pos..*out_pos + n]
                        .copy_from_slice(&header[self.copied..self.copied + n]);
                    *out_pos += n;
                    self.copied += n;
                    if self.copied < header.len() {
                        return Ok(Status::Ok);
                    }
                    self.seq = Seq::UncompressedCopy;
                }
                Seq::UncompressedCopy => {
                    // The chunk's bytes end at the read position (the read-ahead is zero).
                    let left = self.uncompressed_size as usize;
                    let end = mf.read_pos() as usize;
                    let start = end
                        .checked_sub(left)
                        .ok_or(Error::Misuse("LZMA2 window lost data"))?;
                    let n = left.min(out.len() - *out_pos);
                    out[*out_pos..*out_pos + n].copy_from_slice(&mf.buf()[start..start + n]);
                    *out_pos += n;
                    self.uncompressed_size -= n as u32;
                    if self.uncompressed_size != 0 {
                        return Ok(Status::Ok);
                    }
                    self.seq = Seq::Init;
                }
            }
        }
        Ok(Status::Ok)
    }
}

impl LzEncode for Lzma2Chunker {
    fn encode(&mut self, mf: &mut Mf, out: &mut [u8], out_pos: &mut usize) -> Result<Status> {
        self.encode_chunks(mf, out, out_pos)
    }
    fn memusage(&self) -> u64 {
        Self::own_memusage()
    }
}

/// The raw LZMA2 encoder, as XZ Utils writes `--format=raw --lzma2` and the payload of an
/// `.xz` block.
///
/// ```
/// use lzma_core::lzma2::encoder::Lzma2Encoder;
/// use lzma_core::{Action, Coder, LzmaOptions, Status};
/// let mut enc = Lzma2Encoder::new(&LzmaOptions::preset(1, false)?)?;
/// let mut out = vec![0u8; 1024];
/// let p = enc.code(b"hello hello hello", &mut out, Action::Finish)?;
/// assert_eq!(p.status, Status::StreamEnd);
/// assert_eq!(out[p.produced - 1], 0); // the end marker
/// # Ok::<(), lzma_core::Error>(())
/// ```
pub struct Lzma2Encoder {
    lz: LzEncoder<Lzma2Chunker>,
}

impl Lzma2Encoder {
    /// Creates an encoder for `opts`; bad options give [`Error::Options`].
    ///
    /// ```
    /// use lzma_core::lzma2::{decoder::Lzma2Decoder, encoder::Lzma2Encoder};
    /// use lzma_core::{oneshot::run, LzmaOptions};
    /// let opts = LzmaOptions::preset(0, false)?;
    /// let raw = run(&mut Lzma2Encoder::new(&opts)?, b"lzma2 lzma2")?;
    /// assert_eq!(run(&mut Lzma2Decoder::new(opts.dict_size)?, &raw)?, b"lzma2 lzma2");
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn new(opts: &LzmaOptions) -> Result<Self> {
        let chunker = Lzma2Chunker::new(opts)?;
        let cfg = mf_config(opts, Lzma2Chunker::before_size(opts.dict_size));
        Ok(Lzma2Encoder {
            lz: lz_encoder(&cfg, opts, chunker)?,
        })
    }

    /// Makes the encoder as [`Lzma2Encoder::new`] left it, for a new, independent stream
    /// with the same options, keeping its memory (liblzma reuses a block encoder's
    /// allocations the same way). Encoding many blocks with one encoder this way avoids
    /// reallocating (and, through `calloc` of recycled memory, touching) the window and
    /// the match finder's tables for each. The output is the same as a new encoder's.
    ///
    /// ```
    /// use lzma_core::lzma2::encoder::Lzma2Encoder;
    /// use lzma_core::{Action, Coder, LzmaOptions};
    /// let opts = LzmaOptions::preset(1, false)?;
    /// let mut enc = Lzma2Encoder::new(&opts)?;
    /// let mut first = vec![0u8; 1024];
    /// let n = enc.code(b"hello hello hello", &mut first, Action::Finish)?.produced;
    /// enc.code(b"something else", &mut vec![0u8; 1024], Action::Run)?;
    /// enc.reset();
    /// let mut again = vec![0u8; 1024];
    /// let m = enc.code(b"hello hello hello", &mut again, Action::Finish)?.produced;
    /// assert_eq!(first[..n], again[..m]);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn reset(&mut self) {
        let chunker = self.lz.inner_mut();
        chunker.restart();
        let dict = chunker.opts.preset_dict.clone().unwrap_or_default();
        self.lz.reset(&dict);
    }

    /// Memory the encoder needs for `opts`, as liblzma's `lzma_raw_encoder_memusage` for
    /// LZMA2 (`u64::MAX` for invalid options).
    ///
    /// ```
    /// use lzma_core::{lzma2::encoder::Lzma2Encoder, LzmaOptions};
    /// let fast = Lzma2Encoder::memusage(&LzmaOptions::preset(0, false)?);
    /// let best = Lzma2Encoder::memusage(&LzmaOptions::preset(9, false)?);
    /// assert!(fast < best);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn memusage(opts: &LzmaOptions) -> u64 {
        if crate::lzma::encoder::validate(opts).is_err() {
            return u64::MAX;
        }
        let lz = Mf::memusage(&mf_config(opts, Lzma2Chunker::before_size(opts.dict_size)));
        lz.saturating_add(Lzma2Chunker::own_memusage())
    }
}

impl crate::Coder for Lzma2Encoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<crate::Progress> {
        self.lz.code(input, output, action)
    }
    fn memusage(&self) -> u64 {
        self.lz.memusage()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words drawn from a small vocabulary by a fixed LCG: compressible, with matches at
    /// every distance.
    fn words(seed: u64, len: usize) -> Vec<u8> {
        const VOCAB: [&str; 12] = [
            "alpha ", "beta ", "gamma ", "delta\n", "epsilon ", "zeta ", "eta, ", "theta ",
            "iota ", "kappa; ", "lambda ", "mu ",
        ];
        let mut x = seed;
        let mut out = Vec::with_capacity(len + 16);
        while out.len() < len {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let w = VOCAB[(x >> 59) as usize % VOCAB.len()];
            out.extend_from_slice(w.as_bytes());
            if (x >> 40) & 7 == 0 {
                out.push((x >> 32) as u8);
            }
        }
        out.truncate(len);
        out
    }

    fn encode_all(enc: &mut Lzma2Encoder, data: &[u8], action: Action) -> Vec<u8> {
        use crate::Coder;
        let mut out = Vec::new();
        let mut buf = vec![0u8; 4096];
        let mut pos = 0;
        loop {
            let p = enc.code(&data[pos..], &mut buf, action).unwrap();
            pos += p.consumed;
            out.extend_from_slice(&buf[..p.produced]);
            if p.status == Status::StreamEnd || (action == Action::Run && pos == data.len()) {
                return out;
            }
        }
    }

    #[test]
    fn reset_encoder_gives_a_fresh_encoders_output() {
        let first = words(1, 300_000);
        let second = words(2, 200_000);
        for (level, extreme) in [(0, false), (1, false), (6, false), (3, true)] {
            let mut opts = LzmaOptions::preset(level, extreme).unwrap();
            opts.dict_size = 64 << 10; // small: the window moves and wraps
            for dict in [None, Some(words(3, 5000))] {
                opts.preset_dict = dict.clone();
                let want = encode_all(&mut Lzma2Encoder::new(&opts).unwrap(), &second, Action::Finish);
                let mut enc = Lzma2Encoder::new(&opts).unwrap();
                // After a finished stream.
                encode_all(&mut enc, &first, Action::Finish);
                enc.reset();
                assert_eq!(encode_all(&mut enc, &second, Action::Finish), want, "-{level}");
                // In the middle of one.
                encode_all(&mut enc, &first, Action::Run);
                enc.reset();
                assert_eq!(encode_all(&mut enc, &second, Action::Finish), want, "-{level}");
            }
        }
    }

    #[test]
    fn props_byte_rounds_up() {
        assert_eq!(props_byte(4096), 0);
        assert_eq!(props_byte(4097), 1);
        assert_eq!(props_byte(6144), 1);
        assert_eq!(props_byte(6145), 2);
        assert_eq!(props_byte(256 << 10), 12);
        assert_eq!(props_byte(1536 << 20), 37);
        assert_eq!(props_byte(3 << 30), 39);
    }
}
