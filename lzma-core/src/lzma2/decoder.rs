//! LZMA2 decoder: a sequence of chunks, each LZMA-compressed or stored, with dictionary,
//! state and property resets, ended by a 0x00 control byte.
//!
//! Chunk header (control byte first):
//! - `0x00`: end of the LZMA2 data;
//! - `0x01`: stored chunk after a dictionary reset; `0x02`: stored chunk, no reset; then a
//!   big-endian `u16` of size − 1 and the bytes;
//! - `0x80..=0xFF`: LZMA chunk. Bits 5-6 say what is reset: `0x80` nothing, `0xA0` the
//!   state, `0xC0` the state with new properties (one byte follows the sizes), `0xE0` the
//!   dictionary too. The low 5 bits and a big-endian `u16` give uncompressed size − 1 (up to
//!   2 MiB), another `u16` the compressed size − 1 (up to 64 KiB);
//! - `0x03..=0x7F`: invalid.
//!
//! The first chunk must reset the dictionary (`0x01` or `0xE0..`), and the first LZMA chunk
//! after a dictionary reset must carry properties. An LZMA chunk must use exactly its
//! compressed size and end with the range decoder's `code == 0`. These rules and the
//! verdicts follow liblzma's `lzma2_decoder.c`.
//!
//! ```
//! use lzma_core::lzma2::{decoder::Lzma2Decoder, encoder::Lzma2Encoder};
//! use lzma_core::{oneshot::run, LzmaOptions};
//! let opts = LzmaOptions::preset(0, false)?;
//! let chunks = run(&mut Lzma2Encoder::new(&opts)?, &[b'z'; 5000])?;
//! assert_eq!(chunks[0], 0xE0); // LZMA chunk resetting dictionary, state and properties
//! assert_eq!(run(&mut Lzma2Decoder::new(opts.dict_size)?, &chunks)?, [b'z'; 5000]);
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::lz::decoder::{Dict, LzDecode};
use crate::lzma::decoder::{run_coder, LzmaDecoder, LzmaEngine, RunState};
use crate::lzma::LzmaProps;
use crate::stream::{Action, Coder, Progress};
use crate::{Error, Result};

/// Memory the LZMA2 chunk parser adds to the LZMA1 decoder's figure (liblzma 5.8's
/// `lzma_lzma2_coder` on x86_64).
const LZMA2_OVERHEAD: u64 = 184;

/// The dictionary size coded in the LZMA2 properties byte of a `.xz` filter: bits 0-5 only,
/// `2^(n/2 + 12)` or `3 * 2^(n/2 + 11)` for `n < 40`, and `u32::MAX` for 40. Larger values
/// (reserved bits set, or above 40) are [`Error::Unsupported`], as liblzma answers
/// `LZMA_OPTIONS_ERROR`.
///
/// ```
/// use lzma_core::lzma2::decoder::dict_size_from_props;
/// assert_eq!(dict_size_from_props(0).unwrap(), 4096);
/// assert_eq!(dict_size_from_props(22).unwrap(), 8 << 20); // xz -6
/// assert_eq!(dict_size_from_props(40).unwrap(), u32::MAX);
/// assert!(dict_size_from_props(41).is_err());
/// ```
pub fn dict_size_from_props(byte: u8) -> Result<u32> {
    if byte & 0xC0 != 0 {
        return Err(Error::Unsupported(
            "LZMA2 properties byte has reserved bits set",
        ));
    }
    match byte {
        40 => Ok(u32::MAX),
        0..=39 => Ok((2 | u32::from(byte & 1)) << (byte / 2 + 11)),
        _ => Err(Error::Unsupported(
            "LZMA2 dictionary size is too large (properties byte > 40)",
        )),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seq {
    Control,
    Uncompressed1,
    Uncompressed2,
    Compressed0,
    Compressed1,
    Properties,
    Lzma,
    Copy,
}

/// The chunk parser; the dictionary lives beside it in [`Lzma2Decoder`].
#[derive(Debug)]
struct Chunks {
    lzma: LzmaEngine,
    props: LzmaProps,
    seq: Seq,
    next_seq: Seq,
    uncompressed: usize,
    compressed: usize,
    need_properties: bool,
    need_dictionary_reset: bool,
    /// The last call stopped at a dictionary reset with no output room. liblzma's decoder
    /// returns there, and a caller limiting the output (liblzma's block decoder at the
    /// block's uncompressed size) judges the stop by the input left in that call. Until
    /// output room comes, this stop holds, so that the verdict is the same when the input
    /// arrives in pieces and the stop falls at the end of one.
    reset_stop: bool,
}

impl LzDecode for Chunks {
    fn decode(&mut self, dict: &mut Dict, input: &[u8], in_pos: &mut usize) -> Result<bool> {
        if self.reset_stop {
            if dict.pos == dict.limit {
                return Ok(false);
            }
            self.reset_stop = false;
        }
        while *in_pos < input.len() || self.seq == Seq::Lzma {
            match self.seq {
                Seq::Control => {
                    let control = input[*in_pos];
                    *in_pos += 1;
                    if control == 0x00 {
                        return Ok(true);
                    }
                    if control >= 0xE0 || control == 0x01 {
                        self.need_properties = true;
                        self.need_dictionary_reset = true;
                    } else if self.need_dictionary_reset {
                        return Err(Error::Corrupt(
                            "LZMA2: the first chunk does not reset the dictionary",
                        ));
                    }
                    if control >= 0x80 {
                        self.uncompressed = usize::from(control & 0x1F) << 16;
                        self.seq = Seq::Uncompressed1;
                        if control >= 0xC0 {
                            self.need_properties = false;
                            self.next_seq = Seq::Properties;
                        } else if self.need_properties {
                            return Err(Error::Corrupt(
                                "LZMA2: LZMA chunk without properties after a dictionary reset",
                            ));
                        } else {
                            self.next_seq = Seq::Lzma;
                            if control >= 0xA0 {
                                self.lzma.reset(self.props);
                            }
                        }
                    } else {
                        if control > 0x02 {
                            return Err(Error::Corrupt("LZMA2: invalid control byte"));
                        }
                        self.seq = Seq::Compressed0;
                        self.next_seq = Seq::Copy;
                    }
                    if self.need_dictionary_reset {
                        // Let the driver copy out what is decoded so far, then reset.
                        self.need_dictionary_reset = false;
                        dict.need_reset = true;
                        self.reset_stop = dict.pos == dict.limit;
                        return Ok(false);
                    }
                }
                Seq::Uncompressed1 => {
                    self.uncompressed += usize::from(input[*in_pos]) << 8;
                    *in_pos += 1;
                    self.seq = Seq::Uncompressed2;
                }
                Seq::Uncompressed2 => {
                    self.uncompressed += usize::from(input[*in_pos]) + 1;
                    *in_pos += 1;
                    self.seq = Seq::Compressed0;
                    self.lzma
                        .set_uncompressed(Some(self.uncompressed as u64), false);
                }
                Seq::Compressed0 => {
                    self.compressed = usize::from(input[*in_pos]) << 8;
                    *in_pos += 1;
                    self.seq = Seq::Compressed1;
                }
                Seq::Compressed1 => {
                    self.compressed += usize::from(input[*in_pos]) + 1;
                    *in_pos += 1;
                    self.seq = self.next_seq;
                }
                Seq::Properties => {
                    let props = LzmaProps::from_byte(input[*in_pos])
                        .ok()
                        .filter(|p| p.lc + p.lp <= 4)
                        .ok_or(Error::Corrupt(
                            "LZMA2: invalid LZMA properties byte (lc + lp > 4 or > 224)",
                        ))?;
                    *in_pos += 1;
                    self.props = props;
                    self.lzma.reset(props);
                    self.seq = Seq::Lzma;
                }
                Seq::Lzma => {
                    // Let the LZMA decoder see at most one byte past the chunk, so that a
                    // chunk that needs more than its size fails instead of waiting.
                    let start = *in_pos;
                    let end = start + (input.len() - start).min(self.compressed + 1);
                    let ret = self.lzma.decode(dict, &input[..end], in_pos);
                    let used = *in_pos - start;
                    if used > self.compressed {
                        return Err(Error::Corrupt(
                            "LZMA2: LZMA chunk is longer than its compressed size",
                        ));
                    }
                    self.compressed -= used;
                    if !ret? {
                        return Ok(false);
                    }
                    if self.compressed != 0 {
                        return Err(Error::Corrupt(
                            "LZMA2: LZMA chunk is shorter than its compressed size",
                        ));
                    }
                    self.seq = Seq::Control;
                }
                Seq::Copy => {
                    dict.write(input, in_pos, &mut self.compressed);
                    if self.compressed != 0 {
                        return Ok(false);
                    }
                    self.seq = Seq::Control;
                }
            }
        }
        Ok(false)
    }
}

/// Raw LZMA2 decoder (the LZMA2 filter of `.xz` blocks and `--format=raw --lzma2`).
///
/// ```
/// use lzma_core::lzma2::decoder::Lzma2Decoder;
/// use lzma_core::{Action, Coder, Status};
/// // One stored chunk after a dictionary reset holding "hi", then the end byte.
/// let input = [0x01, 0x00, 0x01, b'h', b'i', 0x00];
/// let mut dec = Lzma2Decoder::new(1 << 20).unwrap();
/// let mut out = [0u8; 8];
/// let p = dec.code(&input, &mut out, Action::Finish).unwrap();
/// assert_eq!((&out[..p.produced], p.status), (&b"hi"[..], Status::StreamEnd));
/// ```
#[derive(Debug)]
pub struct Lzma2Decoder {
    chunks: Chunks,
    dict: Dict,
    run: RunState,
    /// The dictionary size asked for (what [`Coder::memusage`] reports on).
    dict_size: u32,
}

impl Lzma2Decoder {
    /// A decoder with a dictionary of `dict_size` bytes. The caller checks
    /// [`Lzma2Decoder::memusage`] against its memory limit first; the buffer is allocated
    /// zeroed, so pages the data never reaches are never touched.
    ///
    /// ```
    /// use lzma_core::lzma2::{decoder::Lzma2Decoder, encoder::Lzma2Encoder};
    /// use lzma_core::{oneshot::run, Coder, LzmaOptions};
    /// let opts = LzmaOptions::preset(1, false)?;
    /// let chunks = run(&mut Lzma2Encoder::new(&opts)?, b"lzma2")?;
    /// let mut dec = Lzma2Decoder::new(opts.dict_size)?;
    /// assert!(dec.memusage() <= Lzma2Decoder::memusage(opts.dict_size));
    /// assert_eq!(run(&mut dec, &chunks)?, b"lzma2");
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn new(dict_size: u32) -> Result<Self> {
        let props = LzmaProps {
            lc: 0,
            lp: 0,
            pb: 0,
        };
        Ok(Lzma2Decoder {
            chunks: Chunks {
                lzma: LzmaEngine::new(props),
                props,
                seq: Seq::Control,
                next_seq: Seq::Control,
                uncompressed: 0,
                compressed: 0,
                need_properties: true,
                need_dictionary_reset: true,
                reset_stop: false,
            },
            dict: Dict::new(u64::from(dict_size))?,
            run: RunState::Running,
            dict_size,
        })
    }

    /// Memory a decoder with this dictionary needs, exactly liblzma 5.8's figure
    /// (`lzma_lzma2_decoder_memusage`); `xz --robot -lvv` prints it plus the 32 KiB base.
    ///
    /// ```
    /// use lzma_core::lzma2::decoder::Lzma2Decoder;
    /// // xz 5.8.1 -lvv of a .xz file with an 8 MiB dictionary: 8454808 = 32768 + this.
    /// assert_eq!(Lzma2Decoder::memusage(8 << 20), 8_454_808 - 32_768);
    /// ```
    pub fn memusage(dict_size: u32) -> u64 {
        LzmaDecoder::memusage(dict_size) + LZMA2_OVERHEAD
    }
}

impl Coder for Lzma2Decoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        run_coder(
            &mut self.run,
            &mut self.chunks,
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
    use crate::stream::Status;

    fn decode_all(input: &[u8], dict: u32) -> Result<Vec<u8>> {
        let mut d = Lzma2Decoder::new(dict)?;
        let mut out = vec![0u8; 1 << 16];
        let (mut ip, mut op) = (0, 0);
        loop {
            let p = d.code(&input[ip..], &mut out[op..], Action::Finish)?;
            ip += p.consumed;
            op += p.produced;
            if p.status == Status::StreamEnd {
                out.truncate(op);
                return Ok(out);
            }
        }
    }

    #[test]
    fn props_byte() {
        assert_eq!(dict_size_from_props(1).unwrap(), 6144);
        assert_eq!(dict_size_from_props(39).unwrap(), 3 << 30);
        assert!(matches!(
            dict_size_from_props(0x40),
            Err(Error::Unsupported(_))
        ));
        assert!(matches!(
            dict_size_from_props(41),
            Err(Error::Unsupported(_))
        ));
    }

    #[test]
    fn empty_stream() {
        assert_eq!(decode_all(&[0x00], 4096).unwrap(), b"");
    }

    #[test]
    fn stored_chunks() {
        let input = [
            0x01, 0x00, 0x02, b'a', b'b', b'c', 0x02, 0x00, 0x00, b'd', 0x00,
        ];
        assert_eq!(decode_all(&input, 4096).unwrap(), b"abcd");
    }

    #[test]
    fn missing_dictionary_reset() {
        assert!(matches!(
            decode_all(&[0x02, 0x00, 0x00, b'x', 0x00], 4096),
            Err(Error::Corrupt(_))
        ));
        assert!(matches!(
            decode_all(&[0x80, 0, 0, 0, 4], 4096),
            Err(Error::Corrupt(_))
        ));
    }

    #[test]
    fn invalid_control_and_missing_props() {
        assert!(matches!(
            decode_all(&[0x01, 0, 0, b'x', 0x03], 4096),
            Err(Error::Corrupt(_))
        ));
        // Dictionary reset by a stored chunk, then an LZMA chunk without properties.
        assert!(matches!(
            decode_all(&[0x01, 0, 0, b'x', 0xA0, 0, 0, 0, 4], 4096),
            Err(Error::Corrupt(_))
        ));
    }

    #[test]
    fn truncated() {
        let mut d = Lzma2Decoder::new(4096).unwrap();
        assert_eq!(
            d.code(&[0x01, 0x00, 0x02, b'a'], &mut [0u8; 16], Action::Finish),
            Ok(Progress {
                consumed: 4,
                produced: 1,
                status: Status::Ok
            })
        );
        assert_eq!(
            d.code(&[], &mut [0u8; 16], Action::Finish),
            Err(Error::Truncated)
        );
    }

    /// With no output room (a block at its uncompressed size), chunk headers and the end
    /// byte are still read; a dictionary reset stops the call and the next ones until
    /// room comes, wherever the input pieces end.
    #[test]
    fn no_output_room() {
        let mut d = Lzma2Decoder::new(4096).unwrap();
        let p = d.code(&[0x01, 0x00, 0x00, b'x'], &mut [0u8; 1], Action::Run).unwrap();
        assert_eq!((p.consumed, p.produced, p.status), (4, 1, Status::Ok));
        let p = d.code(&[0x00], &mut [], Action::Run).unwrap();
        assert_eq!((p.consumed, p.status), (1, Status::StreamEnd));

        for split in [1, 2, 6] {
            let input = [0x01, 0x00, 0x00, b'x', 0x01, 0x00, 0x00, b'y', 0x00];
            let mut d = Lzma2Decoder::new(4096).unwrap();
            let p = d.code(&input[..1], &mut [], Action::Run).unwrap();
            assert_eq!(p.consumed, 1, "the first reset");
            let p = d.code(&input[1..split.max(2)], &mut [], Action::Run).unwrap();
            assert_eq!(p.consumed, 0, "stopped at the reset");
            let mut out = [0u8; 8];
            let p = d.code(&input[1..], &mut out, Action::Finish).unwrap();
            assert_eq!((&out[..p.produced], p.status), (&b"xy"[..], Status::StreamEnd));
        }
        // A stored chunk's header is read with no room; its data waits.
        let mut d = Lzma2Decoder::new(4096).unwrap();
        d.code(&[0x01, 0x00, 0x00, b'x'], &mut [0u8; 1], Action::Run).unwrap();
        let p = d.code(&[0x02, 0x00, 0x01, b'y'], &mut [], Action::Run).unwrap();
        assert_eq!(p.consumed, 3);
    }

    #[test]
    fn output_is_chunking_invariant_for_stored_data() {
        let input = [0x01, 0x00, 0x04, 1, 2, 3, 4, 5, 0x00];
        let mut d = Lzma2Decoder::new(4096).unwrap();
        let mut out = Vec::new();
        let mut ip = 0;
        loop {
            let mut o = [0u8; 1];
            let p = d
                .code(&input[ip..(ip + 1).min(input.len())], &mut o, Action::Run)
                .unwrap();
            ip += p.consumed;
            out.extend_from_slice(&o[..p.produced]);
            if p.status == Status::StreamEnd {
                break;
            }
        }
        assert_eq!((out, ip), (vec![1, 2, 3, 4, 5], input.len()));
    }
}
