//! The one place where the container code reaches into the codec modules (filter chains,
//! filter properties, LZMA1), so the containers stay independent of how those are built.

use crate::filter::Filter;
use crate::lzma::{LzmaOptions, LzmaProps};
use crate::stream::{Action, Coder, Progress, Status};
use crate::{Error, Result};

/// A boxed coder; dispatch happens once per `code` call, never inside a hot loop.
pub(crate) type DynCoder = Box<dyn Coder + Send>;

/// liblzma's fixed allowance for a decoder's bookkeeping (`LZMA_MEMUSAGE_BASE`).
pub(crate) const MEMUSAGE_BASE: u64 = 1 << 15;

/// Decoder for a raw filter chain.
pub(crate) fn raw_decoder(filters: &[Filter], memlimit: u64) -> Result<DynCoder> {
    validate_chain(filters, false)?;
    let needed = decoder_memusage(filters);
    if needed > memlimit {
        return Err(Error::MemLimit { needed, limit: memlimit });
    }
    match filters {
        [Filter::Lzma2(_)] => Ok(Box::new(StoredLzma2Decoder::default())),
        _ => Err(Error::Unsupported("this filter chain is not available yet")),
    }
}

/// Encoder for a raw filter chain.
pub(crate) fn raw_encoder(filters: &[Filter]) -> Result<DynCoder> {
    validate_chain(filters, false)?;
    match filters {
        [Filter::Lzma2(_)] => Ok(Box::new(StoredLzma2Encoder::default())),
        _ => Err(Error::Unsupported("this filter chain is not available yet")),
    }
}

/// Memory a raw decoder for `filters` needs, as liblzma reports it.
pub(crate) fn decoder_memusage(filters: &[Filter]) -> u64 {
    filters
        .iter()
        .map(|f| match f {
            Filter::Lzma1(o) | Filter::Lzma2(o) => lzma1_decoder_memusage(o.dict_size),
            _ => 1024,
        })
        .fold(MEMUSAGE_BASE, |a, b| a.saturating_add(b))
}

/// Memory a raw encoder for `filters` needs, as liblzma reports it.
pub(crate) fn encoder_memusage(filters: &[Filter]) -> u64 {
    filters
        .iter()
        .map(|f| match f {
            Filter::Lzma1(o) | Filter::Lzma2(o) => u64::from(o.dict_size).saturating_mul(12),
            _ => 1024,
        })
        .fold(0u64, |a, b| a.saturating_add(b))
}

/// Checks a chain's order and length (`for_xz`: LZMA1 is not allowed).
pub(crate) fn validate_chain(filters: &[Filter], for_xz: bool) -> Result<()> {
    if filters.is_empty() {
        return Err(Error::Options("The filter chain is empty".into()));
    }
    if filters.len() > 4 {
        return Err(Error::Options("The maximum number of filters is four".into()));
    }
    for (i, f) in filters.iter().enumerate() {
        let last = i + 1 == filters.len();
        let is_lzma = matches!(f, Filter::Lzma1(_) | Filter::Lzma2(_));
        if is_lzma != last {
            return Err(Error::Options(if is_lzma {
                "LZMA1/LZMA2 must be the last filter in the chain".into()
            } else {
                "The last filter in the chain must be LZMA1 or LZMA2".into()
            }));
        }
        if for_xz && matches!(f, Filter::Lzma1(_)) {
            return Err(Error::Options("LZMA1 cannot be used in the .xz format".into()));
        }
    }
    Ok(())
}

/// Filter ID and properties for a block header.
pub(crate) fn props_encode(f: &Filter) -> Result<(u64, Vec<u8>)> {
    match f {
        Filter::Lzma2(o) => Ok((crate::filter::ID_LZMA2, vec![lzma2_props_byte(o.dict_size)])),
        _ => Err(Error::Options("this filter cannot be stored in .xz yet".into())),
    }
}

/// Filter from a block header's ID and properties.
pub(crate) fn props_decode(id: u64, props: &[u8]) -> Result<Filter> {
    match (id, props) {
        (crate::filter::ID_LZMA2, &[b]) => {
            if b > 40 {
                return Err(Error::Unsupported("LZMA2 dictionary size byte above 40"));
            }
            let dict_size =
                if b == 40 { u32::MAX } else { (2 | u32::from(b & 1)) << (b / 2 + 11) };
            Ok(Filter::Lzma2(LzmaOptions { dict_size, ..LzmaOptions::default() }))
        }
        _ => Err(Error::Unsupported("unknown filter or bad filter properties")),
    }
}

fn lzma2_props_byte(dict_size: u32) -> u8 {
    let d = dict_size.max(4096);
    let mut b = 0u8;
    while b < 40 {
        let size = (2u64 | u64::from(b & 1)) << (b / 2 + 11);
        if size >= u64::from(d) {
            break;
        }
        b += 1;
    }
    b
}

/// A raw LZMA1 decoder.
pub(crate) fn lzma1_decoder(
    _props: LzmaProps,
    _dict_size: u32,
    _uncompressed_size: Option<u64>,
    _allow_eopm: bool,
) -> Result<DynCoder> {
    Err(Error::Unsupported("the LZMA1 decoder is not available yet"))
}

/// Memory of a raw LZMA1/LZMA2 decoder with this dictionary, as liblzma reports it.
pub(crate) fn lzma1_decoder_memusage(dict_size: u32) -> u64 {
    u64::from(dict_size) + 28_000
}

/// A raw LZMA1 encoder writing an end marker.
pub(crate) fn lzma1_encoder(_opts: &LzmaOptions) -> Result<DynCoder> {
    Err(Error::Unsupported("the LZMA1 encoder is not available yet"))
}

/// Memory of a raw LZMA1 encoder.
pub(crate) fn lzma1_encoder_memusage(opts: &LzmaOptions) -> u64 {
    u64::from(opts.dict_size).saturating_mul(12)
}

/// Interim LZMA2 decoder for uncompressed chunks only, until the real one is merged.
#[derive(Default)]
struct StoredLzma2Decoder {
    need_dict_reset: bool,
    started: bool,
    header: [u8; 3],
    header_len: usize,
    remaining: usize,
    done: bool,
}

impl Coder for StoredLzma2Decoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        let (mut ip, mut op) = (0, 0);
        loop {
            if self.done {
                return Ok(Progress { consumed: ip, produced: op, status: Status::StreamEnd });
            }
            if self.remaining > 0 {
                let n = self.remaining.min(input.len() - ip).min(output.len() - op);
                if n == 0 {
                    break;
                }
                output[op..op + n].copy_from_slice(&input[ip..ip + n]);
                ip += n;
                op += n;
                self.remaining -= n;
                continue;
            }
            if ip == input.len() {
                break;
            }
            let b = input[ip];
            if self.header_len == 0 {
                ip += 1;
                match b {
                    0 => {
                        self.done = true;
                        continue;
                    }
                    1 | 2 => {
                        if b == 2 && !self.started && !self.need_dict_reset {
                            return Err(Error::Corrupt("LZMA2 first chunk without reset"));
                        }
                        self.started = true;
                        self.header[0] = b;
                        self.header_len = 1;
                    }
                    _ => return Err(Error::Unsupported("LZMA chunks need the LZMA2 decoder")),
                }
            } else {
                self.header[self.header_len] = b;
                self.header_len += 1;
                ip += 1;
                if self.header_len == 3 {
                    self.remaining =
                        usize::from(u16::from_be_bytes([self.header[1], self.header[2]])) + 1;
                    self.header_len = 0;
                }
            }
        }
        if action == Action::Finish && ip == input.len() && op < output.len() {
            return Err(Error::Truncated);
        }
        Ok(Progress { consumed: ip, produced: op, status: Status::Ok })
    }
}

/// Interim LZMA2 encoder writing uncompressed chunks only, until the real one is merged.
#[derive(Default)]
struct StoredLzma2Encoder {
    pending: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    started: bool,
    finished: bool,
}

impl StoredLzma2Encoder {
    fn emit_chunk(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        self.out.push(if self.started { 2 } else { 1 });
        self.started = true;
        let n = self.pending.len() - 1;
        self.out.extend_from_slice(&(n as u16).to_be_bytes());
        self.out.append(&mut self.pending);
    }
}

impl Coder for StoredLzma2Encoder {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        let mut ip = 0;
        let mut op = 0;
        loop {
            if self.out_pos < self.out.len() {
                let n = (self.out.len() - self.out_pos).min(output.len() - op);
                output[op..op + n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                op += n;
                self.out_pos += n;
                if self.out_pos < self.out.len() {
                    break;
                }
                self.out.clear();
                self.out_pos = 0;
            }
            if self.finished {
                return Ok(Progress { consumed: ip, produced: op, status: Status::StreamEnd });
            }
            if ip < input.len() {
                let n = (65536 - self.pending.len()).min(input.len() - ip);
                self.pending.extend_from_slice(&input[ip..ip + n]);
                ip += n;
                if self.pending.len() == 65536 {
                    self.emit_chunk();
                }
                continue;
            }
            if action == Action::Run {
                break;
            }
            self.emit_chunk();
            if action == Action::Finish {
                self.out.push(0);
                self.finished = true;
                continue;
            }
            if self.out.is_empty() {
                return Ok(Progress { consumed: ip, produced: op, status: Status::StreamEnd });
            }
        }
        Ok(Progress { consumed: ip, produced: op, status: Status::Ok })
    }
}
