//! Differential decoding: inputs generated in code are compressed by the reference `xz`
//! (`$XZ_REFERENCE`, else `xz` on PATH; without one these tests print that they skip) with
//! many option sets, and our decoders must give back exactly the input. Damaged copies
//! (truncated, bit-flipped, extended) must get the reference's verdict class.
#![forbid(unsafe_code)]

use lzma_core::alone::AloneDecoder;
use lzma_core::auto::AutoDecoder;
use lzma_core::filter::BcjArch;
use lzma_core::raw::RawDecoder;
use lzma_core::xz::XzDecoder;
use lzma_core::{DecoderOptions, Filter, LzmaOptions};
use xz_corpus::gen;
use xz_tests::{class_of, drive_caught, first_difference, Reference, RunError, RunResult};

/// Which of our decoders reads the reference's output.
#[derive(Clone, Debug)]
enum Dec {
    Xz,
    Lzma,
    Raw(Vec<Filter>),
}

#[derive(Clone, Debug)]
struct Case {
    args: Vec<String>,
    dec: Dec,
    /// Run on every input (`true`) or only on the small set.
    all_inputs: bool,
    /// Oldest reference release that knows the options.
    since: (u32, u32),
}

fn case(args: &str, dec: Dec, all_inputs: bool) -> Case {
    Case { args: args.split_whitespace().map(str::to_string).collect(), dec, all_inputs, since: (5, 0) }
}

fn lzma2(preset: u32) -> Filter {
    Filter::Lzma2(LzmaOptions::preset(preset, false).expect("preset"))
}

fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for level in 0..=9 {
        v.push(case(&format!("-T1 -{level}"), Dec::Xz, level % 3 == 0));
        v.push(case(&format!("-T1 -{level}e"), Dec::Xz, false));
    }
    for check in ["none", "crc32", "crc64", "sha256"] {
        v.push(case(&format!("-T1 -3 -C {check}"), Dec::Xz, false));
    }
    for f in ["x86", "powerpc", "ia64", "arm", "armthumb", "sparc", "arm64"] {
        v.push(case(&format!("-T1 --{f} --lzma2=preset=6"), Dec::Xz, f == "x86"));
    }
    let mut riscv = case("-T1 --riscv --lzma2=preset=2", Dec::Xz, false);
    riscv.since = (5, 6);
    v.push(riscv);
    let mut arm64_start = case("-T1 --arm64=start=4096 --lzma2=preset=1", Dec::Xz, false);
    arm64_start.since = (5, 4);
    v.push(arm64_start);
    v.push(case("-T1 --x86=start=16 --lzma2=preset=1", Dec::Xz, false));
    v.push(case("-T1 --arm=start=1024 --lzma2=preset=1", Dec::Xz, false));
    v.push(case("-T1 --ia64=start=32 --lzma2=preset=1", Dec::Xz, false));
    v.push(case("-T1 --delta=dist=1 --lzma2=preset=1", Dec::Xz, false));
    v.push(case("-T1 --delta=dist=4 --lzma2=preset=6", Dec::Xz, false));
    v.push(case("-T1 --delta=dist=256 --x86 --lzma2=preset=0", Dec::Xz, false));
    v.push(case("-T1 --x86 --delta=dist=2 --lzma2=preset=3", Dec::Xz, false));
    v.push(case("-T1 --lzma2=dict=4KiB,lc=0,lp=4,pb=4", Dec::Xz, false));
    v.push(case("-T1 --lzma2=dict=64KiB,lc=4,lp=0,pb=0,mf=bt2,nice=273", Dec::Xz, false));
    v.push(case("-T1 --lzma2=preset=6,mf=hc3,mode=fast,nice=8", Dec::Xz, false));
    v.push(case("-T1 --lzma2=preset=6,mf=bt3,depth=1000", Dec::Xz, false));
    v.push(case("-T1 -6 --block-size=10000", Dec::Xz, true));
    v.push(case("-T1 -1 --block-list=1000,20000,5", Dec::Xz, false));
    v.push(case("-T2 -6 --block-size=50000", Dec::Xz, true));
    v.push(case("-T2 -0", Dec::Xz, false));
    v.push(case("--format=lzma -6", Dec::Lzma, true));
    v.push(case("--format=lzma -0", Dec::Lzma, false));
    v.push(case("--format=lzma -9e", Dec::Lzma, false));
    v.push(case("--format=lzma --lzma1=preset=3,lc=1,lp=3,pb=1", Dec::Lzma, false));
    v.push(case("--format=raw --lzma2=preset=1", Dec::Raw(vec![lzma2(1)]), false));
    let mut l1 = LzmaOptions::preset(1, false).expect("preset");
    v.push(case("--format=raw --lzma1=preset=1", Dec::Raw(vec![Filter::Lzma1(l1.clone())]), false));
    l1.lc = 0;
    l1.lp = 2;
    l1.pb = 0;
    v.push(case(
        "--format=raw --lzma1=preset=1,lc=0,lp=2,pb=0",
        Dec::Raw(vec![Filter::Lzma1(l1)]),
        false,
    ));
    v.push(case(
        "--format=raw --delta=dist=2 --lzma2=preset=1",
        Dec::Raw(vec![Filter::Delta { distance: 2 }, lzma2(1)]),
        false,
    ));
    v.push(case(
        "--format=raw --x86 --lzma2=preset=1",
        Dec::Raw(vec![Filter::Bcj { arch: BcjArch::X86, start_offset: 0 }, lzma2(1)]),
        false,
    ));
    v
}

/// Inputs: a small set for most cases, more for the `all_inputs` ones.
fn inputs(all: bool) -> Vec<(String, Vec<u8>)> {
    let mut v = vec![
        ("empty".to_string(), Vec::new()),
        ("text-1".to_string(), b"x".to_vec()),
        ("text-100000".to_string(), gen::text(1, 100_000)),
        ("x86-60000".to_string(), gen::x86_like(2, 60_000)),
    ];
    if all {
        v.push(("random-30000".to_string(), gen::random(3, 30_000)));
        v.push(("runs-150000".to_string(), gen::runs(4, 150_000)));
        v.push(("mixed-400000".to_string(), gen::mixed(5, 400_000)));
        v.push(("zeros-2MiB+1".to_string(), gen::zeros((1 << 21) + 1)));
        v.push(("random-65537".to_string(), gen::random(6, 65_537)));
    }
    v
}

fn decode(dec: &Dec, data: &[u8], in_chunk: usize, out_chunk: usize) -> RunResult {
    let max = 64 << 20;
    match dec {
        Dec::Xz => drive_caught(|| XzDecoder::new(DecoderOptions::new()), data, in_chunk, out_chunk, max),
        Dec::Lzma => {
            drive_caught(|| AloneDecoder::new(&DecoderOptions::new()), data, in_chunk, out_chunk, max)
        }
        Dec::Raw(chain) => {
            let chain = chain.clone();
            match RawDecoder::new(&chain, u64::MAX) {
                Err(e) => Err((RunError::Coder(e), Vec::new())),
                Ok(_) => drive_caught(
                    move || RawDecoder::new(&chain, u64::MAX).expect("checked above"),
                    data,
                    in_chunk,
                    out_chunk,
                    max,
                ),
            }
        }
    }
}

fn describe(r: &RunResult, expected: &[u8]) -> String {
    match r {
        Ok(out) if out == expected => "ok".into(),
        Ok(out) => format!(
            "wrong output: {} bytes, expected {}, first difference at {}",
            out.len(),
            expected.len(),
            first_difference(out, expected)
        ),
        Err((RunError::Coder(e), out)) => format!("error {e:?} after {} bytes", out.len()),
        Err((e, out)) => format!("{e:?} after {} bytes", out.len()),
    }
}

#[test]
fn reference_outputs_decode() {
    let Some(xz) = Reference::find() else { return };
    let mut failures = Vec::new();
    let mut n = 0;
    let small = inputs(false);
    let big = inputs(true);
    for c in cases() {
        if !xz.at_least(c.since.0, c.since.1) {
            eprintln!("skipping `{}`: needs XZ Utils {:?}", c.args.join(" "), c.since);
            continue;
        }
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        for (name, data) in if c.all_inputs { &big } else { &small } {
            let compressed = xz.compress(&args, data);
            n += 1;
            let whole = decode(&c.dec, &compressed, usize::MAX, 1 << 20);
            let chunked = decode(&c.dec, &compressed, 333, 4097);
            for (how, r) in [("whole", whole), ("in 333 / out 4097", chunked)] {
                let d = describe(&r, data);
                if d != "ok" {
                    failures.push(format!("xz {} < {name} ({how}): {d}", c.args.join(" ")));
                }
            }
        }
    }
    eprintln!("{n} reference outputs decoded");
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn concatenated_streams_and_padding() {
    let Some(xz) = Reference::find() else { return };
    let a = gen::text(7, 20_000);
    let b = gen::x86_like(8, 10_000);
    let xa = xz.compress(&["-T1", "-6"], &a);
    let xb = xz.compress(&["-T1", "-1", "-C", "sha256", "--block-size=3000"], &b);
    let xe = xz.compress(&["-T1", "-C", "none"], b"");
    let mut expect = a.clone();
    expect.extend_from_slice(&b);
    let cat = |parts: &[&[u8]]| parts.concat();
    let z4 = [0u8; 4];
    let z8 = [0u8; 8];
    let cases: Vec<(&str, Vec<u8>, Vec<u8>)> = vec![
        ("a b", cat(&[&xa, &xb]), expect.clone()),
        ("a pad4 b", cat(&[&xa, &z4, &xb]), expect.clone()),
        ("a pad8 empty b pad4", cat(&[&xa, &z8, &xe, &xb, &z4]), expect.clone()),
        ("empty empty", cat(&[&xe, &xe]), Vec::new()),
        ("a a", cat(&[&xa, &xa]), [a.clone(), a.clone()].concat()),
    ];
    let mut failures = Vec::new();
    for (name, data, want) in &cases {
        for (i, o) in [(usize::MAX, 1 << 20), (1, 7), (1000, 1)] {
            let r = decode(&Dec::Xz, data, i, o);
            let d = describe(&r, want);
            if d != "ok" {
                failures.push(format!("{name} (in {i} / out {o}): {d}"));
            }
        }
        // The reference agrees that these are valid.
        let rf = xz.run(&["-dc", "--format=xz"], data);
        assert_eq!(rf.status, 0, "{name}: reference: {}", rf.stderr);
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Damaged copies of reference output: our verdict class (or output) equals the reference's.
#[test]
fn damaged_copies_get_the_reference_verdict() {
    let Some(xz) = Reference::find() else { return };
    let text = gen::text(11, 6000);
    let code = gen::x86_like(12, 5000);
    let sources: Vec<(&str, Vec<&str>, bool, &[u8])> = vec![
        ("xz -6 crc64", vec!["-T1", "-6"], true, &text),
        ("xz -1 crc32 2 blocks", vec!["-T1", "-1", "-C", "crc32", "--block-size=4000"], true, &text),
        ("xz -0 none", vec!["-T1", "-0", "-C", "none"], true, &text),
        ("xz x86 sha256", vec!["-T1", "--x86", "--lzma2=preset=2", "-C", "sha256"], true, &code),
        ("xz -T2 sizes in headers", vec!["-T2", "-3", "--block-size=2500"], true, &text),
        ("lzma -6", vec!["--format=lzma", "-6"], false, &text),
    ];
    let mut failures = Vec::new();
    let mut n = 0;
    for (name, args, is_xz, data) in &sources {
        let good = xz.compress(args, data);
        let len = good.len();
        let mut variants: Vec<(String, Vec<u8>)> = Vec::new();
        // Truncations (not into the first 13 bytes: the xz command rejects such short
        // files by its own magic/header checks before decoding).
        for k in [13, 14, 20, len / 3, len / 2, len - 40, len - 13, len - 12, len - 8, len - 4, len - 1] {
            if k >= 13 && k < len {
                variants.push((format!("cut to {k}"), good[..k].to_vec()));
            }
        }
        // Bit flips spread over the whole file, including headers, index and footer.
        let step = (len / 40).max(1);
        let mut p = 0;
        while p < len {
            for bit in [0, 5] {
                let mut d = good.clone();
                d[p] ^= 1 << bit;
                variants.push((format!("flip byte {p} bit {bit}"), d));
            }
            p += step;
        }
        for tail in [len - 1, len - 2, len - 6, len - 10, len - 12] {
            let mut d = good.clone();
            d[tail] ^= 0x10;
            variants.push((format!("flip byte {tail} bit 4"), d));
        }
        // Extensions.
        for (what, extra) in [
            ("append 1 zero", vec![0u8]),
            ("append 4 zeros", vec![0; 4]),
            ("append 3 zeros", vec![0; 3]),
            ("append text", b"garbage!".to_vec()),
            ("append itself", good.clone()),
        ] {
            variants.push((what.to_string(), [good.clone(), extra].concat()));
        }
        for (what, bytes) in variants {
            n += 1;
            let fmt = if *is_xz { "--format=xz" } else { "--format=lzma" };
            let rf = xz.run(&["-dc", fmt], &bytes);
            // .lzma through the detecting decoder: the xz command applies the same strict
            // header rules before decoding.
            let ours = if *is_xz {
                decode(&Dec::Xz, &bytes, usize::MAX, 1 << 20)
            } else {
                drive_caught(|| AutoDecoder::new(DecoderOptions::new()), &bytes, usize::MAX, 1 << 20, 64 << 20)
            };
            let verdict_ok = match (&ours, rf.status) {
                (Ok(out), 0) => *out == rf.stdout,
                (Err((RunError::Coder(e), _)), 1) => class_of(e).is_some() && class_of(e) == rf.class(),
                _ => false,
            };
            if !verdict_ok {
                failures.push(format!(
                    "{name}, {what}: reference says {}, ours: {}",
                    if rf.status == 0 {
                        format!("ok ({} bytes)", rf.stdout.len())
                    } else {
                        rf.stderr.trim().to_string()
                    },
                    describe(&ours, &rf.stdout)
                ));
            }
        }
    }
    eprintln!("{n} damaged files compared");
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}

/// `--single-stream`: only the first stream is decoded and whatever follows is ignored,
/// as the reference does.
#[test]
fn single_stream_ignores_what_follows() {
    let Some(xz) = Reference::find() else { return };
    let a = gen::text(9, 5000);
    let xa = xz.compress(&["-T1", "-6"], &a);
    let xb = xz.compress(&["-T1", "-0"], b"second stream");
    let mut failures = Vec::new();
    for (what, tail) in [
        ("second stream", xb.clone()),
        ("garbage", b"trailing garbage".to_vec()),
        ("3 zeros", vec![0; 3]),
        ("nothing", Vec::new()),
    ] {
        let data = [xa.clone(), tail].concat();
        let rf = xz.run(&["-dc", "--single-stream"], &data);
        assert_eq!(rf.status, 0, "reference on {what}: {}", rf.stderr);
        assert!(rf.stdout == a);
        for (i, o) in [(usize::MAX, 1 << 20), (3, 5)] {
            let r = drive_caught(
                || XzDecoder::new(DecoderOptions::new().single_stream(true)),
                &data,
                i,
                o,
                1 << 20,
            );
            let d = describe(&r, &a);
            if d != "ok" {
                failures.push(format!("single stream then {what} (in {i} / out {o}): {d}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// The one place where the library and the command answer differently, by design: .xz
/// input shorter than the 12-byte stream header. The library waits for the whole header
/// and calls it truncated, as liblzma; the xz command checks the magic bytes itself first
/// and calls such input "File format not recognized" (ours does the same, see
/// xz-cli/tests/compat.rs).
fn short_header_format(
    fmt: &str,
    input: &[u8],
    ours: &RunResult,
    status: i32,
    reference: Option<xz_corpus::ErrorClass>,
) -> bool {
    fmt == "--format=xz"
        && input.len() < 12
        && status == 1
        && reference == Some(xz_corpus::ErrorClass::Format)
        && matches!(ours, Err((RunError::Coder(lzma_core::Error::Truncated), _)))
}

/// Bit flips of the small .xz and lzip corpus vectors (every 11th byte/bit pair, damaged and
/// undamaged vectors alike, so truncation and corruption combine): our verdict equals the
/// reference's.
#[test]
fn bit_flips_of_small_vectors_get_the_reference_verdict() {
    let Some(xz) = Reference::find() else { return };
    let vectors: Vec<_> = xz_corpus::all()
        .into_iter()
        .filter(|v| {
            matches!(v.format, xz_corpus::Format::Xz | xz_corpus::Format::Lzip)
                && v.bytes.len() <= 160
                && v.memlimit.is_none()
                && v.since.map_or(true, |s| xz.at_least(s.0, s.1))
        })
        .collect();
    let mut failures = Vec::new();
    let mut n = 0usize;
    let mut k = 0usize;
    for v in &vectors {
        for pos in 0..v.bytes.len() {
            for bit in 0..8 {
                k += 1;
                if k % 11 != 0 {
                    continue;
                }
                n += 1;
                let mut d = v.bytes.clone();
                d[pos] ^= 1 << bit;
                let (fmt, ours) = match v.format {
                    xz_corpus::Format::Lzip => (
                        "--format=lzip",
                        drive_caught(|| lzma_core::lzip::LzipDecoder::new(&DecoderOptions::new()), &d, usize::MAX, 1 << 20, 1 << 20),
                    ),
                    _ => ("--format=xz", decode(&Dec::Xz, &d, usize::MAX, 1 << 20)),
                };
                let rf = xz.run(&["-dc", fmt], &d);
                let agree = match (&ours, rf.status) {
                    (Ok(out), 0 | 2) => *out == rf.stdout,
                    (Err((RunError::Coder(e), _)), 1) => class_of(e).is_some() && class_of(e) == rf.class(),
                    (Err((RunError::Coder(e), _)), 2) => class_of(e) == Some(xz_corpus::ErrorClass::Unsupported),
                    _ => false,
                } || short_header_format(fmt, &d, &ours, rf.status, rf.class());
                if !agree {
                    failures.push(format!(
                        "{} flip byte {pos} bit {bit}: reference says {}, ours: {}",
                        v.name,
                        if rf.status == 0 { format!("ok ({} bytes)", rf.stdout.len()) } else { rf.stderr.trim().to_string() },
                        describe(&ours, &rf.stdout)
                    ));
                }
            }
        }
    }
    eprintln!("{n} flipped vectors compared");
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
}
