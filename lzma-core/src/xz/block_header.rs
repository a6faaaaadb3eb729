//! Block headers: size, flags, optional compressed and uncompressed sizes, filter flags,
//! zero padding and CRC32.
//!
//! ```
//! use lzma_core::xz::block_header::{header_size_from_byte, BlockHeader};
//! use lzma_core::{Filter, LzmaOptions};
//! let bytes = BlockHeader::new(vec![Filter::Lzma2(LzmaOptions::preset(0, false)?)]).encode()?;
//! assert_eq!(header_size_from_byte(bytes[0]), Some(bytes.len()));
//! let back = BlockHeader::decode(&bytes, 4)?;
//! assert_eq!((back.compressed_size, back.uncompressed_size), (None, None));
//! # Ok::<(), lzma_core::Error>(())
//! ```

use super::backend;
use super::vli::{self, VLI_MAX};
use crate::check::{check_size, crc32};
use crate::filter::Filter;
use crate::{Error, Result};

/// Smallest block header.
pub const BLOCK_HEADER_SIZE_MIN: usize = 8;
/// Largest block header.
pub const BLOCK_HEADER_SIZE_MAX: usize = 1024;
/// Most filters in a chain.
pub const FILTERS_MAX: usize = 4;
/// Largest unpadded size of a block (header + data + check), as liblzma.
pub const UNPADDED_SIZE_MAX: u64 = VLI_MAX & !3;
/// Smallest unpadded size of a block.
pub const UNPADDED_SIZE_MIN: u64 = 5;
/// Filter IDs from here on are reserved and make a header corrupt.
const FILTER_ID_RESERVED_START: u64 = 1 << 62;

/// The real size of a block header from its first byte (`None` for 0x00, the index
/// indicator).
///
/// ```
/// use lzma_core::xz::block_header::header_size_from_byte;
/// assert_eq!(header_size_from_byte(0x02), Some(12));
/// assert_eq!(header_size_from_byte(0x00), None);
/// ```
pub fn header_size_from_byte(b: u8) -> Option<usize> {
    if b == 0 {
        None
    } else {
        Some((usize::from(b) + 1) * 4)
    }
}

/// One filter as stored in a block header: its ID and raw properties.
///
/// ```
/// use lzma_core::xz::block_header::BlockHeader;
/// use lzma_core::{filter::ID_LZMA2, Filter, LzmaOptions};
/// let bytes = BlockHeader::new(vec![Filter::Lzma2(LzmaOptions::preset(0, false)?)]).encode()?;
/// let back = BlockHeader::decode(&bytes, 4)?;
/// assert_eq!(back.filter_flags[0].id, ID_LZMA2);
/// assert_eq!(back.filter_flags[0].props, [12]); // 256 KiB = 2^(12 / 2 + 12)
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterFlags {
    /// The filter ID.
    pub id: u64,
    /// The properties bytes.
    pub props: Vec<u8>,
}

/// A decoded (or to-be-encoded) block header.
///
/// ```
/// use lzma_core::xz::block_header::BlockHeader;
/// use lzma_core::{Filter, LzmaOptions};
/// let mut h = BlockHeader::new(vec![Filter::Lzma2(LzmaOptions::preset(6, false).unwrap())]);
/// h.compressed_size = Some(100);
/// h.uncompressed_size = Some(1000);
/// let bytes = h.encode().unwrap();
/// assert_eq!(bytes.len(), 12);
/// let back = BlockHeader::decode(&bytes, 4).unwrap();
/// assert_eq!(back.compressed_size, Some(100));
/// assert_eq!(back.flags_string(), "cu");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockHeader {
    /// Size of the header in bytes (a multiple of 4 in 8..=1024). When encoding, `0` means
    /// the smallest size that fits.
    pub header_size: usize,
    /// Compressed size, if stored.
    pub compressed_size: Option<u64>,
    /// Uncompressed size, if stored.
    pub uncompressed_size: Option<u64>,
    /// The filter chain.
    pub filters: Vec<Filter>,
    /// The filters as stored (ID and raw properties), filled in by `decode`.
    pub filter_flags: Vec<FilterFlags>,
}

impl BlockHeader {
    /// A header for `filters` with no sizes and the smallest size.
    ///
    /// ```
    /// use lzma_core::xz::block_header::BlockHeader;
    /// use lzma_core::{Filter, LzmaOptions};
    /// let h = BlockHeader::new(vec![Filter::Delta { distance: 2 }, Filter::Lzma2(LzmaOptions::default())]);
    /// assert_eq!((h.header_size, h.compressed_size, h.uncompressed_size), (0, None, None));
    /// assert_eq!(h.filters.len(), 2);
    /// ```
    pub fn new(filters: Vec<Filter>) -> Self {
        BlockHeader {
            header_size: 0,
            compressed_size: None,
            uncompressed_size: None,
            filters,
            filter_flags: Vec::new(),
        }
    }

    /// The `xz -lvv` flags column: `c` if the compressed size is stored, `u` if the
    /// uncompressed size is, `-` otherwise.
    ///
    /// ```
    /// use lzma_core::xz::block_header::BlockHeader;
    /// use lzma_core::{Filter, LzmaOptions};
    /// let mut h = BlockHeader::new(vec![Filter::Lzma2(LzmaOptions::default())]);
    /// assert_eq!(h.flags_string(), "--");
    /// h.uncompressed_size = Some(10);
    /// assert_eq!(h.flags_string(), "-u");
    /// ```
    pub fn flags_string(&self) -> String {
        let mut s = String::new();
        s.push(if self.compressed_size.is_some() { 'c' } else { '-' });
        s.push(if self.uncompressed_size.is_some() { 'u' } else { '-' });
        s
    }

    fn encoded_filter_flags(&self) -> Result<Vec<(u64, Vec<u8>)>> {
        if self.filters.is_empty() || self.filters.len() > FILTERS_MAX {
            return Err(Error::Options("a block needs one to four filters".into()));
        }
        self.filters.iter().map(backend::props_encode).collect()
    }

    /// The smallest header size that holds this header's fields.
    ///
    /// ```
    /// use lzma_core::xz::block_header::BlockHeader;
    /// use lzma_core::{Filter, LzmaOptions};
    /// let mut h = BlockHeader::new(vec![Filter::Lzma2(LzmaOptions::default())]);
    /// assert_eq!(h.min_size()?, 12);
    /// h.compressed_size = Some(1 << 40);
    /// h.uncompressed_size = Some(1 << 40);
    /// assert_eq!(h.min_size()?, 24); // two 6-byte sizes
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn min_size(&self) -> Result<usize> {
        let flags = self.encoded_filter_flags()?;
        self.min_size_with(&flags)
    }

    fn min_size_with(&self, flags: &[(u64, Vec<u8>)]) -> Result<usize> {
        let bad = || Error::Options("block size does not fit in a variable-length integer".into());
        let mut size = 2 + 4;
        for s in [self.compressed_size, self.uncompressed_size].into_iter().flatten() {
            size += vli::encoded_len(s).ok_or_else(bad)?;
        }
        for (id, props) in flags {
            size += vli::encoded_len(*id).ok_or_else(bad)?;
            size += vli::encoded_len(props.len() as u64).ok_or_else(bad)?;
            size += props.len();
        }
        let size = (size + 3) & !3;
        if size > BLOCK_HEADER_SIZE_MAX {
            return Err(Error::Options("block header would be larger than 1024 bytes".into()));
        }
        Ok(size)
    }

    /// Encodes the header, padded to `header_size` (or the smallest size if that is 0).
    ///
    /// ```
    /// use lzma_core::xz::block_header::BlockHeader;
    /// use lzma_core::{Filter, LzmaOptions};
    /// let mut h = BlockHeader::new(vec![Filter::Lzma2(LzmaOptions::default())]);
    /// h.header_size = 16; // room to spare, filled with zero padding
    /// let bytes = h.encode()?;
    /// assert_eq!((bytes.len(), bytes[0]), (16, 16 / 4 - 1));
    /// h.header_size = 6;
    /// assert!(h.encode().is_err()); // too small and misaligned
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn encode(&self) -> Result<Vec<u8>> {
        if self.compressed_size == Some(0) {
            return Err(Error::Options("a block cannot have a compressed size of 0".into()));
        }
        let flags = self.encoded_filter_flags()?;
        let min = self.min_size_with(&flags)?;
        let size = if self.header_size == 0 { min } else { self.header_size };
        if size < min || size > BLOCK_HEADER_SIZE_MAX || size % 4 != 0 {
            return Err(Error::Options("block header size is too small or misaligned".into()));
        }
        let mut out = Vec::with_capacity(size);
        out.push((size / 4 - 1) as u8);
        let mut fl = (flags.len() - 1) as u8;
        if self.compressed_size.is_some() {
            fl |= 0x40;
        }
        if self.uncompressed_size.is_some() {
            fl |= 0x80;
        }
        out.push(fl);
        for s in [self.compressed_size, self.uncompressed_size].into_iter().flatten() {
            vli::encode(s, &mut out)?;
        }
        for (id, props) in &flags {
            vli::encode(*id, &mut out)?;
            vli::encode(props.len() as u64, &mut out)?;
            out.extend_from_slice(props);
        }
        out.resize(size - 4, 0);
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        Ok(out)
    }

    /// Decodes a whole block header (`buf.len()` must be the size its first byte gives).
    /// `check_id` is the stream's check (needed to validate the compressed size).
    ///
    /// A bad CRC32 or an impossible size is [`Error::Corrupt`]; reserved flag bits,
    /// non-zero padding and unknown filters are [`Error::Unsupported`].
    ///
    /// ```
    /// use lzma_core::xz::block_header::BlockHeader;
    /// use lzma_core::{Error, Filter, LzmaOptions};
    /// let mut bytes = BlockHeader::new(vec![Filter::Lzma2(LzmaOptions::default())]).encode()?;
    /// assert_eq!(BlockHeader::decode(&bytes, 4)?.filters, [Filter::Lzma2(LzmaOptions::default())]);
    /// bytes[11] ^= 1; // damage the CRC32
    /// assert!(matches!(BlockHeader::decode(&bytes, 4), Err(Error::Corrupt(_))));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn decode(buf: &[u8], check_id: u8) -> Result<BlockHeader> {
        let size = buf.first().and_then(|&b| header_size_from_byte(b));
        if size != Some(buf.len()) {
            return Err(Error::Corrupt("block header size does not match"));
        }
        let body_len = buf.len() - 4;
        let (body, crc) = buf.split_at(body_len);
        if crc32(body).to_le_bytes() != crc {
            return Err(Error::Corrupt("block header CRC32 mismatch"));
        }
        let flags = body[1];
        if flags & 0x3C != 0 {
            return Err(Error::Unsupported("reserved bits set in the block flags"));
        }
        let mut pos = 2;
        let next_vli = |pos: &mut usize| -> Result<u64> {
            let (v, n) = vli::decode(&body[*pos..])?;
            *pos += n;
            Ok(v)
        };
        let check = check_size(check_id).ok_or(Error::Unsupported("check ID above 15"))? as u64;
        let compressed_size = if flags & 0x40 != 0 {
            let c = next_vli(&mut pos)?;
            let unpadded = c.checked_add(buf.len() as u64 + check);
            if c == 0 || unpadded.map_or(true, |u| u > UNPADDED_SIZE_MAX) {
                return Err(Error::Corrupt("invalid compressed size in the block header"));
            }
            Some(c)
        } else {
            None
        };
        let uncompressed_size = if flags & 0x80 != 0 { Some(next_vli(&mut pos)?) } else { None };
        let count = usize::from(flags & 3) + 1;
        let mut filter_flags = Vec::with_capacity(count);
        for _ in 0..count {
            let id = next_vli(&mut pos)?;
            if id >= FILTER_ID_RESERVED_START {
                return Err(Error::Corrupt("reserved filter ID in the block header"));
            }
            let props_len = next_vli(&mut pos)?;
            let avail = (body_len - pos) as u64;
            if props_len > avail {
                return Err(Error::Corrupt("filter properties run past the block header"));
            }
            let props = body[pos..pos + props_len as usize].to_vec();
            pos += props_len as usize;
            filter_flags.push(FilterFlags { id, props });
        }
        if body[pos..].iter().any(|&b| b != 0) {
            return Err(Error::Unsupported("non-zero padding in the block header"));
        }
        let filters = filter_flags
            .iter()
            .map(|f| backend::props_decode(f.id, &f.props))
            .collect::<Result<Vec<_>>>()?;
        Ok(BlockHeader {
            header_size: buf.len(),
            compressed_size,
            uncompressed_size,
            filters,
            filter_flags,
        })
    }
}

/// The unpadded size of a block (header + compressed data + check), checked against
/// liblzma's limits.
///
/// ```
/// use lzma_core::xz::block_header::unpadded_size;
/// assert_eq!(unpadded_size(12, 100, 4)?, 12 + 100 + 8); // CRC64: 8 bytes of check
/// assert!(unpadded_size(12, u64::MAX, 4).is_err());
/// # Ok::<(), lzma_core::Error>(())
/// ```
pub fn unpadded_size(header_size: usize, compressed_size: u64, check_id: u8) -> Result<u64> {
    let check = check_size(check_id).ok_or(Error::Unsupported("check ID above 15"))? as u64;
    compressed_size
        .checked_add(header_size as u64)
        .and_then(|v| v.checked_add(check))
        .filter(|&v| v <= UNPADDED_SIZE_MAX)
        .ok_or(Error::Corrupt("block is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::LzmaOptions;

    fn lzma2() -> Filter {
        Filter::Lzma2(LzmaOptions::preset(6, false).unwrap())
    }

    fn reseal(b: &mut [u8]) {
        let n = b.len() - 4;
        let crc = crc32(&b[..n]).to_le_bytes();
        b[n..].copy_from_slice(&crc);
    }

    #[test]
    fn roundtrip_sizes() {
        for (c, u) in [(None, None), (Some(1), None), (None, Some(0)), (Some(1 << 40), Some(1 << 50))]
        {
            let mut h = BlockHeader::new(vec![lzma2()]);
            h.compressed_size = c;
            h.uncompressed_size = u;
            let b = h.encode().unwrap();
            assert_eq!(b.len() % 4, 0);
            let d = BlockHeader::decode(&b, 1).unwrap();
            assert_eq!((d.compressed_size, d.uncompressed_size), (c, u));
            assert_eq!(d.filter_flags, vec![FilterFlags { id: 0x21, props: vec![22] }]);
        }
        let plain = BlockHeader::new(vec![lzma2()]).encode().unwrap();
        assert_eq!(plain[..8], [0x02, 0x00, 0x21, 0x01, 0x16, 0x00, 0x00, 0x00]);
    }

    #[test]
    fn padded_header() {
        let mut h = BlockHeader::new(vec![lzma2()]);
        h.header_size = 20;
        let b = h.encode().unwrap();
        assert_eq!(b.len(), 20);
        assert_eq!(BlockHeader::decode(&b, 4).unwrap().header_size, 20);
        h.header_size = 4;
        assert!(h.encode().is_err());
    }

    #[test]
    fn malformed() {
        let good = BlockHeader::new(vec![lzma2()]).encode().unwrap();
        // CRC
        let mut b = good.clone();
        b[4] ^= 1;
        assert!(matches!(BlockHeader::decode(&b, 1), Err(Error::Corrupt(_))));
        // Reserved flags
        let mut b = good.clone();
        b[1] |= 0x04;
        reseal(&mut b);
        assert!(matches!(BlockHeader::decode(&b, 1), Err(Error::Unsupported(_))));
        // Non-zero padding
        let mut b = good.clone();
        b[6] = 1;
        reseal(&mut b);
        assert!(matches!(BlockHeader::decode(&b, 1), Err(Error::Unsupported(_))));
        // Properties past the end
        let mut b = good.clone();
        b[3] = 9;
        reseal(&mut b);
        assert!(matches!(BlockHeader::decode(&b, 1), Err(Error::Corrupt(_))));
        // Compressed size 0
        let mut b = good.clone();
        b[1] = 0x40;
        b[2..8].copy_from_slice(&[0x00, 0x21, 0x01, 0x16, 0, 0]);
        reseal(&mut b);
        assert!(matches!(BlockHeader::decode(&b, 1), Err(Error::Corrupt(_))));
        // Four filters declared, header too short for them
        let mut b = good.clone();
        b[1] = 0x03;
        reseal(&mut b);
        assert!(BlockHeader::decode(&b, 1).is_err());
        // Unknown filter
        let mut b = good.clone();
        b[2] = 0x7F;
        reseal(&mut b);
        assert!(matches!(BlockHeader::decode(&b, 1), Err(Error::Unsupported(_))));
        // Reserved filter ID
        let mut b = vec![0x03, 0x00];
        b.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00]);
        b.resize(12, 0);
        reseal(&mut b);
        assert!(matches!(BlockHeader::decode(&b, 1), Err(Error::Corrupt(_))));
        // Size byte mismatch
        assert!(BlockHeader::decode(&good[..8], 1).is_err());
        assert!(BlockHeader::decode(&[], 1).is_err());
    }

    #[test]
    fn unpadded_limits() {
        assert_eq!(unpadded_size(12, 100, 4).unwrap(), 120);
        assert!(unpadded_size(12, UNPADDED_SIZE_MAX, 4).is_err());
        assert!(unpadded_size(12, u64::MAX, 0).is_err());
    }
}
