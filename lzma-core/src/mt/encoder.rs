//! The threaded .xz encoder.

use super::pool::Pool;
use crate::filter::Filter;
use crate::options::EncoderOptions;
use crate::stream::{Action, Coder, Progress, Status};
use crate::xz::backend::{self, BlockEncoder};
use crate::xz::plan::BlockPlan;
use crate::xz::encoder::encode_threaded_block_with;
use crate::xz::index::IndexRecord;
use crate::xz::stream_flags::{self, StreamFlags};
use crate::xz::{encoder, mt_block_size, EncodedBlock};
use crate::{Check, Error, Result};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};

/// Largest block of the threaded format (liblzma: `UINT64_MAX / LZMA_THREADS_MAX`).
const MT_BLOCK_SIZE_MAX: u64 = u64::MAX / 16384;

/// Most worker threads (liblzma's `LZMA_THREADS_MAX`).
pub const THREADS_MAX: u32 = 16384;

type BlockResult = Receiver<Result<EncodedBlock>>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Running,
    Finishing,
    Done,
}

/// The block size of the threaded format for these options, as xz computes it: the
/// `block_size` option, else the largest default (three times the dictionary, at least
/// 1 MiB) of the chains in use, lowered to the largest `block_list` entry if that is
/// smaller.
pub(crate) fn resolved_block_size(opts: &EncoderOptions) -> Result<u64> {
    if let Some(bs) = opts.block_size {
        return Ok(bs);
    }
    let mut s = 0;
    for n in opts.used_chains() {
        s = s.max(mt_block_size(&opts.chain_for(n)?));
    }
    let list = opts
        .block_list
        .iter()
        .map(|&x| if x == 0 { u64::MAX } else { x });
    Ok(match list.max() {
        Some(largest) if largest < s => largest,
        _ => s,
    })
}

/// The multi-threaded .xz encoder: the input is cut into blocks (see
/// [`EncoderOptions::block_size`] and [`EncoderOptions::block_list`]) that worker threads
/// compress independently; the blocks are written in input order with both sizes in
/// their headers.
///
/// The output is the layout of `xz -T2` (XZ Utils 5.8) for the same options and does not
/// depend on the number of threads: one thread gives the same bytes as sixteen. As in
/// liblzma, a block is filled only once a worker can take it, so at most `threads` blocks
/// are being filled or compressed, and at most `2 * threads` compressed blocks wait to be
/// written (a worker that ends its block takes the next one even when an older block is
/// still being compressed), so memory stays bounded for inputs of any size
/// ([`encoder_memusage`](crate::mt::encoder_memusage)). Each worker's block encoder,
/// input buffer and output buffer are kept and reused from block to block, as liblzma's
/// are, so the memory touched does not depend on how the allocator recycles freed memory.
///
/// `opts.threads` is ignored (the threaded format is always written); the thread count is
/// the `threads` argument. `Action::SyncFlush` and `Action::FullFlush` both end the
/// current block, as the single-threaded [`crate::xz::XzEncoder`] does in this layout.
///
/// ```
/// use lzma_core::{mt::XzEncoderMt, EncoderOptions};
/// let data = vec![7u8; 300_000];
/// let opts = EncoderOptions::preset(1).block_size(100_000);
/// let mut enc = XzEncoderMt::new(&opts, 2).unwrap();
/// let xz = lzma_core::oneshot::run(&mut enc, &data).unwrap();
/// assert_eq!(lzma_core::decompress(&xz).unwrap(), data);
/// // Same bytes as the single-threaded encoder writing the threaded layout.
/// let mut st = lzma_core::xz::XzEncoder::new(&opts.clone().threads(2)).unwrap();
/// assert_eq!(lzma_core::oneshot::run(&mut st, &data).unwrap(), xz);
/// ```
pub struct XzEncoderMt {
    check: Check,
    flags: StreamFlags,
    block_size: u64,
    /// Block limits and the chain of the block being filled.
    plan: BlockPlan,
    input: Vec<u8>,
    pending: VecDeque<BlockResult>,
    /// Worker threads: at most this many blocks are being compressed.
    workers: usize,
    /// Blocks handed to workers and not yet compressed.
    running: usize,
    /// One message from each job when it ends (however it ends), so that a free worker
    /// is noticed whichever block it had.
    ended_tx: Sender<()>,
    ended_rx: Receiver<()>,
    queue: Vec<u8>,
    queue_pos: usize,
    records: Vec<IndexRecord>,
    state: State,
    pool: Pool,
    /// Block encoders not in use. A job takes one (preferring one it can reset rather
    /// than rebuild) and puts it back before it reports its end; at most `workers` jobs
    /// run at once, so there are at most `workers` encoders, as liblzma's one per thread.
    idle_encoders: Arc<Mutex<Vec<BlockEncoder>>>,
    /// Input buffers of ended jobs, for the next blocks. A block starts filling only when
    /// a worker is free, so there are at most `workers` input buffers (liblzma's one per
    /// thread) whatever the allocator does with freed memory.
    spare_inputs: Arc<Mutex<Vec<Vec<u8>>>>,
    /// Buffers of written blocks, for the next blocks' output (liblzma reuses its output
    /// queue's buffers the same way); at most `2 * workers + 1` are kept.
    spare_outputs: Arc<Mutex<Vec<Vec<u8>>>>,
    /// Set when the encoder is dropped: queued blocks are skipped.
    cancel: Arc<AtomicBool>,
    threads: u32,
    filters_mem: u64,
    poisoned: bool,
}

impl std::fmt::Debug for XzEncoderMt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XzEncoderMt")
            .field("threads", &self.threads)
            .field("block_size", &self.block_size)
            .field("pending", &self.pending.len())
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl XzEncoderMt {
    /// An encoder for `opts` with `threads` worker threads (0 counts as 1; at most
    /// [`THREADS_MAX`]).
    ///
    /// ```
    /// use lzma_core::{mt::XzEncoderMt, oneshot::run, EncoderOptions};
    /// let mut enc = XzEncoderMt::new(&EncoderOptions::preset(0), 2)?;
    /// let xz = run(&mut enc, b"two workers")?;
    /// assert_eq!(lzma_core::decompress(&xz)?, b"two workers");
    /// assert!(XzEncoderMt::new(&EncoderOptions::preset(0).block_size(0), 2).is_err());
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn new(opts: &EncoderOptions, threads: u32) -> Result<Self> {
        opts.validate()?;
        if threads > THREADS_MAX {
            return Err(Error::Options(format!(
                "The number of threads must not exceed {THREADS_MAX}"
            )));
        }
        let threads = threads.max(1);
        let mut chains: Vec<Option<Vec<Filter>>> = vec![None; 10];
        let mut filters_mem = 0u64;
        let mut checked = BlockEncoder::new();
        for n in opts.used_chains() {
            let c = opts.chain_for(n)?;
            // Fail early on chains the backend cannot build; the encoder built last is
            // kept as an idle one for the first block (see `XzEncoder::new`).
            checked.prepare(&c)?;
            filters_mem = filters_mem.max(backend::encoder_memusage(&c));
            chains[n] = Some(c);
        }
        let list_chains: Vec<usize> = (0..opts.block_list.len())
            .map(|i| opts.list_chain(i))
            .collect();
        let block_size = resolved_block_size(opts)?;
        if block_size > MT_BLOCK_SIZE_MAX {
            return Err(Error::Options("The block size is too large".into()));
        }
        let block_size = block_size.max(1);
        let flags = StreamFlags::new(opts.check);
        let (ended_tx, ended_rx) = mpsc::channel();
        Ok(XzEncoderMt {
            check: opts.check,
            flags,
            block_size,
            plan: BlockPlan::new(chains, list_chains, &opts.block_list, Some(block_size))?,
            input: Vec::new(),
            pending: VecDeque::new(),
            workers: threads as usize,
            running: 0,
            ended_tx,
            ended_rx,
            queue: stream_flags::encode_header(flags).to_vec(),
            queue_pos: 0,
            records: Vec::new(),
            state: State::Running,
            pool: Pool::new(threads as usize),
            idle_encoders: Arc::new(Mutex::new(vec![checked])),
            spare_inputs: Arc::new(Mutex::new(Vec::new())),
            spare_outputs: Arc::new(Mutex::new(Vec::new())),
            cancel: Arc::new(AtomicBool::new(false)),
            threads,
            filters_mem,
            poisoned: false,
        })
    }

    /// The block size in use (the largest block written).
    ///
    /// ```
    /// use lzma_core::{mt::XzEncoderMt, EncoderOptions};
    /// let enc = XzEncoderMt::new(&EncoderOptions::preset(0).block_size(4096), 2)?;
    /// assert_eq!(enc.block_size(), 4096);
    /// // Without a block size: three times the dictionary but at least 1 MiB, as xz.
    /// assert_eq!(XzEncoderMt::new(&EncoderOptions::preset(0), 2)?.block_size(), 1 << 20);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn block_size(&self) -> u64 {
        self.block_size
    }

    /// Worker threads asked for.
    ///
    /// ```
    /// use lzma_core::{mt::XzEncoderMt, EncoderOptions};
    /// assert_eq!(XzEncoderMt::new(&EncoderOptions::preset(0), 3)?.threads(), 3);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn threads(&self) -> u32 {
        self.threads
    }

    /// Records of the blocks written so far.
    ///
    /// ```
    /// use lzma_core::{mt::XzEncoderMt, oneshot::run, EncoderOptions};
    /// let mut enc = XzEncoderMt::new(&EncoderOptions::preset(0).block_size(1000), 2)?;
    /// run(&mut enc, &[1u8; 2500])?;
    /// let sizes: Vec<u64> = enc.index_records().iter().map(|r| r.uncompressed_size).collect();
    /// assert_eq!(sizes, [1000, 1000, 500]);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn index_records(&self) -> &[IndexRecord] {
        &self.records
    }

    /// Hands the filled input buffer to a worker.
    fn dispatch(&mut self) {
        /// Reports the job's end when dropped, even if the job panics.
        struct Ended(Sender<()>);
        impl Drop for Ended {
            fn drop(&mut self) {
                let _ = self.0.send(());
            }
        }
        let data = std::mem::take(&mut self.input);
        let filters = self.plan.filters.clone();
        let (check, block_size) = (self.check, self.block_size);
        let (tx, rx) = mpsc::channel();
        let cancel = Arc::clone(&self.cancel);
        let ended = Ended(self.ended_tx.clone());
        let idle = Arc::clone(&self.idle_encoders);
        let spare = Arc::clone(&self.spare_inputs);
        let outputs = Arc::clone(&self.spare_outputs);
        self.running += 1;
        self.pool.submit(Box::new(move || {
            if cancel.load(Ordering::Relaxed) {
                return;
            }
            let mut data = data;
            let mut enc = take_encoder(&idle, &filters);
            let out = outputs
                .lock()
                .ok()
                .and_then(|mut l| l.pop())
                .unwrap_or_default();
            let r = encode_threaded_block_with(&mut enc, out, &data, &filters, check, block_size);
            // Both go back before the end is reported. A poisoned lock (another job
            // panicked while holding it) only costs a new allocation later.
            if let Ok(mut list) = idle.lock() {
                list.push(enc);
            }
            data.clear();
            if let Ok(mut list) = spare.lock() {
                list.push(data);
            }
            drop(ended);
            // The receiver is gone only if the encoder was dropped.
            let _ = tx.send(r);
        }));
        self.pending.push_back(rx);
    }

    /// Counts the jobs that have ended since the last call.
    fn poll_ended(&mut self) {
        while self.ended_rx.try_recv().is_ok() {
            self.running = self.running.saturating_sub(1);
        }
    }

    /// Whether a block can go to a worker now, as liblzma: a free worker, and at most two
    /// blocks per worker whose output has not been taken (liblzma's output queue limit).
    fn can_dispatch(&mut self) -> bool {
        self.poll_ended();
        self.running < self.workers && self.pending.len() < 2 * self.workers
    }

    /// Waits until a block can go to a worker: for the oldest block when too many wait to
    /// be written, else for any worker to end its block.
    fn wait_for_worker(&mut self) -> Result<()> {
        if self.pending.len() >= 2 * self.workers {
            self.collect(true)?;
            return Ok(());
        }
        if self.running > 0 {
            self.ended_rx
                .recv()
                .map_err(|_| Error::Misuse("a worker thread died"))?;
            self.running -= 1;
        }
        Ok(())
    }

    /// Moves the oldest block to the output queue, waiting for it if `wait`. Returns
    /// whether a block was moved.
    fn collect(&mut self, wait: bool) -> Result<bool> {
        let Some(rx) = self.pending.front() else {
            return Ok(false);
        };
        let r = if wait {
            rx.recv()
                .map_err(|_| Error::Misuse("a worker thread died"))?
        } else {
            match rx.try_recv() {
                Ok(r) => r,
                Err(TryRecvError::Empty) => return Ok(false),
                Err(TryRecvError::Disconnected) => {
                    return Err(Error::Misuse("a worker thread died"))
                }
            }
        };
        self.pending.pop_front();
        let block = r?;
        if self.queue_pos == self.queue.len() {
            self.queue.clear();
            self.queue_pos = 0;
        }
        let spare = if self.queue.is_empty() {
            std::mem::replace(&mut self.queue, block.bytes)
        } else {
            self.queue.extend_from_slice(&block.bytes);
            block.bytes
        };
        if spare.capacity() > 0 {
            if let Ok(mut list) = self.spare_outputs.lock() {
                if list.len() <= 2 * self.workers {
                    list.push(spare);
                }
            }
        }
        self.records.push(block.record);
        Ok(true)
    }

    fn drain(&mut self, output: &mut [u8], op: &mut usize) -> bool {
        encoder::drain_queue(&mut self.queue, &mut self.queue_pos, output, op)
    }

    fn step(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        let (mut ip, mut op) = (0usize, 0usize);
        let done = |ip, op, end: bool| {
            let status = if end { Status::StreamEnd } else { Status::Ok };
            Ok(Progress {
                consumed: ip,
                produced: op,
                status,
            })
        };
        loop {
            // A full block goes to a free worker at once, not after the output waiting
            // in the queue has been taken (which may need several calls).
            if self.state == State::Running
                && !self.input.is_empty()
                && self.input.len() as u64 == self.plan.remaining
                && self.can_dispatch()
            {
                self.dispatch();
                self.plan.next_block();
            }
            if !self.drain(output, &mut op) {
                return done(ip, op, false);
            }
            match self.state {
                State::Done => return done(ip, op, true),
                State::Finishing => {
                    self.state = State::Done;
                    continue;
                }
                State::Running => {}
            }
            if self.collect(false)? {
                continue;
            }
            let full = self.input.len() as u64 == self.plan.remaining;
            if full || (ip == input.len() && action != Action::Run && !self.input.is_empty()) {
                if !self.can_dispatch() {
                    self.wait_for_worker()?;
                    continue;
                }
                let used = self.input.len() as u64;
                self.dispatch();
                if full {
                    self.plan.next_block();
                } else {
                    self.plan.early_end(used);
                }
                continue;
            }
            if ip < input.len() {
                if self.input.is_empty() && !self.can_dispatch() {
                    // A new block starts filling only when a worker can take it.
                    self.wait_for_worker()?;
                    continue;
                }
                let want = self.plan.remaining - self.input.len() as u64;
                let n = want.min((input.len() - ip) as u64) as usize;
                if self.input.capacity() == 0 {
                    if let Some(buf) = self.spare_inputs.lock().ok().and_then(|mut l| l.pop()) {
                        self.input = buf;
                    }
                    let cap = self.plan.remaining.min(self.block_size).min(64 << 20) as usize;
                    self.input.reserve_exact(cap.max(n));
                }
                self.input.extend_from_slice(&input[ip..ip + n]);
                ip += n;
                continue;
            }
            if action == Action::Run {
                return done(ip, op, false);
            }
            if !self.pending.is_empty() {
                self.collect(true)?;
                continue;
            }
            if action == Action::Finish {
                encoder::queue_index_and_footer(&mut self.queue, &self.records, self.flags)?;
                self.state = State::Finishing;
                continue;
            }
            return done(ip, op, true);
        }
    }
}

impl Drop for XzEncoderMt {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

impl Coder for XzEncoderMt {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        if self.poisoned {
            return Err(Error::Misuse("encoder used after an error"));
        }
        let r = self.step(input, output, action);
        if r.is_err() {
            self.poisoned = true;
            self.cancel.store(true, Ordering::Relaxed);
        }
        r
    }

    /// The figure of [`encoder_memusage`](crate::mt::encoder_memusage) for this encoder's
    /// options and thread count.
    fn memusage(&self) -> u64 {
        mt_memusage(self.block_size, self.filters_mem, u64::from(self.threads)).unwrap_or(u64::MAX)
    }
}

/// An idle encoder from `idle` for a block of `filters`: one that can be reset for them if
/// there is one, else any (it is rebuilt), else a new one.
fn take_encoder(idle: &Mutex<Vec<BlockEncoder>>, filters: &[Filter]) -> BlockEncoder {
    let Ok(mut list) = idle.lock() else {
        return BlockEncoder::new();
    };
    let i = list.iter().rposition(|e| e.reuses(filters));
    match i {
        Some(i) => list.swap_remove(i),
        None => list.pop().unwrap_or_else(BlockEncoder::new),
    }
}

/// liblzma's `lzma_stream_encoder_mt_memusage`: a fixed part, then per thread an input
/// buffer of one block, one filter encoder and two output buffers of the block's bound.
///
/// The two constants are liblzma's structure sizes as XZ Utils 5.8 (x86-64) counts them,
/// measured with `xz -T2 --memlimit-compress=N --no-adjust` (fails below the one-thread
/// figure) and the `-vv` thread-reduction message (two threads): the fixed part is
/// `LZMA_MEMUSAGE_BASE` plus the coder, and each thread's filter encoder is counted without
/// the base allowance that `filters_mem` includes.
pub(crate) fn mt_memusage(block_size: u64, filters_mem: u64, threads: u64) -> Option<u64> {
    const FIXED: u64 = 33_336;
    const PER_THREAD: u64 = 33_440;
    const HEADERS_BOUND: u64 = (1 + 1 + 2 * 9 + 3 + 4 + 64 + 3) & !3;
    let chunks = block_size.checked_add(65535)? / 65536;
    let lzma2 = block_size.checked_add(chunks.checked_mul(3)?.checked_add(1)?)?;
    let outbuf = (lzma2.checked_add(3)? & !3).checked_add(HEADERS_BOUND)?;
    let per_thread = PER_THREAD
        .checked_add(block_size)?
        .checked_add(filters_mem.saturating_sub(crate::xz::backend::MEMUSAGE_BASE))?
        .checked_add(outbuf.checked_mul(2)?)?;
    FIXED.checked_add(threads.checked_mul(per_thread)?)
}
