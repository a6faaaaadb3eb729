//! One-shot helpers: whole buffers in, whole buffers out.
//!
//! ```
//! let xz = lzma_core::oneshot::compress(b"whole buffers", 0)?;
//! assert_eq!(lzma_core::oneshot::decompress(&xz)?, b"whole buffers");
//! # Ok::<(), lzma_core::Error>(())
//! ```

use crate::stream::{Action, Coder, Status};
use crate::{DecoderOptions, EncoderOptions, Error, Result};

/// Runs a coder over all of `input` with [`Action::Finish`] and collects the output.
/// Fails with [`Error::Truncated`] if the coder does not reach its end.
///
/// ```
/// use lzma_core::{oneshot::run, xz::XzEncoder, EncoderOptions};
/// let mut enc = XzEncoder::new(&EncoderOptions::preset(0)).unwrap();
/// let xz = run(&mut enc, b"abc").unwrap();
/// assert_eq!(&xz[..6], b"\xFD7zXZ\x00");
/// ```
pub fn run<C: Coder + ?Sized>(coder: &mut C, input: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() / 2 + 64);
    let mut pos = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let p = coder.code(&input[pos..], &mut buf, Action::Finish)?;
        pos += p.consumed;
        out.extend_from_slice(&buf[..p.produced]);
        if p.status == Status::StreamEnd {
            return Ok(out);
        }
        if p.consumed == 0 && p.produced == 0 {
            return Err(Error::Truncated);
        }
        if p.produced == buf.len() && buf.len() < (1 << 22) {
            buf.resize(buf.len() * 2, 0);
        }
    }
}

/// Decompresses a whole .xz file (concatenated streams and padding allowed), no memory
/// limit.
///
/// ```
/// let xz = lzma_core::compress(b"hello", 6).unwrap();
/// assert_eq!(lzma_core::decompress(&xz).unwrap(), b"hello");
/// assert!(lzma_core::decompress(b"not xz").is_err());
/// ```
pub fn decompress(input: &[u8]) -> Result<Vec<u8>> {
    decompress_with(input, &DecoderOptions::default())
}

/// Decompresses a whole .xz file with options. Trailing bytes after the first stream are
/// an error unless `single_stream` is set (then they are ignored).
///
/// ```
/// use lzma_core::{decompress_with, DecoderOptions, Error};
/// let xz = lzma_core::compress(b"hi", 6).unwrap();
/// let tight = DecoderOptions::new().memlimit(1000);
/// assert!(matches!(decompress_with(&xz, &tight), Err(Error::MemLimit { .. })));
/// ```
pub fn decompress_with(input: &[u8], opts: &DecoderOptions) -> Result<Vec<u8>> {
    let mut dec = crate::xz::XzDecoder::new(opts.clone());
    run(&mut dec, input)
}

/// Decompresses any format `xz` accepts by default: .xz, .lzma or lzip.
///
/// ```
/// let xz = lzma_core::compress(b"auto", 1).unwrap();
/// assert_eq!(lzma_core::oneshot::decompress_auto(&xz).unwrap(), b"auto");
/// ```
pub fn decompress_auto(input: &[u8]) -> Result<Vec<u8>> {
    let mut dec = crate::auto::AutoDecoder::new(DecoderOptions::default());
    run(&mut dec, input)
}

/// Compresses into .xz with preset `level` (0..=9) and CRC64, as `xz -T1 -<level>`.
///
/// ```
/// let xz = lzma_core::compress(b"hello", 6).unwrap();
/// assert_eq!(lzma_core::decompress(&xz).unwrap(), b"hello");
/// assert!(lzma_core::compress(b"", 10).is_err());
/// ```
pub fn compress(input: &[u8], level: u32) -> Result<Vec<u8>> {
    compress_with(input, &EncoderOptions::preset(level))
}

/// Compresses into .xz with the given options.
///
/// ```
/// use lzma_core::{compress_with, Check, EncoderOptions};
/// let xz = compress_with(b"data", &EncoderOptions::preset(0).check(Check::Sha256)).unwrap();
/// assert_eq!(xz[7], 10); // check ID in the stream flags
/// ```
pub fn compress_with(input: &[u8], opts: &EncoderOptions) -> Result<Vec<u8>> {
    let mut enc = crate::xz::XzEncoder::new(opts)?;
    run(&mut enc, input)
}
