//! liblzma (XZ Utils 5.8, through the `liblzma` crate's safe API) as the reference.

use crate::spec::{CheckKind, EncodeFormat, EncodeSpec, Format, LastFilter, PreFilter, RawChain};
use crate::verdict::Class;
use liblzma::stream::{self, Action, Check, Filters, LzmaOptions, Status, Stream};

/// What one liblzma run produced.
#[derive(Debug, Clone)]
pub struct RefOutcome {
    /// Output bytes.
    pub output: Vec<u8>,
    /// Result class.
    pub class: Class,
    /// Input bytes consumed.
    pub consumed: usize,
}

/// The class of a liblzma error.
pub fn class_of_error(e: &stream::Error) -> Class {
    match e {
        stream::Error::Data => Class::Data,
        stream::Error::Format => Class::Format,
        stream::Error::Options | stream::Error::UnsupportedCheck => Class::Unsupported,
        stream::Error::MemLimit | stream::Error::Mem => Class::MemLimit,
        stream::Error::Program | stream::Error::NoCheck => Class::Options,
    }
}

/// A liblzma decoder for a container format, with `memlimit`, accepting
/// concatenated streams as `xz` does.
pub fn decoder(format: Format, memlimit: u64) -> Result<Stream, stream::Error> {
    match format {
        Format::Xz => Stream::new_stream_decoder(memlimit, stream::CONCATENATED),
        Format::Lzma => Stream::new_lzma_decoder(memlimit),
        Format::Lzip => Stream::new_lzip_decoder(memlimit, stream::CONCATENATED),
        Format::Auto => Stream::new_auto_decoder(memlimit, stream::CONCATENATED),
    }
}

/// Decodes `input` as `format` the way XZ Utils 5.8's liblzma does.
///
/// The `liblzma` crate builds its bundled liblzma without `HAVE_LZIP_DECODER`, so
/// its auto decoder tries input starting with `L` as .lzma (and 0x4C is an .lzma
/// properties byte with lc + lp > 4: "format not recognised"), where XZ Utils'
/// auto decoder (`auto_decoder.c`) hands it to the lzip decoder with its flags and,
/// once that ends, calls any input left over corrupt. This does the same.
pub fn decode(format: Format, input: &[u8], memlimit: u64) -> RefOutcome {
    let lzip_in_auto = format == Format::Auto && input.first() == Some(&b'L');
    let format = if lzip_in_auto { Format::Lzip } else { format };
    let mut out = outcome(decoder(format, memlimit), input);
    if lzip_in_auto && out.class == Class::Ok && out.consumed < input.len() {
        out.class = Class::Data;
    }
    out
}

/// Runs a decoder that may have failed to start over `input` (see [`run_decoder`]).
pub fn outcome(made: Result<Stream, stream::Error>, input: &[u8]) -> RefOutcome {
    match made {
        Ok(mut s) => run_decoder(&mut s, input),
        Err(e) => RefOutcome { output: Vec::new(), class: class_of_error(&e), consumed: 0 },
    }
}

fn add_pre(filters: &mut Filters, f: &PreFilter) -> Result<(), stream::Error> {
    let (id, props) = f.id_and_props();
    match id {
        0x03 => filters.delta_properties(&props),
        0x04 => filters.x86_properties(&props),
        0x05 => filters.powerpc_properties(&props),
        0x06 => filters.ia64_properties(&props),
        0x07 => filters.arm_properties(&props),
        0x08 => filters.arm_thumb_properties(&props),
        0x09 => filters.sparc_properties(&props),
        0x0A => filters.arm64_properties(&props),
        0x0B => filters.riscv_properties(&props),
        _ => return Err(stream::Error::Options),
    }
    .map(|_| ())
}

/// The dictionary size a raw chain asks for, if its properties are valid.
pub fn raw_dict_size(chain: &RawChain) -> Option<u64> {
    match chain.last {
        LastFilter::Lzma1 { dict_size, .. } => Some(u64::from(dict_size)),
        LastFilter::Lzma2 { props } if props <= 40 => {
            Some(u64::from(2 | (props & 1)) << (props / 2 + 11))
        }
        LastFilter::Lzma2 { .. } => None,
    }
}

/// A liblzma raw decoder for the chain (liblzma's raw decoder has no memory
/// limit: callers check [`raw_dict_size`] first).
pub fn raw_decoder(chain: &RawChain) -> Result<Stream, stream::Error> {
    let mut filters = Filters::new();
    // Filters are listed in encoder order.
    for f in &chain.pre {
        add_pre(&mut filters, f)?;
    }
    let (_, props) = chain.last.id_and_props();
    match chain.last {
        LastFilter::Lzma1 { .. } => filters.lzma1_properties(&props)?,
        LastFilter::Lzma2 { .. } => filters.lzma2_properties(&props)?,
    };
    Stream::new_raw_decoder(&filters)
}

/// Runs a liblzma stream over all of `input` (one call per 64 KiB of output),
/// with `LZMA_FINISH`, until the stream ends, an error, or the output cap.
pub fn run_decoder(stream: &mut Stream, input: &[u8]) -> RefOutcome {
    let mut output = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut pos = 0usize;
    loop {
        let (in0, out0) = (stream.total_in(), stream.total_out());
        let r = stream.process(&input[pos..], &mut buf, Action::Finish);
        let consumed = usize::try_from(stream.total_in() - in0).unwrap_or(usize::MAX);
        let produced = usize::try_from(stream.total_out() - out0).unwrap_or(usize::MAX);
        pos += consumed;
        output.extend_from_slice(&buf[..produced]);
        let class = match r {
            Err(e) => class_of_error(&e),
            Ok(Status::StreamEnd) => Class::Ok,
            Ok(Status::MemNeeded) => Class::Truncated,
            Ok(Status::Ok | Status::GetCheck) => {
                if output.len() > crate::OUTPUT_CAP {
                    Class::Capped
                } else {
                    continue;
                }
            }
        };
        return RefOutcome { output, class, consumed: pos };
    }
}

/// liblzma's LZMA options for an encoder spec.
pub fn lzma_options(spec: &EncodeSpec) -> Result<LzmaOptions, stream::Error> {
    let preset = spec.preset | if spec.extreme { stream::PRESET_EXTREME } else { 0 };
    let mut o = LzmaOptions::new_preset(preset)?;
    let dict = crate::ours::capped_dict_size(spec);
    o.dict_size(dict);
    if let Some(t) = &spec.tweaks {
        o.literal_context_bits(t.lc)
            .literal_position_bits(t.lp)
            .position_bits(t.pb)
            .mode(if t.normal { stream::Mode::Normal } else { stream::Mode::Fast })
            .nice_len(t.nice_len)
            .depth(t.depth)
            .match_finder(match t.mf {
                0 => stream::MatchFinder::HashChain3,
                1 => stream::MatchFinder::HashChain4,
                2 => stream::MatchFinder::BinaryTree2,
                3 => stream::MatchFinder::BinaryTree3,
                _ => stream::MatchFinder::BinaryTree4,
            });
    }
    Ok(o)
}

/// Compresses `spec.data` with liblzma as `xz -T1` would: for a block size,
/// `LZMA_FULL_FLUSH` after every `block_size` input bytes.
pub fn encode(spec: &EncodeSpec) -> Result<Vec<u8>, stream::Error> {
    let opts = lzma_options(spec)?;
    let mut stream = match spec.format {
        EncodeFormat::Lzma => Stream::new_lzma_encoder(&opts)?,
        EncodeFormat::Xz | EncodeFormat::RawLzma2 => {
            let mut filters = Filters::new();
            for f in &spec.pre {
                add_pre(&mut filters, f)?;
            }
            filters.lzma2(&opts);
            if spec.format == EncodeFormat::Xz {
                let check = match spec.check {
                    CheckKind::None => Check::None,
                    CheckKind::Crc32 => Check::Crc32,
                    CheckKind::Crc64 => Check::Crc64,
                    CheckKind::Sha256 => Check::Sha256,
                };
                Stream::new_stream_encoder(&filters, check)?
            } else {
                Stream::new_raw_encoder(&filters)?
            }
        }
    };
    let block = match (spec.format, spec.block_size) {
        (EncodeFormat::Xz, Some(b)) => b as usize,
        _ => spec.data.len().max(1),
    };
    let mut out = Vec::with_capacity(spec.data.len() / 2 + 1024);
    let mut chunks = spec.data.chunks(block).peekable();
    if chunks.peek().is_none() {
        pump(&mut stream, &[], Action::Finish, &mut out)?;
    }
    while let Some(chunk) = chunks.next() {
        let action = if chunks.peek().is_some() { Action::FullFlush } else { Action::Finish };
        pump(&mut stream, chunk, action, &mut out)?;
    }
    Ok(out)
}

fn pump(stream: &mut Stream, input: &[u8], action: Action, out: &mut Vec<u8>) -> Result<(), stream::Error> {
    let mut pos = 0usize;
    loop {
        out.reserve(1 << 16);
        let before = stream.total_in();
        let status = stream.process_vec(&input[pos..], out, action)?;
        pos += usize::try_from(stream.total_in() - before).unwrap_or(usize::MAX);
        if status == Status::StreamEnd {
            return Ok(());
        }
    }
}
