//! Our coders for a spec: the one place that names `lzma-core`'s constructors.
//!
//! Constructors return `Option` so that a coder the library lacks can be
//! left out (`None`) without touching the targets.

use crate::spec::{CheckKind, EncodeFormat, EncodeSpec, Format, LastFilter, PreFilter, RawChain};
use lzma_core::filter::BcjArch;
use lzma_core::filter::props::lzma1_decode;
use lzma_core::lzma::{MatchFinder, Mode};
use lzma_core::alone::{AloneDecoder, AloneEncoder};
use lzma_core::auto::AutoDecoder;
use lzma_core::lzip::LzipDecoder;
use lzma_core::raw::{RawDecoder, RawEncoder};
use lzma_core::xz::{XzDecoder, XzEncoder};
use lzma_core::{Check, Coder, DecoderOptions, EncoderOptions, Error, Filter, LzmaOptions, Result};

/// A boxed coder of ours.
pub type BoxCoder = Box<dyn Coder>;

/// Our decoder for a container format with a memory limit.
pub fn decoder(format: Format, memlimit: u64) -> Option<Result<BoxCoder>> {
    let opts = DecoderOptions::new().memlimit(memlimit);
    Some(Ok(match format {
        Format::Xz => Box::new(XzDecoder::new(opts)),
        Format::Lzma => Box::new(AloneDecoder::new(&opts)),
        Format::Lzip => Box::new(LzipDecoder::new(&opts)),
        Format::Auto => Box::new(AutoDecoder::new(opts)),
    }))
}

/// Our raw decoder for a filter chain with a memory limit.
pub fn raw_decoder(chain: &RawChain, memlimit: u64) -> Option<Result<BoxCoder>> {
    Some(raw_filters(chain).and_then(|f| RawDecoder::new(&f, memlimit)).map(|d| Box::new(d) as BoxCoder))
}

/// Our encoder for a spec.
pub fn encoder(spec: &EncodeSpec) -> Option<Result<BoxCoder>> {
    Some(make_encoder(spec))
}

fn make_encoder(spec: &EncodeSpec) -> Result<BoxCoder> {
    Ok(match spec.format {
        EncodeFormat::Xz => {
            let mut opts = EncoderOptions::preset(spec.preset)
                .extreme(spec.extreme)
                .filters(filters_for(spec)?)
                .check(check(spec.check));
            if let Some(b) = spec.block_size {
                opts = opts.block_size(u64::from(b));
            }
            Box::new(XzEncoder::new(&opts)?)
        }
        EncodeFormat::Lzma => Box::new(AloneEncoder::new(&lzma_options(spec)?)?),
        EncodeFormat::RawLzma2 => Box::new(RawEncoder::new(&filters_for(spec)?)?),
    })
}

/// The decoder that reads what [`encoder`] wrote for this spec.
pub fn decoder_for(spec: &EncodeSpec) -> Option<Result<BoxCoder>> {
    match spec.format {
        EncodeFormat::Xz => decoder(Format::Xz, u64::MAX),
        EncodeFormat::Lzma => decoder(Format::Lzma, u64::MAX),
        EncodeFormat::RawLzma2 => Some(
            filters_for(spec)
                .and_then(|f| RawDecoder::new(&f, u64::MAX))
                .map(|d| Box::new(d) as BoxCoder),
        ),
    }
}

/// The preset's dictionary size reduced to the spec's cap (at least 4 KiB).
pub fn capped_dict_size(spec: &EncodeSpec) -> u32 {
    const DICT_POW2: [u32; 10] = [18, 20, 21, 22, 22, 23, 23, 24, 25, 26];
    let preset = 1u32 << DICT_POW2[(spec.preset as usize).min(9)];
    preset.min(1 << spec.dict_log2_cap.clamp(12, 26))
}

/// Our LZMA options for an encoder spec (the same as [`crate::reference::lzma_options`]).
pub fn lzma_options(spec: &EncodeSpec) -> Result<LzmaOptions> {
    let mut o = LzmaOptions::preset(spec.preset, spec.extreme)?;
    o.dict_size = capped_dict_size(spec);
    if let Some(t) = &spec.tweaks {
        o.lc = t.lc;
        o.lp = t.lp;
        o.pb = t.pb;
        o.mode = if t.normal { Mode::Normal } else { Mode::Fast };
        o.nice_len = t.nice_len;
        o.depth = t.depth;
        o.mf = match t.mf {
            0 => MatchFinder::Hc3,
            1 => MatchFinder::Hc4,
            2 => MatchFinder::Bt2,
            3 => MatchFinder::Bt3,
            _ => MatchFinder::Bt4,
        };
    }
    Ok(o)
}

/// The check of a spec.
pub fn check(kind: CheckKind) -> Check {
    match kind {
        CheckKind::None => Check::None,
        CheckKind::Crc32 => Check::Crc32,
        CheckKind::Crc64 => Check::Crc64,
        CheckKind::Sha256 => Check::Sha256,
    }
}

/// Our filter for a non-last filter spec, parsing its properties as liblzma does.
pub fn pre_filter(f: &PreFilter) -> Result<Filter> {
    Ok(match f {
        PreFilter::Delta { props } => Filter::Delta { distance: u32::from(*props) + 1 },
        PreFilter::Bcj { id, start_offset } => {
            let arch = BcjArch::from_filter_id(*id)
                .ok_or(Error::Unsupported("unknown filter ID"))?;
            let start_offset = start_offset.unwrap_or(0);
            Filter::Bcj { arch, start_offset }
        }
    })
}

/// The encoder's filter chain for a spec (pre-filters, then LZMA2 or LZMA1).
pub fn filters_for(spec: &EncodeSpec) -> Result<Vec<Filter>> {
    let mut v = spec.pre.iter().map(pre_filter).collect::<Result<Vec<_>>>()?;
    let o = lzma_options(spec)?;
    v.push(if spec.format == EncodeFormat::Lzma { Filter::Lzma1(o) } else { Filter::Lzma2(o) });
    Ok(v)
}

/// Our filter chain for a raw decoder spec.
pub fn raw_filters(chain: &RawChain) -> Result<Vec<Filter>> {
    let mut v = chain.pre.iter().map(pre_filter).collect::<Result<Vec<_>>>()?;
    v.push(match chain.last {
        // From the property bytes, as liblzma's reference decoder is made.
        LastFilter::Lzma1 { .. } => Filter::Lzma1(lzma1_decode(&chain.last.id_and_props().1)?),
        LastFilter::Lzma2 { props } => {
            if props > 40 {
                return Err(Error::Unsupported("LZMA2 dictionary size byte out of range"));
            }
            let dict_size = if props == 40 { u32::MAX } else { (2 | u32::from(props & 1)) << (props / 2 + 11) };
            Filter::Lzma2(LzmaOptions { dict_size, ..LzmaOptions::default() })
        }
    });
    Ok(v)
}
