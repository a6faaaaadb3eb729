//! .lzma, lzip, raw and auto-detection against XZ Utils. lzip files are built here from
//! the reference's raw LZMA1 output (the reference cannot write lzip).
#![forbid(unsafe_code)]

mod common;

use lzma_core::alone::AloneDecoder;
use lzma_core::auto::{detect_format, AutoDecoder, Format};
use lzma_core::lzip::LzipDecoder;
use lzma_core::oneshot::run as run_coder;
use lzma_core::{DecoderOptions, Error, Filter, LzmaOptions};
use std::io::Read;
use common::*;

/// Raw LZMA1 (lc=3, lp=0, pb=2, with end marker) from the reference.
fn raw_lzma1(xz: &std::path::Path, data: &[u8], dict: &str) -> Vec<u8> {
    let opt = format!("--lzma1=preset=6,dict={dict}");
    ref_compress(xz, &["--format=raw", &opt], data)
}

/// One lzip member: "LZIP", version, coded dictionary size, LZMA1 data, then CRC32 and
/// uncompressed size (and member size in version 1), little endian.
fn lzip_member(version: u8, dict_byte: u8, lzma: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = b"LZIP".to_vec();
    m.push(version);
    m.push(dict_byte);
    m.extend_from_slice(lzma);
    m.extend_from_slice(&lzma_core::check::crc32(data).to_le_bytes());
    m.extend_from_slice(&(data.len() as u64).to_le_bytes());
    if version == 1 {
        let size = m.len() as u64 + 8;
        m.extend_from_slice(&size.to_le_bytes());
    }
    m
}

#[test]
fn lzma_alone_from_reference() {
    let Some(xz) = need_reference() else { return };
    for data in [Vec::new(), text_bytes(100_000, 1), random_bytes(30_000, 2)] {
        for preset in ["-0", "-6", "-9e"] {
            let c = ref_compress(&xz, &["--format=lzma", preset], &data);
            let mut d = AloneDecoder::new(&DecoderOptions::default());
            assert_eq!(run_coder(&mut d, &c).unwrap(), data);
            let mut a = AutoDecoder::new(DecoderOptions::default());
            assert_eq!(run_coder(&mut a, &c).unwrap(), data);
            assert_eq!(a.format(), Some(Format::Lzma));
            assert_eq!(detect_format(&c), Some(Format::Lzma));
        }
    }
}

#[test]
fn lzma_alone_known_size_and_errors() {
    let Some(xz) = need_reference() else { return };
    let data = text_bytes(40_000, 3);
    let raw = raw_lzma1(&xz, &data, "1MiB");
    // Known size, data still ending with an end marker (allowed).
    let mut f = vec![0x5D];
    f.extend_from_slice(&(1u32 << 20).to_le_bytes());
    f.extend_from_slice(&(data.len() as u64).to_le_bytes());
    f.extend_from_slice(&raw);
    let mut d = AloneDecoder::new(&DecoderOptions::default());
    assert_eq!(run_coder(&mut d, &f).unwrap(), data);
    let (code, out, _) = run(&xz, &["-dc", "--format=lzma"], &f);
    assert_eq!((code, out), (0, data.clone()));
    // A size one too large: the data ends early.
    let mut g = f.clone();
    g[5..13].copy_from_slice(&(data.len() as u64 + 1).to_le_bytes());
    let e = run_coder(&mut AloneDecoder::new(&DecoderOptions::default()), &g).unwrap_err();
    let (_, _, err) = run(&xz, &["-dc", "--format=lzma"], &g);
    assert_eq!(Some(e.to_string().as_str()), ref_message(&err), "{e:?}");
    // Truncated.
    let e = run_coder(&mut AloneDecoder::new(&DecoderOptions::default()), &f[..f.len() - 3]).unwrap_err();
    assert_eq!(e, Error::Truncated);
    // Memory limit, before allocating: the needed amount is reported.
    let mut d = AloneDecoder::new(&DecoderOptions::new().memlimit(100_000));
    match run_coder(&mut d, &f) {
        Err(Error::MemLimit { needed, .. }) => assert!(needed > 1 << 20),
        other => panic!("{other:?}"),
    }
}

#[test]
fn lzip_members_trailers_and_trailing_data() {
    let Some(xz) = need_reference() else { return };
    let a = text_bytes(30_000, 4);
    let b = random_bytes(5000, 5);
    // 0x14 = 2^20 (1 MiB), 0x17 = 8 MiB.
    let ma = lzip_member(1, 0x14, &raw_lzma1(&xz, &a, "1MiB"), &a);
    let mb = lzip_member(0, 0x17, &raw_lzma1(&xz, &b, "8MiB"), &b);
    let mut f = ma.clone();
    f.extend_from_slice(&mb);
    let mut both = a.clone();
    both.extend_from_slice(&b);
    let mut d = LzipDecoder::new(&DecoderOptions::default());
    assert_eq!(run_coder(&mut d, &f).unwrap(), both);
    assert_eq!(d.members_decoded(), 2);
    let (code, out, err) = run(&xz, &["-dc"], &f);
    assert_eq!((code, out), (0, both.clone()), "{err}");
    // Only the first member.
    let mut d = LzipDecoder::new(&DecoderOptions::new().single_stream(true));
    assert_eq!(run_coder(&mut d, &f).unwrap(), a);
    // Trailing garbage after a member is ignored (xz too).
    let mut t = f.clone();
    t.extend_from_slice(b"Trailing garbage");
    assert_eq!(run_coder(&mut LzipDecoder::new(&DecoderOptions::default()), &t).unwrap(), both);
    let (code, out, _) = run(&xz, &["-dc"], &t);
    assert_eq!((code, out), (0, both.clone()));
    // Damaged trailers: CRC32, size, member size.
    for pos in [ma.len() - 20, ma.len() - 16, ma.len() - 8, ma.len() - 1] {
        let mut m = f.clone();
        m[pos] ^= 0x01;
        let e = run_coder(&mut LzipDecoder::new(&DecoderOptions::default()), &m).unwrap_err();
        let (code, _, err) = run(&xz, &["-dc"], &m);
        assert_eq!(code, 1);
        assert_eq!(Some(e.to_string().as_str()), ref_message(&err), "{e:?} at {pos}");
        if pos == ma.len() - 20 {
            let ok = LzipDecoder::new(&DecoderOptions::new().ignore_check(true));
            assert_eq!(run_coder(&mut { ok }, &m).unwrap(), both);
        }
    }
    // Unsupported version, bad dictionary byte.
    let mut m = f.clone();
    m[4] = 2;
    let e = run_coder(&mut LzipDecoder::new(&DecoderOptions::default()), &m).unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)));
    let (_, _, err) = run(&xz, &["-dc"], &m);
    assert_eq!(Some(e.to_string().as_str()), ref_message(&err));
    let mut m = f.clone();
    m[5] = 0x1E;
    let e = run_coder(&mut LzipDecoder::new(&DecoderOptions::default()), &m).unwrap_err();
    let (_, _, err) = run(&xz, &["-dc"], &m);
    assert_eq!(Some(e.to_string().as_str()), ref_message(&err));
    // Detection.
    assert_eq!(detect_format(&f), Some(Format::Lzip));
}

#[test]
fn raw_chains_from_reference() {
    let Some(xz) = need_reference() else { return };
    let data = text_bytes(60_000, 6);
    let cases: [(&[&str], Vec<Filter>); 3] = [
        (&["--lzma2=preset=1"], vec![Filter::Lzma2(LzmaOptions::preset(1, false).unwrap())]),
        (&["--lzma1=preset=6"], vec![Filter::Lzma1(LzmaOptions::preset(6, false).unwrap())]),
        (
            &["--delta=dist=4", "--lzma2=preset=0"],
            vec![Filter::Delta { distance: 4 }, Filter::Lzma2(LzmaOptions::preset(0, false).unwrap())],
        ),
    ];
    for (args, chain) in cases {
        let mut a = vec!["--format=raw"];
        a.extend_from_slice(args);
        let c = ref_compress(&xz, &a, &data);
        let mut r = lzma_core::read::RawDecoder::new(&c[..], &chain).unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data, "{args:?}");
    }
}

#[test]
fn read_adapters_over_all_formats() {
    let Some(xz) = need_reference() else { return };
    let data = text_bytes(80_000, 7);
    let cx = ref_compress(&xz, &["-T1", "-3"], &data);
    let cl = ref_compress(&xz, &["--format=lzma", "-3"], &data);
    for c in [&cx, &cl] {
        let mut r = lzma_core::read::AutoDecoder::new(&c[..]);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
    }
    let mut r = lzma_core::read::XzDecoder::new(&cx[..]);
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    assert_eq!(out, data);
    let mut r = lzma_core::read::LzmaDecoder::new(&cl[..]);
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    assert_eq!(out, data);
    // Write-side decoders, fed in small pieces.
    use std::io::Write;
    let mut w = lzma_core::write::XzDecoder::new(Vec::new());
    for chunk in cx.chunks(77) {
        w.write_all(chunk).unwrap();
    }
    assert_eq!(w.finish().unwrap(), data);
    // The bufread decoder leaves what follows a single stream in the reader.
    let mut two = cx.clone();
    two.extend_from_slice(b"after");
    let mut r = lzma_core::bufread::XzDecoder::with_options(&two[..], DecoderOptions::new().single_stream(true));
    let mut out = Vec::new();
    r.read_to_end(&mut out).unwrap();
    assert_eq!(out, data);
    assert_eq!(r.into_inner(), b"after");
    // Auto-detection rejects trailing data after .lzma (xz: corrupt data).
    let mut t = cl.clone();
    t.extend_from_slice(b"x");
    let e = run_coder(&mut AutoDecoder::new(DecoderOptions::default()), &t).unwrap_err();
    let (_, _, err) = run(&xz, &["-dc"], &t);
    assert_eq!(Some(e.to_string().as_str()), ref_message(&err));
}

/// Everything `coder` writes for `input` (given whole with `Finish`) into buffers of
/// `out_chunk` bytes, up to and including the call that fails.
fn partial_output(coder: &mut dyn lzma_core::Coder, input: &[u8], out_chunk: usize) -> Vec<u8> {
    use lzma_core::{Action, Status};
    let mut out = Vec::new();
    let mut buf = vec![0u8; out_chunk];
    let mut pos = 0;
    for _ in 0..1_000_000 {
        match coder.code(&input[pos..], &mut buf, Action::Finish) {
            Ok(p) => {
                out.extend_from_slice(&buf[..p.produced]);
                pos += p.consumed;
                if p.status == Status::StreamEnd || (p.consumed == 0 && p.produced == 0) {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    out
}

/// .lzma and lzip files damaged inside the LZMA data give exactly the partial output of
/// XZ Utils before the error, whether the output buffer is large or one byte.
#[test]
fn damaged_lzma_data_gives_the_references_partial_output() {
    let Some(xz) = need_reference() else { return };
    let data = text_bytes(30_000, 11);
    let lzma = ref_compress(&xz, &["--format=lzma", "-1"], &data);
    let lz = lzip_member(1, 0x10, &raw_lzma1(&xz, &data, "64KiB"), &data);
    let mut failures = Vec::new();
    for (fmt, file) in [("lzma", &lzma), ("lzip", &lz)] {
        for k in 0..60 {
            let pos = 20 + (file.len() - 40) * k / 60;
            let mut d = file.clone();
            d[pos] ^= 1 << (k % 8);
            let (code, want, _) = run(&xz, &["-dc", &format!("--format={fmt}")], &d);
            if code == 0 {
                continue;
            }
            for out_chunk in [1 << 16, 1] {
                let got = if fmt == "lzma" {
                    partial_output(&mut AloneDecoder::new(&DecoderOptions::default()), &d, out_chunk)
                } else {
                    partial_output(&mut LzipDecoder::new(&DecoderOptions::default()), &d, out_chunk)
                };
                if got != want {
                    failures.push(format!("{fmt} byte {pos} bit {}: reference {} bytes, ours {} (buffer {out_chunk})", k % 8, want.len(), got.len()));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
