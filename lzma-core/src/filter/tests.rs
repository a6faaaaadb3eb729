//! Tests of the Delta/BCJ chain machinery: round trips, chunking invariance, and
//! differential tests against the reference `xz` (raw LZMA2 streams whose chunks are
//! stored uncompressed, so the filtered bytes are visible without an LZMA decoder).

use super::chain::{validate_chain, ChainDecoder, ChainEncoder, ChainProblem};
use super::{BcjArch, Filter};
use crate::{Action, Coder, Error, LzmaOptions, Progress, Result, Status};
use std::io::Write;
use std::process::{Command, Stdio};

/// An inner coder that copies its input: the chain's output is then the filtered data.
#[derive(Debug, Default)]
struct Identity;

impl Coder for Identity {
    fn code(&mut self, input: &[u8], output: &mut [u8], action: Action) -> Result<Progress> {
        let n = input.len().min(output.len());
        output[..n].copy_from_slice(&input[..n]);
        let status = if action != Action::Run && n == input.len() {
            Status::StreamEnd
        } else {
            Status::Ok
        };
        Ok(Progress {
            consumed: n,
            produced: n,
            status,
        })
    }
}

/// Runs `coder` over `data`, giving at most `in_chunk` input bytes and `out_chunk` output
/// bytes per call, until it reports the end.
fn run<C: Coder>(coder: &mut C, data: &[u8], in_chunk: usize, out_chunk: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut pos = 0;
    let mut buf = vec![0u8; out_chunk];
    for _ in 0..10_000_000 {
        let end = (pos + in_chunk).min(data.len());
        let action = if end == data.len() {
            Action::Finish
        } else {
            Action::Run
        };
        let p = coder
            .code(&data[pos..end], &mut buf, action)
            .expect("coder failed");
        pos += p.consumed;
        out.extend_from_slice(&buf[..p.produced]);
        if p.status == Status::StreamEnd {
            assert_eq!(pos, data.len());
            return out;
        }
    }
    panic!("coder made no progress");
}

fn encode(filters: &[Filter], data: &[u8], in_chunk: usize, out_chunk: usize) -> Vec<u8> {
    let mut e = ChainEncoder::new(filters, Identity).unwrap();
    run(&mut e, data, in_chunk, out_chunk)
}

fn decode(filters: &[Filter], data: &[u8], in_chunk: usize, out_chunk: usize) -> Vec<u8> {
    let mut d = ChainDecoder::new(filters, Identity).unwrap();
    run(&mut d, data, in_chunk, out_chunk)
}

/// A xorshift32 generator for reproducible pseudo-random test data.
struct Rng(u32);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }
    fn byte(&mut self) -> u8 {
        (self.next() >> 24) as u8
    }
}

/// Pseudo-random bytes with instructions the `arch` converter acts on planted at about one
/// in `every` aligned positions.
fn sample(arch: Option<BcjArch>, len: usize, seed: u32, every: u32) -> Vec<u8> {
    let mut r = Rng(seed | 1);
    let mut d: Vec<u8> = (0..len).map(|_| r.byte()).collect();
    let Some(arch) = arch else { return d };
    let align = match arch {
        BcjArch::X86 => 1,
        BcjArch::ArmThumb | BcjArch::RiscV => 2,
        BcjArch::Ia64 => 16,
        _ => 4,
    };
    let mut i = 0;
    while i + 16 <= len {
        if r.next() % every == 0 {
            let x = r.next();
            let w: &mut [u8] = &mut d[i..i + 16];
            match arch {
                // CALL rel32 with a small displacement (top byte 00 or FF).
                BcjArch::X86 => {
                    w[0] = 0xE8;
                    w[4] = if x & 1 == 0 { 0x00 } else { 0xFF };
                }
                // bl (opcode 18, AA=0, LK=1).
                BcjArch::PowerPc => {
                    w[0] = 0x48 | (x & 3) as u8;
                    w[3] = (w[3] & 0xFC) | 1;
                }
                // Template 0x10 (MIB) with an IP-relative branch (opcode 5, btype 0) in slot 2.
                BcjArch::Ia64 => {
                    let mut v = u128::from_le_bytes(w[..16].try_into().unwrap());
                    v = (v & !0x1F) | 0x10;
                    let mut slot = ((v >> 87) as u64) & ((1 << 41) - 1);
                    slot = (slot & !(0xF << 37) & !(0x7 << 9)) | (5 << 37);
                    v = (v & !(((1u128 << 41) - 1) << 87)) | (u128::from(slot) << 87);
                    w.copy_from_slice(&v.to_le_bytes());
                }
                // BL (condition "always").
                BcjArch::Arm => w[3] = 0xEB,
                // Thumb BL pair.
                BcjArch::ArmThumb => {
                    w[1] = 0xF0 | (w[1] & 7);
                    w[3] = 0xF8 | (w[3] & 7);
                }
                // call with a small displacement.
                BcjArch::Sparc => {
                    if x & 1 == 0 {
                        w[0] = 0x40;
                        w[1] &= 0x3F;
                    } else {
                        w[0] = 0x7F;
                        w[1] |= 0xC0;
                    }
                }
                // BL, or ADRP with a page offset within ±512 MiB.
                BcjArch::Arm64 => {
                    let ins = if x & 1 == 0 {
                        0x9400_0000 | (x >> 6)
                    } else {
                        let imm = (x >> 8) & 0x3_FFFF;
                        let imm = if x & 2 == 0 { imm } else { imm | 0x1C_0000 };
                        0x9000_0000 | ((imm & 3) << 29) | ((imm >> 2) << 5) | (x & 0x1F)
                    };
                    w[..4].copy_from_slice(&ins.to_le_bytes());
                }
                // JAL ra, or AUIPC t1 + JALR ra, lo(t1), or an AUIPC x0/x2 lookalike.
                BcjArch::RiscV => match x % 3 {
                    0 => {
                        w[0] = 0xEF;
                        w[1] &= 0xF2;
                    }
                    1 => {
                        let auipc = (x & 0xFFFF_F000) | (6 << 7) | 0x17;
                        let jalr = ((x >> 4) & 0xFFF) << 20 | (6 << 15) | (1 << 7) | 0x67;
                        w[..4].copy_from_slice(&auipc.to_le_bytes());
                        w[4..8].copy_from_slice(&jalr.to_le_bytes());
                    }
                    _ => {
                        let auipc = (x & 0xFFFF_F000) | (2 << 7) | 0x17;
                        w[..4].copy_from_slice(&auipc.to_le_bytes());
                    }
                },
            }
            i += 16;
        } else {
            i += align;
        }
    }
    d
}

const ALL_ARCHES: [BcjArch; 8] = [
    BcjArch::X86,
    BcjArch::PowerPc,
    BcjArch::Ia64,
    BcjArch::Arm,
    BcjArch::ArmThumb,
    BcjArch::Sparc,
    BcjArch::Arm64,
    BcjArch::RiscV,
];

fn bcj(arch: BcjArch, start_offset: u32) -> Filter {
    Filter::Bcj { arch, start_offset }
}

#[test]
fn bcj_roundtrip_and_chunking_invariance() {
    for arch in ALL_ARCHES {
        let data = sample(Some(arch), 3001, 7, 4);
        let f = [bcj(arch, 0)];
        let one_shot = encode(&f, &data, usize::MAX, 1 << 16);
        assert_ne!(one_shot, data, "{arch:?} converted nothing");
        assert_eq!(one_shot.len(), data.len());
        for (i, o) in [(1, 1), (1, 4096), (4096, 1), (7, 13), (64, 3)] {
            assert_eq!(encode(&f, &data, i, o), one_shot, "{arch:?} encode {i}/{o}");
            assert_eq!(decode(&f, &one_shot, i, o), data, "{arch:?} decode {i}/{o}");
        }
    }
}

#[test]
fn bcj_start_offset() {
    for arch in ALL_ARCHES {
        let data = sample(Some(arch), 1000, 11, 3);
        let start = 16 * 1001;
        let f = [bcj(arch, start)];
        let enc = encode(&f, &data, 33, 17);
        // A start offset is the same as converting after `start` bytes of other data, for
        // converters without history.
        if arch != BcjArch::X86 {
            let mut shifted = vec![0u8; start as usize];
            shifted.extend_from_slice(&data);
            let mut conv = super::bcj::Bcj::new(arch);
            let mut buf = data.clone();
            let n = conv.convert(start, true, &mut buf);
            assert_eq!(enc[..n], buf[..n], "{arch:?}");
        }
        assert_eq!(decode(&f, &enc, 5, 9), data, "{arch:?}");
        // Misaligned offsets are refused as liblzma does.
        if arch.alignment() > 1 {
            let bad = [bcj(arch, arch.alignment() + 1)];
            assert!(matches!(
                ChainEncoder::new(&bad, Identity),
                Err(Error::Unsupported(_))
            ));
            assert!(matches!(
                ChainDecoder::new(&bad, Identity),
                Err(Error::Unsupported(_))
            ));
        }
    }
}

#[test]
fn short_streams_pass_through() {
    // Streams shorter than an instruction are not converted at all.
    for arch in ALL_ARCHES {
        for len in 0..20 {
            let data = vec![0xE8; len];
            let f = [bcj(arch, 0)];
            let enc = encode(&f, &data, 1, 1);
            assert_eq!(decode(&f, &enc, 1, 1), data, "{arch:?} {len}");
        }
    }
    let e = encode(&[bcj(BcjArch::X86, 0)], &[0xE8, 1, 2, 3], 1, 1);
    assert_eq!(e, [0xE8, 1, 2, 3]);
}

#[test]
fn delta_and_multi_filter_chains() {
    let data = sample(Some(BcjArch::X86), 5000, 3, 5);
    let chains: Vec<Vec<Filter>> = vec![
        vec![Filter::Delta { distance: 1 }],
        vec![Filter::Delta { distance: 256 }],
        vec![bcj(BcjArch::X86, 0), Filter::Delta { distance: 2 }],
        vec![
            Filter::Delta { distance: 3 },
            bcj(BcjArch::Arm, 8),
            bcj(BcjArch::X86, 0),
        ],
    ];
    for f in &chains {
        let one = encode(f, &data, usize::MAX, 1 << 20);
        assert_eq!(encode(f, &data, 1, 1), one, "{f:?}");
        assert_eq!(encode(f, &data, 100, 7), one, "{f:?}");
        assert_eq!(decode(f, &one, 1, 1), data, "{f:?}");
        assert_eq!(decode(f, &one, 9, 1000), data, "{f:?}");
    }
    // The chain applies filters in order: x86 first, then Delta.
    let x86_then_delta = encode(&chains[2], &data, usize::MAX, 1 << 20);
    let x86 = encode(&chains[2][..1], &data, usize::MAX, 1 << 20);
    assert_eq!(
        encode(&chains[2][1..], &x86, usize::MAX, 1 << 20),
        x86_then_delta
    );
}

#[test]
fn flush_rules() {
    // Delta passes a flush through; BCJ refuses it (liblzma LZMA_OPTIONS_ERROR).
    let mut e = ChainEncoder::new(&[Filter::Delta { distance: 1 }], Identity).unwrap();
    let mut out = [0u8; 16];
    let p = e.code(&[5, 6, 7], &mut out, Action::SyncFlush).unwrap();
    assert_eq!(
        (p.consumed, p.produced, p.status),
        (3, 3, Status::StreamEnd)
    );
    assert_eq!(out[..3], [5, 1, 1]);
    let p = e.code(&[9], &mut out, Action::Finish).unwrap();
    assert_eq!((p.produced, p.status, out[0]), (1, Status::StreamEnd, 2));

    let mut e = ChainEncoder::new(&[bcj(BcjArch::X86, 0)], Identity).unwrap();
    assert!(matches!(
        e.code(&[1, 2], &mut out, Action::SyncFlush),
        Err(Error::Unsupported(_))
    ));
    assert!(matches!(
        e.code(&[1, 2], &mut out, Action::Run),
        Err(Error::Misuse(_))
    ));
}

#[test]
fn chain_validation() {
    let lz2 = Filter::Lzma2(LzmaOptions::default());
    let lz1 = Filter::Lzma1(LzmaOptions::default());
    let x86 = bcj(BcjArch::X86, 0);
    let delta = Filter::Delta { distance: 1 };
    assert_eq!(validate_chain(std::slice::from_ref(&lz2), true), Ok(()));
    assert_eq!(
        validate_chain(
            &[x86.clone(), delta.clone(), x86.clone(), lz2.clone()],
            true
        ),
        Ok(())
    );
    assert_eq!(validate_chain(std::slice::from_ref(&lz1), false), Ok(()));
    let cases: Vec<(Vec<Filter>, bool, ChainProblem)> = vec![
        (vec![], true, ChainProblem::Empty),
        (
            vec![x86.clone(); 4]
                .into_iter()
                .chain([lz2.clone()])
                .collect(),
            true,
            ChainProblem::TooMany,
        ),
        (vec![x86.clone()], true, ChainProblem::LastNotLzma),
        (
            vec![lz2.clone(), x86.clone()],
            true,
            ChainProblem::LzmaNotLast,
        ),
        (
            vec![lz2.clone(), lz2.clone()],
            true,
            ChainProblem::LzmaNotLast,
        ),
        (vec![lz1.clone()], true, ChainProblem::Lzma1InXz),
        (
            vec![Filter::Delta { distance: 0 }, lz2.clone()],
            true,
            ChainProblem::DeltaDistance,
        ),
        (
            vec![Filter::Delta { distance: 257 }, lz2.clone()],
            false,
            ChainProblem::DeltaDistance,
        ),
    ];
    for (chain, xz, problem) in cases {
        assert_eq!(
            super::chain::check_chain(&chain, xz),
            Some(problem),
            "{chain:?}"
        );
        assert_eq!(validate_chain(&chain, xz), Err(problem.to_error()));
    }
    assert_eq!(
        ChainProblem::TooMany.to_error().to_string(),
        "Maximum number of filters is four"
    );
    assert_eq!(
        ChainProblem::LastNotLzma.to_error().to_string(),
        "Unsupported filter chain or filter options"
    );
}

#[test]
fn memusage_matches_liblzma() {
    // liblzma 5.4.1 (x86_64) lzma_raw_decoder_memusage() for LZMA2 with a 1 MiB dictionary
    // alone, after Delta, after x86 and after three x86 filters: 1114168, 1114520, 1115192
    // and 1117240 bytes; so Delta adds 352 bytes and each BCJ filter 1024. The LZMA part is
    // the LZMA decoder's own figure.
    use super::chain::{decoder_memusage, MEMUSAGE_BASE};
    use crate::lzma2::decoder::Lzma2Decoder;
    let o = LzmaOptions {
        dict_size: 1 << 20,
        ..LzmaOptions::default()
    };
    let lz2 = Filter::Lzma2(o.clone());
    let x86 = bcj(BcjArch::X86, 0);
    let alone = decoder_memusage(std::slice::from_ref(&lz2));
    assert_eq!(alone, MEMUSAGE_BASE + Lzma2Decoder::memusage(1 << 20));
    assert_eq!(
        decoder_memusage(&[Filter::Delta { distance: 1 }, lz2.clone()]),
        alone + 352
    );
    assert_eq!(decoder_memusage(&[x86.clone(), lz2.clone()]), alone + 1024);
    assert_eq!(
        decoder_memusage(&[x86.clone(), x86.clone(), x86.clone(), lz2.clone()]),
        alone + 3072
    );
    assert!(decoder_memusage(&[Filter::Lzma1(o)]) > 1 << 20);
    assert_eq!(
        decoder_memusage(&[x86.clone(), x86.clone(), x86.clone(), x86, lz2]),
        u64::MAX
    );
}

// ---------------------------------------------------------------------------------------
// Differential tests against the reference xz.

/// The reference `xz`: `$XZ_REFERENCE`, else `xz` on PATH; `None` (with a message) if it
/// cannot run.
fn reference() -> Option<String> {
    let xz = std::env::var("XZ_REFERENCE").unwrap_or_else(|_| "xz".to_string());
    match Command::new(&xz).arg("--version").output() {
        Ok(o) if o.status.success() => Some(xz),
        _ => {
            eprintln!("skipping differential test: reference xz ({xz}) not found");
            None
        }
    }
}

/// Runs the reference with `args` on `input`; `None` if it fails.
fn run_reference(xz: &str, args: &[String], input: &[u8]) -> Option<Vec<u8>> {
    let mut child = Command::new(xz)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().ok()?;
    let _ = writer.join();
    if !out.status.success() {
        eprintln!(
            "reference {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
        return None;
    }
    Some(out.stdout)
}

/// The xz command-line option for a filter.
fn xz_option(f: &Filter) -> String {
    match f {
        Filter::Delta { distance } => format!("--delta=dist={distance}"),
        Filter::Bcj { arch, start_offset } => {
            let name = match arch {
                BcjArch::X86 => "x86",
                BcjArch::PowerPc => "powerpc",
                BcjArch::Ia64 => "ia64",
                BcjArch::Arm => "arm",
                BcjArch::ArmThumb => "armthumb",
                BcjArch::Sparc => "sparc",
                BcjArch::Arm64 => "arm64",
                BcjArch::RiscV => "riscv",
            };
            format!("--{name}=start={start_offset}")
        }
        Filter::Lzma1(_) | Filter::Lzma2(_) => unreachable!("only Delta/BCJ here"),
    }
}

/// Parses a raw LZMA2 stream made only of uncompressed chunks (control 0x01 or 0x02, a
/// big-endian 16-bit size − 1, the bytes) and the end byte 0x00. `None` if any chunk is
/// LZMA-compressed.
fn parse_stored_lzma2(mut s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match *s.first()? {
            0x00 => return (s.len() == 1).then_some(out),
            0x01 | 0x02 => {
                let size = usize::from(u16::from_be_bytes([*s.get(1)?, *s.get(2)?])) + 1;
                out.extend_from_slice(s.get(3..3 + size)?);
                s = &s[3 + size..];
            }
            _ => return None,
        }
    }
}

/// Builds a raw LZMA2 stream of uncompressed chunks holding `data`.
fn stored_lzma2(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, chunk) in data.chunks(1 << 16).enumerate() {
        out.push(if i == 0 { 0x01 } else { 0x02 });
        out.extend_from_slice(&((chunk.len() - 1) as u16).to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out.push(0x00);
    out
}

fn reference_args(filters: &[Filter], decompress: bool) -> Vec<String> {
    let mut args = vec!["--format=raw".to_string(), "-c".to_string()];
    if decompress {
        args.push("-d".into());
    }
    args.extend(filters.iter().map(xz_option));
    args.push("--lzma2=preset=0".into());
    args
}

/// Compares our encoder with the reference's for one chain and input; returns false if the
/// reference could not be used for it (e.g. an older xz without RISC-V).
fn differential(xz: &str, filters: &[Filter], data: &[u8]) -> bool {
    // Reference encoder: its filtered bytes, visible when LZMA2 stores the chunks.
    let Some(raw) = run_reference(xz, &reference_args(filters, false), data) else {
        return false;
    };
    let ours = encode(filters, data, 4093, 1 << 20);
    match parse_stored_lzma2(&raw) {
        Some(theirs) => {
            assert_eq!(ours.len(), theirs.len(), "{filters:?}");
            if let Some(i) = ours.iter().zip(&theirs).position(|(a, b)| a != b) {
                panic!("{filters:?}: first difference at byte {i}");
            }
            assert_eq!(decode(filters, &theirs, 999, 777), data, "{filters:?}");
        }
        None => eprintln!("{filters:?}: reference compressed a chunk; encoder comparison skipped"),
    }
    // Reference decoder on our filtered bytes: must give back the input.
    let back = run_reference(xz, &reference_args(filters, true), &stored_lzma2(&ours))
        .expect("reference decoder failed on our stream");
    assert!(
        back == data,
        "{filters:?}: reference decodes our output differently"
    );
    // Reference decoder on arbitrary bytes: our decoder must agree.
    let noise = sample(
        filters.first().and_then(|f| match f {
            Filter::Bcj { arch, .. } => Some(*arch),
            _ => None,
        }),
        data.len(),
        99,
        5,
    );
    let theirs = run_reference(xz, &reference_args(filters, true), &stored_lzma2(&noise))
        .expect("reference decoder failed");
    assert!(
        decode(filters, &noise, 1000, 333) == theirs,
        "{filters:?}: decoders differ"
    );
    true
}

#[test]
fn differential_against_reference() {
    let Some(xz) = reference() else { return };
    let mut chains: Vec<Vec<Filter>> = Vec::new();
    for arch in ALL_ARCHES {
        chains.push(vec![bcj(arch, 0)]);
        chains.push(vec![bcj(arch, 16 * 4099)]);
    }
    chains.push(vec![Filter::Delta { distance: 1 }]);
    chains.push(vec![Filter::Delta { distance: 200 }]);
    chains.push(vec![bcj(BcjArch::X86, 0), Filter::Delta { distance: 4 }]);
    chains.push(vec![
        bcj(BcjArch::Arm64, 0),
        bcj(BcjArch::X86, 0),
        Filter::Delta { distance: 7 },
    ]);
    let mut skipped = Vec::new();
    for f in &chains {
        let arch = match f[0] {
            Filter::Bcj { arch, .. } => Some(arch),
            _ => None,
        };
        // Sparse plants keep the data incompressible, so LZMA2 stores it.
        let data = sample(arch, 150_000, 5, 64);
        if !differential(&xz, f, &data) {
            skipped.push(format!("{f:?}"));
        }
    }
    if !skipped.is_empty() {
        eprintln!("reference could not run: {skipped:?}");
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn arb_simple_filter() -> impl Strategy<Value = Filter> {
        prop_oneof![
            (1u32..=256).prop_map(|distance| Filter::Delta { distance }),
            (0usize..8, 0u32..1000).prop_map(|(a, k)| {
                let arch = ALL_ARCHES[a];
                bcj(arch, k * arch.alignment())
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any chain of up to three Delta/BCJ filters inverts itself, and the result does
        /// not depend on how input and output are cut.
        #[test]
        fn chain_roundtrip_any_chunking(
            filters in proptest::collection::vec(arb_simple_filter(), 1..=3),
            seed in any::<u32>(),
            len in 0usize..3000,
            in_chunk in 1usize..300,
            out_chunk in 1usize..300,
        ) {
            let arch = match filters[0] { Filter::Bcj { arch, .. } => Some(arch), _ => None };
            let data = sample(arch, len, seed, 3);
            let one = encode(&filters, &data, usize::MAX, 1 << 20);
            prop_assert_eq!(&encode(&filters, &data, in_chunk, out_chunk), &one);
            prop_assert_eq!(&decode(&filters, &one, in_chunk, out_chunk), &data);
        }

        /// Decoding arbitrary bytes never fails and is chunking-invariant.
        #[test]
        fn decode_arbitrary_bytes(
            filters in proptest::collection::vec(arb_simple_filter(), 1..=3),
            data in proptest::collection::vec(any::<u8>(), 0..2000),
            in_chunk in 1usize..100,
            out_chunk in 1usize..100,
        ) {
            let one = decode(&filters, &data, usize::MAX, 1 << 20);
            prop_assert_eq!(one.len(), data.len());
            prop_assert_eq!(decode(&filters, &data, in_chunk, out_chunk), one);
        }
    }
}

/// Low-entropy text with the same planted instructions as [`sample`]: LZMA compresses it.
fn compressible(arch: Option<BcjArch>, len: usize, seed: u32) -> Vec<u8> {
    let planted = sample(arch, len, seed, 16);
    let noise = sample(None, len, seed, 16);
    let words: [&[u8]; 6] = [b"call ", b"jump ", b"return ", b"load ", b"store ", b"\n"];
    let mut r = Rng(seed.wrapping_mul(31) | 1);
    let mut base = Vec::with_capacity(len + 8);
    while base.len() < len {
        base.extend_from_slice(words[(r.next() % 6) as usize]);
    }
    (0..len)
        .map(|i| {
            if planted[i] != noise[i] {
                planted[i]
            } else {
                base[i]
            }
        })
        .collect()
}

#[test]
fn raw_decoder_memory_limit() {
    use super::chain::{decoder_memusage, raw_decoder};
    let chain = [
        bcj(BcjArch::X86, 0),
        Filter::Lzma2(LzmaOptions {
            dict_size: 1 << 20,
            ..LzmaOptions::default()
        }),
    ];
    let needed = decoder_memusage(&chain);
    assert!(
        matches!(raw_decoder(&chain, needed - 1), Err(Error::MemLimit { needed: n, limit }) if n == needed && limit == needed - 1)
    );
    assert!(raw_decoder(&chain, needed).is_ok());
    // A misaligned start offset and an invalid chain are refused before allocating.
    let bad = [bcj(BcjArch::Arm, 2), chain[1].clone()];
    assert!(matches!(
        raw_decoder(&bad, u64::MAX),
        Err(Error::Unsupported(_))
    ));
    assert!(matches!(
        raw_decoder(&chain[..1], u64::MAX),
        Err(Error::Options(_))
    ));
    // LZMA1 with lc + lp > 4 is refused as liblzma does (memusage says "invalid").
    let lzma1 = Filter::Lzma1(LzmaOptions {
        lc: 4,
        lp: 1,
        ..LzmaOptions::default()
    });
    assert_eq!(decoder_memusage(std::slice::from_ref(&lzma1)), u64::MAX);
    assert!(matches!(
        raw_decoder(&[lzma1], u64::MAX),
        Err(Error::Options(_))
    ));
}

#[test]
fn raw_decoder_on_reference_streams() {
    use super::chain::raw_decoder;
    let Some(xz) = reference() else { return };
    let lzma2 = |level| Filter::Lzma2(LzmaOptions::preset(level, false).unwrap());
    let lzma1 = |level| Filter::Lzma1(LzmaOptions::preset(level, false).unwrap());
    let chains: Vec<(Vec<Filter>, &str)> = vec![
        (vec![lzma2(6)], "--lzma2=preset=6"),
        (vec![lzma1(1)], "--lzma1=preset=1"),
        (vec![bcj(BcjArch::X86, 0), lzma2(0)], "--lzma2=preset=0"),
        (
            vec![bcj(BcjArch::Arm64, 4096), lzma2(6)],
            "--lzma2=preset=6",
        ),
        (
            vec![
                bcj(BcjArch::Ia64, 0),
                Filter::Delta { distance: 3 },
                lzma1(6),
            ],
            "--lzma1=preset=6",
        ),
        (
            vec![
                Filter::Delta { distance: 2 },
                bcj(BcjArch::Sparc, 0),
                bcj(BcjArch::ArmThumb, 0),
                lzma2(3),
            ],
            "--lzma2=preset=3",
        ),
    ];
    for (chain, lzma_opt) in &chains {
        let (last, simple) = chain.split_last().unwrap();
        let arch = simple.iter().find_map(|f| match f {
            Filter::Bcj { arch, .. } => Some(*arch),
            _ => None,
        });
        let data = compressible(arch, 200_000, 17);
        let mut args = vec!["--format=raw".to_string(), "-c".to_string()];
        args.extend(simple.iter().map(xz_option));
        args.push(lzma_opt.to_string());
        let raw = run_reference(&xz, &args, &data).expect("reference encoder failed");
        assert!(raw.len() < data.len() / 2, "{chain:?}: not compressed");
        let _ = last;
        for (i, o) in [(usize::MAX, 1 << 20), (4096, 1000), (1, 7)] {
            let mut d = raw_decoder(chain, u64::MAX).unwrap();
            let got = run(&mut d, &raw, i, o);
            assert!(
                got == data,
                "{chain:?} chunks {i}/{o}: decoded output differs"
            );
        }
        // Truncated input is an error, not a hang or a short success.
        let mut d = raw_decoder(chain, u64::MAX).unwrap();
        let mut out = vec![0u8; 1 << 16];
        let cut = &raw[..raw.len() - 3];
        let mut pos = 0;
        let err = loop {
            match d.code(&cut[pos..], &mut out, Action::Finish) {
                Ok(p) => {
                    assert_ne!(
                        p.status,
                        Status::StreamEnd,
                        "{chain:?}: truncated stream ended"
                    );
                    assert!(
                        p.consumed + p.produced > 0,
                        "{chain:?}: no progress and no error"
                    );
                    pos += p.consumed;
                }
                Err(e) => break e,
            }
        };
        assert_eq!(err, Error::Truncated, "{chain:?}");
    }
}

#[test]
fn encoder_memusage_matches_liblzma() {
    // liblzma 5.4.1 (x86_64) lzma_raw_encoder_memusage() with preset 0 options and a 1 MiB
    // dictionary: LZMA2 alone 8753671 bytes, after Delta 8754023 (+352), after x86
    // 8754695 (+1024); LZMA1 alone 8687967. The LZMA part is the encoder's own estimate.
    use super::chain::encoder_memusage;
    let o = LzmaOptions {
        dict_size: 1 << 20,
        ..LzmaOptions::preset(0, false).unwrap()
    };
    let lz2 = Filter::Lzma2(o.clone());
    let alone = encoder_memusage(std::slice::from_ref(&lz2));
    let close = |ours: u64, theirs: u64| ours.abs_diff(theirs) * 1000 < theirs;
    assert!(close(alone, 8_753_671), "{alone}");
    assert!(close(
        encoder_memusage(&[Filter::Lzma1(o.clone())]),
        8_687_967
    ));
    assert_eq!(
        encoder_memusage(&[Filter::Delta { distance: 1 }, lz2.clone()]),
        alone + 352
    );
    assert_eq!(
        encoder_memusage(&[bcj(BcjArch::X86, 0), lz2.clone()]),
        alone + 1024
    );
    let bad = LzmaOptions { lc: 4, lp: 1, ..o };
    assert_eq!(encoder_memusage(&[Filter::Lzma2(bad)]), u64::MAX);
}

#[test]
fn raw_encoder_matches_reference() {
    use super::chain::{raw_decoder, raw_encoder};
    let Some(xz) = reference() else { return };
    let lzma2 = |level| Filter::Lzma2(LzmaOptions::preset(level, false).unwrap());
    let lzma1 = |level| Filter::Lzma1(LzmaOptions::preset(level, false).unwrap());
    let chains: Vec<(Vec<Filter>, &str)> = vec![
        (vec![lzma2(0)], "--lzma2=preset=0"),
        (vec![bcj(BcjArch::X86, 0), lzma2(0)], "--lzma2=preset=0"),
        (
            vec![bcj(BcjArch::Arm64, 4096), lzma2(6)],
            "--lzma2=preset=6",
        ),
        (
            vec![Filter::Delta { distance: 4 }, lzma2(1)],
            "--lzma2=preset=1",
        ),
        (
            vec![
                bcj(BcjArch::PowerPc, 0),
                Filter::Delta { distance: 2 },
                lzma1(3),
            ],
            "--lzma1=preset=3",
        ),
        (
            vec![
                bcj(BcjArch::Sparc, 0),
                bcj(BcjArch::ArmThumb, 0),
                bcj(BcjArch::Ia64, 0),
                lzma2(6),
            ],
            "--lzma2=preset=6",
        ),
    ];
    for (chain, lzma_opt) in &chains {
        let simple = &chain[..chain.len() - 1];
        let arch = simple.iter().find_map(|f| match f {
            Filter::Bcj { arch, .. } => Some(*arch),
            _ => None,
        });
        let data = compressible(arch, 150_000, 23);
        let mut args = vec!["--format=raw".to_string(), "-c".to_string()];
        args.extend(simple.iter().map(xz_option));
        args.push(lzma_opt.to_string());
        let theirs = run_reference(&xz, &args, &data).expect("reference encoder failed");
        let mut e = raw_encoder(chain).unwrap();
        let ours = run(&mut e, &data, usize::MAX, 1 << 20);
        if let Some(i) = ours.iter().zip(&theirs).position(|(a, b)| a != b) {
            panic!(
                "{chain:?}: first difference at byte {i} (ours {} bytes, theirs {})",
                ours.len(),
                theirs.len()
            );
        }
        assert_eq!(ours.len(), theirs.len(), "{chain:?}");
        let mut e = raw_encoder(chain).unwrap();
        assert!(
            run(&mut e, &data, 1000, 333) == ours,
            "{chain:?}: chunking changes the output"
        );
        let mut d = raw_decoder(chain, u64::MAX).unwrap();
        assert!(
            run(&mut d, &ours, 4096, 4096) == data,
            "{chain:?}: round trip"
        );
    }
}

#[test]
fn raw_encoder_sync_flush_through_delta() {
    use super::chain::{raw_decoder, raw_encoder};
    let chain = [
        Filter::Delta { distance: 2 },
        Filter::Lzma2(LzmaOptions::preset(1, false).unwrap()),
    ];
    let data = compressible(None, 50_000, 3);
    let (first, second) = data.split_at(20_000);
    let mut e = raw_encoder(&chain).unwrap();
    let mut stream = Vec::new();
    let mut out = vec![0u8; 4096];
    for (part, action) in [(first, Action::SyncFlush), (second, Action::Finish)] {
        let mut pos = 0;
        loop {
            let p = e.code(&part[pos..], &mut out, action).unwrap();
            pos += p.consumed;
            stream.extend_from_slice(&out[..p.produced]);
            if p.status == Status::StreamEnd {
                break;
            }
        }
        assert_eq!(pos, part.len());
        if action == Action::SyncFlush {
            // Everything given so far decodes from what came out so far.
            let mut d = raw_decoder(&chain, u64::MAX).unwrap();
            let mut buf = vec![0u8; data.len()];
            let p = d.code(&stream, &mut buf, Action::Run).unwrap();
            assert_eq!(&buf[..p.produced], first);
        }
    }
    let mut d = raw_decoder(&chain, u64::MAX).unwrap();
    assert!(run(&mut d, &stream, 777, 999) == data);
    // A BCJ filter in the chain refuses to flush, as in liblzma.
    let mut e = raw_encoder(&[bcj(BcjArch::X86, 0), chain[1].clone()]).unwrap();
    assert!(matches!(
        e.code(first, &mut out, Action::SyncFlush),
        Err(Error::Unsupported(_))
    ));
}

#[test]
fn coders_are_send() {
    fn send<T: Send>() {}
    send::<super::chain::RawDecoder>();
    send::<super::chain::RawEncoder>();
}

/// x86 data dense in `E8`/`E9` opcodes and `00`/`FF` bytes, so candidates overlap and the
/// converter's history of recent candidates decides: compared with the reference end to end.
#[test]
fn x86_dense_candidates_match_reference() {
    use super::chain::{raw_decoder, raw_encoder};
    let Some(xz) = reference() else { return };
    let mut r = Rng(0xE8E9);
    let alphabet = [0xE8, 0xE9, 0x00, 0xFF, 0x0F, 0x80];
    for (start, len) in [(0u32, 100_000usize), (7, 33_333), (0xFFFF_FFF0, 20_000)] {
        let data: Vec<u8> = (0..len)
            .map(|_| {
                let x = r.next();
                if x % 3 == 0 {
                    r.byte()
                } else {
                    alphabet[(x >> 8) as usize % alphabet.len()]
                }
            })
            .collect();
        let chain = [
            bcj(BcjArch::X86, start),
            Filter::Lzma2(LzmaOptions::preset(0, false).unwrap()),
        ];
        let args: Vec<String> = [
            "--format=raw",
            "-c",
            &xz_option(&chain[0]),
            "--lzma2=preset=0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let theirs = run_reference(&xz, &args, &data).expect("reference encoder failed");
        let ours = run(&mut raw_encoder(&chain).unwrap(), &data, 1, 1 << 16);
        assert!(
            ours == theirs,
            "x86 start {start:#x}: output differs from the reference"
        );
        let back = run(
            &mut raw_decoder(&chain, u64::MAX).unwrap(),
            &theirs,
            4096,
            3,
        );
        assert!(back == data, "x86 start {start:#x}: round trip");
        // The filter alone also matches, one byte at a time in both directions.
        let filtered = encode(&chain[..1], &data, 1, 1);
        assert_eq!(decode(&chain[..1], &filtered, 1, 1), data);
    }
}

/// Every architecture with densely planted instructions, whole raw streams compared with the
/// reference (LZMA2 preset 0), fed one byte at a time.
#[test]
fn dense_instructions_match_reference() {
    use super::chain::raw_encoder;
    let Some(xz) = reference() else { return };
    for arch in ALL_ARCHES {
        let data = sample(Some(arch), 60_000, arch.filter_id() as u32 * 77, 2);
        let chain = [
            bcj(arch, 0),
            Filter::Lzma2(LzmaOptions::preset(0, false).unwrap()),
        ];
        let args: Vec<String> = [
            "--format=raw",
            "-c",
            &xz_option(&chain[0]),
            "--lzma2=preset=0",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let Some(theirs) = run_reference(&xz, &args, &data) else {
            eprintln!("skipping {arch:?}: the reference cannot encode it");
            continue;
        };
        let ours = run(&mut raw_encoder(&chain).unwrap(), &data, 1, 1 << 16);
        assert!(
            ours == theirs,
            "{arch:?}: output differs from the reference"
        );
    }
}

// What comes out before an error. liblzma's BCJ wrapper (`simple_coder.c`) returns at once
// when the filter behind it reports an error: the bytes that filter wrote in that call,
// and the held-back tail copied in front of them, have already been counted as output but
// are not converted. Its Delta decoder converts what it got in any case. Running out of
// input is different: liblzma sees no error there, only a call without progress, so the
// data is converted as usual and the held-back tail never comes out.

/// Decodes the raw LZMA2 `stream` through `chain` (LZMA2 appended) with all input at once
/// and 64 KiB of output per call: the output of the successful calls and the error.
fn decode_until_error(chain: &[Filter], stream: &[u8]) -> (Vec<u8>, Option<Error>) {
    use super::chain::raw_decoder;
    let mut filters = chain.to_vec();
    filters.push(Filter::Lzma2(LzmaOptions::preset(0, false).unwrap()));
    let mut dec = raw_decoder(&filters, u64::MAX).unwrap();
    let (mut out, mut pos, mut buf) = (Vec::new(), 0, vec![0u8; 1 << 16]);
    for _ in 0..100 {
        match dec.code(&stream[pos..], &mut buf, Action::Finish) {
            Ok(p) => {
                pos += p.consumed;
                out.extend_from_slice(&buf[..p.produced]);
                if p.status == Status::StreamEnd {
                    return (out, None);
                }
            }
            Err(e) => return (out, Some(e)),
        }
    }
    panic!("decoder made no progress");
}

/// An LZMA2 stream of stored chunks holding `data` (at most 64 KiB), cut before its end
/// byte, and then `tail` (e.g. an invalid control byte).
fn stored_lzma2_then(data: &[u8], tail: &[u8]) -> Vec<u8> {
    let mut s = stored_lzma2(data);
    s.pop();
    s.extend_from_slice(tail);
    s
}

/// LZMA2 control byte 0x03 is invalid: the LZMA2 decoder reports corrupt data there.
const BAD_CONTROL: u8 = 0x03;

#[test]
fn bcj_leaves_bytes_unconverted_when_corruption_follows() {
    // Eight zero bytes, ARM64 `BL +8` (0x94000002) at offset 8, seven zero bytes: a stored
    // chunk of 19 bytes, then an invalid control byte. Without the error the decoder turns
    // the BL into 0x94000000 (absolute word 2 minus position 8/4) and holds back the last
    // three bytes until the end.
    let mut data = vec![0u8; 8];
    data.extend_from_slice(&0x9400_0002u32.to_le_bytes());
    data.extend_from_slice(&[0; 7]);
    let arm64 = [bcj(BcjArch::Arm64, 0)];

    let (out, err) = decode_until_error(&arm64, &stored_lzma2_then(&data, &[0x00]));
    assert_eq!(
        (&out[8..12], err),
        (&0x9400_0000u32.to_le_bytes()[..], None)
    );

    // Corrupt: all 19 bytes come out unconverted (the chunk and the error came in the
    // same call), then the error.
    let (out, err) = decode_until_error(&arm64, &stored_lzma2_then(&data, &[BAD_CONTROL]));
    assert_eq!(out, data);
    assert!(matches!(err, Some(Error::Corrupt(_))), "{err:?}");

    // The fuzzer's chain, ARM64 then Delta distance 3: the Delta decoder still converts
    // (byte i plus byte i - 3), the ARM64 decoder does not.
    let chain = [bcj(BcjArch::Arm64, 0), Filter::Delta { distance: 3 }];
    let (out, err) = decode_until_error(&chain, &stored_lzma2_then(&data, &[BAD_CONTROL]));
    let mut delta_decoded = data.clone();
    for i in 3..delta_decoded.len() {
        delta_decoded[i] = delta_decoded[i].wrapping_add(delta_decoded[i - 3]);
    }
    assert_eq!(out, delta_decoded);
    assert!(matches!(err, Some(Error::Corrupt(_))), "{err:?}");

    // Truncated (no end byte): converted as usual, the three held-back bytes are lost.
    let (out, err) = decode_until_error(&arm64, &stored_lzma2_then(&data, &[]));
    assert_eq!(out.len(), 16);
    assert_eq!(&out[8..12], &0x9400_0000u32.to_le_bytes());
    assert!(matches!(err, Some(Error::Truncated)), "{err:?}");
}

#[test]
fn held_back_tail_comes_out_when_the_next_call_fails() {
    // First call: 19 bytes of a stored chunk arrive with `Run` (more input to come); the
    // ARM64 stage converts 16 and keeps 3. Second call: the next byte is an invalid
    // control byte, and the failing call hands on the 3 held bytes unconverted.
    let mut data = vec![0u8; 8];
    data.extend_from_slice(&0x9400_0002u32.to_le_bytes());
    data.extend_from_slice(&[0xAA; 7]);
    let stream = stored_lzma2_then(&data, &[BAD_CONTROL]);
    let mut filters = vec![bcj(BcjArch::Arm64, 0)];
    filters.push(Filter::Lzma2(LzmaOptions::preset(0, false).unwrap()));
    let mut dec = super::chain::raw_decoder(&filters, u64::MAX).unwrap();
    let mut buf = [0u8; 64];
    let split = stream.len() - 1;
    let p = dec.code(&stream[..split], &mut buf, Action::Run).unwrap();
    assert_eq!((p.consumed, p.produced), (split, 16));
    assert_eq!(&buf[8..12], &0x9400_0000u32.to_le_bytes());
    let p = dec
        .code(&stream[split..], &mut buf, Action::Finish)
        .unwrap();
    assert_eq!(&buf[..p.produced], &[0xAA; 3]);
    assert!(matches!(
        dec.code(&stream[split..], &mut buf, Action::Finish),
        Err(Error::Corrupt(_))
    ));
}

#[test]
fn output_before_errors_matches_reference() {
    let Some(xz) = reference() else { return };
    for arch in ALL_ARCHES {
        // Instruction-dense pseudo-random code whose length is no multiple of any
        // alignment (a tail is held back), in two stored chunks.
        let data = sample(Some(arch), 2003, 41, 2);
        let chains = [
            vec![bcj(arch, 0)],
            vec![bcj(arch, 0), Filter::Delta { distance: 3 }],
            vec![Filter::Delta { distance: 3 }, bcj(arch, 0)],
            vec![bcj(arch, 0), bcj(BcjArch::X86, 0)],
        ];
        for chain in &chains {
            let mut stream = stored_lzma2(&data[..1000]);
            stream.pop();
            stream.extend_from_slice(&stored_lzma2(&data[1000..])[..]);
            stream[1003] = 0x02; // the second chunk continues the dictionary
            for (tail, what) in [(&[BAD_CONTROL][..], "corrupt"), (&[][..], "truncated")] {
                let mut s = stream.clone();
                s.pop();
                s.extend_from_slice(tail);
                let mut args = reference_args(chain, true);
                args.retain(|a| a != "-c");
                args.push("-c".into());
                let Some((theirs, ok)) = run_reference_any(&xz, &args, &s) else {
                    continue;
                };
                let (ours, err) = decode_until_error(chain, &s);
                assert!(!ok && err.is_some(), "{chain:?} {what}: both must fail");
                assert!(
                    ours == theirs,
                    "{chain:?} {what}: output differs from the reference at byte {} (ours {}, theirs {} bytes)",
                    ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count(),
                    ours.len(),
                    theirs.len()
                );
            }
        }
    }
}

/// Runs the reference with `args` on `input`: its output and whether it succeeded; `None`
/// if it cannot run or does not know an option (an older xz without RISC-V).
fn run_reference_any(xz: &str, args: &[String], input: &[u8]) -> Option<(Vec<u8>, bool)> {
    let mut child = Command::new(xz)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().ok()?;
    let _ = writer.join();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("unrecognized option") || stderr.contains("nvalid") {
        eprintln!("reference cannot run {args:?}");
        return None;
    }
    Some((out.stdout, out.status.success()))
}

#[test]
fn corrupt_lzma1_streams_match_reference() {
    // The fuzzer's chain: ARM64, Delta distance 3, LZMA1 lc=1 lp=0 pb=0. Our encoder
    // compresses instruction-dense ARM64 code; then one byte of the compressed stream is
    // changed at a time (bits flipped) and both decoders run on the result.
    use super::chain::raw_encoder;
    let Some(xz) = reference() else { return };
    let lzma1 = Filter::Lzma1(LzmaOptions {
        lc: 1,
        lp: 0,
        pb: 0,
        dict_size: 1 << 16,
        ..LzmaOptions::preset(1, false).unwrap()
    });
    let chains = [
        vec![bcj(BcjArch::Arm64, 0), Filter::Delta { distance: 3 }],
        vec![bcj(BcjArch::X86, 0)],
        vec![Filter::Delta { distance: 3 }, bcj(BcjArch::Arm, 0)],
    ];
    for pre in chains {
        let mut filters = pre.clone();
        filters.push(lzma1.clone());
        let data = sample(
            pre.iter().find_map(|f| match f {
                Filter::Bcj { arch, .. } => Some(*arch),
                _ => None,
            }),
            1501,
            5,
            2,
        );
        let mut enc = raw_encoder(&filters).unwrap();
        let packed = run(&mut enc, &data, usize::MAX, 1 << 16);
        let mut args = vec!["--format=raw".to_string(), "-dc".to_string()];
        args.extend(pre.iter().map(xz_option));
        args.push("--lzma1=lc=1,lp=0,pb=0,dict=64KiB".into());
        let mut r = Rng(77);
        for round in 0..32 {
            let mut s = packed.clone();
            let at = 5 + (r.next() as usize) % (s.len() - 5);
            if round % 4 == 3 {
                // Cut short instead: converted as usual, the held-back tail is lost.
                s.truncate(at);
            } else {
                s[at] ^= (r.byte() | 1) & 0x7F;
            }
            let Some((theirs, _)) = run_reference_any(&xz, &args, &s) else {
                return;
            };
            let mut dec = super::chain::raw_decoder(&filters, u64::MAX).unwrap();
            let (mut ours, mut pos, mut buf) = (Vec::new(), 0, vec![0u8; 1 << 16]);
            while let Ok(p) = dec.code(&s[pos..], &mut buf, Action::Finish) {
                pos += p.consumed;
                ours.extend_from_slice(&buf[..p.produced]);
                if p.status == Status::StreamEnd {
                    break;
                }
            }
            let n = ours.len().min(theirs.len());
            let same = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
            assert!(
                same == n && ours.len() == theirs.len(),
                "{pre:?} round {round} (byte {at}): output differs at byte {same} (ours {}, theirs {} bytes)",
                ours.len(),
                theirs.len()
            );
        }
    }
}
