//! The index at the end of each stream: one record (unpadded size, uncompressed size) per
//! block, zero padding to a multiple of four bytes, and a CRC32.

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

/// An incremental index decoder. It validates every field as it arrives; given the records
/// of the blocks actually decoded, it also checks that the index matches them.
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
}

impl IndexDecoder {
    /// A decoder; `collect` keeps the records (for `records()`).
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
        }
    }

    /// The records decoded so far (only if collecting).
    pub fn records(&self) -> &[IndexRecord] {
        &self.records
    }

    /// Number of records the index declares.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether the record count has been decoded.
    pub fn count_known(&self) -> bool {
        !matches!(self.state, State::Indicator | State::Count)
    }

    /// Bytes of index decoded so far (the whole index once done).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Sum of the uncompressed sizes.
    pub fn uncompressed_sum(&self) -> u64 {
        self.uncompressed_sum
    }

    /// Sum of the blocks' sizes in the file (with block padding).
    pub fn blocks_size_sum(&self) -> u64 {
        self.blocks_sum
    }

    /// Feeds bytes starting at the index indicator. Returns the bytes consumed and whether
    /// the index is complete. `expected`, if given, is the list of blocks the stream
    /// actually held; any difference is [`Error::Corrupt`].
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
                        if let Some(exp) = expected {
                            let idx = usize::try_from(self.seen).ok();
                            if idx.and_then(|k| exp.get(k)) != Some(&rec) {
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
                        self.state = State::Crc;
                        continue;
                    }
                    if b != 0 {
                        return Err(Error::Corrupt("non-zero index padding"));
                    }
                }
                State::Crc => {
                    self.crc_bytes[self.crc_pos] = b;
                    self.crc_pos += 1;
                    if self.crc_pos == 4 {
                        let crc = std::mem::replace(&mut self.crc, crc32fast::Hasher::new());
                        if crc.finalize().to_le_bytes() != self.crc_bytes {
                            return Err(Error::Corrupt("index CRC32 mismatch"));
                        }
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
            self.state = State::Crc;
        }
        if !matches!(self.state, State::Crc | State::Done) {
            self.crc.update(&input[hashed_to..i]);
        }
        Ok((i, self.state == State::Done))
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
        // A huge declared count does not allocate.
        let mut huge = vec![0u8];
        vli::encode(VLI_MAX, &mut huge).unwrap();
        let mut d = IndexDecoder::new(true);
        assert_eq!(d.decode(&huge, None).unwrap(), (huge.len(), false));
        assert_eq!(d.count(), VLI_MAX);
    }
}
