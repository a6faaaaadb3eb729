//! The sans-IO core shared by every coder.
//!
//! A coder consumes bytes from an input slice and writes bytes into an output slice, and
//! reports how many it consumed and produced. It never does I/O, never blocks and keeps
//! all state between calls, so any chunking of input and output gives the same result.
//!
//! ```
//! use lzma_core::{xz::XzEncoder, Action, Coder, EncoderOptions, Status};
//! let mut enc = XzEncoder::new(&EncoderOptions::preset(0))?;
//! let mut out = [0u8; 256];
//! let p = enc.code(b"sans-IO", &mut out, Action::Finish)?;
//! assert_eq!((p.consumed, p.status), (7, Status::StreamEnd));
//! assert_eq!(lzma_core::decompress(&out[..p.produced])?, b"sans-IO");
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::Result;

/// What the caller tells the coder about the input.
///
/// ```
/// use lzma_core::{xz::XzEncoder, Action, Coder, EncoderOptions, Status};
/// let mut enc = XzEncoder::new(&EncoderOptions::preset(0))?;
/// let mut out = [0u8; 256];
/// let p = enc.code(b"more may follow", &mut out, Action::Run)?;
/// assert_eq!(p.status, Status::Ok);
/// let p = enc.code(b"", &mut out[p.produced..], Action::Finish)?;
/// assert_eq!(p.status, Status::StreamEnd);
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// More input may follow.
    Run,
    /// Encoder: finish the current LZMA2 chunk so everything given so far can be decoded
    /// (liblzma `LZMA_SYNC_FLUSH`). Decoders treat it as `Run`.
    SyncFlush,
    /// Encoder: finish the current block (liblzma `LZMA_FULL_FLUSH`). Decoders treat it as `Run`.
    FullFlush,
    /// No input follows the given slice. Encoders finish the stream; decoders that still
    /// need input after consuming it fail with [`crate::Error::Truncated`].
    Finish,
}

/// Where the coder stands after a call.
///
/// ```
/// use lzma_core::{xz::XzDecoder, Action, Coder, DecoderOptions, Status};
/// let xz = lzma_core::compress(b"status", 0)?;
/// let mut dec = XzDecoder::new(DecoderOptions::new());
/// let mut out = [0u8; 16];
/// let p = dec.code(&xz[..10], &mut out, Action::Run)?;
/// assert_eq!(p.status, Status::Ok); // more input needed
/// let p = dec.code(&xz[10..], &mut out, Action::Finish)?;
/// assert_eq!((p.status, &out[..p.produced]), (Status::StreamEnd, &b"status"[..]));
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// More work remains: call again (with more input, more output room, or both).
    Ok,
    /// The coder has finished: a decoder reached the end of its stream(s); an encoder wrote
    /// its last byte (after `Finish`) or completed the requested flush.
    StreamEnd,
}

/// The result of one [`Coder::code`] call.
///
/// ```
/// use lzma_core::{xz::XzDecoder, Action, Coder, DecoderOptions};
/// let xz = lzma_core::compress(b"progress", 0)?;
/// let mut dec = XzDecoder::new(DecoderOptions::new());
/// let mut out = [0u8; 4]; // too small for the whole output
/// let p = dec.code(&xz, &mut out, Action::Finish)?;
/// assert_eq!(p.produced, 4);
/// assert!(p.consumed < xz.len());
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Bytes taken from the front of `input`.
    pub consumed: usize,
    /// Bytes written to the front of `output`.
    pub produced: usize,
    /// Whether the coder has finished.
    pub status: Status,
}

/// A sans-IO encoder or decoder.
///
/// Contract:
/// - each call consumes a prefix of `input` and fills a prefix of `output`;
/// - if both `input` has bytes and `output` has room and the coder has not ended, the call
///   makes progress (consumes or produces at least one byte) unless it needs more of the
///   other;
/// - after an `Err`, the coder must not be used again (it answers `Error::Misuse`);
/// - after `Status::StreamEnd` from a decoder, further calls consume nothing.
///
/// ```
/// use lzma_core::{xz::XzDecoder, Action, Coder, DecoderOptions, Status};
/// // Any chunking works: feed one byte at a time through a 3-byte output buffer.
/// let xz = lzma_core::compress(b"chunked input", 0)?;
/// let mut dec = XzDecoder::new(DecoderOptions::new());
/// let (mut pos, mut out, mut buf) = (0, Vec::new(), [0u8; 3]);
/// loop {
///     let end = (pos + 1).min(xz.len());
///     let action = if end == xz.len() { Action::Finish } else { Action::Run };
///     let p = dec.code(&xz[pos..end], &mut buf, action)?;
///     pos += p.consumed;
///     out.extend_from_slice(&buf[..p.produced]);
///     if p.status == Status::StreamEnd { break; }
/// }
/// assert_eq!(out, b"chunked input");
/// # Ok::<(), lzma_core::Error>(())
/// ```
pub trait Coder {
    /// Runs the coder on the given buffers.
    ///
    /// ```
    /// use lzma_core::{raw::RawEncoder, Action, Coder, Filter, LzmaOptions, Status};
    /// let mut enc = RawEncoder::new(&[Filter::Lzma2(LzmaOptions::preset(0, false)?)])?;
    /// let mut out = [0u8; 64];
    /// let p = enc.code(b"abc", &mut out, Action::Finish)?;
    /// assert_eq!((p.consumed, p.status), (3, Status::StreamEnd));
    /// assert_eq!(out[p.produced - 1], 0x00); // LZMA2 end marker
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress>;

    /// Approximate memory in bytes this coder uses now (as liblzma's `lzma_memusage`).
    ///
    /// ```
    /// use lzma_core::{xz::XzEncoder, Coder, EncoderOptions};
    /// let small = XzEncoder::new(&EncoderOptions::preset(0))?;
    /// let big = XzEncoder::new(&EncoderOptions::preset(6))?;
    /// assert!(small.memusage() < big.memusage());
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    fn memusage(&self) -> u64 {
        0
    }
}

impl<C: Coder + ?Sized> Coder for Box<C> {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        (**self).code(input, output, action)
    }
    fn memusage(&self) -> u64 {
        (**self).memusage()
    }
}

/// The decoders' rule for `Finish` (shared by the .xz block decoder and the lzip decoder):
/// once all input is taken (`input_left` false) and output room remains, an inner decoder
/// whose last call made progress without reaching its end is asked once more before the
/// wrapper answers [`crate::Error::Truncated`]. It may hold an error found after some
/// output (decoders report it on the next call, after that output), which is the true
/// verdict.
pub(crate) fn ask_again_before_truncated(
    finish: bool,
    input_left: bool,
    output_left: bool,
    progressed: bool,
) -> bool {
    finish && !input_left && output_left && progressed
}

#[cfg(test)]
mod tests {
    use super::ask_again_before_truncated as again;

    #[test]
    fn finish_rule() {
        assert!(again(true, false, true, true));
        assert!(!again(false, false, true, true), "more input may follow");
        assert!(!again(true, true, true, true), "input left: not the end yet");
        assert!(!again(true, false, false, true), "no room: the caller calls again");
        assert!(!again(true, false, true, false), "stalled: truncated");
    }
}
