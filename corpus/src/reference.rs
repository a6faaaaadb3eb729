//! Running an `xz` command (XZ Utils as the reference, or ours) on bytes, for the tests
//! that compare with it: finding the reference, feeding input, capturing the answer and
//! reading the error class from its message.
//!
//! ```no_run
//! use xz_corpus::reference::Reference;
//! // `None` (after a line saying that the test skips) when there is no reference.
//! let Some(xz) = Reference::find() else { return };
//! let packed = xz.compress(&["-6"], b"hello");
//! let out = xz.run(&["-dc"], &packed);
//! assert_eq!((out.status, out.stdout), (0, b"hello".to_vec()));
//! ```

use crate::{ErrorClass, Format, Vector};
use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// The reference `xz` command.
#[derive(Clone, Debug)]
pub struct Reference {
    /// Path or name of the program.
    pub path: String,
    /// Its version (major, minor, patch).
    pub version: (u32, u32, u32),
}

/// What an `xz` command answered.
#[derive(Clone, Debug)]
pub struct RefOutput {
    /// Exit status (0 ok, 1 error, 2 warning; -1 if ended by a signal).
    pub status: i32,
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: String,
}

impl RefOutput {
    /// The error class named by the message on standard error, if any.
    pub fn class(&self) -> Option<ErrorClass> {
        class_in(&self.stderr)
    }
}

/// The error class whose `xz` message appears in `text`, if any.
///
/// ```
/// use xz_corpus::{reference::class_in, ErrorClass};
/// assert_eq!(class_in("xz: (stdin): Unexpected end of input"), Some(ErrorClass::Truncated));
/// assert_eq!(class_in("all good"), None);
/// ```
pub fn class_in(text: &str) -> Option<ErrorClass> {
    [
        ErrorClass::Format,
        ErrorClass::Corrupt,
        ErrorClass::Truncated,
        ErrorClass::Unsupported,
        ErrorClass::MemLimit,
    ]
    .into_iter()
    .find(|c| text.contains(c.message()))
}

/// The options of `xz -dc` that decode `v` as a decoder must: its format, memory limit and
/// `--single-stream`.
///
/// ```
/// let v = xz_corpus::by_name("good-1-check-crc32").unwrap();
/// assert_eq!(xz_corpus::reference::decode_args(&v), ["--format=xz"]);
/// ```
pub fn decode_args(v: &Vector) -> Vec<String> {
    let format = match v.format {
        Format::Xz => "--format=xz",
        Format::Lzma => "--format=lzma",
        Format::Lzip => "--format=lzip",
        Format::Auto => "--format=auto",
    };
    let mut args = vec![format.to_string()];
    if let Some(m) = v.memlimit {
        args.push(format!("--memlimit-decompress={m}"));
    }
    if v.single_stream {
        args.push("--single-stream".to_string());
    }
    args
}

/// Runs `program args`, feeding `input` on standard input, and captures its answer.
///
/// # Panics
/// If the program cannot be started (the tests call it only once they found it).
pub fn run<S: AsRef<OsStr>>(program: &Path, args: &[S], input: &[u8]) -> RefOutput {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let data = input.to_vec();
    // A writer thread, so that a large output cannot block the child while we write.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().expect("the command finishes");
    let _ = writer.join();
    RefOutput {
        status: out.status.code().unwrap_or(-1),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Reference {
    /// The reference named by `$XZ_REFERENCE`, else `xz` on PATH; `None` (and a line on
    /// stderr saying the test skips) if neither runs.
    pub fn find() -> Option<Reference> {
        let path = std::env::var("XZ_REFERENCE").unwrap_or_else(|_| "xz".to_string());
        let out = Command::new(&path)
            .arg("--version")
            .stderr(Stdio::null())
            .output()
            .ok();
        let Some(out) = out.filter(|o| o.status.success()) else {
            eprintln!("no reference xz ($XZ_REFERENCE or xz on PATH): skipping");
            return None;
        };
        // "xz (XZ Utils) 5.4.1"
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let ver = text
            .lines()
            .next()
            .and_then(|l| l.rsplit(' ').next())
            .unwrap_or("0.0.0");
        let mut it = ver.split('.').map(|x| x.parse::<u32>().unwrap_or(0));
        let version = (
            it.next().unwrap_or(0),
            it.next().unwrap_or(0),
            it.next().unwrap_or(0),
        );
        Some(Reference { path, version })
    }

    /// Whether the reference is at least `major.minor`.
    pub fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.version.0, self.version.1) >= (major, minor)
    }

    /// Runs the reference with `args`, feeding `input` on standard input.
    pub fn run<S: AsRef<OsStr>>(&self, args: &[S], input: &[u8]) -> RefOutput {
        run(Path::new(&self.path), args, input)
    }

    /// Compresses `input` with `args` (added to `-c -q`); panics naming the case if the
    /// reference fails.
    pub fn compress(&self, args: &[&str], input: &[u8]) -> Vec<u8> {
        let mut a = vec!["-c", "-q"];
        a.extend_from_slice(args);
        let out = self.run(&a, input);
        assert_eq!(
            out.status, 0,
            "reference xz {args:?} failed: {}",
            out.stderr
        );
        out.stdout
    }
}
