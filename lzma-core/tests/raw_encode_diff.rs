//! Differential tests of the LZMA1 and LZMA2 encoders against XZ Utils.
//!
//! Every input is generated here from a short description (seeded pseudo-random text,
//! binary, runs, machine-code-like bytes, mixtures). Each is encoded by our encoder and by
//! `$XZ_REFERENCE` (else `xz` from `PATH`) with the same options, and the outputs must be
//! byte-identical:
//! - LZMA2: `xz --format=raw --lzma2=<opts> -T1 -c`;
//! - LZMA1: `xz --format=raw --lzma1=<opts> -c` and the payload of `xz --format=lzma
//!   --lzma1=<opts> -c` (after its 13-byte header).
//!
//! Without a reference the tests print that they are skipped and pass.
#![forbid(unsafe_code)]

mod common;

use std::path::Path;

use common::{need_reference, ref_compress, Rng};
use lzma_core::lzma::encoder::LzmaEncoder;
use lzma_core::lzma2::encoder::Lzma2Encoder;
use lzma_core::{Action, Coder, LzmaOptions, MatchFinder, Mode, Status};

// ---------------------------------------------------------------------------------------
// Inputs

/// The generator of this file's inputs: the shared one, its seed spread by a golden-ratio
/// multiplication.
fn seeded(seed: u64) -> Rng {
    Rng::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// English-like text: words from a small vocabulary with a skewed choice, punctuation and
/// line breaks.
fn text(seed: u64, len: usize) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "that",
        "for",
        "it",
        "as",
        "with",
        "was",
        "on",
        "be",
        "by",
        "this",
        "are",
        "or",
        "from",
        "compression",
        "dictionary",
        "match",
        "range",
        "encoder",
        "literal",
        "distance",
        "length",
        "python",
        "license",
        "software",
        "window",
        "probability",
        "version",
        "foundation",
        "stream",
        "block",
        "filter",
        "chunk",
    ];
    let mut rng = seeded(seed);
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        // Square the uniform draw to favour the first words.
        let r = rng.below(WORDS.len() as u64);
        let i = (r * r / WORDS.len() as u64) as usize;
        out.extend_from_slice(WORDS[i].as_bytes());
        match rng.below(20) {
            0 => out.extend_from_slice(b".\n"),
            1 => out.extend_from_slice(b", "),
            2 => out.extend_from_slice(format!(" {} ", rng.below(2000)).as_bytes()),
            _ => out.push(b' '),
        }
    }
    out.truncate(len);
    out
}

/// Runs of repeated bytes and zeros with random lengths, some very long.
fn runs(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = seeded(seed);
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let byte = if rng.below(3) == 0 {
            0
        } else {
            rng.next() as u8
        };
        let n = match rng.below(4) {
            0 => 1 + rng.below(4),
            1 => 1 + rng.below(40),
            2 => 1 + rng.below(400),
            _ => 1 + rng.below(5000),
        } as usize;
        out.extend(std::iter::repeat(byte).take(n));
    }
    out.truncate(len);
    out
}

/// Bytes that look like x86 code: a few frequent opcodes, calls and jumps with 32-bit
/// little-endian displacements to a limited set of targets, and small immediates.
fn machine_code(seed: u64, len: usize) -> Vec<u8> {
    let mut rng = seeded(seed);
    let targets: Vec<u32> = (0..64).map(|_| rng.next() as u32 & 0x000F_FFF0).collect();
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        match rng.below(10) {
            0 | 1 => {
                out.push(0xE8);
                let t = targets[rng.below(targets.len() as u64) as usize];
                out.extend_from_slice(&t.wrapping_sub(out.len() as u32).to_le_bytes());
            }
            2 => out.extend_from_slice(&[0x48, 0x89, 0xC7 + rng.below(8) as u8]),
            3 => out.extend_from_slice(&[0x48, 0x8B, 0x45, (rng.below(32) * 8) as u8]),
            4 => out.extend_from_slice(&[0x55, 0x48, 0x89, 0xE5]),
            5 => out.extend_from_slice(&[0xC3, 0x90, 0x90, 0x90]),
            6 => {
                out.push(0x0F);
                out.push(0x84);
                out.extend_from_slice(&(rng.below(4096) as u32).to_le_bytes());
            }
            7 => out.extend_from_slice(&[0x83, 0xC0 + rng.below(8) as u8, rng.below(128) as u8]),
            _ => out.push(rng.next() as u8),
        }
    }
    out.truncate(len);
    out
}

/// Alternating compressible and incompressible pieces of `piece` bytes.
fn mixed(seed: u64, len: usize, piece: usize) -> Vec<u8> {
    let mut rng = seeded(seed);
    let mut out = Vec::with_capacity(len);
    let mut k = 0;
    while out.len() < len {
        if k % 2 == 0 {
            out.extend_from_slice(&text(seed + k, piece));
        } else {
            out.extend_from_slice(&rng.bytes(piece));
        }
        k += 1;
    }
    out.truncate(len);
    out
}

/// Named inputs for the preset sweep (small enough for all twenty presets).
fn sweep_inputs() -> Vec<(String, Vec<u8>)> {
    let mut rng = seeded(7);
    vec![
        ("empty".into(), Vec::new()),
        ("one byte".into(), vec![0x41]),
        ("two bytes".into(), vec![0, 0]),
        ("tiny".into(), b"abcabcabcabd abcabcabc".to_vec()),
        ("text 120k".into(), text(1, 120_000)),
        ("random 90k".into(), rng.bytes(90_000)),
        ("runs 150k".into(), runs(2, 150_000)),
        ("zeros 70k".into(), vec![0; 70_000]),
        ("machine code 100k".into(), machine_code(3, 100_000)),
        ("mixed 160k".into(), mixed(4, 160_000, 20_000)),
    ]
}

// ---------------------------------------------------------------------------------------
// Running both encoders

/// Encodes `input` with `coder`, feeding `in_step` bytes and offering `out_step` bytes of
/// output room per call.
fn run_ours(coder: &mut dyn Coder, input: &[u8], in_step: usize, out_step: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; out_step];
    let mut pos = 0;
    loop {
        let end = (pos + in_step).min(input.len());
        let action = if end == input.len() {
            Action::Finish
        } else {
            Action::Run
        };
        let p = coder
            .code(&input[pos..end], &mut buf, action)
            .expect("encode");
        pos += p.consumed;
        out.extend_from_slice(&buf[..p.produced]);
        if p.status == Status::StreamEnd {
            assert_eq!(
                pos,
                input.len(),
                "stream ended before all input was consumed"
            );
            return out;
        }
        assert!(
            p.consumed > 0 || p.produced > 0 || action == Action::Run,
            "no progress with Finish"
        );
    }
}

/// Describes the first difference, or `None` if equal.
fn first_difference(ours: &[u8], theirs: &[u8]) -> Option<String> {
    if ours == theirs {
        return None;
    }
    let at = ours
        .iter()
        .zip(theirs)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(theirs.len()));
    Some(format!(
        "first difference at offset {at} (ours {} bytes, xz {} bytes; ours {:02x?}, xz {:02x?})",
        ours.len(),
        theirs.len(),
        ours.get(at..(at + 8).min(ours.len())).unwrap_or(&[]),
        theirs.get(at..(at + 8).min(theirs.len())).unwrap_or(&[]),
    ))
}

/// Options as `xz --lzma2=` spells them, applied to preset `base`.
fn options(spec: &str) -> LzmaOptions {
    let mut o = LzmaOptions::preset(6, false).expect("preset");
    for kv in spec.split(',') {
        let (k, v) = kv.split_once('=').expect("key=value");
        let num = || v.parse::<u32>().expect("number");
        match k {
            "preset" => {
                let extreme = v.ends_with('e');
                o = LzmaOptions::preset(v.trim_end_matches('e').parse().expect("level"), extreme)
                    .expect("preset");
            }
            "dict" => o.dict_size = num(),
            "lc" => o.lc = num(),
            "lp" => o.lp = num(),
            "pb" => o.pb = num(),
            "nice" => o.nice_len = num(),
            "depth" => o.depth = num(),
            "mode" => {
                o.mode = if v == "fast" {
                    Mode::Fast
                } else {
                    Mode::Normal
                }
            }
            "mf" => {
                o.mf = match v {
                    "hc3" => MatchFinder::Hc3,
                    "hc4" => MatchFinder::Hc4,
                    "bt2" => MatchFinder::Bt2,
                    "bt3" => MatchFinder::Bt3,
                    _ => MatchFinder::Bt4,
                }
            }
            _ => panic!("unknown option {k}"),
        }
    }
    o
}

/// Compares raw LZMA2 for `spec` on `input`; returns a failure message.
fn check_lzma2(
    xz: &Path,
    name: &str,
    spec: &str,
    input: &[u8],
    steps: (usize, usize),
) -> Option<String> {
    let theirs = ref_compress(
        xz,
        &["--format=raw", &format!("--lzma2={spec}"), "-T1"],
        input,
    );
    let mut enc = Lzma2Encoder::new(&options(spec)).expect("options");
    let ours = run_ours(&mut enc, input, steps.0, steps.1);
    first_difference(&ours, &theirs).map(|d| format!("LZMA2 {spec} on {name}: {d}"))
}

/// Compares raw LZMA1 and the .lzma payload for `spec` on `input`.
fn check_lzma1(
    xz: &Path,
    name: &str,
    spec: &str,
    input: &[u8],
    steps: (usize, usize),
) -> Vec<String> {
    let mut fails = Vec::new();
    let mut enc = LzmaEncoder::new(&options(spec)).expect("options");
    let ours = run_ours(&mut enc, input, steps.0, steps.1);
    let raw = ref_compress(xz, &["--format=raw", &format!("--lzma1={spec}")], input);
    if let Some(d) = first_difference(&ours, &raw) {
        fails.push(format!("raw LZMA1 {spec} on {name}: {d}"));
    }
    let alone = ref_compress(xz, &["--format=lzma", &format!("--lzma1={spec}")], input);
    let o = options(spec);
    let mut header = vec![o.props().to_byte()];
    header.extend_from_slice(&o.dict_size.to_le_bytes());
    header.extend_from_slice(&[0xFF; 8]);
    if alone.get(..13) != Some(&header[..]) {
        fails.push(format!(
            ".lzma header for {spec} on {name}: {:02x?}",
            alone.get(..13)
        ));
    } else if let Some(d) = first_difference(&ours, &alone[13..]) {
        fails.push(format!(".lzma payload {spec} on {name}: {d}"));
    }
    fails
}

fn report(fails: Vec<String>) {
    assert!(
        fails.is_empty(),
        "{} mismatches:\n{}",
        fails.len(),
        fails.join("\n")
    );
}

const ONE_SHOT: (usize, usize) = (usize::MAX, 1 << 20);

// ---------------------------------------------------------------------------------------
// Tests

#[test]
fn lzma2_presets_0_to_9() {
    let Some(xz) = need_reference() else { return };
    let mut fails = Vec::new();
    for (name, input) in sweep_inputs() {
        for level in 0..=9 {
            fails.extend(check_lzma2(
                &xz,
                &name,
                &format!("preset={level}"),
                &input,
                ONE_SHOT,
            ));
        }
    }
    report(fails);
}

#[test]
fn lzma2_presets_extreme() {
    let Some(xz) = need_reference() else { return };
    let mut fails = Vec::new();
    for (name, input) in sweep_inputs() {
        for level in 0..=9 {
            fails.extend(check_lzma2(
                &xz,
                &name,
                &format!("preset={level}e"),
                &input,
                ONE_SHOT,
            ));
        }
    }
    report(fails);
}

#[test]
fn lzma2_option_sets() {
    let Some(xz) = need_reference() else { return };
    let specs = [
        "preset=6,lc=0",
        "preset=6,lc=1",
        "preset=6,lc=2",
        "preset=6,lc=4",
        "preset=6,lc=0,lp=4",
        "preset=6,lc=1,lp=3",
        "preset=6,lc=2,lp=2,pb=0",
        "preset=1,lc=4,pb=4",
        "preset=6,pb=0",
        "preset=6,pb=1",
        "preset=6,pb=4",
        "preset=6,lp=1,pb=1",
        "preset=6,nice=2",
        "preset=6,nice=8",
        "preset=6,nice=273",
        "preset=6,mf=hc3",
        "preset=6,mf=hc4",
        "preset=6,mf=bt2",
        "preset=6,mf=bt3",
        "preset=6,mf=bt2,nice=2",
        "preset=1,mf=hc3,nice=3",
        "preset=1,mf=bt2",
        "preset=1,mf=bt3",
        "preset=1,mf=bt4",
        "preset=2,mode=normal",
        "preset=6,mode=fast",
        "preset=6,mode=fast,mf=hc4,nice=273",
        "preset=6,depth=1",
        "preset=6,depth=4",
        "preset=6,depth=1000",
        "preset=0,depth=1",
        "preset=6,dict=4096",
        "preset=0,dict=4096",
        "preset=6,dict=65536",
        "preset=6,dict=100000",
        "preset=3,dict=12345",
    ];
    let inputs = [
        ("text 60k", text(11, 60_000)),
        ("machine code 60k", machine_code(12, 60_000)),
        ("mixed 80k", mixed(13, 80_000, 10_000)),
    ];
    let mut fails = Vec::new();
    for spec in specs {
        for (name, input) in &inputs {
            fails.extend(check_lzma2(&xz, name, spec, input, ONE_SHOT));
        }
    }
    report(fails);
}

#[test]
fn lzma1_raw_and_alone() {
    let Some(xz) = need_reference() else { return };
    let specs = [
        "preset=0",
        "preset=1",
        "preset=3",
        "preset=4",
        "preset=6",
        "preset=9",
        "preset=3e",
        "preset=9e",
        "preset=6,lc=0,lp=2,pb=0",
        "preset=1,mf=bt2",
        "preset=6,mf=hc4",
    ];
    let mut fails = Vec::new();
    for (name, input) in sweep_inputs() {
        for spec in specs {
            fails.extend(check_lzma1(&xz, &name, spec, &input, ONE_SHOT));
        }
    }
    report(fails);
}

/// The output does not depend on how input and output are split across calls.
#[test]
fn chunked_calls_match() {
    let Some(xz) = need_reference() else { return };
    let input = mixed(21, 300_000, 30_000);
    let mut fails = Vec::new();
    for steps in [(1, 1), (1000, 7), (4097, 65536), (70_000, 100)] {
        // Single-byte steps are slow; use a short prefix for them.
        let input = if steps.0 == 1 {
            &input[..20_000]
        } else {
            &input[..]
        };
        for spec in ["preset=0", "preset=6"] {
            fails.extend(check_lzma2(&xz, "mixed", spec, input, steps));
            fails.extend(check_lzma1(&xz, "mixed", spec, input, steps));
        }
    }
    report(fails);
}

/// Inputs at the LZMA2 limits: chunks ending at 64 KiB of compressed data, at 2 MiB of
/// uncompressed data, and incompressible data stored as uncompressed chunks.
#[test]
fn lzma2_chunk_limits() {
    let Some(xz) = need_reference() else { return };
    let mut rng = seeded(31);
    // Very compressible: chunks end at 2 MiB of input.
    let mut big_runs = runs(32, 2 << 20);
    big_runs.extend(text(33, 1 << 20));
    big_runs.extend(vec![0u8; (2 << 20) + 12345]);
    // Compressible text: chunks end near 64 KiB of output.
    let text_big = text(34, 1_500_000);
    // Incompressible, with sizes around the 64 KiB chunk.
    let random_sizes: Vec<Vec<u8>> = [65_535, 65_536, 65_537, 200_000]
        .iter()
        .map(|&n| rng.bytes(n))
        .collect();
    let mixed_big = mixed(35, 1_200_000, 70_000);
    let mut fails = Vec::new();
    for spec in ["preset=0", "preset=3", "preset=6", "preset=9"] {
        fails.extend(check_lzma2(
            &xz,
            "runs+text+zeros 5 MiB",
            spec,
            &big_runs,
            ONE_SHOT,
        ));
        fails.extend(check_lzma2(&xz, "text 1.5 MB", spec, &text_big, ONE_SHOT));
        fails.extend(check_lzma2(&xz, "mixed 1.2 MB", spec, &mixed_big, ONE_SHOT));
    }
    for spec in ["preset=0", "preset=6", "preset=9e"] {
        for r in &random_sizes {
            fails.extend(check_lzma2(
                &xz,
                &format!("random {}", r.len()),
                spec,
                r,
                ONE_SHOT,
            ));
        }
    }
    fails.extend(check_lzma2(
        &xz,
        "runs+text+zeros 5 MiB",
        "preset=9e",
        &big_runs[..3 << 20],
        ONE_SHOT,
    ));
    report(fails);
}

// ---------------------------------------------------------------------------------------
// Round trips through the decoders, flushes, bad options and arbitrary inputs (no reference
// needed)

use lzma_core::lzma::decoder::LzmaDecoder;
use lzma_core::lzma2::decoder::Lzma2Decoder;
use lzma_core::Error;

/// Decodes a whole stream with `dec`.
fn decode_all(dec: &mut dyn Coder, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut pos = 0;
    loop {
        let p = dec
            .code(&data[pos..], &mut buf, Action::Finish)
            .expect("decode");
        pos += p.consumed;
        out.extend_from_slice(&buf[..p.produced]);
        if p.status == Status::StreamEnd {
            assert_eq!(pos, data.len(), "bytes after the end of the stream");
            return out;
        }
        assert!(p.consumed > 0 || p.produced > 0, "decoder made no progress");
    }
}

/// Encodes `input` with LZMA2, flushing with `flush` after each piece of `pieces`.
fn encode_with_flushes(
    opts: &LzmaOptions,
    pieces: &[&[u8]],
    flush: Action,
    out_step: usize,
) -> Vec<u8> {
    let mut enc = Lzma2Encoder::new(opts).expect("options");
    let mut out = Vec::new();
    let mut buf = vec![0u8; out_step];
    for (k, piece) in pieces.iter().enumerate() {
        let action = if k + 1 == pieces.len() {
            Action::Finish
        } else {
            flush
        };
        let mut pos = 0;
        loop {
            let p = enc.code(&piece[pos..], &mut buf, action).expect("encode");
            pos += p.consumed;
            out.extend_from_slice(&buf[..p.produced]);
            if p.status == Status::StreamEnd {
                assert_eq!(pos, piece.len());
                break;
            }
        }
    }
    out
}

fn lzma2_round_trip(opts: &LzmaOptions, input: &[u8]) {
    let mut enc = Lzma2Encoder::new(opts).expect("options");
    let packed = run_ours(&mut enc, input, 100_000, 30_000);
    let mut dec = Lzma2Decoder::new(opts.dict_size).expect("decoder");
    assert!(
        decode_all(&mut dec, &packed) == input,
        "LZMA2 round trip failed for {opts:?}"
    );
}

fn lzma1_round_trip(opts: &LzmaOptions, input: &[u8]) {
    let mut enc = LzmaEncoder::new(opts).expect("options");
    let packed = run_ours(&mut enc, input, 100_000, 30_000);
    let mut dec = LzmaDecoder::new(opts.props(), opts.dict_size, None, true).expect("decoder");
    assert!(
        decode_all(&mut dec, &packed) == input,
        "LZMA1 round trip failed for {opts:?}"
    );
}

#[test]
fn round_trips_every_preset() {
    let input = mixed(41, 200_000, 25_000);
    for level in 0..=9 {
        for extreme in [false, true] {
            let opts = LzmaOptions::preset(level, extreme).expect("preset");
            lzma2_round_trip(&opts, &input);
            lzma1_round_trip(&opts, &input[..50_000]);
        }
    }
}

#[test]
fn sync_flush_ends_a_chunk_and_decodes() {
    let input = mixed(42, 150_000, 20_000);
    let pieces: Vec<&[u8]> = vec![
        &input[..1],
        &input[1..1000],
        &input[1000..1000],
        &input[1000..90_000],
        &input[90_000..],
    ];
    for flush in [Action::SyncFlush, Action::FullFlush] {
        for level in [0, 6] {
            let opts = LzmaOptions::preset(level, false).expect("preset");
            let packed = encode_with_flushes(&opts, &pieces, flush, 777);
            let mut dec = Lzma2Decoder::new(opts.dict_size).expect("decoder");
            assert_eq!(
                decode_all(&mut dec, &packed),
                input,
                "{flush:?} at -{level}"
            );
            // Every flush point is decodable on its own: the bytes up to it form whole chunks.
            let first = encode_with_flushes(&opts, &pieces[..2], flush, 1 << 16);
            let mut dec = Lzma2Decoder::new(opts.dict_size).expect("decoder");
            assert_eq!(decode_all(&mut dec, &first), &input[..1000]);
        }
    }
}

#[test]
fn lzma1_rejects_flushing() {
    let mut enc =
        LzmaEncoder::new(&LzmaOptions::preset(1, false).expect("preset")).expect("options");
    let mut buf = [0u8; 4096];
    let mut result = Ok(());
    for _ in 0..4 {
        match enc.code(b"some data", &mut buf, Action::SyncFlush) {
            Ok(p) if p.status == Status::Ok => continue,
            Ok(_) => break,
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    assert!(matches!(result, Err(Error::Options(_))), "{result:?}");
}

#[test]
fn empty_input_gives_the_end_marker_only() {
    let opts = LzmaOptions::preset(6, false).expect("preset");
    let mut enc = Lzma2Encoder::new(&opts).expect("options");
    assert_eq!(run_ours(&mut enc, &[], 1, 1), vec![0]);
    let mut enc = LzmaEncoder::new(&opts).expect("options");
    let packed = run_ours(&mut enc, &[], 1, 1);
    let mut dec = LzmaDecoder::new(opts.props(), opts.dict_size, None, true).expect("decoder");
    assert!(decode_all(&mut dec, &packed).is_empty());
}

#[test]
fn bad_options_are_errors() {
    let base = LzmaOptions::preset(6, false).expect("preset");
    let bad: Vec<(&str, LzmaOptions)> = vec![
        (
            "lc=5",
            LzmaOptions {
                lc: 5,
                lp: 0,
                ..base.clone()
            },
        ),
        (
            "lc+lp=5",
            LzmaOptions {
                lc: 3,
                lp: 2,
                ..base.clone()
            },
        ),
        (
            "pb=5",
            LzmaOptions {
                pb: 5,
                ..base.clone()
            },
        ),
        (
            "nice=1",
            LzmaOptions {
                nice_len: 1,
                ..base.clone()
            },
        ),
        (
            "nice=274",
            LzmaOptions {
                nice_len: 274,
                ..base.clone()
            },
        ),
        (
            "dict=4095",
            LzmaOptions {
                dict_size: 4095,
                ..base.clone()
            },
        ),
        (
            "dict=1.5GiB+1",
            LzmaOptions {
                dict_size: (1536 << 20) + 1,
                ..base.clone()
            },
        ),
        (
            "dict=max",
            LzmaOptions {
                dict_size: u32::MAX,
                ..base.clone()
            },
        ),
    ];
    for (name, opts) in bad {
        assert!(
            matches!(Lzma2Encoder::new(&opts), Err(Error::Options(_))),
            "LZMA2 {name}"
        );
        assert!(
            matches!(LzmaEncoder::new(&opts), Err(Error::Options(_))),
            "LZMA1 {name}"
        );
        assert_eq!(Lzma2Encoder::memusage(&opts), u64::MAX, "{name}");
        assert_eq!(LzmaEncoder::memusage(&opts), u64::MAX, "{name}");
    }
    // liblzma raises a nice length below the hashed bytes instead of rejecting it.
    let raised = LzmaOptions {
        nice_len: 2,
        mf: MatchFinder::Bt4,
        ..base
    };
    assert!(Lzma2Encoder::new(&raised).is_ok());
}

#[test]
fn memusage_is_in_the_expected_range() {
    // xz's man page: -0 about 3 MiB, -6 about 94 MiB, -9 about 674 MiB.
    for (level, mib) in [(0u32, 3u64), (6, 94), (9, 674)] {
        let opts = LzmaOptions::preset(level, false).expect("preset");
        let m = Lzma2Encoder::memusage(&opts) >> 20;
        assert!(m + 1 >= mib && m <= mib + 1, "-{level}: {m} MiB");
        let enc = Lzma2Encoder::new(&opts).expect("options");
        assert_eq!(enc.memusage(), Lzma2Encoder::memusage(&opts));
    }
}

mod arbitrary {
    use super::*;
    use proptest::prelude::*;

    fn any_options() -> impl Strategy<Value = LzmaOptions> {
        (
            0u32..=4,
            0u32..=4,
            0u32..=4,
            any::<bool>(),
            0usize..5,
            2u32..=273,
            prop_oneof![Just(0u32), 1u32..100],
            prop_oneof![Just(4096u32), 4096u32..(1 << 20)],
        )
            .prop_map(
                |(lc, lp, pb, fast, mf, nice_len, depth, dict_size)| LzmaOptions {
                    dict_size,
                    lc,
                    lp: lp.min(4 - lc),
                    pb,
                    mode: if fast { Mode::Fast } else { Mode::Normal },
                    nice_len,
                    mf: [
                        MatchFinder::Hc3,
                        MatchFinder::Hc4,
                        MatchFinder::Bt2,
                        MatchFinder::Bt3,
                        MatchFinder::Bt4,
                    ][mf],
                    depth,
                    preset_dict: None,
                },
            )
    }

    /// Data with repeats, so that matches of every kind occur.
    fn any_data() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop_oneof![
                prop::collection::vec(any::<u8>(), 0..300),
                (any::<u8>(), 0usize..600).prop_map(|(b, n)| vec![b; n]),
                prop::collection::vec(0u8..3, 0..300),
            ],
            0..40,
        )
        .prop_map(|parts| {
            let mut out = Vec::new();
            for (k, p) in parts.iter().enumerate() {
                out.extend_from_slice(p);
                // Repeat an earlier stretch now and then.
                if k % 3 == 2 && out.len() > 10 {
                    let start = out.len() / 3;
                    let end = (start + 500).min(out.len());
                    let copy = out[start..end].to_vec();
                    out.extend_from_slice(&copy);
                }
            }
            out
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn encoding_never_panics_and_round_trips(
            opts in any_options(),
            data in any_data(),
            in_step in 1usize..5000,
            out_step in 1usize..3000,
            flush_at in proptest::option::of(0usize..20_000),
        ) {
            // LZMA2, with an optional sync flush part way.
            let cut = flush_at.map_or(data.len(), |f| f.min(data.len()));
            let packed = encode_with_flushes(&opts, &[&data[..cut], &data[cut..]], Action::SyncFlush, out_step);
            let mut dec = Lzma2Decoder::new(opts.dict_size).expect("decoder");
            prop_assert_eq!(decode_all(&mut dec, &packed), data.clone());
            // LZMA1, in pieces.
            let mut enc = LzmaEncoder::new(&opts).expect("options");
            let packed = run_ours(&mut enc, &data, in_step, out_step);
            let mut dec = LzmaDecoder::new(opts.props(), opts.dict_size, None, true).expect("decoder");
            prop_assert_eq!(decode_all(&mut dec, &packed), data);
        }
    }
}
