//! Helpers shared by the `xz_*` integration tests: the reference binaries and generated
//! inputs (no test data is stored in the repository).
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The reference `xz`: `$XZ_REFERENCE`, else `xz` on `PATH`.
pub fn reference() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("XZ_REFERENCE") {
        return Some(PathBuf::from(p));
    }
    let ok = Command::new("xz").arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success());
    ok.then(|| PathBuf::from("xz"))
}

/// XZ Utils 5.8 (multi-threaded layout): `$XZ58_REFERENCE`, else `/tmp/xz58/xz`.
pub fn reference58() -> Option<PathBuf> {
    let p = std::env::var_os("XZ58_REFERENCE").map(PathBuf::from).unwrap_or_else(|| "/tmp/xz58/xz".into());
    let ok = Command::new(&p).arg("--version").stdout(Stdio::null()).status().is_ok_and(|s| s.success());
    ok.then_some(p)
}

/// Runs `bin args` with `input` on stdin; returns (exit code, stdout, stderr).
pub fn run(bin: &PathBuf, args: &[&str], input: &[u8]) -> (i32, Vec<u8>, String) {
    let mut child = Command::new(bin)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn reference xz");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().expect("reference output");
    writer.join().expect("writer thread");
    (out.status.code().unwrap_or(-1), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Compresses with the reference; panics if it fails.
pub fn ref_compress(bin: &PathBuf, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut a = vec!["-c", "-z"];
    a.extend_from_slice(args);
    let (code, out, err) = run(bin, &a, input);
    assert_eq!(code, 0, "reference xz {args:?} failed: {err}");
    out
}

/// Deterministic pseudo-random bytes (xorshift64*).
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut v = Vec::with_capacity(n + 8);
    while v.len() < n {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        v.extend_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    v.truncate(n);
    v
}

/// Compressible text built from a small vocabulary.
pub fn text_bytes(n: usize, seed: u64) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "the ", "xz ", "format ", "stream ", "block ", "index ", "lzma ", "filter ", "check ",
        "padding ", "header ", "footer ", "data\n", "of ", "and ", "compressed ",
    ];
    let r = random_bytes(n, seed);
    let mut v = Vec::with_capacity(n + 16);
    let mut i = 0;
    while v.len() < n {
        v.extend_from_slice(WORDS[(r[i % r.len()] & 15) as usize].as_bytes());
        i += 1;
    }
    v.truncate(n);
    v
}

/// The xz message in a reference error output, mapped to our `Error` display strings.
pub fn ref_message(stderr: &str) -> Option<&'static str> {
    [
        "File format not recognized",
        "Compressed data is corrupt",
        "Unexpected end of input",
        "Unsupported options",
        "Memory usage limit reached",
    ]
    .into_iter()
    .find(|m| stderr.contains(m))
}

/// Block rows of `xz --robot -lvv`: (uncompressed size, header size, flags, compressed
/// data size).
pub fn robot_blocks(bin: &PathBuf, xz: &[u8]) -> Vec<(u64, u64, String, u64)> {
    robot_blocks_with_filters(bin, xz).into_iter().map(|(u, h, f, c, _)| (u, h, f, c)).collect()
}

/// As `robot_blocks`, with the filter chain column.
pub fn robot_blocks_with_filters(bin: &PathBuf, xz: &[u8]) -> Vec<(u64, u64, String, u64, String)> {
    let dir = std::env::temp_dir().join(format!("lzma-core-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("f{}.xz", xz.len() ^ (xz.iter().map(|&b| b as usize).sum::<usize>() << 20)));
    std::fs::write(&path, xz).expect("write temp");
    let out = Command::new(bin).args(["--robot", "-lvv"]).arg(&path).output().expect("run list");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("block\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let filters = f.get(15).map_or(String::new(), |s| s.to_string());
            (f[7].parse().unwrap(), f[11].parse().unwrap(), f[12].to_string(), f[13].parse().unwrap(), filters)
        })
        .collect()
}

/// Stream rows of `xz --robot -lvv`: (blocks, compressed offset, uncompressed offset,
/// compressed size, uncompressed size, check name, padding).
pub fn robot_streams(bin: &PathBuf, xz: &[u8]) -> Vec<(u64, u64, u64, u64, u64, String, u64)> {
    let dir = std::env::temp_dir().join(format!("lzma-core-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(format!("s{}.xz", xz.len()));
    std::fs::write(&path, xz).expect("write temp");
    let out = Command::new(bin).args(["--robot", "-lvv"]).arg(&path).output().expect("run list");
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("stream\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let n = |i: usize| f[i].parse::<u64>().unwrap();
            (n(2), n(3), n(4), n(5), n(6), f[8].to_string(), n(9))
        })
        .collect()
}
