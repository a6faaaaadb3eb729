//! The legacy `.lzma` format (LZMA_Alone): a 13-byte header (properties byte, dictionary
//! size, uncompressed size or all ones for "unknown") followed by raw LZMA1 data.
//!
//! ```
//! use lzma_core::alone::{AloneDecoder, AloneEncoder};
//! use lzma_core::{oneshot::run, DecoderOptions};
//! let lzma = run(&mut AloneEncoder::with_preset(0, false)?, b"legacy .lzma")?;
//! assert_eq!(lzma[0], 0x5D); // lc=3, lp=0, pb=2
//! let mut dec = AloneDecoder::new(&DecoderOptions::default());
//! assert_eq!(run(&mut dec, &lzma)?, b"legacy .lzma");
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::lzma::{LzmaOptions, LzmaProps};
use crate::stream::{Action, Coder, Progress, Status};
use crate::xz::backend::{self, DynCoder, MEMUSAGE_BASE};
use crate::{DecoderOptions, Error, Result};

/// Size of the .lzma header.
pub const HEADER_SIZE: usize = 13;

/// A decoded .lzma header.
///
/// ```
/// use lzma_core::alone::AloneHeader;
/// let mut h = [0xFFu8; 13];
/// h[0] = 0x5D;
/// h[1..5].copy_from_slice(&(1u32 << 23).to_le_bytes());
/// let hdr = AloneHeader::parse(&h, true).unwrap();
/// assert_eq!((hdr.dict_size, hdr.uncompressed_size), (8 << 20, None));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AloneHeader {
    /// lc, lp, pb.
    pub props: LzmaProps,
    /// Dictionary size.
    pub dict_size: u32,
    /// Uncompressed size, or `None` if unknown (then an end marker is required).
    pub uncompressed_size: Option<u64>,
}

/// `true` if `d` is 2^n or 2^n + 2^(n-1) (liblzma's dictionary sanity rule; 0 passes).
fn dict_size_is_round(d: u32) -> bool {
    let mut x = d.wrapping_sub(1);
    x |= x >> 2;
    x |= x >> 3;
    x |= x >> 4;
    x |= x >> 8;
    x |= x >> 16;
    x.wrapping_add(1) == d
}

fn lclppb(byte: u8) -> Result<LzmaProps> {
    let p = LzmaProps::from_byte(byte).map_err(|_| Error::Format("bad .lzma properties byte"))?;
    if p.lc + p.lp > 4 {
        return Err(Error::Format("lc + lp > 4 in the .lzma header"));
    }
    Ok(p)
}

/// Checks the fields of the header prefix `h` that are complete, in order, as liblzma's
/// .lzma decoder does as soon as each field has arrived: the properties byte (valid and
/// `lc + lp <= 4`) after one byte, with `picky` the dictionary size after five and the
/// uncompressed size after thirteen (see [`AloneHeader::parse`]). A bad field is
/// [`Error::Format`] however short the input is.
fn check_fields(h: &[u8], picky: bool) -> Result<()> {
    if let Some(&byte) = h.first() {
        lclppb(byte)?;
    }
    if !picky {
        return Ok(());
    }
    if let Some(d) = h.get(1..5) {
        let dict_size = u32::from_le_bytes([d[0], d[1], d[2], d[3]]);
        if dict_size != u32::MAX && !dict_size_is_round(dict_size) {
            return Err(Error::Format("unusual dictionary size in the .lzma header"));
        }
    }
    if let Some(size) = h.get(5..HEADER_SIZE) {
        let mut le = [0u8; 8];
        le.copy_from_slice(size);
        let size = u64::from_le_bytes(le);
        if size != u64::MAX && size >= 1 << 38 {
            return Err(Error::Format("implausible uncompressed size in the .lzma header"));
        }
    }
    Ok(())
}

impl AloneHeader {
    /// Parses a header with liblzma's rules: a properties byte of at most 224 with
    /// `lc + lp <= 4` (liblzma refuses wider literal contexts in .lzma files as not being
    /// .lzma at all). `picky` (as the auto-detecting decoder) also requires a dictionary
    /// size of 2^n or 2^n + 2^(n-1) (or all ones) and a known uncompressed size below
    /// 256 GiB; this rejects most non-.lzma data. Any failure is [`Error::Format`].
    ///
    /// ```
    /// use lzma_core::{alone::AloneHeader, Error};
    /// let mut h = [0xFFu8; 13];
    /// h[0] = (2 * 5 + 1) * 9 + 4; // pb 2, lp 1, lc 4: lc + lp = 5
    /// h[1..5].copy_from_slice(&(1u32 << 16).to_le_bytes());
    /// assert!(matches!(AloneHeader::parse(&h, false), Err(Error::Format(_))));
    /// ```
    pub fn parse(h: &[u8; HEADER_SIZE], picky: bool) -> Result<Self> {
        check_fields(h, picky)?;
        let props = lclppb(h[0])?;
        let dict_size = u32::from_le_bytes([h[1], h[2], h[3], h[4]]);
        let mut size = [0u8; 8];
        size.copy_from_slice(&h[5..13]);
        let size = u64::from_le_bytes(size);
        Ok(AloneHeader {
            props,
            dict_size,
            uncompressed_size: if size == u64::MAX { None } else { Some(size) },
        })
    }

    /// Memory the decoder needs for this header, as liblzma reports it.
    ///
    /// ```
    /// use lzma_core::alone::{AloneEncoder, AloneHeader};
    /// let h = AloneEncoder::header_bytes(&lzma_core::LzmaOptions::preset(0, false)?)?;
    /// let hdr = AloneHeader::parse(&h, true)?;
    /// assert!(hdr.memusage() > u64::from(hdr.dict_size)); // the dictionary and then some
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn memusage(&self) -> u64 {
        backend::lzma1_decoder_memusage(self.dict_size)
    }
}

/// Whether `buf` starts like a .lzma file by the rules `xz` uses to detect the format
/// (13 bytes, valid properties, dictionary 2^n or 2^n + 2^(n-1) or all ones and not 0,
/// uncompressed size unknown or at most 256 GiB).
///
/// ```
/// let mut h = [0xFFu8; 13];
/// h[0] = 0x5D;
/// h[1..5].copy_from_slice(&(1u32 << 16).to_le_bytes());
/// assert!(lzma_core::alone::looks_like_lzma(&h));
/// assert!(!lzma_core::alone::looks_like_lzma(b"plain text, no header"));
/// ```
pub fn looks_like_lzma(buf: &[u8]) -> bool {
    let Some(h) = buf.get(..HEADER_SIZE) else { return false };
    if lclppb(h[0]).is_err() {
        return false;
    }
    let dict = u32::from_le_bytes([h[1], h[2], h[3], h[4]]);
    if dict != u32::MAX && (dict == 0 || !dict_size_is_round(dict)) {
        return false;
    }
    let mut size = [0u8; 8];
    size.copy_from_slice(&h[5..13]);
    let size = u64::from_le_bytes(size);
    size == u64::MAX || size <= 1 << 38
}

/// Decoder of one .lzma stream. It stops at the end of the LZMA data; bytes after it are not
/// consumed (`xz` reports them as corrupt data unless `--single-stream`).
///
/// ```
/// use lzma_core::{alone::AloneDecoder, Action, Coder, DecoderOptions, Error};
/// let mut d = AloneDecoder::new(&DecoderOptions::default());
/// let mut out = [0u8; 8];
/// // A properties byte above 224 is not .lzma.
/// assert!(matches!(d.code(&[0xE1; 13], &mut out, Action::Finish), Err(Error::Format(_))));
/// ```
pub struct AloneDecoder {
    memlimit: u64,
    picky: bool,
    header: [u8; HEADER_SIZE],
    header_len: usize,
    parsed: Option<AloneHeader>,
    coder: Option<DynCoder>,
    memusage: u64,
    ended: bool,
    poisoned: bool,
}

impl std::fmt::Debug for AloneDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AloneDecoder").field("header", &self.parsed).finish_non_exhaustive()
    }
}

impl AloneDecoder {
    /// A decoder accepting any header liblzma's `lzma_alone_decoder` accepts. Only
    /// `memlimit` of the options is used.
    ///
    /// ```
    /// use lzma_core::{alone::{AloneDecoder, AloneEncoder}, oneshot::run, DecoderOptions};
    /// let lzma = run(&mut AloneEncoder::with_preset(1, false).unwrap(), b"legacy").unwrap();
    /// let mut d = AloneDecoder::new(&DecoderOptions::default());
    /// assert_eq!(run(&mut d, &lzma).unwrap(), b"legacy");
    /// assert_eq!(d.header().unwrap().uncompressed_size, None);
    /// ```
    pub fn new(opts: &DecoderOptions) -> Self {
        Self::with_picky(opts.memlimit, false)
    }

    /// A decoder with the stricter header rules of auto-detection (see
    /// [`AloneHeader::parse`]).
    ///
    /// ```
    /// use lzma_core::{alone::AloneDecoder, Action, Coder, DecoderOptions, Error};
    /// // Dictionary size 3000 is valid .lzma but not 2^n or 2^n + 2^(n-1).
    /// let mut h = [0u8; 13];
    /// h[0] = 0x5D;
    /// h[1..5].copy_from_slice(&3000u32.to_le_bytes());
    /// let mut out = [0u8; 8];
    /// let mut d = AloneDecoder::new_picky(&DecoderOptions::default());
    /// assert!(matches!(d.code(&h, &mut out, Action::Run), Err(Error::Format(_))));
    /// let mut d = AloneDecoder::new(&DecoderOptions::default());
    /// assert!(d.code(&h, &mut out, Action::Run).is_ok());
    /// ```
    pub fn new_picky(opts: &DecoderOptions) -> Self {
        Self::with_picky(opts.memlimit, true)
    }

    fn with_picky(memlimit: u64, picky: bool) -> Self {
        AloneDecoder {
            memlimit: memlimit.max(1),
            picky,
            header: [0; HEADER_SIZE],
            header_len: 0,
            parsed: None,
            coder: None,
            memusage: MEMUSAGE_BASE,
            ended: false,
            poisoned: false,
        }
    }

    /// The header, once read.
    ///
    /// ```
    /// use lzma_core::alone::{AloneDecoder, AloneEncoder};
    /// use lzma_core::{oneshot::run, DecoderOptions};
    /// let lzma = run(&mut AloneEncoder::with_preset(0, false)?, b"abc")?;
    /// let mut d = AloneDecoder::new(&DecoderOptions::default());
    /// assert!(d.header().is_none());
    /// run(&mut d, &lzma)?;
    /// assert_eq!(d.header().map(|h| h.dict_size), Some(256 << 10));
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn header(&self) -> Option<AloneHeader> {
        self.parsed
    }

    /// Changes the memory limit (to retry after [`Error::MemLimit`]).
    ///
    /// ```
    /// use lzma_core::{alone::{AloneDecoder, AloneEncoder}, oneshot::run, Action, Coder, DecoderOptions, Error};
    /// let lzma = run(&mut AloneEncoder::with_preset(0, false).unwrap(), b"retry").unwrap();
    /// let mut d = AloneDecoder::new(&DecoderOptions::new().memlimit(1024));
    /// let mut out = [0u8; 16];
    /// let p = d.code(&lzma, &mut out, Action::Finish).unwrap(); // the header only
    /// match d.code(&lzma[p.consumed..], &mut out, Action::Finish) {
    ///     Err(Error::MemLimit { needed, .. }) => d.set_memlimit(needed),
    ///     other => panic!("{other:?}"),
    /// }
    /// let p2 = d.code(&lzma[p.consumed..], &mut out, Action::Finish).unwrap();
    /// assert_eq!(&out[..p2.produced], b"retry");
    /// ```
    pub fn set_memlimit(&mut self, limit: u64) {
        self.memlimit = limit.max(1);
    }

    fn step(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        let mut ip = 0;
        if self.ended {
            return Ok(Progress { consumed: 0, produced: 0, status: Status::StreamEnd });
        }
        if self.header_len < HEADER_SIZE {
            let n = (HEADER_SIZE - self.header_len).min(input.len());
            self.header[self.header_len..self.header_len + n].copy_from_slice(&input[..n]);
            self.header_len += n;
            ip = n;
            // As liblzma, a bad field is reported as soon as it is complete, even when
            // the input ends before the rest of the header.
            check_fields(&self.header[..self.header_len], self.picky)?;
            if self.header_len < HEADER_SIZE {
                if action == Action::Finish {
                    return Err(Error::Truncated);
                }
                return Ok(Progress { consumed: ip, produced: 0, status: Status::Ok });
            }
        }
        if self.coder.is_none() {
            let h = match self.parsed {
                Some(h) => h,
                None => {
                    let h = AloneHeader::parse(&self.header, self.picky)?;
                    self.parsed = Some(h);
                    h
                }
            };
            self.memusage = h.memusage();
            if self.memusage > self.memlimit {
                if ip > 0 {
                    return Ok(Progress { consumed: ip, produced: 0, status: Status::Ok });
                }
                return Err(Error::MemLimit { needed: self.memusage, limit: self.memlimit });
            }
            self.coder =
                Some(backend::lzma1_decoder(h.props, h.dict_size, h.uncompressed_size, true)?);
        }
        let coder = self.coder.as_mut().ok_or(Error::Misuse("no coder"))?;
        let p = coder.code(&input[ip..], output, action)?;
        if p.status == Status::StreamEnd {
            self.ended = true;
        }
        Ok(Progress { consumed: ip + p.consumed, produced: p.produced, status: p.status })
    }
}

impl Coder for AloneDecoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        if self.poisoned {
            return Err(Error::Misuse("decoder used after an error"));
        }
        let r = self.step(input, output, action);
        if matches!(r, Err(ref e) if !matches!(e, Error::MemLimit { .. })) {
            self.poisoned = true;
        }
        r
    }

    fn memusage(&self) -> u64 {
        self.memusage
    }
}

/// Encoder of the .lzma format as `xz --format=lzma` writes it: the header with the
/// dictionary size rounded up to 2^n or 2^n + 2^(n-1), an unknown uncompressed size,
/// and LZMA1 data ending with an end marker.
///
/// ```
/// use lzma_core::{alone::AloneEncoder, LzmaOptions};
/// let opts = LzmaOptions::preset(6, false).unwrap();
/// assert_eq!(AloneEncoder::header_bytes(&opts).unwrap()[..5], [0x5D, 0, 0, 0x80, 0]);
/// ```
pub struct AloneEncoder {
    header: [u8; HEADER_SIZE],
    header_pos: usize,
    coder: DynCoder,
    memusage: u64,
    poisoned: bool,
}

impl std::fmt::Debug for AloneEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AloneEncoder").field("header", &self.header).finish_non_exhaustive()
    }
}

impl AloneEncoder {
    /// An encoder with these LZMA1 options.
    ///
    /// ```
    /// use lzma_core::{alone::AloneEncoder, oneshot::run, LzmaOptions};
    /// let mut opts = LzmaOptions::preset(0, false)?;
    /// opts.dict_size = 64 << 10;
    /// let lzma = run(&mut AloneEncoder::new(&opts)?, b"abc")?;
    /// assert_eq!(lzma[1..5], (64u32 << 10).to_le_bytes());
    /// assert_eq!(lzma_core::oneshot::decompress_auto(&lzma)?, b"abc");
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn new(opts: &LzmaOptions) -> Result<Self> {
        let header = Self::header_bytes(opts)?;
        let coder = backend::lzma1_encoder(opts)?;
        Ok(AloneEncoder {
            header,
            header_pos: 0,
            coder,
            memusage: backend::lzma1_encoder_memusage(opts),
            poisoned: false,
        })
    }

    /// An encoder for preset `level` (0..=9), `extreme` as `-e`.
    ///
    /// ```
    /// use lzma_core::{alone::AloneEncoder, oneshot::run};
    /// let lzma = run(&mut AloneEncoder::with_preset(1, false)?, b"preset 1")?;
    /// assert_eq!(lzma[1..5], (1u32 << 20).to_le_bytes()); // 1 MiB dictionary
    /// assert!(AloneEncoder::with_preset(10, false).is_err());
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn with_preset(level: u32, extreme: bool) -> Result<Self> {
        Self::new(&LzmaOptions::preset(level, extreme)?)
    }

    /// The 13 header bytes these options give.
    ///
    /// ```
    /// use lzma_core::{alone::AloneEncoder, LzmaOptions};
    /// let h = AloneEncoder::header_bytes(&LzmaOptions::preset(6, false)?)?;
    /// assert_eq!(h[0], 0x5D);
    /// assert_eq!(h[1..5], (8u32 << 20).to_le_bytes());
    /// assert_eq!(h[5..], [0xFF; 8]); // size unknown: an end marker follows the data
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn header_bytes(opts: &LzmaOptions) -> Result<[u8; HEADER_SIZE]> {
        if opts.lc > 4 || opts.lp > 4 || opts.pb > 4 || opts.lc + opts.lp > 4 {
            return Err(Error::Options("The sum of lc and lp must not exceed 4".into()));
        }
        if opts.dict_size < crate::lzma::DICT_SIZE_MIN {
            return Err(Error::Options("The dictionary must be at least 4 KiB".into()));
        }
        let mut d = opts.dict_size - 1;
        d |= d >> 2;
        d |= d >> 3;
        d |= d >> 4;
        d |= d >> 8;
        d |= d >> 16;
        let d = d.saturating_add(1);
        let mut h = [0xFFu8; HEADER_SIZE];
        h[0] = opts.props().to_byte();
        h[1..5].copy_from_slice(&d.to_le_bytes());
        Ok(h)
    }
}

impl Coder for AloneEncoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        if self.poisoned {
            return Err(Error::Misuse("encoder used after an error"));
        }
        let n = (HEADER_SIZE - self.header_pos).min(output.len());
        output[..n].copy_from_slice(&self.header[self.header_pos..self.header_pos + n]);
        self.header_pos += n;
        if self.header_pos < HEADER_SIZE {
            return Ok(Progress { consumed: 0, produced: n, status: Status::Ok });
        }
        let action = if action == Action::Finish { Action::Finish } else { Action::Run };
        match self.coder.code(input, &mut output[n..], action) {
            Ok(p) => Ok(Progress { consumed: p.consumed, produced: n + p.produced, status: p.status }),
            Err(e) => {
                self.poisoned = true;
                Err(e)
            }
        }
    }

    fn memusage(&self) -> u64 {
        self.memusage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(props: u8, dict: u32, size: u64) -> [u8; 13] {
        let mut h = [0u8; 13];
        h[0] = props;
        h[1..5].copy_from_slice(&dict.to_le_bytes());
        h[5..].copy_from_slice(&size.to_le_bytes());
        h
    }

    #[test]
    fn header_rules() {
        assert!(AloneHeader::parse(&header(0x5D, 1 << 20, u64::MAX), true).is_ok());
        assert!(AloneHeader::parse(&header(0x5D, 3 << 19, 100), true).is_ok());
        assert!(AloneHeader::parse(&header(0x5D, (1 << 20) + 1, 100), true).is_err());
        assert!(AloneHeader::parse(&header(0x5D, (1 << 20) + 1, 100), false).is_ok());
        assert!(AloneHeader::parse(&header(0x5D, 1 << 20, 1 << 38), true).is_err());
        assert!(AloneHeader::parse(&header(0x5D, 1 << 20, 1 << 38), false).is_ok());
        // lc = 4, lp = 1
        assert!(AloneHeader::parse(&header(4 + 9, 1 << 20, 0), false).is_err());
        assert!(AloneHeader::parse(&header(225, 1 << 20, 0), false).is_err());
        assert!(AloneHeader::parse(&header(0x5D, 0, 0), true).is_ok());
        assert!(!looks_like_lzma(&header(0x5D, 0, 0)));
        assert!(looks_like_lzma(&header(0x5D, u32::MAX, 1 << 38)));
        assert!(!looks_like_lzma(&header(0x5D, u32::MAX, (1 << 38) + 1)));
    }

    #[test]
    fn memlimit_before_allocation() {
        let h = header(0x5D, 1 << 30, u64::MAX);
        let mut d = AloneDecoder::new(&DecoderOptions::new().memlimit(1 << 20));
        let mut out = [0u8; 4];
        let p = d.code(&h, &mut out, Action::Run).unwrap();
        assert_eq!(p.consumed, 13);
        match d.code(&[], &mut out, Action::Run) {
            Err(Error::MemLimit { needed, limit }) => {
                assert!(needed > 1 << 30);
                assert_eq!(limit, 1 << 20);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn encoder_header_rounding() {
        let mut o = LzmaOptions::preset(0, false).unwrap();
        o.dict_size = (1 << 20) + 1;
        let h = AloneEncoder::header_bytes(&o).unwrap();
        assert_eq!(u32::from_le_bytes([h[1], h[2], h[3], h[4]]), 3 << 19);
        assert_eq!(h[5..], [0xFF; 8]);
        o.dict_size = 100;
        assert!(AloneEncoder::header_bytes(&o).is_err());
    }
}
