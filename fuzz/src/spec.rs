//! Structure-aware descriptions of what a fuzz input asks for.
//!
//! Decoder targets read a small header from the front of the input with
//! [`arbitrary::Unstructured`] (format, raw filter chain, chunk sizes); the
//! rest is the compressed data. Encoder targets derive a whole [`EncodeSpec`].

use arbitrary::{Arbitrary, Result, Unstructured};

/// A container format to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum Format {
    /// `.xz` (concatenated streams and stream padding allowed).
    Xz,
    /// `.lzma` (LZMA_Alone).
    Lzma,
    /// lzip.
    Lzip,
    /// Any of the above, detected from the magic bytes.
    Auto,
}

/// BCJ architectures, in filter-ID order (0x04..=0x0B).
pub const BCJ_IDS: [u64; 8] = [0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B];

/// A non-last filter of a raw chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreFilter {
    /// Delta; the properties byte is `distance - 1`.
    Delta {
        /// The properties byte.
        props: u8,
    },
    /// A BCJ filter.
    Bcj {
        /// Filter ID, one of [`BCJ_IDS`].
        id: u64,
        /// Start offset, when given (4 property bytes, little-endian).
        start_offset: Option<u32>,
    },
}

/// The last filter of a raw chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LastFilter {
    /// LZMA1: properties byte (lc/lp/pb) and dictionary size, as in the
    /// 5-byte LZMA1 filter properties.
    Lzma1 {
        /// lc/lp/pb byte.
        props: u8,
        /// Dictionary size.
        dict_size: u32,
    },
    /// LZMA2: the dictionary-size properties byte.
    Lzma2 {
        /// Properties byte.
        props: u8,
    },
}

impl LastFilter {
    /// Filter ID and properties bytes (the raw-chain encoding both libraries parse).
    pub fn id_and_props(&self) -> (u64, Vec<u8>) {
        match self {
            LastFilter::Lzma1 { props, dict_size } => {
                let mut p = vec![*props];
                p.extend_from_slice(&dict_size.to_le_bytes());
                (lzma_core::filter::ID_LZMA1, p)
            }
            LastFilter::Lzma2 { props } => (lzma_core::filter::ID_LZMA2, vec![*props]),
        }
    }
}

impl PreFilter {
    /// Filter ID and properties bytes.
    pub fn id_and_props(&self) -> (u64, Vec<u8>) {
        match self {
            PreFilter::Delta { props } => (lzma_core::filter::ID_DELTA, vec![*props]),
            PreFilter::Bcj { id, start_offset } => {
                (*id, start_offset.map(|o| o.to_le_bytes().to_vec()).unwrap_or_default())
            }
        }
    }
}

/// A raw filter chain: up to three filters, then LZMA1 or LZMA2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawChain {
    /// Filters before the last one, in encoder order.
    pub pre: Vec<PreFilter>,
    /// The LZMA filter.
    pub last: LastFilter,
}

impl RawChain {
    /// Every filter as (ID, properties), in encoder order.
    pub fn id_and_props(&self) -> Vec<(u64, Vec<u8>)> {
        let mut v: Vec<_> = self.pre.iter().map(PreFilter::id_and_props).collect();
        v.push(self.last.id_and_props());
        v
    }
}

impl<'a> Arbitrary<'a> for PreFilter {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.ratio(1, 3)? {
            PreFilter::Delta { props: u.arbitrary()? }
        } else {
            let id = BCJ_IDS[u.choose_index(BCJ_IDS.len())?];
            let start_offset = if u.ratio(1, 4)? { Some(u.arbitrary()?) } else { None };
            PreFilter::Bcj { id, start_offset }
        })
    }
}

impl<'a> Arbitrary<'a> for LastFilter {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.arbitrary()? {
            // Mostly valid property bytes and modest dictionaries.
            let props = if u.ratio(7, 8)? { u.int_in_range(0..=224)? } else { u.arbitrary()? };
            let dict_size = if u.ratio(7, 8)? { u.int_in_range(0..=(1 << 22))? } else { u.arbitrary()? };
            LastFilter::Lzma1 { props, dict_size }
        } else {
            let props = if u.ratio(7, 8)? { u.int_in_range(0..=40)? } else { u.arbitrary()? };
            LastFilter::Lzma2 { props }
        })
    }
}

impl<'a> Arbitrary<'a> for RawChain {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let n = u.int_in_range(0..=3)?;
        let mut pre = Vec::with_capacity(n);
        for _ in 0..n {
            pre.push(u.arbitrary()?);
        }
        Ok(RawChain { pre, last: u.arbitrary()? })
    }
}

/// Integrity check of an .xz stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum CheckKind {
    /// No check.
    None,
    /// CRC32.
    Crc32,
    /// CRC64.
    Crc64,
    /// SHA-256.
    Sha256,
}

/// LZMA encoder options beyond a preset (all kept in their valid ranges so
/// the encoders accept them; dictionaries are small so each run is fast).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LzmaTweaks {
    /// Literal context bits (lc + lp <= 4).
    pub lc: u32,
    /// Literal position bits.
    pub lp: u32,
    /// Position bits.
    pub pb: u32,
    /// Normal (true) or fast mode.
    pub normal: bool,
    /// Match finder: 0 HC3, 1 HC4, 2 BT2, 3 BT3, 4 BT4.
    pub mf: u8,
    /// Nice length, at least the match finder's hash bytes, at most 273.
    pub nice_len: u32,
    /// Match finder search depth (0 = automatic).
    pub depth: u32,
}

impl<'a> Arbitrary<'a> for LzmaTweaks {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let lc = u.int_in_range(0..=4)?;
        let lp = u.int_in_range(0..=(4 - lc))?;
        let pb = u.int_in_range(0..=4)?;
        let mf = u.int_in_range(0..=4)?;
        let min_nice = match mf {
            2 => 2,
            0 | 3 => 3,
            _ => 4,
        };
        Ok(LzmaTweaks {
            lc,
            lp,
            pb,
            normal: u.arbitrary()?,
            mf,
            nice_len: u.int_in_range(min_nice..=273)?,
            depth: if u.arbitrary()? { 0 } else { u.int_in_range(1..=1000)? },
        })
    }
}

/// Output format of an encoder run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Arbitrary)]
pub enum EncodeFormat {
    /// `.xz` with the chosen check, filters and block size.
    Xz,
    /// `.lzma` (LZMA_Alone; LZMA1, no pre-filters, no check).
    Lzma,
    /// Raw LZMA2 chain (with the pre-filters).
    RawLzma2,
}

/// Everything one encoder run needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeSpec {
    /// Output format.
    pub format: EncodeFormat,
    /// Preset level 0..=9.
    pub preset: u32,
    /// The extreme variant of the preset.
    pub extreme: bool,
    /// Options replacing the preset's, if any.
    pub tweaks: Option<LzmaTweaks>,
    /// log2 of the dictionary-size cap (12..=20): the preset's dictionary is
    /// reduced to at most this, to keep each run fast.
    pub dict_log2_cap: u32,
    /// Filters before LZMA2 (.xz and raw only).
    pub pre: Vec<PreFilter>,
    /// Integrity check (.xz only).
    pub check: CheckKind,
    /// Block size (.xz only; `None` = one block).
    pub block_size: Option<u32>,
    /// The data to compress.
    pub data: Vec<u8>,
}

impl<'a> Arbitrary<'a> for EncodeSpec {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let format: EncodeFormat = u.arbitrary()?;
        let n = if format == EncodeFormat::Lzma { 0 } else { u.int_in_range(0..=2)? };
        let mut pre = Vec::with_capacity(n);
        for _ in 0..n {
            pre.push(u.arbitrary()?);
        }
        let mut spec = EncodeSpec {
            format,
            preset: u.int_in_range(0..=9)?,
            extreme: u.arbitrary()?,
            tweaks: if u.ratio(1, 3)? { Some(u.arbitrary()?) } else { None },
            dict_log2_cap: u.int_in_range(12..=20)?,
            pre,
            check: u.arbitrary()?,
            block_size: if u.ratio(1, 4)? { Some(u.int_in_range(1..=(256 << 10))?) } else { None },
            data: {
                let len = u.len();
                expand(u.bytes(len)?)
            },
        };
        // Tiny blocks cost a block header each: keep such runs short.
        if let Some(b) = spec.block_size {
            spec.data.truncate((b as usize).saturating_mul(256).max(4096));
        }
        Ok(spec)
    }
}

/// Makes the fuzzer's few bytes into more compressible data: a leading 0xFF
/// byte means "repeat the rest", so long matches and many LZMA2 chunks are
/// reached with short inputs.
fn expand(rest: &[u8]) -> Vec<u8> {
    match rest.split_first() {
        Some((&0xFF, tail)) if tail.len() >= 2 => {
            let times = usize::from(tail[0]) * 64 + 1;
            let body = &tail[1..];
            let mut v = Vec::with_capacity(body.len() * times);
            for i in 0..times {
                v.extend_from_slice(body);
                // A small change per copy, so matches have varied lengths.
                if let Some(last) = v.last_mut() {
                    *last = last.wrapping_add((i % 3) as u8);
                }
            }
            v.truncate(256 << 10);
            v
        }
        _ => rest.to_vec(),
    }
}

/// What a decoder target decodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A container format.
    Container(Format),
    /// A raw filter chain.
    Raw(RawChain),
}

impl<'a> Arbitrary<'a> for Source {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.ratio(1, 5)? { Source::Raw(u.arbitrary()?) } else { Source::Container(u.arbitrary()?) })
    }
}

