//! `xz`: a drop-in replacement for XZ Utils' command, on `lzma-core`.
#![forbid(unsafe_code)]

fn main() {
    eprintln!("xz: not implemented yet");
    std::process::exit(1);
}
