//! Whole-block helpers for callers that split a stream into blocks themselves (threaded
//! coders, random access): decode one block held in memory.

use super::backend::{self, DynCoder};
use super::block_header::{header_size_from_byte, unpadded_size, BlockHeader, UNPADDED_SIZE_MAX};
use super::index::IndexRecord;
use super::stream_flags::StreamFlags;
use super::vli::VLI_MAX;
use crate::check::CheckState;
use crate::filter::Filter;
use crate::stream::{self, Action, Status};
use crate::{Check, DecoderOptions, Error, Result};

/// Decodes a block header held in `bytes` (exactly its size) and validates its filter
/// chain for .xz. Returns the header and the memory its decoder needs (the figure compared
/// with a memory limit).
pub(crate) fn parse_header(bytes: &[u8], flags: StreamFlags) -> Result<(BlockHeader, u64)> {
    let header = BlockHeader::decode(bytes, flags.check_id())?;
    backend::validate_chain(&header.filters, true)
        .map_err(|_| Error::Unsupported("invalid filter chain in a block header"))?;
    let needed = backend::decoder_memusage(&header.filters);
    Ok((header, needed))
}

/// Slack above a block's uncompressed size for the LZMA2 dictionary allocated to decode
/// it: Delta/BCJ stages in front of LZMA2 hold back a few bytes, so LZMA2 may run slightly
/// ahead of the block's output.
const DICT_SLACK: u64 = 4096;

/// The filter chain to allocate for decoding a block: when the header gives the
/// uncompressed size, the LZMA2 dictionary need not be larger than that (plus
/// [`DICT_SLACK`]), as a block starts with an empty dictionary and its chain gets no output
/// room beyond that size (a BCJ stage may run a few bytes ahead into its own buffer). Distances the smaller dictionary rejects are beyond the block's
/// history either way, so the verdicts are unchanged. The memory figures (limits, `memusage`)
/// still come from the header's chain, as liblzma's.
///
/// This matters for memory: the allocator hands out a recycled dictionary zeroed, touching
/// every page, where liblzma's uninitialised buffer costs only the pages a block writes.
fn chain_to_allocate(header: &BlockHeader) -> Vec<Filter> {
    let mut filters = header.filters.clone();
    if let (Some(u), Some(Filter::Lzma2(o))) = (header.uncompressed_size, filters.last_mut()) {
        let cap = u.saturating_add(DICT_SLACK);
        if u64::from(o.dict_size) > cap {
            // `cap` < `dict_size` <= u32::MAX here.
            o.dict_size = u32::try_from(cap).unwrap_or(o.dict_size);
        }
    }
    filters
}

/// Where a [`BlockDecoder`] is inside its block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Data,
    Padding,
    Check,
    Done,
}

/// Streaming decoder of one block after its header: compressed data, padding and check,
/// with liblzma's block decoder's size checks and verdicts. Shared by
/// [`super::XzDecoder`] and the threaded decoder (its workers and its direct mode).
pub(crate) struct BlockDecoder {
    coder: DynCoder,
    header_size: usize,
    expected_compressed: Option<u64>,
    expected_uncompressed: Option<u64>,
    compressed_limit: u64,
    uncompressed_limit: u64,
    compressed: u64,
    uncompressed: u64,
    check: Option<CheckState>,
    check_id: u8,
    check_size: usize,
    phase: Phase,
    pos: usize,
    stored: [u8; 64],
}

impl BlockDecoder {
    /// A decoder for the block of `header` (decoded and checked against the memory limit
    /// by the caller) in a stream with `flags`.
    pub(crate) fn new(header: &BlockHeader, flags: StreamFlags, ignore_check: bool) -> Result<Self> {
        let coder = backend::raw_decoder(&chain_to_allocate(header), u64::MAX)?;
        let check_size = flags.check_size();
        let compressed_limit = match header.compressed_size {
            Some(c) => c,
            None => UNPADDED_SIZE_MAX - header.header_size as u64 - check_size as u64,
        };
        let check = match flags.check() {
            Some(c) if !ignore_check && c != Check::None => Some(CheckState::new(c)),
            _ => None,
        };
        Ok(BlockDecoder {
            coder,
            header_size: header.header_size,
            expected_compressed: header.compressed_size,
            expected_uncompressed: header.uncompressed_size,
            compressed_limit,
            uncompressed_limit: header.uncompressed_size.unwrap_or(VLI_MAX),
            compressed: 0,
            uncompressed: 0,
            check,
            check_id: flags.check_id(),
            check_size,
            phase: Phase::Data,
            pos: 0,
            stored: [0; 64],
        })
    }

    /// The block's index record (once [`BlockDecoder::code`] has returned `true`).
    pub(crate) fn record(&self) -> Result<IndexRecord> {
        let unpadded = unpadded_size(self.header_size, self.compressed, self.check_id)?;
        Ok(IndexRecord { unpadded_size: unpadded, uncompressed_size: self.uncompressed })
    }

    /// Bytes of output the block can still produce (what its header allows; without a
    /// size in the header, the largest block size).
    pub(crate) fn output_left(&self) -> u64 {
        self.uncompressed_limit - self.uncompressed
    }

    /// Runs the filter chain once, with liblzma's block decoder's rules. `Some(true)`: end
    /// of the block data; `Some(false)`: progress was made; `None`: nothing could be done
    /// with these buffers.
    ///
    /// The chain gets output room up to the uncompressed size in the header and no more:
    /// with none left it can still read what needs no room (LZMA2 chunk headers, its end
    /// byte). After every call that does not end the chain, the sizes in the header judge
    /// as liblzma's do: both reached, the compressed size reached with output room left,
    /// or the uncompressed size reached with input left in this call, is corrupt data;
    /// otherwise the block waits for more input (and running out of it is truncation).
    fn run(&mut self, input: &[u8], ip: &mut usize, output: &mut [u8], op: &mut usize) -> Result<Option<bool>> {
        let mismatch = || Error::Corrupt("block data does not match the sizes in its header");
        let in_room = (input.len() - *ip) as u64;
        let out_room = (output.len() - *op) as u64;
        let in_take = in_room.min(self.compressed_limit - self.compressed) as usize;
        let out_take = out_room.min(self.uncompressed_limit - self.uncompressed) as usize;
        // The chain always runs with `Run`: the block decides what running out of input
        // means (as liblzma's block decoder, whose filters never see the end of input), so
        // a chain stuck at the end of the input is judged by the checks below whatever
        // the split of the input, never by the chain's own truncation check.
        let out_start = *op;
        let p = self.coder.code(&input[*ip..*ip + in_take], &mut output[*op..*op + out_take], Action::Run)?;
        *ip += p.consumed;
        *op += p.produced;
        self.compressed += p.consumed as u64;
        self.uncompressed += p.produced as u64;
        if let Some(c) = self.check.as_mut() {
            c.update(&output[out_start..*op]);
        }
        if p.status == Status::StreamEnd {
            if self.expected_compressed.is_some_and(|c| c != self.compressed)
                || self.expected_uncompressed.is_some_and(|u| u != self.uncompressed)
            {
                return Err(mismatch());
            }
            return Ok(Some(true));
        }
        let comp_done = Some(self.compressed) == self.expected_compressed;
        let uncomp_done = Some(self.uncompressed) == self.expected_uncompressed;
        if (comp_done && (uncomp_done || *op < output.len())) || (uncomp_done && *ip < input.len()) {
            return Err(mismatch());
        }
        if p.consumed > 0 || p.produced > 0 {
            return Ok(Some(false));
        }
        // Stalled without a compressed size in the header: the chain wants more input than
        // a block can hold.
        if self.compressed == self.compressed_limit && *op < output.len() {
            return Err(Error::Corrupt("block is too large"));
        }
        Ok(None)
    }

    /// Decodes as far as the buffers allow; `finish` says no input follows `input`.
    /// Returns `true` once the whole block (check included) is read and verified. On an
    /// error, `*op` still counts the bytes decoded before it (the good data before the
    /// damage, which `xz` writes out).
    pub(crate) fn code(
        &mut self,
        input: &[u8],
        ip: &mut usize,
        output: &mut [u8],
        op: &mut usize,
        finish: bool,
    ) -> Result<bool> {
        loop {
            match self.phase {
                Phase::Data => match self.run(input, ip, output, op)? {
                    Some(true) => {
                        self.phase = Phase::Padding;
                        self.pos = 0;
                    }
                    // Progress: go on while input and room remain, and with all input
                    // taken apply the decoders' `Finish` rule (ask the chain once more
                    // before the caller calls the input truncated).
                    Some(false)
                        if (*ip < input.len() && *op < output.len())
                            || stream::ask_again_before_truncated(
                                finish,
                                *ip < input.len(),
                                *op < output.len(),
                                true,
                            ) => {}
                    _ => return Ok(false),
                },
                Phase::Padding => {
                    let pad = ((4 - self.compressed % 4) % 4) as usize;
                    while self.pos < pad {
                        let Some(&b) = input.get(*ip) else {
                            return Ok(false);
                        };
                        if b != 0 {
                            return Err(Error::Corrupt("non-zero block padding"));
                        }
                        *ip += 1;
                        self.pos += 1;
                    }
                    self.pos = 0;
                    self.phase = Phase::Check;
                }
                Phase::Check => {
                    let n = (self.check_size - self.pos).min(input.len() - *ip);
                    self.stored[self.pos..self.pos + n].copy_from_slice(&input[*ip..*ip + n]);
                    self.pos += n;
                    *ip += n;
                    if self.pos < self.check_size {
                        return Ok(false);
                    }
                    if let Some(c) = &self.check {
                        if c.finish()[..] != self.stored[..self.check_size] {
                            return Err(Error::CheckMismatch { check: c.check() });
                        }
                    }
                    self.phase = Phase::Done;
                }
                Phase::Done => return Ok(true),
            }
        }
    }
}

/// Decodes one complete block (header, compressed data, padding and check) appending the
/// data to `out`, and returns its index record. `block` must hold exactly the block (its
/// index record's total size); the sizes in the header, if any, and the check are
/// verified unless `opts.ignore_check` (the size checks are
/// those of the stream decoders, which share this block decoder). The memory limit
/// applies to the filter chain. On an error, `out` holds the bytes decoded before it.
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
    let (header, needed) = parse_header(header_bytes, flags)?;
    if needed > opts.memlimit {
        return Err(Error::MemLimit { needed, limit: opts.memlimit });
    }
    let mut dec = BlockDecoder::new(&header, flags, opts.ignore_check)?;
    let body = &block[header_size..];
    let mut ip = 0;
    loop {
        // Output room in steps of at most 1 MiB (a header's size is not trusted for more).
        let room = dec.output_left().min(1 << 20) as usize;
        let at = out.len();
        out.resize(at + room, 0);
        let (mut op, before) = (0, ip);
        let r = dec.code(body, &mut ip, &mut out[at..], &mut op, true);
        out.truncate(at + op);
        if r? {
            break;
        }
        if op == 0 && ip == before {
            return Err(Error::Truncated);
        }
    }
    if ip != body.len() {
        return Err(Error::Corrupt("data after the block's check"));
    }
    dec.record()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{xz::encode_threaded_block, Filter, LzmaOptions};

    #[test]
    fn block_decoder_is_chunking_independent() {
        let d: Vec<u8> = (0..70_000usize).map(|i| ((i * 7) ^ (i / 300)) as u8).collect();
        let chain = [Filter::Lzma2(LzmaOptions::preset(0, false).unwrap())];
        let block = encode_threaded_block(&d, &chain, Check::Crc64, 1 << 20).unwrap();
        let flags = StreamFlags::new(Check::Crc64);
        let size = header_size_from_byte(block.bytes[0]).unwrap();
        let (header, needed) = parse_header(&block.bytes[..size], flags).unwrap();
        assert_eq!(needed, backend::decoder_memusage(&chain));
        for (chunk, room) in [(block.bytes.len(), 1 << 20), (1, 7), (1000, 1)] {
            let mut dec = BlockDecoder::new(&header, flags, false).unwrap();
            let input = &block.bytes[size..];
            let (mut ip, mut out) = (0, Vec::new());
            let mut buf = vec![0u8; room];
            loop {
                let end = (ip + chunk).min(input.len());
                let mut op = 0;
                let done = dec.code(&input[..end], &mut ip, &mut buf, &mut op, end == input.len()).unwrap();
                out.extend_from_slice(&buf[..op]);
                if done {
                    break;
                }
            }
            assert_eq!(ip, input.len());
            assert_eq!(out, d);
            assert_eq!(dec.record().unwrap(), block.record);
        }
    }

    #[test]
    fn dictionary_is_allocated_for_the_block_size_only() {
        let opts = LzmaOptions::preset(9, false).unwrap();
        let mut header = BlockHeader::new(vec![Filter::Lzma2(opts.clone())]);
        assert_eq!(chain_to_allocate(&header), header.filters);
        header.uncompressed_size = Some(1000);
        let Filter::Lzma2(small) = &chain_to_allocate(&header)[0] else { panic!() };
        assert_eq!(small.dict_size, 1000 + DICT_SLACK as u32);
        header.uncompressed_size = Some(u64::MAX);
        assert_eq!(chain_to_allocate(&header), header.filters);
    }

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
