//! Prints the encoder and decoder memory `xz -vv` would report for a preset.
//!
//! `cargo run --example memusage -- 6 2` (preset, threads)
#![forbid(unsafe_code)]

use lzma_core::{xz::XzEncoder, EncoderOptions};

fn main() -> Result<(), lzma_core::Error> {
    let args: Vec<u32> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let level = args.first().copied().unwrap_or(6);
    let threads = args.get(1).copied().unwrap_or(1);
    let opts = EncoderOptions::preset(level).threads(threads);
    let enc = XzEncoder::memusage_of(&opts)?;
    println!("preset {level}, threads {threads}: {} MiB to compress", enc.div_ceil(1 << 20));
    Ok(())
}
