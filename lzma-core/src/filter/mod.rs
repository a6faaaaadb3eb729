//! Filters and filter chains: LZMA1, LZMA2, Delta and the BCJ family.

use crate::lzma::LzmaOptions;

/// Filter ID of LZMA1 in liblzma (not storable in .xz).
pub const ID_LZMA1: u64 = 0x4000_0000_0000_0001;
/// Filter ID of LZMA2 in .xz.
pub const ID_LZMA2: u64 = 0x21;
/// Filter ID of Delta in .xz.
pub const ID_DELTA: u64 = 0x03;

/// Architecture of a BCJ (branch/call/jump converter) filter.
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

pub mod bcj;
pub mod chain;
pub mod delta;
pub mod props;
mod simple;

#[cfg(test)]
mod tests;
