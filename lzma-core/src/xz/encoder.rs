//! The .xz stream encoder, in the single-threaded layout of `xz -T1` and the multi-threaded
//! layout of xz 5.8 (computed on one thread here; the bytes do not depend on threads).

use super::backend::{self, BlockEncoder};
use super::block_header::BlockHeader;
use super::index::{self, IndexRecord};
use super::plan::BlockPlan;
use super::stream_flags::{self, StreamFlags};
use crate::check::CheckState;
use crate::filter::Filter;
use crate::lzma::LzmaOptions;
use crate::options::EncoderOptions;
use crate::stream::{Action, Coder, Progress, Status};
use crate::{Check, Error, Result};

/// Largest block of the multi-threaded encoder (liblzma: `UINT64_MAX / LZMA_THREADS_MAX`).
const MT_BLOCK_SIZE_MAX: u64 = u64::MAX / 16384;
/// Largest LZMA2 chunk of uncompressed data.
const LZMA2_CHUNK_MAX: u64 = 1 << 16;
/// liblzma's bound on block header + padding + check, used to size the threaded output.
const HEADERS_BOUND: u64 = (1 + 1 + 2 * 9 + 3 + 4 + 64 + 3) & !3;

/// The most a block of `n` bytes can take as LZMA2 uncompressed chunks (liblzma
/// `lzma2_bound`).
fn lzma2_bound(n: u64) -> Option<u64> {
    let chunks = n.checked_add(LZMA2_CHUNK_MAX - 1)? / LZMA2_CHUNK_MAX;
    n.checked_add(chunks.checked_mul(3)?.checked_add(1)?)
}

/// liblzma's `lzma_block_buffer_bound64`.
fn block_buffer_bound(n: u64) -> Option<u64> {
    let l = lzma2_bound(n)?.checked_add(3)? & !3;
    l.checked_add(HEADERS_BOUND)
}

/// The default block size of the threaded encoder for a chain (liblzma
/// `lzma_mt_block_size`: three times the dictionary, at least 1 MiB).
///
/// ```
/// use lzma_core::{Filter, LzmaOptions};
/// let chain = [Filter::Lzma2(LzmaOptions::preset(6, false).unwrap())];
/// assert_eq!(lzma_core::xz::mt_block_size(&chain), 24 << 20);
/// ```
pub fn mt_block_size(filters: &[Filter]) -> u64 {
    filters
        .iter()
        .filter_map(|f| match f {
            Filter::Lzma1(o) | Filter::Lzma2(o) => Some((u64::from(o.dict_size) * 3).max(1 << 20)),
            _ => None,
        })
        .max()
        .unwrap_or(1 << 20)
}

/// One complete block: header, data, padding and check, with its index record.
///
/// ```
/// use lzma_core::{xz::encode_threaded_block, Check, Filter, LzmaOptions};
/// let chain = [Filter::Lzma2(LzmaOptions::preset(0, false)?)];
/// let block = encode_threaded_block(&[1u8; 100], &chain, Check::Crc64, 1 << 20)?;
/// assert_eq!(block.record.uncompressed_size, 100);
/// assert_eq!(block.bytes.len() as u64, block.record.total_size()); // padding included
/// # Ok::<(), lzma_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedBlock {
    /// The block's bytes as they go into the stream.
    pub bytes: Vec<u8>,
    /// Its index record.
    pub record: IndexRecord,
}

/// Compresses `data` (at most `block_size` bytes) into one block exactly as liblzma's
/// threaded encoder does: the header reserves room for the sizes of a full block of
/// `block_size` bytes and then stores the real ones, and a block that would not fit in
/// liblzma's output buffer is stored as LZMA2 uncompressed chunks instead. Blocks are
/// independent, so callers may compress several at once.
///
/// ```
/// use lzma_core::{xz::encode_threaded_block, Check, Filter, LzmaOptions};
/// let chain = [Filter::Lzma2(LzmaOptions::preset(0, false).unwrap())];
/// let b = encode_threaded_block(b"block data", &chain, Check::Crc32, 1 << 20).unwrap();
/// assert_eq!(b.record.uncompressed_size, 10);
/// assert_eq!(b.bytes.len() as u64, b.record.total_size());
/// ```
pub fn encode_threaded_block(
    data: &[u8],
    filters: &[Filter],
    check: Check,
    block_size: u64,
) -> Result<EncodedBlock> {
    let mut b = encode_threaded_block_with(&mut BlockEncoder::new(), Vec::new(), data, filters, check, block_size)?;
    // Give back the reserved room the block did not use: the block may wait a while to
    // be written, and the room would keep the allocator from reusing that memory.
    b.bytes.shrink_to_fit();
    Ok(b)
}

/// [`encode_threaded_block`] with `encoder` kept from block to block (reset, not
/// rebuilt, when the chain's LZMA2 options are unchanged), as each of liblzma's worker
/// threads keeps its own, and the block written into `out` (its contents are dropped,
/// its allocation reused, as liblzma reuses its output buffers; the block keeps the
/// room it did not use, untouched).
pub(crate) fn encode_threaded_block_with(
    encoder: &mut BlockEncoder,
    mut out: Vec<u8>,
    data: &[u8],
    filters: &[Filter],
    check: Check,
    block_size: u64,
) -> Result<EncodedBlock> {
    let n = data.len() as u64;
    if n > block_size {
        return Err(Error::Options("block data larger than the block size".into()));
    }
    let flags = StreamFlags::new(check);
    let allocated = block_buffer_bound(block_size)
        .filter(|&a| a <= usize::MAX as u64 / 2)
        .ok_or_else(|| Error::Options("The block size is too large".into()))?;
    let mut h = BlockHeader::new(filters.to_vec());
    h.compressed_size = Some(allocated);
    h.uncompressed_size = Some(block_size);
    let header_size = h.min_size()?;
    let mut state = CheckState::new(check);
    state.update(data);
    let check_size = flags.check_size();
    // liblzma's output buffer holds header, data, padding and check in `allocated` bytes.
    let room = allocated as usize - header_size;
    let coder = encoder.start(filters)?;
    // Room for the likely output is reserved (not touched); the part handed to the coder
    // grows 64 KiB at a time, so the pages touched are about the compressed size, as
    // liblzma's output buffer (a recycled allocation is zeroed by `resize`).
    const STEP: usize = 64 * 1024;
    out.clear();
    out.reserve_exact(header_size + n.min(room as u64) as usize + 64);
    out.resize(header_size, 0);
    let mut op = header_size;
    let mut ip = 0;
    let fits = loop {
        if out.len() - op < STEP && out.len() < header_size + room {
            let step = if out.len() + STEP <= out.capacity() { STEP } else { (out.len() / 2).max(STEP) };
            let grow = step.min(header_size + room - out.len());
            out.resize(out.len() + grow, 0);
        }
        let p = coder.code(&data[ip..], &mut out[op..], Action::Finish)?;
        ip += p.consumed;
        op += p.produced;
        let used = ((op - header_size + 3) & !3) + check_size;
        if p.status == Status::StreamEnd {
            break used <= room;
        }
        if used > room || op == header_size + room {
            break false;
        }
        if p.consumed == 0 && p.produced == 0 && op < out.len() {
            return Err(Error::Misuse("the filter chain made no progress"));
        }
    };
    out.truncate(op);
    let compressed;
    if fits {
        compressed = (op - header_size) as u64;
        h.header_size = header_size;
        h.compressed_size = Some(compressed);
        h.uncompressed_size = Some(n);
        let hb = h.encode()?;
        out[..header_size].copy_from_slice(&hb);
    } else {
        // Incompressible: LZMA2 uncompressed chunks, as liblzma's fallback.
        let opts = LzmaOptions { dict_size: crate::lzma::DICT_SIZE_MIN, ..LzmaOptions::default() };
        let mut h = BlockHeader::new(vec![Filter::Lzma2(opts)]);
        h.compressed_size = lzma2_bound(n);
        h.uncompressed_size = Some(n);
        let hb = h.encode()?;
        out.clear();
        out.extend_from_slice(&hb);
        let start = out.len();
        out.reserve(data.len() + data.len() / 21845 + 8);
        for (k, c) in data.chunks(LZMA2_CHUNK_MAX as usize).enumerate() {
            out.push(if k == 0 { 1 } else { 2 });
            out.extend_from_slice(&((c.len() - 1) as u16).to_be_bytes());
            out.extend_from_slice(c);
        }
        out.push(0);
        compressed = (out.len() - start) as u64;
    }
    let header_len = out.len() as u64 - compressed;
    while out.len() % 4 != 0 {
        out.push(0);
    }
    out.extend_from_slice(&state.finish());
    let unpadded = super::block_header::unpadded_size(header_len as usize, compressed, flags.check_id())?;
    Ok(EncodedBlock { bytes: out, record: IndexRecord { unpadded_size: unpadded, uncompressed_size: n } })
}

/// Appends the end of a stream to `queue`: the index of `records` and the stream footer.
/// Shared by [`XzEncoder`] and the threaded encoder.
pub(crate) fn queue_index_and_footer(queue: &mut Vec<u8>, records: &[IndexRecord], flags: StreamFlags) -> Result<()> {
    let idx = index::encode(records)?;
    queue.extend_from_slice(&idx);
    queue.extend_from_slice(&stream_flags::encode_footer(flags, idx.len() as u64)?);
    Ok(())
}

/// Copies the unwritten part of `queue` (from `*pos`) to `output` at `*op`. Returns `true`
/// once all of it is out (the queue is then emptied).
pub(crate) fn drain_queue(queue: &mut Vec<u8>, pos: &mut usize, output: &mut [u8], op: &mut usize) -> bool {
    let n = (queue.len() - *pos).min(output.len() - *op);
    output[*op..*op + n].copy_from_slice(&queue[*pos..*pos + n]);
    *op += n;
    *pos += n;
    if *pos == queue.len() {
        queue.clear();
        *pos = 0;
        true
    } else {
        false
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Between blocks (or before the first).
    Idle,
    /// Single-threaded layout: a block is open.
    Block,
    /// The index and footer are queued.
    Finishing,
    /// All written.
    Done,
}

struct OpenBlock {
    header_size: usize,
    compressed: u64,
    uncompressed: u64,
    check: CheckState,
    finishing: bool,
}

/// The .xz encoder.
///
/// ```
/// use lzma_core::{xz::XzEncoder, Action, Coder, EncoderOptions, Status};
/// let mut enc = XzEncoder::new(&EncoderOptions::preset(1)).unwrap();
/// let mut out = vec![0u8; 1024];
/// let p = enc.code(b"hello", &mut out, Action::Finish).unwrap();
/// assert_eq!(p.status, Status::StreamEnd);
/// out.truncate(p.produced);
/// assert_eq!(lzma_core::decompress(&out).unwrap(), b"hello");
/// ```
pub struct XzEncoder {
    flags: StreamFlags,
    check: Check,
    mt: bool,
    mt_block_size: u64,
    /// Block limits and the chain of the current block.
    plan: BlockPlan,
    state: State,
    queue: Vec<u8>,
    queue_pos: usize,
    records: Vec<IndexRecord>,
    block: Option<OpenBlock>,
    mt_input: Vec<u8>,
    /// The buffer of the last threaded-layout block, reused for the next.
    mt_output: Vec<u8>,
    /// The encoder of every block, reset between blocks.
    block_encoder: BlockEncoder,
    memusage: u64,
    poisoned: bool,
}

impl std::fmt::Debug for XzEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XzEncoder")
            .field("filters", &self.plan.filters)
            .field("check", &self.check)
            .field("mt", &self.mt)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl XzEncoder {
    /// An encoder for these options.
    ///
    /// ```
    /// use lzma_core::{xz::XzEncoder, EncoderOptions};
    /// let e = XzEncoder::new(&EncoderOptions::preset(6).threads(2)).unwrap();
    /// assert_eq!(e.filters().len(), 1);
    /// assert!(XzEncoder::new(&EncoderOptions::preset(6).block_size(0)).is_err());
    /// ```
    pub fn new(opts: &EncoderOptions) -> Result<Self> {
        opts.validate()?;
        let mut chains: Vec<Option<Vec<Filter>>> = vec![None; 10];
        for n in opts.used_chains() {
            chains[n] = Some(opts.chain_for(n)?);
        }
        let list_chains: Vec<usize> = (0..opts.block_list.len()).map(|i| opts.list_chain(i)).collect();
        let mt = opts.is_multithreaded_format();
        let block_list: Vec<u64> =
            opts.block_list.iter().map(|&s| if s == 0 { u64::MAX } else { s }).collect();
        let mut mt_block_size = opts.block_size.unwrap_or_else(|| {
            let s = chains.iter().flatten().map(|c| mt_block_size(c)).max().unwrap_or(1 << 20);
            match block_list.iter().copied().max() {
                Some(largest) if largest < s => largest,
                _ => s,
            }
        });
        if mt && mt_block_size > MT_BLOCK_SIZE_MAX {
            return Err(Error::Options("The block size is too large".into()));
        }
        mt_block_size = mt_block_size.max(1);
        // Fail early on chains the backend cannot build. The encoder built last is kept
        // for the first block (reset, not rebuilt, when its chain is that block's), so its
        // memory is not freed and taken again: recycled memory comes back zeroed, every
        // page touched.
        let mut block_encoder = BlockEncoder::new();
        for c in chains.iter().flatten() {
            block_encoder.prepare(c)?;
        }
        let block_size = if mt { Some(mt_block_size) } else { opts.block_size };
        Ok(XzEncoder {
            flags: StreamFlags::new(opts.check),
            check: opts.check,
            mt,
            mt_block_size,
            plan: BlockPlan::new(chains, list_chains, &opts.block_list, block_size)?,
            state: State::Idle,
            queue: stream_flags::encode_header(StreamFlags::new(opts.check)).to_vec(),
            queue_pos: 0,
            records: Vec::new(),
            block: None,
            mt_input: Vec::new(),
            mt_output: Vec::new(),
            block_encoder,
            memusage: Self::memusage_of(opts)?,
            poisoned: false,
        })
    }

    /// An encoder for a preset with CRC64 in the single-threaded layout (as `xz -T1 -N`).
    ///
    /// ```
    /// use lzma_core::{oneshot::run, xz::XzEncoder};
    /// let xz = run(&mut XzEncoder::with_preset(0)?, b"preset 0")?;
    /// assert_eq!(lzma_core::decompress(&xz)?, b"preset 0");
    /// assert!(XzEncoder::with_preset(10).is_err());
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn with_preset(level: u32) -> Result<Self> {
        Self::new(&EncoderOptions::preset(level))
    }

    /// The filter chain in use.
    ///
    /// ```
    /// use lzma_core::{xz::XzEncoder, Filter, LzmaOptions};
    /// let enc = XzEncoder::with_preset(0)?;
    /// assert_eq!(enc.filters(), [Filter::Lzma2(LzmaOptions::preset(0, false)?)]);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn filters(&self) -> &[Filter] {
        &self.plan.filters
    }

    /// Records of the blocks written so far.
    ///
    /// ```
    /// use lzma_core::{oneshot::run, xz::XzEncoder, EncoderOptions};
    /// let mut enc = XzEncoder::new(&EncoderOptions::preset(0).block_size(1000))?;
    /// run(&mut enc, &[3u8; 2500])?;
    /// let sizes: Vec<u64> = enc.index_records().iter().map(|r| r.uncompressed_size).collect();
    /// assert_eq!(sizes, [1000, 1000, 500]);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn index_records(&self) -> &[IndexRecord] {
        &self.records
    }

    /// Memory the encoder needs, as liblzma reports it: the largest of the chains in use
    /// for the single-threaded layout; for the threaded one, as
    /// `lzma_stream_encoder_mt_memusage` with `threads` (0 counts as 1): input buffers,
    /// one encoder and two output buffers per thread.
    ///
    /// ```
    /// use lzma_core::{xz::XzEncoder, EncoderOptions};
    /// let st = XzEncoder::memusage_of(&EncoderOptions::preset(6)).unwrap();
    /// let mt = XzEncoder::memusage_of(&EncoderOptions::preset(6).threads(2)).unwrap();
    /// assert!(mt > 2 * st);
    /// ```
    pub fn memusage_of(opts: &EncoderOptions) -> Result<u64> {
        opts.validate()?;
        let mut filters_mem = 0u64;
        let mut block_size = 0u64;
        for n in opts.used_chains() {
            let chain = opts.chain_for(n)?;
            filters_mem = filters_mem.max(backend::encoder_memusage(&chain));
            block_size = block_size.max(mt_block_size(&chain));
        }
        if !opts.is_multithreaded_format() {
            return Ok(filters_mem);
        }
        let mut bs = opts.block_size.unwrap_or(block_size);
        if opts.block_size.is_none() {
            if let Some(&largest) = opts.block_list.iter().filter(|&&s| s != 0).max() {
                if largest < bs && !opts.block_list.contains(&0) {
                    bs = largest;
                }
            }
        }
        let threads = u64::from(opts.threads.max(1));
        // liblzma: base + coder and per-thread structures (a few KiB) + buffers.
        const MT_FIXED: u64 = (1 << 15) + 4096;
        const PER_THREAD: u64 = 1024;
        const OUTBUF_OVERHEAD: u64 = 64;
        let outbuf = block_buffer_bound(bs).unwrap_or(u64::MAX).saturating_add(OUTBUF_OVERHEAD);
        Ok(MT_FIXED
            .saturating_add(threads.saturating_mul(PER_THREAD))
            .saturating_add(threads.saturating_mul(bs))
            .saturating_add(threads.saturating_mul(filters_mem))
            .saturating_add((2 * threads).saturating_mul(outbuf)))
    }

    fn open_st_block(&mut self) -> Result<()> {
        let header = BlockHeader::new(self.plan.filters.clone()).encode()?;
        let header_size = header.len();
        self.queue.extend_from_slice(&header);
        self.block_encoder.start(&self.plan.filters)?;
        self.block = Some(OpenBlock {
            header_size,
            compressed: 0,
            uncompressed: 0,
            check: CheckState::new(self.check),
            finishing: false,
        });
        self.state = State::Block;
        Ok(())
    }

    fn close_st_block(&mut self) -> Result<()> {
        let b = self.block.take().ok_or(Error::Misuse("no open block"))?;
        self.end_block(b.header_size, b.compressed, b.uncompressed, &b.check)
    }

    fn end_block(&mut self, header_size: usize, compressed: u64, uncompressed: u64, check: &CheckState) -> Result<()> {
        let pad = ((4 - compressed % 4) % 4) as usize;
        self.queue.extend(std::iter::repeat(0).take(pad));
        self.queue.extend_from_slice(&check.finish());
        let unpadded = super::block_header::unpadded_size(header_size, compressed, self.flags.check_id())?;
        self.records.push(IndexRecord { unpadded_size: unpadded, uncompressed_size: uncompressed });
        self.state = State::Idle;
        Ok(())
    }

    /// Compresses `self.mt_input` as one block of the threaded layout.
    fn encode_mt_block(&mut self) -> Result<()> {
        let block = encode_threaded_block_with(
            &mut self.block_encoder,
            std::mem::take(&mut self.mt_output),
            &self.mt_input,
            &self.plan.filters,
            self.check,
            self.mt_block_size,
        )?;
        self.mt_input.clear();
        self.queue.extend_from_slice(&block.bytes);
        self.mt_output = block.bytes;
        self.records.push(block.record);
        self.state = State::Idle;
        Ok(())
    }

    fn queue_index_and_footer(&mut self) -> Result<()> {
        queue_index_and_footer(&mut self.queue, &self.records, self.flags)?;
        self.state = State::Finishing;
        Ok(())
    }

    fn drain(&mut self, output: &mut [u8], op: &mut usize) -> bool {
        drain_queue(&mut self.queue, &mut self.queue_pos, output, op)
    }

    fn step(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        let (mut ip, mut op) = (0usize, 0usize);
        let done = |ip, op, end: bool| {
            let status = if end { Status::StreamEnd } else { Status::Ok };
            Ok(Progress { consumed: ip, produced: op, status })
        };
        loop {
            if !self.drain(output, &mut op) {
                return done(ip, op, false);
            }
            match self.state {
                State::Done => return done(ip, op, true),
                State::Finishing => self.state = State::Done,
                State::Idle if self.mt => {
                    if ip < input.len() {
                        let limit = self.plan.remaining;
                        let want = limit - self.mt_input.len() as u64;
                        let n = want.min((input.len() - ip) as u64) as usize;
                        self.mt_input.extend_from_slice(&input[ip..ip + n]);
                        ip += n;
                        if self.mt_input.len() as u64 == limit {
                            self.encode_mt_block()?;
                            self.plan.next_block();
                        }
                        continue;
                    }
                    match action {
                        Action::Run => return done(ip, op, false),
                        _ if !self.mt_input.is_empty() => {
                            let used = self.mt_input.len() as u64;
                            self.encode_mt_block()?;
                            self.plan.early_end(used);
                        }
                        Action::Finish => self.queue_index_and_footer()?,
                        _ => return done(ip, op, true),
                    }
                }
                State::Idle => {
                    if ip < input.len() {
                        self.open_st_block()?;
                        continue;
                    }
                    match action {
                        Action::Finish => self.queue_index_and_footer()?,
                        Action::Run => return done(ip, op, false),
                        _ => return done(ip, op, true),
                    }
                }
                State::Block => {
                    let limit = self.plan.remaining;
                    let b = self.block.as_mut().ok_or(Error::Misuse("no open block"))?;
                    let avail = (input.len() - ip) as u64;
                    let take = avail.min(limit - b.uncompressed);
                    let inner = if b.finishing || b.uncompressed + take == limit {
                        Action::Finish
                    } else if take == avail {
                        match action {
                            Action::Run => Action::Run,
                            Action::SyncFlush => Action::SyncFlush,
                            Action::FullFlush | Action::Finish => Action::Finish,
                        }
                    } else {
                        Action::Run
                    };
                    let take = take as usize;
                    if inner == Action::Finish {
                        b.finishing = true;
                    }
                    let coder = self.block_encoder.current()?;
                    let p = coder.code(&input[ip..ip + take], &mut output[op..], inner)?;
                    b.check.update(&input[ip..ip + p.consumed]);
                    ip += p.consumed;
                    op += p.produced;
                    b.uncompressed += p.consumed as u64;
                    b.compressed += p.produced as u64;
                    if p.status == Status::StreamEnd {
                        if inner == Action::SyncFlush {
                            return done(ip, op, true);
                        }
                        let used = b.uncompressed;
                        self.close_st_block()?;
                        if used == limit {
                            self.plan.next_block();
                        } else {
                            self.plan.early_end(used);
                        }
                        continue;
                    }
                    if op == output.len() {
                        return done(ip, op, false);
                    }
                    if inner == Action::Run && ip == input.len() {
                        return done(ip, op, false);
                    }
                    if p.consumed == 0 && p.produced == 0 {
                        return Err(Error::Misuse("the filter chain made no progress"));
                    }
                }
            }
        }
    }
}

impl Coder for XzEncoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        if self.poisoned {
            return Err(Error::Misuse("encoder used after an error"));
        }
        let r = self.step(input, output, action);
        if r.is_err() {
            self.poisoned = true;
        }
        r
    }

    fn memusage(&self) -> u64 {
        self.memusage
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::DecoderOptions;

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + i / 300) as u8).collect()
    }

    /// Feeds `input` in chunks of `chunk` bytes into an output buffer of `room` bytes.
    fn encode_chunked(opts: &EncoderOptions, input: &[u8], chunk: usize, room: usize) -> Vec<u8> {
        let mut e = XzEncoder::new(opts).unwrap();
        let mut out = Vec::new();
        let mut buf = vec![0u8; room];
        let mut pos = 0;
        loop {
            let end = (pos + chunk).min(input.len());
            let action = if end == input.len() { Action::Finish } else { Action::Run };
            let p = e.code(&input[pos..end], &mut buf, action).unwrap();
            pos += p.consumed;
            out.extend_from_slice(&buf[..p.produced]);
            if p.status == Status::StreamEnd {
                assert_eq!(pos, input.len());
                return out;
            }
        }
    }

    #[test]
    fn chunking_does_not_change_output() {
        let input = data(200_000);
        for opts in [
            EncoderOptions::preset(0),
            EncoderOptions::preset(0).block_size(30_000),
            EncoderOptions::preset(0).block_list(vec![5, 70_000, 0]),
            EncoderOptions::preset(0).threads(2).block_size(50_000),
            EncoderOptions::preset(0).threads(0).block_size(40_000).block_list(vec![100, 90_000]),
        ] {
            let whole = encode_chunked(&opts, &input, input.len(), 1 << 20);
            for (chunk, room) in [(1, 7), (4096, 1), (65_537, 100)] {
                assert_eq!(encode_chunked(&opts, &input, chunk, room), whole, "{opts:?} {chunk} {room}");
            }
            assert_eq!(crate::decompress(&whole).unwrap(), input);
        }
    }

    #[test]
    fn flushes() {
        let input = data(10_000);
        for threads in [1, 2] {
            let mut e = XzEncoder::new(&EncoderOptions::preset(1).threads(threads)).unwrap();
            let mut out = vec![0u8; 1 << 16];
            let mut n = 0;
            let mut fed = 0;
            for (part, action) in [
                (&input[..3000], Action::SyncFlush),
                (&input[3000..6000], Action::FullFlush),
                (&[][..], Action::FullFlush),
                (&input[6000..], Action::Finish),
            ] {
                let p = e.code(part, &mut out[n..], action).unwrap();
                assert_eq!((p.consumed, p.status), (part.len(), Status::StreamEnd));
                n += p.produced;
                fed += part.len();
                // Everything so far decodes (a flush makes the data available).
                if action != Action::Finish {
                    let mut d = crate::xz::XzDecoder::new(DecoderOptions::default());
                    let mut o = vec![0u8; 20_000];
                    let p = d.code(&out[..n], &mut o, Action::Run).unwrap();
                    assert_eq!(p.produced, fed);
                }
            }
            let info = crate::xz::info::parse(&mut std::io::Cursor::new(&out[..n]), &Default::default()).unwrap();
            // Single-threaded: the sync flush keeps the block, the full flush ends it.
            assert_eq!(info.block_count(), if threads == 1 { 2 } else { 3 });
            assert_eq!(crate::decompress(&out[..n]).unwrap(), input);
        }
    }

    #[test]
    fn bad_options() {
        assert!(XzEncoder::new(&EncoderOptions::preset(10)).is_err());
        assert!(XzEncoder::new(&EncoderOptions::preset(1).block_size(0)).is_err());
        assert!(XzEncoder::new(&EncoderOptions::preset(1).block_list(vec![0, 5])).is_err());
        assert!(XzEncoder::new(&EncoderOptions::preset(1).block_list(vec![5]).block_list_chains(vec![3])).is_err());
        assert!(XzEncoder::new(&EncoderOptions::preset(1).threads(2).block_size(u64::MAX)).is_err());
        let e = XzEncoder::new(&EncoderOptions::preset(1).filters(vec![Filter::Delta { distance: 1 }]))
            .unwrap_err();
        assert!(e.to_string().contains("last filter"), "{e}");
    }

    #[test]
    fn bounds() {
        assert_eq!(lzma2_bound(0), Some(1));
        assert_eq!(lzma2_bound(65536), Some(65536 + 3 + 1));
        assert_eq!(lzma2_bound(65537), Some(65537 + 6 + 1));
        assert!(block_buffer_bound(u64::MAX).is_none());
    }
}
