//! Adapters over `std::io::Read`: each type is the [`crate::bufread`] type of the same name
//! over a `BufReader`.
//!
//! ```
//! use std::io::Read;
//! let xz = lzma_core::compress(b"any Read", 0)?;
//! let mut out = String::new();
//! lzma_core::read::XzDecoder::new(&xz[..]).read_to_string(&mut out)?;
//! assert_eq!(out, "any Read");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::bufread;
use crate::zio::{ctors, read_type};

read_type!(
    /// Decodes .xz from a `Read`.
    ///
    /// ```
    /// use std::io::Read;
    /// let xz = lzma_core::compress(b"bufread", 6).unwrap();
    /// let mut d = lzma_core::read::XzDecoder::new(&xz[..]);
    /// let mut s = String::new();
    /// d.read_to_string(&mut s).unwrap();
    /// assert_eq!(s, "bufread");
    /// ```
    XzDecoder, crate::xz::XzDecoder,
    example {
        ty: "lzma_core::read::XzDecoder",
        setup: "",
        data: "lzma_core::compress(b\"hello\", 0)?",
        new: "lzma_core::read::XzDecoder::new(inner)",
        coder: "lzma_core::xz::XzDecoder::new(lzma_core::DecoderOptions::new())",
    }
);
ctors!(
    xz_decoder XzDecoder,
    new {
        ///
        /// ```
        /// use std::io::Read;
        /// let xz = lzma_core::compress(b"hello", 0)?;
        /// let mut s = String::new();
        /// lzma_core::read::XzDecoder::new(&xz[..]).read_to_string(&mut s)?;
        /// assert_eq!(s, "hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::DecoderOptions;
        /// let xz = lzma_core::compress(b"hello", 0)?;
        /// let mut d = lzma_core::read::XzDecoder::with_options(&xz[..], DecoderOptions::new().memlimit(1024));
        /// assert!(d.read_to_end(&mut Vec::new()).is_err()); // needs more than 1 KiB
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    R: std::io::Read
);

read_type!(
    /// Encodes .xz from a `Read`.
    ///
    /// ```
    /// use std::io::Read;
    /// let mut e = lzma_core::read::XzEncoder::new(&b"abc"[..], 6).unwrap();
    /// let mut xz = Vec::new();
    /// e.read_to_end(&mut xz).unwrap();
    /// assert_eq!(lzma_core::decompress(&xz).unwrap(), b"abc");
    /// ```
    XzEncoder, crate::xz::XzEncoder,
    example {
        ty: "lzma_core::read::XzEncoder",
        setup: "",
        data: "*b\"hello\"",
        new: "lzma_core::read::XzEncoder::new(inner, 0)?",
        coder: "lzma_core::xz::XzEncoder::new(&lzma_core::EncoderOptions::preset(0))?",
    }
);
ctors!(
    xz_encoder XzEncoder,
    new {
        ///
        /// ```
        /// use std::io::Read;
        /// let mut xz = Vec::new();
        /// lzma_core::read::XzEncoder::new(&b"hello"[..], 0)?.read_to_end(&mut xz)?;
        /// assert_eq!(lzma_core::decompress(&xz)?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::{Check, EncoderOptions};
        /// let opts = EncoderOptions::preset(0).check(Check::Crc32);
        /// let mut xz = Vec::new();
        /// lzma_core::read::XzEncoder::with_options(&b"hello"[..], &opts)?.read_to_end(&mut xz)?;
        /// assert_eq!(xz[7], 0x01); // the check ID in the stream flags
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    R: std::io::Read
);

read_type!(
    /// Decodes .lzma from a `Read`.
    ///
    /// ```
    /// use std::io::Read;
    /// let mut d = lzma_core::read::LzmaDecoder::new(&b"not lzma at all"[..]);
    /// assert!(d.read_to_end(&mut Vec::new()).is_err());
    /// ```
    LzmaDecoder, crate::alone::AloneDecoder,
    example {
        ty: "lzma_core::read::LzmaDecoder",
        setup: "",
        data: "lzma_core::oneshot::run(&mut lzma_core::alone::AloneEncoder::with_preset(0, false)?, b\"hello\")?",
        new: "lzma_core::read::LzmaDecoder::new(inner)",
        coder: "lzma_core::alone::AloneDecoder::new(&lzma_core::DecoderOptions::new())",
    }
);
ctors!(
    lzma_decoder LzmaDecoder,
    new {
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::{alone::AloneEncoder, oneshot::run};
        /// let lzma = run(&mut AloneEncoder::with_preset(0, false)?, b"hello")?;
        /// let mut out = Vec::new();
        /// lzma_core::read::LzmaDecoder::new(&lzma[..]).read_to_end(&mut out)?;
        /// assert_eq!(out, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::{alone::AloneEncoder, oneshot::run, DecoderOptions};
        /// let lzma = run(&mut AloneEncoder::with_preset(0, false)?, b"hello")?;
        /// let mut d = lzma_core::read::LzmaDecoder::with_options(&lzma[..], DecoderOptions::new().memlimit(1024));
        /// assert!(d.read_to_end(&mut Vec::new()).is_err()); // needs more than 1 KiB
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    R: std::io::Read
);

read_type!(
    /// Encodes .lzma from a `Read`.
    ///
    /// ```
    /// use std::io::Read;
    /// let mut e = lzma_core::read::LzmaEncoder::new(&b"abc"[..], 6).unwrap();
    /// let mut lzma = Vec::new();
    /// e.read_to_end(&mut lzma).unwrap();
    /// assert_eq!(lzma[0], 0x5D);
    /// ```
    LzmaEncoder, crate::alone::AloneEncoder,
    example {
        ty: "lzma_core::read::LzmaEncoder",
        setup: "",
        data: "*b\"hello\"",
        new: "lzma_core::read::LzmaEncoder::new(inner, 0)?",
        coder: "lzma_core::alone::AloneEncoder::with_preset(0, false)?",
    }
);
ctors!(
    lzma_encoder LzmaEncoder,
    new {
        ///
        /// ```
        /// use std::io::Read;
        /// let mut lzma = Vec::new();
        /// lzma_core::read::LzmaEncoder::new(&b"hello"[..], 0)?.read_to_end(&mut lzma)?;
        /// assert_eq!(lzma_core::oneshot::decompress_auto(&lzma)?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Read;
        /// let mut opts = lzma_core::LzmaOptions::preset(0, false)?;
        /// opts.dict_size = 64 << 10;
        /// let mut lzma = Vec::new();
        /// lzma_core::read::LzmaEncoder::with_options(&b"hello"[..], &opts)?.read_to_end(&mut lzma)?;
        /// assert_eq!(lzma[1..5], (64u32 << 10).to_le_bytes());
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    R: std::io::Read
);

read_type!(
    /// Decodes lzip from a `Read`.
    ///
    /// ```
    /// use std::io::Read;
    /// let mut d = lzma_core::read::LzipDecoder::new(&b"LZIP\x07"[..]);
    /// assert!(d.read_to_end(&mut Vec::new()).is_err()); // version 7 is unsupported
    /// ```
    LzipDecoder, crate::lzip::LzipDecoder,
    example {
        ty: "lzma_core::read::LzipDecoder",
        setup: "# let lz = lzma_core::lzip::example_member(b\"hello\")?;
",
        data: "lz",
        new: "lzma_core::read::LzipDecoder::new(inner)",
        coder: "lzma_core::lzip::LzipDecoder::new(&lzma_core::DecoderOptions::new())",
    }
);
ctors!(
    lzip_decoder LzipDecoder,
    new {
        ///
        /// ```
        /// use std::io::Read;
        /// # let lz = lzma_core::lzip::example_member(b"hello")?;
        /// let mut out = Vec::new();
        /// lzma_core::read::LzipDecoder::new(&lz[..]).read_to_end(&mut out)?;
        /// assert_eq!(out, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::DecoderOptions;
        /// // The 8 MiB dictionary of 0x17 is over the limit.
        /// let mut d = lzma_core::read::LzipDecoder::with_options(&b"LZIP\x01\x17"[..], DecoderOptions::new().memlimit(1 << 20));
        /// assert!(d.read_to_end(&mut Vec::new()).is_err());
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    R: std::io::Read
);

read_type!(
    /// Decodes a raw filter chain from a `Read`.
    ///
    /// ```
    /// use std::io::Read;
    /// use lzma_core::{Filter, LzmaOptions};
    /// let chain = [Filter::Lzma2(LzmaOptions::preset(1, false).unwrap())];
    /// let raw = lzma_core::oneshot::run(&mut lzma_core::raw::RawEncoder::new(&chain).unwrap(), b"raw").unwrap();
    /// let mut d = lzma_core::read::RawDecoder::new(&raw[..], &chain).unwrap();
    /// let mut out = Vec::new();
    /// d.read_to_end(&mut out).unwrap();
    /// assert_eq!(out, b"raw");
    /// ```
    RawDecoder, crate::raw::RawDecoder,
    example {
        ty: "lzma_core::read::RawDecoder",
        setup: "# use lzma_core::{Filter, LzmaOptions};
# let chain = [Filter::Lzma2(LzmaOptions::preset(0, false)?)];
",
        data: "lzma_core::oneshot::run(&mut lzma_core::raw::RawEncoder::new(&chain)?, b\"hello\")?",
        new: "lzma_core::read::RawDecoder::new(inner, &chain)?",
        coder: "lzma_core::raw::RawDecoder::new(&chain, u64::MAX)?",
    }
);
ctors!(
    raw_decoder RawDecoder,
    new {
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::{oneshot::run, raw::RawEncoder, Filter, LzmaOptions};
        /// let chain = [Filter::Delta { distance: 1 }, Filter::Lzma2(LzmaOptions::preset(0, false)?)];
        /// let raw = run(&mut RawEncoder::new(&chain)?, b"hello")?;
        /// let mut out = Vec::new();
        /// lzma_core::read::RawDecoder::new(&raw[..], &chain)?.read_to_end(&mut out)?;
        /// assert_eq!(out, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_memlimit {
        ///
        /// ```
        /// use lzma_core::{Filter, LzmaOptions};
        /// let chain = [Filter::Lzma2(LzmaOptions::preset(0, false)?)];
        /// assert!(lzma_core::read::RawDecoder::with_memlimit(&b""[..], &chain, 1024).is_err());
        /// assert!(lzma_core::read::RawDecoder::with_memlimit(&b""[..], &chain, 16 << 20).is_ok());
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    R: std::io::Read
);

read_type!(
    /// Encodes a raw filter chain from a `Read`.
    ///
    /// ```
    /// use std::io::Read;
    /// use lzma_core::{Filter, LzmaOptions};
    /// let chain = [Filter::Lzma2(LzmaOptions::preset(1, false).unwrap())];
    /// let mut e = lzma_core::read::RawEncoder::new(&b"raw"[..], &chain).unwrap();
    /// let mut raw = Vec::new();
    /// e.read_to_end(&mut raw).unwrap();
    /// assert_eq!(*raw.last().unwrap(), 0x00); // LZMA2 end marker
    /// ```
    RawEncoder, crate::raw::RawEncoder,
    example {
        ty: "lzma_core::read::RawEncoder",
        setup: "# use lzma_core::{Filter, LzmaOptions};
# let chain = [Filter::Lzma2(LzmaOptions::preset(0, false)?)];
",
        data: "*b\"hello\"",
        new: "lzma_core::read::RawEncoder::new(inner, &chain)?",
        coder: "lzma_core::raw::RawEncoder::new(&chain)?",
    }
);
ctors!(
    raw_encoder RawEncoder,
    new {
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::{oneshot::run, raw::RawDecoder, Filter, LzmaOptions};
        /// let chain = [Filter::Lzma2(LzmaOptions::preset(0, false)?)];
        /// let mut raw = Vec::new();
        /// lzma_core::read::RawEncoder::new(&b"hello"[..], &chain)?.read_to_end(&mut raw)?;
        /// assert_eq!(run(&mut RawDecoder::new(&chain, u64::MAX)?, &raw)?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    R: std::io::Read
);

read_type!(
    /// Decodes .xz, .lzma or lzip (detected) from a `Read`.
    ///
    /// ```
    /// use std::io::Read;
    /// let xz = lzma_core::compress(b"auto", 6).unwrap();
    /// let mut d = lzma_core::read::AutoDecoder::new(&xz[..]);
    /// let mut out = Vec::new();
    /// d.read_to_end(&mut out).unwrap();
    /// assert_eq!(out, b"auto");
    /// ```
    AutoDecoder, crate::auto::AutoDecoder,
    example {
        ty: "lzma_core::read::AutoDecoder",
        setup: "",
        data: "lzma_core::compress(b\"hello\", 0)?",
        new: "lzma_core::read::AutoDecoder::new(inner)",
        coder: "lzma_core::auto::AutoDecoder::new(lzma_core::DecoderOptions::new())",
    }
);
ctors!(
    auto_decoder AutoDecoder,
    new {
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::{alone::AloneEncoder, oneshot::run};
        /// let lzma = run(&mut AloneEncoder::with_preset(0, false)?, b"hello")?; // .lzma, detected
        /// let mut out = Vec::new();
        /// lzma_core::read::AutoDecoder::new(&lzma[..]).read_to_end(&mut out)?;
        /// assert_eq!(out, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::DecoderOptions;
        /// let mut two = lzma_core::compress(b"one", 0)?;
        /// two.extend(lzma_core::compress(b"two", 0)?);
        /// let mut out = Vec::new();
        /// lzma_core::read::AutoDecoder::with_options(&two[..], DecoderOptions::new().single_stream(true)).read_to_end(&mut out)?;
        /// assert_eq!(out, b"one");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    R: std::io::Read
);
