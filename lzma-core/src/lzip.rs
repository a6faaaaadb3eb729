//! The lzip format (decoding only): members of "LZIP", a version byte (0 or 1), a coded
//! dictionary size, LZMA1 data (lc=3, lp=0, pb=2) with an end marker, and a trailer with the
//! CRC32 and uncompressed size (and, in version 1, the member size).
//!
//! ```
//! use lzma_core::{lzip::LzipDecoder, oneshot::run, DecoderOptions, Error};
//! // Decoding only: a header without its LZMA data is truncated.
//! let mut d = LzipDecoder::new(&DecoderOptions::default());
//! assert_eq!(run(&mut d, b"LZIP\x01\x0C"), Err(Error::Truncated));
//! ```

use crate::stream::{Action, Coder, Progress, Status};
use crate::xz::backend::{self, DynCoder, MEMUSAGE_BASE};
use crate::xz::decoder::code_deferring_errors;
use crate::lzma::LzmaProps;
use crate::{Check, DecoderOptions, Error, Result};

/// The lzip magic bytes.
pub const MAGIC: [u8; 4] = *b"LZIP";

/// A one-member lzip (version 1) file of `data`, for the documentation's examples: the
/// `.lzma` encoder's stream at preset 0 without its 13-byte header (lzip's LZMA data, with
/// its end marker), after the lzip header (256 KiB dictionary) and before the trailer
/// (CRC32, data size, member size). lzma-core has no lzip encoder; this is not one.
#[doc(hidden)]
pub fn example_member(data: &[u8]) -> Result<Vec<u8>> {
    let lzma = crate::oneshot::run(&mut crate::alone::AloneEncoder::with_preset(0, false)?, data)?;
    let mut lz = b"LZIP\x01\x12".to_vec();
    lz.extend_from_slice(&lzma[13..]);
    lz.extend_from_slice(&crate::check::crc32(data).to_le_bytes());
    lz.extend_from_slice(&(data.len() as u64).to_le_bytes());
    lz.extend_from_slice(&(lz.len() as u64 + 8).to_le_bytes());
    Ok(lz)
}

/// Decodes the lzip dictionary-size byte: 2^n minus n-4 sixteenths of it, 4 KiB..=512 MiB.
///
/// ```
/// use lzma_core::lzip::dict_size_from_byte;
/// assert_eq!(dict_size_from_byte(0x17).unwrap(), 8 << 20);
/// assert_eq!(dict_size_from_byte(0x0C).unwrap(), 4096);
/// assert!(dict_size_from_byte(0x1E).is_err());
/// ```
pub fn dict_size_from_byte(b: u8) -> Result<u32> {
    let log = u32::from(b & 0x1F);
    let frac = u32::from(b >> 5);
    if !(12..=29).contains(&log) || (log == 12 && frac > 0) {
        return Err(Error::Corrupt("invalid lzip dictionary size"));
    }
    Ok((1u32 << log) - (frac << (log - 4)))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Magic,
    Version,
    DictSize,
    Init,
    Data,
    Trailer,
    End,
}

/// Decoder of lzip files: one member, or all members with trailing data handled as
/// liblzma does (data after a member that does not start with "LZIP" ends decoding; the
/// bytes of a partial magic are consumed).
///
/// ```
/// use lzma_core::{lzip::LzipDecoder, Action, Coder, DecoderOptions, Error};
/// let mut d = LzipDecoder::new(&DecoderOptions::default());
/// let mut out = [0u8; 8];
/// assert!(matches!(d.code(b"LZIP\x02", &mut out, Action::Finish), Err(Error::Unsupported(_))));
/// ```
pub struct LzipDecoder {
    opts: DecoderOptions,
    state: State,
    pos: usize,
    version: u8,
    dict_size: u32,
    first_member: bool,
    member_size: u64,
    uncompressed: u64,
    crc: crc32fast::Hasher,
    trailer: [u8; 20],
    coder: Option<DynCoder>,
    memusage: u64,
    members: u64,
    poisoned: bool,
    deferred: Option<Error>,
}

impl std::fmt::Debug for LzipDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LzipDecoder").field("state", &self.state).finish_non_exhaustive()
    }
}

impl LzipDecoder {
    /// A decoder; `single_stream` decodes only the first member, `ignore_check` skips the
    /// CRC32 comparison (sizes are still checked).
    ///
    /// ```
    /// use lzma_core::{lzip::LzipDecoder, oneshot::run, DecoderOptions, Error};
    /// // A member header without data: the input ends too early.
    /// let mut d = LzipDecoder::new(&DecoderOptions::default());
    /// assert_eq!(run(&mut d, b"LZIP\x01\x0C"), Err(Error::Truncated));
    /// ```
    pub fn new(opts: &DecoderOptions) -> Self {
        LzipDecoder {
            opts: DecoderOptions { memlimit: opts.memlimit.max(1), ..opts.clone() },
            state: State::Magic,
            pos: 0,
            version: 0,
            dict_size: 0,
            first_member: true,
            member_size: 0,
            uncompressed: 0,
            crc: crc32fast::Hasher::new(),
            trailer: [0; 20],
            coder: None,
            memusage: MEMUSAGE_BASE,
            members: 0,
            poisoned: false,
            deferred: None,
        }
    }

    /// The check lzip uses (always CRC32).
    ///
    /// ```
    /// use lzma_core::{lzip::LzipDecoder, Check, DecoderOptions};
    /// assert_eq!(LzipDecoder::new(&DecoderOptions::default()).check(), Check::Crc32);
    /// ```
    pub fn check(&self) -> Check {
        Check::Crc32
    }

    /// The version of the current member (0 or 1) once read.
    ///
    /// ```
    /// use lzma_core::{lzip::LzipDecoder, oneshot::run, DecoderOptions};
    /// let mut d = LzipDecoder::new(&DecoderOptions::default());
    /// assert!(run(&mut d, b"LZIP\x00\x0C").is_err()); // a version 0 header, then nothing
    /// assert_eq!(d.version(), 0);
    /// ```
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Members fully decoded.
    ///
    /// ```
    /// use lzma_core::{lzip::LzipDecoder, oneshot::run, DecoderOptions};
    /// let mut d = LzipDecoder::new(&DecoderOptions::default());
    /// assert!(run(&mut d, b"LZIP\x01").is_err());
    /// assert_eq!((d.members_decoded(), d.version()), (0, 1));
    /// ```
    pub fn members_decoded(&self) -> u64 {
        self.members
    }

    /// Changes the memory limit (to retry after [`Error::MemLimit`]).
    ///
    /// ```
    /// use lzma_core::{lzip::LzipDecoder, oneshot::run, DecoderOptions, Error};
    /// let mut d = LzipDecoder::new(&DecoderOptions::new().memlimit(1000));
    /// // The 8 MiB dictionary of 0x17 is over the limit.
    /// assert!(matches!(run(&mut d, b"LZIP\x01\x17"), Err(Error::MemLimit { .. })));
    /// let mut d = LzipDecoder::new(&DecoderOptions::new().memlimit(1000));
    /// d.set_memlimit(u64::MAX);
    /// assert_eq!(run(&mut d, b"LZIP\x01\x17"), Err(Error::Truncated));
    /// ```
    pub fn set_memlimit(&mut self, limit: u64) {
        self.opts.memlimit = limit.max(1);
    }

    fn step(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        action: Action,
        ip: &mut usize,
        op: &mut usize,
    ) -> Result<Progress> {
        let progress = |ip: usize, op: usize, end: bool| {
            let status = if end { Status::StreamEnd } else { Status::Ok };
            Ok(Progress { consumed: ip, produced: op, status })
        };
        loop {
            match self.state {
                State::Magic => {
                    while self.pos < MAGIC.len() {
                        let Some(&b) = input.get(*ip) else {
                            if !self.first_member && action == Action::Finish {
                                self.state = State::End;
                                return progress(*ip, *op, true);
                            }
                            if action == Action::Finish {
                                return Err(Error::Truncated);
                            }
                            return progress(*ip, *op, false);
                        };
                        if b != MAGIC[self.pos] {
                            if self.first_member {
                                return Err(Error::Format("not an lzip file"));
                            }
                            self.state = State::End;
                            return progress(*ip, *op, true);
                        }
                        *ip += 1;
                        self.pos += 1;
                    }
                    self.pos = 0;
                    self.member_size = MAGIC.len() as u64;
                    self.uncompressed = 0;
                    self.crc = crc32fast::Hasher::new();
                    self.state = State::Version;
                }
                State::Version => {
                    let Some(&b) = input.get(*ip) else { break };
                    *ip += 1;
                    if b > 1 {
                        return Err(Error::Unsupported("unsupported lzip version"));
                    }
                    self.version = b;
                    self.member_size += 1;
                    self.state = State::DictSize;
                }
                State::DictSize => {
                    let Some(&b) = input.get(*ip) else { break };
                    *ip += 1;
                    self.member_size += 1;
                    self.dict_size = dict_size_from_byte(b)?;
                    self.memusage =
                        backend::lzma1_decoder_memusage(self.dict_size);
                    self.state = State::Init;
                }
                State::Init => {
                    if self.memusage > self.opts.memlimit {
                        if *ip > 0 || *op > 0 {
                            return progress(*ip, *op, false);
                        }
                        return Err(Error::MemLimit { needed: self.memusage, limit: self.opts.memlimit });
                    }
                    let props = LzmaProps { lc: 3, lp: 0, pb: 2 };
                    self.coder = Some(backend::lzma1_decoder(props, self.dict_size, None, true)?);
                    self.state = State::Data;
                }
                State::Data => {
                    let coder = self.coder.as_mut().ok_or(Error::Misuse("no coder"))?;
                    let p = coder.code(&input[*ip..], &mut output[*op..], action)?;
                    if !self.opts.ignore_check {
                        self.crc.update(&output[*op..*op + p.produced]);
                    }
                    *ip += p.consumed;
                    *op += p.produced;
                    self.member_size = self.member_size.saturating_add(p.consumed as u64);
                    self.uncompressed = self.uncompressed.saturating_add(p.produced as u64);
                    if p.status != Status::StreamEnd {
                        // The decoders' `Finish` rule: ask the LZMA decoder once more
                        // before calling the input truncated.
                        let again = crate::stream::ask_again_before_truncated(
                            action == Action::Finish,
                            *ip < input.len(),
                            *op < output.len(),
                            p.consumed > 0 || p.produced > 0,
                        );
                        if again {
                            continue;
                        }
                        break;
                    }
                    self.coder = None;
                    self.state = State::Trailer;
                }
                State::Trailer => {
                    let size = if self.version == 0 { 12 } else { 20 };
                    let n = (size - self.pos).min(input.len() - *ip);
                    self.trailer[self.pos..self.pos + n].copy_from_slice(&input[*ip..*ip + n]);
                    self.pos += n;
                    *ip += n;
                    if self.pos < size {
                        break;
                    }
                    self.pos = 0;
                    self.member_size += size as u64;
                    let t = &self.trailer;
                    let crc = std::mem::replace(&mut self.crc, crc32fast::Hasher::new()).finalize();
                    if !self.opts.ignore_check && crc.to_le_bytes() != t[..4] {
                        return Err(Error::CheckMismatch { check: Check::Crc32 });
                    }
                    let le64 = |b: &[u8]| {
                        let mut a = [0u8; 8];
                        a.copy_from_slice(b);
                        u64::from_le_bytes(a)
                    };
                    if le64(&t[4..12]) != self.uncompressed {
                        return Err(Error::Corrupt("lzip uncompressed size mismatch"));
                    }
                    if self.version > 0 && le64(&t[12..20]) != self.member_size {
                        return Err(Error::Corrupt("lzip member size mismatch"));
                    }
                    self.members += 1;
                    self.first_member = false;
                    if self.opts.single_stream {
                        self.state = State::End;
                        return progress(*ip, *op, true);
                    }
                    self.state = State::Magic;
                }
                State::End => return progress(*ip, *op, true),
            }
        }
        if action == Action::Finish && *ip == input.len() && *op < output.len() {
            return Err(Error::Truncated);
        }
        progress(*ip, *op, false)
    }
}

impl crate::xz::decoder::Stepper for LzipDecoder {
    fn step(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        action: Action,
        ip: &mut usize,
        op: &mut usize,
    ) -> Result<Progress> {
        LzipDecoder::step(self, input, output, action, ip, op)
    }
    fn poison(&mut self) -> (&mut bool, &mut Option<Error>) {
        (&mut self.poisoned, &mut self.deferred)
    }
}

impl Coder for LzipDecoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        code_deferring_errors(self, input, output, action)
    }

    fn memusage(&self) -> u64 {
        self.memusage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dict_sizes() {
        assert_eq!(dict_size_from_byte(29).unwrap(), 512 << 20);
        assert_eq!(dict_size_from_byte(0x20 | 13).unwrap(), 8192 - 512);
        assert!(dict_size_from_byte(11).is_err());
        assert!(dict_size_from_byte(0x20 | 12).is_err());
        for b in 0..=255u8 {
            if let Ok(d) = dict_size_from_byte(b) {
                assert!((4096..=512 << 20).contains(&d));
            }
        }
    }

    #[test]
    fn header_errors() {
        let mut out = [0u8; 4];
        let mut d = LzipDecoder::new(&DecoderOptions::default());
        assert!(matches!(d.code(b"LZIX", &mut out, Action::Finish), Err(Error::Format(_))));
        let mut d = LzipDecoder::new(&DecoderOptions::default());
        assert!(matches!(d.code(b"LZIP\x01\x0B", &mut out, Action::Finish), Err(Error::Corrupt(_))));
        let mut d = LzipDecoder::new(&DecoderOptions::default());
        assert!(matches!(d.code(b"LZI", &mut out, Action::Finish), Err(Error::Truncated)));
        let mut d = LzipDecoder::new(&DecoderOptions::default().memlimit(1 << 20));
        let p = d.code(b"LZIP\x01\x1D", &mut out, Action::Run).unwrap();
        assert_eq!(p.consumed, 6);
        assert!(matches!(d.code(&[], &mut out, Action::Run), Err(Error::MemLimit { .. })));
    }
}
