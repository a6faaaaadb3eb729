//! Measures threaded compression and decompression against one thread and against the
//! reference `xz` (XZ Utils 5.8), reporting wall time and user+sys CPU of each run.
//!
//! ```text
//! cargo run --release -p lzma-core --example mt_bench -- [FILE] [-LEVEL] [--block-size=N] [--ref=PATH]
//! ```
//! Without `FILE`, 32 MiB of generated text-like data is used. The machine may be busy:
//! compare the figures of one run with each other.
#![forbid(unsafe_code)]

use lzma_core::mt::{MtDecoderOptions, XzDecoderMt, XzEncoderMt};
use lzma_core::xz::{XzDecoder, XzEncoder};
use lzma_core::{Coder, DecoderOptions, EncoderOptions};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The reference command. For XZ Utils 5.8 unpacked by `xz58.sh`, the real binary with its
/// library directory in the environment rather than the `/tmp/xz58/xz` wrapper script, whose
/// bash start-up would be timed as part of every reference run.
fn reference_command(reference: &str) -> Command {
    let real = "/tmp/xz58/usr/bin/xz";
    if reference == "/tmp/xz58/xz" && std::path::Path::new(real).exists() {
        let mut c = Command::new(real);
        c.env("LD_LIBRARY_PATH", "/tmp/xz58/usr/lib/x86_64-linux-gnu");
        c
    } else {
        Command::new(reference)
    }
}

/// CPU seconds (user+sys) of this process and of its waited-for children, from
/// `/proc/self/stat` (clock ticks of 1/100 s).
fn cpu() -> (f64, f64) {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = s.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // After the command: state(0) ... utime(11) stime(12) cutime(13) cstime(14).
    let get = |i: usize| f.get(i).copied().unwrap_or(0.0) / 100.0;
    (get(11) + get(12), get(13) + get(14))
}

/// CPU seconds of each live thread of this process, by thread id.
fn thread_cpus() -> std::collections::HashMap<String, f64> {
    let mut m = std::collections::HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for e in dir.flatten() {
            let s = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
            let rest = s.rsplit(')').next().unwrap_or("");
            let f: Vec<f64> = rest
                .split_whitespace()
                .map(|x| x.parse().unwrap_or(0.0))
                .collect();
            let t = (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0;
            m.insert(e.file_name().to_string_lossy().into_owned(), t);
        }
    }
    m
}

/// Runs a coder and reports how its CPU time spread over threads: the busiest thread's
/// share bounds the wall-time speed-up an idle machine would give.
fn run_spread(c: &mut dyn Coder, input: &[u8]) -> (Vec<u8>, f64, f64) {
    let before = thread_cpus();
    let out = run(c, input);
    let after = thread_cpus();
    let deltas: Vec<f64> = after
        .iter()
        .map(|(k, v)| v - before.get(k).copied().unwrap_or(0.0))
        .collect();
    let total: f64 = deltas.iter().sum();
    let busiest = deltas.iter().copied().fold(0.0, f64::max);
    (out, total, busiest)
}

struct Sample {
    wall: f64,
    cpu: f64,
}

fn measure<T>(f: impl FnOnce() -> T) -> (T, Sample) {
    let (c0, k0) = cpu();
    let t = Instant::now();
    let r = f();
    let wall = t.elapsed().as_secs_f64();
    let (c1, k1) = cpu();
    (
        r,
        Sample {
            wall,
            cpu: (c1 - c0) + (k1 - k0),
        },
    )
}

fn run(c: &mut dyn Coder, input: &[u8]) -> Vec<u8> {
    lzma_core::oneshot::run(c, input).expect("coding failed")
}

fn report(name: &str, s: &Sample, base: Option<&Sample>, bytes: usize) {
    let mbs = bytes as f64 / s.wall / 1e6;
    let speedup = base
        .map(|b| format!("  wall speed-up vs -T1 {:.2}x", b.wall / s.wall))
        .unwrap_or_default();
    println!(
        "{name:<34} wall {:7.3} s  cpu {:7.3} s  {mbs:7.1} MB/s{speedup}",
        s.wall, s.cpu
    );
}

fn text(n: usize) -> Vec<u8> {
    const WORDS: [&str; 24] = [
        "the",
        "quick",
        "brown",
        "fox",
        "jumps",
        "over",
        "lazy",
        "dog",
        "compression",
        "block",
        "thread",
        "stream",
        "index",
        "check",
        "filter",
        "chain",
        "match",
        "finder",
        "literal",
        "distance",
        "length",
        "range",
        "coder",
        "dictionary",
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut v = Vec::with_capacity(n + 16);
    while v.len() < n {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        v.extend_from_slice(WORDS[(r % 24) as usize].as_bytes());
        v.extend_from_slice(if r % 13 == 0 { b".\n" } else { b" " });
        if r % 101 == 0 {
            v.extend_from_slice(format!("{} ", r % 100_000).as_bytes());
        }
    }
    v.truncate(n);
    v
}

fn main() {
    let mut file = None;
    let mut level = 3u32;
    let mut block_size = None;
    let mut reference = "/tmp/xz58/xz".to_string();
    for a in std::env::args().skip(1) {
        if let Some(l) = a.strip_prefix('-').and_then(|l| l.parse().ok()) {
            level = l;
        } else if let Some(b) = a.strip_prefix("--block-size=") {
            block_size = b.parse().ok();
        } else if let Some(r) = a.strip_prefix("--ref=") {
            reference = r.to_string();
        } else {
            file = Some(a);
        }
    }
    let data = match &file {
        Some(f) => std::fs::read(f).expect("read input"),
        None => text(32 << 20),
    };
    let mut opts = EncoderOptions::preset(level);
    if let Some(b) = block_size {
        opts = opts.block_size(b);
    }
    println!(
        "input {} bytes, preset {level}, block size {:?}",
        data.len(),
        XzEncoderMt::new(&opts, 1).map(|e| e.block_size())
    );

    let decode_only = std::env::var_os("MT_BENCH_DECODE_ONLY").is_some();
    if decode_only {
        let t2 = run(&mut XzEncoderMt::new(&opts, 2).expect("options"), &data);
        for _ in 0..3 {
            let (_, a) = measure(|| run(&mut XzDecoder::new(DecoderOptions::new()), &t2));
            report("ours -T1", &a, None, data.len());
            let (_, b) = measure(|| run(&mut XzDecoderMt::new(MtDecoderOptions::new(2)), &t2));
            report("ours -T2", &b, Some(&a), data.len());
            let (_, c) = measure(|| run(&mut XzDecoderMt::new(MtDecoderOptions::new(4)), &t2));
            report("ours -T4", &c, Some(&a), data.len());
        }
        return;
    }
    println!("-- compression");
    let (st, s_st) = measure(|| run(&mut XzEncoder::new(&opts).expect("options"), &data));
    report("ours -T1 (single-threaded format)", &s_st, None, data.len());
    let (t1, s1) = measure(|| run(&mut XzEncoderMt::new(&opts, 1).expect("options"), &data));
    report("ours threaded format, 1 thread", &s1, None, data.len());
    let ((t2, tot, busy), s2) =
        measure(|| run_spread(&mut XzEncoderMt::new(&opts, 2).expect("options"), &data));
    report("ours -T2", &s2, Some(&s_st), data.len());
    println!(
        "   threads: {tot:.2} s CPU in all, busiest thread {busy:.2} s: idle-machine speed-up bound {:.2}x vs -T1",
        s_st.cpu / busy.max(0.01)
    );
    assert_eq!(t1, t2, "thread count changed the output");
    println!(
        "sizes: -T1 {} bytes, -T2 {} bytes (-T2 speed-up vs threaded format with 1 thread: {:.2}x)",
        st.len(),
        t2.len(),
        s1.wall / s2.wall
    );
    let have_ref = reference_command(&reference)
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if have_ref {
        let path = std::env::temp_dir().join(format!("mt_bench_{}.raw", std::process::id()));
        std::fs::write(&path, &data).expect("write temp file");
        let mut args = vec![
            "-c".to_string(),
            "-z".into(),
            format!("-{level}"),
            "-T2".into(),
        ];
        if let Some(b) = block_size {
            args.push(format!("--block-size={b}"));
        }
        args.push(path.display().to_string());
        let (out, s) = measure(|| {
            reference_command(&reference)
                .args(&args)
                .output()
                .expect("run reference")
        });
        report("reference xz 5.8 -T2", &s, None, data.len());
        println!("reference -T2 output identical: {}", out.stdout == t2);
        let _ = std::fs::remove_file(&path);
    }

    println!(
        "-- decompression of the {}-block threaded file",
        lzma_core::xz::info::parse(&mut std::io::Cursor::new(&t2), &Default::default())
            .map(|i| i.block_count())
            .unwrap_or(0)
    );
    let (d1, s_d1) = measure(|| run(&mut XzDecoder::new(DecoderOptions::new()), &t2));
    report("ours -T1 (XzDecoder)", &s_d1, None, data.len());
    let ((d2, tot, busy), s_d2) =
        measure(|| run_spread(&mut XzDecoderMt::new(MtDecoderOptions::new(2)), &t2));
    report("ours -T2 (XzDecoderMt)", &s_d2, Some(&s_d1), data.len());
    println!(
        "   threads: {tot:.2} s CPU in all, busiest thread {busy:.2} s: idle-machine speed-up bound {:.2}x vs -T1",
        s_d1.cpu / busy.max(0.01)
    );
    assert!(d1 == data && d2 == data, "decoded data differs");
    let (d4, s_d4) = measure(|| run(&mut XzDecoderMt::new(MtDecoderOptions::new(4)), &t2));
    report("ours -T4 (XzDecoderMt)", &s_d4, Some(&s_d1), data.len());
    assert!(d4 == data, "decoded data differs");
    if std::env::var_os("MT_BENCH_DECODE_ONLY").is_some() {
        return;
    }
    if have_ref {
        let path = std::env::temp_dir().join(format!("mt_bench_{}.xz", std::process::id()));
        std::fs::write(&path, &t2).expect("write temp file");
        for t in ["-T1", "-T2"] {
            let (out, s) = measure(|| {
                reference_command(&reference)
                    .args(["-c", "-d", t])
                    .arg(&path)
                    .output()
                    .expect("run reference")
            });
            assert!(out.stdout == data);
            report(&format!("reference xz 5.8 {t}"), &s, None, data.len());
        }
        let _ = std::fs::remove_file(&path);
    }
}
