//! Running one file through an encoder or decoder (xz's `coder.c`), with every call into
//! `lzma-core` isolated in the [`lib`] submodule.

use std::time::Duration;

use lzma_core::{Action, Error, Filter, Status};

use crate::args::{Config, Format, OpMode};
use crate::io::{self, Dest, Source};
use crate::message::{self, Verbosity};
use crate::suffix;

/// Input buffer size.
pub const IN_BUF: usize = 64 << 10;
/// Output buffer size.
pub const OUT_BUF: usize = 64 << 10;

/// A running encoder or decoder.
pub trait Stream {
    /// One step; see `lzma_core::Coder::code`.
    fn code(
        &mut self,
        input: &[u8],
        output: &mut [u8],
        action: Action,
    ) -> lzma_core::Result<lzma_core::Progress>;
    /// Memory in use (for the memory-limit message).
    fn memusage(&self) -> u64;
    /// True once after the decoder saw an unsupported check ID (a warning, not an error).
    fn take_unsupported_check(&mut self) -> bool {
        false
    }
}

/// The format detected in the first bytes of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detected {
    /// `.xz`.
    Xz,
    /// `.lzma`.
    Lzma,
    /// `.lz`.
    Lzip,
    /// Raw chain.
    Raw,
}

fn is_xz(b: &[u8]) -> bool {
    b.starts_with(&[0xFD, b'7', b'z', b'X', b'Z', 0x00])
}

fn is_lzip(b: &[u8]) -> bool {
    b.starts_with(b"LZIP")
}

fn is_lzma(b: &[u8]) -> bool {
    if b.len() < 13 {
        return false;
    }
    let props = b[0];
    if props > (4 * 5 + 4) * 9 + 8 {
        return false;
    }
    let lc = u32::from(props % 9);
    let lp = u32::from((props / 9) % 5);
    if lc + lp > 4 {
        return false;
    }
    let dict = u32::from_le_bytes([b[1], b[2], b[3], b[4]]);
    if dict != u32::MAX {
        let mut d = dict.wrapping_sub(1);
        d |= d >> 2;
        d |= d >> 3;
        d |= d >> 4;
        d |= d >> 8;
        d |= d >> 16;
        d = d.wrapping_add(1);
        if d != dict || dict == 0 {
            return false;
        }
    }
    let size = u64::from_le_bytes([b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12]]);
    size == u64::MAX || size <= (1 << 38)
}

/// xz's format detection for decompression.
pub fn detect(format: Format, b: &[u8]) -> Option<Detected> {
    match format {
        Format::Auto => {
            if is_xz(b) {
                Some(Detected::Xz)
            } else if is_lzip(b) {
                Some(Detected::Lzip)
            } else if is_lzma(b) {
                Some(Detected::Lzma)
            } else {
                None
            }
        }
        Format::Xz => is_xz(b).then_some(Detected::Xz),
        Format::Lzma => is_lzma(b).then_some(Detected::Lzma),
        Format::Lzip => is_lzip(b).then_some(Detected::Lzip),
        Format::Raw => Some(Detected::Raw),
    }
}

/// Everything that calls into `lzma-core` for coding. Nothing else in the command depends on
/// the library's coder types.
pub mod lib {
    use super::*;
    use lzma_core::alone::{AloneDecoder, AloneEncoder};
    use lzma_core::lzip::LzipDecoder;
    use lzma_core::mt::{MtDecoderOptions, XzDecoderMt, XzEncoderMt};
    use lzma_core::raw::{RawDecoder, RawEncoder};
    use lzma_core::xz::{XzDecoder, XzEncoder};
    use lzma_core::{Coder, DecoderOptions, EncoderOptions};

    /// A library coder plus the (optional) unsupported-check flag.
    struct Wrap<C: Coder> {
        inner: C,
        unsupported: fn(&C) -> bool,
        warned: bool,
        /// xz 5.8 decodes .xz with liblzma's threaded decoder, whose reported memory use
        /// at a memory-limit error excludes the block that did not fit.
        memusage_base_only: bool,
    }

    impl<C: Coder> Stream for Wrap<C> {
        fn code(
            &mut self,
            input: &[u8],
            output: &mut [u8],
            action: Action,
        ) -> lzma_core::Result<lzma_core::Progress> {
            self.inner.code(input, output, action)
        }
        fn memusage(&self) -> u64 {
            if self.memusage_base_only {
                1 << 15
            } else {
                self.inner.memusage()
            }
        }
        fn take_unsupported_check(&mut self) -> bool {
            if !self.warned && (self.unsupported)(&self.inner) {
                self.warned = true;
                return true;
            }
            false
        }
    }

    fn wrap<C: Coder + 'static>(inner: C) -> Box<dyn Stream> {
        Box::new(Wrap {
            inner,
            unsupported: |_| false,
            warned: false,
            memusage_base_only: false,
        })
    }

    /// Decoder settings.
    pub struct DecoderSettings<'a> {
        /// Memory limit in bytes (`u64::MAX` = none).
        pub memlimit: u64,
        /// Decode concatenated streams (not `--single-stream`).
        pub concatenated: bool,
        /// `--ignore-check`.
        pub ignore_check: bool,
        /// The chain for raw decoding.
        pub raw_chain: &'a [Filter],
        /// Worker threads for .xz (1 = decode in this thread).
        pub threads: u32,
        /// Memory limit for threading (more threads only within it).
        pub memlimit_threading: u64,
    }

    /// Creates the decoder for a detected format.
    pub fn decoder(kind: Detected, s: &DecoderSettings<'_>) -> Result<Box<dyn Stream>, Error> {
        let opts = DecoderOptions::new()
            .memlimit(s.memlimit)
            .ignore_check(s.ignore_check)
            .single_stream(!s.concatenated);
        Ok(match kind {
            Detected::Xz if s.threads > 1 => Box::new(Wrap {
                inner: XzDecoderMt::new(
                    MtDecoderOptions::new(s.threads)
                        .memlimit_stop(s.memlimit)
                        .memlimit_threading(s.memlimit_threading)
                        .ignore_check(s.ignore_check)
                        .single_stream(!s.concatenated),
                ),
                unsupported: XzDecoderMt::unsupported_check,
                warned: false,
                memusage_base_only: true,
            }),
            Detected::Xz => Box::new(Wrap {
                inner: XzDecoder::new(opts),
                unsupported: XzDecoder::unsupported_check,
                warned: false,
                memusage_base_only: true,
            }),
            Detected::Lzma => wrap(AloneDecoder::new(&opts)),
            Detected::Lzip => wrap(LzipDecoder::new(&opts)),
            Detected::Raw => wrap(RawDecoder::new(s.raw_chain, s.memlimit)?),
        })
    }

    /// Encoder settings.
    pub struct EncoderSettings<'a> {
        /// Container.
        pub format: Format,
        /// Filter chain.
        pub chain: &'a [Filter],
        /// Check type (.xz).
        pub check: lzma_core::Check,
        /// Multi-threaded block format (blocks with sizes in their headers).
        pub mt: bool,
        /// `--block-size` (0 = default).
        pub block_size: u64,
        /// `--block-list` sizes (`u64::MAX` = rest).
        pub block_list: Vec<u64>,
        /// `--block-list` filter chain numbers, one per entry.
        pub block_list_chains: Vec<u8>,
        /// `--filters1..9` chains in use.
        pub extra_chains: Vec<(usize, Vec<Filter>)>,
        /// Worker threads for the threaded encoder (1 = encode in this thread).
        pub threads: u32,
    }

    /// Creates the encoder.
    pub fn encoder(s: &EncoderSettings<'_>) -> Result<Box<dyn Stream>, Error> {
        Ok(match s.format {
            Format::Lzma => {
                let Some(Filter::Lzma1(o)) = s.chain.first() else {
                    return Err(Error::Options(
                        "The .lzma format supports only the LZMA1 filter".into(),
                    ));
                };
                wrap(AloneEncoder::new(o)?)
            }
            Format::Raw => wrap(RawEncoder::new(s.chain)?),
            _ => {
                let mut o = EncoderOptions::default()
                    .filters(s.chain.to_vec())
                    .check(s.check)
                    .threads(if s.mt { 0 } else { 1 });
                if s.block_size > 0 {
                    o = o.block_size(s.block_size);
                }
                if !s.block_list.is_empty() {
                    let list = s
                        .block_list
                        .iter()
                        .map(|&v| if v == u64::MAX { 0 } else { v })
                        .collect();
                    o = o
                        .block_list(list)
                        .block_list_chains(s.block_list_chains.clone());
                }
                for (n, chain) in &s.extra_chains {
                    o = o.chain(*n, chain.clone());
                }
                let made = if s.mt && s.threads > 1 {
                    XzEncoderMt::new(&o, s.threads).map(wrap)
                } else {
                    XzEncoder::new(&o).map(wrap)
                };
                match made {
                    Ok(e) => e,
                    // liblzma's threaded encoder writes the Stream Header before its first
                    // block initialises the filters, so options the filters reject (such as
                    // an unaligned BCJ start offset) fail after those 12 bytes.
                    Err(e @ (Error::Options(_) | Error::Unsupported(_)))
                        if s.mt && crate::memusage::encoder(s.chain).is_some() =>
                    {
                        let header = lzma_core::xz::stream_flags::encode_header(
                            lzma_core::xz::StreamFlags::new(s.check),
                        );
                        Box::new(FailAfter {
                            pending: header.to_vec(),
                            error: Some(e),
                        })
                    }
                    Err(e) => return Err(e),
                }
            }
        })
    }
}

/// A stream that writes some bytes and then fails (see [`lib::encoder`]).
struct FailAfter {
    pending: Vec<u8>,
    error: Option<Error>,
}

impl Stream for FailAfter {
    fn code(
        &mut self,
        _input: &[u8],
        output: &mut [u8],
        _action: Action,
    ) -> lzma_core::Result<lzma_core::Progress> {
        if !self.pending.is_empty() {
            let n = self.pending.len().min(output.len());
            output[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            return Ok(lzma_core::Progress {
                consumed: 0,
                produced: n,
                status: Status::Ok,
            });
        }
        Err(self
            .error
            .take()
            .unwrap_or(Error::Misuse("used after an error")))
    }
    fn memusage(&self) -> u64 {
        0
    }
}

/// liblzma's `lzma_mt_block_size`: the default block size of the threaded encoder.
pub fn mt_block_size(chain: &[Filter]) -> Option<u64> {
    let mut max = 0u64;
    for f in chain {
        if let Filter::Lzma2(o) = f {
            max = max.max((u64::from(o.dict_size) * 3).max(1 << 20));
        }
    }
    (max != 0).then_some(max)
}

/// Decoder memory of a raw chain, as liblzma 5.8 computes it.
pub fn decoder_memusage(chain: &[Filter]) -> Option<u64> {
    crate::memusage::decoder(chain)
}

/// Encoder memory of a raw chain (single-threaded).
pub fn encoder_memusage(chain: &[Filter]) -> Option<u64> {
    crate::memusage::encoder(chain)
}

/// Encoder memory of the threaded encoder.
pub fn mt_encoder_memusage(chain: &[Filter], threads: u32, block_size: u64) -> Option<u64> {
    crate::memusage::mt_encoder(chain, threads, block_size)
}

struct Job<'a> {
    cfg: &'a Config,
    src: Source,
    in_buf: Vec<u8>,
    in_pos: usize,
    in_len: usize,
    total_in: u64,
    total_out: u64,
}

/// The text xz prints for a liblzma return code, for each library error.
fn error_text(e: &Error) -> String {
    match e {
        Error::Format(_) => "File format not recognized".into(),
        Error::Corrupt(_) | Error::CheckMismatch { .. } => "Compressed data is corrupt".into(),
        Error::Truncated => "Unexpected end of input".into(),
        Error::Unsupported(_) | Error::Options(_) => "Unsupported options".into(),
        Error::MemLimit { .. } => "Memory usage limit reached".into(),
        Error::Misuse(_) => "Internal error (bug)".into(),
        other => other.to_string(),
    }
}

fn report(name: &str, e: &Error, stream: Option<&dyn Stream>, cfg: &Config) {
    message::error(&format!("{}: {}", message::mask(name), error_text(e)));
    if let Error::MemLimit { needed, .. } = e {
        // xz prints the decoder's memory use at the time of the error (for .xz streams that
        // is the usage before the block that failed), else what the header asked for.
        let use_ = stream.map_or(*needed, |s| s.memusage());
        message::mem_needed(Verbosity::Error, use_, cfg.memlimit(OpMode::Decompress));
    }
}

/// xz's `coder_run`: processes one operand (already mapped: `-` → stdin).
pub fn run_file(cfg: &Config, operand: &std::ffi::OsStr, is_stdin: bool) {
    let shown = if is_stdin {
        io::STDIN_NAME.to_string()
    } else {
        operand.to_string_lossy().into_owned()
    };
    message::filename(&shown, is_stdin);
    let src = if is_stdin {
        io::open_stdin()
    } else {
        io::open_src(cfg, operand)
    };
    let Some(src) = src else { return };
    let mut job = Job {
        cfg,
        src,
        in_buf: vec![0u8; IN_BUF],
        in_pos: 0,
        in_len: 0,
        total_in: 0,
        total_out: 0,
    };
    let mut success = false;
    let mut dest: Option<Dest> = None;
    let decompressing = cfg.mode != OpMode::Compress;
    let mut ok_read = true;
    if decompressing {
        match job.src.read_full(&mut job.in_buf) {
            Some(n) => job.in_len = n,
            None => ok_read = false,
        }
    }
    if ok_read {
        match init(&mut job) {
            Init::Error => {}
            init_result => {
                let dest_ok = if cfg.mode == OpMode::Test {
                    true
                } else {
                    dest = open_dest(cfg, &job.src);
                    dest.is_some()
                };
                if dest_ok {
                    // As in xz, the size of standard input is not looked at (no percentage).
                    let expected = if job.src.is_stdin() {
                        0
                    } else {
                        job.src.size()
                    };
                    message::progress_start(cfg.mode == OpMode::Compress, expected);
                    success = match init_result {
                        Init::Passthru => passthru(&mut job, dest.as_mut()),
                        Init::Normal(mut stream, kind) => {
                            normal(&mut job, stream.as_mut(), dest.as_mut(), kind)
                        }
                        Init::Error => false,
                    };
                    message::progress_end(success);
                }
            }
        }
    }
    if let Some(d) = dest {
        success = d.close(&job.src, cfg, success);
    }
    io::close_src(job.src, cfg, success);
}

fn open_dest(cfg: &Config, src: &Source) -> Option<Dest> {
    if cfg.stdout || src.is_stdin() {
        return io::open_stdout(cfg);
    }
    let path = src.path.as_ref()?;
    let name = suffix::dest_name(cfg, path.as_os_str())?;
    io::open_dest_file(cfg, src, name)
}

enum Init {
    Normal(Box<dyn Stream>, Option<Detected>),
    Passthru,
    Error,
}

fn init(job: &mut Job<'_>) -> Init {
    let cfg = job.cfg;
    let name = job.src.name.clone();
    let chain = cfg.chain0().to_vec();
    let mut detected = None;
    let result = if cfg.mode == OpMode::Compress {
        let mt = cfg.format == Format::Xz && cfg.threads_is_mt();
        lib::encoder(&lib::EncoderSettings {
            format: cfg.format,
            chain: &chain,
            check: cfg.check,
            mt,
            block_size: cfg.block_size,
            block_list: cfg
                .block_list
                .as_ref()
                .map(|l| l.iter().map(|e| e.size).collect())
                .unwrap_or_default(),
            block_list_chains: cfg
                .block_list
                .as_ref()
                .map(|l| l.iter().map(|e| e.chain as u8).collect())
                .unwrap_or_default(),
            extra_chains: (1..10)
                .filter_map(|n| cfg.chains[n].clone().map(|c| (n, c)))
                .collect(),
            threads: cfg.threads_effective,
        })
    } else {
        let Some(kind) = detect(cfg.format, &job.in_buf[..job.in_len]) else {
            if cfg.mode == OpMode::Decompress && cfg.stdout && cfg.force {
                return Init::Passthru;
            }
            report(&name, &Error::Format("not recognized"), None, cfg);
            return Init::Error;
        };
        detected = Some(kind);
        let dec = make_decoder(cfg, kind);
        match dec {
            Ok(mut d) if kind != Detected::Raw => {
                // Parse the headers before creating the output, as xz does: errors such as
                // the memory limit are reported without touching the file system.
                let mut none: [u8; 0] = [];
                loop {
                    match d.code(&job.in_buf[job.in_pos..job.in_len], &mut none, Action::Run) {
                        Ok(p) => {
                            job.in_pos += p.consumed;
                            job.total_in += p.consumed as u64;
                            if d.take_unsupported_check() {
                                message::warning(&format!(
                                    "{}: Unsupported type of integrity check; not verifying file integrity",
                                    message::mask(&name)
                                ));
                            }
                            if p.consumed == 0 || p.status == Status::StreamEnd {
                                break;
                            }
                        }
                        Err(e) => {
                            report(&name, &e, Some(d.as_ref()), cfg);
                            return Init::Error;
                        }
                    }
                }
                Ok(d)
            }
            other => other,
        }
    };
    match result {
        Ok(s) => Init::Normal(s, detected),
        Err(e) => {
            report(&name, &e, None, cfg);
            Init::Error
        }
    }
}

fn passthru(job: &mut Job<'_>, mut dest: Option<&mut Dest>) -> bool {
    let _watch = crate::signals::watch();
    loop {
        if crate::signals::aborted().is_some() {
            return false;
        }
        if job.in_pos < job.in_len {
            if let Some(d) = dest.as_deref_mut() {
                if !d.write(&job.in_buf[job.in_pos..job.in_len]) {
                    return false;
                }
            }
            job.total_in += (job.in_len - job.in_pos) as u64;
            message::progress_update(job.total_in, job.total_in);
        }
        job.in_pos = 0;
        job.in_len = 0;
        if job.src.eof {
            return true;
        }
        match job.src.read_full(&mut job.in_buf) {
            Some(n) => job.in_len = n,
            None => return false,
        }
    }
}

fn normal(
    job: &mut Job<'_>,
    stream: &mut dyn Stream,
    mut dest: Option<&mut Dest>,
    kind: Option<Detected>,
) -> bool {
    let cfg = job.cfg;
    let compressing = cfg.mode == OpMode::Compress;
    let testing = cfg.mode == OpMode::Test;
    let mut out = vec![0u8; OUT_BUF];
    let mut out_pos = 0usize;
    let mut action = if job.src.eof {
        Action::Finish
    } else {
        Action::Run
    };
    let mut write_out = |buf: &[u8]| -> bool {
        if testing || buf.is_empty() {
            return true;
        }
        match dest.as_deref_mut() {
            Some(d) => d.write(buf),
            None => true,
        }
    };
    // --flush-timeout: read in a helper thread so that a read can time out.
    let mut timed = if compressing && cfg.flush_timeout > 0 && !job.src.eof {
        TimedInput::start(&job.src)
    } else {
        None
    };
    let mut seen_input = false;
    // Between two buffers, a stop signal is noticed here (see crate::signals).
    let _watch = crate::signals::watch();
    loop {
        if crate::signals::aborted().is_some() {
            return false;
        }
        if job.in_pos == job.in_len && action == Action::Run {
            if let Some(t) = timed.as_mut() {
                match t.next(seen_input.then(|| Duration::from_millis(cfg.flush_timeout))) {
                    Timed::Data(chunk) => {
                        let n = chunk.len().min(job.in_buf.len());
                        job.in_buf[..n].copy_from_slice(&chunk[..n]);
                        job.in_pos = 0;
                        job.in_len = n;
                        seen_input = true;
                    }
                    Timed::Eof => {
                        job.src.eof = true;
                        action = Action::Finish;
                    }
                    Timed::Timeout => action = Action::SyncFlush,
                    Timed::Error(e) => {
                        message::error(&format!(
                            "{}: Read error: {}",
                            message::mask(&job.src.name),
                            io::strerror(&e)
                        ));
                        return false;
                    }
                }
            } else {
                let Some(n) = job.src.read_full(&mut job.in_buf) else {
                    return false;
                };
                job.in_pos = 0;
                job.in_len = n;
                if job.src.eof {
                    action = Action::Finish;
                }
            }
        }
        let res = stream.code(
            &job.in_buf[job.in_pos..job.in_len],
            &mut out[out_pos..],
            action,
        );
        let p = match res {
            Ok(p) => p,
            Err(e) => {
                let _ = write_out(&out[..out_pos]);
                if let (false, Some(k)) = (compressing || matches!(e, Error::MemLimit { .. }), kind)
                {
                    let seg = job.in_buf[job.in_pos..job.in_len].to_vec();
                    if let Some(extra) = replay(job, k, &seg, action) {
                        let _ = write_out(&extra);
                    }
                }
                report(&job.src.name, &e, Some(&*stream), cfg);
                return false;
            }
        };
        job.in_pos += p.consumed;
        job.total_in += p.consumed as u64;
        out_pos += p.produced;
        job.total_out += p.produced as u64;
        message::progress_update(job.total_in, job.total_out);
        if stream.take_unsupported_check() {
            message::warning(&format!(
                "{}: Unsupported type of integrity check; not verifying file integrity",
                message::mask(&job.src.name)
            ));
        }
        if out_pos == out.len() {
            if !write_out(&out[..out_pos]) {
                return false;
            }
            out_pos = 0;
        }
        if p.status == Status::StreamEnd && action == Action::SyncFlush {
            if !write_out(&out[..out_pos]) {
                return false;
            }
            out_pos = 0;
            seen_input = false;
            action = Action::Run;
            continue;
        }
        if p.status == Status::StreamEnd {
            if !write_out(&out[..out_pos]) {
                return false;
            }
            if compressing {
                return true;
            }
            if cfg.single_stream || kind == Some(Detected::Lzip) {
                job.src.unread(job.in_len - job.in_pos);
                return true;
            }
            if job.in_pos == job.in_len && !job.src.eof {
                let mut one = [0u8; 1];
                match job.src.read_full(&mut one) {
                    Some(0) => {}
                    Some(_) => {
                        job.in_buf[0] = one[0];
                        job.in_pos = 0;
                        job.in_len = 1;
                    }
                    None => return false,
                }
            }
            if job.in_pos == job.in_len {
                return true;
            }
            report(&job.src.name, &Error::Corrupt("trailing data"), None, cfg);
            return false;
        }
        if p.consumed == 0
            && p.produced == 0
            && action == Action::Finish
            && job.in_pos == job.in_len
            && out_pos < out.len()
        {
            // No progress with all input given and room left: treat as truncated input
            // (the library should already have said so).
            let _ = write_out(&out[..out_pos]);
            let e = if compressing {
                Error::Misuse("encoder made no progress")
            } else {
                Error::Truncated
            };
            report(&job.src.name, &e, None, cfg);
            return false;
        }
    }
}

fn make_decoder(cfg: &Config, kind: Detected) -> Result<Box<dyn Stream>, Error> {
    lib::decoder(
        kind,
        &lib::DecoderSettings {
            memlimit: cfg.memlimit(OpMode::Decompress),
            concatenated: !cfg.single_stream,
            ignore_check: cfg.ignore_check,
            raw_chain: cfg.chain0(),
            threads: cfg.threads,
            memlimit_threading: if cfg.threads == 1 {
                0
            } else {
                cfg.memlimit_mtdec_get()
            },
        },
    )
}

/// Recovers the output that the library produced in a failing call but did not report
/// (XZ Utils writes all good data before the error). Only for seekable regular-file
/// inputs: decodes the file again from the start with a fresh decoder up to the input
/// consumed before the failing call, then feeds that call's input one byte at a time so
/// that at most the output of the single failing byte is lost. Returns the recovered bytes.
fn replay(job: &mut Job<'_>, kind: Detected, seg: &[u8], action: Action) -> Option<Vec<u8>> {
    if !job
        .src
        .meta
        .as_ref()
        .is_some_and(std::fs::Metadata::is_file)
    {
        return None;
    }
    use std::io::{Read, Seek, SeekFrom};
    let mut dec = make_decoder(job.cfg, kind).ok()?;
    let mut file = job.src.file.try_clone().ok()?;
    let resume = file.stream_position().ok()?;
    file.seek(SeekFrom::Start(0)).ok()?;
    let (target_in, target_out) = (job.total_in, job.total_out);
    let mut scratch = vec![0u8; OUT_BUF];
    let mut buf = vec![0u8; IN_BUF];
    let (mut fed, mut produced) = (0u64, 0u64);
    let mut result = None;
    'outer: while fed < target_in {
        let want = (target_in - fed).min(buf.len() as u64) as usize;
        let n = file.read(&mut buf[..want]).ok()?;
        if n == 0 {
            break;
        }
        let mut pos = 0;
        while pos < n {
            match dec.code(&buf[pos..n], &mut scratch, Action::Run) {
                Ok(p) => {
                    pos += p.consumed;
                    fed += p.consumed as u64;
                    produced += p.produced as u64;
                    if p.consumed == 0 && p.produced == 0 {
                        break 'outer;
                    }
                }
                Err(_) => break 'outer,
            }
        }
    }
    if fed == target_in && produced == target_out {
        let mut extra = Vec::new();
        'bytes: for (i, b) in seg.iter().enumerate() {
            let act = if i + 1 == seg.len() {
                action
            } else {
                Action::Run
            };
            loop {
                match dec.code(std::slice::from_ref(b), &mut scratch, act) {
                    Ok(p) => {
                        extra.extend_from_slice(&scratch[..p.produced]);
                        if p.status == Status::StreamEnd {
                            break 'bytes;
                        }
                        if p.consumed > 0 || p.produced == 0 {
                            break;
                        }
                    }
                    Err(_) => break 'bytes,
                }
            }
        }
        result = Some(extra);
    }
    let _ = file.seek(SeekFrom::Start(resume));
    result
}

/// Input read by a helper thread, so that waiting for it can time out
/// (`--flush-timeout`).
struct TimedInput {
    rx: std::sync::mpsc::Receiver<std::io::Result<Vec<u8>>>,
}

enum Timed {
    Data(Vec<u8>),
    Eof,
    Timeout,
    Error(std::io::Error),
}

impl TimedInput {
    fn start(src: &Source) -> Option<TimedInput> {
        let mut file = src.file.try_clone().ok()?;
        let (tx, rx) = std::sync::mpsc::sync_channel(4);
        std::thread::spawn(move || {
            use std::io::Read;
            loop {
                let mut buf = vec![0u8; IN_BUF];
                match file.read(&mut buf) {
                    Ok(n) => {
                        buf.truncate(n);
                        if tx.send(Ok(buf)).is_err() || n == 0 {
                            return;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        Some(TimedInput { rx })
    }

    fn next(&mut self, timeout: Option<Duration>) -> Timed {
        crate::signals::blocking(|| self.next_inner(timeout))
    }

    fn next_inner(&mut self, timeout: Option<Duration>) -> Timed {
        let r = match timeout {
            Some(t) => match self.rx.recv_timeout(t) {
                Ok(r) => r,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => return Timed::Timeout,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Timed::Eof,
            },
            None => match self.rx.recv() {
                Ok(r) => r,
                Err(_) => return Timed::Eof,
            },
        };
        match r {
            Ok(b) if b.is_empty() => Timed::Eof,
            Ok(b) => Timed::Data(b),
            Err(e) => Timed::Error(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection() {
        assert_eq!(
            detect(Format::Auto, &[0xFD, b'7', b'z', b'X', b'Z', 0, 0]),
            Some(Detected::Xz)
        );
        assert_eq!(detect(Format::Auto, b"LZIP\x01"), Some(Detected::Lzip));
        let mut lz = vec![0x5D, 0, 0, 0x80, 0];
        lz.extend_from_slice(&[0xFF; 8]);
        assert_eq!(detect(Format::Auto, &lz), Some(Detected::Lzma));
        lz[1] = 1; // dict 0x00800001 is not 2^n or 2^n+2^(n-1)
        assert_eq!(detect(Format::Auto, &lz), None);
        assert_eq!(detect(Format::Xz, b"LZIP"), None);
        assert_eq!(detect(Format::Auto, b""), None);
    }
}
