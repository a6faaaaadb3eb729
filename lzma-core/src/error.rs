//! The one error type of the crate.
//!
//! Every variant maps to one of the messages XZ Utils prints (see [`Error`]'s `Display`),
//! and carries a detail for developers via [`Error::detail`].
//!
//! ```
//! use lzma_core::error::{Error, Result};
//! let r: Result<Vec<u8>> = lzma_core::decompress(b"plain text, not an .xz file");
//! assert!(matches!(r, Err(Error::Format(_))));
//! assert_eq!(r.unwrap_err().to_string(), "File format not recognized");
//! ```

use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong. `Display` prints the message XZ Utils' `xz` prints for the same condition.
///
/// ```
/// use lzma_core::Error;
/// let xz = lzma_core::compress(b"truncated", 0)?;
/// let err = lzma_core::decompress(&xz[..xz.len() - 1]).unwrap_err();
/// assert_eq!(err, Error::Truncated);
/// assert_eq!(err.to_string(), "Unexpected end of input");
/// // Errors convert to `std::io::Error` for the adapters.
/// assert_eq!(std::io::Error::from(err).kind(), std::io::ErrorKind::UnexpectedEof);
/// # Ok::<(), Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The input is not in the expected format (bad magic bytes, or no format matched).
    /// `xz`: "File format not recognized".
    Format(&'static str),
    /// The compressed data is damaged. `xz`: "Compressed data is corrupt".
    Corrupt(&'static str),
    /// The integrity check of a block does not match the decoded data.
    /// `xz`: "Compressed data is corrupt".
    CheckMismatch {
        /// The check type of the stream.
        check: crate::Check,
    },
    /// The input ended before the stream did. `xz`: "Unexpected end of input".
    Truncated,
    /// Valid but unsupported headers or options (unknown filter, reserved bits,
    /// unsupported check ID > 15...). `xz`: "Unsupported options".
    Unsupported(&'static str),
    /// Decoding needs more memory than the limit allows. `xz`: "Memory usage limit reached".
    MemLimit {
        /// Bytes the stream needs.
        needed: u64,
        /// The limit in force.
        limit: u64,
    },
    /// Invalid encoder options, or a filter chain in an invalid order. The string names the
    /// option and the problem.
    Options(String),
    /// The API was used wrongly (e.g. `code` called again after an error or after the end).
    Misuse(&'static str),
}

impl Error {
    /// A developer-facing detail, more precise than the `Display` message.
    ///
    /// ```
    /// use lzma_core::Error;
    /// let e = Error::MemLimit { needed: 100, limit: 10 };
    /// assert_eq!(e.to_string(), "Memory usage limit reached");
    /// assert_eq!(e.detail(), "100 bytes needed, limit is 10 bytes");
    /// ```
    pub fn detail(&self) -> String {
        match self {
            Error::Format(d) | Error::Corrupt(d) | Error::Unsupported(d) | Error::Misuse(d) => {
                (*d).to_string()
            }
            Error::CheckMismatch { check } => format!("{check:?} check mismatch"),
            Error::Truncated => "input ended before the end of the stream".to_string(),
            Error::MemLimit { needed, limit } => {
                format!("{needed} bytes needed, limit is {limit} bytes")
            }
            Error::Options(s) => s.clone(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Format(_) => f.write_str("File format not recognized"),
            Error::Corrupt(_) | Error::CheckMismatch { .. } => {
                f.write_str("Compressed data is corrupt")
            }
            Error::Truncated => f.write_str("Unexpected end of input"),
            Error::Unsupported(_) => f.write_str("Unsupported options"),
            Error::MemLimit { .. } => f.write_str("Memory usage limit reached"),
            Error::Options(s) => f.write_str(s),
            Error::Misuse(_) => f.write_str("Internal error (bug)"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        let kind = match e {
            Error::Truncated => std::io::ErrorKind::UnexpectedEof,
            Error::Options(_) | Error::Misuse(_) => std::io::ErrorKind::InvalidInput,
            _ => std::io::ErrorKind::InvalidData,
        };
        std::io::Error::new(kind, e)
    }
}
