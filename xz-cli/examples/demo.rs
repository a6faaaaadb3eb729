//! Runs our `xz` on an embedded example: compresses a text built into this file, lists the
//! result, decompresses it and checks the round trip. Run it with
//! `cargo run --locked --release -p xz-cli --example demo`.
//!
//! The example builds the `xz` binary of this workspace first (same profile as itself), then
//! runs it as a user would, printing each command and what it printed.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The embedded example: a few paragraphs, repeated so compression has something to find.
const TEXT: &str = "\
In 2024 a long-planned backdoor was slipped into XZ Utils. The payload hid in two binary
test files and a build script no one read. This xz is the answer in code: memory-safe,
with every test input built from a readable description, fuzzed, and reproducible.
";

fn main() {
    let xz = build_xz();
    let dir = std::env::temp_dir().join(format!("xz-rs-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    let input = dir.join("demo.txt");
    let original: String = TEXT.repeat(200);
    std::fs::write(&input, &original).expect("write the example text");

    run(&xz, &["-9e", "-T1", "-k", "-v"], &input);
    let compressed = dir.join("demo.txt.xz");
    run(&xz, &["-lvv"], &compressed);
    std::fs::remove_file(&input).expect("remove the original before decompressing");
    run(&xz, &["-d", "-v"], &compressed);

    let back = std::fs::read_to_string(&input).expect("read the decompressed file");
    assert_eq!(back, original, "the round trip must give the original back");
    println!("\nRound trip OK: {} bytes.", back.len());
    std::fs::remove_dir_all(&dir).ok();
}

/// Builds `xz` with cargo and returns its path (next to this example's target folder).
fn build_xz() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let release = !cfg!(debug_assertions);
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--locked", "-q", "-p", "xz-cli", "--bin", "xz"]);
    if release {
        cmd.arg("--release");
    }
    let ok = cmd.status().map(|s| s.success()).unwrap_or(false);
    assert!(ok, "cargo build of the xz binary failed");
    // target/<profile>/examples/demo -> target/<profile>/xz
    let exe = std::env::current_exe().expect("path of this example");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    profile_dir.join("xz")
}

/// Runs `xz ARGS FILE`, echoing the command line and its output.
fn run(xz: &Path, args: &[&str], file: &Path) {
    println!("\n$ xz {} {}", args.join(" "), file.display());
    let out = Command::new(xz)
        .args(args)
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .expect("run xz");
    std::io::stdout().write_all(&out.stdout).ok();
    std::io::stdout().write_all(&out.stderr).ok();
    assert!(out.status.success(), "xz exited with {}", out.status);
}
