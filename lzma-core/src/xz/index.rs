//! The index at the end of each stream: one record (unpadded size, uncompressed size) per
//! block, zero padding to a multiple of four bytes, and a CRC32.
//!
//! ```
//! use lzma_core::xz::index::{encode, IndexDecoder, IndexRecord};
//! let recs = [IndexRecord { unpadded_size: 20, uncompressed_size: 5 }];
//! let bytes = encode(&recs)?;
//! assert_eq!(bytes[..2], [0x00, 1]); // indicator, one record
//! let mut d = IndexDecoder::new(true);
//! assert_eq!(d.decode(&bytes, None)?, (bytes.len(), true));
//! assert_eq!(d.records(), recs);
//! # Ok::<(), lzma_core::Error>(())
//! ```

use super::block_header::{UNPADDED_SIZE_MAX, UNPADDED_SIZE_MIN};
use super::stream_flags::BACKWARD_SIZE_MAX;
use super::vli::{self, VliDecoder, VLI_MAX};
use crate::{Error, Result};

/// One index record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
///
/// ```
/// use lzma_core::xz::index::IndexRecord;
/// let r = IndexRecord { unpadded_size: 61, uncompressed_size: 100 };
/// assert_eq!(r.total_size(), 64);
/// ```
pub struct IndexRecord {
    /// Block header + compressed data + check (without block padding).
    pub unpadded_size: u64,
    /// Uncompressed size of the block.
    pub uncompressed_size: u64,
}

impl IndexRecord {
    /// Size the block takes in the file (unpadded size rounded up to four).
    ///
    /// ```
    /// use lzma_core::xz::index::IndexRecord;
    /// let r = IndexRecord { unpadded_size: 29, uncompressed_size: 7 };
    /// assert_eq!(r.total_size(), 32); // padded to four bytes
    /// ```
    pub fn total_size(&self) -> u64 {
        self.unpadded_size.saturating_add(3) & !3
    }
}

/// Size of the encoded index for these records.
///
/// ```
/// use lzma_core::xz::index::{index_size, IndexRecord};
/// assert_eq!(index_size(&[]).unwrap(), 8);
/// let r = IndexRecord { unpadded_size: 100, uncompressed_size: 1000 };
/// assert_eq!(index_size(&[r]).unwrap(), 12);
/// ```
pub fn index_size(records: &[IndexRecord]) -> Result<u64> {
    let bad = || Error::Options("index record does not fit in a variable-length integer".into());
    let mut size = 1 + vli::encoded_len(records.len() as u64).ok_or_else(bad)? as u64;
    for r in records {
        size += vli::encoded_len(r.unpadded_size).ok_or_else(bad)? as u64;
        size += vli::encoded_len(r.uncompressed_size).ok_or_else(bad)? as u64;
    }
    Ok(((size + 3) & !3) + 4)
}

/// Encodes an index.
///
/// ```
/// use lzma_core::xz::index::{encode, IndexDecoder, IndexRecord};
/// let recs = [IndexRecord { unpadded_size: 60, uncompressed_size: 70 }];
/// let bytes = encode(&recs).unwrap();
/// let mut d = IndexDecoder::new(true);
/// assert_eq!(d.decode(&bytes, None).unwrap(), (bytes.len(), true));
/// assert_eq!(d.records(), &recs);
/// ```
pub fn encode(records: &[IndexRecord]) -> Result<Vec<u8>> {
    let mut out = vec![0u8];
    vli::encode(records.len() as u64, &mut out)?;
    for r in records {
        vli::encode(r.unpadded_size, &mut out)?;
        vli::encode(r.uncompressed_size, &mut out)?;
    }
    while out.len() % 4 != 0 {
        out.push(0);
    }
    let crc = crate::check::crc32(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    if out.len() as u64 > BACKWARD_SIZE_MAX {
        return Err(Error::Options("index is larger than 16 GiB".into()));
    }
    Ok(out)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Indicator,
    Count,
    Unpadded,
    Uncompressed,
    Padding,
    Crc,
    Done,
}

/// Running totals over index records, as liblzma's index hash keeps them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Totals {
    /// Sum of the blocks' sizes in the file (unpadded sizes rounded up to four).
    blocks: u64,
    /// Sum of the uncompressed sizes.
    uncompressed: u64,
    /// Bytes the records take in the index.
    list: u64,
}

impl Totals {
    fn add(&mut self, r: &IndexRecord) {
        let len = |v: u64| vli::encoded_len(v).unwrap_or(vli::VLI_BYTES_MAX) as u64;
        self.blocks = self.blocks.saturating_add(r.total_size());
        self.uncompressed = self.uncompressed.saturating_add(r.uncompressed_size);
        self.list = self.list.saturating_add(len(r.unpadded_size) + len(r.uncompressed_size));
    }

    fn exceeds(&self, other: &Totals) -> bool {
        self.blocks > other.blocks || self.uncompressed > other.uncompressed || self.list > other.list
    }
}

/// An incremental index decoder. It validates every field as it arrives; given the records
/// of the blocks actually decoded, it also checks that the index matches them.
///
/// The check against the blocks follows liblzma's stream decoder, so that damage gets the
/// same verdict: the record count is compared at once, each record only so far as the
/// running sums of sizes must not exceed the blocks' sums, and the records themselves once
/// the padding is complete and the first CRC32 byte is there. A wrong record in an index
/// cut short is therefore [`Error::Truncated`] (from the caller), not [`Error::Corrupt`].
/// The CRC32 is compared byte by byte.
#[derive(Clone, Debug)]
///
/// ```
/// use lzma_core::xz::index::{encode, IndexDecoder, IndexRecord};
/// let recs = [IndexRecord { unpadded_size: 20, uncompressed_size: 5 }];
/// let bytes = encode(&recs).unwrap();
/// // The blocks actually decoded must match what the index says.
/// let other = [IndexRecord { unpadded_size: 24, uncompressed_size: 5 }];
/// assert!(IndexDecoder::new(false).decode(&bytes, Some(&other)).is_err());
/// assert_eq!(IndexDecoder::new(false).decode(&bytes, Some(&recs)).unwrap(), (bytes.len(), true));
/// ```
pub struct IndexDecoder {
    state: State,
    vli: VliDecoder,
    count: u64,
    seen: u64,
    unpadded: u64,
    size: u64,
    crc: crc32fast::Hasher,
    crc_bytes: [u8; 4],
    crc_pos: usize,
    collect: bool,
    records: Vec<IndexRecord>,
    uncompressed_sum: u64,
    blocks_sum: u64,
    /// Totals of the records read so far.
    totals: Totals,
    /// Totals of the blocks decoded (computed once the count is read, if given).
    expected_totals: Option<Totals>,
    /// Whether a record read so far differs from its block.
    mismatch: bool,
}

impl IndexDecoder {
    /// A decoder; `collect` keeps the records (for `records()`).
    ///
    /// ```
    /// use lzma_core::xz::index::{encode, IndexDecoder, IndexRecord};
    /// let bytes = encode(&[IndexRecord { unpadded_size: 20, uncompressed_size: 5 }])?;
    /// let mut quiet = IndexDecoder::new(false);
    /// quiet.decode(&bytes, None)?;
    /// assert!(quiet.records().is_empty()); // not collected
    /// assert_eq!(quiet.count(), 1);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn new(collect: bool) -> Self {
        IndexDecoder {
            state: State::Indicator,
            vli: VliDecoder::default(),
            count: 0,
            seen: 0,
            unpadded: 0,
            size: 0,
            crc: crc32fast::Hasher::new(),
            crc_bytes: [0; 4],
            crc_pos: 0,
            collect,
            records: Vec::new(),
            uncompressed_sum: 0,
            blocks_sum: 0,
            totals: Totals::default(),
            expected_totals: None,
            mismatch: false,
        }
    }

    /// The records decoded so far (only if collecting).
    ///
    /// ```
    /// use lzma_core::xz::index::{encode, IndexDecoder, IndexRecord};
    /// let recs = [IndexRecord { unpadded_size: 20, uncompressed_size: 5 }, IndexRecord { unpadded_size: 30, uncompressed_size: 9 }];
    /// let mut d = IndexDecoder::new(true);
    /// d.decode(&encode(&recs)?, None)?;
    /// assert_eq!(d.records(), recs);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn records(&self) -> &[IndexRecord] {
        &self.records
    }

    /// Number of records the index declares.
    ///
    /// ```
    /// use lzma_core::xz::index::{encode, IndexDecoder, IndexRecord};
    /// let bytes = encode(&[IndexRecord { unpadded_size: 20, uncompressed_size: 5 }; 3])?;
    /// let mut d = IndexDecoder::new(false);
    /// d.decode(&bytes[..2], None)?; // indicator and count
    /// assert_eq!(d.count(), 3);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether the record count has been decoded.
    ///
    /// ```
    /// use lzma_core::xz::index::{encode, IndexDecoder, IndexRecord};
    /// let bytes = encode(&[IndexRecord { unpadded_size: 20, uncompressed_size: 5 }])?;
    /// let mut d = IndexDecoder::new(false);
    /// d.decode(&bytes[..1], None)?;
    /// assert!(!d.count_known());
    /// d.decode(&bytes[1..2], None)?;
    /// assert!(d.count_known());
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn count_known(&self) -> bool {
        !matches!(self.state, State::Indicator | State::Count)
    }

    /// Bytes of index decoded so far (the whole index once done).
    ///
    /// ```
    /// use lzma_core::xz::index::{encode, index_size, IndexDecoder, IndexRecord};
    /// let recs = [IndexRecord { unpadded_size: 20, uncompressed_size: 5 }];
    /// let bytes = encode(&recs)?;
    /// let mut d = IndexDecoder::new(false);
    /// d.decode(&bytes, None)?;
    /// assert_eq!(d.size(), bytes.len() as u64);
    /// assert_eq!(d.size(), index_size(&recs)?);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Sum of the uncompressed sizes.
    ///
    /// ```
    /// use lzma_core::xz::index::{encode, IndexDecoder, IndexRecord};
    /// let recs = [IndexRecord { unpadded_size: 20, uncompressed_size: 5 }, IndexRecord { unpadded_size: 30, uncompressed_size: 9 }];
    /// let mut d = IndexDecoder::new(false);
    /// d.decode(&encode(&recs)?, None)?;
    /// assert_eq!(d.uncompressed_sum(), 14);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn uncompressed_sum(&self) -> u64 {
        self.uncompressed_sum
    }

    /// Sum of the blocks' sizes in the file (with block padding).
    ///
    /// ```
    /// use lzma_core::xz::index::{encode, IndexDecoder, IndexRecord};
    /// let recs = [IndexRecord { unpadded_size: 21, uncompressed_size: 5 }, IndexRecord { unpadded_size: 30, uncompressed_size: 9 }];
    /// let mut d = IndexDecoder::new(false);
    /// d.decode(&encode(&recs)?, None)?;
    /// assert_eq!(d.blocks_size_sum(), 24 + 32); // each rounded up to four bytes
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn blocks_size_sum(&self) -> u64 {
        self.blocks_sum
    }

    /// Feeds bytes starting at the index indicator. Returns the bytes consumed and whether
    /// the index is complete. `expected`, if given, is the list of blocks the stream
    /// actually held (the same list on every call); any difference is [`Error::Corrupt`],
    /// found at the points described on the type.
    ///
    /// ```
    /// use lzma_core::xz::index::{encode, IndexDecoder, IndexRecord};
    /// let blocks = [IndexRecord { unpadded_size: 20, uncompressed_size: 5 }];
    /// let wrong = encode(&[IndexRecord { unpadded_size: 20, uncompressed_size: 4 }]).unwrap();
    /// // Up to the padding, a wrong record is not an error yet: the index may be cut short.
    /// let mut d = IndexDecoder::new(false);
    /// assert_eq!(d.decode(&wrong[..4], Some(&blocks)).unwrap(), (4, false));
    /// // With the first CRC32 byte it is.
    /// assert!(d.decode(&wrong[4..], Some(&blocks)).is_err());
    /// ```
    pub fn decode(
        &mut self,
        input: &[u8],
        expected: Option<&[IndexRecord]>,
    ) -> Result<(usize, bool)> {
        let mut i = 0;
        let mut hashed_to = 0;
        while i < input.len() && self.state != State::Done {
            let b = input[i];
            match self.state {
                State::Indicator => {
                    if b != 0 {
                        return Err(Error::Corrupt("index indicator is not zero"));
                    }
                    self.state = State::Count;
                }
                State::Count => {
                    if let Some(v) = self.vli.push(b)? {
                        if let Some(exp) = expected {
                            if v != exp.len() as u64 {
                                return Err(Error::Corrupt("index record count mismatch"));
                            }
                            let mut t = Totals::default();
                            exp.iter().for_each(|r| t.add(r));
                            self.expected_totals = Some(t);
                        }
                        self.count = v;
                        self.state = if v == 0 { State::Padding } else { State::Unpadded };
                    }
                }
                State::Unpadded => {
                    if let Some(v) = self.vli.push(b)? {
                        if !(UNPADDED_SIZE_MIN..=UNPADDED_SIZE_MAX).contains(&v) {
                            return Err(Error::Corrupt("invalid unpadded size in the index"));
                        }
                        self.unpadded = v;
                        self.state = State::Uncompressed;
                    }
                }
                State::Uncompressed => {
                    if let Some(v) = self.vli.push(b)? {
                        let rec = IndexRecord { unpadded_size: self.unpadded, uncompressed_size: v };
                        self.totals.add(&rec);
                        if let Some(exp) = expected {
                            let idx = usize::try_from(self.seen).ok();
                            if idx.and_then(|k| exp.get(k)) != Some(&rec) {
                                self.mismatch = true;
                            }
                            if self.expected_totals.is_some_and(|t| self.totals.exceeds(&t)) {
                                return Err(Error::Corrupt("index does not match the blocks"));
                            }
                        }
                        self.uncompressed_sum = self
                            .uncompressed_sum
                            .checked_add(v)
                            .filter(|&s| s <= VLI_MAX)
                            .ok_or(Error::Corrupt("uncompressed size sum is too large"))?;
                        self.blocks_sum = self
                            .blocks_sum
                            .checked_add(rec.total_size())
                            .filter(|&s| s <= VLI_MAX)
                            .ok_or(Error::Corrupt("stream is too large"))?;
                        if self.collect {
                            self.records.push(rec);
                        }
                        self.seen += 1;
                        self.state =
                            if self.seen == self.count { State::Padding } else { State::Unpadded };
                    }
                }
                State::Padding => {
                    if self.size % 4 == 0 {
                        // Padding complete: this byte starts the CRC32.
                        self.crc.update(&input[hashed_to..i]);
                        hashed_to = i;
                        self.start_crc();
                        continue;
                    }
                    if b != 0 {
                        return Err(Error::Corrupt("non-zero index padding"));
                    }
                }
                State::Crc => {
                    if self.crc_pos == 0 && expected.is_some() && self.mismatch {
                        return Err(Error::Corrupt("index does not match the blocks"));
                    }
                    if b != self.crc_bytes[self.crc_pos] {
                        return Err(Error::Corrupt("index CRC32 mismatch"));
                    }
                    self.crc_pos += 1;
                    if self.crc_pos == 4 {
                        self.state = State::Done;
                    }
                }
                State::Done => {}
            }
            i += 1;
            self.size += 1;
            if self.size > BACKWARD_SIZE_MAX {
                return Err(Error::Corrupt("index is larger than 16 GiB"));
            }
        }
        // Padding may be complete exactly at the end of the input.
        if self.state == State::Padding && self.size % 4 == 0 {
            self.crc.update(&input[hashed_to..i]);
            hashed_to = i;
            self.start_crc();
        }
        if !matches!(self.state, State::Crc | State::Done) {
            self.crc.update(&input[hashed_to..i]);
        }
        Ok((i, self.state == State::Done))
    }

    /// Ends the hashed part: the CRC32 to compare the next four bytes with.
    fn start_crc(&mut self) {
        let crc = std::mem::replace(&mut self.crc, crc32fast::Hasher::new());
        self.crc_bytes = crc.finalize().to_le_bytes();
        self.crc_pos = 0;
        self.state = State::Crc;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recs(n: u64) -> Vec<IndexRecord> {
        (0..n)
            .map(|k| IndexRecord { unpadded_size: 20 + k * 1000, uncompressed_size: k * 77777 })
            .collect()
    }

    #[test]
    fn roundtrip_bytewise_and_whole() {
        for n in [0, 1, 2, 3, 200] {
            let r = recs(n);
            let b = encode(&r).unwrap();
            assert_eq!(b.len() as u64, index_size(&r).unwrap());
            let mut d = IndexDecoder::new(true);
            assert_eq!(d.decode(&b, Some(&r)).unwrap(), (b.len(), true));
            assert_eq!(d.records(), &r[..]);
            assert_eq!(d.size(), b.len() as u64);
            let mut d = IndexDecoder::new(false);
            for (k, byte) in b.iter().enumerate() {
                let (used, done) = d.decode(std::slice::from_ref(byte), Some(&r)).unwrap();
                assert_eq!(used, 1);
                assert_eq!(done, k + 1 == b.len());
            }
            // Trailing bytes are not consumed.
            let mut more = b.clone();
            more.extend_from_slice(&[1, 2, 3]);
            assert_eq!(IndexDecoder::new(false).decode(&more, None).unwrap(), (b.len(), true));
        }
    }

    #[test]
    fn mismatches_and_damage() {
        let r = recs(3);
        let b = encode(&r).unwrap();
        assert!(IndexDecoder::new(false).decode(&b, Some(&r[..2])).is_err());
        let mut other = r.clone();
        other[1].uncompressed_size += 1;
        assert!(IndexDecoder::new(false).decode(&b, Some(&other)).is_err());
        for k in 0..b.len() {
            let mut bad = b.clone();
            bad[k] ^= 0x01;
            assert!(IndexDecoder::new(false).decode(&bad, Some(&r)).is_err(), "byte {k}");
        }
        // Unpadded size below the minimum.
        let tiny = encode(&[IndexRecord { unpadded_size: 4, uncompressed_size: 0 }]).unwrap();
        assert!(IndexDecoder::new(false).decode(&tiny, None).is_err());
        // A record that differs from its block is found once the padding is complete and
        // a CRC32 byte is there (as liblzma), so an index cut short is truncated, not corrupt.
        let mut wrong = r.clone();
        wrong[1].uncompressed_size -= 1;
        let wb = encode(&wrong).unwrap();
        let pad_end = wb.len() - 4;
        for cut in 0..=pad_end {
            let mut d = IndexDecoder::new(false);
            assert_eq!(d.decode(&wb[..cut], Some(&r)).unwrap(), (cut, false), "cut {cut}");
            // Fed one byte at a time the verdict is the same.
            let mut d = IndexDecoder::new(false);
            for k in 0..cut {
                assert_eq!(d.decode(&wb[k..=k], Some(&r)).unwrap(), (1, false), "cut {cut} byte {k}");
            }
            assert!(matches!(d.decode(&wb[cut..], Some(&r)), Err(Error::Corrupt(_))), "cut {cut}");
        }
        assert!(matches!(IndexDecoder::new(false).decode(&wb, Some(&r)), Err(Error::Corrupt(_))));
        // A record larger than the blocks allow is found at once.
        let mut big = r.clone();
        big[0].uncompressed_size += 1_000_000;
        let bb = encode(&big).unwrap();
        let first = 2 + vli::encoded_len(big[0].unpadded_size).unwrap()
            + vli::encoded_len(big[0].uncompressed_size).unwrap();
        assert!(IndexDecoder::new(false).decode(&bb[..first], Some(&r)).is_err());
        // The CRC32 is compared byte by byte: a wrong first byte fails before the rest.
        let mut bad_crc = b.clone();
        let crc_at = b.len() - 4;
        bad_crc[crc_at] ^= 0x80;
        assert!(IndexDecoder::new(false).decode(&bad_crc[..=crc_at], Some(&r)).is_err());
        assert_eq!(IndexDecoder::new(false).decode(&b[..=crc_at], Some(&r)).unwrap(), (crc_at + 1, false));
        // A huge declared count does not allocate.
        let mut huge = vec![0u8];
        vli::encode(VLI_MAX, &mut huge).unwrap();
        let mut d = IndexDecoder::new(true);
        assert_eq!(d.decode(&huge, None).unwrap(), (huge.len(), false));
        assert_eq!(d.count(), VLI_MAX);
    }
}
