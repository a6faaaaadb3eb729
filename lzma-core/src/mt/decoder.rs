//! The threaded .xz decoder.

use super::pool::Pool;
use crate::stream::{Action, Coder, Progress, Status};
use crate::xz::backend::{self, MEMUSAGE_BASE};
use crate::xz::block::{self, BlockDecoder};
use crate::xz::block_header::{header_size_from_byte, unpadded_size, BlockHeader};
use crate::xz::fields::StreamFields;
use crate::xz::index::{IndexDecoder, IndexRecord};
use crate::xz::stream_flags::{self, StreamFlags, STREAM_HEADER_SIZE};
use crate::{Check, Error, Result};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};

/// Output piece a worker sends at a time.
const CHUNK: usize = 64 << 10;

/// Output buffers handed back by the reader for workers to reuse: a fresh buffer would be
/// zeroed (and its pages faulted in) for every chunk of output. At most [`SPARE_MAX`] are
/// kept.
#[derive(Clone, Default)]
struct Spare(Arc<Mutex<Vec<Vec<u8>>>>);

/// Buffers kept in a [`Spare`] pool (512 KiB).
const SPARE_MAX: usize = 8;

impl Spare {
    /// A buffer of `len` bytes: a returned one if there is one (only bytes beyond its old
    /// length are zeroed), else a new one.
    fn take(&self, len: usize) -> Vec<u8> {
        let mut buf = self.0.lock().ok().and_then(|mut s| s.pop()).unwrap_or_default();
        buf.resize(len, 0);
        buf
    }

    /// Keeps `buf` for reuse if it is a whole chunk's and the pool has room.
    fn give(&self, buf: Vec<u8>) {
        if buf.capacity() >= CHUNK {
            if let Ok(mut s) = self.0.lock() {
                if s.len() < SPARE_MAX {
                    s.push(buf);
                }
            }
        }
    }
}

/// liblzma's allowance for an output buffer's bookkeeping (`sizeof(lzma_outbuf)`).
const OUTBUF_OVERHEAD: u64 = 64;
/// Largest block decoded on a worker thread; larger ones are decoded directly.
const THREADED_BLOCK_MAX: u64 = (usize::MAX >> 2) as u64;

/// Options of [`XzDecoderMt`], as liblzma's `lzma_mt` for `lzma_stream_decoder_mt`.
///
/// ```
/// use lzma_core::mt::MtDecoderOptions;
/// let o = MtDecoderOptions::new(4).memlimit_threading(256 << 20).memlimit_stop(1 << 30);
/// assert_eq!(o.threads, 4);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MtDecoderOptions {
    /// Worker threads (0 and 1 both mean single-threaded decoding).
    pub threads: u32,
    /// Soft limit: blocks are decoded in parallel only while the memory of the blocks in
    /// flight stays below it; a block that alone needs more is decoded single-threaded
    /// (xz `--memlimit-mt-decompress`). Never above `memlimit_stop`.
    pub memlimit_threading: u64,
    /// Hard limit: a block whose filter chain needs more fails with
    /// [`Error::MemLimit`], as the single-threaded decoder (xz `--memlimit-decompress`).
    pub memlimit_stop: u64,
    /// Do not verify integrity checks.
    pub ignore_check: bool,
    /// Decode only the first stream.
    pub single_stream: bool,
}

impl MtDecoderOptions {
    /// `threads` workers, no memory limits, checks verified, concatenated streams.
    ///
    /// ```
    /// use lzma_core::mt::MtDecoderOptions;
    /// let o = MtDecoderOptions::new(4);
    /// assert_eq!((o.threads, o.memlimit_stop, o.ignore_check), (4, u64::MAX, false));
    /// ```
    pub fn new(threads: u32) -> Self {
        MtDecoderOptions {
            threads,
            memlimit_threading: u64::MAX,
            memlimit_stop: u64::MAX,
            ignore_check: false,
            single_stream: false,
        }
    }

    /// Sets the soft limit of threaded decoding (0 counts as 1).
    ///
    /// ```
    /// use lzma_core::mt::{MtDecoderOptions, XzDecoderMt};
    /// let d = XzDecoderMt::new(MtDecoderOptions::new(2).memlimit_threading(1 << 30).memlimit_stop(64 << 20));
    /// assert_eq!(d.options().memlimit_threading, 64 << 20); // never above the hard limit
    /// ```
    pub fn memlimit_threading(mut self, limit: u64) -> Self {
        self.memlimit_threading = limit.max(1);
        self
    }

    /// Sets the hard memory limit (0 counts as 1).
    ///
    /// ```
    /// use lzma_core::mt::{MtDecoderOptions, XzDecoderMt};
    /// use lzma_core::{oneshot::run, Error};
    /// let xz = lzma_core::compress(b"hello", 0)?;
    /// let mut d = XzDecoderMt::new(MtDecoderOptions::new(2).memlimit_stop(1024));
    /// assert!(matches!(run(&mut d, &xz), Err(Error::MemLimit { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn memlimit_stop(mut self, limit: u64) -> Self {
        self.memlimit_stop = limit.max(1);
        self
    }

    /// Sets whether checks are ignored.
    ///
    /// ```
    /// use lzma_core::mt::{MtDecoderOptions, XzDecoderMt};
    /// use lzma_core::oneshot::run;
    /// let mut xz = lzma_core::compress(b"hello", 0)?;
    /// let n = xz.len();
    /// xz[n - 21] ^= 1; // the last byte of the block's CRC64, before index (8) and footer (12)
    /// assert!(run(&mut XzDecoderMt::new(MtDecoderOptions::new(2)), &xz).is_err());
    /// let mut d = XzDecoderMt::new(MtDecoderOptions::new(2).ignore_check(true));
    /// assert_eq!(run(&mut d, &xz)?, b"hello");
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn ignore_check(mut self, yes: bool) -> Self {
        self.ignore_check = yes;
        self
    }

    /// Sets whether only the first stream is decoded.
    ///
    /// ```
    /// use lzma_core::mt::{MtDecoderOptions, XzDecoderMt};
    /// use lzma_core::oneshot::run;
    /// let mut two = lzma_core::compress(b"one", 0)?;
    /// two.extend(lzma_core::compress(b"two", 0)?);
    /// assert_eq!(run(&mut XzDecoderMt::new(MtDecoderOptions::new(2)), &two)?, b"onetwo");
    /// let mut d = XzDecoderMt::new(MtDecoderOptions::new(2).single_stream(true));
    /// assert_eq!(run(&mut d, &two)?, b"one");
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn single_stream(mut self, yes: bool) -> Self {
        self.single_stream = yes;
        self
    }
}

/// What a worker sends for its block.
enum Msg {
    Data(Vec<u8>),
    End(Result<()>),
}

/// Decodes one block on a worker as its input arrives (`expected` bytes after the header,
/// in pieces from `input`; a closed channel before that means the input ended there).
/// The output goes out in pieces as it is decoded (before the check is verified), and
/// the bytes decoded before an error ahead of that error, as liblzma's workers hand their
/// input and output over with the main thread.
#[allow(clippy::too_many_arguments)]
fn decode_job(
    header: BlockHeader,
    flags: StreamFlags,
    ignore_check: bool,
    input: Receiver<Vec<u8>>,
    expected: usize,
    tx: Sender<Msg>,
    cancel: Arc<AtomicBool>,
    running: Arc<AtomicUsize>,
    spare: Spare,
) {
    /// Counts the job as finished when it ends, however it ends.
    struct Running(Arc<AtomicUsize>);
    impl Drop for Running {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::AcqRel);
        }
    }
    let running = Running(running);
    let send = |out: Vec<u8>| out.is_empty() || tx.send(Msg::Data(out)).is_ok();
    let r = (|| {
        let mut dec = BlockDecoder::new(&header, flags, ignore_check)?;
        let (mut piece, mut ip) = (Vec::new(), 0);
        let mut received = 0usize;
        // No more input will come: all of it is here, or the input ended.
        let mut ended = expected == 0;
        loop {
            if ip == piece.len() && !ended {
                match input.recv() {
                    Ok(p) => {
                        received = received.saturating_add(p.len());
                        piece = p;
                        ended = received >= expected;
                    }
                    Err(_) => {
                        piece = Vec::new();
                        ended = true;
                    }
                }
                ip = 0;
            }
            let room = dec.output_left().min(CHUNK as u64) as usize;
            let mut out = spare.take(room);
            let mut op = 0;
            let before = ip;
            let r = dec.code(&piece, &mut ip, &mut out, &mut op, ended);
            out.truncate(op);
            if !send(out) {
                return Ok(());
            }
            if r? || cancel.load(Ordering::Relaxed) {
                return Ok(());
            }
            if ended && op == 0 && ip == before {
                return Err(if received >= expected {
                    // The whole block is here; a decoder that wants more has read past it.
                    Error::Corrupt("block data does not match the sizes in its header")
                } else {
                    Error::Truncated
                });
            }
        }
    })();
    drop(running);
    let _ = tx.send(Msg::End(r));
}

/// A block handed to a worker, oldest first.
struct Pending {
    rx: Receiver<Msg>,
    cur: Vec<u8>,
    pos: usize,
    mem: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    StreamHeader,
    BlockHeader,
    BlockInit,
    /// Handing a block's input to its worker (`feed` is set once a worker has it).
    Feed,
    /// The input ended inside a block fed to a worker, which gives the verdict.
    Cut,
    /// Decoding a block on this thread.
    Direct,
    Index,
    StreamFooter,
    StreamPadding,
    End,
}

/// The multi-threaded .xz decoder.
///
/// Blocks whose headers hold both sizes (as every threaded encoder writes them) go to
/// worker threads, as in liblzma: a block's input is handed to its worker piece by piece
/// as it arrives, and its output is handed out in order as it is decoded, while the next
/// blocks go to other workers (one block per worker being decoded, at most two per worker
/// in flight). Blocks without sizes (files from single-threaded encoders) are decoded on
/// the caller's thread, so any file decodes, switching modes from block to block. No
/// `Seek` is needed: it works from a pipe.
///
/// Output, integrity checks and errors are those of [`crate::xz::XzDecoder`]: a damaged
/// or cut block gives the same error after the same output (every block before it and
/// the bytes of the block decoded before the damage, as `xz -T2 -dc` writes them).
/// Dropping the decoder at any point stops its workers.
///
/// ```
/// use lzma_core::{mt::{MtDecoderOptions, XzDecoderMt, XzEncoderMt}, EncoderOptions};
/// let data: Vec<u8> = (0..200_000u32).map(|i| (i / 7) as u8).collect();
/// let mut enc = XzEncoderMt::new(&EncoderOptions::preset(0).block_size(50_000), 2).unwrap();
/// let xz = lzma_core::oneshot::run(&mut enc, &data).unwrap();
/// let mut dec = XzDecoderMt::new(MtDecoderOptions::new(2));
/// assert_eq!(lzma_core::oneshot::run(&mut dec, &xz).unwrap(), data);
/// ```
pub struct XzDecoderMt {
    opts: MtDecoderOptions,
    pool: Option<Pool>,
    cancel: Arc<AtomicBool>,
    /// Blocks handed to workers whose decoding has not ended.
    running: Arc<AtomicUsize>,
    state: State,
    fields: StreamFields,
    flags: Option<StreamFlags>,
    header: Option<BlockHeader>,
    /// Where the input of the block being fed goes, and how much of it is still to come.
    feed: Option<Sender<Vec<u8>>>,
    feed_left: usize,
    /// The memory figure of the block about to be fed.
    block_mem: u64,
    direct: Option<BlockDecoder>,
    pending: VecDeque<Pending>,
    /// Output buffers read out, for the workers to reuse.
    spare: Spare,
    mem_in_use: u64,
    records: Vec<IndexRecord>,
    index: IndexDecoder,
    padding: usize,
    /// An error found by this side, reported after the output of earlier blocks.
    deferred: Option<Error>,
    /// An error to report on the next call (output came first).
    failed: Option<Error>,
    poisoned: bool,
}

impl std::fmt::Debug for XzDecoderMt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XzDecoderMt")
            .field("opts", &self.opts)
            .field("state", &self.state)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl Drop for XzDecoderMt {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl XzDecoderMt {
    /// A decoder with these options. Worker threads start here (none for one thread).
    ///
    /// ```
    /// use lzma_core::mt::{MtDecoderOptions, XzDecoderMt, XzEncoderMt};
    /// use lzma_core::{oneshot::run, EncoderOptions};
    /// let data = [5u8; 5000];
    /// let xz = run(&mut XzEncoderMt::new(&EncoderOptions::preset(0).block_size(1000), 2)?, &data)?;
    /// let mut d = XzDecoderMt::new(MtDecoderOptions::new(2));
    /// assert_eq!(run(&mut d, &xz)?, data);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn new(opts: MtDecoderOptions) -> Self {
        let mut opts = opts;
        opts.memlimit_stop = opts.memlimit_stop.max(1);
        opts.memlimit_threading = opts.memlimit_threading.clamp(1, opts.memlimit_stop);
        let threads = opts.threads.min(super::THREADS_MAX);
        let pool = (threads > 1).then(|| Pool::new(threads as usize));
        XzDecoderMt {
            opts,
            pool,
            cancel: Arc::new(AtomicBool::new(false)),
            running: Arc::new(AtomicUsize::new(0)),
            state: State::StreamHeader,
            fields: StreamFields::new(),
            flags: None,
            header: None,
            feed: None,
            feed_left: 0,
            block_mem: 0,
            direct: None,
            pending: VecDeque::new(),
            spare: Spare::default(),
            mem_in_use: 0,
            records: Vec::new(),
            index: IndexDecoder::new(false),
            padding: 0,
            deferred: None,
            failed: None,
            poisoned: false,
        }
    }

    /// The check of the current stream if this crate verifies it.
    ///
    /// ```
    /// use lzma_core::mt::{MtDecoderOptions, XzDecoderMt};
    /// use lzma_core::{oneshot::run, Check, EncoderOptions};
    /// let xz = lzma_core::compress_with(b"hi", &EncoderOptions::preset(0).check(Check::Crc32))?;
    /// let mut d = XzDecoderMt::new(MtDecoderOptions::new(2));
    /// assert_eq!(d.check(), None); // no header seen yet
    /// run(&mut d, &xz)?;
    /// assert_eq!(d.check(), Some(Check::Crc32));
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn check(&self) -> Option<Check> {
        self.flags.and_then(|f| f.check())
    }

    /// `true` once a stream named a check this crate cannot verify (see
    /// [`crate::xz::XzDecoder::unsupported_check`]).
    ///
    /// ```
    /// use lzma_core::mt::{MtDecoderOptions, XzDecoderMt};
    /// let xz = lzma_core::compress(b"hi", 0)?;
    /// let mut d = XzDecoderMt::new(MtDecoderOptions::new(2));
    /// lzma_core::oneshot::run(&mut d, &xz)?;
    /// assert!(!d.unsupported_check()); // CRC64 is verified
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn unsupported_check(&self) -> bool {
        self.fields.unsupported_check()
    }

    /// The options in force (limits after clamping).
    ///
    /// ```
    /// use lzma_core::mt::{MtDecoderOptions, XzDecoderMt};
    /// let d = XzDecoderMt::new(MtDecoderOptions::new(2).memlimit_stop(0));
    /// assert_eq!(d.options().memlimit_stop, 1); // 0 counts as 1
    /// ```
    pub fn options(&self) -> &MtDecoderOptions {
        &self.opts
    }

    /// Worker threads running (0 when decoding single-threaded).
    ///
    /// ```
    /// use lzma_core::mt::{MtDecoderOptions, XzDecoderMt};
    /// assert_eq!(XzDecoderMt::new(MtDecoderOptions::new(3)).threads(), 3);
    /// assert_eq!(XzDecoderMt::new(MtDecoderOptions::new(1)).threads(), 0); // single-threaded
    /// ```
    pub fn threads(&self) -> usize {
        self.pool.as_ref().map_or(0, Pool::workers)
    }

    /// Copies output of the oldest block. With `wait`, blocks until something happens.
    /// Returns whether anything happened.
    fn pump(&mut self, output: &mut [u8], op: &mut usize, wait: bool) -> Result<bool> {
        let mut any = false;
        while *op < output.len() && self.failed.is_none() {
            let Some(head) = self.pending.front_mut() else {
                return Ok(any);
            };
            if head.pos < head.cur.len() {
                let n = (head.cur.len() - head.pos).min(output.len() - *op);
                output[*op..*op + n].copy_from_slice(&head.cur[head.pos..head.pos + n]);
                head.pos += n;
                *op += n;
                any = true;
                continue;
            }
            let msg = if wait && !any {
                head.rx
                    .recv()
                    .map_err(|_| Error::Misuse("a worker thread died"))?
            } else {
                match head.rx.try_recv() {
                    Ok(m) => m,
                    Err(TryRecvError::Empty) => return Ok(any),
                    Err(TryRecvError::Disconnected) => {
                        return Err(Error::Misuse("a worker thread died"))
                    }
                }
            };
            any = true;
            match msg {
                Msg::Data(v) => {
                    self.spare.give(std::mem::replace(&mut head.cur, v));
                    head.pos = 0;
                }
                Msg::End(r) => {
                    let mem = head.mem;
                    self.spare.give(std::mem::take(&mut head.cur));
                    self.pending.pop_front();
                    self.mem_in_use -= mem;
                    if let Err(e) = r {
                        self.failed = Some(e);
                        self.cancel.store(true, Ordering::Relaxed);
                        self.pending.clear();
                        return Ok(any);
                    }
                }
            }
        }
        Ok(any)
    }

    /// Waits for the oldest block to make progress (output room must be available).
    fn wait(&mut self, output: &mut [u8], op: &mut usize) -> Result<()> {
        self.pump(output, op, true).map(|_| ())
    }

    fn threads_max(&self) -> usize {
        self.pool.as_ref().map_or(0, Pool::workers)
    }

    /// Parses the block header and chooses threaded or direct decoding.
    fn init_block(&mut self) -> Result<()> {
        let flags = self
            .flags
            .ok_or(Error::Misuse("block without stream header"))?;
        let (header, filters_mem) = block::parse_header(self.fields.bytes(), flags)?;
        if filters_mem > self.opts.memlimit_stop {
            return Err(Error::MemLimit {
                needed: filters_mem,
                limit: self.opts.memlimit_stop,
            });
        }
        let threaded = match (
            header.compressed_size,
            header.uncompressed_size,
            self.threads_max(),
        ) {
            (Some(c), Some(u), t) if t > 0 => {
                unpadded_size(header.header_size, c, flags.check_id())
                    .ok()
                    .map(|unpadded| (unpadded + 3) & !3)
                    .filter(|&total| total <= THREADED_BLOCK_MAX && u <= THREADED_BLOCK_MAX)
                    .and_then(|total| {
                        let mem = filters_mem
                            .checked_add(total)?
                            .checked_add(u)?
                            .checked_add(OUTBUF_OVERHEAD)?;
                        (mem <= self.opts.memlimit_threading).then_some((total, mem))
                    })
            }
            _ => None,
        };
        match threaded {
            Some((total, mem)) => {
                self.block_mem = mem;
                self.feed_left = (total as usize).saturating_sub(header.header_size);
                self.state = State::Feed;
            }
            None => {
                self.direct = Some(BlockDecoder::new(&header, flags, self.opts.ignore_check)?);
                self.state = State::Direct;
            }
        }
        self.header = Some(header);
        Ok(())
    }

    fn dispatch(&mut self) -> Result<()> {
        let header = self.header.take().ok_or(Error::Misuse("no block header"))?;
        let flags = self
            .flags
            .ok_or(Error::Misuse("block without stream header"))?;
        let unpadded = unpadded_size(
            header.header_size,
            header.compressed_size.unwrap_or(0),
            flags.check_id(),
        )?;
        self.records.push(IndexRecord {
            unpadded_size: unpadded,
            uncompressed_size: header.uncompressed_size.unwrap_or(0),
        });
        let (feed, input) = mpsc::channel();
        let expected = self.feed_left;
        let (tx, rx) = mpsc::channel();
        let cancel = Arc::clone(&self.cancel);
        let running = Arc::clone(&self.running);
        running.fetch_add(1, Ordering::AcqRel);
        let ignore = self.opts.ignore_check;
        let spare = self.spare.clone();
        let pool = self
            .pool
            .as_ref()
            .ok_or(Error::Misuse("no worker threads"))?;
        pool.submit(Box::new(move || {
            decode_job(header, flags, ignore, input, expected, tx, cancel, running, spare)
        }));
        self.pending.push_back(Pending {
            rx,
            cur: Vec::new(),
            pos: 0,
            mem: self.block_mem,
        });
        self.mem_in_use += self.block_mem;
        self.block_mem = 0;
        self.feed = Some(feed);
        Ok(())
    }

    /// Reports `e` now, or after the output of this call if there is some.
    fn fail(&mut self, e: Error, ip: usize, op: usize) -> Result<Progress> {
        if op > 0 {
            self.failed = Some(e);
            return Ok(Progress {
                consumed: ip,
                produced: op,
                status: Status::Ok,
            });
        }
        Err(e)
    }

    fn step(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        let (mut ip, mut op) = (0usize, 0usize);
        macro_rules! t {
            ($s:ident, $e:expr) => {
                match $e {
                    Ok(v) => v,
                    Err(e) => return $s.fail(e, ip, op),
                }
            };
        }
        let ok = |ip, op| {
            Ok(Progress {
                consumed: ip,
                produced: op,
                status: Status::Ok,
            })
        };
        loop {
            t!(self, self.pump(output, &mut op, false));
            if let Some(e) = self.failed.take() {
                return self.fail(e, ip, op);
            }
            if self.deferred.is_some() {
                if self.pending.is_empty() {
                    let e = self.deferred.take().unwrap_or(Error::Misuse("lost error"));
                    return self.fail(e, ip, op);
                }
                if op == output.len() {
                    return ok(ip, op);
                }
                t!(self, self.wait(output, &mut op));
                continue;
            }
            match self.state {
                State::StreamHeader => {
                    // The whole header first, as liblzma (see the single-threaded decoder).
                    if !self.fields.fill(input, &mut ip) {
                        break;
                    }
                    match self.fields.stream_header() {
                        Ok(flags) => self.flags = Some(flags),
                        Err(e) => {
                            self.deferred = Some(e);
                            continue;
                        }
                    }
                    self.records.clear();
                    self.index = IndexDecoder::new(false);
                    self.state = State::BlockHeader;
                }
                State::BlockHeader => {
                    if self.fields.is_empty() {
                        let Some(&first) = input.get(ip) else { break };
                        match header_size_from_byte(first) {
                            None => {
                                self.state = State::Index;
                                continue;
                            }
                            Some(n) => self.fields.expect(n),
                        }
                    }
                    if !self.fields.fill(input, &mut ip) {
                        break;
                    }
                    self.state = State::BlockInit;
                }
                State::BlockInit => {
                    if let Err(e) = self.init_block() {
                        self.deferred = Some(e);
                        continue;
                    }
                    self.fields.restart();
                }
                State::Feed => {
                    if self.feed.is_none() {
                        // Room for the block, as liblzma: a free worker, at most two blocks
                        // per worker in flight (being decoded, or decoded and not yet read
                        // out: liblzma's output queue) and memory below the limit.
                        let workers = self.threads_max();
                        let busy = self.running.load(Ordering::Acquire) >= workers
                            || self.pending.len() >= 2 * workers;
                        let over = self.mem_in_use.saturating_add(self.block_mem)
                            > self.opts.memlimit_threading;
                        if !self.pending.is_empty() && (busy || over) {
                            if op == output.len() {
                                return ok(ip, op);
                            }
                            t!(self, self.wait(output, &mut op));
                            continue;
                        }
                        t!(self, self.dispatch());
                    }
                    // The worker decodes the input as it comes, in the caller's pieces.
                    let n = self.feed_left.min(input.len() - ip);
                    if n > 0 {
                        if let Some(feed) = &self.feed {
                            // A worker that stopped on an error has dropped its end; the
                            // error comes through its output channel.
                            let _ = feed.send(input[ip..ip + n].to_vec());
                        }
                        ip += n;
                        self.feed_left -= n;
                    }
                    if self.feed_left > 0 {
                        break;
                    }
                    self.feed = None;
                    self.fields.restart();
                    self.state = State::BlockHeader;
                }
                State::Cut => break,
                State::Direct => {
                    if !self.pending.is_empty() {
                        if op == output.len() {
                            return ok(ip, op);
                        }
                        t!(self, self.wait(output, &mut op));
                        continue;
                    }
                    let dec = t!(self, self.direct.as_mut().ok_or(Error::Misuse("no block")));
                    let done = t!(
                        self,
                        dec.code(input, &mut ip, output, &mut op, action == Action::Finish)
                    );
                    if done {
                        let rec = t!(self, dec.record());
                        self.records.push(rec);
                        self.direct = None;
                        self.fields.restart();
                        self.state = State::BlockHeader;
                        continue;
                    }
                    break;
                }
                State::Index => {
                    if !self.pending.is_empty() && ip == input.len() {
                        break;
                    }
                    if ip == input.len() {
                        break;
                    }
                    match self.index.decode(&input[ip..], Some(&self.records)) {
                        Ok((used, done)) => {
                            ip += used;
                            if !done {
                                break;
                            }
                        }
                        Err(e) => {
                            self.deferred = Some(e);
                            continue;
                        }
                    }
                    self.fields.expect(STREAM_HEADER_SIZE);
                    self.state = State::StreamFooter;
                }
                State::StreamFooter => {
                    if !self.fields.fill(input, &mut ip) {
                        break;
                    }
                    let f = self.fields.take_stream_field();
                    let checked = match stream_flags::decode_footer(&f) {
                        Err(Error::Format(_)) => Err(Error::Corrupt("bad stream footer magic")),
                        Err(e) => Err(e),
                        Ok(footer) if footer.backward_size != self.index.size() => {
                            Err(Error::Corrupt("backward size does not match the index"))
                        }
                        Ok(footer) if Some(footer.flags) != self.flags => {
                            Err(Error::Corrupt("stream header and footer flags differ"))
                        }
                        Ok(_) => Ok(()),
                    };
                    if let Err(e) = checked {
                        self.deferred = Some(e);
                        continue;
                    }
                    if self.opts.single_stream {
                        self.state = State::End;
                        continue;
                    }
                    self.padding = 0;
                    self.state = State::StreamPadding;
                }
                State::StreamPadding => {
                    while let Some(&0) = input.get(ip) {
                        ip += 1;
                        self.padding = (self.padding + 1) & 3;
                    }
                    if ip == input.len() {
                        if action == Action::Finish {
                            if self.padding != 0 {
                                self.deferred =
                                    Some(Error::Corrupt("stream padding is not a multiple of 4"));
                                continue;
                            }
                            self.state = State::End;
                            continue;
                        }
                        break;
                    }
                    if self.padding != 0 {
                        self.deferred =
                            Some(Error::Corrupt("stream padding is not a multiple of 4"));
                        continue;
                    }
                    self.fields.expect(STREAM_HEADER_SIZE);
                    self.state = State::StreamHeader;
                }
                State::End => {
                    if !self.pending.is_empty() {
                        if op == output.len() {
                            return ok(ip, op);
                        }
                        t!(self, self.wait(output, &mut op));
                        continue;
                    }
                    return Ok(Progress {
                        consumed: ip,
                        produced: op,
                        status: Status::StreamEnd,
                    });
                }
            }
        }
        // The parser wants more input than this call has.
        if action == Action::Finish && ip == input.len() {
            if self.state == State::Feed && self.feed.is_some() {
                // The input ends inside a block: its worker decodes what it got and gives
                // the verdict, after that output (as the single-threaded decoder).
                self.feed = None;
                self.state = State::Cut;
            }
            if !self.pending.is_empty() {
                // Deliver what the workers have; the verdict comes after.
                while op < output.len() && !self.pending.is_empty() {
                    t!(self, self.wait(output, &mut op));
                }
                if op == output.len() || !self.pending.is_empty() {
                    return ok(ip, op);
                }
            }
            if op < output.len() {
                // A worker's verdict on the data it got comes first (a block that ends
                // before its declared size is corrupt, not cut short).
                let e = self.failed.take().unwrap_or(Error::Truncated);
                return self.fail(e, ip, op);
            }
        }
        ok(ip, op)
    }
}

impl Coder for XzDecoderMt {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        if self.poisoned {
            return Err(Error::Misuse("decoder used after an error"));
        }
        if let Some(e) = self.failed.take() {
            self.poisoned = true;
            return Err(e);
        }
        match self.step(input, output, action) {
            Ok(p) => Ok(p),
            Err(e) => {
                self.poisoned = true;
                self.cancel.store(true, Ordering::Relaxed);
                self.feed = None;
                self.pending.clear();
                Err(e)
            }
        }
    }

    fn memusage(&self) -> u64 {
        let direct = self.direct.as_ref().map_or(0, |_| {
            self.header
                .as_ref()
                .map_or(0, |h| backend::decoder_memusage(&h.filters))
        });
        MEMUSAGE_BASE
            .saturating_add(self.mem_in_use)
            .saturating_add(direct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mt::XzEncoderMt;
    use crate::EncoderOptions;

    #[test]
    fn spare_buffers_are_reused_zeroed_beyond_their_old_length_and_bounded() {
        let spare = Spare::default();
        let mut a = spare.take(CHUNK);
        a.fill(9);
        a.truncate(100);
        let ptr = a.as_ptr();
        spare.give(a);
        let b = spare.take(200);
        assert_eq!(b.as_ptr(), ptr);
        assert_eq!((&b[..100], &b[100..]), (&[9u8; 100][..], &[0u8; 100][..]));
        spare.give(vec![0u8; 10]); // too small to keep
        for _ in 0..2 * SPARE_MAX {
            spare.give(vec![0u8; CHUNK]);
        }
        assert_eq!(spare.0.lock().unwrap().len(), SPARE_MAX);
    }

    fn data(n: usize) -> Vec<u8> {
        (0..n).map(|i| ((i * 7) ^ (i / 300)) as u8).collect()
    }

    #[test]
    fn memory_in_flight_is_reported_and_released() {
        let d = data(400_000);
        let xz = crate::oneshot::run(
            &mut XzEncoderMt::new(&EncoderOptions::preset(0).block_size(50_000), 2).unwrap(),
            &d,
        )
        .unwrap();
        let mut dec = XzDecoderMt::new(MtDecoderOptions::new(2));
        assert_eq!(dec.threads(), 2);
        let p = dec.code(&xz, &mut [], Action::Run).unwrap();
        assert!(p.consumed > 0);
        assert!(dec.memusage() > MEMUSAGE_BASE + 50_000);
        let mut out = vec![0u8; d.len() + 1];
        let mut n = 0;
        let mut pos = p.consumed;
        loop {
            let p = dec.code(&xz[pos..], &mut out[n..], Action::Finish).unwrap();
            pos += p.consumed;
            n += p.produced;
            if p.status == Status::StreamEnd {
                break;
            }
        }
        assert_eq!(&out[..n], &d[..]);
        assert_eq!(dec.memusage(), MEMUSAGE_BASE);
        // One thread: no workers, every block decoded directly.
        assert_eq!(XzDecoderMt::new(MtDecoderOptions::new(1)).threads(), 0);
    }
}
