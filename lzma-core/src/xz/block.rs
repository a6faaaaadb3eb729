//! Whole-block helpers for callers that split a stream into blocks themselves (threaded
//! coders, random access): decode one block held in memory.

use super::backend;
use super::block_header::{header_size_from_byte, unpadded_size, BlockHeader};
use super::index::IndexRecord;
use super::stream_flags::StreamFlags;
use crate::check::CheckState;
use crate::stream::{Action, Status};
use crate::{Check, DecoderOptions, Error, Result};

/// Decodes one complete block (header, compressed data, padding and check) appending the
/// data to `out`, and returns its index record. `block` must hold exactly the block (its
/// index record's total size); the sizes in the header, if any, and the check are
/// verified unless `opts.ignore_check`. The memory limit applies to the filter chain.
///
/// ```
/// use lzma_core::{xz::{decode_block, encode_threaded_block, StreamFlags}, Check, DecoderOptions, Filter, LzmaOptions};
/// let chain = [Filter::Lzma2(LzmaOptions::preset(1, false).unwrap())];
/// let b = encode_threaded_block(b"one block", &chain, Check::Crc64, 1 << 20).unwrap();
/// let mut out = Vec::new();
/// let rec = decode_block(&b.bytes, StreamFlags::new(Check::Crc64), &DecoderOptions::default(), &mut out).unwrap();
/// assert_eq!((out.as_slice(), rec), (&b"one block"[..], b.record));
/// ```
pub fn decode_block(
    block: &[u8],
    flags: StreamFlags,
    opts: &DecoderOptions,
    out: &mut Vec<u8>,
) -> Result<IndexRecord> {
    let header_size = block
        .first()
        .and_then(|&b| header_size_from_byte(b))
        .ok_or(Error::Corrupt("not a block header"))?;
    let header_bytes = block.get(..header_size).ok_or(Error::Truncated)?;
    let header = BlockHeader::decode(header_bytes, flags.check_id())?;
    backend::validate_chain(&header.filters, true)
        .map_err(|_| Error::Unsupported("invalid filter chain in a block header"))?;
    let needed = backend::decoder_memusage(&header.filters);
    if needed > opts.memlimit {
        return Err(Error::MemLimit { needed, limit: opts.memlimit });
    }
    let check_size = flags.check_size();
    let body_end = block.len().checked_sub(check_size).ok_or(Error::Truncated)?;
    if body_end < header_size {
        return Err(Error::Truncated);
    }
    let body = &block[header_size..body_end];
    let mut coder = backend::raw_decoder(&header.filters, u64::MAX)?;
    let mut check = match flags.check() {
        Some(c) if !opts.ignore_check && c != Check::None => Some(CheckState::new(c)),
        _ => None,
    };
    let start = out.len();
    let limit = header.uncompressed_size;
    if let Some(u) = limit {
        let room = usize::try_from(u).map_err(|_| Error::Corrupt("block too large for memory"))?;
        out.reserve(room.min(16 << 20));
    }
    let mut ip = 0;
    loop {
        let produced_so_far = (out.len() - start) as u64;
        let want = match limit {
            Some(u) => (u - produced_so_far.min(u)).saturating_add(1).min(1 << 20) as usize,
            None => 1 << 20,
        };
        let at = out.len();
        out.resize(at + want.max(1), 0);
        let p = coder.code(&body[ip..], &mut out[at..], Action::Finish);
        let p = match p {
            Ok(p) => p,
            Err(e) => {
                out.truncate(at);
                return Err(e);
            }
        };
        out.truncate(at + p.produced);
        if let Some(c) = check.as_mut() {
            c.update(&out[at..]);
        }
        ip += p.consumed;
        let total = (out.len() - start) as u64;
        if limit.is_some_and(|u| total > u) {
            return Err(Error::Corrupt("block data does not match the sizes in its header"));
        }
        if p.status == Status::StreamEnd {
            break;
        }
        if p.consumed == 0 && p.produced == 0 {
            return Err(Error::Truncated);
        }
    }
    // What follows the filter chain's end: zero padding to a multiple of four.
    let compressed = ip as u64;
    let padding = &body[ip..];
    if padding.len() != ((4 - compressed % 4) % 4) as usize || padding.iter().any(|&b| b != 0) {
        return Err(Error::Corrupt("block padding is wrong"));
    }
    let uncompressed = (out.len() - start) as u64;
    if header.compressed_size.is_some_and(|c| c != compressed) || limit.is_some_and(|u| u != uncompressed) {
        return Err(Error::Corrupt("block data does not match the sizes in its header"));
    }
    if let Some(c) = check {
        if c.finish()[..] != block[body_end..] {
            return Err(Error::CheckMismatch { check: c.check() });
        }
    }
    let unpadded = unpadded_size(header_size, compressed, flags.check_id())?;
    Ok(IndexRecord { unpadded_size: unpadded, uncompressed_size: uncompressed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{xz::encode_threaded_block, Filter, LzmaOptions};

    #[test]
    fn damage_is_detected() {
        let chain = [Filter::Lzma2(LzmaOptions::preset(0, false).unwrap())];
        let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8 ^ (i / 1000) as u8).collect();
        let b = encode_threaded_block(&data, &chain, Check::Crc32, 1 << 20).unwrap();
        let flags = StreamFlags::new(Check::Crc32);
        let mut out = Vec::new();
        decode_block(&b.bytes, flags, &DecoderOptions::default(), &mut out).unwrap();
        assert_eq!(out, data);
        for k in 0..b.bytes.len() {
            let mut m = b.bytes.clone();
            m[k] ^= 0x04;
            let mut o = Vec::new();
            assert!(decode_block(&m, flags, &DecoderOptions::default(), &mut o).is_err(), "byte {k}");
        }
        for n in 0..b.bytes.len() {
            assert!(decode_block(&b.bytes[..n], flags, &DecoderOptions::default(), &mut Vec::new()).is_err());
        }
        let tight = DecoderOptions::new().memlimit(1000);
        assert!(matches!(decode_block(&b.bytes, flags, &tight, &mut Vec::new()), Err(Error::MemLimit { .. })));
    }
}
