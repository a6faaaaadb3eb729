//! Helpers shared by the `xz-cli` integration tests (each includes this module with
//! `mod common;`): our binary, the reference XZ Utils, running a command with input, and
//! scratch folders.
#![allow(dead_code)]

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Our `xz` binary: `$XZ_RS_BIN` (CI points it at the release binary, a static PIE), else the
/// one Cargo built for these tests.
pub fn ours() -> PathBuf {
    std::env::var_os("XZ_RS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_xz")))
}

/// The reference `xz`: `$XZ_REFERENCE`, else `/tmp/xz58/xz` if it exists. (The
/// compatibility suite, which follows 5.8's messages, has a stricter finder of its own.)
pub fn reference() -> Option<PathBuf> {
    std::env::var_os("XZ_REFERENCE")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/tmp/xz58/xz")).filter(|p| p.exists()))
}

/// [`reference`], or `None` after saying that the `suite`'s test skips.
pub fn need_reference(suite: &str) -> Option<PathBuf> {
    let found = reference();
    if found.is_none() {
        eprintln!("{suite}: no reference xz ($XZ_REFERENCE or /tmp/xz58/xz); skipping");
    }
    found
}

/// Runs `cmd` with `input` on its standard input and captures its standard output and
/// error. The input is written from a thread, so that a large output cannot block the
/// command while it waits for us to read.
pub fn output_with_input(cmd: &mut Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start xz");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().expect("xz output");
    let _ = writer.join();
    out
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty folder `xz-rs-<suite>-<pid>-<n>-<tag>` under the temporary folder (`n`
/// counts the folders made by this process, so equal tags never share one).
pub fn scratch(suite: &str, tag: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("xz-rs-{suite}-{}-{n}-{tag}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    dir
}
