//! Sparse output: decompressing into a regular file, xz leaves a hole for every all-zero
//! 8 KiB block at a multiple of 8 KiB of the output (its I/O buffer size). Ours must leave
//! the same holes, so the output takes the same space on disk: the test compares the
//! blocks allocated to our output and to the reference's (`$XZ_REFERENCE`, else
//! `/tmp/xz58/xz`), for `-d` to a file, `-dc` to a regular-file stdout, one and two
//! threads and a multi-stream file. Without a reference it says so and skips. On a file
//! system without holes both sides allocate everything, and the test still compares.

mod common;

use common::{need_reference, ours};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A fresh scratch folder of this suite.
fn scratch(tag: &str) -> PathBuf {
    common::scratch("sparse", tag)
}

/// Runs of zeros and of data of many lengths (below, at and above 8 KiB, aligned or not),
/// from a fixed xorshift sequence.
fn holey_input() -> Vec<u8> {
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let lengths = [100, 5000, 8192, 9000, 16384, 20000, 70000, 131072];
    let mut v = Vec::new();
    for _ in 0..60 {
        let n = lengths[(next() % lengths.len() as u64) as usize];
        if next() % 2 == 0 {
            v.resize(v.len() + n, 0);
        } else {
            // Data bytes, never zero, so each run is data throughout.
            v.extend((0..n).map(|_| (next() as u8) | 1));
        }
    }
    v
}

fn run(exe: &Path, args: &[&str], dir: &Path, stdout: Option<&Path>) {
    let mut cmd = Command::new(exe);
    cmd.args(args).current_dir(dir).stdin(Stdio::null());
    if let Some(p) = stdout {
        cmd.stdout(fs::File::create(p).expect("stdout file"));
    }
    let st = cmd.status().expect("run xz");
    assert!(st.success(), "{} {args:?} failed: {st}", exe.display());
}

#[test]
fn holes_match_the_reference() {
    let Some(reference) = need_reference("sparse") else { return };
    let dir = scratch("holes");
    let data = holey_input();
    fs::write(dir.join("in"), &data).expect("input");
    run(&reference, &["-k", "-T1", "in"], &dir, None);
    run(&reference, &["-k", "-T2", "--block-size=100000", "-S", ".mb.xz", "in"], &dir, None);
    let one = fs::read(dir.join("in.xz")).expect("in.xz");
    let mut two = one.clone();
    two.extend(fs::read(dir.join("in.mb.xz")).expect("in.mb.xz"));
    fs::write(dir.join("two.xz"), &two).expect("two.xz");
    let mut doubled = data.clone();
    doubled.extend(&data);

    let mut compared = 0;
    for (file, expect) in [("in.xz", &data), ("in.mb.xz", &data), ("two.xz", &doubled)] {
        for threads in ["-T1", "-T2"] {
            for to_stdout in [false, true] {
                let mut blocks = Vec::new();
                for (who, exe) in [("ref", &reference), ("ours", &ours())] {
                    let sub = dir.join(format!("{who}-{file}-{threads}-{to_stdout}"));
                    fs::create_dir_all(&sub).expect("sub");
                    fs::copy(dir.join(file), sub.join("x.xz")).expect("copy");
                    let out = sub.join("x");
                    if to_stdout {
                        run(exe, &["-dc", threads, "x.xz"], &sub, Some(&out));
                    } else {
                        run(exe, &["-d", threads, "x.xz"], &sub, None);
                    }
                    let got = fs::read(&out).expect("output");
                    assert!(got == *expect, "{who} {file} {threads}: wrong output");
                    blocks.push(fs::metadata(&out).expect("meta").blocks());
                }
                assert_eq!(
                    blocks[0], blocks[1],
                    "{file} {threads} stdout={to_stdout}: blocks allocated, reference vs ours"
                );
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 12);
    let _ = fs::remove_dir_all(&dir);
}
