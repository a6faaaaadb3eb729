//! Adapters over `std::io::BufRead`: each type reads from a buffered reader and yields the
//! decoded (or encoded) bytes through `std::io::Read`. Bytes after the end of a stream stay
//! in the inner reader (see `into_inner`).

use crate::zio::{bufread_type, ctors};

bufread_type!(
    /// Decodes .xz from a `BufRead`.
    ///
    /// ```
    /// use std::io::Read;
    /// let xz = lzma_core::compress(b"bufread", 6).unwrap();
    /// let mut d = lzma_core::bufread::XzDecoder::new(&xz[..]);
    /// let mut s = String::new();
    /// d.read_to_string(&mut s).unwrap();
    /// assert_eq!(s, "bufread");
    /// ```
    XzDecoder, crate::xz::XzDecoder
);
ctors!(xz_decoder XzDecoder, R: std::io::BufRead);

bufread_type!(
    /// Encodes .xz from a `BufRead`.
    ///
    /// ```
    /// use std::io::Read;
    /// let mut e = lzma_core::bufread::XzEncoder::new(&b"abc"[..], 6).unwrap();
    /// let mut xz = Vec::new();
    /// e.read_to_end(&mut xz).unwrap();
    /// assert_eq!(lzma_core::decompress(&xz).unwrap(), b"abc");
    /// ```
    XzEncoder, crate::xz::XzEncoder
);
ctors!(xz_encoder XzEncoder, R: std::io::BufRead);

bufread_type!(
    /// Decodes .lzma from a `BufRead`.
    ///
    /// ```
    /// use std::io::Read;
    /// let mut d = lzma_core::bufread::LzmaDecoder::new(&b"not lzma at all"[..]);
    /// assert!(d.read_to_end(&mut Vec::new()).is_err());
    /// ```
    LzmaDecoder, crate::alone::AloneDecoder
);
ctors!(lzma_decoder LzmaDecoder, R: std::io::BufRead);

bufread_type!(
    /// Encodes .lzma from a `BufRead`.
    ///
    /// ```
    /// use std::io::Read;
    /// let mut e = lzma_core::bufread::LzmaEncoder::new(&b"abc"[..], 6).unwrap();
    /// let mut lzma = Vec::new();
    /// e.read_to_end(&mut lzma).unwrap();
    /// assert_eq!(lzma[0], 0x5D);
    /// ```
    LzmaEncoder, crate::alone::AloneEncoder
);
ctors!(lzma_encoder LzmaEncoder, R: std::io::BufRead);

bufread_type!(
    /// Decodes lzip from a `BufRead`.
    ///
    /// ```
    /// use std::io::Read;
    /// let mut d = lzma_core::bufread::LzipDecoder::new(&b"LZIP\x07"[..]);
    /// assert!(d.read_to_end(&mut Vec::new()).is_err()); // version 7 is unsupported
    /// ```
    LzipDecoder, crate::lzip::LzipDecoder
);
ctors!(lzip_decoder LzipDecoder, R: std::io::BufRead);

bufread_type!(
    /// Decodes a raw filter chain from a `BufRead`.
    ///
    /// ```
    /// use std::io::Read;
    /// use lzma_core::{Filter, LzmaOptions};
    /// let chain = [Filter::Lzma2(LzmaOptions::preset(1, false).unwrap())];
    /// let raw = lzma_core::oneshot::run(&mut lzma_core::raw::RawEncoder::new(&chain).unwrap(), b"raw").unwrap();
    /// let mut d = lzma_core::bufread::RawDecoder::new(&raw[..], &chain).unwrap();
    /// let mut out = Vec::new();
    /// d.read_to_end(&mut out).unwrap();
    /// assert_eq!(out, b"raw");
    /// ```
    RawDecoder, crate::raw::RawDecoder
);
ctors!(raw_decoder RawDecoder, R: std::io::BufRead);

bufread_type!(
    /// Encodes a raw filter chain from a `BufRead`.
    ///
    /// ```
    /// use std::io::Read;
    /// use lzma_core::{Filter, LzmaOptions};
    /// let chain = [Filter::Lzma2(LzmaOptions::preset(1, false).unwrap())];
    /// let mut e = lzma_core::bufread::RawEncoder::new(&b"raw"[..], &chain).unwrap();
    /// let mut raw = Vec::new();
    /// e.read_to_end(&mut raw).unwrap();
    /// assert_eq!(*raw.last().unwrap(), 0x00); // LZMA2 end marker
    /// ```
    RawEncoder, crate::raw::RawEncoder
);
ctors!(raw_encoder RawEncoder, R: std::io::BufRead);

bufread_type!(
    /// Decodes .xz, .lzma or lzip (detected) from a `BufRead`.
    ///
    /// ```
    /// use std::io::Read;
    /// let xz = lzma_core::compress(b"auto", 6).unwrap();
    /// let mut d = lzma_core::bufread::AutoDecoder::new(&xz[..]);
    /// let mut out = Vec::new();
    /// d.read_to_end(&mut out).unwrap();
    /// assert_eq!(out, b"auto");
    /// ```
    AutoDecoder, crate::auto::AutoDecoder
);
ctors!(auto_decoder AutoDecoder, R: std::io::BufRead);
