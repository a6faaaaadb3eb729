//! Fault tests: signals in the middle of a file, write errors, a closed pipe. In every case
//! the input must stay intact and no partial output may remain. Where a reference xz is
//! available (`$XZ_REFERENCE`, `/tmp/xz58/xz`), the same scenario is run against it and the
//! way the process ends is compared.
#![forbid(unsafe_code)]

mod common;

use common::{ours, output_with_input, reference};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The programs each scenario runs: ours, then the reference if there is one, with the
/// word that names it in tags and messages. Without a reference the test says that it
/// checks ours only.
fn programs() -> Vec<(PathBuf, &'static str)> {
    let mut v = vec![(ours(), "ours")];
    match reference() {
        Some(r) => v.push((r, "ref")),
        None => eprintln!("no reference xz ($XZ_REFERENCE or /tmp/xz58/xz): checking ours only"),
    }
    v
}

/// A fresh scratch folder of this suite.
fn scratch(tag: &str) -> PathBuf {
    common::scratch("faults", tag)
}

/// A large sparse input: compressing it takes long enough to be interrupted.
fn big_sparse(dir: &Path) -> PathBuf {
    let p = dir.join("big");
    let f = fs::File::create(&p).expect("create");
    f.set_len(16 << 30).expect("set_len");
    p
}

/// `env` with coreutils' `--default-signal`/`--ignore-signal` (8.31+), if present.
fn env_signal_options() -> bool {
    Command::new("env")
        .args([
            "--default-signal=HUP,INT,TERM",
            "--ignore-signal=USR2",
            "true",
        ])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// A command for `exe` in which SIGINT, SIGHUP and SIGTERM have their default action, and
/// `ignore` (e.g. `HUP`) is ignored.
///
/// A test run started in the background of a non-interactive shell (or under `nohup`)
/// inherits those signals as ignored, and an ignored disposition survives `exec`, so the
/// signal would never reach `xz`. `env --default-signal` (coreutils 8.31+) resets them
/// without any `unsafe` here; where it is missing the command runs as is.
fn with_signals(exe: &Path, ignore: Option<&str>) -> Command {
    if env_signal_options() {
        let mut c = Command::new("env");
        let default: Vec<&str> = ["HUP", "INT", "TERM"]
            .into_iter()
            .filter(|s| Some(*s) != ignore)
            .collect();
        c.arg(format!("--default-signal={}", default.join(",")));
        if let Some(sig) = ignore {
            c.arg(format!("--ignore-signal={sig}"));
        }
        c.arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

fn with_default_signals(exe: &Path) -> Command {
    with_signals(exe, None)
}

fn send(child: &std::process::Child, sig: &str) {
    let killed = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
}

/// Waits for `child`, but never forever: after `limit` it is killed and the test fails.
fn wait_at_most(
    child: &mut std::process::Child,
    limit: Duration,
    tag: &str,
) -> std::process::ExitStatus {
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

/// Starts `cmd -0 -T1 -k BIG` in `dir` on a large sparse input and returns once the output
/// file exists (the command is writing it): the child, the input and the output paths.
fn start_compressing_big(mut cmd: Command, dir: &Path) -> (Child, PathBuf, PathBuf) {
    let input = big_sparse(dir);
    let child = cmd
        .args(["-0", "-T1", "-k"])
        .arg(&input)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let out = dir.join("big.xz");
    let start = Instant::now();
    while !out.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(10));
    }
    (child, input, out)
}

fn interrupt(exe: &Path, sig: &str, signo: i32, tag: &str) {
    let dir = scratch(tag);
    let (mut child, input, out) = start_compressing_big(with_default_signals(exe), &dir);
    std::thread::sleep(Duration::from_millis(200));
    send(&child, sig);
    let status = wait_at_most(&mut child, Duration::from_secs(120), tag);
    assert_eq!(
        status.signal(),
        Some(signo),
        "{tag}: {} ended by {status:?}",
        exe.display()
    );
    // As in xz, the partial output is gone before the process has died.
    assert!(!out.exists(), "{tag}: partial output left behind");
    assert_eq!(
        fs::metadata(&input).map(|m| m.len()).ok(),
        Some(16 << 30),
        "{tag}: input damaged"
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn sigint_mid_file_removes_output() {
    for (exe, who) in programs() {
        interrupt(&exe, "-INT", 2, &format!("int-{who}"));
    }
}

#[test]
fn sigterm_mid_file_removes_output() {
    for (exe, who) in programs() {
        interrupt(&exe, "-TERM", 15, &format!("term-{who}"));
    }
}

#[test]
fn sighup_mid_file_removes_output() {
    for (exe, who) in programs() {
        interrupt(&exe, "-HUP", 1, &format!("hup-{who}"));
    }
}

/// A signal ignored by the parent stays ignored (as in xz): SIGHUP does nothing, then
/// SIGINT stops the command. Returns how it ended and whether the output was removed.
fn ignored_hup(exe: &Path, tag: &str) -> (Option<i32>, bool) {
    let dir = scratch(tag);
    let (mut child, _input, out) = start_compressing_big(with_signals(exe, Some("HUP")), &dir);
    send(&child, "-HUP");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().expect("wait").is_none(),
        "{tag}: SIGHUP was not ignored"
    );
    send(&child, "-INT");
    let status = wait_at_most(&mut child, Duration::from_secs(120), tag);
    let result = (status.signal(), out.exists());
    let _ = fs::remove_dir_all(&dir);
    result
}

#[test]
fn signal_ignored_by_parent_stays_ignored() {
    if !env_signal_options() {
        eprintln!("skipped: env has no --ignore-signal");
        return;
    }
    for (exe, who) in programs() {
        assert_eq!(
            ignored_hup(&exe, &format!("ign-{who}")),
            (Some(2), false),
            "{who}"
        );
    }
}

/// SIGTERM while `xz -c` waits for input on a pipe that never comes (the read blocks):
/// the process must still end by that signal.
fn stop_while_reading_pipe(exe: &Path) -> Option<i32> {
    let mut child = with_default_signals(exe)
        .args(["-c"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdin = child.stdin.take();
    std::thread::sleep(Duration::from_millis(300));
    send(&child, "-TERM");
    let status = wait_at_most(&mut child, Duration::from_secs(30), "pipe-read");
    drop(stdin);
    status.signal()
}

#[test]
fn sigterm_while_blocked_reading_a_pipe() {
    for (exe, who) in programs() {
        assert_eq!(stop_while_reading_pipe(&exe), Some(15), "{who}");
    }
}

/// SIGINT while `xz -c` is blocked writing to a pipe that nobody reads.
fn stop_while_writing_pipe(exe: &Path) -> Option<i32> {
    let dir = scratch("pipe-write");
    let input = noise(&dir);
    let mut child = with_default_signals(exe)
        .args(["-0", "-T1", "-c"])
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take();
    std::thread::sleep(Duration::from_millis(500));
    send(&child, "-INT");
    let status = wait_at_most(&mut child, Duration::from_secs(30), "pipe-write");
    drop(stdout);
    let _ = fs::remove_dir_all(&dir);
    status.signal()
}

#[test]
fn sigint_while_blocked_writing_a_pipe() {
    for (exe, who) in programs() {
        assert_eq!(stop_while_writing_pipe(&exe), Some(2), "{who}");
    }
}

/// A stream of pseudo-random text (compressible but not trivially), `n` bytes from `seed`.
fn text(n: usize, seed: u64) -> Vec<u8> {
    let words: [&[u8]; 8] = [
        b"alpha ",
        b"beta ",
        b"gamma ",
        b"delta\n",
        b"epsilon ",
        b"zeta ",
        b"eta ",
        b"theta, ",
    ];
    let mut x = seed | 1;
    let mut v = Vec::with_capacity(n + 8);
    while v.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(words[(x >> 61) as usize]);
        if x & 0xF == 0 {
            v.extend_from_slice(&x.to_le_bytes()[..3]);
        }
    }
    v.truncate(n);
    v
}

/// Compresses `data` read from a FIFO (`xz -0 -T1 -c fifo > out`), feeding it in chunks;
/// after the first chunk sends SIGUSR1 and keeps feeding until a progress line appears on
/// stderr (xz prints it at its next buffer). Returns the exit status, the output bytes and
/// stderr.
fn usr1_run(exe: &Path, data: &[u8], tag: &str) -> (Option<i32>, Vec<u8>, String) {
    let dir = scratch(tag);
    let fifo = dir.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let out_path = dir.join("out.xz");
    let mut child = with_default_signals(exe)
        .args(["-0", "-T1", "-c", "fifo"])
        .current_dir(&dir)
        .env("LC_ALL", "C")
        .stdout(fs::File::create(&out_path).expect("out"))
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stderr = child.stderr.take().expect("stderr");
    let collected = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = collected.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().expect("lock").extend_from_slice(&buf[..n]);
        }
    });
    let mut writer = fs::OpenOptions::new()
        .write(true)
        .open(&fifo)
        .expect("open fifo");
    let chunks: Vec<&[u8]> = data.chunks(64 << 10).collect();
    let mut signalled = false;
    let start = Instant::now();
    for chunk in chunks {
        writer.write_all(chunk).expect("feed");
        let seen = collected.lock().expect("lock").contains(&b'\r');
        if !signalled {
            std::thread::sleep(Duration::from_millis(100));
            send(&child, "-USR1");
            signalled = true;
        } else if !seen && start.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    drop(writer);
    let status = wait_at_most(&mut child, Duration::from_secs(120), tag);
    reader.join().expect("reader");
    let out = fs::read(&out_path).expect("output");
    let err = String::from_utf8_lossy(&collected.lock().expect("lock")).into_owned();
    let _ = fs::remove_dir_all(&dir);
    (status.code(), out, err)
}

/// The layout of a progress line: its length and its words with digits replaced by `9`,
/// without the elapsed time and speed (they depend on timing).
fn shape(line: &str) -> (usize, Vec<String>) {
    let words = line
        .split_whitespace()
        .take(9)
        .map(|w| {
            w.chars()
                .map(|c| if c.is_ascii_digit() { '9' } else { c })
                .collect()
        })
        .collect();
    (line.len(), words)
}

#[test]
fn sigusr1_prints_progress_and_continues() {
    let data = text(12 << 20, 7);
    let (code, out, err) = usr1_run(&ours(), &data, "usr1-ours");
    assert_eq!(code, Some(0), "{err}");
    // The output is complete and the same as without the signal.
    let plain = output_with_input(Command::new(ours()).args(["-0", "-T1", "-c"]), &data);
    assert_eq!(
        out, plain.stdout,
        "output differs from a run without SIGUSR1"
    );
    // The file name line, then one progress line of its own.
    let mut lines = err.split_inclusive('\n');
    assert_eq!(lines.next(), Some("fifo (1/1)\n"), "{err:?}");
    let progress = lines.next().unwrap_or_default();
    assert!(
        progress.starts_with("\r  --- % ") && progress.ends_with("\r\n"),
        "{err:?}"
    );
    if let Some(r) = reference() {
        let (rcode, rout, rerr) = usr1_run(&r, &data, "usr1-ref");
        assert_eq!(rcode, Some(0));
        assert_eq!(rout, out, "reference output differs");
        let mut rlines = rerr.split_inclusive('\n');
        assert_eq!(rlines.next(), Some("fifo (1/1)\n"), "{rerr:?}");
        let rprogress = rlines.next().unwrap_or_default();
        assert_eq!(shape(progress), shape(rprogress), "{err:?} vs {rerr:?}");
    }
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
    let expected = (
        Some(1),
        "xz: (stdout): Write error: No space left on device\n".to_string(),
    );
    for (exe, who) in programs() {
        assert_eq!(write_error_to_dev_full(&exe), expected, "{who}");
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
    for (exe, who) in programs() {
        assert_eq!(closed_pipe(&exe), Some(13), "{who}");
    }
}

fn mkfifo(p: &Path) {
    let made = Command::new("mkfifo").arg(p).status().expect("mkfifo");
    assert!(made.success());
}

/// `xz p` on a FIFO `p` whose writer waits in open(): xz opens the source with O_NONBLOCK,
/// which releases the writer, then refuses the file. Returns whether the writer's open()
/// returned, and xz's exit status.
fn refused_fifo_releases_writer(exe: &Path, tag: &str) -> (bool, Option<i32>) {
    let dir = scratch(tag);
    let fifo = dir.join("p");
    mkfifo(&fifo);
    // The writer is a shell whose redirection blocks in open() until a reader comes.
    let mut writer = Command::new("sh")
        .args(["-c", "echo data > p"])
        .current_dir(&dir)
        .stderr(Stdio::null())
        .spawn()
        .expect("writer");
    let wchan = format!("/proc/{}/wchan", writer.id());
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        match fs::read_to_string(&wchan) {
            Ok(w) if w.contains("partner") || w.contains("fifo") => break,
            Ok(w) if w.trim().is_empty() || w.trim() == "0" => {
                // wchan not shown here: give the shell time to reach open().
                std::thread::sleep(Duration::from_millis(300));
                break;
            }
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    let status = Command::new(exe)
        .arg("p")
        .current_dir(&dir)
        .stderr(Stdio::null())
        .status()
        .expect("run");
    let mut released = false;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if writer.try_wait().expect("wait").is_some() {
            released = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    if !released {
        let _ = writer.kill();
    }
    let _ = writer.wait();
    let _ = fs::remove_dir_all(&dir);
    (released, status.code())
}

#[test]
fn refused_fifo_releases_a_waiting_writer() {
    for (exe, who) in programs() {
        assert_eq!(
            refused_fifo_releases_writer(&exe, &format!("fifo-{who}")),
            (true, Some(2))
        );
    }
}

/// `xz -c p` on a FIFO that no writer ever opens waits (as xz does); SIGINT then ends it.
fn stop_while_waiting_for_fifo_writer(exe: &Path, tag: &str) -> Option<i32> {
    let dir = scratch(tag);
    mkfifo(&dir.join("p"));
    let mut child = with_default_signals(exe)
        .args(["-c", "p"])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().expect("wait").is_none(),
        "{tag}: did not wait for a writer"
    );
    send(&child, "-INT");
    let status = wait_at_most(&mut child, Duration::from_secs(30), tag);
    let _ = fs::remove_dir_all(&dir);
    status.signal()
}

#[test]
fn sigint_while_waiting_for_a_fifo_writer() {
    for (exe, who) in programs() {
        assert_eq!(
            stop_while_waiting_for_fifo_writer(&exe, &format!("fifo-wait-{who}")),
            Some(2)
        );
    }
}

/// `xz -lvv` of many files into a pipe closed after a few bytes: xz (no handlers in
/// `--list` mode) dies from SIGPIPE's default action; so must we (the Rust runtime ignores
/// SIGPIPE before `main`).
fn list_into_closed_pipe(exe: &Path, tag: &str) -> Option<i32> {
    let dir = scratch(tag);
    let made = output_with_input(Command::new(ours()).args(["-T1", "-c"]), b"listed\n");
    fs::write(dir.join("a.xz"), made.stdout).expect("write");
    let mut child = Command::new(exe)
        .arg("-lvv")
        .args(vec!["a.xz"; 2000])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut buf = [0u8; 10];
    stdout.read_exact(&mut buf).expect("read");
    drop(stdout);
    let status = wait_at_most(&mut child, Duration::from_secs(60), tag);
    let _ = fs::remove_dir_all(&dir);
    status.signal()
}

#[test]
fn list_into_a_closed_pipe_ends_with_sigpipe() {
    for (exe, who) in programs() {
        assert_eq!(
            list_into_closed_pipe(&exe, &format!("list-pipe-{who}")),
            Some(13)
        );
    }
}
