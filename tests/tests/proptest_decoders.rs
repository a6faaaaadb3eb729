//! Property tests: arbitrary and mutated input never panics or stalls any decoder (.xz,
//! .lzma, lzip, raw, auto), and a decoder's verdict does not depend on how its input and
//! output are cut into pieces.
#![forbid(unsafe_code)]

use lzma_core::alone::AloneDecoder;
use lzma_core::auto::AutoDecoder;
use lzma_core::lzip::LzipDecoder;
use lzma_core::raw::RawDecoder;
use lzma_core::xz::XzDecoder;
use lzma_core::{DecoderOptions, Filter, LzmaOptions};
use proptest::prelude::*;
use std::sync::OnceLock;
use xz_corpus::{Expect, Format, Vector};
use xz_tests::{class_of, drive, RunError, RunResult};

/// 64 MiB: enough for every corpus vector, small enough that random headers cannot make a
/// test allocate much.
const MEMLIMIT: u64 = 64 << 20;
const MAX_OUT: usize = 8 << 20;

fn opts() -> DecoderOptions {
    DecoderOptions::new().memlimit(MEMLIMIT)
}

fn run_format(format: Format, data: &[u8], i: usize, o: usize) -> RunResult {
    match format {
        Format::Xz => drive(&mut XzDecoder::new(opts()), data, i, o, MAX_OUT),
        Format::Lzma => drive(&mut AloneDecoder::new(&opts()), data, i, o, MAX_OUT),
        Format::Lzip => drive(&mut LzipDecoder::new(&opts()), data, i, o, MAX_OUT),
        Format::Auto => drive(&mut AutoDecoder::new(opts()), data, i, o, MAX_OUT),
    }
}

/// The verdict without the partial output: `Ok(output)` or the error class.
fn verdict(r: &RunResult) -> Result<Vec<u8>, String> {
    match r {
        Ok(v) => Ok(v.clone()),
        Err((RunError::Coder(e), _)) => Err(format!("{:?}", class_of(e))),
        Err((other, _)) => Err(format!("{other:?}")),
    }
}

/// No stall, no panic: a decoder either finishes, reports a typed error, or is still
/// producing output when the test's output cap is reached (mutated data may legitimately
/// decode to a lot; the verdict comparisons treat the cap like any other answer).
fn assert_sane(r: &RunResult, what: &str) -> Result<(), TestCaseError> {
    if let Err((e @ (RunError::Stalled { .. } | RunError::Panicked(_)), _)) = r {
        return Err(TestCaseError::fail(format!("{what}: {e:?}")));
    }
    Ok(())
}

fn corpus() -> &'static [Vector] {
    static C: OnceLock<Vec<Vector>> = OnceLock::new();
    C.get_or_init(|| {
        xz_corpus::all()
            .into_iter()
            .filter(|v| v.bytes.len() <= 20_000 && !matches!(v.expect, Expect::Error(xz_corpus::ErrorClass::MemLimit)))
            .collect()
    })
}

/// Bytes that start like one of the formats, so the decoders get past their magic checks.
fn prefixed_bytes() -> impl Strategy<Value = Vec<u8>> {
    let prefixes: Vec<Vec<u8>> = vec![
        vec![],
        b"\xFD7zXZ\x00\x00\x01\x69\x22\xDE\x36".to_vec(),
        b"\xFD7zXZ\x00\x00\x04\xE6\xD6\xB4\x46".to_vec(),
        b"LZIP\x01\x0C".to_vec(),
        b"LZIP\x00\x14".to_vec(),
        b"\x5D\x00\x00\x01\x00\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF".to_vec(),
        b"\x5D\x00\x00\x10\x00\x05\x00\x00\x00\x00\x00\x00\x00".to_vec(),
    ];
    (prop::sample::select(prefixes), prop::collection::vec(any::<u8>(), 0..2048))
        .prop_map(|(p, rest)| [p, rest].concat())
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(p, b)| Mutation::Flip(p, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, v)| Mutation::Set(p, v)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, v)| Mutation::Insert(p, v)),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(mut d: Vec<u8>, muts: &[Mutation]) -> Vec<u8> {
    for m in muts {
        let n = d.len();
        match *m {
            Mutation::Flip(p, b) if n > 0 => d[p % n] ^= 1 << b,
            Mutation::Set(p, v) if n > 0 => d[p % n] = v,
            Mutation::Insert(p, v) => d.insert(p % (n + 1), v),
            Mutation::Delete(p) if n > 0 => {
                d.remove(p % n);
            }
            Mutation::Truncate(p) => d.truncate(p % (n + 1)),
            _ => {}
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_input_never_panics(data in prefixed_bytes(), i in 1usize..300, o in 1usize..300) {
        for f in [Format::Xz, Format::Lzma, Format::Lzip, Format::Auto] {
            let r = run_format(f, &data, i, o);
            assert_sane(&r, &format!("{f:?}"))?;
        }
    }

    #[test]
    fn arbitrary_raw_input_never_panics(
        data in prop::collection::vec(any::<u8>(), 0..2048),
        props in 0u8..225,
        dict_bits in 12u32..24,
        lzma2 in any::<bool>(),
        delta in prop::option::of(1u32..=256),
    ) {
        let mut o = LzmaOptions::preset(0, false).expect("preset");
        o.dict_size = 1 << dict_bits;
        o.pb = u32::from(props) / 45;
        o.lp = (u32::from(props) % 45) / 9;
        o.lc = u32::from(props) % 9;
        let mut chain = Vec::new();
        if let Some(d) = delta {
            chain.push(Filter::Delta { distance: d });
        }
        chain.push(if lzma2 { Filter::Lzma2(o) } else { Filter::Lzma1(o) });
        // Invalid combinations (lc+lp > 4) must be refused with an error, not a panic.
        if let Ok(mut d) = RawDecoder::new(&chain, MEMLIMIT) {
            let r = drive(&mut d, &data, 97, 61, MAX_OUT);
            assert_sane(&r, "raw")?;
        }
    }

    #[test]
    fn mutated_vectors_never_panic_and_chunking_agrees(
        pick in any::<prop::sample::Index>(),
        muts in prop::collection::vec(mutation(), 1..4),
        i in 1usize..64,
        o in 1usize..64,
    ) {
        let v = pick.get(corpus());
        let data = apply(v.bytes.clone(), &muts);
        let whole = run_format(v.format, &data, usize::MAX, 1 << 22);
        assert_sane(&whole, &v.name)?;
        let pieces = run_format(v.format, &data, i, o);
        assert_sane(&pieces, &v.name)?;
        prop_assert_eq!(verdict(&whole), verdict(&pieces), "vector {} mutated {:?}", v.name, muts);
        if v.format != Format::Auto {
            let auto = run_format(Format::Auto, &data, usize::MAX, 1 << 22);
            assert_sane(&auto, &v.name)?;
        }
    }
}

/// Exhaustive companion of the property above: every byte of every small vector, flipped
/// in bits 0, 2, 5 and 7, gets the same verdict whole and fed one byte at a time into a
/// one-byte buffer.
#[test]
fn every_bit_flip_of_small_vectors_agrees_across_feedings() {
    let mut failures = Vec::new();
    let mut n = 0;
    for v in corpus().iter().filter(|v| v.bytes.len() <= 160) {
        for pos in 0..v.bytes.len() {
            for bit in [0, 2, 5, 7] {
                let mut d = v.bytes.clone();
                d[pos] ^= 1 << bit;
                n += 1;
                let whole = run_format(v.format, &d, usize::MAX, 1 << 22);
                let bytes = run_format(v.format, &d, 1, 1);
                let (a, b) = (verdict(&whole), verdict(&bytes));
                if a != b || assert_sane(&whole, "").is_err() || assert_sane(&bytes, "").is_err() {
                    failures.push(format!(
                        "{} ({:?}) flip byte {pos} bit {bit}: whole {:?}, byte at a time {:?}",
                        v.name,
                        v.format,
                        a.map(|o| o.len()),
                        b.map(|o| o.len())
                    ));
                }
            }
        }
    }
    eprintln!("{n} flipped files");
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}
