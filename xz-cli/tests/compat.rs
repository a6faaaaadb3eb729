//! Compatibility suite: every scenario runs against our `xz` and the reference XZ Utils
//! (`$XZ_REFERENCE`, else `/tmp/xz58/xz`, else `xz` on PATH) in separate scratch folders,
//! and compares the exit status, stdout bytes, stderr text and the files left behind
//! (names, bytes, modes, times).
//!
//! Scenarios that need a working codec are skipped (and listed) when our binary cannot yet
//! decode or encode; scenarios with a documented, intended difference are listed as such.
//! All inputs are generated here from descriptions; compressed inputs are produced by the
//! reference binary at test time.
#![forbid(unsafe_code)]

mod common;

use common::{ours, output_with_input};
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

// ---------------------------------------------------------------------------------------
// Environment

fn reference() -> Option<PathBuf> {
    let found = if let Some(p) = std::env::var_os("XZ_REFERENCE") {
        PathBuf::from(p)
    } else if Path::new("/tmp/xz58/xz").exists() {
        PathBuf::from("/tmp/xz58/xz")
    } else {
        let out = Command::new("sh")
            .args(["-c", "command -v xz"])
            .output()
            .ok()?;
        let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if s.is_empty() {
            return None;
        }
        PathBuf::from(s)
    };
    // The suite follows XZ Utils 5.8 (messages, defaults); older versions differ.
    let out = Command::new(&found)
        .args(["--robot", "--version"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let version: u32 = text
        .lines()
        .find_map(|l| l.strip_prefix("XZ_VERSION="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    if version < 50080000 {
        eprintln!(
            "compat: {} is XZ Utils {version}, older than 5.8; skipping",
            found.display()
        );
        return None;
    }
    Some(found)
}

/// A fresh scratch folder of this suite.
fn scratch(tag: &str) -> PathBuf {
    common::scratch("compat", tag)
}

/// A bin directory with every command name pointing at `exe`.
fn bin_dir(exe: &Path) -> PathBuf {
    let dir = scratch("bin");
    for name in [
        "xz",
        "unxz",
        "xzcat",
        "lzma",
        "unlzma",
        "lzcat",
        "myunxzfoo",
    ] {
        std::os::unix::fs::symlink(exe, dir.join(name)).expect("symlink");
    }
    dir
}

// ---------------------------------------------------------------------------------------
// Data, described and generated here

fn text(lines: usize) -> Vec<u8> {
    let mut v = Vec::new();
    for i in 0..lines {
        writeln!(
            v,
            "line {i}: the quick brown fox jumps over the lazy dog {}",
            i * 7 % 13
        )
        .ok();
    }
    v
}

fn random(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Compresses with the reference binary.
fn ref_compress(reference: &Path, args: &[&str], data: &[u8]) -> Vec<u8> {
    let mut cmd = Command::new(reference);
    cmd.args(args)
        .env("LC_ALL", "C")
        .env_remove("XZ_OPT")
        .env_remove("XZ_DEFAULTS");
    output_with_input(&mut cmd, data).stdout
}

/// Rewrites the check ID of an .xz stream (header and footer flags, with their CRC32s).
fn set_check_id(xz: &[u8], id: u8) -> Vec<u8> {
    let mut v = xz.to_vec();
    v[7] = id;
    let c = crc32(&v[6..8]).to_le_bytes();
    v[8..12].copy_from_slice(&c);
    let n = v.len();
    v[n - 3] = id;
    let c = crc32(&v[n - 8..n - 2]).to_le_bytes();
    v[n - 12..n - 8].copy_from_slice(&c);
    v
}

// ---------------------------------------------------------------------------------------
// Scenarios

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Needs {
    /// Only parsing, file handling, container code.
    Nothing,
    /// Our decoder must work.
    Decode,
    /// Our encoder must produce the reference's bytes.
    Encode,
}

#[derive(Clone)]
enum Entry {
    File {
        name: String,
        data: Vec<u8>,
        mode: u32,
    },
    Symlink {
        name: String,
        target: String,
    },
    HardLink {
        name: String,
        target: String,
    },
    Dir {
        name: String,
    },
    Fifo {
        name: String,
    },
}

#[derive(Clone)]
struct Case {
    name: String,
    argv0: &'static str,
    args: Vec<String>,
    stdin: Vec<u8>,
    env: Vec<(String, String)>,
    entries: Vec<Entry>,
    needs: Needs,
    /// Why our output is expected to differ (documented difference), if it is.
    known_difference: Option<&'static str>,
    /// A FIFO (made with [`Case::fifo`]) and the bytes a writer sends through it once
    /// the command opens it for reading.
    feed: Option<(String, Vec<u8>)>,
}

impl Case {
    fn new(name: &str, args: &[&str]) -> Case {
        Case {
            name: name.to_string(),
            argv0: "xz",
            args: args.iter().map(|s| s.to_string()).collect(),
            stdin: Vec::new(),
            env: Vec::new(),
            entries: Vec::new(),
            needs: Needs::Nothing,
            known_difference: None,
            feed: None,
        }
    }
    fn argv0(mut self, a: &'static str) -> Self {
        self.argv0 = a;
        self
    }
    fn file(mut self, name: &str, data: Vec<u8>) -> Self {
        self.entries.push(Entry::File {
            name: name.into(),
            data,
            mode: 0o644,
        });
        self
    }
    fn file_mode(mut self, name: &str, data: Vec<u8>, mode: u32) -> Self {
        self.entries.push(Entry::File {
            name: name.into(),
            data,
            mode,
        });
        self
    }
    fn symlink(mut self, name: &str, target: &str) -> Self {
        self.entries.push(Entry::Symlink {
            name: name.into(),
            target: target.into(),
        });
        self
    }
    fn hardlink(mut self, name: &str, target: &str) -> Self {
        self.entries.push(Entry::HardLink {
            name: name.into(),
            target: target.into(),
        });
        self
    }
    fn dir(mut self, name: &str) -> Self {
        self.entries.push(Entry::Dir { name: name.into() });
        self
    }
    fn fifo(mut self, name: &str) -> Self {
        self.entries.push(Entry::Fifo { name: name.into() });
        self
    }
    /// A FIFO `name` with a writer that waits for a reader, sends `data` and closes.
    fn fifo_fed(mut self, name: &str, data: Vec<u8>) -> Self {
        self.entries.push(Entry::Fifo { name: name.into() });
        self.feed = Some((name.into(), data));
        self
    }
    fn stdin(mut self, data: Vec<u8>) -> Self {
        self.stdin = data;
        self
    }
    fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }
    fn needs(mut self, n: Needs) -> Self {
        self.needs = n;
        self
    }
    fn known(mut self, why: &'static str) -> Self {
        self.known_difference = Some(why);
        self
    }
}

/// A fixed time for every file we create (so copied times compare equal).
fn fixed_time() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::new(1_577_934_245, 123_456_789)
}

fn materialize(dir: &Path, entries: &[Entry]) {
    for e in entries {
        match e {
            Entry::File { name, data, mode } => {
                let p = dir.join(name);
                fs::write(&p, data).expect("write");
                let f = fs::File::options().write(true).open(&p).expect("open");
                f.set_times(
                    fs::FileTimes::new()
                        .set_accessed(fixed_time())
                        .set_modified(fixed_time()),
                )
                .expect("times");
                fs::set_permissions(&p, fs::Permissions::from_mode(*mode)).expect("chmod");
            }
            Entry::Symlink { name, target } => {
                std::os::unix::fs::symlink(target, dir.join(name)).expect("symlink")
            }
            Entry::HardLink { name, target } => {
                fs::hard_link(dir.join(target), dir.join(name)).expect("hardlink")
            }
            Entry::Dir { name } => fs::create_dir(dir.join(name)).expect("mkdir"),
            Entry::Fifo { name } => {
                let ok = Command::new("mkfifo")
                    .arg(dir.join(name))
                    .status()
                    .map(|s| s.success());
                assert_eq!(ok.ok(), Some(true), "mkfifo");
            }
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct FileState {
    kind: &'static str,
    data: Vec<u8>,
    mode: u32,
    mtime: (i64, i64),
}

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    status: String,
    stdout: Vec<u8>,
    stderr: String,
    files: BTreeMap<String, FileState>,
}

fn snapshot(dir: &Path) -> BTreeMap<String, FileState> {
    let mut m = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(dir)
                .unwrap_or(&p)
                .to_string_lossy()
                .into_owned();
            let Ok(md) = fs::symlink_metadata(&p) else {
                continue;
            };
            let ft = md.file_type();
            let (kind, data) = if ft.is_symlink() {
                (
                    "symlink",
                    fs::read_link(&p)
                        .map(|t| t.into_os_string().into_encoded_bytes())
                        .unwrap_or_default(),
                )
            } else if ft.is_dir() {
                stack.push(p.clone());
                ("dir", Vec::new())
            } else if ft.is_file() {
                ("file", fs::read(&p).unwrap_or_default())
            } else {
                ("special", Vec::new())
            };
            // Times are compared for files whose times were set (ours, or copied from an
            // input); a file written "now" by a tool other than xz gets a placeholder.
            let now = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            let mtime = if kind == "file" && (now - md.mtime()).abs() > 3600 {
                (md.mtime(), md.mtime_nsec())
            } else {
                (0, 0)
            };
            m.insert(
                rel,
                FileState {
                    kind,
                    data,
                    mode: md.mode() & 0o7777,
                    mtime,
                },
            );
        }
    }
    m
}

fn run_case(case: &Case, bin: &Path) -> Outcome {
    let work = scratch("work");
    materialize(&work, &case.entries);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = if case.argv0 == "tar" {
        Command::new("tar")
    } else {
        let mut c = Command::new(bin.join(case.argv0));
        c.arg0(case.argv0);
        c
    };
    cmd.args(case.args.iter().map(OsString::from))
        .current_dir(&work)
        .env("PATH", path)
        .env("LC_ALL", "C")
        .env_remove("XZ_OPT")
        .env_remove("XZ_DEFAULTS")
        .env_remove("POSIXLY_CORRECT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &case.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn");
    let feeder = case.feed.clone().map(|(name, data)| {
        let fifo = work.join(name);
        let path = fifo.clone();
        // Blocks in open() until a reader comes (the command, or the release below).
        let thread = std::thread::spawn(move || {
            if let Ok(mut w) = fs::OpenOptions::new().write(true).open(&path) {
                let _ = w.write_all(&data);
            }
        });
        (fifo, thread)
    });
    let mut stdin = child.stdin.take().expect("stdin");
    let data = case.stdin.clone();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    let _ = writer.join();
    if let Some((fifo, thread)) = feeder {
        release_feeder(&fifo, &thread);
        let _ = thread.join();
    }
    use std::os::unix::process::ExitStatusExt;
    let status = match (out.status.code(), out.status.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(s)) => format!("signal {s}"),
        _ => "unknown".into(),
    };
    let files = snapshot(&work);
    let _ = fs::remove_dir_all(&work);
    Outcome {
        status,
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        files,
    }
}

use std::os::unix::process::CommandExt;

/// Lets a FIFO writer that the command did not (fully) read finish: holds the FIFO open
/// for reading (without blocking) and drains it until the writer thread has ended (it may
/// not even have reached its open() yet).
fn release_feeder(fifo: &Path, writer: &std::thread::JoinHandle<()>) {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    const O_NONBLOCK: i32 = 0o4000;
    let Ok(mut r) = fs::OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(fifo)
    else {
        return;
    };
    let start = std::time::Instant::now();
    let mut buf = [0u8; 65536];
    while !writer.is_finished() && start.elapsed() < Duration::from_secs(30) {
        match r.read(&mut buf) {
            Ok(n) if n > 0 => {}
            Ok(_) | Err(_) => std::thread::sleep(Duration::from_millis(1)),
        }
    }
}

fn describe_diff(a: &Outcome, b: &Outcome) -> String {
    let mut s = String::new();
    if a.status != b.status {
        s += &format!("  status: ref {} / ours {}\n", a.status, b.status);
    }
    if a.stdout != b.stdout {
        s += &format!(
            "  stdout differs: ref {} bytes / ours {} bytes\n",
            a.stdout.len(),
            b.stdout.len()
        );
        if a.stdout.len() < 2000 && b.stdout.len() < 2000 {
            s += &format!(
                "    ref:  {:?}\n    ours: {:?}\n",
                String::from_utf8_lossy(&a.stdout),
                String::from_utf8_lossy(&b.stdout)
            );
        }
    }
    if a.stderr != b.stderr {
        s += &format!(
            "  stderr:\n    ref:  {:?}\n    ours: {:?}\n",
            a.stderr, b.stderr
        );
    }
    if a.files != b.files {
        for k in a.files.keys().chain(b.files.keys()) {
            let (x, y) = (a.files.get(k), b.files.get(k));
            if x != y {
                let d = |f: Option<&FileState>| match f {
                    None => "absent".to_string(),
                    Some(f) => format!(
                        "{} {} bytes mode {:o} mtime {:?}",
                        f.kind,
                        f.data.len(),
                        f.mode,
                        f.mtime
                    ),
                };
                s += &format!("  file {k}: ref {} / ours {}\n", d(x), d(y));
            }
        }
    }
    s
}

// ---------------------------------------------------------------------------------------
// The scenario list

/// XZ Utils after 5.8.3 (and its test_files.sh) makes `--list` totals that overflow 64 bits
/// a fatal error; 5.8.1 prints wrapped totals. We follow the fix.
const TOTALS_OVERFLOW: &str =
    "--list totals overflowing 64 bits are a fatal error, as in XZ Utils \
     after 5.8.3 (5.8.1 prints a wrapped total)";

fn cases(r: &Path) -> Vec<Case> {
    let t = text(3000);
    let small = b"hello\n".to_vec();
    let rnd = random(100_000, 7);
    let xz_t = ref_compress(r, &["-T1"], &t);
    let xz_mt = ref_compress(r, &[], &t);
    let xz_small = ref_compress(r, &["-T1", "-C", "crc32"], &small);
    let xz_sha = ref_compress(r, &["-C", "sha256"], &t);
    let xz_none = ref_compress(r, &["-C", "none"], &t);
    let lzma_t = ref_compress(r, &["-F", "lzma"], &t);
    let raw_t = ref_compress(r, &["-F", "raw", "--lzma2=dict=1MiB"], &t);
    let raw1_t = ref_compress(r, &["-F", "raw", "--lzma1=dict=1MiB"], &t);
    let xz_blocks = ref_compress(r, &["-T1", "--block-size=20000"], &t);
    let xz_filters = ref_compress(r, &["--x86", "--delta=dist=4", "--lzma2=dict=64KiB"], &rnd);
    let xz_empty = ref_compress(r, &[], b"");
    let mut multi = xz_t.clone();
    multi.extend_from_slice(&[0; 8]);
    multi.extend_from_slice(&xz_small);
    let mut pad3 = xz_small.clone();
    pad3.extend_from_slice(&[0; 3]);
    let mut trailing = xz_small.clone();
    trailing.extend_from_slice(b"garbage!");
    let truncated = xz_t[..xz_t.len() / 2].to_vec();
    let mut corrupt = xz_t.clone();
    let mid = corrupt.len() / 2;
    corrupt[mid] ^= 0x55;
    let mut badcheck = xz_small.clone();
    let n = badcheck.len();
    // The CRC32 of the single block sits right before the index (12+header..); flip the
    // last byte of the block's check field: index is 8 bytes + footer 12 for this file.
    badcheck[n - 12 - 8 - 1] ^= 0xFF;
    let unsupported_check = set_check_id(&xz_small, 0x02);
    let mut lzma_twice = lzma_t.clone();
    lzma_twice.extend_from_slice(&lzma_t);
    let zeros = vec![0u8; 3 << 20];
    let xz_zeros = ref_compress(r, &["-T1"], &zeros);
    let lz_magic_only = b"LZIP\x01".to_vec();

    let mut v = Vec::new();
    use Needs::*;

    // --- help, version, info, argument errors (no codec needed)
    v.push(Case::new("help", &["-h"]));
    v.push(Case::new("long-help", &["-H"]));
    v.push(Case::new("help-long-option", &["--help"]));
    v.push(Case::new("help-wins-over-later-error", &["-h", "--bogus"]));
    v.push(Case::new("help-via-XZ_OPT", &["foo"]).env("XZ_OPT", "-h"));
    v.push(Case::new("filters-help", &["--filters-help"]));
    v.push(Case::new(
        "robot-filters-help",
        &["--robot", "--filters-help"],
    ));
    v.push(Case::new("info-memory", &["--info-memory"]));
    v.push(Case::new(
        "robot-info-memory",
        &["--robot", "--info-memory"],
    ));
    v.push(Case::new(
        "info-memory-limits",
        &["-M", "50%", "--memlimit-compress=123MiB", "--info-memory"],
    ));
    v.push(
        Case::new("version", &["-V"]).known("-V names xz-rs and its version in XZ Utils' shape"),
    );
    v.push(Case::new("robot-version", &["--robot", "--version"]));
    for a in [
        "--foo",
        "-Z",
        "--decompress=3",
        "--suffix",
        "-S",
        "--mem=1",
        "--mem",
        "-r",
        "--dec=1",
        "--lzma",
        "--file",
        "--fi",
        "--f",
        "-T",
        "--threads",
        "--best=3",
        "--comp=x",
        "--keep=",
    ] {
        v.push(Case::new(&format!("getopt-error {a}"), &[a]));
    }
    v.push(Case::new("getopt-error quiet", &["-q", "--foo"]));
    v.push(Case::new("getopt-error qq", &["-qq", "-Z"]));
    v.push(Case::new("getopt cluster with arg", &["-kT", "x"]));
    for (name, args) in [
        ("threads-range", vec!["-T", "16385"]),
        ("threads-suffix", vec!["-T", "4x"]),
        ("threads-not-int", vec!["-Tabc"]),
        ("memlimit-pct-range", vec!["-M", "101%"]),
        ("memlimit-pct-zero", vec!["-M", "0%"]),
        ("memlimit-bad", vec!["--memlimit-decompress=1x"]),
        ("block-size-range", vec!["--block-size=9223372036854775808"]),
        ("block-list-empty", vec!["--block-list="]),
        ("block-list-comma", vec!["--block-list=,1"]),
        ("block-list-zero-middle", vec!["--block-list=1,0,2"]),
        ("block-list-missing-size", vec!["--block-list=1:"]),
        ("block-list-missing-chain", vec!["--block-list=1:100", "-c"]),
        ("format-bogus", vec!["-F", "bogus"]),
        ("check-bogus", vec!["-C", "crc16"]),
        ("suffix-empty", vec!["-S", ""]),
        ("suffix-slash", vec!["-S", "a/b"]),
        ("lzma2-bad-suffix", vec!["--lzma2=dict=1x"]),
        ("lzma2-bad-name", vec!["--lzma2=foo=1"]),
        ("lzma2-no-value", vec!["--lzma2=dict"]),
        ("lzma2-bad-mf", vec!["--lzma2=mf=bt9"]),
        ("lzma2-bad-mode", vec!["--lzma2=mode=slow"]),
        ("lzma2-preset-10", vec!["--lzma2=preset=10"]),
        ("lzma2-preset-x", vec!["--lzma2=preset=6x"]),
        ("lzma2-lclp", vec!["--lzma2=lc=4,lp=1"]),
        ("lzma2-dict-range", vec!["--lzma2=dict=1KiB"]),
        ("lzma2-nice-range", vec!["--lzma2=nice=300"]),
        ("delta-range", vec!["--delta=dist=0"]),
        ("bcj-bad-opt", vec!["--x86=foo=1"]),
        ("filters-bad-suffix", vec!["--filters=lzma2:dict=1x"]),
        ("filters1-bad-name", vec!["--filters1=x86 lzma2:foo=3"]),
        ("filters-no-lzma2", vec!["--filters=x86"]),
        ("filters-empty", vec!["--filters="]),
        ("filters-bad-filter", vec!["--filters=lzma3"]),
        ("filters-preset-flag", vec!["--filters=6x"]),
        (
            "five-filters",
            vec!["--x86", "--x86", "--x86", "--x86", "--x86"],
        ),
        ("x86-only-mt", vec!["--x86", "-c"]),
        ("x86-only-st", vec!["--x86", "-T1", "-c"]),
        ("lzip-compress", vec!["-F", "lzip", "-z"]),
        ("robot-compress", vec!["--robot", "-c"]),
        ("lzma-with-lzma2", vec!["-F", "lzma", "--lzma2", "-c"]),
        ("xz-with-lzma1", vec!["--lzma1", "-c"]),
        ("raw-needs-suffix", vec!["-F", "raw", "a"]),
        ("files-twice", vec!["--files=a", "--files0=a"]),
        ("files-missing", vec!["--files=nonexistent"]),
        (
            "no-adjust-too-low",
            vec!["-9", "-M", "10MiB", "--no-adjust", "-c"],
        ),
        ("too-low-st", vec!["-T1", "-9", "-M", "1MiB", "-c"]),
        (
            "flush-timeout-bcj",
            vec!["--x86", "--lzma2", "--flush-timeout=10", "-c"],
        ),
        ("block-list-ignored", vec!["--block-list=10", "-dc"]),
        ("list-lzma-format", vec!["-l", "-F", "lzma", "a"]),
        ("list-raw-format", vec!["-l", "-F", "raw", "a"]),
    ] {
        v.push(
            Case::new(name, &args)
                .stdin(small.clone())
                .file("a", small.clone()),
        );
    }
    // -vv notices (filter chain, memory) with an encoder that fails later are codec-bound;
    // the lines printed at option time are compared here on empty input.
    for (name, args) in [
        ("vv-default", vec!["-vv", "-c"]),
        ("vv-T1", vec!["-vv", "-T1", "-c"]),
        ("vv-preset-9e", vec!["-vv", "-9e", "-T1", "-c"]),
        (
            "vv-filters",
            vec![
                "-vv",
                "-c",
                "--x86",
                "--delta=dist=4",
                "--arm=start=1024",
                "--lzma2=preset=3",
            ],
        ),
        (
            "vv-lzma2-then-e",
            vec!["-vv", "-T1", "-c", "--lzma2=dict=1MiB", "-e"],
        ),
        (
            "vv-preset-then-filter",
            vec!["-vv", "-T1", "-c", "-9", "--lzma2=dict=1MiB"],
        ),
        (
            "vv-filters-string",
            vec!["-vv", "-T1", "-c", "--filters=x86 lzma2:dict=64KiB,nice=32"],
        ),
        ("vv-adjust-dict", vec!["-vv", "-9", "-M", "20MiB", "-c"]),
        (
            "vv-threads-reduced",
            vec!["-vv", "-T2", "-9", "-M", "1300MiB", "-c"],
        ),
        ("adjust-dict-quiet-status", vec!["-9", "-M", "20MiB", "-c"]),
        ("raw-preset-warning", vec!["-F", "raw", "-c"]),
        ("flush-timeout-mt", vec!["--flush-timeout=100", "-c"]),
    ] {
        v.push(Case::new(name, &args).needs(Encode));
    }

    // --- terminal-free stdin/stdout paths and operands
    v.push(
        Case::new("compress-stdin", &[])
            .stdin(t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("compress-stdin-dash", &["-"])
            .stdin(t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("decompress-stdin", &["-d"])
            .stdin(xz_t.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("decompress-stdin-twice", &["-dc", "-", "-"])
            .stdin(xz_t.clone())
            .needs(Decode),
    );
    v.push(Case::new("empty-input-decompress", &["-d"]).stdin(Vec::new()));
    v.push(Case::new("garbage-stdin", &["-d"]).stdin(b"not compressed".to_vec()));
    v.push(Case::new("passthru", &["-dcf"]).stdin(b"hi\n".to_vec()));
    v.push(
        Case::new("passthru-files", &["-dcf", "a", "b.xz"])
            .file("a", small.clone())
            .file("b.xz", xz_small.clone())
            .needs(Decode),
    );
    v.push(Case::new("no-passthru-without-c", &["-df"]).stdin(b"foo\n".to_vec()));
    v.push(Case::new("no-passthru-test", &["-tf"]).stdin(b"foo\n".to_vec()));
    v.push(Case::new("empty-operand", &[""]));
    v.push(Case::new("nonexistent", &["nope"]));
    v.push(Case::new("nonexistent-decompress", &["-d", "nope.xz"]));
    v.push(
        Case::new("continue-after-error", &["-dc", "a.xz", "plain", "a.xz"])
            .file("a.xz", xz_small.clone())
            .file("plain", small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("permutation", &["a.xz", "-d", "--keep"])
            .file("a.xz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("double-dash", &["-dc", "--", "-k.xz"])
            .file("-k.xz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("posixly-correct", &["a.xz", "-dc"])
            .env("POSIXLY_CORRECT", "1")
            .file("a.xz", xz_small.clone()),
    );
    v.push(
        Case::new("xz-opt-operands-ignored", &["-d", "a.xz"])
            .env("XZ_OPT", "b.xz -k")
            .file("a.xz", xz_small.clone())
            .file("b.xz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("xz-defaults-then-opt", &["a.xz"])
            .env("XZ_DEFAULTS", "-d")
            .env("XZ_OPT", "-k")
            .file("a.xz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("xz-opt-bad", &["-d"])
            .env("XZ_OPT", "--bogus")
            .stdin(xz_small.clone()),
    );
    v.push(
        Case::new("long-prefixes", &["--decomp", "--std", "--kee", "a.xz"])
            .file("a.xz", xz_small.clone())
            .needs(Decode),
    );

    // --- command names
    v.push(
        Case::new("unxz", &["a.xz"])
            .argv0("unxz")
            .file("a.xz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("xzcat", &["a.xz", "a.xz"])
            .argv0("xzcat")
            .file("a.xz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("lzcat-on-xz", &["a.xz"])
            .argv0("lzcat")
            .file("a.xz", xz_small.clone()),
    );
    v.push(
        Case::new("lzcat", &["a.lzma"])
            .argv0("lzcat")
            .file("a.lzma", lzma_t.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("unlzma", &["a.lzma"])
            .argv0("unlzma")
            .file("a.lzma", lzma_t.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("lzma-compress", &["a"])
            .argv0("lzma")
            .file("a", t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("substring-name", &["a.xz"])
            .argv0("myunxzfoo")
            .file("a.xz", xz_small.clone())
            .needs(Decode),
    );

    // --- decompression of formats and damage
    for (name, data, args) in [
        ("d-xz", xz_t.clone(), vec!["-dc"]),
        ("d-xz-mt", xz_mt.clone(), vec!["-dc"]),
        ("d-sha256", xz_sha.clone(), vec!["-dc"]),
        ("d-check-none", xz_none.clone(), vec!["-dc"]),
        ("d-blocks", xz_blocks.clone(), vec!["-dc"]),
        ("d-filters", xz_filters.clone(), vec!["-dc"]),
        ("d-empty-xz", xz_empty.clone(), vec!["-dc"]),
        ("d-multi-stream", multi.clone(), vec!["-dc"]),
        (
            "d-single-stream",
            multi.clone(),
            vec!["-dc", "--single-stream"],
        ),
        ("d-padding-3", pad3.clone(), vec!["-dc"]),
        ("d-trailing", trailing.clone(), vec!["-dc"]),
        (
            "d-trailing-single",
            trailing.clone(),
            vec!["-dc", "--single-stream"],
        ),
        ("d-truncated", truncated.clone(), vec!["-dc"]),
        ("d-corrupt", corrupt.clone(), vec!["-dc"]),
        ("d-bad-check", badcheck.clone(), vec!["-dc"]),
        (
            "d-ignore-check",
            badcheck.clone(),
            vec!["-dc", "--ignore-check"],
        ),
        (
            "d-unsupported-check",
            unsupported_check.clone(),
            vec!["-dc"],
        ),
        (
            "d-unsupported-check-Q",
            unsupported_check.clone(),
            vec!["-dcQ"],
        ),
        (
            "d-unsupported-check-q",
            unsupported_check.clone(),
            vec!["-dcq"],
        ),
        ("t-unsupported-check", unsupported_check.clone(), vec!["-t"]),
        ("d-lzma", lzma_t.clone(), vec!["-dc"]),
        ("d-lzma-twice", lzma_twice.clone(), vec!["-dc"]),
        (
            "d-lzma-twice-single",
            lzma_twice.clone(),
            vec!["-dc", "--single-stream"],
        ),
        ("d-lzma-as-xz", lzma_t.clone(), vec!["-dc", "-F", "xz"]),
        ("d-xz-as-lzma", xz_t.clone(), vec!["-dc", "-F", "lzma"]),
        (
            "d-raw",
            raw_t.clone(),
            vec!["-dc", "-F", "raw", "--lzma2=dict=1MiB"],
        ),
        (
            "d-raw-lzma1",
            raw1_t.clone(),
            vec!["-dc", "-F", "raw", "--lzma1=dict=1MiB"],
        ),
        ("d-lzip-magic-only", lz_magic_only.clone(), vec!["-dc"]),
        (
            "d-memlimit",
            xz_t.clone(),
            vec!["-dc", "--memlimit-decompress=1MiB"],
        ),
        (
            "d-memlimit-bytes",
            xz_t.clone(),
            vec!["-dc", "-M", "100KiB"],
        ),
        ("d-memlimit-lzma", lzma_t.clone(), vec!["-dc", "-M", "1MiB"]),
        (
            "d-memlimit-raw",
            raw_t.clone(),
            vec!["-dc", "-F", "raw", "--lzma2=dict=1MiB", "-M", "1MiB"],
        ),
        ("d-memlimit-ok", xz_t.clone(), vec!["-dc", "-M", "10MiB"]),
        ("t-verbose", xz_t.clone(), vec!["-tv"]),
        ("t-quiet-corrupt", corrupt.clone(), vec!["-tq"]),
        ("t-qq-corrupt", corrupt.clone(), vec!["-tqq"]),
        ("d-threads", xz_mt.clone(), vec!["-dc", "-T4"]),
        ("d-zeros", xz_zeros.clone(), vec!["-dc"]),
        // Input shorter than the 12-byte stream header: xz detects the format itself (six
        // magic bytes) before liblzma, which waits for the whole header, sees the data.
        ("d-short-fd", vec![0xFD], vec!["-dc"]),
        ("d-short-fd-xz", vec![0xFD], vec!["-dc", "-F", "xz"]),
        ("d-short-5", xz_empty[..5].to_vec(), vec!["-dc"]),
        ("d-short-6", xz_empty[..6].to_vec(), vec!["-dc"]),
        ("d-short-11", xz_empty[..11].to_vec(), vec!["-dc"]),
        ("d-short-11-xz", xz_empty[..11].to_vec(), vec!["-dc", "-F", "xz"]),
        ("t-short-11", xz_empty[..11].to_vec(), vec!["-t"]),
        ("d-short-11-single", xz_empty[..11].to_vec(), vec!["-dc", "--single-stream"]),
        ("d-short-11-threads", xz_empty[..11].to_vec(), vec!["-dc", "-T2"]),
        ("d-short-garbage-11", b"garbagegarb".to_vec(), vec!["-dc"]),
        ("d-short-garbage-11-xz", b"garbagegarb".to_vec(), vec!["-t", "-F", "xz"]),
    ] {
        let needs = match name {
            "d-lzma-as-xz" | "d-xz-as-lzma" | "d-lzip-magic-only" | "d-memlimit"
            | "d-memlimit-bytes" | "d-memlimit-lzma" | "d-memlimit-raw" => Nothing,
            _ => Decode,
        };
        v.push(
            Case::new(&format!("{name} (stdin)"), &args)
                .stdin(data.clone())
                .needs(needs),
        );
        let mut fargs = args.clone();
        fargs.push("f.xz");
        v.push(
            Case::new(&format!("{name} (file)"), &fargs)
                .file("f.xz", data)
                .needs(needs),
        );
    }

    // --- decompression to files: names, suffixes, metadata, refusals
    v.push(
        Case::new("d-file", &["-d", "a.xz"])
            .file_mode("a.xz", xz_t.clone(), 0o640)
            .needs(Decode),
    );
    v.push(
        Case::new("d-file-keep", &["-dk", "a.xz"])
            .file("a.xz", xz_t.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-txz", &["-d", "a.txz"])
            .file("a.txz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-lzma-suffix", &["-d", "a.lzma"])
            .file("a.lzma", lzma_t.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-tlz", &["-d", "a.tlz"])
            .file("a.tlz", lzma_t.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-lz-suffix-xz-data", &["-d", "a.lz"])
            .file("a.lz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-custom-suffix", &["-d", "-S", ".foo", "a.foo"])
            .file("a.foo", xz_small.clone())
            .needs(Decode),
    );
    v.push(Case::new("d-unknown-suffix", &["-d", "noext"]).file("noext", xz_small.clone()));
    v.push(Case::new("d-unknown-suffix-plain", &["-d", "plain"]).file("plain", small.clone()));
    v.push(Case::new("d-suffix-only", &["-d", ".xz"]).file(".xz", xz_small.clone()));
    v.push(
        Case::new("d-existing-target", &["-d", "a.xz"])
            .file("a.xz", xz_small.clone())
            .file("a", b"old".to_vec()),
    );
    v.push(
        Case::new("d-existing-target-force", &["-df", "a.xz"])
            .file("a.xz", xz_small.clone())
            .file("a", b"old".to_vec())
            .needs(Decode),
    );
    v.push(
        Case::new("d-corrupt-no-output", &["-d", "a.xz"])
            .file("a.xz", corrupt.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-truncated-no-output", &["-d", "a.xz"])
            .file("a.xz", truncated.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-trailing-no-output", &["-d", "a.xz"])
            .file("a.xz", trailing.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-sparse", &["-d", "z.xz"])
            .file("z.xz", xz_zeros.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-no-sparse", &["-d", "--no-sparse", "z.xz"])
            .file("z.xz", xz_zeros.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-single-stream-keeps", &["-d", "--single-stream", "a.xz"])
            .file("a.xz", multi.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-no-sync", &["-d", "--no-sync", "a.xz"])
            .file("a.xz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("d-raw-needs-suffix", &["-d", "-F", "raw", "a.xz"]).file("a.xz", raw_t.clone()),
    );
    v.push(
        Case::new(
            "d-raw-suffix",
            &[
                "-d",
                "-F",
                "raw",
                "--lzma2=dict=1MiB",
                "-S",
                ".raw",
                "a.raw",
            ],
        )
        .file("a.raw", raw_t.clone())
        .needs(Decode),
    );
    v.push(
        Case::new("t-no-files-touched", &["-t", "a.xz"])
            .file("a.xz", xz_t.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("refuse-symlink", &["-d", "sl.xz"])
            .file("a.xz", xz_small.clone())
            .symlink("sl.xz", "a.xz"),
    );
    v.push(
        Case::new("symlink-with-k", &["-dk", "sl.xz"])
            .file("a.xz", xz_small.clone())
            .symlink("sl.xz", "a.xz")
            .needs(Decode),
    );
    v.push(
        Case::new("symlink-with-f", &["-df", "sl.xz"])
            .file("a.xz", xz_small.clone())
            .symlink("sl.xz", "a.xz")
            .needs(Decode),
    );
    v.push(
        Case::new("symlink-with-c", &["-dc", "sl.xz"])
            .file("a.xz", xz_small.clone())
            .symlink("sl.xz", "a.xz")
            .needs(Decode),
    );
    v.push(Case::new("dangling-symlink", &["-d", "sl.xz"]).symlink("sl.xz", "nowhere"));
    v.push(
        Case::new("refuse-hardlink", &["-d", "h.xz"])
            .file("h.xz", xz_small.clone())
            .hardlink("h2.xz", "h.xz"),
    );
    v.push(
        Case::new("hardlink-with-k", &["-dk", "h.xz"])
            .file("h.xz", xz_small.clone())
            .hardlink("h2.xz", "h.xz")
            .needs(Decode),
    );
    v.push(Case::new("refuse-setuid", &["-d", "s.xz"]).file_mode("s.xz", xz_small.clone(), 0o4644));
    v.push(Case::new("refuse-setgid", &["-d", "s.xz"]).file_mode("s.xz", xz_small.clone(), 0o2644));
    v.push(Case::new("refuse-sticky", &["-d", "s.xz"]).file_mode("s.xz", xz_small.clone(), 0o1644));
    v.push(
        Case::new("setuid-with-f-drops-bits", &["-df", "s.xz"])
            .file_mode("s.xz", xz_small.clone(), 0o4755)
            .needs(Decode),
    );
    v.push(Case::new("refuse-dir", &["-d", "d.xz"]).dir("d.xz"));
    v.push(Case::new("refuse-dir-with-c", &["-dc", "d.xz"]).dir("d.xz"));
    v.push(Case::new("refuse-fifo", &["-d", "p.xz"]).fifo("p.xz"));
    v.push(
        Case::new("mixed-refusals-status", &["-d", "d.xz", "sl.xz", "nope.xz"])
            .dir("d.xz")
            .file("a.xz", xz_small.clone())
            .symlink("sl.xz", "a.xz"),
    );
    v.push(
        Case::new("warning-then-error", &["-d", "sl.xz", "bad.xz"])
            .file("a.xz", xz_small.clone())
            .symlink("sl.xz", "a.xz")
            .file("bad.xz", small.clone()),
    );
    v.push(Case::new("unreadable-input", &["-dk", "mem"]).symlink("mem", "/proc/self/mem"));
    v.push(Case::new("read-error-compress", &["-k", "mem"]).symlink("mem", "/proc/self/mem"));
    v.push(
        Case::new("files-list", &["-d", "--files=list"])
            .file("list", b"a.xz\n\nb.xz\n".to_vec())
            .file("a.xz", xz_small.clone())
            .file("b.xz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("files0-list", &["-dk", "--files0=list"])
            .file("list", b"a.xz\0b.xz\0".to_vec())
            .file("a.xz", xz_small.clone())
            .file("b.xz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("files-stdin", &["-dk", "--files"])
            .stdin(b"a.xz\n".to_vec())
            .file("a.xz", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("files-nul-in-newline-list", &["-dk", "--files"])
            .stdin(b"a.xz\0b\n".to_vec())
            .file("a.xz", xz_small.clone()),
    );
    v.push(
        Case::new("files-unterminated", &["-dk", "--files"])
            .stdin(b"a.xz".to_vec())
            .file("a.xz", xz_small.clone()),
    );
    v.push(Case::new("files-stdin-and-dash", &["-dk", "--files", "-"]).stdin(b"".to_vec()));
    v.push(
        Case::new("files-dash-is-a-name", &["-dc", "--files=list"])
            .file("list", b"-\n".to_vec())
            .file("-", xz_small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("files-verbose", &["-dkv", "--files=list"])
            .file("list", b"a.xz\n".to_vec())
            .file("a.xz", xz_small.clone())
            .needs(Decode),
    );

    // --- compression: naming, refusals, metadata (name/refusal checks run before coding)
    v.push(Case::new("z-has-suffix", &["a.xz"]).file("a.xz", small.clone()));
    v.push(Case::new("z-has-txz", &["a.txz"]).file("a.txz", small.clone()));
    v.push(
        Case::new("z-lzma-has-suffix", &["-F", "lzma", "a.lzma"])
            .file("a.lzma", small.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-lzma-has-tlz", &["-F", "lzma", "a.tlz"])
            .file("a.tlz", small.clone())
            .needs(Encode),
    );
    v.push(Case::new("z-custom-has-suffix", &["-S", ".foo", "a.foo"]).file("a.foo", small.clone()));
    v.push(
        Case::new("z-existing-target", &["a"])
            .file("a", small.clone())
            .file("a.xz", b"old".to_vec()),
    );
    v.push(
        Case::new("z-refuse-symlink", &["sl"])
            .file("a", small.clone())
            .symlink("sl", "a"),
    );
    v.push(
        Case::new("z-refuse-hardlink", &["h"])
            .file("h", small.clone())
            .hardlink("h2", "h"),
    );
    v.push(Case::new("z-refuse-dir", &["d"]).dir("d"));
    v.push(Case::new("z-refuse-setgid", &["s"]).file_mode("s", small.clone(), 0o2644));
    v.push(Case::new("z-refuse-sticky", &["s"]).file_mode("s", small.clone(), 0o1644));
    v.push(Case::new("z-refuse-fifo", &["p"]).fifo("p"));
    // FIFOs with a writer waiting for a reader (xz opens the source with O_NONBLOCK, which
    // releases the writer even when it then refuses the file).
    v.push(Case::new("fifo-refused-writer-released", &["p"]).fifo_fed("p", small.clone()));
    v.push(Case::new("fifo-f-refused", &["-f", "p"]).fifo_fed("p", small.clone()));
    v.push(Case::new("fifo-k-refused", &["-k", "p"]).fifo_fed("p", small.clone()));
    v.push(Case::new("fifo-d-refused", &["-d", "p"]).fifo_fed("p", xz_small.clone()));
    v.push(Case::new("fifo-list-refused", &["-l", "p"]).fifo_fed("p", xz_small.clone()));
    v.push(
        Case::new("fifo-c-compress", &["-T1", "-c", "p"])
            .fifo_fed("p", t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("fifo-cf-compress", &["-T1", "-cf", "p"])
            .fifo_fed("p", small.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("fifo-c-empty-writer", &["-T1", "-c", "p"])
            .fifo_fed("p", Vec::new())
            .needs(Encode),
    );
    v.push(
        Case::new("fifo-dc", &["-dc", "p"])
            .fifo_fed("p", xz_t.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("fifo-t", &["-t", "p"])
            .fifo_fed("p", xz_t.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("fifo-dcf-passthru", &["-dcf", "p"])
            .fifo_fed("p", small.clone())
            .needs(Decode),
    );
    v.push(
        Case::new("fifo-c-then-file", &["-T1", "-c", "p", "a"])
            .fifo_fed("p", small.clone())
            .file("a", t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("fifo-and-file-refused-and-done", &["-T1", "-k", "p", "a"])
            .fifo_fed("p", small.clone())
            .file("a", small.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-file", &["a"])
            .file_mode("a", t.clone(), 0o640)
            .needs(Encode),
    );
    v.push(
        Case::new("z-file-keep", &["-k", "a"])
            .file("a", t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-tar-name", &["a.tar"])
            .file("a.tar", t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-custom-suffix", &["-S", ".foo", "a"])
            .file("a", t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-lzma-file", &["-F", "lzma", "a"])
            .file("a", t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-alone-alias", &["-F", "alone", "-c", "a"])
            .file("a", t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-raw-file", &["-F", "raw", "-S", ".raw", "a"])
            .file("a", t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-force", &["-f", "a"])
            .file("a", t.clone())
            .file("a.xz", b"old".to_vec())
            .needs(Encode),
    );
    v.push(
        Case::new("z-multi-files-c", &["-c", "a", "b"])
            .file("a", t.clone())
            .file("b", small.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-empty", &["-c"])
            .stdin(Vec::new())
            .needs(Encode),
    );
    v.push(
        Case::new("z-verbose-summary", &["-v", "-k", "a"])
            .file("a", t.clone())
            .needs(Encode),
    );
    v.push(
        // The write error itself (stdout on /dev/full) is in faults.rs.
        Case::new("z-write-error", &["-c", "a"])
            .file("a", t.clone())
            .needs(Encode),
    );
    for p in [
        "-0", "-1", "-2", "-3", "-4", "-5", "-6", "-7", "-8", "-9", "-0e", "-3e", "-5e", "-6e",
        "-9e", "--fast", "--best",
    ] {
        v.push(
            Case::new(&format!("z-preset {p} -T1"), &["-c", "-T1", p])
                .stdin(t.clone())
                .needs(Encode),
        );
    }
    for p in ["-0", "-6", "-9e"] {
        v.push(
            Case::new(&format!("z-preset {p} default threads"), &["-c", p])
                .stdin(t.clone())
                .needs(Encode),
        );
    }
    for c in ["none", "crc32", "crc64", "sha256"] {
        v.push(
            Case::new(&format!("z-check {c}"), &["-c", "-C", c])
                .stdin(t.clone())
                .needs(Encode),
        );
    }
    for f in [
        "--x86",
        "--arm",
        "--armthumb",
        "--arm64",
        "--powerpc",
        "--ia64",
        "--sparc",
        "--riscv",
        "--delta=dist=7",
        "--x86=start=16",
    ] {
        v.push(
            Case::new(&format!("z-filter {f}"), &["-c", f, "--lzma2=preset=1"])
                .stdin(rnd.clone())
                .needs(Encode),
        );
    }
    v.push(
        Case::new("z-arm-unaligned-start", &["-c", "--arm=start=1", "--lzma2"])
            .stdin(small.clone())
            .needs(Encode),
    );
    v.push(
        Case::new(
            "z-filters-string",
            &["-c", "--filters=delta:dist=2 lzma2:dict=64KiB"],
        )
        .stdin(t.clone())
        .needs(Encode),
    );
    v.push(
        Case::new(
            "z-lzma1-raw",
            &["-c", "-F", "raw", "--lzma1=lc=0,lp=2,pb=2"],
        )
        .stdin(t.clone())
        .needs(Encode),
    );
    v.push(
        Case::new(
            "z-lzma2-options",
            &[
                "-c",
                "-T1",
                "--lzma2=dict=64KiB,lc=1,lp=1,pb=0,mode=fast,nice=32,mf=hc4,depth=10",
            ],
        )
        .stdin(t.clone())
        .needs(Encode),
    );
    v.push(
        Case::new("z-block-size-T1", &["-c", "-T1", "--block-size=20000"])
            .stdin(t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-block-size-mt", &["-c", "--block-size=50000"])
            .stdin(t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-block-list", &["-c", "-T1", "--block-list=1000,2000,,0"])
            .stdin(t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new("z-block-list-mt", &["-c", "--block-list=10000,50000"])
            .stdin(t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new(
            "z-block-list-and-size",
            &["-c", "-T1", "--block-size=3000", "--block-list=10000,5000"],
        )
        .stdin(t.clone())
        .needs(Encode),
    );
    v.push(
        Case::new(
            "z-block-list-chains",
            &[
                "-c",
                "-T1",
                "--filters1=delta:dist=2 lzma2:dict=64KiB",
                "--block-list=1:30000,0:40000,1:0",
            ],
        )
        .stdin(t.clone())
        .needs(Encode),
    );
    v.push(
        Case::new("z-threads-plus-one", &["-c", "-T+1"])
            .stdin(t.clone())
            .needs(Encode),
    );
    v.push(
        Case::new(
            "z-block-list-lzma-ignored",
            &["-c", "-F", "lzma", "--block-list=100"],
        )
        .stdin(t.clone())
        .needs(Encode),
    );
    v.push(
        Case::new("z-memlimit-switch-st", &["-c", "-9", "-M", "700MiB"])
            .stdin(small.clone())
            .needs(Encode),
    );

    // --- list
    let files = |c: Case| {
        c.file("t.xz", xz_t.clone())
            .file("multi.xz", multi.clone())
            .file("sha.xz", xz_sha.clone())
            .file("none.xz", xz_none.clone())
            .file("blocks.xz", xz_blocks.clone())
            .file("filters.xz", xz_filters.clone())
            .file("empty.xz", xz_empty.clone())
            .file("mt.xz", xz_mt.clone())
            .file("zero-bytes.xz", Vec::new())
            .file("tiny.xz", b"tiny".to_vec())
            .file("plain.xz", t.clone())
            .file("trailing.xz", trailing.clone())
            .file("pad3.xz", pad3.clone())
            .file("unsup.xz", unsupported_check.clone())
            .file("lzma.xz", lzma_t.clone())
    };
    let all = [
        "t.xz",
        "multi.xz",
        "sha.xz",
        "none.xz",
        "blocks.xz",
        "filters.xz",
        "empty.xz",
        "mt.xz",
        "zero-bytes.xz",
        "tiny.xz",
        "plain.xz",
        "trailing.xz",
        "pad3.xz",
        "unsup.xz",
        "lzma.xz",
    ];
    for flags in [
        "-l",
        "-lv",
        "-lvv",
        "--robot -l",
        "--robot -lv",
        "--robot -lvv",
        "-lq",
    ] {
        let mut args: Vec<&str> = flags.split(' ').collect();
        args.extend(all.iter());
        v.push(files(Case::new(&format!("list {flags} all"), &args)));
        for one in ["t.xz", "multi.xz", "empty.xz"] {
            let mut a: Vec<&str> = flags.split(' ').collect();
            a.push(one);
            v.push(files(Case::new(&format!("list {flags} {one}"), &a)));
        }
    }
    v.push(files(Case::new(
        "list two files",
        &["-l", "t.xz", "sha.xz"],
    )));
    v.push(files(Case::new("list stdin", &["-l"])).stdin(xz_t.clone()));
    v.push(files(Case::new(
        "list robot no good files",
        &["--robot", "-l", "plain.xz"],
    )));
    v.push(
        files(Case::new("list files0", &["-lv", "--files0=names"]))
            .file("names", b"t.xz\0sha.xz\0".to_vec()),
    );
    v.push(files(Case::new("list symlink followed", &["-l", "sl"])).symlink("sl", "t.xz"));
    v.push(files(Case::new("list dir", &["-l", "d"])).dir("d"));

    // --- tar through PATH
    // --- XZ Utils' own test files, read from a local source tree when present (not
    // copied into this repository): decode, test and list each one.
    let files_dir = std::env::var_os("XZ_TEST_FILES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/xz-src/tests/files"));
    if let Ok(rd) = fs::read_dir(&files_dir) {
        let mut names: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        names.sort();
        for p in names {
            let Some(name) = p.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                continue;
            };
            if !(name.ends_with(".xz") || name.ends_with(".lzma") || name.ends_with(".lz")) {
                continue;
            }
            let Ok(data) = fs::read(&p) else { continue };
            for args in [vec!["-dc"], vec!["-t"], vec!["-dc", "--single-stream"]] {
                let mut a = args.clone();
                a.push(&name);
                let c = Case::new(&format!("upstream {} {name}", args.join(" ")), &a)
                    .file(&name, data.clone())
                    .needs(Decode);
                v.push(c);
            }
            if name == "bad-1-index-huge-uncomp.xz" {
                // XZ Utils' test_files.sh: listing it twice works, thrice overflows the
                // totals.
                let twice = [name.as_str(), name.as_str()];
                v.push(
                    Case::new("upstream -l huge-uncomp twice", &["-l", twice[0], twice[1]])
                        .file(&name, data.clone()),
                );
                v.push(
                    Case::new(
                        "upstream -l huge-uncomp thrice",
                        &["-l", &name, &name, &name],
                    )
                    .file(&name, data.clone())
                    .known(TOTALS_OVERFLOW),
                );
            }
            if name.ends_with(".xz") {
                for flags in [vec!["-lvv"], vec!["--robot", "-lvv"]] {
                    let mut a = flags.clone();
                    a.push(&name);
                    v.push(
                        Case::new(&format!("upstream {} {name}", flags.join(" ")), &a)
                            .file(&name, data.clone()),
                    );
                }
            }
        }
    }

    v.push(
        Case::new("tar -xJ", &["-xJf", "a.tar.xz"])
            .argv0("tar")
            .file("a.tar.xz", ref_compress(r, &[], &tar_bytes(&t)))
            .needs(Decode),
    );
    v.push(
        Case::new(
            "tar -cJ",
            &[
                "--owner=0",
                "--group=0",
                "--mtime=2020-01-01",
                "-cJf",
                "b.tar.xz",
                "member.txt",
            ],
        )
        .argv0("tar")
        .file("member.txt", t.clone())
        .needs(Encode),
    );
    v
}

/// A tar archive of one file, built by the system `tar` for the `tar -J` scenario.
fn tar_bytes(content: &[u8]) -> Vec<u8> {
    let dir = scratch("tar");
    let f = dir.join("member.txt");
    fs::write(&f, content).expect("write");
    let out = Command::new("tar")
        .args([
            "--owner=0",
            "--group=0",
            "--mtime=2020-01-01",
            "-cf",
            "-",
            "member.txt",
        ])
        .current_dir(&dir)
        .output()
        .expect("tar");
    let _ = fs::remove_dir_all(&dir);
    out.stdout
}

// ---------------------------------------------------------------------------------------
// Probes and the driver

fn probe(ours: &Path, reference: &Path) -> (bool, bool) {
    let data = text(2000);
    let xz = ref_compress(reference, &[], &data);
    let dec = output_with_input(Command::new(ours).arg("-dc"), &xz);
    let enc = output_with_input(Command::new(ours).args(["-c", "-T1"]), &data);
    (
        dec.status.success() && dec.stdout == data,
        enc.status.success() && enc.stdout == ref_compress(reference, &["-T1"], &data),
    )
}

#[test]
fn compatibility_suite() {
    let Some(reference) = reference() else {
        eprintln!("compat: no reference xz found ($XZ_REFERENCE, /tmp/xz58/xz, PATH); skipping");
        return;
    };
    let ours = ours();
    let (can_decode, can_encode) = probe(&ours, &reference);
    let ref_bin = bin_dir(&reference);
    let our_bin = bin_dir(&ours);
    let only = std::env::var("XZ_COMPAT_ONLY").ok();
    let mut passed = 0;
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    let mut known = Vec::new();
    let mut known_but_identical: Vec<String> = Vec::new();
    for case in cases(&reference) {
        if only
            .as_ref()
            .is_some_and(|o| !case.name.contains(o.as_str()))
        {
            continue;
        }
        let runnable = match case.needs {
            Needs::Nothing => true,
            Needs::Decode => can_decode,
            Needs::Encode => can_encode && can_decode,
        };
        if !runnable {
            skipped.push(format!(
                "{} (needs {:?}; our codec cannot yet)",
                case.name, case.needs
            ));
            continue;
        }
        let a = run_case(&case, &ref_bin);
        let b = run_case(&case, &our_bin);
        if a == b {
            passed += 1;
            if case.known_difference.is_some() {
                known_but_identical.push(case.name.clone());
            }
        } else if let Some(why) = case.known_difference {
            known.push(format!("{}: {why}", case.name));
        } else {
            failed.push(format!("{}\n{}", case.name, describe_diff(&a, &b)));
        }
    }
    eprintln!("compat: reference {}", reference.display());
    eprintln!(
        "compat: {passed} passed, {} failed, {} skipped, {} known differences",
        failed.len(),
        skipped.len(),
        known.len()
    );
    for s in &skipped {
        eprintln!("  skipped: {s}");
    }
    for k in &known {
        eprintln!("  known difference: {k}");
    }
    for k in &known_but_identical {
        eprintln!("  marked as a known difference but identical (stale mark?): {k}");
    }
    for f in &failed {
        eprintln!("FAILED: {f}");
    }
    let _ = fs::remove_dir_all(&ref_bin);
    let _ = fs::remove_dir_all(&our_bin);
    assert!(
        failed.is_empty(),
        "{} compatibility scenarios failed",
        failed.len()
    );
}

/// Terminal rules, run under `script` (a pseudo-terminal as stdin, stdout and stderr).
#[test]
fn terminal_rules() {
    let Some(reference) = reference() else {
        eprintln!("terminal: no reference xz; skipping");
        return;
    };
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("terminal: `script` is not installed; skipping");
        return;
    }
    let (can_decode, _) = probe(&ours(), &reference);
    let small = b"hello\n".to_vec();
    let xz_small = ref_compress(&reference, &["-C", "crc32"], &small);
    let cases: Vec<(&str, bool)> = vec![
        ("xz", false),
        ("xz -", false),
        ("xz -c a", false),
        ("xz -c a a", false),
        ("xz -z -c", false),
        ("xz -d", false),
        ("xz -t", false),
        ("xz -dc -", false),
        ("xz -d - a.xz", true),
        ("xz -dc a.xz", true),
        ("xz -l a.xz", false),
        ("xz -l -", false),
        ("xz -k a -", false),
        ("xz -q", false),
        ("xz -dkv a.xz", true),
        ("xz -dcv a.xz a.xz", true),
        ("xz -tvv a.xz", true),
        ("xz -lv a.xz", false),
    ];
    let mut failures = Vec::new();
    let mut ran = 0;
    for (cmdline, needs_decode) in cases {
        if needs_decode && !can_decode {
            eprintln!("  skipped (needs decoder): {cmdline}");
            continue;
        }
        let mut results = Vec::new();
        for exe in [&reference, &ours()] {
            let bin = bin_dir(exe);
            let work = scratch("tty");
            materialize(
                &work,
                &[
                    Entry::File {
                        name: "a".into(),
                        data: small.clone(),
                        mode: 0o644,
                    },
                    Entry::File {
                        name: "a.xz".into(),
                        data: xz_small.clone(),
                        mode: 0o644,
                    },
                ],
            );
            let out = Command::new("script")
                .args(["-qec", cmdline, "/dev/null"])
                .current_dir(&work)
                .env(
                    "PATH",
                    format!(
                        "{}:{}",
                        bin.display(),
                        std::env::var("PATH").unwrap_or_default()
                    ),
                )
                .env("LC_ALL", "C")
                .stdin(Stdio::null())
                .output()
                .expect("script");
            let files = snapshot(&work);
            let _ = fs::remove_dir_all(&work);
            let _ = fs::remove_dir_all(&bin);
            results.push((out.status.code(), out.stdout, files));
        }
        ran += 1;
        if results[0] != results[1] {
            failures.push(format!(
                "{cmdline}: ref {:?} {:?} / ours {:?} {:?}",
                results[0].0,
                String::from_utf8_lossy(&results[0].1),
                results[1].0,
                String::from_utf8_lossy(&results[1].1)
            ));
        }
    }
    eprintln!(
        "terminal: {} of {ran} scenarios match",
        ran - failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}
