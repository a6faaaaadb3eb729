//! Helpers of the `mt_*` tests: the reference binary, generated inputs and coder drivers.
#![allow(dead_code)]

use lzma_core::{Action, Coder, Error, Status};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// XZ Utils 5.8 for the threaded layout: `$XZ_REFERENCE`, else `/tmp/xz58/xz`, else `xz`
/// on `PATH` (only if it is 5.8 or later, as older ones write another threaded layout).
pub fn reference() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("XZ_REFERENCE") {
        Some(p) => vec![PathBuf::from(p)],
        None => vec!["/tmp/xz58/xz".into(), "xz".into()],
    };
    for c in candidates {
        let Ok(out) = Command::new(&c).arg("--version").output() else {
            continue;
        };
        let v = String::from_utf8_lossy(&out.stdout).into_owned();
        let modern = v.split_whitespace().any(|w| {
            let mut it = w.split('.').map(|p| p.parse::<u32>());
            matches!((it.next(), it.next()), (Some(Ok(maj)), Some(Ok(min))) if maj > 5 || (maj == 5 && min >= 8))
        });
        if out.status.success() && modern {
            return Some(c);
        }
    }
    None
}

/// Runs the reference with `args` and `input` on stdin; returns (exit code, stdout).
pub fn run(bin: &PathBuf, args: &[&str], input: &[u8]) -> (i32, Vec<u8>) {
    let (code, out, _) = run_full(bin, args, input);
    (code, out)
}

/// Runs the reference with `args` and `input` on stdin; returns (exit code, stdout,
/// stderr).
pub fn run_full(bin: &PathBuf, args: &[&str], input: &[u8]) -> (i32, Vec<u8>, String) {
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
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code().unwrap_or(-1), out.stdout, err)
}

/// Text-like data: words from a small vocabulary picked by an xorshift generator, with
/// stretches of raw pseudo-random bytes every 64 KiB (so some chunks do not compress).
pub fn corpus(n: usize, seed: u64) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "xz", "block", "thread",
        "stream", "index", "check", "filter", "chain",
    ];
    let mut x = seed | 1;
    let mut next = move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut v = Vec::with_capacity(n + 16);
    while v.len() < n {
        if v.len() % (64 << 10) < 2000 && (v.len() / (64 << 10)) % 3 == 1 {
            v.extend_from_slice(&next().to_le_bytes());
            continue;
        }
        let r = next();
        v.extend_from_slice(WORDS[(r % 16) as usize].as_bytes());
        v.push(if r % 97 == 0 { b'\n' } else { b' ' });
    }
    v.truncate(n);
    v
}

/// Runs a coder over `input` in pieces of `chunk` bytes with `room` bytes of output per
/// call. Returns the output and how it ended (the error, if any).
pub fn drive<C: Coder + ?Sized>(
    coder: &mut C,
    input: &[u8],
    chunk: usize,
    room: usize,
) -> (Vec<u8>, Result<(), Error>) {
    let mut out = Vec::new();
    let mut buf = vec![0u8; room];
    let mut pos = 0;
    let mut idle = 0;
    loop {
        let end = (pos + chunk).min(input.len());
        let action = if end == input.len() {
            Action::Finish
        } else {
            Action::Run
        };
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

/// SHA-256 as hex.
pub fn sha256(data: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
