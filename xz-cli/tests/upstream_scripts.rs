//! XZ Utils' own shell tests that need only a working `xz`, run against our binary.
//!
//! The scripts are not part of this repository: they are read from an XZ Utils source tree
//! given by `$XZ_SRC_DIR` (default `/work/xz-src` when it exists); without one, every test
//! here says that it skips. Each script runs in a scratch folder laid out as XZ Utils'
//! build tree expects (`tests/` as the working directory, `$srcdir` pointing at the
//! sources' `tests/`, no `../config.h` so that every filter is assumed built), with our
//! binary as `xz` in the folder given as the script's argument.
//!
//! - `test_suffix.sh`: `--suffix` rules, raw format, `--files`/`--files0`.
//! - `test_compress.sh`: compress/decompress round trips at `-1`..`-4` and with every
//!   filter (`--filters=…`), on the three inputs made by the suite's
//!   `create_compress_files.c`, which is compiled with the C compiler (`$CC`, else `cc`);
//!   without one that test says it skips.
//! - `test_files.sh`: every good/bad/unsupported test file of the suite.
//! - `test_scripts.sh`: XZ Utils' `xzdiff` and `xzgrep` scripts on top of our `xz`; the
//!   scripts are made from the source tree's `src/scripts/*.in` templates in the scratch
//!   folder, with the substitutions XZ Utils' configure makes on Linux.
//!
//! The scripts get the binaries' folder as the relative path `../bin`, as in XZ Utils'
//! build tree (test_scripts.sh puts `` `pwd`/$1 `` first in `PATH`).
#![forbid(unsafe_code)]

mod common;

use common::{ours, scratch};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The XZ Utils source tree, if one is available.
fn source_tree() -> Option<PathBuf> {
    let dir = match std::env::var_os("XZ_SRC_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from("/work/xz-src"),
    };
    dir.join("tests")
        .join("test_suffix.sh")
        .is_file()
        .then_some(dir)
}

/// The source tree if it has `tests/SCRIPT`; otherwise `None`, after saying that the test
/// skips.
fn source_with(script: &str) -> Option<PathBuf> {
    let Some(src) = source_tree() else {
        eprintln!("skipped: no XZ Utils source tree ($XZ_SRC_DIR or /work/xz-src)");
        return None;
    };
    if !src.join("tests").join(script).is_file() {
        eprintln!("skipped: the source tree has no tests/{script}");
        return None;
    }
    Some(src)
}

/// The binaries' folder as the scripts are given it (relative to `tests/`).
const BIN_ARG: &str = "../bin";

/// A scratch build tree: `bin/xz` (our binary) and `tests/` (the working directory).
struct Tree {
    root: PathBuf,
    bin: PathBuf,
    tests: PathBuf,
}

impl Tree {
    fn new(tag: &str) -> Tree {
        let root = scratch("upstream", tag);
        let bin = root.join("bin");
        let tests = root.join("tests");
        fs::create_dir_all(&bin).expect("bin dir");
        fs::create_dir_all(&tests).expect("tests dir");
        std::os::unix::fs::symlink(ours(), bin.join("xz")).expect("symlink xz");
        Tree { root, bin, tests }
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// Runs `sh script args...` in the tree's `tests/`; returns the exit code and the output.
fn run_script(tree: &Tree, src: &Path, script: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new("sh")
        .arg(src.join("tests").join(script))
        .args(args)
        .current_dir(&tree.tests)
        .env("srcdir", src.join("tests"))
        .env("LC_ALL", "C")
        .env_remove("XZ_OPT")
        .env_remove("XZ_DEFAULTS")
        .output()
        .expect("sh runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

#[test]
fn upstream_test_suffix() {
    let Some(src) = source_with("test_suffix.sh") else {
        return;
    };
    let tree = Tree::new("suffix");
    let (code, text) = run_script(&tree, &src, "test_suffix.sh", &[BIN_ARG]);
    assert_eq!(code, Some(0), "test_suffix.sh failed:\n{text}");
    eprintln!("upstream test_suffix.sh: passed");
}

/// Compiles the suite's generator of the test inputs; `None` (with the reason) if it
/// cannot be built here.
fn build_generator(src: &Path, tree: &Tree) -> Result<PathBuf, String> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let exe = tree.tests.join("create_compress_files");
    let size_t_bytes = std::mem::size_of::<usize>().to_string();
    // sysdefs.h is normally configured through config.h; these are the facts it needs.
    let out = Command::new(&cc)
        .args([
            "-O1",
            "-DHAVE_STDINT_H",
            "-DHAVE_INTTYPES_H",
            "-DHAVE_STDBOOL_H",
            "-DHAVE__BOOL",
            &format!("-DSIZEOF_SIZE_T={size_t_bytes}"),
        ])
        .arg("-I")
        .arg(src.join("src").join("common"))
        .arg("-o")
        .arg(&exe)
        .arg(src.join("tests").join("create_compress_files.c"))
        .output()
        .map_err(|e| format!("no C compiler ({cc}: {e})"))?;
    if !out.status.success() {
        return Err(format!(
            "{cc} could not build create_compress_files.c: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(exe)
}

#[test]
fn upstream_test_compress() {
    let Some(src) = source_with("test_compress.sh") else {
        return;
    };
    let tree = Tree::new("compress");
    if let Err(why) = build_generator(&src, &tree) {
        eprintln!("skipped test_compress.sh: {why}");
        return;
    }
    for input in [
        "compress_generated_abc",
        "compress_generated_random",
        "compress_generated_text",
    ] {
        let (code, text) = run_script(&tree, &src, "test_compress.sh", &[input, BIN_ARG]);
        assert_eq!(code, Some(0), "test_compress.sh {input} failed:\n{text}");
        eprintln!("upstream test_compress.sh {input}: passed");
    }
}

#[test]
fn upstream_test_files() {
    let Some(src) = source_with("test_files.sh") else {
        return;
    };
    let tree = Tree::new("files");
    // The second argument is xzdec's folder: none here (xzdec is a separate program).
    let (code, text) = run_script(&tree, &src, "test_files.sh", &[BIN_ARG, "../no-xzdec"]);
    assert_eq!(code, Some(0), "test_files.sh failed:\n{text}");
    eprintln!("upstream test_files.sh: passed");
}

/// Makes `bin/NAME` from `src/scripts/NAME.in` as XZ Utils' configure does on Linux.
fn make_script(src: &Path, tree: &Tree, name: &str) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let template = src.join("src").join("scripts").join(format!("{name}.in"));
    let text = fs::read_to_string(&template).map_err(|e| format!("{}: {e}", template.display()))?;
    let script = text
        .replace("@POSIX_SHELL@", "/bin/sh")
        .replace("@enable_path_for_scripts@", "")
        .replace("@xz@", "xz")
        .replace("@PACKAGE_NAME@", "XZ Utils")
        .replace("@PACKAGE_VERSION@", "5.8")
        .replace("@PACKAGE_BUGREPORT@", "xz@tukaani.org")
        .replace("@PACKAGE_URL@", "https://tukaani.org/xz/");
    let out = tree.bin.join(name);
    fs::write(&out, script).map_err(|e| e.to_string())?;
    fs::set_permissions(&out, fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())
}

#[test]
fn upstream_test_scripts() {
    let Some(src) = source_with("test_scripts.sh") else {
        return;
    };
    let tree = Tree::new("scripts");
    for name in ["xzdiff", "xzgrep"] {
        if let Err(why) = make_script(&src, &tree, name) {
            eprintln!("skipped test_scripts.sh: {why}");
            return;
        }
    }
    let (code, text) = run_script(&tree, &src, "test_scripts.sh", &[BIN_ARG]);
    assert_eq!(code, Some(0), "test_scripts.sh failed:\n{text}");
    eprintln!("upstream test_scripts.sh: passed");
}
