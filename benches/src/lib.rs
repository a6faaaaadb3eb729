//! The standard benchmark corpus, shared by the criterion benches and by
//! `benches/compare.sh`.
//!
//! Nothing here is committed as data: every file is built on first use and
//! cached in `target/bench-corpus/` (or `$CARGO_TARGET_DIR/bench-corpus/`).
//!
//! | name | contents |
//! | --- | --- |
//! | `python.tar` | the first 8 MiB of `tar --sort=name -cf - -C /usr/lib python3.11` (source code, text) |
//! | `rustc_driver.so` | the first 8 MiB of `$(rustc --print sysroot)/lib/librustc_driver-*.so` (x86-64 machine code) |
//! | `words.txt` | 8 MiB of generated English-like text (a fixed word list drawn by a seeded PRNG) |
//! | `records.bin` | 8 MiB of generated fixed-size binary records (slowly changing counters, small deltas) |
//! | `random.bin` | 2 MiB of seeded pseudo-random bytes (incompressible) |
//!
//! A source that does not exist on this machine (no Python 3.11, no rustc) is
//! skipped with a note on stderr; the generated files always exist.
//!
//! ```no_run
//! let files = xz_benches::standard_corpus().expect("corpus");
//! for f in &files {
//!     println!("{} {} bytes", f.name, std::fs::metadata(&f.path).unwrap().len());
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Size of the large corpus files (8 MiB).
pub const LARGE: usize = 8 << 20;

/// Size of the incompressible file (2 MiB).
pub const RANDOM_SIZE: usize = 2 << 20;

/// One file of the standard corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusFile {
    /// Short name, also the file name in the cache directory.
    pub name: &'static str,
    /// Where the cached file is.
    pub path: PathBuf,
}

impl CorpusFile {
    /// Reads the whole file.
    pub fn read(&self) -> io::Result<Vec<u8>> {
        fs::read(&self.path)
    }
}

/// The cache directory: `$CARGO_TARGET_DIR/bench-corpus`, or
/// `target/bench-corpus` at the workspace root.
pub fn corpus_dir() -> PathBuf {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("target"),
    };
    target.join("bench-corpus")
}

/// Builds (if needed) and lists the standard corpus.
pub fn standard_corpus() -> io::Result<Vec<CorpusFile>> {
    let dir = corpus_dir();
    fs::create_dir_all(&dir)?;
    let mut files = Vec::new();
    let mut add = |name: &'static str, make: &dyn Fn() -> io::Result<Option<Vec<u8>>>| {
        let path = dir.join(name);
        if !path.exists() {
            match make()? {
                Some(bytes) => write_atomically(&path, &bytes)?,
                None => return Ok::<(), io::Error>(()),
            }
        }
        files.push(CorpusFile { name, path });
        Ok(())
    };
    add("python.tar", &python_tar)?;
    add("rustc_driver.so", &rustc_driver)?;
    add("words.txt", &|| Ok(Some(words(LARGE, 0x5eed_0001))))?;
    add("records.bin", &|| Ok(Some(records(LARGE))))?;
    add("random.bin", &|| Ok(Some(random(RANDOM_SIZE, 0x5eed_0002))))?;
    Ok(files)
}

/// Looks up one corpus file by name, building the corpus if needed.
pub fn corpus_file(name: &str) -> io::Result<Option<CorpusFile>> {
    Ok(standard_corpus()?.into_iter().find(|f| f.name == name))
}

/// The reference `xz` command: `$REF_XZ`, else XZ Utils 5.8 at `/tmp/xz58/xz`,
/// else `xz` from `PATH`.
pub fn reference_xz() -> PathBuf {
    if let Some(p) = std::env::var_os("REF_XZ") {
        return PathBuf::from(p);
    }
    let xz58 = Path::new("/tmp/xz58/xz");
    if xz58.exists() {
        return xz58.to_path_buf();
    }
    PathBuf::from("xz")
}

/// Returns `file` compressed as .xz by the reference `xz -T1 -z -<preset>`
/// (for example `"6"` or `"9e"`), cached beside the corpus. Decode benchmarks
/// use the reference encoder so that they measure the decoder alone.
pub fn reference_compressed(file: &CorpusFile, preset: &str) -> io::Result<Vec<u8>> {
    let valid = preset
        .strip_suffix('e')
        .unwrap_or(preset)
        .parse::<u8>()
        .is_ok_and(|level| level <= 9);
    if !valid {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("bad preset {preset:?}"),
        ));
    }
    let path = file
        .path
        .with_file_name(format!("{}.{preset}.xz", file.name));
    if let Ok(bytes) = fs::read(&path) {
        return Ok(bytes);
    }
    let out = Command::new(reference_xz())
        .args(["-T1", "-zc", &format!("-{preset}")])
        .arg(&file.path)
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(io::Error::other(format!(
            "{} -T1 -zc -{preset} {} failed",
            reference_xz().display(),
            file.path.display()
        )));
    }
    write_atomically(&path, &out.stdout)?;
    Ok(out.stdout)
}

fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

/// Reads at most `limit` bytes of a child's standard output, then stops it.
fn head_of_command(cmd: &mut Command, limit: usize) -> io::Result<Vec<u8>> {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let mut buf = Vec::with_capacity(limit);
    if let Some(out) = child.stdout.take() {
        out.take(limit as u64).read_to_end(&mut buf)?;
    }
    // The child gets SIGPIPE or is killed when it has more to write.
    let _ = child.kill();
    let _ = child.wait();
    Ok(buf)
}

/// The first 8 MiB of a name-sorted tar of /usr/lib/python3.11, if present.
fn python_tar() -> io::Result<Option<Vec<u8>>> {
    if !Path::new("/usr/lib/python3.11").is_dir() {
        eprintln!("bench corpus: /usr/lib/python3.11 not found, skipping python.tar");
        return Ok(None);
    }
    let bytes = head_of_command(
        Command::new("tar").args(["--sort=name", "-cf", "-", "-C", "/usr/lib", "python3.11"]),
        LARGE,
    )?;
    Ok((bytes.len() == LARGE).then_some(bytes))
}

/// The first 8 MiB of the toolchain's librustc_driver shared object, if found.
fn rustc_driver() -> io::Result<Option<Vec<u8>>> {
    let sysroot = match Command::new("rustc").args(["--print", "sysroot"]).output() {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout).trim().to_owned(),
        _ => {
            eprintln!("bench corpus: rustc not found, skipping rustc_driver.so");
            return Ok(None);
        }
    };
    let lib = Path::new(&sysroot).join("lib");
    let mut candidates: Vec<PathBuf> = fs::read_dir(&lib)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("librustc_driver-") && n.ends_with(".so"))
        })
        .collect();
    candidates.sort();
    let Some(path) = candidates.first() else {
        eprintln!(
            "bench corpus: no librustc_driver-*.so in {}, skipping",
            lib.display()
        );
        return Ok(None);
    };
    let mut buf = Vec::with_capacity(LARGE);
    fs::File::open(path)?
        .take(LARGE as u64)
        .read_to_end(&mut buf)?;
    Ok(Some(buf))
}

/// A small deterministic PRNG (xorshift64*), so generated files are the same
/// on every machine.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (zero is replaced by a fixed constant).
    pub fn new(seed: u64) -> Self {
        Rng(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// The next 64 pseudo-random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "had",
    "they",
    "you",
    "were",
    "their",
    "one",
    "all",
    "we",
    "can",
    "her",
    "has",
    "there",
    "been",
    "if",
    "more",
    "when",
    "will",
    "would",
    "who",
    "so",
    "no",
    "stream",
    "block",
    "index",
    "header",
    "footer",
    "filter",
    "dictionary",
    "literal",
    "match",
    "repeat",
    "distance",
    "length",
    "probability",
    "range",
    "coder",
    "window",
    "buffer",
    "check",
    "padding",
    "compressed",
    "uncompressed",
    "memory",
    "limit",
    "encoder",
    "decoder",
    "chunk",
    "state",
    "position",
];

/// `len` bytes of English-like text: words from a fixed list, Zipf-ish
/// frequencies, punctuation and line breaks.
pub fn words(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(len + 16);
    let mut line = 0usize;
    while out.len() < len {
        // Squaring a uniform value favours the common words at the front.
        let r = rng.below(1 << 16);
        let idx = ((r * r * WORDS.len() as u64) >> 32) as usize;
        let word = WORDS[idx.min(WORDS.len() - 1)];
        out.extend_from_slice(word.as_bytes());
        line += word.len() + 1;
        match rng.below(16) {
            0 => out.extend_from_slice(b". "),
            1 => out.extend_from_slice(b", "),
            _ => out.push(b' '),
        }
        if line > 72 {
            out.push(b'\n');
            line = 0;
        }
    }
    out.truncate(len);
    out
}

/// `len` bytes of 16-byte records: a counter, a timestamp growing by small
/// steps, a slowly drifting measurement and a flag word, little-endian.
pub fn records(len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x5eed_0003);
    let mut out = Vec::with_capacity(len + 16);
    let (mut id, mut time, mut value) = (0u32, 1_700_000_000u32, 5_000i32);
    while out.len() < len {
        id = id.wrapping_add(1);
        time = time.wrapping_add(1 + rng.below(3) as u32);
        value = value.wrapping_add(rng.below(21) as i32 - 10);
        let flags: u32 = if rng.below(64) == 0 { 0x8000_0001 } else { 1 };
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&time.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// `len` pseudo-random bytes.
pub fn random(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_are_deterministic_and_sized() {
        assert_eq!(words(1000, 7), words(1000, 7));
        assert_eq!(words(1000, 7).len(), 1000);
        assert_eq!(records(1000).len(), 1000);
        assert_eq!(random(1001, 1).len(), 1001);
        assert_ne!(random(64, 1), random(64, 2));
    }

    #[test]
    fn words_are_text() {
        let w = words(10_000, 3);
        assert!(w
            .iter()
            .all(|&b| b.is_ascii_graphic() || b == b' ' || b == b'\n'));
    }

    #[test]
    fn reference_compressed_rejects_bad_presets() {
        let f = CorpusFile {
            name: "x",
            path: PathBuf::from("/nonexistent/x"),
        };
        assert!(reference_compressed(&f, "10").is_err());
        assert!(reference_compressed(&f, "6x").is_err());
    }
}
