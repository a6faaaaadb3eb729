//! Test-vector generator: builds every test input from a readable description.
//!
//! No test input of this project is committed as bytes. `corpus/vectors/*.txt` describe
//! .xz, .lzma and .lz files statement by statement (stream flags, block headers, LZMA2
//! chunks, LZMA symbols, index records, padding, named damage), and this crate turns them
//! into bytes at test time. Each vector names what a decoder must answer: its output, or
//! the class of error. The language is documented in `corpus/README.md`.
//!
//! ```
//! let vectors = xz_corpus::all();
//! assert!(vectors.len() >= 100);
//! let v = xz_corpus::by_name("good-1-check-crc32").unwrap();
//! assert_eq!(&v.bytes[..6], b"\xFD7zXZ\0");
//! assert_eq!(v.expect, xz_corpus::Expect::Output(b"Hello\nWorld!\n".to_vec()));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod desc;
pub mod gen;
pub mod lzma_enc;
pub mod reference;

pub use desc::parse_num;

/// The container format a vector is in, i.e. which decoder must read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// .xz (concatenated streams and stream padding allowed).
    Xz,
    /// .lzma (LZMA_Alone).
    Lzma,
    /// .lz (lzip), decode only.
    Lzip,
    /// Any of them, detected from the magic bytes.
    Auto,
}

/// A class of decoder error, as `xz` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// "File format not recognized".
    Format,
    /// "Compressed data is corrupt" (including check mismatches).
    Corrupt,
    /// "Unexpected end of input".
    Truncated,
    /// "Unsupported options".
    Unsupported,
    /// "Memory usage limit reached".
    MemLimit,
}

impl ErrorClass {
    /// The message `xz` prints for this class.
    pub fn message(self) -> &'static str {
        match self {
            ErrorClass::Format => "File format not recognized",
            ErrorClass::Corrupt => "Compressed data is corrupt",
            ErrorClass::Truncated => "Unexpected end of input",
            ErrorClass::Unsupported => "Unsupported options",
            ErrorClass::MemLimit => "Memory usage limit reached",
        }
    }
}

/// What a decoder must answer for a vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Success with exactly this output.
    Output(Vec<u8>),
    /// The stream uses a check type that is reserved (not supported): the decoder may warn
    /// ("Unsupported type of integrity check; not verifying file integrity") and produce
    /// this output, or refuse with [`ErrorClass::Unsupported`].
    UnsupportedCheck(Vec<u8>),
    /// Failure of this class (output produced before the error is unspecified).
    Error(ErrorClass),
}

/// One test vector built from its description.
#[derive(Clone, Debug)]
pub struct Vector {
    /// Unique name, such as `bad-1-check-crc32`.
    pub name: String,
    /// The description file it comes from (`xz-good`, `lzma`, ...).
    pub family: &'static str,
    /// Which decoder reads it.
    pub format: Format,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The answer a decoder must give.
    pub expect: Expect,
    /// Memory limit to decode with, if the vector tests one.
    pub memlimit: Option<u64>,
    /// Decode only the first stream (xz `--single-stream`).
    pub single_stream: bool,
    /// What the vector tests, in words.
    pub note: String,
    /// What the `xz` command answers when it differs from the decoder's answer: the command
    /// checks magic bytes and .lzma header plausibility itself before decoding.
    pub cli_expect: Option<ErrorClass>,
    /// The oldest XZ Utils release that knows everything the vector uses (`(5, 6)` for
    /// RISC-V BCJ), if newer than 5.0.
    pub since: Option<(u32, u32)>,
}

/// The description files, by family name.
pub const FAMILIES: &[(&str, &str)] = &[
    ("xz-good", include_str!("../vectors/xz-good.txt")),
    ("xz-bad", include_str!("../vectors/xz-bad.txt")),
    ("xz-lzma2", include_str!("../vectors/xz-lzma2.txt")),
    ("lzma", include_str!("../vectors/lzma.txt")),
    ("lzip", include_str!("../vectors/lzip.txt")),
];

/// Builds every vector, or says which description is wrong (file, line, vector).
pub fn try_all() -> Result<Vec<Vector>, String> {
    desc::build_all(FAMILIES)
}

/// Builds every vector.
///
/// # Panics
/// If a description in `corpus/vectors` is malformed; `try_all` returns the error instead.
/// The descriptions are fixed text, so this is a bug in this crate caught by its own tests.
pub fn all() -> Vec<Vector> {
    match try_all() {
        Ok(v) => v,
        Err(e) => panic!("corpus description error: {e}"),
    }
}

/// The vector with this name.
pub fn by_name(name: &str) -> Option<Vector> {
    all().into_iter().find(|v| v.name == name)
}

#[cfg(test)]
mod tests;
