//! Variable-length integers of the .xz format: 7 bits per byte, least significant first,
//! high bit set on every byte but the last, at most 9 bytes, values below 2^63, and no
//! superfluous trailing zero byte.
//!
//! ```
//! use lzma_core::xz::vli::{decode, encode};
//! let mut buf = Vec::new();
//! encode(300, &mut buf)?;
//! assert_eq!(buf, [0xAC, 0x02]); // 7 bits per byte, low bits first
//! assert_eq!(decode(&buf)?, (300, 2));
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::{Error, Result};

/// Largest value a VLI can hold (2^63 - 1).
pub const VLI_MAX: u64 = u64::MAX >> 1;

/// Most bytes a VLI may take.
pub const VLI_BYTES_MAX: usize = 9;

/// Bytes `value` takes when encoded, or `None` if it is above [`VLI_MAX`].
///
/// ```
/// use lzma_core::xz::vli::encoded_len;
/// assert_eq!(encoded_len(0), Some(1));
/// assert_eq!(encoded_len(128), Some(2));
/// assert_eq!(encoded_len(u64::MAX), None);
/// ```
pub fn encoded_len(value: u64) -> Option<usize> {
    if value > VLI_MAX {
        return None;
    }
    let mut n = 1;
    let mut v = value >> 7;
    while v != 0 {
        n += 1;
        v >>= 7;
    }
    Some(n)
}

/// Appends the encoding of `value` to `out`.
///
/// ```
/// let mut v = Vec::new();
/// lzma_core::xz::vli::encode(300, &mut v).unwrap();
/// assert_eq!(v, [0xAC, 0x02]);
/// ```
pub fn encode(value: u64, out: &mut Vec<u8>) -> Result<()> {
    if value > VLI_MAX {
        return Err(Error::Options(format!("{value} does not fit in a variable-length integer")));
    }
    let mut v = value;
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
    Ok(())
}

/// Decodes one VLI from the front of `buf`, returning the value and the bytes used.
/// A VLI that runs past `buf`, is longer than 9 bytes or ends in a zero byte is
/// [`Error::Corrupt`].
///
/// ```
/// use lzma_core::xz::vli::decode;
/// assert_eq!(decode(&[0xAC, 0x02, 0xFF]).unwrap(), (300, 2));
/// assert!(decode(&[0x80, 0x00]).is_err()); // not minimal
/// ```
pub fn decode(buf: &[u8]) -> Result<(u64, usize)> {
    let mut dec = VliDecoder::default();
    for (i, &b) in buf.iter().enumerate() {
        if let Some(v) = dec.push(b)? {
            return Ok((v, i + 1));
        }
    }
    Err(Error::Corrupt("variable-length integer is truncated"))
}

/// An incremental VLI decoder, fed one byte at a time.
///
/// ```
/// use lzma_core::xz::vli::VliDecoder;
/// let mut d = VliDecoder::default();
/// assert_eq!(d.push(0x80).unwrap(), None);
/// assert_eq!(d.push(0x01).unwrap(), Some(128));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct VliDecoder {
    value: u64,
    pos: u32,
}

impl VliDecoder {
    /// Feeds one byte; returns the value once complete.
    ///
    /// ```
    /// use lzma_core::xz::vli::VliDecoder;
    /// let mut d = VliDecoder::default();
    /// assert_eq!(d.push(0x7F)?, Some(127));
    /// let mut long = VliDecoder::default();
    /// for _ in 0..8 { assert_eq!(long.push(0x80)?, None); }
    /// assert!(long.push(0x80).is_err()); // a tenth byte would be needed
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn push(&mut self, byte: u8) -> Result<Option<u64>> {
        if self.pos as usize >= VLI_BYTES_MAX {
            return Err(Error::Corrupt("variable-length integer is too long"));
        }
        self.value |= u64::from(byte & 0x7F) << (self.pos * 7);
        self.pos += 1;
        if byte & 0x80 != 0 {
            if self.pos as usize == VLI_BYTES_MAX {
                return Err(Error::Corrupt("variable-length integer is too long"));
            }
            return Ok(None);
        }
        if byte == 0 && self.pos > 1 {
            return Err(Error::Corrupt("variable-length integer is not minimally encoded"));
        }
        let v = self.value;
        *self = VliDecoder::default();
        Ok(Some(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_edges() {
        for v in [0, 1, 127, 128, 16383, 16384, 1 << 35, VLI_MAX - 1, VLI_MAX] {
            let mut b = Vec::new();
            encode(v, &mut b).unwrap();
            assert_eq!(b.len(), encoded_len(v).unwrap());
            assert_eq!(decode(&b).unwrap(), (v, b.len()));
        }
        assert!(encode(VLI_MAX + 1, &mut Vec::new()).is_err());
    }

    #[test]
    fn malformed() {
        assert!(decode(&[]).is_err());
        assert!(decode(&[0x80]).is_err());
        assert!(decode(&[0xFF; 9]).is_err());
        assert!(decode(&[0xFF; 20]).is_err());
        assert!(decode(&[0x81, 0x80, 0x00]).is_err());
        // Nine bytes, last without the high bit: the largest value.
        let mut nine = [0xFFu8; 9];
        nine[8] = 0x7F;
        assert_eq!(decode(&nine).unwrap(), (VLI_MAX, 9));
    }
}
