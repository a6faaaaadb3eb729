//! Decompresses .xz, .lzma or lzip from stdin to stdout (format auto-detected).
//!
//! `cargo run --release --example unxz < file.xz > file`
#![forbid(unsafe_code)]

use std::io::{self, Read, Write};

fn main() -> io::Result<()> {
    let stdin = io::stdin().lock();
    let mut dec = lzma_core::bufread::AutoDecoder::new(io::BufReader::with_capacity(1 << 16, stdin));
    let mut out = io::stdout().lock();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = dec.read(&mut buf)?;
        if n == 0 {
            break;
        }
        out.write_all(&buf[..n])?;
    }
    out.flush()
}
