//! The threaded decoder: same output and same verdicts as the single-threaded one.
#![forbid(unsafe_code)]

mod common;

use lzma_core::mt::{self, MtDecoderOptions, XzDecoderMt, XzEncoderMt};
use lzma_core::xz::XzDecoder;
use lzma_core::{Action, Check, Coder, DecoderOptions, EncoderOptions, Error};
use common::*;
use std::io::Read;

fn mt_file(data: &[u8], opts: &EncoderOptions) -> Vec<u8> {
    lzma_core::oneshot::run(&mut XzEncoderMt::new(opts, 2).unwrap(), data).unwrap()
}

fn st_file(data: &[u8], opts: &EncoderOptions) -> Vec<u8> {
    lzma_core::oneshot::run(&mut lzma_core::xz::XzEncoder::new(opts).unwrap(), data).unwrap()
}

fn read_all<R: Read>(mut r: R) -> (Vec<u8>, std::io::Result<()>) {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 10_000];
    loop {
        match r.read(&mut buf) {
            Ok(0) => return (out, Ok(())),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => return (out, Err(e)),
        }
    }
}

#[test]
fn threaded_single_threaded_and_mixed_files_through_a_pipe() {
    let data = words_and_noise(700_000, 11);
    let threaded = mt_file(&data, &EncoderOptions::preset(0).block_size(64 << 10));
    let st_blocks = st_file(
        &data,
        &EncoderOptions::preset(0)
            .block_size(100_000)
            .check(Check::Sha256),
    );
    let st_one = st_file(&data[..1000], &EncoderOptions::preset(1).check(Check::None));
    // Concatenated streams with stream padding between them.
    let mut mixed = threaded.clone();
    mixed.extend_from_slice(&[0; 8]);
    mixed.extend_from_slice(&st_blocks);
    mixed.extend_from_slice(&st_one);
    mixed.extend_from_slice(&threaded);
    let mut mixed_data = data.clone();
    mixed_data.extend_from_slice(&data);
    mixed_data.extend_from_slice(&data[..1000]);
    mixed_data.extend_from_slice(&data);
    for (file, want) in [
        (&threaded, &data),
        (&st_blocks, &data),
        (&mixed, &mixed_data),
    ] {
        for threads in 1..=4 {
            let r =
                mt::read::XzDecoderMt::new(Pipe::new(file.clone()), MtDecoderOptions::new(threads));
            let (out, res) = read_all(r);
            res.unwrap();
            assert!(out == *want, "-T{threads}");
            let mut d = XzDecoderMt::new(MtDecoderOptions::new(threads));
            for (chunk, room) in [(1, 1 << 16), (4096, 1), (1 << 20, 333)] {
                let (out, res) = drive(
                    &mut XzDecoderMt::new(MtDecoderOptions::new(threads)),
                    file,
                    chunk,
                    room,
                );
                res.unwrap();
                assert!(out == *want, "-T{threads} chunk {chunk} room {room}");
            }
            assert!(lzma_core::oneshot::run(&mut d, file).unwrap() == *want);
        }
    }
}

#[test]
fn single_stream_and_trailing_garbage() {
    let data = words_and_noise(100_000, 12);
    let mut file = mt_file(&data, &EncoderOptions::preset(0).block_size(30_000));
    let len = file.len();
    file.extend_from_slice(b"garbage");
    let mut d = XzDecoderMt::new(MtDecoderOptions::new(2).single_stream(true));
    let (out, res) = drive(&mut d, &file, 5000, 1 << 16);
    res.unwrap();
    assert_eq!(out, data);
    let mut d = XzDecoderMt::new(MtDecoderOptions::new(2).single_stream(true));
    let mut buf = vec![0u8; 200_000];
    let mut pos = 0;
    let mut n = 0;
    loop {
        let p = d.code(&file[pos..], &mut buf[n..], Action::Run).unwrap();
        pos += p.consumed;
        n += p.produced;
        if p.status == lzma_core::Status::StreamEnd {
            break;
        }
    }
    assert_eq!(pos, len);
    let (_, st) = drive(
        &mut XzDecoder::new(DecoderOptions::new()),
        &file,
        1 << 20,
        1 << 20,
    );
    let (_, ours) = drive(
        &mut XzDecoderMt::new(MtDecoderOptions::new(2)),
        &file,
        1 << 20,
        1 << 20,
    );
    assert_eq!(ours.unwrap_err(), st.unwrap_err());
}

/// Decodes `file` both ways with the same buffers and checks that the verdicts and the
/// bytes written before them are the same (a damaged or cut block's good bytes included).
fn same_verdict(file: &[u8], threads: u32, what: &str) {
    let (st_out, st) = drive(
        &mut XzDecoder::new(DecoderOptions::new()),
        file,
        1 << 20,
        1 << 20,
    );
    let (mt_out, mt) = drive(
        &mut XzDecoderMt::new(MtDecoderOptions::new(threads)),
        file,
        1 << 20,
        1 << 20,
    );
    assert_eq!(mt, st, "{what}");
    assert!(
        st_out == mt_out,
        "{what}: outputs differ ({} bytes, single-threaded {})",
        mt_out.len(),
        st_out.len()
    );
}

#[test]
fn damage_anywhere_gives_the_single_threaded_verdict() {
    let data = words_and_noise(16_000, 13);
    for (check, bs) in [
        (Check::Crc32, 4096u64),
        (Check::Sha256, 9000),
        (Check::None, 5000),
    ] {
        let file = mt_file(
            &data,
            &EncoderOptions::preset(0).block_size(bs).check(check),
        );
        for k in 0..file.len() {
            for bit in [0x01u8, 0x80] {
                let mut m = file.clone();
                m[k] ^= bit;
                same_verdict(
                    &m,
                    2,
                    &format!("{check:?} byte {k} ^ {bit:#x}"),
                );
            }
        }
        for n in (0..file.len()).step_by(7) {
            same_verdict(
                &file[..n],
                3,
                &format!("{check:?} truncated to {n}"),
            );
        }
    }
}

#[test]
fn damage_in_single_threaded_files_too() {
    let data = words_and_noise(20_000, 14);
    let file = st_file(&data, &EncoderOptions::preset(0).block_size(3000));
    for k in (0..file.len()).step_by(3) {
        let mut m = file.clone();
        m[k] ^= 0x10;
        same_verdict(&m, 2, &format!("byte {k}"));
    }
}

#[test]
fn memory_limits() {
    let data = words_and_noise(300_000, 15);
    let file = mt_file(&data, &EncoderOptions::preset(1).block_size(50_000));
    // A soft limit too low for any block: single-threaded, same output.
    let mut d = XzDecoderMt::new(MtDecoderOptions::new(4).memlimit_threading(1));
    assert_eq!(lzma_core::oneshot::run(&mut d, &file).unwrap(), data);
    // A soft limit for about two blocks.
    let mut d = XzDecoderMt::new(MtDecoderOptions::new(4).memlimit_threading(3 << 20));
    assert_eq!(lzma_core::oneshot::run(&mut d, &file).unwrap(), data);
    // The hard limit: the single-threaded verdict.
    let st =
        lzma_core::decompress_with(&file, &DecoderOptions::new().memlimit(100_000)).unwrap_err();
    let mut d = XzDecoderMt::new(MtDecoderOptions::new(2).memlimit_stop(100_000));
    let mt = lzma_core::oneshot::run(&mut d, &file).unwrap_err();
    assert!(matches!(mt, Error::MemLimit { .. }));
    assert_eq!(mt, st);
    // The soft limit never exceeds the hard one.
    let d = XzDecoderMt::new(
        MtDecoderOptions::new(2)
            .memlimit_stop(5)
            .memlimit_threading(1 << 30),
    );
    assert_eq!(d.options().memlimit_threading, 5);
}

#[test]
fn early_exit_and_drop_do_not_hang() {
    let data = words_and_noise(2 << 20, 16);
    let file = mt_file(&data, &EncoderOptions::preset(0).block_size(64 << 10));
    for stop in [1usize, 100_000, 1 << 20] {
        let mut r = mt::read::XzDecoderMt::new(Pipe::new(file.clone()), MtDecoderOptions::new(3));
        let mut buf = vec![0u8; stop];
        r.read_exact(&mut buf).unwrap();
        assert_eq!(buf, data[..stop]);
        drop(r);
    }
    // Input fed, no output taken.
    let mut d = XzDecoderMt::new(MtDecoderOptions::new(2));
    let p = d.code(&file, &mut [], Action::Run).unwrap();
    assert!(p.consumed > 0);
    drop(d);
}

#[test]
fn reference_threaded_files() {
    let Some(bin) = need_reference_threaded() else { return };
    let data = words_and_noise(3 << 20, 17);
    for args in [
        &["-c", "-z", "-T2", "-0", "--block-size=64KiB"][..],
        &["-c", "-z", "-T2", "-6", "--block-size=1MiB", "-C", "sha256"],
        &["-c", "-z", "-T2", "-1"],
        &["-c", "-z", "-T1", "-1", "--block-size=300KiB"],
    ] {
        let (code, file, _) = run(&bin, args, &data);
        assert_eq!(code, 0);
        for threads in 1..=4 {
            let r =
                mt::read::XzDecoderMt::new(Pipe::new(file.clone()), MtDecoderOptions::new(threads));
            let (out, res) = read_all(r);
            res.unwrap();
            assert!(out == data, "{args:?} -T{threads}");
        }
        // Our threaded files decode with the reference.
        let ours = mt_file(&data, &EncoderOptions::preset(0).block_size(64 << 10));
        let (code, back, _) = run(&bin, &["-c", "-d", "-T2"], &ours);
        assert_eq!(code, 0);
        assert!(back == data);
    }
}

/// `(offset, total size)` of each block of a one-stream .xz file whose block headers hold
/// the compressed size (as threaded encoders write them).
fn blocks_of(file: &[u8]) -> Vec<(usize, usize)> {
    use lzma_core::xz::block_header::{header_size_from_byte, BlockHeader};
    let check_id = file[7] & 0x0F;
    let check_size = match check_id {
        0 => 0,
        1 => 4,
        4 => 8,
        10 => 32,
        c => panic!("check {c}"),
    };
    let mut pos = 12;
    let mut v = Vec::new();
    while let Some(hs) = header_size_from_byte(file[pos]) {
        let h = BlockHeader::decode(&file[pos..pos + hs], check_id).unwrap();
        let data = h.compressed_size.expect("compressed size in the header") as usize;
        let total = ((hs + data + 3) & !3) + check_size;
        v.push((pos, total));
        pos += total;
    }
    v
}

/// A damaged block N: the reference `xz -T2 -dc` (5.8) writes blocks 0..N-1 and the bytes
/// of block N decoded before the damage was found, then "Compressed data is corrupt". The
/// threaded decoder writes exactly the same bytes and gives the same error, whatever the
/// thread count; so does the single-threaded one.
#[test]
fn damaged_block_output_matches_the_reference() {
    let Some(bin) = need_reference_threaded() else { return };
    let bs = 256usize << 10;
    let data = words_and_noise(5 * bs + 1000, 21);
    let bs_arg = format!("--block-size={bs}");
    let (code, file, _) = run(&bin, &["-c", "-z", "-T2", "-6", &bs_arg], &data);
    assert_eq!(code, 0);
    let blocks = blocks_of(&file);
    assert_eq!(blocks.len(), 6);
    let (b2, b2_len) = blocks[2];
    let (b0, b0_len) = blocks[0];
    let cases = [
        ("block 2, early in its data", b2 + 40, 0x20u8),
        ("block 2, middle of its data", b2 + b2_len / 2, 0x01),
        ("block 2, its check", b2 + b2_len - 1, 0x80),
        ("block 0, middle of its data", b0 + b0_len / 2, 0x08),
    ];
    for (what, at, bit) in cases {
        let mut m = file.clone();
        m[at] ^= bit;
        let (code, ref_out, ref_err) = run(&bin, &["-c", "-d", "-T2"], &m);
        assert_eq!(code, 1, "{what}: {ref_err}");
        // Blocks before the damage come out whole, and some of the damaged block's data
        // too unless the damage is in its first bytes or its check.
        let first = if at >= b2 { 2 * bs } else { 0 };
        assert!(ref_out.len() >= first, "{what}");
        assert!(ref_out[..first] == data[..first], "{what}");
        if what.contains("middle") {
            assert!(ref_out.len() > first, "{what}: nothing of the damaged block");
        }
        if what.contains("check") {
            assert_eq!(ref_out.len(), 3 * bs, "{what}");
        }
        for threads in [1, 2, 4] {
            for (chunk, room) in [(1 << 20, 1 << 20), (4096, 65536), (100_000, 777)] {
                let (out, r) = drive(
                    &mut XzDecoderMt::new(MtDecoderOptions::new(threads)),
                    &m,
                    chunk,
                    room,
                );
                let e = r.expect_err(what);
                assert!(
                    out.len() == ref_out.len(),
                    "{what} -T{threads} ({chunk}, {room}): {} bytes, reference {}",
                    out.len(),
                    ref_out.len()
                );
                assert!(out == ref_out, "{what}");
                assert!(ref_err.contains(&e.to_string()), "{what}: {e} vs {ref_err}");
            }
        }
        let (out, r) = drive(&mut XzDecoder::new(DecoderOptions::new()), &m, 65536, 65536);
        assert!(r.is_err() && out == ref_out, "{what}: single-threaded");
    }
}

/// A file cut inside a block: the reference `xz -T2 -dc` writes the blocks before it and
/// the bytes of the cut block decoded from the input there, then "Unexpected end of
/// input"; the threaded decoder writes the same bytes and gives the same error.
#[test]
fn cut_file_output_matches_the_reference() {
    let Some(bin) = need_reference_threaded() else { return };
    let bs = 256usize << 10;
    let data = words_and_noise(4 * bs, 22);
    let bs_arg = format!("--block-size={bs}");
    let (code, file, _) = run(&bin, &["-c", "-z", "-T2", "-6", &bs_arg], &data);
    assert_eq!(code, 0);
    let blocks = blocks_of(&file);
    let (b1, b1_len) = blocks[1];
    for cut in [b1 + 30, b1 + b1_len / 2, b1 + b1_len - 2, b1 + b1_len, file.len() - 1] {
        let m = &file[..cut];
        let (code, ref_out, ref_err) = run(&bin, &["-c", "-d", "-T2"], m);
        assert_eq!(code, 1, "cut at {cut}: {ref_err}");
        assert!(ref_out[..] == data[..ref_out.len()], "cut at {cut}");
        for threads in [2, 3] {
            let (out, r) = drive(
                &mut XzDecoderMt::new(MtDecoderOptions::new(threads)),
                m,
                65536,
                65536,
            );
            let e = r.expect_err("cut file");
            assert_eq!(out.len(), ref_out.len(), "cut at {cut}, -T{threads}");
            assert!(out == ref_out, "cut at {cut}");
            assert!(ref_err.contains(&e.to_string()), "cut at {cut}: {e} vs {ref_err}");
        }
    }
}

/// A block whose header declares a larger compressed size than its data takes: its worker
/// finds the LZMA2 end before that size (corrupt), while the input ends before the
/// declared size is fed. The worker's verdict must win over "truncated", as in liblzma and
/// the single-threaded decoder, for the whole file and for every cut after the block's data.
#[test]
fn block_shorter_than_its_header_says_is_corrupt_not_truncated() {
    use lzma_core::xz::block_header::{header_size_from_byte, BlockHeader};
    let data = words_and_noise(60_000, 22);
    let file = mt_file(&data, &EncoderOptions::preset(1).block_size(20_000));
    let hs = header_size_from_byte(file[12]).expect("block header");
    let check_id = file[7] & 0x0F;
    let mut header = BlockHeader::decode(&file[12..12 + hs], check_id).expect("header");
    let real = header.compressed_size.expect("threaded files carry sizes");
    for extra in [1u64, 40, 5_000] {
        header.compressed_size = Some(real + extra);
        let bytes = header.encode().expect("encode");
        assert_eq!(bytes.len(), hs, "same header size for +{extra}");
        let mut m = file.clone();
        m[12..12 + hs].copy_from_slice(&bytes);
        let data_end = 12 + hs + real as usize;
        for cut in (data_end..=m.len()).step_by(97).chain([m.len()]) {
            let (_, mt) = drive(
                &mut XzDecoderMt::new(MtDecoderOptions::new(2)),
                &m[..cut],
                1 << 20,
                1 << 20,
            );
            assert!(
                matches!(mt, Err(Error::Corrupt(_))),
                "+{extra}, cut at {cut} of {}: {mt:?}",
                m.len()
            );
            same_verdict(&m[..cut], 2, &format!("+{extra}, cut at {cut}"));
        }
    }
}
