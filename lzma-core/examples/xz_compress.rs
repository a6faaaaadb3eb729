//! Compresses stdin to .xz on stdout: `xz_compress [LEVEL [THREADS [BLOCK_SIZE]]]`.
//!
//! THREADS 1 gives `xz -T1` output, anything else the threaded layout of xz 5.8.
#![forbid(unsafe_code)]

use std::io::{self, Read, Write};

fn main() -> io::Result<()> {
    let args: Vec<u64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let mut opts = lzma_core::EncoderOptions::preset(args.first().copied().unwrap_or(6) as u32)
        .threads(args.get(1).copied().unwrap_or(1) as u32);
    if let Some(&bs) = args.get(2) {
        opts = opts.block_size(bs);
    }
    let mut enc = lzma_core::write::XzEncoder::with_options(io::stdout().lock(), &opts)?;
    let mut input = io::stdin().lock();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        enc.write_all(&buf[..n])?;
    }
    enc.finish()?.flush()
}
