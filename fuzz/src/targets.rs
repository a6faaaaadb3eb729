//! The bodies of the fuzz targets, as plain functions so that unit tests and
//! regression tests can call them with fixed inputs.

use crate::drive::{self, ChunkPlan};
use crate::spec::{EncodeSpec, Format, RawChain};
use crate::verdict::{self, Class};
use crate::{ours, reference, MEMLIMIT};
use arbitrary::{Arbitrary, Unstructured};

pub use crate::spec::Source;

fn our_decoder(source: &Source) -> Option<lzma_core::Result<ours::BoxCoder>> {
    match source {
        Source::Container(f) => ours::decoder(*f, MEMLIMIT),
        Source::Raw(chain) => ours::raw_decoder(chain, MEMLIMIT),
    }
}

/// Decodes `data` as `format` with our decoder: it must not panic, must
/// respect the memory limit, and must end with a verdict.
pub fn decode(format: Format, data: &[u8]) {
    decode_source(&Source::Container(format), data);
}

/// Decodes with a raw filter chain read from the front of `data`.
pub fn decode_raw(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(chain) = RawChain::arbitrary(&mut u) else { return };
    decode_source(&Source::Raw(chain), u.take_rest());
}

fn decode_source(source: &Source, data: &[u8]) {
    let Some(made) = our_decoder(source) else { return };
    let Ok(mut coder) = made else { return };
    let out = drive::run(&mut coder, data, &mut ChunkPlan::whole());
    // After a memory-limit error, memusage() says what would have been needed.
    if !matches!(out.result, Err(lzma_core::Error::MemLimit { .. })) {
        let used = coder.memusage();
        assert!(used <= MEMLIMIT, "{source:?}: decoder uses {used} bytes, more than the {MEMLIMIT} limit");
    }
}

/// Decodes with input and output fed in chunk sizes chosen by the input and
/// checks the result against decoding with all input at once.
pub fn decode_chunked(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(source) = Source::arbitrary(&mut u) else { return };
    let Ok(seed_len) = u.int_in_range(1..=16usize) else { return };
    let Ok(seed) = u.bytes(seed_len) else { return };
    decode_chunked_source(&source, seed, u.take_rest());
}

/// [`decode_chunked`] with the source and the chunk plan's seed already parsed (for
/// regression tests).
pub fn decode_chunked_source(source: &Source, seed: &[u8], rest: &[u8]) {
    let mut plan = ChunkPlan::from_seed(seed);
    let (Some(Ok(mut a)), Some(Ok(mut b))) = (our_decoder(source), our_decoder(source)) else { return };
    let chunked = drive::run(&mut a, rest, &mut plan);
    let whole = drive::run(&mut b, rest, &mut ChunkPlan::whole());
    verdict::assert_same_run(&chunked, &whole, &format!("{source:?}"));
}

/// Differential decoding: ours and liblzma must agree on the verdict and on
/// the output.
pub fn diff_decode(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(source) = Source::arbitrary(&mut u) else { return };
    diff_decode_source(&source, u.take_rest());
}

/// [`diff_decode`] with the source already parsed (for regression tests).
pub fn diff_decode_source(source: &Source, rest: &[u8]) {
    let source = source.clone();
    let Some(Ok(mut coder)) = our_decoder(&source) else { return };
    let ours = drive::run(&mut coder, rest, &mut ChunkPlan::whole());

    let theirs = match &source {
        Source::Container(f) => reference::decode(*f, rest, MEMLIMIT),
        Source::Raw(chain) => match reference::raw_dict_size(chain) {
            // liblzma's raw decoder has no memory limit: keep it within ours.
            Some(d) if d <= MEMLIMIT / 2 => reference::outcome(reference::raw_decoder(chain), rest),
            _ => return,
        },
    };
    let ours_class = verdict::class(&ours);
    if matches!(ours_class, Class::MemLimit) || matches!(theirs.class, Class::MemLimit) {
        return; // Memory estimates may differ a little at the boundary.
    }
    let n = ours.output.len().min(theirs.output.len());
    let same = verdict::common_prefix(&ours.output, &theirs.output);
    assert!(
        same == n,
        "{source:?}: output differs from liblzma at byte {same} (ours {} bytes, {ours_class:?}; liblzma {} bytes, {:?})",
        ours.output.len(),
        theirs.output.len(),
        theirs.class
    );
    if ours_class == Class::Capped || theirs.class == Class::Capped {
        return;
    }
    assert_eq!(
        ours_class, theirs.class,
        "{source:?}: verdicts differ: ours {:?}, liblzma {:?}",
        ours.result, theirs.class
    );
    if ours_class == Class::Ok {
        assert_eq!(ours.output.len(), theirs.output.len(), "{source:?}: output length differs from liblzma");
    }
}

fn our_encode(spec: &EncodeSpec, plan: &mut ChunkPlan) -> Option<lzma_core::Result<Vec<u8>>> {
    let mut enc = match ours::encoder(spec)? {
        Ok(e) => e,
        Err(e) => return Some(Err(e)),
    };
    let out = drive::run(&mut enc, &spec.data, plan);
    assert!(!out.capped, "encoder output exceeds the cap");
    Some(out.result.map(|()| out.output))
}

/// Structure-aware round trip: our encoder, then our decoder (and liblzma's)
/// must give the data back.
pub fn roundtrip(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let Ok(seed) = u.bytes(4) else { return };
    let mut plan = ChunkPlan::from_seed(seed);
    let Ok(spec) = EncodeSpec::arbitrary_take_rest(u) else { return };
    let Some(encoded) = our_encode(&spec, &mut plan) else { return };
    let encoded = match encoded {
        Ok(e) => e,
        // Options ours rejects must be options liblzma rejects too.
        Err(e) => {
            assert!(reference::encode(&spec).is_err(), "our encoder rejects options liblzma accepts: {e:?} for {spec:?}");
            return;
        }
    };
    let Some(Ok(mut dec)) = ours::decoder_for(&spec) else { return };
    let back = drive::run(&mut dec, &encoded, &mut ChunkPlan::whole());
    assert!(back.result.is_ok(), "our decoder rejects our encoder's output: {:?} for {spec:?}", back.result);
    assert!(back.output == spec.data, "round trip changed the data ({} bytes in, {} out)", spec.data.len(), back.output.len());

    if spec.format != crate::spec::EncodeFormat::RawLzma2 {
        let format = if spec.format == crate::spec::EncodeFormat::Xz { Format::Xz } else { Format::Lzma };
        if let Ok(mut s) = reference::decoder(format, u64::MAX) {
            let theirs = reference::run_decoder(&mut s, &encoded);
            assert_eq!(theirs.class, Class::Ok, "liblzma rejects our encoder's output for {spec:?}");
            assert!(theirs.output == spec.data, "liblzma decodes our output to different data");
        }
    }
}

/// Differential encoding: our compressed bytes must equal liblzma's.
pub fn diff_encode(data: &[u8]) {
    let Ok(spec) = EncodeSpec::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let Some(ours) = our_encode(&spec, &mut ChunkPlan::whole()) else { return };
    let theirs = reference::encode(&spec);
    match (ours, theirs) {
        (Ok(a), Ok(b)) => {
            let at = verdict::common_prefix(&a, &b);
            assert!(
                a == b,
                "compressed bytes differ from liblzma at byte {at} (ours {} bytes, liblzma {}) for {spec:?}",
                a.len(),
                b.len()
            );
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!("encoders disagree on {spec:?}: ours {:?}, liblzma {:?}", a.map(|v| v.len()), b.map(|v| v.len())),
    }
}
