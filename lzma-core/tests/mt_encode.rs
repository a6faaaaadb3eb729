//! The threaded encoder writes the bytes of XZ Utils 5.8 `-T2`, whatever its thread count.
#![forbid(unsafe_code)]

mod common;

use lzma_core::mt::{self, XzEncoderMt};
use lzma_core::xz::XzEncoder;
use lzma_core::{Action, Check, Coder, EncoderOptions, Status};
use common::*;

/// The threaded layout as the single-threaded `XzEncoder` writes it.
fn st_layout(opts: &EncoderOptions, data: &[u8]) -> Vec<u8> {
    let mut e = XzEncoder::new(&opts.clone().threads(2)).unwrap();
    lzma_core::oneshot::run(&mut e, data).unwrap()
}

fn mt_encode(
    opts: &EncoderOptions,
    threads: u32,
    data: &[u8],
    chunk: usize,
    room: usize,
) -> Vec<u8> {
    let mut e = XzEncoderMt::new(opts, threads).unwrap();
    let (out, r) = drive(&mut e, data, chunk, room);
    r.unwrap();
    out
}

#[test]
fn mt_output_does_not_depend_on_threads_or_chunking() {
    let data = words_and_noise(600_000, 1);
    let cases = [
        EncoderOptions::preset(0).block_size(64 << 10),
        EncoderOptions::preset(1)
            .block_size(100_000)
            .check(Check::Crc32),
        EncoderOptions::preset(0)
            .block_list(vec![5, 70_000, 0])
            .block_size(50_000),
        EncoderOptions::preset(0)
            .block_size(40_000)
            .block_list(vec![100, 90_000])
            .check(Check::Sha256),
        EncoderOptions::preset(0).block_list(vec![1000, 2000, 300_000]),
        EncoderOptions::preset(0).check(Check::None),
    ];
    for opts in cases {
        let want = st_layout(&opts, &data);
        for threads in 1..=4 {
            for (chunk, room) in [(data.len(), 1 << 20), (7777, 100), (65_536, 1)] {
                let got = mt_encode(&opts, threads, &data, chunk, room);
                assert!(
                    got == want,
                    "{opts:?} -T{threads} chunk {chunk} room {room}"
                );
            }
        }
        assert_eq!(lzma_core::decompress(&want).unwrap(), data);
    }
}

#[test]
fn empty_and_tiny_inputs() {
    for data in [&b""[..], b"x", b"hello world"] {
        let opts = EncoderOptions::preset(6);
        for threads in [0, 1, 3] {
            assert_eq!(
                mt_encode(&opts, threads, data, 1, 1),
                st_layout(&opts, data)
            );
        }
    }
}

#[test]
fn flushes_end_blocks_like_the_single_threaded_layout() {
    let data = words_and_noise(50_000, 2);
    let opts = EncoderOptions::preset(1).block_size(30_000);
    let run = |c: &mut dyn Coder| {
        let mut out = vec![0u8; 1 << 20];
        let mut n = 0;
        for (part, action) in [
            (&data[..3000], Action::SyncFlush),
            (&data[3000..40_000], Action::FullFlush),
            (&[][..], Action::FullFlush),
            (&data[40_000..], Action::Finish),
        ] {
            let p = c.code(part, &mut out[n..], action).unwrap();
            assert_eq!((p.consumed, p.status), (part.len(), Status::StreamEnd));
            n += p.produced;
        }
        out.truncate(n);
        out
    };
    let want = run(&mut XzEncoder::new(&opts.clone().threads(2)).unwrap());
    for threads in 1..=3 {
        assert_eq!(run(&mut XzEncoderMt::new(&opts, threads).unwrap()), want);
    }
}

#[test]
fn bad_options_fail_at_construction() {
    assert!(XzEncoderMt::new(&EncoderOptions::preset(10), 2).is_err());
    assert!(XzEncoderMt::new(&EncoderOptions::preset(1).block_size(0), 2).is_err());
    assert!(XzEncoderMt::new(&EncoderOptions::preset(1).block_size(u64::MAX), 2).is_err());
    assert!(XzEncoderMt::new(&EncoderOptions::preset(1), mt::THREADS_MAX + 1).is_err());
}

#[test]
fn dropping_mid_stream_returns_at_once() {
    let data = words_and_noise(1 << 20, 3);
    let mut e = XzEncoderMt::new(&EncoderOptions::preset(1).block_size(64 << 10), 2).unwrap();
    let mut out = vec![0u8; 4096];
    let p = e.code(&data, &mut out, Action::Run).unwrap();
    assert!(p.consumed > 0);
    drop(e);
}

#[test]
fn io_adapters() {
    use std::io::{Read, Write};
    let data = words_and_noise(300_000, 4);
    let opts = EncoderOptions::preset(0).block_size(64 << 10);
    let want = st_layout(&opts, &data);
    let mut w = mt::write::XzEncoderMt::new(Vec::new(), &opts, 3).unwrap();
    for piece in data.chunks(10_000) {
        w.write_all(piece).unwrap();
    }
    assert_eq!(w.finish().unwrap(), want);
    let mut r = mt::read::XzEncoderMt::new(Pipe::new(data.clone()), &opts, 2).unwrap();
    let mut got = Vec::new();
    r.read_to_end(&mut got).unwrap();
    assert_eq!(got, want);
}

#[test]
fn memusage_and_thread_reduction() {
    for opts in [
        EncoderOptions::preset(6),
        EncoderOptions::preset(1).block_size(1 << 20),
        EncoderOptions::preset(9),
    ] {
        let one = mt::encoder_memusage(&opts, 1).unwrap();
        let two = mt::encoder_memusage(&opts, 2).unwrap();
        let three = mt::encoder_memusage(&opts, 3).unwrap();
        assert_eq!(three - two, two - one);
        assert_eq!(XzEncoderMt::new(&opts, 2).unwrap().memusage(), two);
        assert_eq!(mt::reduce_threads(&opts, 8, two).unwrap(), Some(2));
        assert_eq!(mt::reduce_threads(&opts, 8, two - 1).unwrap(), Some(1));
        assert_eq!(mt::reduce_threads(&opts, 8, one - 1).unwrap(), None);
    }
}

/// `xz -T2 --memlimit-compress=N --no-adjust` succeeds exactly when N is at least our
/// one-thread figure, and `xz -T3 -vv` keeps two threads exactly from our two-thread figure.
#[test]
fn memusage_matches_reference_thresholds() {
    let Some(bin) = need_reference_threaded() else { return };
    for (args, opts) in [
        (vec!["-6"], EncoderOptions::preset(6)),
        (vec!["-1"], EncoderOptions::preset(1)),
        (
            vec!["-0", "--block-size=65536"],
            EncoderOptions::preset(0).block_size(65536),
        ),
        (
            vec!["-3", "--block-size=1000000", "-C", "sha256"],
            EncoderOptions::preset(3).block_size(1_000_000),
        ),
    ] {
        let one = mt::encoder_memusage(&opts, 1).unwrap();
        for (limit, ok) in [(one, true), (one - 1, false)] {
            let l = format!("--memlimit-compress={limit}");
            let mut a = vec!["-z", "-c", "-T2", "--no-adjust", &l];
            a.extend(&args);
            assert_eq!(run(&bin, &a, b"x").0 == 0, ok, "{a:?}");
        }
        let two = mt::encoder_memusage(&opts, 2).unwrap();
        for (limit, threads) in [(two, "2"), (two - 1, "1")] {
            let l = format!("--memlimit-compress={limit}");
            let mut a = vec!["-z", "-c", "-T3", "-vv", &l];
            a.extend(&args);
            let (_, _, err) = run(&bin, &a, b"");
            assert!(
                err.contains(&format!("from 3 to {threads}")),
                "{a:?}: {err}"
            );
        }
    }
}

/// The encoder backend writes real LZMA2 (not the interim stored chunks): ours `-T1`
/// equals the reference `-T1` on a small input.
fn backend_matches(bin: &std::path::Path) -> bool {
    let data = words_and_noise(20_000, 9);
    let (code, theirs, _) = run(bin, &["-c", "-z", "-1", "-T1"], &data);
    code == 0 && theirs == lzma_core::compress(&data, 1).unwrap()
}

#[test]
fn identical_to_reference_t2() {
    let Some(bin) = need_reference_threaded() else { return };
    if !backend_matches(&bin) {
        eprintln!("skipped: this build's LZMA2 encoder does not yet match the reference at -T1");
        return;
    }
    let data = words_and_noise(3 << 20, 5);
    let cases: Vec<(Vec<String>, EncoderOptions)> = vec![
        (
            vec!["-0".into(), "--block-size=64KiB".into()],
            EncoderOptions::preset(0).block_size(64 << 10),
        ),
        (
            vec!["-1".into(), "--block-size=64KiB".into()],
            EncoderOptions::preset(1).block_size(64 << 10),
        ),
        (
            vec![
                "-6".into(),
                "--block-size=256KiB".into(),
                "-C".into(),
                "crc32".into(),
            ],
            EncoderOptions::preset(6)
                .block_size(256 << 10)
                .check(Check::Crc32),
        ),
        (vec!["-1".into()], EncoderOptions::preset(1)),
        (
            vec![
                "-0".into(),
                "--block-size=100000".into(),
                "--block-list=5,70000,1000000,0".into(),
            ],
            EncoderOptions::preset(0)
                .block_size(100_000)
                .block_list(vec![5, 70_000, 1_000_000, 0]),
        ),
        (
            vec!["-1".into(), "--block-list=200000,300000".into()],
            EncoderOptions::preset(1).block_list(vec![200_000, 300_000]),
        ),
    ];
    for (args, opts) in cases {
        let mut a: Vec<&str> = vec!["-c", "-z", "-T2"];
        a.extend(args.iter().map(String::as_str));
        let (code, theirs, _) = run(&bin, &a, &data);
        assert_eq!(code, 0, "{a:?}");
        let want = sha256(&theirs);
        for threads in 1..=4 {
            let ours = mt_encode(&opts, threads, &data, 1 << 20, 1 << 20);
            assert_eq!(sha256(&ours), want, "ours -T{threads} vs reference {a:?}");
        }
    }
}

/// Each worker keeps its block encoder and resets it for the next block; every block
/// must still be the block a new encoder writes, whichever chains the blocks use (the
/// LZMA2 encoder is reused across Delta/BCJ changes, rebuilt when its options change).
#[test]
fn reused_block_encoders_write_the_blocks_of_new_ones() {
    use lzma_core::filter::{BcjArch, Filter};
    use lzma_core::xz::{encode_threaded_block, index, stream_flags};
    use lzma_core::LzmaOptions;
    let data = words_and_noise(400_000, 9);
    let lz = |level| Filter::Lzma2(LzmaOptions::preset(level, false).unwrap());
    let sizes: Vec<u64> = vec![70_000, 5, 60_000, 90_000, 1, 50_000, 80_000, 49_994];
    let nums: Vec<u8> = vec![0, 1, 2, 3, 0, 1, 4, 0];
    let chains = [
        vec![lz(1)],
        vec![
            Filter::Bcj {
                arch: BcjArch::X86,
                start_offset: 0,
            },
            lz(1),
        ],
        vec![Filter::Delta { distance: 3 }, lz(1)],
        vec![lz(0)],
        vec![
            Filter::Delta { distance: 1 },
            Filter::Bcj {
                arch: BcjArch::Arm,
                start_offset: 0,
            },
            lz(1),
        ],
    ];
    let mut opts = EncoderOptions::default()
        .filters(chains[0].clone())
        .block_size(100_000)
        .block_list(sizes.clone())
        .block_list_chains(nums.clone())
        .check(Check::Crc32);
    for (n, c) in chains.iter().enumerate().skip(1) {
        opts = opts.chain(n, c.clone());
    }
    // The stream built from blocks of new encoders.
    let flags = stream_flags::StreamFlags::new(Check::Crc32);
    let mut want = stream_flags::encode_header(flags).to_vec();
    let mut records = Vec::new();
    let mut pos = 0;
    for (&size, &n) in sizes.iter().zip(&nums) {
        let block = &data[pos..pos + size as usize];
        pos += size as usize;
        let b =
            encode_threaded_block(block, &chains[usize::from(n)], Check::Crc32, 100_000).unwrap();
        want.extend_from_slice(&b.bytes);
        records.push(b.record);
    }
    assert_eq!(pos, data.len());
    let idx = index::encode(&records).unwrap();
    want.extend_from_slice(&idx);
    want.extend_from_slice(&stream_flags::encode_footer(flags, idx.len() as u64).unwrap());
    assert_eq!(st_layout(&opts, &data), want);
    for threads in 1..=4 {
        assert!(
            mt_encode(&opts, threads, &data, 30_000, 4096) == want,
            "-T{threads}"
        );
    }
    assert_eq!(lzma_core::decompress(&want).unwrap(), data);
}
