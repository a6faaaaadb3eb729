//! BCJ (branch/call/jump) converters: one small module per architecture.
//!
//! Each converter rewrites the relative target addresses of call-like instructions into
//! absolute ones (encoding) or back (decoding), so that repeated calls to the same
//! function compress better. A converter works on a buffer whose first byte sits at a
//! known stream position and returns how many bytes at the front are final; the rest
//! must be presented again once more data follows (see [`Bcj::convert`](crate::filter::bcj::Bcj::convert)).
//!
//! The streaming wrapper that holds back the unconverted tail, and lets it through
//! unchanged at the end of the stream, lives in the filter chain.

pub mod arm;
pub mod arm64;
pub mod armthumb;
pub mod ia64;
pub mod powerpc;
pub mod riscv;
pub mod sparc;
pub mod x86;

use super::BcjArch;

/// A BCJ converter of one architecture with its state (only x86 has any).
///
/// Dispatch happens once per buffer, outside the converters' loops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bcj {
    /// x86 with its prefix history.
    X86(x86::X86),
    /// PowerPC.
    PowerPc,
    /// IA-64.
    Ia64,
    /// ARM.
    Arm,
    /// ARM-Thumb.
    ArmThumb,
    /// SPARC.
    Sparc,
    /// ARM64.
    Arm64,
    /// RISC-V.
    RiscV,
}

impl Bcj {
    /// A fresh converter for `arch`.
    pub fn new(arch: BcjArch) -> Self {
        match arch {
            BcjArch::X86 => Bcj::X86(x86::X86::new()),
            BcjArch::PowerPc => Bcj::PowerPc,
            BcjArch::Ia64 => Bcj::Ia64,
            BcjArch::Arm => Bcj::Arm,
            BcjArch::ArmThumb => Bcj::ArmThumb,
            BcjArch::Sparc => Bcj::Sparc,
            BcjArch::Arm64 => Bcj::Arm64,
            BcjArch::RiscV => Bcj::RiscV,
        }
    }

    /// The architecture converted.
    pub fn arch(&self) -> BcjArch {
        match self {
            Bcj::X86(_) => BcjArch::X86,
            Bcj::PowerPc => BcjArch::PowerPc,
            Bcj::Ia64 => BcjArch::Ia64,
            Bcj::Arm => BcjArch::Arm,
            Bcj::ArmThumb => BcjArch::ArmThumb,
            Bcj::Sparc => BcjArch::Sparc,
            Bcj::Arm64 => BcjArch::Arm64,
            Bcj::RiscV => BcjArch::RiscV,
        }
    }

    /// Converts `buf`, whose first byte is at stream position `now_pos`; `encoder`
    /// selects the direction. Returns the number of bytes at the front that are final;
    /// fewer than [`unfiltered_max`] bytes remain, to be presented again with the data
    /// that follows them.
    ///
    /// ```
    /// use lzma_core::filter::{bcj::Bcj, BcjArch};
    /// let mut code = [0x01, 0x00, 0x00, 0xEB, 0x00]; // ARM BL at 0, plus one spare byte
    /// assert_eq!(Bcj::new(BcjArch::Arm).convert(0, true, &mut code), 4);
    /// ```
    pub fn convert(&mut self, now_pos: u32, encoder: bool, buf: &mut [u8]) -> usize {
        match self {
            Bcj::X86(state) => state.convert(now_pos, encoder, buf),
            Bcj::PowerPc => powerpc::convert(now_pos, encoder, buf),
            Bcj::Ia64 => ia64::convert(now_pos, encoder, buf),
            Bcj::Arm => arm::convert(now_pos, encoder, buf),
            Bcj::ArmThumb => armthumb::convert(now_pos, encoder, buf),
            Bcj::Sparc => sparc::convert(now_pos, encoder, buf),
            Bcj::Arm64 => arm64::convert(now_pos, encoder, buf),
            Bcj::RiscV => riscv::convert(now_pos, encoder, buf),
        }
    }
}

/// The most bytes a converter may need to see at once to decide about one instruction:
/// a converter never leaves this many or more bytes unconverted.
pub fn unfiltered_max(arch: BcjArch) -> usize {
    match arch {
        BcjArch::X86 => 5,
        BcjArch::Ia64 => 16,
        BcjArch::RiscV => 8,
        BcjArch::PowerPc | BcjArch::Arm | BcjArch::ArmThumb | BcjArch::Sparc | BcjArch::Arm64 => 4,
    }
}
