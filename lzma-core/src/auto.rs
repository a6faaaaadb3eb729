//! Format detection and the auto-detecting decoder.
//!
//! ```
//! use lzma_core::auto::{AutoDecoder, Format};
//! use lzma_core::{oneshot::run, DecoderOptions};
//! let xz = lzma_core::compress(b"which format?", 0)?;
//! let mut d = AutoDecoder::new(DecoderOptions::new());
//! assert_eq!(run(&mut d, &xz)?, b"which format?");
//! assert_eq!(d.format(), Some(Format::Xz));
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::alone::AloneDecoder;
use crate::lzip::LzipDecoder;
use crate::stream::{Action, Coder, Progress, Status};
use crate::xz::XzDecoder;
use crate::{DecoderOptions, Error, Result};

/// A compressed file format.
///
/// ```
/// use lzma_core::auto::{detect_format, Format};
/// let lzma = lzma_core::oneshot::run(&mut lzma_core::alone::AloneEncoder::with_preset(0, false)?, b"")?;
/// assert_eq!(detect_format(&lzma), Some(Format::Lzma));
/// assert_ne!(Format::Xz, Format::Raw);
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// .xz
    Xz,
    /// .lzma (LZMA_Alone)
    Lzma,
    /// .lz (lzip)
    Lzip,
    /// No container: a raw filter chain.
    Raw,
}

/// Detects the format of a file from its first bytes the way the `xz` command does:
/// .xz magic (6 bytes), then "LZIP", then a plausible .lzma header (13 bytes, see
/// [`crate::alone::looks_like_lzma`]). `None` if nothing matches (or too few bytes).
///
/// ```
/// use lzma_core::auto::{detect_format, Format};
/// assert_eq!(detect_format(b"\xFD7zXZ\x00\x00\x04"), Some(Format::Xz));
/// assert_eq!(detect_format(b"LZIP\x01\x0C"), Some(Format::Lzip));
/// assert_eq!(detect_format(b"hello"), None);
/// ```
pub fn detect_format(head: &[u8]) -> Option<Format> {
    if head.starts_with(&crate::xz::stream_flags::HEADER_MAGIC) {
        Some(Format::Xz)
    } else if head.starts_with(&crate::lzip::MAGIC) {
        Some(Format::Lzip)
    } else if crate::alone::looks_like_lzma(head) {
        Some(Format::Lzma)
    } else {
        None
    }
}

enum Inner {
    Pending,
    Xz(Box<XzDecoder>),
    Lzma(AloneDecoder),
    Lzip(LzipDecoder),
}

/// Where an [`AutoDecoder`] stands with respect to the end of its stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// Still decoding.
    No,
    /// The stream ended in a call without `Finish`: more input is trailing data, and
    /// `Finish` without input reports the end.
    Unreported,
    /// `Status::StreamEnd` was returned: nothing more is consumed.
    Reported,
    /// An error was returned: the decoder answers `Misuse`.
    Failed,
}

/// Decoder that picks .xz, lzip or .lzma from the first byte, as liblzma's
/// `lzma_auto_decoder`: 0xFD starts .xz, `L` starts lzip, anything else is tried as .lzma
/// with the strict header rules. Unless `single_stream` is set, anything left after the
/// stream (other than what the format itself allows) is [`Error::Corrupt`].
///
/// As liblzma does, the end of a stream found in a call without [`Action::Finish`] is
/// reported as [`Status::Ok`] until a call with `Finish` and no more input confirms it;
/// input given in between is trailing data. Once [`Status::StreamEnd`] has been returned,
/// further calls consume nothing (the [`Coder`] contract). When trailing data follows
/// the end in the same call, the output decoded before it is returned first and the
/// error on the next call.
///
/// ```
/// use lzma_core::{auto::{AutoDecoder, Format}, oneshot::run, DecoderOptions};
/// let xz = lzma_core::compress(b"auto", 0).unwrap();
/// let mut d = AutoDecoder::new(DecoderOptions::default());
/// assert_eq!(run(&mut d, &xz).unwrap(), b"auto");
/// assert_eq!(d.format(), Some(Format::Xz));
/// ```
///
/// Trailing data after a .lzma stream is an error:
///
/// ```
/// use lzma_core::{alone::AloneEncoder, auto::AutoDecoder, oneshot::run, DecoderOptions, Error};
/// let mut lzma = run(&mut AloneEncoder::with_preset(0, false).unwrap(), b"end").unwrap();
/// lzma.extend_from_slice(b"garbage");
/// let mut d = AutoDecoder::new(DecoderOptions::default());
/// assert!(matches!(run(&mut d, &lzma), Err(Error::Corrupt(_))));
/// ```
pub struct AutoDecoder {
    opts: DecoderOptions,
    inner: Inner,
    end: End,
}

impl std::fmt::Debug for AutoDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutoDecoder").field("format", &self.format()).finish_non_exhaustive()
    }
}

impl AutoDecoder {
    /// A decoder with these options.
    ///
    /// ```
    /// use lzma_core::{auto::AutoDecoder, DecoderOptions};
    /// let d = AutoDecoder::new(DecoderOptions::new().single_stream(true));
    /// assert_eq!(d.format(), None); // nothing seen yet
    /// ```
    pub fn new(opts: DecoderOptions) -> Self {
        AutoDecoder { opts, inner: Inner::Pending, end: End::No }
    }

    /// The detected format, once the first byte has been seen.
    ///
    /// ```
    /// use lzma_core::{auto::{AutoDecoder, Format}, Action, Coder, DecoderOptions};
    /// let mut d = AutoDecoder::new(DecoderOptions::default());
    /// d.code(b"LZ", &mut [0u8; 8], Action::Run).unwrap();
    /// assert_eq!(d.format(), Some(Format::Lzip));
    /// ```
    pub fn format(&self) -> Option<Format> {
        match self.inner {
            Inner::Pending => None,
            Inner::Xz(_) => Some(Format::Xz),
            Inner::Lzma(_) => Some(Format::Lzma),
            Inner::Lzip(_) => Some(Format::Lzip),
        }
    }

    /// Whether the .xz stream uses a check this crate cannot verify (see
    /// [`XzDecoder::unsupported_check`]).
    ///
    /// ```
    /// use lzma_core::{auto::AutoDecoder, oneshot::run, DecoderOptions};
    /// let xz = lzma_core::compress(b"crc64 is supported", 0)?;
    /// let mut d = AutoDecoder::new(DecoderOptions::new());
    /// run(&mut d, &xz)?;
    /// assert!(!d.unsupported_check());
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn unsupported_check(&self) -> bool {
        matches!(&self.inner, Inner::Xz(d) if d.unsupported_check())
    }

    /// The underlying .xz decoder, if the input is .xz.
    ///
    /// ```
    /// use lzma_core::{auto::AutoDecoder, oneshot::run, DecoderOptions};
    /// let xz = lzma_core::compress(b"two", 0).unwrap();
    /// let mut d = AutoDecoder::new(DecoderOptions::default());
    /// run(&mut d, &xz).unwrap();
    /// assert_eq!(d.xz().map(|x| x.streams_decoded()), Some(1));
    /// ```
    pub fn xz(&self) -> Option<&XzDecoder> {
        match &self.inner {
            Inner::Xz(d) => Some(d),
            _ => None,
        }
    }

    fn step(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        let trailing = || Error::Corrupt("trailing data after the end of the stream");
        match self.end {
            End::No => {}
            End::Reported => return Ok(Progress { consumed: 0, produced: 0, status: Status::StreamEnd }),
            End::Failed => return Err(Error::Misuse("decoder used after an error")),
            End::Unreported => {
                if !input.is_empty() {
                    return Err(trailing());
                }
                let status = if action == Action::Finish { Status::StreamEnd } else { Status::Ok };
                return Ok(Progress { consumed: 0, produced: 0, status });
            }
        }
        if let Inner::Pending = self.inner {
            let Some(&first) = input.first() else {
                if action == Action::Finish {
                    return Err(Error::Truncated);
                }
                return Ok(Progress { consumed: 0, produced: 0, status: Status::Ok });
            };
            self.inner = match first {
                0xFD => Inner::Xz(Box::new(XzDecoder::new(self.opts.clone()))),
                b'L' => Inner::Lzip(LzipDecoder::new(&self.opts)),
                _ => Inner::Lzma(AloneDecoder::new_picky(&self.opts)),
            };
        }
        let p = match &mut self.inner {
            Inner::Pending => return Err(Error::Misuse("no decoder")),
            Inner::Xz(d) => d.code(input, output, action)?,
            Inner::Lzma(d) => d.code(input, output, action)?,
            Inner::Lzip(d) => d.code(input, output, action)?,
        };
        if p.status != Status::StreamEnd || self.opts.single_stream {
            return Ok(p);
        }
        if p.consumed < input.len() {
            if p.produced == 0 {
                return Err(trailing());
            }
            // Hand out the last output first; the next call sees the trailing bytes.
            self.end = End::Unreported;
            return Ok(Progress { status: Status::Ok, ..p });
        }
        if action == Action::Finish {
            Ok(p)
        } else {
            self.end = End::Unreported;
            Ok(Progress { status: Status::Ok, ..p })
        }
    }
}

impl Coder for AutoDecoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        let r = self.step(input, output, action);
        match &r {
            Ok(p) if p.status == Status::StreamEnd => self.end = End::Reported,
            Err(Error::MemLimit { .. } | Error::Misuse(_)) | Ok(_) => {}
            Err(_) => self.end = End::Failed,
        }
        r
    }

    fn memusage(&self) -> u64 {
        match &self.inner {
            Inner::Pending => crate::xz::backend::MEMUSAGE_BASE,
            Inner::Xz(d) => d.memusage(),
            Inner::Lzma(d) => d.memusage(),
            Inner::Lzip(d) => d.memusage(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alone::AloneEncoder;
    use crate::oneshot::run;

    fn lzma(data: &[u8]) -> Vec<u8> {
        run(&mut AloneEncoder::with_preset(0, false).unwrap(), data).unwrap()
    }

    #[test]
    fn nothing_is_consumed_after_the_reported_end() {
        for file in [lzma(b"abc"), crate::compress(b"abc", 0).unwrap()] {
            let mut d = AutoDecoder::new(DecoderOptions::default());
            let mut out = [0u8; 16];
            let p = d.code(&file, &mut out, Action::Finish).unwrap();
            assert_eq!((p.consumed, p.produced, p.status), (file.len(), 3, Status::StreamEnd));
            for action in [Action::Run, Action::Finish] {
                let p = d.code(b"\xFD7zXZ\x00more", &mut out, action).unwrap();
                assert_eq!((p.consumed, p.produced, p.status), (0, 0, Status::StreamEnd));
            }
        }
    }

    #[test]
    fn end_without_finish_waits_for_confirmation() {
        let file = lzma(b"abc");
        let mut out = [0u8; 16];
        let mut d = AutoDecoder::new(DecoderOptions::default());
        let p = d.code(&file, &mut out, Action::Run).unwrap();
        assert_eq!((p.consumed, p.produced, p.status), (file.len(), 3, Status::Ok));
        let p = d.code(&[], &mut out, Action::Run).unwrap();
        assert_eq!((p.consumed, p.status), (0, Status::Ok));
        let p = d.code(&[], &mut out, Action::Finish).unwrap();
        assert_eq!((p.consumed, p.status), (0, Status::StreamEnd));

        let mut d = AutoDecoder::new(DecoderOptions::default());
        d.code(&file, &mut out, Action::Run).unwrap();
        assert!(matches!(d.code(b"x", &mut out, Action::Finish), Err(Error::Corrupt(_))));
        assert!(matches!(d.code(&[], &mut out, Action::Finish), Err(Error::Misuse(_))));
    }

    #[test]
    fn trailing_data_in_the_same_call_keeps_the_output() {
        let mut file = lzma(b"abc");
        file.extend_from_slice(b"junk");
        let mut d = AutoDecoder::new(DecoderOptions::default());
        let mut out = [0u8; 16];
        let p = d.code(&file, &mut out, Action::Finish).unwrap();
        assert_eq!((p.consumed, p.produced, p.status), (file.len() - 4, 3, Status::Ok));
        assert_eq!(&out[..3], b"abc");
        assert!(matches!(d.code(b"junk", &mut out, Action::Finish), Err(Error::Corrupt(_))));
        // With the output already taken, the error comes at once.
        let mut d = AutoDecoder::new(DecoderOptions::default());
        let p = d.code(&file[..file.len() - 4], &mut out, Action::Run).unwrap();
        assert_eq!(p.produced, 3);
        assert!(matches!(d.code(b"junk", &mut out, Action::Finish), Err(Error::Corrupt(_))));
    }

    #[test]
    fn single_stream_leaves_what_follows() {
        let mut file = lzma(b"abc");
        let len = file.len();
        file.extend_from_slice(b"junk");
        let mut d = AutoDecoder::new(DecoderOptions::new().single_stream(true));
        let mut out = [0u8; 16];
        let p = d.code(&file, &mut out, Action::Finish).unwrap();
        assert_eq!((p.consumed, p.produced, p.status), (len, 3, Status::StreamEnd));
        let p = d.code(b"junk", &mut out, Action::Finish).unwrap();
        assert_eq!((p.consumed, p.status), (0, Status::StreamEnd));
    }
}
