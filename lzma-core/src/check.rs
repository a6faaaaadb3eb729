//! Integrity checks: None, CRC32, CRC64, SHA-256.
//!
//! An .xz stream names one check type in its stream flags (an ID from 0 to 15). IDs 0, 1, 4
//! and 10 are the ones defined today ([`Check`]); the others are reserved but valid, and their
//! size is fixed by the format, so a decoder can skip them without verifying
//! ([`check_size`]).
//!
//! ```
//! use lzma_core::check::{crc32, CheckState};
//! use lzma_core::Check;
//! let mut c = CheckState::new(Check::Crc32);
//! c.update(b"123456789");
//! assert_eq!(c.finish(), crc32(b"123456789").to_le_bytes());
//! ```

use sha2::Digest;

/// Largest check ID the .xz format allows.
pub const CHECK_ID_MAX: u8 = 15;

/// Largest check field in bytes (IDs 13 to 15).
pub const CHECK_SIZE_MAX: usize = 64;

/// The integrity check type of an .xz stream.
///
/// ```
/// use lzma_core::Check;
/// assert_eq!(Check::from_id(4), Some(Check::Crc64));
/// assert_eq!(Check::Sha256.size(), 32);
/// assert_eq!(Check::Crc32.name(), "CRC32");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    /// No check (ID 0).
    None,
    /// CRC32 (ID 1).
    Crc32,
    /// CRC64 (ID 4).
    Crc64,
    /// SHA-256 (ID 10).
    Sha256,
}

impl Default for Check {
    /// CRC64, the default of `xz`.
    fn default() -> Self {
        Check::Crc64
    }
}

impl Check {
    /// The check ID stored in the stream flags.
    ///
    /// ```
    /// assert_eq!(lzma_core::Check::Sha256.id(), 10);
    /// ```
    pub fn id(self) -> u8 {
        match self {
            Check::None => 0,
            Check::Crc32 => 1,
            Check::Crc64 => 4,
            Check::Sha256 => 10,
        }
    }

    /// The supported check with this ID, or `None` for reserved and invalid IDs.
    ///
    /// ```
    /// use lzma_core::Check;
    /// assert_eq!(Check::from_id(0), Some(Check::None));
    /// assert_eq!(Check::from_id(2), None);
    /// ```
    pub fn from_id(id: u8) -> Option<Check> {
        match id {
            0 => Some(Check::None),
            1 => Some(Check::Crc32),
            4 => Some(Check::Crc64),
            10 => Some(Check::Sha256),
            _ => None,
        }
    }

    /// Size of the check field in bytes.
    ///
    /// ```
    /// assert_eq!(lzma_core::Check::Crc32.size(), 4);
    /// ```
    pub fn size(self) -> usize {
        match self {
            Check::None => 0,
            Check::Crc32 => 4,
            Check::Crc64 => 8,
            Check::Sha256 => 32,
        }
    }

    /// The name `xz --list` prints for this check.
    ///
    /// ```
    /// assert_eq!(lzma_core::Check::Crc64.name(), "CRC64");
    /// ```
    pub fn name(self) -> &'static str {
        check_name(self.id())
    }
}

/// Size in bytes of the check field for any check ID 0..=15 (reserved IDs included), or
/// `None` for IDs above 15.
///
/// ```
/// use lzma_core::check::check_size;
/// assert_eq!(check_size(2), Some(4));
/// assert_eq!(check_size(13), Some(64));
/// assert_eq!(check_size(16), None);
/// ```
pub fn check_size(id: u8) -> Option<usize> {
    const SIZES: [u8; 16] = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];
    SIZES.get(usize::from(id)).map(|&s| usize::from(s))
}

/// The name `xz --list` uses for a check ID: `None`, `CRC32`, `CRC64`, `SHA-256`, or
/// `Unknown-N` for reserved IDs.
///
/// ```
/// use lzma_core::check::check_name;
/// assert_eq!(check_name(10), "SHA-256");
/// assert_eq!(check_name(3), "Unknown-3");
/// ```
pub fn check_name(id: u8) -> &'static str {
    const NAMES: [&str; 16] = [
        "None", "CRC32", "Unknown-2", "Unknown-3", "CRC64", "Unknown-5", "Unknown-6",
        "Unknown-7", "Unknown-8", "Unknown-9", "SHA-256", "Unknown-11", "Unknown-12",
        "Unknown-13", "Unknown-14", "Unknown-15",
    ];
    NAMES.get(usize::from(id)).copied().unwrap_or("Unknown")
}

/// A running integrity check over decoded (or to-be-encoded) data.
///
/// ```
/// use lzma_core::{check::CheckState, Check};
/// let mut st = CheckState::new(Check::Crc32);
/// st.update(b"123456789");
/// assert_eq!(st.finish(), 0xCBF4_3926u32.to_le_bytes().to_vec());
/// ```
#[derive(Clone)]
pub struct CheckState {
    inner: CheckInner,
}

#[derive(Clone)]
enum CheckInner {
    None,
    Crc32(crc32fast::Hasher),
    Crc64(crc64fast::Digest),
    Sha256(Box<sha2::Sha256>),
}

impl std::fmt::Debug for CheckState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckState").field("check", &self.check()).finish()
    }
}

impl CheckState {
    /// Starts a check of the given type.
    ///
    /// ```
    /// use lzma_core::{check::CheckState, Check};
    /// assert_eq!(CheckState::new(Check::Sha256).finish().len(), 32);
    /// ```
    pub fn new(check: Check) -> Self {
        let inner = match check {
            Check::None => CheckInner::None,
            Check::Crc32 => CheckInner::Crc32(crc32fast::Hasher::new()),
            Check::Crc64 => CheckInner::Crc64(crc64fast::Digest::new()),
            Check::Sha256 => CheckInner::Sha256(Box::default()),
        };
        CheckState { inner }
    }

    /// The check type.
    ///
    /// ```
    /// use lzma_core::{check::CheckState, Check};
    /// assert_eq!(CheckState::new(Check::Crc64).check(), Check::Crc64);
    /// ```
    pub fn check(&self) -> Check {
        match self.inner {
            CheckInner::None => Check::None,
            CheckInner::Crc32(_) => Check::Crc32,
            CheckInner::Crc64(_) => Check::Crc64,
            CheckInner::Sha256(_) => Check::Sha256,
        }
    }

    /// Feeds data.
    ///
    /// ```
    /// use lzma_core::{check::CheckState, Check};
    /// let mut c = CheckState::new(Check::Crc32);
    /// c.update(b"1234");
    /// c.update(b"56789");
    /// assert_eq!(c.finish(), 0xCBF4_3926u32.to_le_bytes()); // CRC32 of "123456789"
    /// ```
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.inner {
            CheckInner::None => {}
            CheckInner::Crc32(h) => h.update(data),
            CheckInner::Crc64(h) => h.write(data),
            CheckInner::Sha256(h) => h.update(data),
        }
    }

    /// The check field as stored in an .xz block (CRCs little endian), resetting nothing.
    ///
    /// ```
    /// use lzma_core::{check::CheckState, Check};
    /// let mut c = CheckState::new(Check::Crc64);
    /// c.update(b"123456789");
    /// assert_eq!(c.finish(), 0x995D_C9BB_DF19_39FAu64.to_le_bytes());
    /// assert_eq!(CheckState::new(Check::None).finish(), b"");
    /// ```
    pub fn finish(&self) -> Vec<u8> {
        match &self.inner {
            CheckInner::None => Vec::new(),
            CheckInner::Crc32(h) => h.clone().finalize().to_le_bytes().to_vec(),
            CheckInner::Crc64(h) => h.sum64().to_le_bytes().to_vec(),
            CheckInner::Sha256(h) => h.as_ref().clone().finalize().to_vec(),
        }
    }
}

/// CRC32 (as in .xz headers, index, lzip trailers) of `data`.
///
/// ```
/// assert_eq!(lzma_core::check::crc32(b"123456789"), 0xCBF4_3926);
/// ```
pub fn crc32(data: &[u8]) -> u32 {
    crc32fast::hash(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let mut c = CheckState::new(Check::Crc64);
        c.update(b"1234");
        c.update(b"56789");
        assert_eq!(c.finish(), 0x995D_C9BB_DF19_39FAu64.to_le_bytes().to_vec());
        let mut s = CheckState::new(Check::Sha256);
        s.update(b"abc");
        let d = s.finish();
        assert_eq!(&d[..4], &[0xBA, 0x78, 0x16, 0xBF]);
        assert!(CheckState::new(Check::None).finish().is_empty());
    }

    #[test]
    fn ids_sizes_names() {
        for c in [Check::None, Check::Crc32, Check::Crc64, Check::Sha256] {
            assert_eq!(Check::from_id(c.id()), Some(c));
            assert_eq!(check_size(c.id()), Some(c.size()));
        }
        for id in 0..=255u8 {
            assert_eq!(check_size(id).is_some(), id <= CHECK_ID_MAX);
        }
        assert_eq!(check_name(200), "Unknown");
    }
}
