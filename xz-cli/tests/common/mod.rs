//! Helpers shared by the `xz-cli` integration tests (each includes this module with
//! `mod common;`): our binary and scratch folders.
#![allow(dead_code)]

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Our `xz` binary, as built by Cargo for these tests.
pub fn ours() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_xz"))
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
