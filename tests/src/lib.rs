//! Shared helpers of the integration and differential tests: driving any [`Coder`] with
//! odd buffer sizes, mapping errors to the corpus' error classes, and running the reference
//! `xz` (`$XZ_REFERENCE`, else `xz` on PATH; [`Reference`], from `xz_corpus::reference`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use lzma_core::{Action, Coder, Error, Status};
use xz_corpus::ErrorClass;
pub use xz_corpus::reference::{RefOutput, Reference};

/// The error class of a library error (as `xz` would report it).
///
/// ```
/// use xz_tests::class_of;
/// assert_eq!(class_of(&lzma_core::Error::Truncated), Some(xz_corpus::ErrorClass::Truncated));
/// ```
pub fn class_of(e: &Error) -> Option<ErrorClass> {
    Some(match e {
        Error::Format(_) => ErrorClass::Format,
        Error::Corrupt(_) | Error::CheckMismatch { .. } => ErrorClass::Corrupt,
        Error::Truncated => ErrorClass::Truncated,
        Error::Unsupported(_) => ErrorClass::Unsupported,
        Error::MemLimit { .. } => ErrorClass::MemLimit,
        _ => return None,
    })
}

/// How a coder run ended, when it did not end with an error of the coder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The coder returned this error.
    Coder(Error),
    /// The coder made no progress although it had input and output room (contract breach).
    Stalled {
        /// Input offset where it stalled.
        at: usize,
    },
    /// The coder produced more than the allowed output.
    Runaway,
    /// The coder panicked (message).
    Panicked(String),
}

/// The result of driving a coder: its output, or how it failed (with the output so far).
pub type RunResult = Result<Vec<u8>, (RunError, Vec<u8>)>;

/// Drives `coder` over `input`, giving it at most `in_chunk` input bytes and an output
/// buffer of `out_chunk` bytes per call; `Finish` is passed once the last input byte is in
/// the slice. Stops at `Status::StreamEnd` (leaving any unconsumed input), at an error, when
/// no progress is made, or after `max_out` output bytes.
pub fn drive<C: Coder + ?Sized>(
    coder: &mut C,
    input: &[u8],
    in_chunk: usize,
    out_chunk: usize,
    max_out: usize,
) -> RunResult {
    let in_chunk = in_chunk.max(1);
    let mut out = Vec::new();
    let mut buf = vec![0u8; out_chunk.max(1)];
    let mut pos = 0usize;
    let mut stalls = 0u32;
    loop {
        let end = pos.saturating_add(in_chunk).min(input.len());
        let action = if end == input.len() { Action::Finish } else { Action::Run };
        let p = match coder.code(&input[pos..end], &mut buf, action) {
            Ok(p) => p,
            Err(e) => return Err((RunError::Coder(e), out)),
        };
        if p.consumed > end - pos || p.produced > buf.len() {
            return Err((RunError::Stalled { at: pos }, out));
        }
        out.extend_from_slice(&buf[..p.produced]);
        pos += p.consumed;
        if p.status == Status::StreamEnd {
            return Ok(out);
        }
        if out.len() > max_out {
            return Err((RunError::Runaway, out));
        }
        if p.consumed == 0 && p.produced == 0 {
            stalls += 1;
            // A decoder may need one call to notice the end of its input; more is a stall.
            if stalls > 2 {
                return Err((RunError::Stalled { at: pos }, out));
            }
        } else {
            stalls = 0;
        }
    }
}

/// [`drive`] inside `catch_unwind`, so a panicking coder is reported, not fatal.
pub fn drive_caught<C: Coder>(
    make: impl FnOnce() -> C + std::panic::UnwindSafe,
    input: &[u8],
    in_chunk: usize,
    out_chunk: usize,
    max_out: usize,
) -> RunResult {
    catch(move || {
        let mut c = make();
        drive(&mut c, input, in_chunk, out_chunk, max_out)
    })
}

/// Runs `f`, turning a panic into [`RunError::Panicked`] with its message.
///
/// ```
/// let r = xz_tests::catch(|| panic!("boom"));
/// assert_eq!(r, Err((xz_tests::RunError::Panicked("boom".into()), Vec::new())));
/// ```
pub fn catch(f: impl FnOnce() -> RunResult) -> RunResult {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err((RunError::Panicked(msg), Vec::new()))
        }
    }
}

/// A coder wrapper counting the input its coder consumed (to see what a decoder left
/// unread after its end).
#[derive(Debug)]
pub struct Counted<C> {
    /// The wrapped coder.
    pub inner: C,
    /// Input bytes consumed so far.
    pub consumed: usize,
}

impl<C: Coder> Coder for Counted<C> {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> lzma_core::Result<lzma_core::Progress> {
        let p = self.inner.code(input, output, action)?;
        self.consumed += p.consumed;
        Ok(p)
    }
    fn memusage(&self) -> u64 {
        self.inner.memusage()
    }
}

/// Hex SHA-256 of `data`, for short failure messages.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// The first byte where `a` and `b` differ (or the shorter length), for failure messages.
pub fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A coder that copies input to output, to test the driver itself.
    struct Copy;
    impl Coder for Copy {
        fn code(&mut self, i: &[u8], o: &mut [u8], a: Action) -> lzma_core::Result<lzma_core::Progress> {
            let n = i.len().min(o.len());
            o[..n].copy_from_slice(&i[..n]);
            let status = if a == Action::Finish && n == i.len() { Status::StreamEnd } else { Status::Ok };
            Ok(lzma_core::Progress { consumed: n, produced: n, status })
        }
    }

    #[test]
    fn driver_chunks() {
        let data: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        for (i, o) in [(1, 1), (7, 3), (1000, 1000), (5000, 2)] {
            assert_eq!(drive(&mut Copy, &data, i, o, 1 << 20).unwrap(), data);
        }
        assert!(matches!(drive(&mut Copy, &data, 10, 10, 100), Err((RunError::Runaway, _))));
    }
}
