//! The sans-IO core shared by every coder.
//!
//! A coder consumes bytes from an input slice and writes bytes into an output slice, and
//! reports how many it consumed and produced. It never does I/O, never blocks and keeps
//! all state between calls, so any chunking of input and output gives the same result.

use crate::Result;

/// What the caller tells the coder about the input.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// More work remains: call again (with more input, more output room, or both).
    Ok,
    /// The coder has finished: a decoder reached the end of its stream(s); an encoder wrote
    /// its last byte (after `Finish`) or completed the requested flush.
    StreamEnd,
}

/// The result of one [`Coder::code`] call.
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
pub trait Coder {
    /// Runs the coder on the given buffers.
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress>;

    /// Approximate memory in bytes this coder uses now (as liblzma's `lzma_memusage`).
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
