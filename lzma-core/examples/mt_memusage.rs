//! Prints `mt::encoder_memusage` for a preset, block size and thread count (to compare with
//! what `xz --memlimit-compress=N --no-adjust` accepts).
//!
//! ```text
//! cargo run -p lzma-core --example mt_memusage -- LEVEL THREADS [BLOCK_SIZE]
//! ```
#![forbid(unsafe_code)]
fn main() {
    let a: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let mut opts = lzma_core::EncoderOptions::preset(a.first().copied().unwrap_or(6) as u32);
    if let Some(&b) = a.get(2) {
        opts = opts.block_size(b);
    }
    let threads = a.get(1).copied().unwrap_or(2) as u32;
    match lzma_core::mt::encoder_memusage(&opts, threads) {
        Ok(m) => println!("{m}"),
        Err(e) => eprintln!("{e}"),
    }
}
