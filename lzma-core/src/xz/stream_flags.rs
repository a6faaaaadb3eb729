//! Stream header and stream footer (12 bytes each).
//!
//! ```
//! use lzma_core::xz::stream_flags::{decode_footer, decode_header, encode_footer, encode_header, StreamFlags};
//! use lzma_core::Check;
//! let flags = StreamFlags::new(Check::Crc32);
//! assert_eq!(decode_header(&encode_header(flags))?, flags);
//! assert_eq!(decode_footer(&encode_footer(flags, 8)?)?.flags, flags);
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::check::{check_name, check_size, crc32, CHECK_ID_MAX};
use crate::{Check, Error, Result};

/// Size of the stream header and of the stream footer.
pub const STREAM_HEADER_SIZE: usize = 12;

/// Magic bytes that open an .xz stream.
pub const HEADER_MAGIC: [u8; 6] = [0xFD, b'7', b'z', b'X', b'Z', 0x00];

/// Magic bytes that close an .xz stream.
pub const FOOTER_MAGIC: [u8; 2] = [b'Y', b'Z'];

/// Largest index size a footer can describe (16 GiB).
pub const BACKWARD_SIZE_MAX: u64 = 1 << 34;

/// The stream flags: which check the blocks carry. Stored in both header and footer.
///
/// ```
/// use lzma_core::xz::stream_flags::StreamFlags;
/// let f = StreamFlags::new(lzma_core::Check::Crc64);
/// assert_eq!(f.check_id(), 4);
/// assert_eq!(f.check(), Some(lzma_core::Check::Crc64));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StreamFlags {
    check_id: u8,
}

impl StreamFlags {
    /// Flags for a supported check.
    ///
    /// ```
    /// use lzma_core::{xz::stream_flags::StreamFlags, Check};
    /// assert_eq!(StreamFlags::new(Check::Sha256).check_id(), 10);
    /// ```
    pub fn new(check: Check) -> Self {
        StreamFlags { check_id: check.id() }
    }

    /// Flags with a raw check ID (0..=15), reserved IDs included.
    ///
    /// ```
    /// assert!(lzma_core::xz::stream_flags::StreamFlags::from_check_id(16).is_err());
    /// ```
    pub fn from_check_id(id: u8) -> Result<Self> {
        if id > CHECK_ID_MAX {
            return Err(Error::Unsupported("check ID above 15"));
        }
        Ok(StreamFlags { check_id: id })
    }

    /// The raw check ID (0..=15).
    ///
    /// ```
    /// use lzma_core::xz::stream_flags::StreamFlags;
    /// assert_eq!(StreamFlags::from_check_id(7)?.check_id(), 7);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn check_id(self) -> u8 {
        self.check_id
    }

    /// The check if this implementation supports it.
    ///
    /// ```
    /// use lzma_core::{xz::stream_flags::StreamFlags, Check};
    /// assert_eq!(StreamFlags::from_check_id(1)?.check(), Some(Check::Crc32));
    /// assert_eq!(StreamFlags::from_check_id(2)?.check(), None); // reserved ID
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn check(self) -> Option<Check> {
        Check::from_id(self.check_id)
    }

    /// Size of each block's check field.
    ///
    /// ```
    /// use lzma_core::{xz::stream_flags::StreamFlags, Check};
    /// assert_eq!(StreamFlags::new(Check::Sha256).check_size(), 32);
    /// assert_eq!(StreamFlags::from_check_id(2)?.check_size(), 4); // reserved, but sized
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn check_size(self) -> usize {
        check_size(self.check_id).unwrap_or(0)
    }

    /// The name `xz --list` prints (`CRC64`, `Unknown-2`...).
    ///
    /// ```
    /// use lzma_core::{xz::stream_flags::StreamFlags, Check};
    /// assert_eq!(StreamFlags::new(Check::Crc64).check_name(), "CRC64");
    /// assert_eq!(StreamFlags::from_check_id(3)?.check_name(), "Unknown-3");
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn check_name(self) -> &'static str {
        check_name(self.check_id)
    }

    fn to_bytes(self) -> [u8; 2] {
        [0, self.check_id]
    }

    fn from_bytes(b: [u8; 2]) -> Result<Self> {
        if b[0] != 0 || b[1] & 0xF0 != 0 {
            return Err(Error::Unsupported("reserved bits set in the stream flags"));
        }
        Ok(StreamFlags { check_id: b[1] })
    }
}

/// Encodes a stream header.
///
/// ```
/// use lzma_core::xz::stream_flags::*;
/// let h = encode_header(StreamFlags::new(lzma_core::Check::Crc32));
/// assert_eq!(&h[..6], &HEADER_MAGIC);
/// assert_eq!(decode_header(&h).unwrap().check_id(), 1);
/// ```
pub fn encode_header(flags: StreamFlags) -> [u8; STREAM_HEADER_SIZE] {
    let mut h = [0u8; STREAM_HEADER_SIZE];
    h[..6].copy_from_slice(&HEADER_MAGIC);
    h[6..8].copy_from_slice(&flags.to_bytes());
    let crc = crc32(&h[6..8]);
    h[8..12].copy_from_slice(&crc.to_le_bytes());
    h
}

/// Decodes a stream header. Wrong magic is [`Error::Format`], a bad CRC32
/// [`Error::Corrupt`], reserved flag bits [`Error::Unsupported`].
///
/// ```
/// use lzma_core::xz::stream_flags::decode_header;
/// assert!(matches!(decode_header(&[0u8; 12]), Err(lzma_core::Error::Format(_))));
/// ```
pub fn decode_header(h: &[u8; STREAM_HEADER_SIZE]) -> Result<StreamFlags> {
    if h[..6] != HEADER_MAGIC {
        return Err(Error::Format("not an .xz stream header"));
    }
    if crc32(&h[6..8]).to_le_bytes() != h[8..12] {
        return Err(Error::Corrupt("stream header CRC32 mismatch"));
    }
    StreamFlags::from_bytes([h[6], h[7]])
}

/// A decoded stream footer.
///
/// ```
/// use lzma_core::xz::stream_flags::{decode_footer, encode_footer, StreamFlags, StreamFooter};
/// use lzma_core::Check;
/// let flags = StreamFlags::new(Check::None);
/// let footer = decode_footer(&encode_footer(flags, 16)?)?;
/// assert_eq!(footer, StreamFooter { flags, backward_size: 16 });
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamFooter {
    /// The stream flags (must equal the header's).
    pub flags: StreamFlags,
    /// Size of the index field in bytes (a multiple of 4, 4..=16 GiB).
    pub backward_size: u64,
}

/// Encodes a stream footer. `backward_size` is the index size: a multiple of 4 in
/// 4..=16 GiB.
///
/// ```
/// use lzma_core::xz::stream_flags::*;
/// let f = encode_footer(StreamFlags::new(lzma_core::Check::None), 8).unwrap();
/// assert_eq!(&f[10..], b"YZ");
/// assert_eq!(decode_footer(&f).unwrap().backward_size, 8);
/// ```
pub fn encode_footer(flags: StreamFlags, backward_size: u64) -> Result<[u8; STREAM_HEADER_SIZE]> {
    if !(4..=BACKWARD_SIZE_MAX).contains(&backward_size) || backward_size % 4 != 0 {
        return Err(Error::Options(format!("invalid backward size {backward_size}")));
    }
    let stored = u32::try_from(backward_size / 4 - 1)
        .map_err(|_| Error::Options("backward size too large".into()))?;
    let mut f = [0u8; STREAM_HEADER_SIZE];
    f[4..8].copy_from_slice(&stored.to_le_bytes());
    f[8..10].copy_from_slice(&flags.to_bytes());
    f[10..12].copy_from_slice(&FOOTER_MAGIC);
    let crc = crc32(&f[4..10]);
    f[..4].copy_from_slice(&crc.to_le_bytes());
    Ok(f)
}

/// Decodes a stream footer. Wrong magic is [`Error::Format`], a bad CRC32
/// [`Error::Corrupt`], reserved flag bits [`Error::Unsupported`].
///
/// ```
/// use lzma_core::xz::stream_flags::decode_footer;
/// assert!(matches!(decode_footer(&[0u8; 12]), Err(lzma_core::Error::Format(_))));
/// ```
pub fn decode_footer(f: &[u8; STREAM_HEADER_SIZE]) -> Result<StreamFooter> {
    if f[10..12] != FOOTER_MAGIC {
        return Err(Error::Format("not an .xz stream footer"));
    }
    if crc32(&f[4..10]).to_le_bytes() != f[..4] {
        return Err(Error::Corrupt("stream footer CRC32 mismatch"));
    }
    let flags = StreamFlags::from_bytes([f[8], f[9]])?;
    let stored = u32::from_le_bytes([f[4], f[5], f[6], f[7]]);
    let backward_size = (u64::from(stored) + 1) * 4;
    Ok(StreamFooter { flags, backward_size })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_roundtrip_and_damage() {
        for id in 0..=15u8 {
            let fl = StreamFlags::from_check_id(id).unwrap();
            let h = encode_header(fl);
            assert_eq!(decode_header(&h).unwrap(), fl);
        }
        let h = encode_header(StreamFlags::new(Check::Crc64));
        let mut bad = h;
        bad[0] ^= 1;
        assert!(matches!(decode_header(&bad), Err(Error::Format(_))));
        let mut bad = h;
        bad[9] ^= 1;
        assert!(matches!(decode_header(&bad), Err(Error::Corrupt(_))));
        // Reserved bits with a matching CRC: unsupported.
        let mut bad = h;
        bad[7] = 0x14;
        let crc = crc32(&bad[6..8]).to_le_bytes();
        bad[8..12].copy_from_slice(&crc);
        assert!(matches!(decode_header(&bad), Err(Error::Unsupported(_))));
        let mut bad = h;
        bad[6] = 1;
        let crc = crc32(&bad[6..8]).to_le_bytes();
        bad[8..12].copy_from_slice(&crc);
        assert!(matches!(decode_header(&bad), Err(Error::Unsupported(_))));
    }

    #[test]
    fn footer_roundtrip_and_damage() {
        let fl = StreamFlags::new(Check::Sha256);
        for bs in [4u64, 8, 1 << 20, BACKWARD_SIZE_MAX] {
            let f = encode_footer(fl, bs).unwrap();
            assert_eq!(decode_footer(&f).unwrap(), StreamFooter { flags: fl, backward_size: bs });
        }
        assert!(encode_footer(fl, 0).is_err());
        assert!(encode_footer(fl, 6).is_err());
        assert!(encode_footer(fl, BACKWARD_SIZE_MAX + 4).is_err());
        let f = encode_footer(fl, 8).unwrap();
        let mut bad = f;
        bad[10] = b'X';
        assert!(matches!(decode_footer(&bad), Err(Error::Format(_))));
        let mut bad = f;
        bad[5] ^= 0x40;
        assert!(matches!(decode_footer(&bad), Err(Error::Corrupt(_))));
    }
}
