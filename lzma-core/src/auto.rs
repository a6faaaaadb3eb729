//! Format detection and the auto-detecting decoder.

use crate::alone::AloneDecoder;
use crate::lzip::LzipDecoder;
use crate::stream::{Action, Coder, Progress, Status};
use crate::xz::XzDecoder;
use crate::{DecoderOptions, Error, Result};

/// A compressed file format.
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

/// Decoder that picks .xz, lzip or .lzma from the first byte, as liblzma's
/// `lzma_auto_decoder`: 0xFD starts .xz, `L` starts lzip, anything else is tried as .lzma
/// with the strict header rules. Unless `single_stream` is set, anything left after the
/// stream (other than what the format itself allows) is [`Error::Corrupt`].
///
/// ```
/// use lzma_core::{auto::{AutoDecoder, Format}, oneshot::run, DecoderOptions};
/// let xz = lzma_core::compress(b"auto", 0).unwrap();
/// let mut d = AutoDecoder::new(DecoderOptions::default());
/// assert_eq!(run(&mut d, &xz).unwrap(), b"auto");
/// assert_eq!(d.format(), Some(Format::Xz));
/// ```
pub struct AutoDecoder {
    opts: DecoderOptions,
    inner: Inner,
    finished: bool,
}

impl std::fmt::Debug for AutoDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutoDecoder").field("format", &self.format()).finish_non_exhaustive()
    }
}

impl AutoDecoder {
    /// A decoder with these options.
    pub fn new(opts: DecoderOptions) -> Self {
        AutoDecoder { opts, inner: Inner::Pending, finished: false }
    }

    /// The detected format, once the first byte has been seen.
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
    pub fn unsupported_check(&self) -> bool {
        matches!(&self.inner, Inner::Xz(d) if d.unsupported_check())
    }

    /// The underlying .xz decoder, if the input is .xz.
    pub fn xz(&self) -> Option<&XzDecoder> {
        match &self.inner {
            Inner::Xz(d) => Some(d),
            _ => None,
        }
    }
}

impl Coder for AutoDecoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
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
        if self.finished {
            if !input.is_empty() {
                return Err(Error::Corrupt("trailing data after the end of the stream"));
            }
            return Ok(Progress { consumed: 0, produced: 0, status: Status::StreamEnd });
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
        self.finished = true;
        if p.consumed < input.len() {
            return Err(Error::Corrupt("trailing data after the end of the stream"));
        }
        if action == Action::Finish {
            Ok(p)
        } else {
            Ok(Progress { status: Status::Ok, ..p })
        }
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
