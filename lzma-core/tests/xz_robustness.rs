//! Hand-built .xz streams (unsupported checks, reserved bits) and damaged input: typed
//! errors, never a panic, and the same answer as XZ Utils where one is available.
#![forbid(unsafe_code)]

mod common;

use lzma_core::xz::block_header::BlockHeader;
use lzma_core::xz::index::{self, IndexRecord};
use lzma_core::xz::stream_flags::{self, StreamFlags};
use lzma_core::xz::XzDecoder;
use lzma_core::{Action, Coder, DecoderOptions, Error, Filter, LzmaOptions, Status};
use common::*;

/// LZMA2 data holding `data` as uncompressed chunks (control 1 = dictionary reset, then 2),
/// each with a big-endian size minus one, and the end byte 0.
fn lzma2_stored(data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    for (k, c) in data.chunks(65536).enumerate() {
        v.push(if k == 0 { 1 } else { 2 });
        v.extend_from_slice(&((c.len() - 1) as u16).to_be_bytes());
        v.extend_from_slice(c);
    }
    v.push(0);
    v
}

/// One stream with the given raw check ID and one block per item of `blocks`; the check
/// field of each block is `check_byte` repeated (right for no real check).
fn build_stream(check_id: u8, blocks: &[&[u8]], sizes_in_header: bool, check_byte: u8) -> Vec<u8> {
    let flags = StreamFlags::from_check_id(check_id).unwrap();
    let mut out = stream_flags::encode_header(flags).to_vec();
    let mut records = Vec::new();
    for data in blocks {
        let body = lzma2_stored(data);
        let mut h = BlockHeader::new(vec![Filter::Lzma2(LzmaOptions { dict_size: 1 << 20, ..LzmaOptions::default() })]);
        if sizes_in_header {
            h.compressed_size = Some(body.len() as u64);
            h.uncompressed_size = Some(data.len() as u64);
        }
        let hb = h.encode().unwrap();
        out.extend_from_slice(&hb);
        out.extend_from_slice(&body);
        while (out.len() - 12) % 4 != 0 {
            out.push(0);
        }
        out.extend(std::iter::repeat(check_byte).take(flags.check_size()));
        records.push(IndexRecord {
            unpadded_size: (hb.len() + body.len() + flags.check_size()) as u64,
            uncompressed_size: data.len() as u64,
        });
    }
    let idx = index::encode(&records).unwrap();
    out.extend_from_slice(&idx);
    out.extend_from_slice(&stream_flags::encode_footer(flags, idx.len() as u64).unwrap());
    out
}

#[test]
fn unsupported_check_ids_decode_with_a_warning() {
    let a = random_bytes(1000, 1);
    let b = random_bytes(70_000, 2);
    for id in [2u8, 3, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15] {
        let f = build_stream(id, &[&a, &b], id % 2 == 0, 0xA5);
        let mut d = XzDecoder::new(DecoderOptions::default());
        let out = lzma_core::oneshot::run(&mut d, &f).unwrap();
        assert_eq!(out.len(), a.len() + b.len());
        assert!(d.unsupported_check(), "check {id}");
        assert_eq!(d.check(), None);
        if let Some(xz) = reference() {
            let (code, refout, err) = run(&xz, &["-dc"], &f);
            assert_eq!(code, 2, "{err}");
            assert!(err.contains("Unsupported type of integrity check"), "{err}");
            assert_eq!(refout, out);
        }
    }
    // Supported checks do not warn.
    let f = build_stream(0, &[&a], false, 0);
    let mut d = XzDecoder::new(DecoderOptions::default());
    lzma_core::oneshot::run(&mut d, &f).unwrap();
    assert!(!d.unsupported_check());
}

#[test]
fn reserved_stream_flags_are_unsupported() {
    let mut f = build_stream(1, &[b"x"], false, 0);
    // Check ID field with a reserved high nibble, header CRC32 recomputed.
    f[7] = 0x11;
    let crc = lzma_core::check::crc32(&f[6..8]).to_le_bytes();
    f[8..12].copy_from_slice(&crc);
    let e = lzma_core::decompress(&f).unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e:?}");
    if let Some(xz) = reference() {
        let (code, _, err) = run(&xz, &["-dc"], &f);
        assert_eq!(code, 1);
        assert_eq!(ref_message(&err), Some(e.to_string().as_str()));
    }
}

#[test]
fn wrong_check_value_and_ignore_check() {
    let data = random_bytes(5000, 3);
    let mut f = build_stream(1, &[&data], true, 0);
    // The CRC32 field is zero: wrong.
    assert!(matches!(lzma_core::decompress(&f), Err(Error::CheckMismatch { .. })));
    let out = lzma_core::decompress_with(&f, &DecoderOptions::new().ignore_check(true)).unwrap();
    assert_eq!(out, data);
    // Write the right CRC32 (just before the index) and it decodes.
    let crc = lzma_core::check::crc32(&data).to_le_bytes();
    let idx_len = {
        let info = lzma_core::xz::info::parse(&mut std::io::Cursor::new(&f), &Default::default()).unwrap();
        info.streams[0].index_size as usize
    };
    let check_at = f.len() - 12 - idx_len - 4;
    f[check_at..check_at + 4].copy_from_slice(&crc);
    assert_eq!(lzma_core::decompress(&f).unwrap(), data);
}

#[test]
fn sizes_in_header_must_match() {
    let data = random_bytes(300, 4);
    let good = build_stream(0, &[&data], true, 0);
    assert_eq!(lzma_core::decompress(&good).unwrap(), data);
    // Uncompressed size in the header one too small (the header is rebuilt with its CRC).
    let body = lzma2_stored(&data);
    let mut h = BlockHeader::new(vec![Filter::Lzma2(LzmaOptions { dict_size: 1 << 20, ..LzmaOptions::default() })]);
    h.compressed_size = Some(body.len() as u64);
    h.uncompressed_size = Some(data.len() as u64 - 1);
    let hb = h.encode().unwrap();
    let mut bad = good.clone();
    bad[12..12 + hb.len()].copy_from_slice(&hb);
    let e = lzma_core::decompress(&bad).unwrap_err();
    assert!(matches!(e, Error::Corrupt(_)), "{e:?}");
    if let Some(xz) = reference() {
        let (_, _, err) = run(&xz, &["-dc"], &bad);
        assert_eq!(ref_message(&err), Some(e.to_string().as_str()));
    }
}

#[test]
fn memlimit_error_is_recoverable() {
    let data = random_bytes(200_000, 5);
    let f = build_stream(0, &[&data[..100_000], &data[100_000..]], false, 0);
    let mut d = XzDecoder::new(DecoderOptions::new().memlimit(1000));
    let mut out = Vec::new();
    let mut buf = vec![0u8; 4096];
    let mut pos = 0;
    let mut limit_hits = 0;
    loop {
        match d.code(&f[pos..], &mut buf, Action::Finish) {
            Ok(p) => {
                pos += p.consumed;
                out.extend_from_slice(&buf[..p.produced]);
                if p.status == Status::StreamEnd {
                    break;
                }
            }
            Err(Error::MemLimit { needed, limit }) => {
                assert!(needed > 1 << 20 && limit < needed);
                limit_hits += 1;
                d.set_memlimit(needed);
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(limit_hits, 1);
    assert_eq!(out, data);
}

/// Deterministic mutations of a valid multi-block, multi-stream file: no panic, and the
/// output so far is a prefix of the real data when decoding fails.
#[test]
fn mutations_never_panic() {
    let data = random_bytes(20_000, 6);
    let mut f = build_stream(0, &[&data[..7000], &data[7000..]], true, 0);
    f.extend_from_slice(&[0; 4]);
    f.extend_from_slice(&build_stream(0, &[b"tail"], false, 0));
    let mut all = data.clone();
    all.extend_from_slice(b"tail");
    let mut rng = random_bytes(3 * 4000, 7).into_iter();
    let mut next = || rng.next().unwrap_or(0) as usize;
    for round in 0..2000 {
        let mut m = f.clone();
        match round % 4 {
            0 => {
                let p = (next() << 8 | next()) % m.len();
                m[p] ^= 1 << (next() % 8);
            }
            1 => {
                let p = (next() << 8 | next()) % m.len();
                m.truncate(p);
            }
            2 => {
                let p = (next() << 8 | next()) % m.len();
                m[p] = next() as u8;
            }
            _ => {
                let p = (next() << 8 | next()) % m.len();
                m.insert(p, next() as u8);
            }
        }
        let mut d = XzDecoder::new(DecoderOptions::new().memlimit(1 << 30));
        let mut out = Vec::new();
        let mut buf = [0u8; 333];
        let mut pos = 0;
        let res = loop {
            let end = (pos + 1 + next() % 5000).min(m.len());
            let act = if end == m.len() { Action::Finish } else { Action::Run };
            match d.code(&m[pos..end], &mut buf, act) {
                Ok(p) => {
                    pos += p.consumed;
                    out.extend_from_slice(&buf[..p.produced]);
                    if p.status == Status::StreamEnd {
                        break Ok(());
                    }
                }
                Err(e) => break Err(e),
            }
        };
        match res {
            Ok(()) => assert!(out == all || all.starts_with(&out) || out.len() <= all.len() + 1),
            Err(e) => {
                assert!(!matches!(e, Error::Misuse(_)), "round {round}: {e:?}");
                // Once failed, the decoder refuses to continue.
                assert!(d.code(&[], &mut buf, Action::Finish).is_err());
            }
        }
    }
}

#[test]
fn info_rejects_bad_files_without_panicking() {
    use lzma_core::xz::info::{parse, xz_error, InfoOptions};
    let f = build_stream(1, &[b"abc", b"defg"], true, 0);
    let good = parse(&mut std::io::Cursor::new(&f), &InfoOptions { block_headers: true, ..Default::default() }).unwrap();
    assert_eq!(good.block_count(), 2);
    assert_eq!(good.streams[0].blocks[1].uncompressed_offset, 3);
    assert!(good.all_have_sizes());
    for p in 0..f.len() {
        let mut m = f.clone();
        m[p] ^= 0x10;
        let r = parse(&mut std::io::Cursor::new(&m), &InfoOptions { block_headers: true, ..Default::default() });
        if let Err(e) = r {
            assert!(xz_error(&e).is_some(), "byte {p}: {e}");
        }
    }
    for n in 0..f.len() {
        assert!(parse(&mut std::io::Cursor::new(&f[..n]), &InfoOptions::default()).is_err());
    }
    // A tiny memory limit is reported with what is needed.
    let e = parse(&mut std::io::Cursor::new(&f), &InfoOptions { memlimit: 100, block_headers: false }).unwrap_err();
    assert!(matches!(xz_error(&e), Some(Error::MemLimit { .. })));
}

mod roundtrip {
    use super::*;
    use lzma_core::{Check, EncoderOptions};
    use proptest::prelude::*;

    fn check() -> impl Strategy<Value = Check> {
        prop_oneof![Just(Check::None), Just(Check::Crc32), Just(Check::Crc64), Just(Check::Sha256)]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Any data, any block layout, any chunking: the decoder returns the input, and
        /// `--list` parsing agrees with the encoder's index.
        #[test]
        fn container_roundtrip(
            data in proptest::collection::vec(any::<u8>(), 0..40_000),
            check in check(),
            threads in 0u32..3,
            block_size in proptest::option::of(1u64..20_000),
            list in proptest::collection::vec(1u64..15_000, 0..4),
            chunk in 1usize..5000,
            room in 1usize..3000,
        ) {
            let mut opts = EncoderOptions::preset(0).check(check).threads(threads).block_list(list);
            if let Some(bs) = block_size {
                opts = opts.block_size(bs);
            }
            let xz = lzma_core::compress_with(&data, &opts).unwrap();
            let info = lzma_core::xz::info::parse(&mut std::io::Cursor::new(&xz), &Default::default()).unwrap();
            prop_assert_eq!(info.uncompressed_size(), data.len() as u64);
            let mut d = XzDecoder::new(DecoderOptions::default());
            let mut out = Vec::new();
            let mut buf = vec![0u8; room];
            let mut pos = 0;
            loop {
                let end = (pos + chunk).min(xz.len());
                let act = if end == xz.len() { Action::Finish } else { Action::Run };
                let p = d.code(&xz[pos..end], &mut buf, act).unwrap();
                pos += p.consumed;
                out.extend_from_slice(&buf[..p.produced]);
                if p.status == Status::StreamEnd {
                    break;
                }
            }
            prop_assert_eq!(out, data);
        }
    }
}

/// Random bytes behind each format's magic: every front end answers with a result, never
/// a panic, whatever the chunking.
#[test]
fn random_input_behind_every_magic() {
    use lzma_core::alone::AloneDecoder;
    use lzma_core::auto::AutoDecoder;
    use lzma_core::lzip::LzipDecoder;
    let prefixes: [&[u8]; 5] = [
        b"\xFD7zXZ\x00\x00\x01\x69\x22\xDE\x36",
        b"LZIP\x01\x0C",
        b"LZIP\x00\x14",
        b"\x5D\x00\x00\x01\x00\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF",
        b"\x5D\x00\x10\x00\x00\x20\x00\x00\x00\x00\x00\x00\x00",
    ];
    let noise = random_bytes(600_000, 99);
    let opts = DecoderOptions::new().memlimit(64 << 20);
    for k in 0..600 {
        let prefix = prefixes[k % prefixes.len()];
        let len = (noise[k] as usize * 7 + k) % 900;
        let mut input = prefix.to_vec();
        input.extend_from_slice(&noise[k * 900..k * 900 + len]);
        let chunk = 1 + (noise[k + 1] as usize % 64);
        let mut coders: Vec<Box<dyn Coder>> = vec![
            Box::new(AutoDecoder::new(opts.clone())),
            Box::new(XzDecoder::new(opts.clone())),
            Box::new(LzipDecoder::new(&opts)),
            Box::new(AloneDecoder::new(&opts)),
        ];
        for c in coders.iter_mut() {
            let mut buf = [0u8; 97];
            let mut pos = 0;
            let mut finished = false;
            for _ in 0..100_000 {
                let end = (pos + chunk).min(input.len());
                let act = if end == input.len() { Action::Finish } else { Action::Run };
                match c.code(&input[pos..end], &mut buf, act) {
                    Ok(p) => {
                        pos += p.consumed;
                        if p.status == Status::StreamEnd {
                            finished = true;
                            break;
                        }
                    }
                    Err(e) => {
                        assert!(!matches!(e, Error::Misuse(_)), "{e:?}");
                        finished = true;
                        break;
                    }
                }
            }
            assert!(finished, "a decoder stalled on case {k}");
        }
    }
}

/// The error kind of decoding `input` with the given piece sizes (`Ok` if it decodes), or
/// a description of a stall.
fn verdict(make: &dyn Fn() -> Box<dyn Coder>, input: &[u8], in_chunk: usize, out_chunk: usize) -> String {
    let mut d = make();
    let mut buf = vec![0u8; out_chunk];
    let mut pos = 0usize;
    let mut idle = 0;
    loop {
        let end = pos.saturating_add(in_chunk).min(input.len());
        let action = if end == input.len() { Action::Finish } else { Action::Run };
        match d.code(&input[pos..end], &mut buf, action) {
            Err(e) => {
                let kind = format!("{e:?}");
                return kind.split('(').next().unwrap_or("").split(' ').next().unwrap_or("").to_string();
            }
            Ok(p) if p.status == Status::StreamEnd => return "Ok".into(),
            Ok(p) => {
                pos += p.consumed;
                idle = if p.consumed == 0 && p.produced == 0 { idle + 1 } else { 0 };
                if idle > 2 {
                    return format!("stalled at {pos}");
                }
            }
        }
    }
}

/// Every prefix of `file`, whole and with each single bit flipped, gets the same verdict
/// whole, one byte at a time, and into a one-byte buffer. Returns the disagreements.
fn feeding_disagreements(name: &str, make: &dyn Fn() -> Box<dyn Coder>, file: &[u8]) -> Vec<String> {
    let mut bad = Vec::new();
    for cut in 1..=file.len() {
        for flip in std::iter::once(None).chain((0..cut * 8).map(Some)) {
            let mut d = file[..cut].to_vec();
            if let Some(f) = flip {
                d[f / 8] ^= 1 << (f % 8);
            }
            let whole = verdict(make, &d, usize::MAX, 1 << 16);
            for (i, o) in [(1, 1 << 16), (usize::MAX, 1), (3, 2)] {
                let other = verdict(make, &d, i, o);
                if other != whole {
                    bad.push(format!("{name} cut {cut} flip {flip:?}: whole {whole}, in {i} out {o}: {other}"));
                }
            }
        }
    }
    bad
}

/// A lzip member (version 1, 4 KiB dictionary) holding `data`.
fn lzip_member(data: &[u8]) -> Vec<u8> {
    let opts = LzmaOptions { dict_size: 4096, ..LzmaOptions::preset(0, false).unwrap() };
    let lzma = lzma_core::oneshot::run(&mut lzma_core::raw::RawEncoder::new(&[Filter::Lzma1(opts)]).unwrap(), data).unwrap();
    let mut m = b"LZIP\x01\x0C".to_vec();
    m.extend_from_slice(&lzma);
    m.extend_from_slice(&lzma_core::check::crc32(data).to_le_bytes());
    m.extend_from_slice(&(data.len() as u64).to_le_bytes());
    m.extend_from_slice(&(m.len() as u64 + 16).to_le_bytes());
    m
}

/// Truncated and corrupted at once, a file gets the same verdict however it is fed: an
/// error the inner decoder found after some output (and reports on its next call) is not
/// hidden behind "truncated" when all input came in one call; a block whose sizes are in
/// its header is judged by them whether or not the last call made progress; the index is
/// compared with the blocks at the same point whatever the split.
#[test]
fn truncated_and_corrupted_files_get_one_verdict_however_fed() {
    let xz_dec = || -> Box<dyn Coder> { Box::new(XzDecoder::new(DecoderOptions::default())) };
    let lzip_dec = || -> Box<dyn Coder> { Box::new(lzma_core::lzip::LzipDecoder::new(&DecoderOptions::default())) };
    let mut bad = Vec::new();
    // Two blocks with sizes in their headers (stored LZMA2 chunks), no check.
    bad.extend(feeding_disagreements("stored", &xz_dec, &build_stream(0, &[b"sweep", b"x"], true, 0)));
    // LZMA-compressed LZMA2 chunks, CRC32, sizes not in the header.
    let lzma_xz = lzma_core::compress_with(b"sweep sweep", &lzma_core::EncoderOptions::preset(0).check(lzma_core::Check::Crc32)).unwrap();
    bad.extend(feeding_disagreements("lzma2", &xz_dec, &lzma_xz));
    bad.extend(feeding_disagreements("lzip", &lzip_dec, &lzip_member(b"abcabc")));
    assert!(bad.is_empty(), "{} disagreements:\n{}", bad.len(), bad[..bad.len().min(40)].join("\n"));
}

/// The cases above that XZ Utils answers differently from "truncated": a block whose
/// LZMA2 end byte is damaged into a chunk header while the file ends there (its header
/// says the data is complete: corrupt), and an index whose record is wrong but which is
/// cut before its CRC32 (truncated, as liblzma compares records only then).
#[test]
fn truncation_versus_corruption_follows_xz() {
    let file = build_stream(0, &[b"sweep", b"x"], true, 0);
    // Block 1: 12-byte stream header, 12-byte block header, then the stored chunk
    // (1 control + 2 size + 5 data) and the end byte.
    let end_byte = 12 + 12 + 8;
    assert_eq!(file[end_byte], 0);
    let mut d = file[..=end_byte].to_vec();
    d[end_byte] = 1; // a dictionary-reset stored chunk, whose size bytes are missing
    for (i, o) in [(usize::MAX, 64), (1, 64), (1, 1)] {
        assert_eq!(verdict(&|| Box::new(XzDecoder::new(DecoderOptions::default())), &d, i, o), "Corrupt", "in {i} out {o}");
    }
    // The index: indicator, count, (unpadded, uncompressed) per block, padding, CRC32.
    let idx_start = file.len() - 12 - 12;
    assert_eq!(file[idx_start..idx_start + 2], [0, 2]);
    let second_uncompressed = idx_start + 5;
    assert_eq!(file[second_uncompressed], 1);
    let crc_start = file.len() - 12 - 4;
    for cut in second_uncompressed + 1..=crc_start {
        let mut d = file[..cut].to_vec();
        d[second_uncompressed] = 0; // smaller: the running sums do not give it away
        for (i, o) in [(usize::MAX, 64), (1, 64)] {
            let v = verdict(&|| Box::new(XzDecoder::new(DecoderOptions::default())), &d, i, o);
            assert_eq!(v, "Truncated", "cut {cut} in {i} out {o}");
        }
    }
    let mut d = file[..=crc_start].to_vec();
    d[second_uncompressed] = 0;
    assert_eq!(verdict(&|| Box::new(XzDecoder::new(DecoderOptions::default())), &d, usize::MAX, 64), "Corrupt");
    // A record larger than its block is corrupt at once, as liblzma's running sums say.
    let mut d = file[..=second_uncompressed].to_vec();
    d[second_uncompressed] = 2;
    assert_eq!(verdict(&|| Box::new(XzDecoder::new(DecoderOptions::default())), &d, usize::MAX, 64), "Corrupt");
}

/// `file` (one stream, its first block right after the stream header) with the first
/// block's header rewritten to declare `uncompressed` bytes and no compressed size, its
/// CRC32 recomputed. Returns the file and where the block's compressed data starts.
fn with_uncompressed_size(file: &[u8], uncompressed: u64) -> (Vec<u8>, usize) {
    let check_id = file[7] & 0x0F;
    let old_size = (usize::from(file[12]) + 1) * 4;
    let mut h = BlockHeader::decode(&file[12..12 + old_size], check_id).unwrap();
    h.header_size = 0; // the smallest size that fits
    h.compressed_size = None;
    h.uncompressed_size = Some(uncompressed);
    let hb = h.encode().unwrap();
    let mut out = file[..12].to_vec();
    out.extend_from_slice(&hb);
    out.extend_from_slice(&file[12 + old_size..]);
    (out, 12 + hb.len())
}

/// Our verdict on `input`: "Ok" or the error's message (as `xz` prints it).
fn our_message(input: &[u8]) -> String {
    match lzma_core::decompress(input) {
        Ok(_) => "Ok".into(),
        Err(e) => e.to_string(),
    }
}

/// The reference's verdict on `input` in the same terms, if there is a reference.
fn reference_message(xz: &std::path::Path, input: &[u8]) -> String {
    let (code, _, err) = run(xz, &["-dc"], input);
    if code == 0 {
        return "Ok".into();
    }
    ref_message(&err).unwrap_or("?").to_string()
}

/// Checks every cut of `file` from `from` on: our verdict, whole and fed in pieces, is
/// `expect(cut)`, and the reference's (if any) is the same. Returns the disagreements.
fn cuts_follow(name: &str, file: &[u8], from: usize, expect: &dyn Fn(usize) -> &'static str) -> Vec<String> {
    let xz = reference();
    let xz_dec = || -> Box<dyn Coder> { Box::new(XzDecoder::new(DecoderOptions::default())) };
    let mut bad = Vec::new();
    for cut in from..=file.len() {
        let d = &file[..cut];
        let want = expect(cut);
        let ours = our_message(d);
        if ours != want {
            bad.push(format!("{name} cut {cut}: ours {ours}, expected {want}"));
        }
        let whole = verdict(&xz_dec, d, usize::MAX, 1 << 16);
        for (i, o) in [(1, 1 << 16), (usize::MAX, 1), (3, 2), (1, 1)] {
            let other = verdict(&xz_dec, d, i, o);
            if other != whole {
                bad.push(format!("{name} cut {cut}: whole {whole}, in {i} out {o}: {other}"));
            }
        }
        if let Some(xz) = &xz {
            let theirs = reference_message(xz, d);
            if theirs != ours {
                bad.push(format!("{name} cut {cut}: ours {ours}, reference {theirs}"));
            }
        }
    }
    bad
}

const TRUNCATED: &str = "Unexpected end of input";
const CORRUPT: &str = "Compressed data is corrupt";

/// A block whose LZMA2 data holds more than the uncompressed size in its header, cut at
/// every point: as liblzma's block decoder, the filter chain gets output room only up to
/// that size and can still read what needs none, so a file that ends before the chain
/// stops is truncated, and one with input left where it stops is corrupt. Here stored
/// chunks: the chain stops after copying the declared bytes (or, for a size of 0, right
/// after the first control byte, a dictionary reset).
#[test]
fn block_longer_than_its_header_says_stored_chunks() {
    if reference().is_none() {
        eprintln!("reference xz not found (set XZ_REFERENCE or put xz on PATH): comparing with the fixed expectations only");
    }
    let data = text_bytes(40, 7);
    let file = build_stream(0, &[&data], false, 0);
    let mut bad = Vec::new();
    for u in [0u64, 1, 20, 39] {
        let (f, start) = with_uncompressed_size(&file, u);
        // Control byte and two size bytes, then the data.
        let stop = if u == 0 { start + 1 } else { start + 3 + u as usize };
        let expect = |cut: usize| if cut <= stop { TRUNCATED } else { CORRUPT };
        bad.extend(cuts_follow(&format!("stored u={u}"), &f, start, &expect));
    }
    assert!(bad.is_empty(), "{} disagreements:\n{}", bad.len(), bad[..bad.len().min(40)].join("\n"));
}

/// As above with LZMA chunks (our encoder's output), where the chain stops after the
/// first control byte for a size of 0, and otherwise mid-chunk: the verdict is the same
/// however the input is fed, and corrupt once input is left well past the stop.
#[test]
fn block_longer_than_its_header_says_lzma_chunks() {
    let data = text_bytes(3000, 8);
    let file = lzma_core::compress(&data, 6).unwrap();
    let mut bad = Vec::new();
    for u in [0u64, 1, 1000, 2999] {
        let (f, start) = with_uncompressed_size(&file, u);
        let xz_dec = || -> Box<dyn Coder> { Box::new(XzDecoder::new(DecoderOptions::default())) };
        for cut in start..=f.len() {
            let d = &f[..cut];
            let whole = verdict(&xz_dec, d, usize::MAX, 1 << 16);
            for (i, o) in [(1, 1 << 16), (usize::MAX, 1), (3, 2), (1, 1)] {
                let other = verdict(&xz_dec, d, i, o);
                if other != whole {
                    bad.push(format!("lzma u={u} cut {cut}: whole {whole}, in {i} out {o}: {other}"));
                }
            }
        }
        // 0xE0 (dictionary reset, new properties): with no room, the chain stops there.
        if u == 0 {
            assert_eq!(f[start], 0xE0);
            assert_eq!(our_message(&f[..start + 1]), TRUNCATED);
            assert_eq!(our_message(&f[..start + 2]), CORRUPT);
        }
        // Decoding 1000 bytes or fewer takes far less than four fifths of the data.
        if u <= 1000 {
            let far = start + (f.len() - start) / 5 * 4;
            assert_eq!(our_message(&f[..far]), CORRUPT, "u={u}");
        }
        assert_eq!(our_message(&f), CORRUPT, "u={u}");
    }
    assert!(bad.is_empty(), "{} disagreements:\n{}", bad.len(), bad[..bad.len().min(40)].join("\n"));
}

/// The LZMA-chunk case at every cut against the reference. liblzma's LZMA decoder, with
/// no output room left, still decodes the next symbol (up to its write), so a file cut
/// inside that symbol is truncated; ours does the same.
#[test]
fn block_longer_than_its_header_says_lzma_chunks_like_reference() {
    let Some(xz) = reference() else {
        eprintln!("skipped: reference xz not found (set XZ_REFERENCE or put xz on PATH)");
        return;
    };
    let data = text_bytes(3000, 8);
    for preset in [0, 6] {
        let file = lzma_core::compress(&data, preset).unwrap();
        let mut bad = Vec::new();
        for u in [0u64, 1, 1000, 2999] {
            let (f, start) = with_uncompressed_size(&file, u);
            for cut in start..=f.len() {
                let (ours, theirs) = (our_message(&f[..cut]), reference_message(&xz, &f[..cut]));
                if ours != theirs {
                    bad.push(format!("preset {preset} u={u} cut {cut}: ours {ours}, reference {theirs}"));
                }
            }
        }
        assert!(bad.is_empty(), "{} disagreements:\n{}", bad.len(), bad[..bad.len().min(40)].join("\n"));
    }
}

/// Input shorter than the 12-byte stream header is truncated, as liblzma answers (it
/// waits for the whole header before looking at the magic bytes), whatever its bytes;
/// a whole header with wrong magic bytes is another format. Also when the format is
/// detected from the first byte 0xFD.
#[test]
fn short_input_is_truncated_like_liblzma() {
    let good = lzma_core::compress(b"", 6).unwrap();
    let auto = || lzma_core::auto::AutoDecoder::new(DecoderOptions::default());
    for n in 0..12 {
        for input in [good[..n].to_vec(), b"garbagegarb"[..n].to_vec()] {
            let mut d = XzDecoder::new(DecoderOptions::default());
            assert_eq!(lzma_core::oneshot::run(&mut d, &input), Err(Error::Truncated), "{input:?}");
            if input.first() == Some(&0xFD) {
                assert_eq!(lzma_core::oneshot::run(&mut auto(), &input), Err(Error::Truncated), "{input:?}");
            }
        }
    }
    let mut bad = good[..12].to_vec();
    bad[1] ^= 1;
    let mut d = XzDecoder::new(DecoderOptions::default());
    assert!(matches!(lzma_core::oneshot::run(&mut d, &bad), Err(Error::Format(_))));
    assert!(matches!(lzma_core::oneshot::run(&mut auto(), &bad), Err(Error::Format(_))));
}
