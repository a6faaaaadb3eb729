//! Filter IDs and properties as stored in .xz block headers, and the 5-byte LZMA1
//! properties of .lzma files and raw streams.
//!
//! ```
//! use lzma_core::filter::props::{decode, encode};
//! use lzma_core::Filter;
//! let delta = Filter::Delta { distance: 4 };
//! let (id, props) = encode(&delta)?;
//! assert_eq!((id, &props[..]), (0x03, &[3u8][..])); // distance - 1
//! assert_eq!(decode(id, &props)?, delta);
//! # Ok::<(), lzma_core::Error>(())
//! ```

use super::delta::{DISTANCE_MAX, DISTANCE_MIN};
use super::{BcjArch, Filter, ID_DELTA, ID_LZMA1, ID_LZMA2};
use crate::lzma::{LzmaOptions, LzmaProps, DICT_SIZE_MIN, LCLP_MAX, PB_MAX};
use crate::{Error, Result};

/// The LZMA2 dictionary-size byte for `dict_size`: the smallest size of the form 2^n or
/// 2^n + 2^(n-1) (from 4 KiB up) that is at least `dict_size`, as liblzma writes it.
///
/// ```
/// use lzma_core::filter::props::lzma2_dict_byte;
/// assert_eq!(lzma2_dict_byte(4096), 0);          // 4 KiB
/// assert_eq!(lzma2_dict_byte(8 << 20), 22);      // 8 MiB
/// assert_eq!(lzma2_dict_byte((8 << 20) + 1), 23); // rounds up to 12 MiB
/// assert_eq!(lzma2_dict_byte(u32::MAX), 40);
/// ```
pub fn lzma2_dict_byte(dict_size: u32) -> u8 {
    let d = dict_size.max(DICT_SIZE_MIN);
    // The smallest 2^n >= d, and whether 1.5 × 2^(n-1) already suffices.
    let bits = 32 - (d - 1).leading_zeros(); // 2^bits >= d
    if bits >= 32 {
        // d > 2^31: 3 × 2^30 covers up to 3 GiB, beyond that only "4 GiB - 1" (40).
        return if d <= 3 << 30 { 39 } else { 40 };
    }
    let half_step = 3u32 << (bits - 2); // 2^(bits-1) + 2^(bits-2)
    let n = bits - 12; // 2^12 is byte 0
    if d <= half_step {
        (2 * n - 1) as u8
    } else {
        (2 * n) as u8
    }
}

/// The dictionary size an LZMA2 dictionary-size byte stands for.
///
/// Errors: [`Error::Unsupported`] for values above 40 (liblzma `LZMA_OPTIONS_ERROR`).
///
/// ```
/// use lzma_core::filter::props::lzma2_dict_size;
/// assert_eq!(lzma2_dict_size(0).unwrap(), 4096);
/// assert_eq!(lzma2_dict_size(1).unwrap(), 6144);
/// assert_eq!(lzma2_dict_size(40).unwrap(), u32::MAX);
/// assert!(lzma2_dict_size(41).is_err());
/// ```
pub fn lzma2_dict_size(byte: u8) -> Result<u32> {
    match byte {
        0..=39 => Ok((2 | u32::from(byte & 1)) << (byte / 2 + 11)),
        40 => Ok(u32::MAX),
        _ => Err(Error::Unsupported("LZMA2 dictionary size byte is above 40")),
    }
}

/// The 5 LZMA1 property bytes: `(pb * 5 + lp) * 9 + lc`, then the dictionary size as a
/// 32-bit little-endian integer (as in .lzma headers).
///
/// Errors: [`Error::Options`] if `lc`, `lp` or `pb` is out of range.
///
/// ```
/// use lzma_core::{filter::props::lzma1_encode, LzmaOptions};
/// let o = LzmaOptions::preset(6, false).unwrap();
/// assert_eq!(lzma1_encode(&o).unwrap(), [0x5D, 0x00, 0x00, 0x80, 0x00]);
/// ```
pub fn lzma1_encode(opts: &LzmaOptions) -> Result<[u8; 5]> {
    if opts.lc > LCLP_MAX || opts.lp > LCLP_MAX || opts.lc + opts.lp > LCLP_MAX {
        return Err(Error::Options(
            "The sum of lc and lp must not exceed 4".into(),
        ));
    }
    if opts.pb > PB_MAX {
        return Err(Error::Options("pb must be in the range [0, 4]".into()));
    }
    let mut out = [0u8; 5];
    out[0] = opts.props().to_byte();
    out[1..].copy_from_slice(&opts.dict_size.to_le_bytes());
    Ok(out)
}

/// Decodes 5 LZMA1 property bytes into options (the encoder-only fields take preset 6's
/// values). liblzma accepts any dictionary size here, even 0.
///
/// Errors: [`Error::Unsupported`] if the size is not 5 or the properties byte is above
/// 224 or has `lc + lp > 4`.
///
/// ```
/// use lzma_core::filter::props::lzma1_decode;
/// let o = lzma1_decode(&[0x5D, 0x00, 0x00, 0x80, 0x00]).unwrap();
/// assert_eq!((o.lc, o.lp, o.pb, o.dict_size), (3, 0, 2, 8 << 20));
/// ```
pub fn lzma1_decode(props: &[u8]) -> Result<LzmaOptions> {
    let p: &[u8; 5] = props
        .try_into()
        .map_err(|_| Error::Unsupported("LZMA1 properties are not 5 bytes"))?;
    let lclppb = LzmaProps::from_byte(p[0])
        .map_err(|_| Error::Unsupported("LZMA1 properties byte is out of range"))?;
    if lclppb.lc + lclppb.lp > LCLP_MAX {
        return Err(Error::Unsupported("LZMA1 properties have lc + lp > 4"));
    }
    Ok(LzmaOptions {
        lc: lclppb.lc,
        lp: lclppb.lp,
        pb: lclppb.pb,
        dict_size: u32::from_le_bytes([p[1], p[2], p[3], p[4]]),
        ..LzmaOptions::default()
    })
}

/// The Filter ID and properties of `filter` as written in a .xz block header (LZMA1 gets
/// liblzma's LZMA1 ID and its 5 property bytes, usable in raw chains only).
///
/// - LZMA2: one byte, the dictionary size rounded up ([`lzma2_dict_byte`]).
/// - Delta: one byte, distance − 1.
/// - BCJ: nothing, or the start offset as 4 bytes little endian when it is not 0.
///
/// Errors: [`Error::Options`] for a Delta distance outside 1..=256 or bad `lc`/`lp`/`pb`
/// in LZMA1.
///
/// ```
/// use lzma_core::filter::{props, Filter, BcjArch};
/// assert_eq!(props::encode(&Filter::Delta { distance: 4 }).unwrap(), (0x03, vec![3]));
/// let arm = Filter::Bcj { arch: BcjArch::Arm, start_offset: 0x100 };
/// assert_eq!(props::encode(&arm).unwrap(), (0x07, vec![0x00, 0x01, 0x00, 0x00]));
/// ```
pub fn encode(filter: &Filter) -> Result<(u64, Vec<u8>)> {
    Ok(match filter {
        Filter::Lzma1(o) => (ID_LZMA1, lzma1_encode(o)?.to_vec()),
        Filter::Lzma2(o) => (ID_LZMA2, vec![lzma2_dict_byte(o.dict_size)]),
        Filter::Delta { distance } => {
            if !(DISTANCE_MIN..=DISTANCE_MAX).contains(distance) {
                return Err(Error::Options(
                    "Delta distance must be in the range [1, 256]".into(),
                ));
            }
            (ID_DELTA, vec![(distance - 1) as u8])
        }
        Filter::Bcj { arch, start_offset } => {
            let props = if *start_offset == 0 {
                Vec::new()
            } else {
                start_offset.to_le_bytes().to_vec()
            };
            (arch.filter_id(), props)
        }
    })
}

/// The filter for a Filter ID and its properties, validated as liblzma does.
///
/// LZMA2 and LZMA1 options other than the stored ones take preset 6's values.
///
/// Errors: [`Error::Unsupported`] for an unknown Filter ID, properties of the wrong size
/// (LZMA2 and Delta 1 byte, BCJ 0 or 4 bytes, LZMA1 5 bytes), LZMA2's reserved bits
/// (0xC0) or a dictionary byte above 40, or bad LZMA1 properties.
///
/// ```
/// use lzma_core::filter::{props, Filter};
/// assert_eq!(props::decode(0x03, &[0]).unwrap(), Filter::Delta { distance: 1 });
/// match props::decode(0x21, &[22]).unwrap() {
///     Filter::Lzma2(o) => assert_eq!(o.dict_size, 8 << 20),
///     _ => unreachable!(),
/// }
/// assert!(props::decode(0x22, &[]).is_err());
/// ```
pub fn decode(id: u64, props: &[u8]) -> Result<Filter> {
    match id {
        ID_LZMA2 => {
            let [b] = props else {
                return Err(Error::Unsupported("LZMA2 properties are not 1 byte"));
            };
            if b & 0xC0 != 0 {
                return Err(Error::Unsupported("reserved bits set in LZMA2 properties"));
            }
            let dict_size = lzma2_dict_size(*b)?;
            Ok(Filter::Lzma2(LzmaOptions {
                dict_size,
                ..LzmaOptions::default()
            }))
        }
        ID_LZMA1 => Ok(Filter::Lzma1(lzma1_decode(props)?)),
        ID_DELTA => {
            let [b] = props else {
                return Err(Error::Unsupported("Delta properties are not 1 byte"));
            };
            Ok(Filter::Delta {
                distance: u32::from(*b) + 1,
            })
        }
        _ => {
            let arch =
                BcjArch::from_filter_id(id).ok_or(Error::Unsupported("unknown filter ID"))?;
            let start_offset = match props {
                [] => 0,
                [a, b, c, d] => u32::from_le_bytes([*a, *b, *c, *d]),
                _ => return Err(Error::Unsupported("BCJ properties are not 0 or 4 bytes")),
            };
            Ok(Filter::Bcj { arch, start_offset })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lzma2_dict_byte_matches_decoded_sizes() {
        // Every encodable size maps to itself, and one more byte rounds up to the next.
        for byte in 0..40u8 {
            let size = lzma2_dict_size(byte).unwrap();
            assert_eq!(lzma2_dict_byte(size), byte, "size {size}");
            if byte < 39 {
                assert_eq!(lzma2_dict_byte(size + 1), byte + 1, "size {size} + 1");
            } else {
                assert_eq!(lzma2_dict_byte(size + 1), 40);
            }
        }
        assert_eq!(lzma2_dict_byte(0), 0);
        assert_eq!(lzma2_dict_byte(1), 0);
        assert_eq!(lzma2_dict_byte(1536 << 20), 37);
    }

    #[test]
    fn lzma2_props_validation() {
        assert!(decode(ID_LZMA2, &[]).is_err());
        assert!(decode(ID_LZMA2, &[0, 0]).is_err());
        assert!(decode(ID_LZMA2, &[0x40]).is_err());
        assert!(decode(ID_LZMA2, &[41]).is_err());
        assert!(matches!(decode(ID_LZMA2, &[40]), Ok(Filter::Lzma2(o)) if o.dict_size == u32::MAX));
    }

    #[test]
    fn delta_props() {
        assert_eq!(
            decode(ID_DELTA, &[255]).unwrap(),
            Filter::Delta { distance: 256 }
        );
        assert!(decode(ID_DELTA, &[]).is_err());
        assert!(encode(&Filter::Delta { distance: 0 }).is_err());
        assert!(encode(&Filter::Delta { distance: 257 }).is_err());
        assert_eq!(
            encode(&Filter::Delta { distance: 256 }).unwrap(),
            (ID_DELTA, vec![255])
        );
    }

    #[test]
    fn bcj_props_roundtrip() {
        for id in 4..=0x0B {
            let arch = BcjArch::from_filter_id(id).unwrap();
            for start in [0u32, 16, 0x1234_5670] {
                let f = Filter::Bcj {
                    arch,
                    start_offset: start,
                };
                let (eid, p) = encode(&f).unwrap();
                assert_eq!(eid, id);
                assert_eq!(p.len(), if start == 0 { 0 } else { 4 });
                assert_eq!(decode(eid, &p).unwrap(), f);
            }
            // Four zero bytes mean offset 0 too; other sizes are rejected.
            assert_eq!(
                decode(id, &[0; 4]).unwrap(),
                Filter::Bcj {
                    arch,
                    start_offset: 0
                }
            );
            assert_eq!(
                decode(id, &[1, 0]),
                Err(Error::Unsupported("BCJ properties are not 0 or 4 bytes"))
            );
        }
    }

    #[test]
    fn unknown_ids() {
        for id in [
            0u64,
            1,
            2,
            0x0C,
            0x20,
            0x22,
            0x4000_0000_0000_0002,
            u64::MAX,
        ] {
            assert!(
                matches!(decode(id, &[]), Err(Error::Unsupported(_))),
                "id {id:#x}"
            );
        }
    }

    #[test]
    fn lzma1_props() {
        let mut o = LzmaOptions {
            lc: 4,
            lp: 0,
            pb: 4,
            dict_size: 12345,
            ..LzmaOptions::default()
        };
        let p = lzma1_encode(&o).unwrap();
        assert_eq!(p[0], (4 * 5) * 9 + 4);
        let d = lzma1_decode(&p).unwrap();
        assert_eq!((d.lc, d.lp, d.pb, d.dict_size), (4, 0, 4, 12345));
        // lc = 4, lp = 1: lc + lp > 4 is rejected on decode and encode.
        assert!(lzma1_decode(&[9 + 4, 0, 0, 0, 0]).is_err());
        assert!(lzma1_decode(&[225, 0, 0, 0, 0]).is_err());
        assert!(lzma1_decode(&[0x5D, 0, 0, 0]).is_err());
        o.lp = 1;
        assert!(lzma1_encode(&o).is_err());
        assert_eq!(
            decode(ID_LZMA1, &[0x5D, 0, 0, 0x80, 0]).unwrap(),
            Filter::Lzma1(lzma1_decode(&[0x5D, 0, 0, 0x80, 0]).unwrap())
        );
    }
}
