//! Adapters over `std::io::Write`: write uncompressed (or compressed) bytes in, the coded
//! bytes go to the inner writer. Finish explicitly with `finish()` or `try_finish()`;
//! dropping a writer never finishes the stream, so errors are never swallowed.

use crate::zio::{ctors, write_type};
use crate::Action;

write_type!(
    /// Writes .xz: compresses what is written into the inner writer. `flush()` makes
    /// everything written so far decodable (an LZMA2 sync flush).
    ///
    /// ```
    /// use std::io::Write;
    /// let mut e = lzma_core::write::XzEncoder::new(Vec::new(), 6).unwrap();
    /// e.write_all(b"hello ").unwrap();
    /// e.write_all(b"world").unwrap();
    /// let xz = e.finish().unwrap();
    /// assert_eq!(lzma_core::decompress(&xz).unwrap(), b"hello world");
    /// ```
    XzEncoder, crate::xz::XzEncoder, Some(Action::SyncFlush)
);
ctors!(xz_encoder XzEncoder, W: std::io::Write);

write_type!(
    /// Decodes .xz written to it into the inner writer. `finish()` reports a truncated
    /// stream.
    ///
    /// ```
    /// use std::io::Write;
    /// let xz = lzma_core::compress(b"data", 6).unwrap();
    /// let mut d = lzma_core::write::XzDecoder::new(Vec::new());
    /// d.write_all(&xz).unwrap();
    /// assert_eq!(d.finish().unwrap(), b"data");
    /// let mut d = lzma_core::write::XzDecoder::new(Vec::new());
    /// d.write_all(&xz[..xz.len() - 1]).unwrap();
    /// assert!(d.finish().is_err());
    /// ```
    XzDecoder, crate::xz::XzDecoder, None
);
ctors!(xz_decoder XzDecoder, W: std::io::Write);

write_type!(
    /// Writes .lzma (as `xz --format=lzma`).
    ///
    /// ```
    /// use std::io::Write;
    /// let mut e = lzma_core::write::LzmaEncoder::new(Vec::new(), 6).unwrap();
    /// e.write_all(b"abc").unwrap();
    /// let lzma = e.finish().unwrap();
    /// assert_eq!(lzma[0], 0x5D);
    /// ```
    LzmaEncoder, crate::alone::AloneEncoder, None
);
ctors!(lzma_encoder LzmaEncoder, W: std::io::Write);

write_type!(
    /// Decodes .lzma written to it.
    ///
    /// ```
    /// use std::io::Write;
    /// let mut d = lzma_core::write::LzmaDecoder::new(Vec::new());
    /// assert!(d.write_all(&[0xFF; 13]).is_err()); // bad properties byte
    /// ```
    LzmaDecoder, crate::alone::AloneDecoder, None
);
ctors!(lzma_decoder LzmaDecoder, W: std::io::Write);

write_type!(
    /// Decodes lzip written to it.
    ///
    /// ```
    /// use std::io::Write;
    /// let mut d = lzma_core::write::LzipDecoder::new(Vec::new());
    /// assert!(d.write_all(b"LZIQ").is_err());
    /// ```
    LzipDecoder, crate::lzip::LzipDecoder, None
);
ctors!(lzip_decoder LzipDecoder, W: std::io::Write);

write_type!(
    /// Writes a raw filter chain.
    ///
    /// ```
    /// use std::io::Write;
    /// use lzma_core::{Filter, LzmaOptions};
    /// let chain = [Filter::Lzma2(LzmaOptions::preset(0, false).unwrap())];
    /// let mut e = lzma_core::write::RawEncoder::new(Vec::new(), &chain).unwrap();
    /// e.write_all(b"raw").unwrap();
    /// let raw = e.finish().unwrap();
    /// let mut d = lzma_core::write::RawDecoder::new(Vec::new(), &chain).unwrap();
    /// d.write_all(&raw).unwrap();
    /// assert_eq!(d.finish().unwrap(), b"raw");
    /// ```
    RawEncoder, crate::raw::RawEncoder, Some(Action::SyncFlush)
);
ctors!(raw_encoder RawEncoder, W: std::io::Write);

write_type!(
    /// Decodes a raw filter chain written to it (see [`RawEncoder`] for an example).
    ///
    /// ```
    /// use lzma_core::{Filter, LzmaOptions};
    /// let chain = [Filter::Lzma2(LzmaOptions::preset(0, false).unwrap())];
    /// assert!(lzma_core::write::RawDecoder::with_memlimit(Vec::new(), &chain, 1).is_err());
    /// ```
    RawDecoder, crate::raw::RawDecoder, None
);
ctors!(raw_decoder RawDecoder, W: std::io::Write);

write_type!(
    /// Decodes .xz, .lzma or lzip (detected) written to it.
    ///
    /// ```
    /// use std::io::Write;
    /// let xz = lzma_core::compress(b"auto", 6).unwrap();
    /// let mut d = lzma_core::write::AutoDecoder::new(Vec::new());
    /// d.write_all(&xz).unwrap();
    /// assert_eq!(d.finish().unwrap(), b"auto");
    /// ```
    AutoDecoder, crate::auto::AutoDecoder, None
);
ctors!(auto_decoder AutoDecoder, W: std::io::Write);
