//! Helpers shared by the integration tests of `lzma-core` (each test file includes this
//! module with `mod common;`): finding and running the reference XZ Utils, classifying its
//! messages, generated inputs (no test data is stored in the repository), temporary files,
//! and drivers for coders.
//!
//! The tests never pass silently without comparing: when a reference is missing, the
//! `need_*` finders print that the test skips, and the test returns.
#![allow(dead_code)]

use lzma_core::{Action, Coder, Error, Status};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

// ---------------------------------------------------------------------------------------
// The reference binaries

/// The `--version` output of `bin`, if it runs and succeeds.
fn version_of(bin: &Path) -> Option<String> {
    let out = Command::new(bin).arg("--version").stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether a `--version` text names XZ Utils 5.8 or later.
fn is_5_8_or_later(version: &str) -> bool {
    version.split_whitespace().any(|w| {
        let mut it = w.split('.').map(|p| p.parse::<u32>());
        matches!((it.next(), it.next()), (Some(Ok(maj)), Some(Ok(min))) if maj > 5 || (maj == 5 && min >= 8))
    })
}

/// The reference `xz`: `$XZ_REFERENCE`, else `xz` on `PATH` (if it runs).
pub fn reference() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("XZ_REFERENCE") {
        return Some(PathBuf::from(p));
    }
    let xz = PathBuf::from("xz");
    version_of(&xz).map(|_| xz)
}

/// XZ Utils 5.8 (multi-threaded layout, 5.8 memory figures): `$XZ58_REFERENCE`, else
/// `/tmp/xz58/xz` (if it runs).
pub fn reference58() -> Option<PathBuf> {
    let p = std::env::var_os("XZ58_REFERENCE").map(PathBuf::from).unwrap_or_else(|| "/tmp/xz58/xz".into());
    version_of(&p).map(|_| p)
}

/// XZ Utils 5.8 for the threaded tests: `$XZ_REFERENCE`, else `/tmp/xz58/xz`, else `xz`
/// on `PATH`, whichever runs and is 5.8 or later (older ones write another threaded
/// layout).
pub fn reference_threaded() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("XZ_REFERENCE") {
        Some(p) => vec![PathBuf::from(p)],
        None => vec!["/tmp/xz58/xz".into(), "xz".into()],
    };
    candidates.into_iter().find(|c| version_of(c).is_some_and(|v| is_5_8_or_later(&v)))
}

/// `found`, or `None` after printing that the test skips because `what` is missing.
pub fn need(found: Option<PathBuf>, what: &str) -> Option<PathBuf> {
    if found.is_none() {
        eprintln!("skipping: {what} not found");
    }
    found
}

/// [`reference`], or `None` after saying that the test skips.
pub fn need_reference() -> Option<PathBuf> {
    need(reference(), "reference xz ($XZ_REFERENCE or xz on PATH)")
}

/// [`reference58`], or `None` after saying that the test skips.
pub fn need_reference58() -> Option<PathBuf> {
    need(reference58(), "XZ Utils 5.8 ($XZ58_REFERENCE or /tmp/xz58/xz)")
}

/// [`reference_threaded`], or `None` after saying that the test skips.
pub fn need_reference_threaded() -> Option<PathBuf> {
    need(
        reference_threaded(),
        "XZ Utils 5.8 reference (set XZ_REFERENCE or run /work/shared/tools/xz58.sh)",
    )
}

/// Runs `bin args` with `input` on stdin; returns (exit code, stdout, stderr).
pub fn run(bin: &Path, args: &[&str], input: &[u8]) -> (i32, Vec<u8>, String) {
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

/// Compresses with the reference (`-c -z` and `args`); panics if it fails.
pub fn ref_compress(bin: &Path, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut a = vec!["-c", "-z"];
    a.extend_from_slice(args);
    let (code, out, err) = run(bin, &a, input);
    assert_eq!(code, 0, "reference xz {args:?} failed: {err}");
    out
}

/// The xz message in a reference error output, as our `Error` displays it.
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

// ---------------------------------------------------------------------------------------
// Temporary files and `xz --robot -lvv`

/// A file in this test process' temporary folder, removed on drop.
pub struct TempFile(PathBuf);

impl TempFile {
    /// Writes `bytes` to a file named `name` in `lzma-core-test-<pid>` under the temporary
    /// folder.
    pub fn new(name: &str, bytes: &[u8]) -> TempFile {
        let dir = std::env::temp_dir().join(format!("lzma-core-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, bytes).expect("write temp");
        TempFile(path)
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The tab-separated fields of the `kind` rows of `xz --robot -lvv` on the file `xz`
/// (written to `name` in the temporary folder).
fn robot_rows(bin: &Path, name: &str, xz: &[u8], kind: &str) -> Vec<Vec<String>> {
    let file = TempFile::new(name, xz);
    let out = Command::new(bin).args(["--robot", "-lvv"]).arg(file.path()).output().expect("run list");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.split('\t').next() == Some(kind))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

/// Block rows of `xz --robot -lvv`: (uncompressed size, header size, flags, compressed
/// data size).
pub fn robot_blocks(bin: &Path, xz: &[u8]) -> Vec<(u64, u64, String, u64)> {
    robot_blocks_with_filters(bin, xz).into_iter().map(|(u, h, f, c, _)| (u, h, f, c)).collect()
}

/// As `robot_blocks`, with the filter chain column.
pub fn robot_blocks_with_filters(bin: &Path, xz: &[u8]) -> Vec<(u64, u64, String, u64, String)> {
    let name = format!("f{}.xz", xz.len() ^ (xz.iter().map(|&b| b as usize).sum::<usize>() << 20));
    robot_rows(bin, &name, xz, "block")
        .into_iter()
        .map(|f| {
            let filters = f.get(15).cloned().unwrap_or_default();
            (f[7].parse().unwrap(), f[11].parse().unwrap(), f[12].clone(), f[13].parse().unwrap(), filters)
        })
        .collect()
}

/// Stream rows of `xz --robot -lvv`: (blocks, compressed offset, uncompressed offset,
/// compressed size, uncompressed size, check name, padding).
pub fn robot_streams(bin: &Path, xz: &[u8]) -> Vec<(u64, u64, u64, u64, u64, String, u64)> {
    robot_rows(bin, &format!("s{}.xz", xz.len()), xz, "stream")
        .into_iter()
        .map(|f| {
            let n = |i: usize| f[i].parse::<u64>().unwrap();
            (n(2), n(3), n(4), n(5), n(6), f[8].clone(), n(9))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Generated inputs

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed` (made odd, so never zero).
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    /// The next 64 pseudo-random bits.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// `n` bytes, the low byte of one draw each.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Deterministic pseudo-random bytes (eight little-endian bytes per draw).
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(n + 8);
    while v.len() < n {
        v.extend_from_slice(&r.next().to_le_bytes());
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

/// Text-like data for the threaded coders: words from a small vocabulary, with stretches
/// of raw pseudo-random bytes every 64 KiB (so some chunks do not compress).
pub fn words_and_noise(n: usize, seed: u64) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "xz", "block", "thread",
        "stream", "index", "check", "filter", "chain",
    ];
    let mut r = Rng::new(seed);
    let mut v = Vec::with_capacity(n + 16);
    while v.len() < n {
        if v.len() % (64 << 10) < 2000 && (v.len() / (64 << 10)) % 3 == 1 {
            v.extend_from_slice(&r.next().to_le_bytes());
            continue;
        }
        let x = r.next();
        v.extend_from_slice(WORDS[(x % 16) as usize].as_bytes());
        v.push(if x % 97 == 0 { b'\n' } else { b' ' });
    }
    v.truncate(n);
    v
}

/// SHA-256 as hex.
pub fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

// ---------------------------------------------------------------------------------------
// Driving coders

/// Runs a coder over `input` in pieces of `chunk` bytes with `room` bytes of output per
/// call. Returns the output and how it ended (the error, if any).
pub fn drive<C: Coder + ?Sized>(coder: &mut C, input: &[u8], chunk: usize, room: usize) -> (Vec<u8>, Result<(), Error>) {
    let mut out = Vec::new();
    let mut buf = vec![0u8; room];
    let mut pos = 0;
    let mut idle = 0;
    loop {
        let end = (pos + chunk).min(input.len());
        let action = if end == input.len() { Action::Finish } else { Action::Run };
        match coder.code(&input[pos..end], &mut buf, action) {
            Ok(p) => {
                pos += p.consumed;
                out.extend_from_slice(&buf[..p.produced]);
                if p.status == Status::StreamEnd {
                    return (out, Ok(()));
                }
                if p.consumed == 0 && p.produced == 0 {
                    idle += 1;
                    assert!(idle < 1000, "coder made no progress");
                } else {
                    idle = 0;
                }
            }
            Err(e) => return (out, Err(e)),
        }
    }
}

/// A reader that hands out its bytes in small pieces of varying size, as a pipe does.
pub struct Pipe {
    data: Vec<u8>,
    pos: usize,
    n: usize,
}

impl Pipe {
    /// A pipe over `data`.
    pub fn new(data: Vec<u8>) -> Self {
        Pipe { data, pos: 0, n: 0 }
    }
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.n += 1;
        let piece = [1usize, 4096, 17, 65536, 333, 100_000][self.n % 6];
        let k = piece.min(buf.len()).min(self.data.len() - self.pos);
        buf[..k].copy_from_slice(&self.data[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}
