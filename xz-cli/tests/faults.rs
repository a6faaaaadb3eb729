//! Fault tests: signals in the middle of a file, write errors, a closed pipe. In every case
//! the input must stay intact and no partial output may remain. Where a reference xz is
//! available (`$XZ_REFERENCE`, `/tmp/xz58/xz`), the same scenario is run against it and the
//! way the process ends is compared.
#![forbid(unsafe_code)]

use std::fs;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn ours() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_xz"))
}

fn reference() -> Option<PathBuf> {
    std::env::var_os("XZ_REFERENCE")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/tmp/xz58/xz")).filter(|p| p.exists()))
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xz-rs-faults-{}-{tag}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).expect("scratch");
    d
}

/// A large sparse input: compressing it takes long enough to be interrupted.
fn big_sparse(dir: &Path) -> PathBuf {
    let p = dir.join("big");
    let f = fs::File::create(&p).expect("create");
    f.set_len(16 << 30).expect("set_len");
    p
}

fn wait_gone(p: &Path) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if !p.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A command for `exe` in which SIGINT, SIGHUP and SIGTERM have their default action.
///
/// A test run started in the background of a non-interactive shell (or under `nohup`)
/// inherits those signals as ignored, and an ignored disposition survives `exec`, so the
/// signal would never reach `xz`. `env --default-signal` (coreutils 8.31+) resets them
/// without any `unsafe` here; where it is missing the command runs as is.
fn with_default_signals(exe: &Path) -> Command {
    let env_ok = Command::new("env")
        .args(["--default-signal=HUP,INT,TERM", "true"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if env_ok {
        let mut c = Command::new("env");
        c.arg("--default-signal=HUP,INT,TERM").arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

/// Waits for `child`, but never forever: after `limit` it is killed and the test fails.
fn wait_at_most(child: &mut std::process::Child, limit: Duration, tag: &str) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{tag}: the process did not end within {limit:?} of the signal");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn interrupt(exe: &Path, sig: &str, signo: i32, tag: &str) {
    let dir = scratch(tag);
    let input = big_sparse(&dir);
    let mut child = with_default_signals(exe)
        .args(["-0", "-T1", "-k"])
        .arg(&input)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let out = dir.join("big.xz");
    // Wait until the output exists (the file is being written), then signal.
    let start = Instant::now();
    while !out.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    let killed = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = wait_at_most(&mut child, Duration::from_secs(120), tag);
    assert_eq!(
        status.signal(),
        Some(signo),
        "{tag}: {} ended by {status:?}",
        exe.display()
    );
    assert!(wait_gone(&out), "{tag}: partial output left behind");
    assert_eq!(
        fs::metadata(&input).map(|m| m.len()).ok(),
        Some(16 << 30),
        "{tag}: input damaged"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn sigint_mid_file_removes_output() {
    interrupt(&ours(), "-INT", 2, "int-ours");
    if let Some(r) = reference() {
        interrupt(&r, "-INT", 2, "int-ref");
    }
}

#[test]
fn sigterm_mid_file_removes_output() {
    interrupt(&ours(), "-TERM", 15, "term-ours");
    if let Some(r) = reference() {
        interrupt(&r, "-TERM", 15, "term-ref");
    }
}

#[test]
fn sighup_mid_file_removes_output() {
    interrupt(&ours(), "-HUP", 1, "hup-ours");
}

#[test]
fn sigkill_mid_file_removes_output() {
    // XZ Utils cannot clean up after SIGKILL; our guardian process can.
    interrupt(&ours(), "-KILL", 9, "kill-ours");
}

fn write_error_to_dev_full(exe: &Path) -> (Option<i32>, String) {
    let dir = scratch("full");
    fs::write(dir.join("a"), b"some data\n".repeat(1000)).expect("write");
    let full = fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let out = Command::new(exe)
        .args(["-c", "a"])
        .current_dir(&dir)
        .env("LC_ALL", "C")
        .stdout(full)
        .output()
        .expect("run");
    assert!(dir.join("a").exists());
    let _ = fs::remove_dir_all(&dir);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).replace(&exe.display().to_string(), "xz"),
    )
}

#[test]
fn write_error_on_stdout() {
    let ours = write_error_to_dev_full(&ours());
    assert_eq!(
        ours,
        (
            Some(1),
            "xz: (stdout): Write error: No space left on device\n".to_string()
        )
    );
    if let Some(r) = reference() {
        assert_eq!(write_error_to_dev_full(&r), ours);
    }
}

#[test]
fn injected_write_error_removes_partial_file() {
    let dir = scratch("inject");
    let data = b"0123456789abcdef".repeat(100_000);
    fs::write(dir.join("a"), &data).expect("write");
    let out = Command::new(ours())
        .args(["-T1", "a"])
        .current_dir(&dir)
        .env("LC_ALL", "C")
        .env("XZ_RS_TEST_FAIL_WRITE_AFTER", "10")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.ends_with("a.xz: Write error: No space left on device\n"),
        "{err}"
    );
    assert!(!dir.join("a.xz").exists(), "partial output left behind");
    assert_eq!(
        fs::read(dir.join("a")).expect("input"),
        data,
        "input damaged"
    );
    let _ = fs::remove_dir_all(&dir);
}

/// Incompressible data, so that output is written often.
fn noise(dir: &Path) -> PathBuf {
    let p = dir.join("noise");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let data: Vec<u8> = (0..(32 << 20))
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect();
    fs::write(&p, data).expect("write");
    p
}

fn closed_pipe(exe: &Path) -> Option<i32> {
    let dir = scratch("pipe");
    let input = noise(&dir);
    let mut child = Command::new(exe)
        .args(["-0", "-T1", "-c"])
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut buf = [0u8; 10];
    stdout.read_exact(&mut buf).expect("read");
    drop(stdout);
    let status = child.wait().expect("wait");
    let _ = fs::remove_dir_all(&dir);
    status.signal()
}

#[test]
fn closed_pipe_ends_with_sigpipe() {
    assert_eq!(closed_pipe(&ours()), Some(13));
    if let Some(r) = reference() {
        assert_eq!(closed_pipe(&r), Some(13));
    }
}
