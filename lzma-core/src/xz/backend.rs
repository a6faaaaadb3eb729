//! The one place where the container code reaches into the codec modules (filter chains,
//! filter properties, LZMA1), so the containers stay independent of how those are built.

use crate::filter::chain::{self, ChainDecoder, ChainEncoder};
use crate::filter::{props, Filter};
use crate::lzma::decoder::LzmaDecoder;
use crate::lzma::{LzmaOptions, LzmaProps};
use crate::lzma2::decoder::Lzma2Decoder;
use crate::stream::{Action, Coder, Progress, Status};
use crate::{Error, Result};

/// A boxed coder; dispatch happens once per `code` call, never inside a hot loop.
pub(crate) type DynCoder = Box<dyn Coder + Send>;

/// liblzma's fixed allowance for a decoder's bookkeeping (`LZMA_MEMUSAGE_BASE`).
pub(crate) const MEMUSAGE_BASE: u64 = 1 << 15;

/// Decoder for a raw filter chain: LZMA1 or LZMA2 directly when alone, otherwise the
/// Delta/BCJ stages of `filter::chain` in front of it.
pub(crate) fn raw_decoder(filters: &[Filter], memlimit: u64) -> Result<DynCoder> {
    validate_chain(filters, false)?;
    let needed = decoder_memusage(filters);
    if needed > memlimit {
        return Err(Error::MemLimit { needed, limit: memlimit });
    }
    let Some((last, simple)) = filters.split_last() else {
        return Err(Error::Options("The filter chain is empty".into()));
    };
    match last {
        Filter::Lzma2(o) => {
            let d = Lzma2Decoder::new(o.dict_size)?;
            if simple.is_empty() {
                Ok(Box::new(d))
            } else {
                Ok(Box::new(ChainDecoder::new(simple, d)?))
            }
        }
        Filter::Lzma1(o) => {
            let d = LzmaDecoder::new(o.props(), o.dict_size, None, true)?;
            if simple.is_empty() {
                Ok(Box::new(d))
            } else {
                Ok(Box::new(ChainDecoder::new(simple, d)?))
            }
        }
        _ => Err(Error::Options("The last filter must be LZMA1 or LZMA2".into())),
    }
}

/// Encoder for a raw filter chain.
pub(crate) fn raw_encoder(filters: &[Filter]) -> Result<DynCoder> {
    validate_chain(filters, false)?;
    match filters.split_last() {
        Some((Filter::Lzma2(_), [])) => Ok(Box::new(StoredLzma2Encoder::default())),
        Some((Filter::Lzma2(_), simple)) => {
            Ok(Box::new(ChainEncoder::new(simple, StoredLzma2Encoder::default())?))
        }
        _ => Err(Error::Unsupported("this filter chain is not available yet")),
    }
}

/// Memory a raw decoder for `filters` needs, as liblzma reports it (`u64::MAX` for an
/// invalid chain).
pub(crate) fn decoder_memusage(filters: &[Filter]) -> u64 {
    chain::decoder_memusage(filters)
}

/// Memory a raw encoder for `filters` needs, as liblzma reports it.
pub(crate) fn encoder_memusage(filters: &[Filter]) -> u64 {
    chain::encoder_memusage(filters)
}

/// Checks a chain's order, length and options (`for_xz`: LZMA1 is not allowed). The
/// error names the problem.
pub(crate) fn validate_chain(filters: &[Filter], for_xz: bool) -> Result<()> {
    match chain::check_chain(filters, for_xz) {
        None => Ok(()),
        Some(p) => {
            let d = p.describe();
            let mut msg = String::with_capacity(d.len());
            let mut chars = d.chars();
            if let Some(c) = chars.next() {
                msg.extend(c.to_uppercase());
            }
            msg.push_str(chars.as_str());
            Err(Error::Options(msg))
        }
    }
}

/// Filter ID and properties for a block header.
pub(crate) fn props_encode(f: &Filter) -> Result<(u64, Vec<u8>)> {
    props::encode(f)
}

/// Filter from a block header's ID and properties.
pub(crate) fn props_decode(id: u64, raw: &[u8]) -> Result<Filter> {
    props::decode(id, raw)
}

/// A raw LZMA1 decoder.
pub(crate) fn lzma1_decoder(
    props: LzmaProps,
    dict_size: u32,
    uncompressed_size: Option<u64>,
    allow_eopm: bool,
) -> Result<DynCoder> {
    Ok(Box::new(LzmaDecoder::new(props, dict_size, uncompressed_size, allow_eopm)?))
}

/// Memory of a raw LZMA1 decoder with this dictionary plus liblzma's base allowance
/// (what its .lzma and lzip decoders report).
pub(crate) fn lzma1_decoder_memusage(dict_size: u32) -> u64 {
    let opts = LzmaOptions { dict_size, ..LzmaOptions::default() };
    decoder_memusage(&[Filter::Lzma1(opts)])
}

/// A raw LZMA1 encoder writing an end marker.
pub(crate) fn lzma1_encoder(_opts: &LzmaOptions) -> Result<DynCoder> {
    Err(Error::Unsupported("the LZMA1 encoder is not available yet"))
}

/// Memory of a raw LZMA1 encoder.
pub(crate) fn lzma1_encoder_memusage(opts: &LzmaOptions) -> u64 {
    encoder_memusage(&[Filter::Lzma1(opts.clone())])
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
