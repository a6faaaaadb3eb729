//! Differential tests of the raw LZMA1 and LZMA2 decoders against XZ Utils.
//!
//! Every input is generated here (text, pseudo-random bytes, runs, zeros, binary-like
//! records, sizes around the LZMA2 chunk limits), compressed by the reference `xz`
//! (`$XZ_REFERENCE`, else `xz` on `PATH`; without it the tests print that they are skipped
//! and pass), and decoded by ours in one piece and in odd chunk sizes. Damaged copies
//! (truncated, bit-flipped) must fail with the same class of error as the reference, or,
//! where the damage still decodes, give the reference's output.
#![forbid(unsafe_code)]

mod common;

use common::{need_reference, ref_compress, ref_message, run, Rng};
use lzma_core::lzma::decoder::LzmaDecoder;
use lzma_core::lzma::LzmaProps;
use lzma_core::lzma2::decoder::Lzma2Decoder;
use lzma_core::{Action, Coder, Error, Status};
use proptest::prelude::*;
use std::path::Path;

// ---------------------------------------------------------------- reference tool

/// Compresses with the reference, single-threaded, with `format_args`.
fn compress(xz: &Path, format_args: &[&str], data: &[u8]) -> Vec<u8> {
    let mut args = vec!["-T1"];
    args.extend_from_slice(format_args);
    ref_compress(xz, &args, data)
}

/// The verdict class of a decoding attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Ok,
    Truncated,
    Corrupt,
    /// Our decoder ended before the input did (the reference's raw mode may treat the rest
    /// differently, so these are not compared).
    EarlyEnd,
    Other,
}

fn reference_verdict(xz: &Path, filter_args: &[&str], data: &[u8]) -> (Verdict, Vec<u8>) {
    let mut args = vec!["-dc", "--format=raw"];
    args.extend_from_slice(filter_args);
    let (code, out, err) = run(xz, &args, data);
    let v = match (code, ref_message(&err)) {
        (0, _) => Verdict::Ok,
        (_, Some("Unexpected end of input")) => Verdict::Truncated,
        (_, Some("Compressed data is corrupt")) => Verdict::Corrupt,
        _ => Verdict::Other,
    };
    (v, out)
}

// ---------------------------------------------------------------- inputs

fn text(len: usize, seed: u64) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "the",
        "decoder",
        "range",
        "literal",
        "match",
        "distance",
        "dictionary",
        "chunk",
        "of",
        "and",
        "to",
        "in",
        "stream",
        "byte",
        "xz",
        "lzma",
        "state",
        "probability",
        "is",
        "a",
    ];
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(len + 16);
    while v.len() < len {
        v.extend_from_slice(WORDS[r.below(WORDS.len() as u64) as usize].as_bytes());
        v.push(if r.below(12) == 0 { b'\n' } else { b' ' });
    }
    v.truncate(len);
    v
}

fn random(len: usize, seed: u64) -> Vec<u8> {
    Rng::new(seed).bytes(len)
}

fn runs(len: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(len);
    while v.len() < len {
        let b = r.next() as u8;
        let n = 1 + r.below(300) as usize;
        v.extend(std::iter::repeat(b).take(n));
    }
    v.truncate(len);
    v
}

/// Records of little-endian integers with small deltas and repeated opcodes, roughly like
/// machine code and tables in a binary.
fn binary_like(len: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(len + 16);
    let mut addr = 0x40_1000u32;
    while v.len() < len {
        match r.below(4) {
            0 => v.extend_from_slice(&[0x48, 0x89, 0xE5]),
            1 => {
                v.push(0xE8);
                v.extend_from_slice(&(addr.wrapping_sub(r.below(4096) as u32)).to_le_bytes());
            }
            2 => v.extend_from_slice(&(r.below(256) as u32).to_le_bytes()),
            _ => v.extend_from_slice(&(addr as u64).to_le_bytes()),
        }
        addr = addr.wrapping_add(r.below(64) as u32);
    }
    v.truncate(len);
    v
}

/// Text, then incompressible bytes, then text: LZMA chunks, stored chunks, state resets.
fn mixed(len: usize, seed: u64) -> Vec<u8> {
    let mut v = text(len / 3, seed);
    v.extend(random(len / 3, seed + 1));
    v.extend(text(len - 2 * (len / 3), seed + 2));
    v
}

fn corpus() -> Vec<(String, Vec<u8>)> {
    vec![
        ("empty".into(), Vec::new()),
        ("one byte".into(), vec![b'x']),
        ("text 10k".into(), text(10_000, 1)),
        ("random 65535".into(), random(65_535, 2)),
        ("random 65536".into(), random(65_536, 3)),
        ("random 65537".into(), random(65_537, 4)),
        ("runs 100k".into(), runs(100_000, 5)),
        ("zeros 70k".into(), vec![0; 70_000]),
        ("binary 200k".into(), binary_like(200_000, 6)),
        ("mixed 300k".into(), mixed(300_000, 7)),
    ]
}

// ---------------------------------------------------------------- decoding helpers

/// Output and bytes consumed, or the error and the output before it.
type Decoded = Result<(Vec<u8>, usize), (Error, Vec<u8>)>;

/// Decodes `input` feeding at most `in_chunk` bytes and offering `out_chunk` bytes of room
/// per call. Returns the output and the bytes consumed, or the error.
fn decode_chunked<C: Coder>(
    dec: &mut C,
    input: &[u8],
    in_chunk: usize,
    out_chunk: usize,
) -> Decoded {
    let mut out = Vec::new();
    let mut buf = vec![0u8; out_chunk];
    let mut ip = 0usize;
    let mut stalls = 0;
    loop {
        let end = ip.saturating_add(in_chunk).min(input.len());
        let action = if end == input.len() {
            Action::Finish
        } else {
            Action::Run
        };
        let p = match dec.code(&input[ip..end], &mut buf, action) {
            Ok(p) => p,
            Err(e) => return Err((e, out)),
        };
        ip += p.consumed;
        out.extend_from_slice(&buf[..p.produced]);
        if p.status == Status::StreamEnd {
            return Ok((out, ip));
        }
        if p.consumed == 0 && p.produced == 0 {
            stalls += 1;
            assert!(
                stalls < 3,
                "decoder made no progress at input {ip} of {}",
                input.len()
            );
        } else {
            stalls = 0;
        }
    }
}

fn verdict_of(r: &Decoded, len: usize) -> Verdict {
    match r {
        Ok((_, used)) if *used == len => Verdict::Ok,
        Ok(_) => Verdict::EarlyEnd,
        Err((Error::Truncated, _)) => Verdict::Truncated,
        Err((Error::Corrupt(_), _)) => Verdict::Corrupt,
        Err(_) => Verdict::Other,
    }
}

/// Parses the LZMA2 `dict=` the reference used for the `--lzma2=` options string.
fn lzma2_dict(opts: &str) -> u32 {
    let mut dict = 8 << 20;
    for part in opts.split(',') {
        if let Some(p) = part.strip_prefix("preset=") {
            let level: u32 = p.trim_end_matches('e').parse().expect("preset level");
            dict = lzma_core::LzmaOptions::preset(level, false)
                .expect("preset")
                .dict_size;
        }
        if let Some(d) = part.strip_prefix("dict=") {
            dict = d.parse().expect("dict");
        }
    }
    dict
}

fn props_of(opts: &str) -> LzmaProps {
    let mut p = LzmaProps {
        lc: 3,
        lp: 0,
        pb: 2,
    };
    for part in opts.split(',') {
        let mut kv = part.splitn(2, '=');
        let (k, v) = (kv.next().unwrap_or(""), kv.next().unwrap_or(""));
        match k {
            "lc" => p.lc = v.parse().expect("lc"),
            "lp" => p.lp = v.parse().expect("lp"),
            "pb" => p.pb = v.parse().expect("pb"),
            _ => {}
        }
    }
    p
}

const CHUNKINGS: &[(usize, usize)] = &[
    (usize::MAX, 1 << 20),
    (1, 1),
    (7, 13),
    (4093, 65_536),
    (65_536, 1 << 20),
];

fn check_lzma2_roundtrip(
    xz: &Path,
    opts: &str,
    name: &str,
    data: &[u8],
    chunkings: &[(usize, usize)],
) -> Vec<u8> {
    let comp = compress(xz, &["--format=raw", &format!("--lzma2={opts}")], data);
    let dict = lzma2_dict(opts);
    for &(ic, oc) in chunkings {
        let mut dec = Lzma2Decoder::new(dict).expect("decoder");
        let r = decode_chunked(&mut dec, &comp, ic, oc);
        match r {
            Ok((out, used)) => {
                assert_eq!(used, comp.len(), "{name} {opts} ({ic},{oc}): consumed");
                assert!(out == data, "{name} {opts} ({ic},{oc}): output differs");
            }
            Err((e, _)) => panic!("{name} {opts} ({ic},{oc}): {e:?}"),
        }
    }
    comp
}

// ---------------------------------------------------------------- tests

#[test]
fn lzma2_presets_match_reference() {
    let Some(xz) = need_reference() else { return };
    let data = mixed(150_000, 11);
    for level in 0..=9 {
        for extreme in ["", "e"] {
            let opts = format!("preset={level}{extreme}");
            check_lzma2_roundtrip(
                &xz,
                &opts,
                "mixed",
                &data,
                &[(usize::MAX, 1 << 20), (7, 13)],
            );
        }
    }
}

#[test]
fn lzma2_corpus_in_odd_chunks() {
    let Some(xz) = need_reference() else { return };
    for (name, data) in corpus() {
        let chunkings: &[(usize, usize)] = if data.len() <= 70_000 {
            CHUNKINGS
        } else {
            &CHUNKINGS[2..]
        };
        check_lzma2_roundtrip(&xz, "preset=6", &name, &data, chunkings);
        check_lzma2_roundtrip(&xz, "preset=0", &name, &data, &[(usize::MAX, 1 << 20)]);
    }
}

#[test]
fn lzma2_chunk_limits() {
    let Some(xz) = need_reference() else { return };
    // Around the 2 MiB uncompressed limit of an LZMA chunk and a dictionary smaller than the
    // data (the dictionary wraps many times).
    let big = text((2 << 20) + 1000, 21);
    check_lzma2_roundtrip(
        &xz,
        "preset=1",
        "text 2M+",
        &big,
        &[(usize::MAX, 1 << 20), (65_536, 12_345)],
    );
    let zeros = vec![0u8; (2 << 20) + 17];
    check_lzma2_roundtrip(
        &xz,
        "preset=0",
        "zeros 2M+",
        &zeros,
        &[(usize::MAX, 1 << 20)],
    );
    let data = mixed(400_000, 22);
    for opts in [
        "preset=6,dict=4096",
        "preset=2,dict=5000",
        "preset=6,dict=65537",
    ] {
        check_lzma2_roundtrip(
            &xz,
            opts,
            "mixed small dict",
            &data,
            &[(usize::MAX, 1 << 20), (333, 4097)],
        );
    }
}

#[test]
fn lzma2_lc_lp_pb_variants() {
    let Some(xz) = need_reference() else { return };
    let data = binary_like(120_000, 31);
    for opts in [
        "preset=6,lc=0,lp=0,pb=0",
        "preset=6,lc=4,lp=0,pb=4",
        "preset=6,lc=0,lp=4,pb=0",
        "preset=6,lc=1,lp=3,pb=1",
        "preset=6,lc=2,lp=2,pb=3",
        "preset=3,lc=3,lp=1,pb=2",
    ] {
        check_lzma2_roundtrip(&xz, opts, "binary", &data, &[(usize::MAX, 1 << 20), (5, 7)]);
    }
}

#[test]
fn lzma1_raw_and_alone_match_reference() {
    let Some(xz) = need_reference() else { return };
    for (name, data) in corpus()
        .into_iter()
        .chain([("text 600k".to_string(), text(600_000, 41))])
    {
        for opts in [
            "preset=6",
            "preset=0,lc=0,lp=2,pb=0",
            "preset=6,lc=4,lp=0,pb=4,dict=4096",
        ] {
            let comp = compress(&xz, &["--format=raw", &format!("--lzma1={opts}")], &data);
            let props = props_of(opts);
            let dict = lzma2_dict(opts);
            for &(ic, oc) in &CHUNKINGS[..if data.len() <= 70_000 { 5 } else { 1 }] {
                let mut dec = LzmaDecoder::new(props, dict, None, true).expect("decoder");
                let (out, used) = decode_chunked(&mut dec, &comp, ic, oc)
                    .unwrap_or_else(|e| panic!("{name} {opts}: {:?}", e.0));
                assert_eq!(used, comp.len(), "{name} {opts}: consumed");
                assert!(out == data, "{name} {opts} ({ic},{oc}): output differs");
            }
            // Known size: the end marker right at the size is accepted only when allowed.
            let n = data.len() as u64;
            let known = |size: u64, eopm: bool| {
                let mut dec = LzmaDecoder::new(props, dict, Some(size), eopm).expect("decoder");
                decode_chunked(&mut dec, &comp, usize::MAX, 1 << 20)
            };
            let (out, used) = known(n, true).expect("known size with end marker");
            assert!(
                out == data && used == comp.len(),
                "{name} {opts}: known size"
            );
            assert!(
                matches!(known(n, false), Err((Error::Corrupt(_), _))),
                "{name} {opts}: EOPM not allowed"
            );
            if n > 0 {
                assert!(
                    matches!(known(n - 1, true), Err((Error::Corrupt(_), _))),
                    "{name}: size too small"
                );
            }
            assert!(
                matches!(known(n + 1, true), Err((Error::Corrupt(_), _))),
                "{name}: size too big"
            );
        }
        // .lzma: 13-byte header (props, dict u32 LE, size u64 LE = unknown), end marker.
        let alone = compress(&xz, &["--format=lzma", "-6"], &data);
        let props = LzmaProps::from_byte(alone[0]).expect("props");
        let dict = u32::from_le_bytes(alone[1..5].try_into().expect("4 bytes"));
        assert_eq!(&alone[5..13], &[0xFF; 8]);
        let mut dec = LzmaDecoder::new(props, dict, None, true).expect("decoder");
        let (out, used) = decode_chunked(&mut dec, &alone[13..], 1000, 999).expect(".lzma");
        assert!(out == data && used == alone.len() - 13, "{name}: .lzma");
    }
}

/// Truncations and bit flips: our verdict class equals the reference's, and where both
/// decode successfully the outputs are equal.
#[test]
fn damaged_streams_match_reference_verdicts() {
    let Some(xz) = need_reference() else { return };
    let data = mixed(60_000, 51);
    let mut r = Rng::new(0x5EED);
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for (kind, opts) in [
        ("lzma2", "preset=6"),
        ("lzma2", "preset=0,dict=4096"),
        ("lzma1", "preset=6"),
    ] {
        let filter = format!("--{kind}={opts}");
        let comp = compress(&xz, &["--format=raw", &filter], &data);
        let props = props_of(opts);
        let dict = lzma2_dict(opts);
        let ours = |input: &[u8], ic: usize| {
            if kind == "lzma2" {
                decode_chunked(
                    &mut Lzma2Decoder::new(dict).expect("decoder"),
                    input,
                    ic,
                    4096,
                )
            } else {
                decode_chunked(
                    &mut LzmaDecoder::new(props, dict, None, true).expect("decoder"),
                    input,
                    ic,
                    4096,
                )
            }
        };
        let mut cases: Vec<Vec<u8>> = Vec::new();
        for cut in [
            0,
            1,
            5,
            6,
            7,
            comp.len() / 2,
            comp.len() - 2,
            comp.len() - 1,
        ] {
            cases.push(comp[..cut.min(comp.len())].to_vec());
        }
        for _ in 0..24 {
            let mut c = comp.clone();
            let i = r.below(c.len() as u64) as usize;
            c[i] ^= 1 << r.below(8);
            cases.push(c);
        }
        // Headers of the first chunk, where most of the LZMA2 verdicts are decided.
        for i in 0..8.min(comp.len()) {
            let mut c = comp.clone();
            c[i] ^= 0x80 >> (i % 8);
            cases.push(c);
        }
        for case in cases {
            let whole = ours(&case, usize::MAX);
            let bytewise = ours(&case, 3);
            let v = verdict_of(&whole, case.len());
            assert_eq!(
                v,
                verdict_of(&bytewise, case.len()),
                "chunking changed the verdict"
            );
            if let (Ok((a, _)), Ok((b, _))) = (&whole, &bytewise) {
                assert!(a == b, "chunking changed the output");
            }
            if v == Verdict::EarlyEnd {
                continue;
            }
            let (rv, rout) = reference_verdict(&xz, &["-T1", &filter], &case);
            compared += 1;
            if rv != v {
                mismatches.push(format!(
                    "{kind} {opts} len {}: ours {v:?}, reference {rv:?}",
                    case.len()
                ));
            } else if let Ok((out, _)) = &whole {
                assert!(
                    *out == rout,
                    "{kind} {opts}: damaged stream decoded differently"
                );
            }
        }
    }
    eprintln!("compared {compared} damaged streams with the reference");
    assert!(compared > 50, "too few comparisons ({compared})");
    assert!(
        mismatches.is_empty(),
        "verdicts differ:\n{}",
        mismatches.join("\n")
    );
}

// ---------------------------------------------------------------- robustness

fn run_to_end<C: Coder>(dec: &mut C, input: &[u8], ic: usize, oc: usize) {
    // Bounded: every call consumes or produces, and output is capped by the decoder's
    // chunk sizes; a cap on calls catches hangs.
    let mut buf = vec![0u8; oc];
    let mut ip = 0usize;
    for _ in 0..1_000_000 {
        let end = ip.saturating_add(ic).min(input.len());
        let action = if end == input.len() {
            Action::Finish
        } else {
            Action::Run
        };
        match dec.code(&input[ip..end], &mut buf, action) {
            Ok(p) => {
                ip += p.consumed;
                if p.status == Status::StreamEnd || (p.consumed == 0 && p.produced == 0) {
                    return;
                }
            }
            Err(_) => return,
        }
    }
    panic!("decoder did not terminate");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(
        input in proptest::collection::vec(any::<u8>(), 0..2000),
        ic in 1usize..64,
        oc in 1usize..5000,
        props in 0u8..225,
        dict in 0u32..100_000,
    ) {
        run_to_end(&mut Lzma2Decoder::new(dict).unwrap(), &input, ic, oc);
        // Streams that start like valid LZMA2 (dictionary reset + LZMA chunk with props)
        // reach deeper into the LZMA decoder.
        let mut l2 = vec![0xE0, 0x1F, 0xFF, (input.len() >> 8) as u8, input.len() as u8, 0x5D, 0];
        l2.extend_from_slice(&input);
        run_to_end(&mut Lzma2Decoder::new(dict).unwrap(), &l2, ic, oc);
        let p = LzmaProps::from_byte(props).unwrap();
        let mut l1 = vec![0];
        l1.extend_from_slice(&input);
        run_to_end(&mut LzmaDecoder::new(p, dict, None, true).unwrap(), &l1, ic, oc);
        run_to_end(&mut LzmaDecoder::new(p, dict, Some(input.len() as u64 * 3), false).unwrap(), &l1, ic, oc);
    }
}
