//! The `Coder` contract on every decoder and the .xz encoder: nothing is consumed after the
//! end, a failed coder answers `Misuse`, a memory-limit error can be recovered from by
//! raising the limit, memory use is reported, and flushes make everything written so far
//! decodable.
#![forbid(unsafe_code)]

use lzma_core::alone::AloneDecoder;
use lzma_core::lzip::LzipDecoder;
use lzma_core::xz::{XzDecoder, XzEncoder};
use lzma_core::{Action, Coder, DecoderOptions, EncoderOptions, Error, Status};
use xz_corpus::{ErrorClass, Expect, Format, Vector};
use xz_tests::{class_of, drive};

fn decoder(v: &Vector, opts: DecoderOptions) -> Box<dyn Coder> {
    match v.format {
        Format::Xz => Box::new(XzDecoder::new(opts)),
        Format::Lzma => Box::new(AloneDecoder::new(&opts)),
        Format::Lzip => Box::new(LzipDecoder::new(&opts)),
        Format::Auto => Box::new(lzma_core::auto::AutoDecoder::new(opts)),
    }
}

#[test]
fn after_the_end_nothing_is_consumed() {
    let mut failures = Vec::new();
    for v in xz_corpus::all() {
        if !matches!(v.expect, Expect::Output(_)) || v.memlimit.is_some() {
            continue;
        }
        let mut d = decoder(&v, DecoderOptions::new());
        if drive(&mut d, &v.bytes, usize::MAX, 1 << 22, 64 << 20).is_err() {
            continue; // corpus_vectors.rs reports wrong answers
        }
        let mut out = [0u8; 64];
        match d.code(b"\xFD7zXZ\x00more", &mut out, Action::Finish) {
            Ok(p) if p.consumed == 0 && p.produced == 0 => {}
            Ok(p) => failures.push(format!("{}: after the end, consumed {} produced {}", v.name, p.consumed, p.produced)),
            Err(e) => failures.push(format!("{}: after the end, error {e:?}", v.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn after_an_error_the_coder_answers_misuse() {
    let mut failures = Vec::new();
    for v in xz_corpus::all() {
        let Expect::Error(class) = v.expect else { continue };
        if class == ErrorClass::MemLimit {
            continue; // recoverable, see below
        }
        let mut d = decoder(&v, DecoderOptions::new());
        match drive(&mut d, &v.bytes, usize::MAX, 1 << 22, 64 << 20) {
            Err((xz_tests::RunError::Coder(e), _)) if class_of(&e) == Some(class) => {
                let mut out = [0u8; 16];
                match d.code(&v.bytes, &mut out, Action::Finish) {
                    Err(Error::Misuse(_)) => {}
                    other => failures.push(format!("{}: call after {e:?} gave {other:?}", v.name)),
                }
            }
            _ => {} // corpus_vectors.rs reports wrong answers
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Each format's memory-limit vector fails with `MemLimit` (reporting what it needs), and
/// decodes correctly once the limit is raised on the same decoder.
#[test]
fn memlimit_errors_are_recoverable() {
    let data = b"memory limit test data".repeat(10);
    let xz = lzma_core::compress_with(
        &data,
        &EncoderOptions::preset(6).threads(1),
    )
    .expect("compress");
    let mut d = XzDecoder::new(DecoderOptions::new().memlimit(1 << 20));
    let mut out = vec![0u8; 4096];
    let mut pos = 0;
    let mut got = Vec::new();
    let mut hit = false;
    loop {
        match d.code(&xz[pos..], &mut out, Action::Finish) {
            Ok(p) => {
                pos += p.consumed;
                got.extend_from_slice(&out[..p.produced]);
                if p.status == Status::StreamEnd {
                    break;
                }
                assert!(p.consumed > 0 || p.produced > 0, "stalled");
            }
            Err(Error::MemLimit { needed, limit }) => {
                assert!(!hit, "MemLimit twice");
                assert_eq!(limit, 1 << 20);
                assert!(needed > 8 << 20, "preset 6 needs its 8 MiB dictionary, reported {needed}");
                hit = true;
                d.set_memlimit(u64::MAX);
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert!(hit, "a 1 MiB limit must stop preset 6");
    assert_eq!(got, data);
    assert!(d.memusage() > 8 << 20, "memusage {} after decoding with an 8 MiB dictionary", d.memusage());

    for v in xz_corpus::all().into_iter().filter(|v| v.memlimit.is_some()) {
        let Some(limit) = v.memlimit else { continue };
        let opts = DecoderOptions::new().memlimit(limit);
        let r = drive(&mut decoder(&v, opts), &v.bytes, usize::MAX, 1 << 20, 1 << 20);
        match r {
            Err((xz_tests::RunError::Coder(Error::MemLimit { needed, limit: l }), _)) => {
                assert_eq!(l, limit, "{}", v.name);
                assert!(needed > limit, "{}: needed {needed}", v.name);
            }
            other => panic!("{}: expected MemLimit, got {other:?}", v.name),
        }
    }
}

/// `SyncFlush` and `FullFlush` make everything given so far decodable without finishing.
#[test]
fn flushes_make_input_so_far_decodable() {
    let part1 = xz_corpus::gen::text(1, 30_000);
    let part2 = xz_corpus::gen::x86_like(2, 20_000);
    for flush in [Action::SyncFlush, Action::FullFlush] {
        for level in [0, 6] {
            let mut enc = XzEncoder::new(&EncoderOptions::preset(level).threads(1)).expect("encoder");
            let mut compressed = Vec::new();
            let mut buf = vec![0u8; 1 << 16];
            let mut pos = 0;
            // Feed part 1 with the flush until the encoder says the flush is complete.
            loop {
                let p = enc.code(&part1[pos..], &mut buf, flush).expect("flush");
                pos += p.consumed;
                compressed.extend_from_slice(&buf[..p.produced]);
                if p.status == Status::StreamEnd && pos == part1.len() {
                    break;
                }
                assert!(p.consumed > 0 || p.produced > 0, "encoder stalled during {flush:?}");
            }
            // What was written so far decodes to part 1 (the stream is not finished).
            let mut d = XzDecoder::new(DecoderOptions::new());
            let mut out = vec![0u8; part1.len() + 100];
            let mut ip = 0;
            let mut op = 0;
            loop {
                let p = d.code(&compressed[ip..], &mut out[op..], Action::Run).expect("decode");
                ip += p.consumed;
                op += p.produced;
                if p.consumed == 0 && p.produced == 0 {
                    break;
                }
            }
            assert_eq!(op, part1.len(), "{flush:?} at level {level}: decodable prefix");
            assert!(out[..op] == part1[..]);
            // The stream then finishes normally and decodes whole.
            let mut rest = xz_tests::drive(&mut enc, &part2, 5000, 4096, usize::MAX).expect("finish");
            compressed.append(&mut rest);
            let back = lzma_core::decompress(&compressed).expect("decompress");
            assert!(back == [part1.clone(), part2.clone()].concat(), "{flush:?} at level {level}: round trip");
        }
    }
}
