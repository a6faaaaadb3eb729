//! The .xz stream decoder.

use super::backend::MEMUSAGE_BASE;
use super::fields::StreamFields;
use super::block::{self, BlockDecoder};
use super::block_header::header_size_from_byte;
use super::index::{IndexDecoder, IndexRecord};
use super::stream_flags::{self, StreamFlags, STREAM_HEADER_SIZE};
use crate::options::DecoderOptions;
use crate::stream::{Action, Coder, Progress, Status};
use crate::{Check, Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    StreamHeader,
    BlockHeader,
    BlockInit,
    /// Block data, padding and check.
    Block,
    Index,
    StreamFooter,
    StreamPadding,
    End,
}

/// Decodes .xz files: any number of streams and blocks, stream padding, full validation of
/// the index and footers against the decoded data, all check types, a memory limit.
///
/// ```
/// use lzma_core::{xz::XzDecoder, Action, Coder, DecoderOptions};
/// // An empty .xz stream, as `xz` writes for empty input (with CRC64).
/// let empty = lzma_core::compress(b"", 6).unwrap();
/// let mut dec = XzDecoder::new(DecoderOptions::default());
/// let mut out = [0u8; 16];
/// let p = dec.code(&empty, &mut out, Action::Finish).unwrap();
/// assert_eq!((p.consumed, p.produced), (empty.len(), 0));
/// assert_eq!(p.status, lzma_core::Status::StreamEnd);
/// ```
pub struct XzDecoder {
    opts: DecoderOptions,
    state: State,
    fields: StreamFields,
    flags: Option<StreamFlags>,
    block: Option<BlockDecoder>,
    records: Vec<IndexRecord>,
    index: IndexDecoder,
    padding: usize,
    memusage: u64,
    streams: u64,
    poisoned: bool,
    deferred: Option<Error>,
}

impl std::fmt::Debug for XzDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XzDecoder")
            .field("state", &self.state)
            .field("flags", &self.flags)
            .field("memusage", &self.memusage)
            .finish_non_exhaustive()
    }
}

impl XzDecoder {
    /// A decoder with the given options.
    ///
    /// ```
    /// use lzma_core::{oneshot::run, xz::XzDecoder, DecoderOptions, Error};
    /// let xz = lzma_core::compress(b"hello", 0)?;
    /// assert_eq!(run(&mut XzDecoder::new(DecoderOptions::new()), &xz)?, b"hello");
    /// let mut tight = XzDecoder::new(DecoderOptions::new().memlimit(1024));
    /// assert!(matches!(run(&mut tight, &xz), Err(Error::MemLimit { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(opts: DecoderOptions) -> Self {
        let memlimit = opts.memlimit.max(1);
        XzDecoder {
            opts: DecoderOptions { memlimit, ..opts },
            state: State::StreamHeader,
            fields: StreamFields::new(),
            flags: None,
            block: None,
            records: Vec::new(),
            index: IndexDecoder::new(false),
            padding: 0,
            memusage: MEMUSAGE_BASE,
            streams: 0,
            poisoned: false,
            deferred: None,
        }
    }

    /// The stream flags of the current (or last) stream, once its header is decoded.
    ///
    /// ```
    /// use lzma_core::{oneshot::run, xz::XzDecoder, DecoderOptions};
    /// let xz = lzma_core::compress(b"hello", 0)?;
    /// let mut d = XzDecoder::new(DecoderOptions::new());
    /// assert!(d.stream_flags().is_none());
    /// run(&mut d, &xz)?;
    /// assert_eq!(d.stream_flags().map(|f| f.check_name()), Some("CRC64"));
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn stream_flags(&self) -> Option<StreamFlags> {
        self.flags
    }

    /// The check of the current stream if it is one this crate verifies.
    ///
    /// ```
    /// use lzma_core::{oneshot::run, xz::XzDecoder, Check, DecoderOptions, EncoderOptions};
    /// let xz = lzma_core::compress_with(b"hi", &EncoderOptions::preset(0).check(Check::None))?;
    /// let mut d = XzDecoder::new(DecoderOptions::new());
    /// run(&mut d, &xz)?;
    /// assert_eq!(d.check(), Some(Check::None));
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn check(&self) -> Option<Check> {
        self.flags.and_then(|f| f.check())
    }

    /// `true` once a stream header named a check ID this crate cannot verify (2, 3, 5..=9,
    /// 11..=15). Decoding continues without verification; `xz` prints
    /// "Unsupported type of integrity check; not verifying file integrity" and exits 2.
    ///
    /// ```
    /// use lzma_core::{xz::XzDecoder, DecoderOptions};
    /// let xz = lzma_core::compress(b"x", 0).unwrap(); // CRC64: supported
    /// let mut d = XzDecoder::new(DecoderOptions::default());
    /// lzma_core::oneshot::run(&mut d, &xz).unwrap();
    /// assert!(!d.unsupported_check());
    /// assert_eq!(d.check(), Some(lzma_core::Check::Crc64));
    /// ```
    pub fn unsupported_check(&self) -> bool {
        self.fields.unsupported_check()
    }

    /// Streams fully decoded so far.
    ///
    /// ```
    /// use lzma_core::{oneshot::run, xz::XzDecoder, DecoderOptions};
    /// let mut two = lzma_core::compress(b"one", 0)?;
    /// two.extend(lzma_core::compress(b"two", 0)?);
    /// let mut d = XzDecoder::new(DecoderOptions::new());
    /// assert_eq!(run(&mut d, &two)?, b"onetwo");
    /// assert_eq!(d.streams_decoded(), 2);
    /// # Ok::<(), lzma_core::Error>(())
    /// ```
    pub fn streams_decoded(&self) -> u64 {
        self.streams
    }

    /// The memory limit in force.
    ///
    /// ```
    /// use lzma_core::{xz::XzDecoder, DecoderOptions};
    /// assert_eq!(XzDecoder::new(DecoderOptions::new().memlimit(64 << 20)).memlimit(), 64 << 20);
    /// assert_eq!(XzDecoder::new(DecoderOptions::new().memlimit(0)).memlimit(), 1); // 0 counts as 1
    /// ```
    pub fn memlimit(&self) -> u64 {
        self.opts.memlimit
    }

    /// Changes the memory limit. After an [`Error::MemLimit`], raising the limit and calling
    /// `code` again continues decoding.
    ///
    /// ```
    /// use lzma_core::{xz::XzDecoder, Action, Coder, DecoderOptions, Error};
    /// let xz = lzma_core::compress(b"limited", 6).unwrap();
    /// let mut d = XzDecoder::new(DecoderOptions::new().memlimit(1 << 10));
    /// let mut out = [0u8; 64];
    /// let p = d.code(&xz, &mut out, Action::Finish).unwrap(); // headers read, nothing allocated
    /// match d.code(&xz[p.consumed..], &mut out, Action::Finish) {
    ///     Err(Error::MemLimit { needed, .. }) => d.set_memlimit(needed),
    ///     other => panic!("{other:?}"),
    /// }
    /// let p2 = d.code(&xz[p.consumed..], &mut out, Action::Finish).unwrap();
    /// assert_eq!(&out[..p2.produced], b"limited");
    /// ```
    pub fn set_memlimit(&mut self, limit: u64) {
        self.opts.memlimit = limit.max(1);
    }

    fn init_block(&mut self) -> Result<()> {
        let flags = self.flags.ok_or(Error::Misuse("block without stream header"))?;
        let (header, needed) = block::parse_header(self.fields.bytes(), flags)?;
        self.memusage = needed;
        if needed > self.opts.memlimit {
            return Err(Error::MemLimit { needed, limit: self.opts.memlimit });
        }
        self.block = Some(BlockDecoder::new(&header, flags, self.opts.ignore_check)?);
        Ok(())
    }

    fn step(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        action: Action,
        ip: &mut usize,
        op: &mut usize,
    ) -> Result<Progress> {
        loop {
            match self.state {
                State::StreamHeader => {
                    // As liblzma, the whole header is read before its magic bytes are
                    // judged: input that ends inside it is truncated, not another format.
                    if !self.fields.fill(input, ip) {
                        break;
                    }
                    self.flags = Some(self.fields.stream_header()?);
                    self.records.clear();
                    self.index = IndexDecoder::new(false);
                    self.state = State::BlockHeader;
                }
                State::BlockHeader => {
                    if self.fields.is_empty() {
                        let Some(&first) = input.get(*ip) else { break };
                        match header_size_from_byte(first) {
                            None => {
                                self.state = State::Index;
                                continue;
                            }
                            Some(n) => self.fields.expect(n),
                        }
                    }
                    if !self.fields.fill(input, ip) {
                        break;
                    }
                    self.state = State::BlockInit;
                }
                State::BlockInit => {
                    match self.init_block() {
                        // Report the bytes taken so far first, so that the call that
                        // fails consumes nothing and can be retried with a higher limit.
                        Err(Error::MemLimit { .. }) if *ip > 0 || *op > 0 => {
                            return Ok(Progress { consumed: *ip, produced: *op, status: Status::Ok })
                        }
                        r => r?,
                    }
                    self.fields.restart();
                    self.state = State::Block;
                }
                State::Block => {
                    let block = self.block.as_mut().ok_or(Error::Misuse("no block"))?;
                    if !block.code(input, ip, output, op, action == Action::Finish)? {
                        break;
                    }
                    self.records.push(block.record()?);
                    self.block = None;
                    self.fields.restart();
                    self.state = State::BlockHeader;
                }
                State::Index => {
                    if *ip == input.len() {
                        break;
                    }
                    let (used, done) = self.index.decode(&input[*ip..], Some(&self.records))?;
                    *ip += used;
                    if !done {
                        break;
                    }
                    self.fields.expect(STREAM_HEADER_SIZE);
                    self.state = State::StreamFooter;
                }
                State::StreamFooter => {
                    if !self.fields.fill(input, ip) {
                        break;
                    }
                    let f = self.fields.take_stream_field();
                    let footer = match stream_flags::decode_footer(&f) {
                        Err(Error::Format(_)) => {
                            return Err(Error::Corrupt("bad stream footer magic"))
                        }
                        r => r?,
                    };
                    if footer.backward_size != self.index.size() {
                        return Err(Error::Corrupt("backward size does not match the index"));
                    }
                    if Some(footer.flags) != self.flags {
                        return Err(Error::Corrupt("stream header and footer flags differ"));
                    }
                    self.streams += 1;
                    if self.opts.single_stream {
                        self.state = State::End;
                        continue;
                    }
                    self.padding = 0;
                    self.state = State::StreamPadding;
                }
                State::StreamPadding => {
                    while let Some(&0) = input.get(*ip) {
                        *ip += 1;
                        self.padding = (self.padding + 1) & 3;
                    }
                    if *ip == input.len() {
                        if action == Action::Finish {
                            if self.padding != 0 {
                                return Err(Error::Corrupt("stream padding is not a multiple of 4"));
                            }
                            self.state = State::End;
                            continue;
                        }
                        break;
                    }
                    if self.padding != 0 {
                        return Err(Error::Corrupt("stream padding is not a multiple of 4"));
                    }
                    self.fields.expect(STREAM_HEADER_SIZE);
                    self.state = State::StreamHeader;
                }
                State::End => {
                    return Ok(Progress { consumed: *ip, produced: *op, status: Status::StreamEnd });
                }
            }
        }
        if action == Action::Finish && *ip == input.len() && *op < output.len() {
            return Err(Error::Truncated);
        }
        Ok(Progress { consumed: *ip, produced: *op, status: Status::Ok })
    }
}

/// A decoder whose work function reports how far it got even when it fails.
pub(crate) trait Stepper {
    /// Decodes, keeping `ip` and `op` up to date.
    fn step(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        action: Action,
        ip: &mut usize,
        op: &mut usize,
    ) -> Result<Progress>;
    /// The poisoned flag and the deferred error.
    fn poison(&mut self) -> (&mut bool, &mut Option<Error>);
}

/// Runs a decoder step. An error in a call that produced output is reported on the next
/// call, so the caller gets every byte decoded before the damage (as `xz` writes it out).
/// After an error the decoder answers `Misuse`, except after a memory limit error, which
/// can be retried with a higher limit.
pub(crate) fn code_deferring_errors<S: Stepper>(
    s: &mut S,
    input: &[u8],
    output: &mut [u8],
    action: Action,
) -> Result<Progress> {
    let (poisoned, deferred) = s.poison();
    if *poisoned {
        return Err(Error::Misuse("decoder used after an error"));
    }
    if let Some(e) = deferred.take() {
        *poisoned = !matches!(e, Error::MemLimit { .. });
        return Err(e);
    }
    let (mut ip, mut op) = (0, 0);
    match s.step(input, output, action, &mut ip, &mut op) {
        Ok(p) => Ok(p),
        Err(e) => {
            let (poisoned, deferred) = s.poison();
            if op > 0 {
                *deferred = Some(e);
                return Ok(Progress { consumed: ip, produced: op, status: Status::Ok });
            }
            *poisoned = !matches!(e, Error::MemLimit { .. });
            Err(e)
        }
    }
}

impl Stepper for XzDecoder {
    fn step(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        action: Action,
        ip: &mut usize,
        op: &mut usize,
    ) -> Result<Progress> {
        XzDecoder::step(self, input, output, action, ip, op)
    }
    fn poison(&mut self) -> (&mut bool, &mut Option<Error>) {
        (&mut self.poisoned, &mut self.deferred)
    }
}

impl Coder for XzDecoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        code_deferring_errors(self, input, output, action)
    }

    fn memusage(&self) -> u64 {
        self.memusage
    }
}
