//! Multi-threaded .xz compression and decompression.
//!
//! - [`XzEncoderMt`] cuts the input into blocks that worker threads compress at the same
//!   time. The bytes written are those of `xz -T2` (XZ Utils 5.8) for the same options,
//!   whatever the thread count.
//! - [`XzDecoderMt`] decodes the blocks of threaded .xz files (block headers with both
//!   sizes) on worker threads and falls back to single-threaded decoding for blocks
//!   without sizes. Output, errors and checks are those of [`crate::xz::XzDecoder`].
//!
//! Both are sans-IO [`Coder`](crate::Coder)s: the worker threads belong to the coder and
//! stop when it is dropped. [`read`](mod@read) and [`write`](mod@write) wrap them for `std::io`.
//!
//! ```
//! use std::io::{Read, Write};
//! use lzma_core::{mt, EncoderOptions};
//! let data: Vec<u8> = (0..400_000u32).map(|i| (i % 251) as u8).collect();
//! let opts = EncoderOptions::preset(0).block_size(64 << 10);
//! let mut w = mt::write::XzEncoderMt::new(Vec::new(), &opts, 2)?;
//! w.write_all(&data)?;
//! let xz = w.finish()?;
//! let mut r = mt::read::XzDecoderMt::new(&xz[..], mt::MtDecoderOptions::new(2));
//! let mut back = Vec::new();
//! r.read_to_end(&mut back)?;
//! assert_eq!(back, data);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod decoder;
mod encoder;
mod pool;

pub use decoder::{MtDecoderOptions, XzDecoderMt};
pub use encoder::{XzEncoderMt, THREADS_MAX};

use crate::options::EncoderOptions;
use crate::xz::backend;
use crate::{Error, Result};

/// Memory the threaded encoder needs for `opts` with `threads` worker threads (0 counts as
/// 1), as liblzma's `lzma_stream_encoder_mt_memusage`: per thread one block of input, one
/// filter encoder and two output buffers.
///
/// This is the figure `xz` compares with `--memlimit-compress` when it reduces the thread
/// count (see [`reduce_threads`]).
///
/// ```
/// use lzma_core::{mt, EncoderOptions};
/// let one = mt::encoder_memusage(&EncoderOptions::preset(6), 1).unwrap();
/// let two = mt::encoder_memusage(&EncoderOptions::preset(6), 2).unwrap();
/// assert!(two > one && one > 24 << 20);
/// ```
pub fn encoder_memusage(opts: &EncoderOptions, threads: u32) -> Result<u64> {
    opts.validate()?;
    let mut filters_mem = 0u64;
    for n in opts.used_chains() {
        let chain = opts.chain_for(n)?;
        filters_mem = filters_mem.max(backend::encoder_memusage(&chain));
    }
    let bs = encoder::resolved_block_size(opts)?;
    encoder::mt_memusage(bs, filters_mem, u64::from(threads.max(1)))
        .ok_or_else(|| Error::Options("The block size is too large".into()))
}

/// What `xz` does with `--memlimit-compress` in threaded mode: lowers the thread count one
/// by one until [`encoder_memusage`] fits in `limit`. Returns the thread count to use, or
/// `None` when even one thread does not fit; `xz` then fails if `--no-adjust` was given
/// (the threaded layout cannot be kept) and otherwise switches to the single-threaded
/// format ([`crate::xz::XzEncoder`] with `threads(1)`), where the usual preset adjustment
/// applies. With the automatic limit of `-T0` and no `--memlimit-compress`, xz keeps one
/// thread of the threaded format and ignores the limit.
///
/// ```
/// use lzma_core::{mt, EncoderOptions};
/// let opts = EncoderOptions::preset(6);
/// let three = mt::encoder_memusage(&opts, 3).unwrap();
/// assert_eq!(mt::reduce_threads(&opts, 8, three).unwrap(), Some(3));
/// assert_eq!(mt::reduce_threads(&opts, 8, 1 << 20).unwrap(), None);
/// ```
pub fn reduce_threads(opts: &EncoderOptions, threads: u32, limit: u64) -> Result<Option<u32>> {
    let mut t = threads.max(1);
    loop {
        if encoder_memusage(opts, t)? <= limit {
            return Ok(Some(t));
        }
        if t == 1 {
            return Ok(None);
        }
        t -= 1;
    }
}

mod io;
pub use io::{bufread, read, write};
