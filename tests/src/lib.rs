//! Shared helpers of the integration and differential tests: driving any [`Coder`] with
//! odd buffer sizes, mapping errors to the corpus' error classes, and running the reference
//! `xz` (`$XZ_REFERENCE`, else `xz` on PATH).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use lzma_core::{Action, Coder, Error, Status};
use std::io::Write;
use std::process::{Command, Stdio};
use xz_corpus::ErrorClass;

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
    let input = input.to_vec();
    match std::panic::catch_unwind(move || {
        let mut c = make();
        drive(&mut c, &input, in_chunk, out_chunk, max_out)
    }) {
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

/// The reference `xz` command.
#[derive(Clone, Debug)]
pub struct Reference {
    /// Path or name of the program.
    pub path: String,
    /// Its version (major, minor, patch).
    pub version: (u32, u32, u32),
}

/// What the reference answered.
#[derive(Clone, Debug)]
pub struct RefOutput {
    /// Exit status (0 ok, 1 error, 2 warning).
    pub status: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: String,
}

impl RefOutput {
    /// The error class named by the message on standard error, if any.
    pub fn class(&self) -> Option<ErrorClass> {
        [
            ErrorClass::Format,
            ErrorClass::Corrupt,
            ErrorClass::Truncated,
            ErrorClass::Unsupported,
            ErrorClass::MemLimit,
        ]
        .into_iter()
        .find(|c| self.stderr.contains(c.message()))
    }
}

impl Reference {
    /// The reference named by `$XZ_REFERENCE`, else `xz` on PATH; `None` (and a line on
    /// stderr saying the test skips) if neither runs.
    pub fn find() -> Option<Reference> {
        let path = std::env::var("XZ_REFERENCE").unwrap_or_else(|_| "xz".to_string());
        let out = Command::new(&path).arg("--version").stderr(Stdio::null()).output().ok();
        let Some(out) = out.filter(|o| o.status.success()) else {
            eprintln!("no reference xz ($XZ_REFERENCE or xz on PATH): skipping");
            return None;
        };
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let ver = text.lines().next().and_then(|l| l.rsplit(' ').next()).unwrap_or("0.0.0");
        let mut it = ver.split('.').map(|x| x.parse::<u32>().unwrap_or(0));
        let version = (it.next().unwrap_or(0), it.next().unwrap_or(0), it.next().unwrap_or(0));
        Some(Reference { path, version })
    }

    /// Whether the reference is at least `major.minor`.
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.version.0, self.version.1) >= (major, minor)
    }

    /// Runs the reference with `args`, feeding `input` on standard input.
    pub fn run(&self, args: &[&str], input: &[u8]) -> RefOutput {
        let mut child = Command::new(&self.path)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("reference xz runs");
        let mut stdin = child.stdin.take().expect("piped stdin");
        let data = input.to_vec();
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
        let out = child.wait_with_output().expect("reference xz finishes");
        let _ = writer.join();
        RefOutput {
            status: out.status.code().unwrap_or(-1),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Compresses `input` with `args` (added to `-c -q`); panics naming the case if the
    /// reference fails.
    pub fn compress(&self, args: &[&str], input: &[u8]) -> Vec<u8> {
        let mut a = vec!["-c", "-q"];
        a.extend_from_slice(args);
        let out = self.run(&a, input);
        assert_eq!(out.status, 0, "reference xz {args:?} failed: {}", out.stderr);
        out.stdout
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
