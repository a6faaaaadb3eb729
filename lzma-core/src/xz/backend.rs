//! The one place where the container code reaches into the codec modules (filter chains,
//! filter properties, LZMA1), so the containers stay independent of how those are built.

use crate::filter::chain::{self, ChainDecoder, ChainEncoder};
use crate::filter::{props, Filter};
use crate::lzma::decoder::LzmaDecoder;
use crate::lzma::encoder::LzmaEncoder;
use crate::lzma::{LzmaOptions, LzmaProps};
use crate::lzma2::decoder::Lzma2Decoder;
use crate::lzma2::encoder::Lzma2Encoder;
use crate::stream::Coder;
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
        Some((Filter::Lzma2(o), simple)) => {
            let e = Lzma2Encoder::new(o)?;
            if simple.is_empty() {
                Ok(Box::new(e))
            } else {
                Ok(Box::new(ChainEncoder::new(simple, e)?))
            }
        }
        Some((Filter::Lzma1(o), simple)) => {
            let e = LzmaEncoder::new(o)?;
            if simple.is_empty() {
                Ok(Box::new(e))
            } else {
                Ok(Box::new(ChainEncoder::new(simple, e)?))
            }
        }
        _ => Err(Error::Options("The last filter must be LZMA1 or LZMA2".into())),
    }
}

/// What a [`BlockEncoder`] keeps between blocks.
enum Kept {
    Nothing,
    /// An LZMA2 chain: the LZMA2 encoder (built for `opts`) behind the Delta/BCJ stages.
    Lzma2 { opts: LzmaOptions, enc: Box<ChainEncoder<Lzma2Encoder>> },
    /// Any other chain (LZMA1 last): built again for every block.
    Other(DynCoder),
}

/// A raw encoder reused from one block to the next, as liblzma's threaded encoder keeps
/// one per worker thread: for an LZMA2 chain, the next block with the same LZMA2 options
/// resets the encoder ([`Lzma2Encoder::reset`]) instead of allocating a new one, so the
/// window and match-finder tables are allocated once and the memory touched does not
/// depend on how the allocator recycles (and zeroes) large allocations. The small
/// Delta/BCJ stages in front are built afresh for each block.
pub(crate) struct BlockEncoder {
    kept: Kept,
    /// The encoder held was built by [`BlockEncoder::prepare`] and has coded nothing yet,
    /// so the next block takes it as it is: resetting it would zero tables that are still
    /// untouched (a fresh allocation costs only the pages that get written).
    pristine: bool,
}

impl BlockEncoder {
    /// An encoder holding nothing yet.
    pub(crate) fn new() -> Self {
        BlockEncoder {
            kept: Kept::Nothing,
            pristine: false,
        }
    }

    /// Whether the next block of `filters` reuses what this encoder holds.
    pub(crate) fn reuses(&self, filters: &[Filter]) -> bool {
        match (&self.kept, filters.last()) {
            (Kept::Lzma2 { opts, .. }, Some(Filter::Lzma2(o))) => opts == o,
            _ => false,
        }
    }

    /// Checks that `filters` can be built by building the encoder for them, and keeps it
    /// for the next [`BlockEncoder::start`] (an encoder held that [`BlockEncoder::reuses`]
    /// for them is kept as it is).
    pub(crate) fn prepare(&mut self, filters: &[Filter]) -> Result<()> {
        validate_chain(filters, false)?;
        if !self.reuses(filters) {
            self.build(filters)?;
            self.pristine = true;
        }
        Ok(())
    }

    /// An encoder for `filters` at the start of a new stream: the one held, reset, when
    /// [`BlockEncoder::reuses`] says so, else a new one (the old one is freed first).
    pub(crate) fn start(&mut self, filters: &[Filter]) -> Result<&mut (dyn Coder + Send)> {
        validate_chain(filters, false)?;
        if !self.reuses(filters) {
            self.build(filters)?;
        } else if let (Kept::Lzma2 { enc, .. }, Some((_, simple))) =
            (&mut self.kept, filters.split_last())
        {
            // The Delta/BCJ stages in front may differ from those it was built with.
            if let Err(e) = enc.restart(simple) {
                self.kept = Kept::Nothing;
                return Err(e);
            }
            if !self.pristine {
                enc.inner_mut().reset();
            }
        }
        self.pristine = false;
        self.current()
    }

    /// A new encoder for `filters` in place of the one held (freed first).
    fn build(&mut self, filters: &[Filter]) -> Result<()> {
        self.kept = Kept::Nothing;
        self.kept = match filters.split_last() {
            Some((Filter::Lzma2(o), simple)) => Kept::Lzma2 {
                opts: o.clone(),
                enc: Box::new(ChainEncoder::new(simple, Lzma2Encoder::new(o)?)?),
            },
            _ => Kept::Other(raw_encoder(filters)?),
        };
        Ok(())
    }

    /// The encoder of the block in progress (the one [`BlockEncoder::start`] gave).
    pub(crate) fn current(&mut self) -> Result<&mut (dyn Coder + Send)> {
        match &mut self.kept {
            Kept::Lzma2 { enc, .. } => Ok(enc.as_mut()),
            Kept::Other(c) => Ok(c.as_mut()),
            Kept::Nothing => Err(Error::Misuse("no block encoder")),
        }
    }
}

/// Memory a raw decoder for `filters` needs, as liblzma reports it (`u64::MAX` for an
/// invalid chain).
pub(crate) fn decoder_memusage(filters: &[Filter]) -> u64 {
    chain::decoder_memusage(filters)
}

/// Memory a raw encoder for `filters` needs, as liblzma reports it.
pub(crate) fn encoder_memusage(filters: &[Filter]) -> u64 {
    let shared = chain::encoder_memusage(filters);
    if shared != u64::MAX || chain::check_chain(filters, false).is_some() {
        return shared;
    }
    // The shared table does not know the encoders yet: base + the LZMA encoder + the
    // simple filters (small; liblzma counts 1 KiB-ish each).
    let lzma = match filters.last() {
        Some(Filter::Lzma1(o)) => LzmaEncoder::memusage(o),
        Some(Filter::Lzma2(o)) => Lzma2Encoder::memusage(o),
        _ => return u64::MAX,
    };
    let simple = (filters.len() as u64 - 1) * 1024;
    MEMUSAGE_BASE.saturating_add(lzma).saturating_add(simple)
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
pub(crate) fn lzma1_encoder(opts: &LzmaOptions) -> Result<DynCoder> {
    Ok(Box::new(LzmaEncoder::new(opts)?))
}

/// Memory of a raw LZMA1 encoder.
pub(crate) fn lzma1_encoder_memusage(opts: &LzmaOptions) -> u64 {
    encoder_memusage(&[Filter::Lzma1(opts.clone())])
}
