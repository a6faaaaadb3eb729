//! Filters and filter chains: LZMA1, LZMA2, Delta and the BCJ family.
//!
//! ```
//! use lzma_core::{filter::BcjArch, EncoderOptions, Filter, LzmaOptions};
//! let code = b"\xE8\x10\x00\x00\x00 x86 calls \xE8\x10\x00\x00\x00".repeat(4);
//! let chain = vec![Filter::Bcj { arch: BcjArch::X86, start_offset: 0 }, Filter::Lzma2(LzmaOptions::preset(0, false)?)];
//! let xz = lzma_core::compress_with(&code, &EncoderOptions::default().filters(chain))?;
//! assert_eq!(lzma_core::decompress(&xz)?, code);
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::lzma::LzmaOptions;

/// Filter ID of LZMA1 in liblzma (not storable in .xz).
pub const ID_LZMA1: u64 = 0x4000_0000_0000_0001;
/// Filter ID of LZMA2 in .xz.
pub const ID_LZMA2: u64 = 0x21;
/// Filter ID of Delta in .xz.
pub const ID_DELTA: u64 = 0x03;

/// Architecture of a BCJ (branch/call/jump converter) filter.
///
/// ```
/// use lzma_core::filter::BcjArch;
/// let arch = BcjArch::Arm64;
/// assert_eq!(BcjArch::from_filter_id(arch.filter_id()), Some(arch));
/// assert_eq!(arch.alignment(), 4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BcjArch {
    /// x86 (32- and 64-bit).
    X86,
    /// PowerPC, big endian.
    PowerPc,
    /// IA-64 (Itanium).
    Ia64,
    /// ARM (32-bit).
    Arm,
    /// ARM Thumb.
    ArmThumb,
    /// SPARC.
    Sparc,
    /// ARM64.
    Arm64,
    /// RISC-V.
    RiscV,
}

impl BcjArch {
    /// The .xz Filter ID.
    ///
    /// ```
    /// use lzma_core::filter::BcjArch;
    /// assert_eq!(BcjArch::X86.filter_id(), 0x04);
    /// assert_eq!(BcjArch::RiscV.filter_id(), 0x0B);
    /// ```
    pub fn filter_id(self) -> u64 {
        match self {
            BcjArch::X86 => 0x04,
            BcjArch::PowerPc => 0x05,
            BcjArch::Ia64 => 0x06,
            BcjArch::Arm => 0x07,
            BcjArch::ArmThumb => 0x08,
            BcjArch::Sparc => 0x09,
            BcjArch::Arm64 => 0x0A,
            BcjArch::RiscV => 0x0B,
        }
    }
    /// The architecture for a .xz Filter ID.
    ///
    /// ```
    /// use lzma_core::filter::{BcjArch, ID_LZMA2};
    /// assert_eq!(BcjArch::from_filter_id(0x07), Some(BcjArch::Arm));
    /// assert_eq!(BcjArch::from_filter_id(ID_LZMA2), None); // not a BCJ filter
    /// ```
    pub fn from_filter_id(id: u64) -> Option<Self> {
        Some(match id {
            0x04 => BcjArch::X86,
            0x05 => BcjArch::PowerPc,
            0x06 => BcjArch::Ia64,
            0x07 => BcjArch::Arm,
            0x08 => BcjArch::ArmThumb,
            0x09 => BcjArch::Sparc,
            0x0A => BcjArch::Arm64,
            0x0B => BcjArch::RiscV,
            _ => return None,
        })
    }
    /// Required alignment of the start offset.
    ///
    /// ```
    /// use lzma_core::{filter::BcjArch, raw::RawEncoder, Filter, LzmaOptions};
    /// assert_eq!(BcjArch::Ia64.alignment(), 16);
    /// let lzma2 = Filter::Lzma2(LzmaOptions::preset(0, false)?);
    /// let bad = [Filter::Bcj { arch: BcjArch::Arm, start_offset: 2 }, lzma2.clone()];
    /// assert!(RawEncoder::new(&bad).is_err()); // 2 is not a multiple of 4
    /// assert!(RawEncoder::new(&[Filter::Bcj { arch: BcjArch::Arm, start_offset: 8 }, lzma2]).is_ok());
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn alignment(self) -> u32 {
        match self {
            BcjArch::X86 => 1,
            BcjArch::ArmThumb | BcjArch::RiscV => 2,
            BcjArch::Ia64 => 16,
            _ => 4,
        }
    }
}

/// One filter with its options.
///
/// ```
/// use lzma_core::{oneshot::run, raw::{RawDecoder, RawEncoder}, Filter, LzmaOptions};
/// // Delta with distance 2 suits interleaved 16-bit samples.
/// let chain = [Filter::Delta { distance: 2 }, Filter::Lzma2(LzmaOptions::preset(0, false)?)];
/// let data = [0u8, 100, 1, 101, 2, 102, 3, 103];
/// let raw = run(&mut RawEncoder::new(&chain)?, &data)?;
/// assert_eq!(run(&mut RawDecoder::new(&chain, u64::MAX)?, &raw)?, data);
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Filter {
    /// LZMA1 (raw and .lzma only). Must be last.
    Lzma1(LzmaOptions),
    /// LZMA2. Must be last.
    Lzma2(LzmaOptions),
    /// Delta with a distance of 1..=256 bytes.
    Delta {
        /// Distance in bytes.
        distance: u32,
    },
    /// A BCJ filter.
    Bcj {
        /// Architecture.
        arch: BcjArch,
        /// Start offset (a multiple of the architecture's alignment).
        start_offset: u32,
    },
}

/// Internal: the BCJ converters behind [`Filter::Bcj`], `pub` only for the project's
/// benches, fuzzing and tests; no stability promises.
#[doc(hidden)]
pub mod bcj;
pub mod chain;
/// Internal: the Delta converter behind [`Filter::Delta`], `pub` only for the project's
/// benches, fuzzing and tests; no stability promises.
#[doc(hidden)]
pub mod delta;
pub mod props;
mod simple;

#[cfg(test)]
mod tests;
