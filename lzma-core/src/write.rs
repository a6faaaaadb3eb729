//! Adapters over `std::io::Write`: write uncompressed (or compressed) bytes in, the coded
//! bytes go to the inner writer. Finish explicitly with `finish()` or `try_finish()`;
//! dropping a writer never finishes the stream, so errors are never swallowed.
//!
//! ```
//! use std::io::Write;
//! let mut e = lzma_core::write::XzEncoder::new(Vec::new(), 0)?;
//! e.write_all(b"any Write")?;
//! let xz = e.finish()?; // always finish explicitly
//! let mut d = lzma_core::write::XzDecoder::new(Vec::new());
//! d.write_all(&xz)?;
//! assert_eq!(d.finish()?, b"any Write");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
    XzEncoder, crate::xz::XzEncoder, Some(Action::SyncFlush),
    example {
        ty: "lzma_core::write::XzEncoder",
        setup: "",
        data: "*b\"hello\"",
        new: "lzma_core::write::XzEncoder::new(Vec::new(), 0)?",
        coder: "lzma_core::xz::XzEncoder::new(&lzma_core::EncoderOptions::preset(0))?",
    }
);
ctors!(
    xz_encoder XzEncoder,
    new {
        ///
        /// ```
        /// use std::io::Write;
        /// let mut e = lzma_core::write::XzEncoder::new(Vec::new(), 0)?;
        /// e.write_all(b"hello")?;
        /// assert_eq!(lzma_core::decompress(&e.finish()?)?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::{Check, EncoderOptions};
        /// let opts = EncoderOptions::preset(0).check(Check::Crc32);
        /// let mut e = lzma_core::write::XzEncoder::with_options(Vec::new(), &opts)?;
        /// e.write_all(b"hello")?;
        /// assert_eq!(e.finish()?[7], 0x01); // the check ID in the stream flags
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    W: std::io::Write
);

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
    XzDecoder, crate::xz::XzDecoder, None,
    example {
        ty: "lzma_core::write::XzDecoder",
        setup: "",
        data: "lzma_core::compress(b\"hello\", 0)?",
        new: "lzma_core::write::XzDecoder::new(Vec::new())",
        coder: "lzma_core::xz::XzDecoder::new(lzma_core::DecoderOptions::new())",
    }
);
ctors!(
    xz_decoder XzDecoder,
    new {
        ///
        /// ```
        /// use std::io::Write;
        /// let xz = lzma_core::compress(b"hello", 0)?;
        /// let mut d = lzma_core::write::XzDecoder::new(Vec::new());
        /// d.write_all(&xz)?;
        /// assert_eq!(d.finish()?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::DecoderOptions;
        /// let xz = lzma_core::compress(b"hello", 0)?;
        /// let mut d = lzma_core::write::XzDecoder::with_options(Vec::new(), DecoderOptions::new().memlimit(1024));
        /// assert!(d.write_all(&xz).is_err()); // needs more than 1 KiB
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    W: std::io::Write
);

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
    LzmaEncoder, crate::alone::AloneEncoder, None,
    example {
        ty: "lzma_core::write::LzmaEncoder",
        setup: "",
        data: "*b\"hello\"",
        new: "lzma_core::write::LzmaEncoder::new(Vec::new(), 0)?",
        coder: "lzma_core::alone::AloneEncoder::with_preset(0, false)?",
    }
);
ctors!(
    lzma_encoder LzmaEncoder,
    new {
        ///
        /// ```
        /// use std::io::Write;
        /// let mut e = lzma_core::write::LzmaEncoder::new(Vec::new(), 0)?;
        /// e.write_all(b"hello")?;
        /// assert_eq!(lzma_core::oneshot::decompress_auto(&e.finish()?)?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Write;
        /// let mut opts = lzma_core::LzmaOptions::preset(0, false)?;
        /// opts.dict_size = 64 << 10;
        /// let mut e = lzma_core::write::LzmaEncoder::with_options(Vec::new(), &opts)?;
        /// e.write_all(b"hello")?;
        /// assert_eq!(e.finish()?[1..5], (64u32 << 10).to_le_bytes());
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    W: std::io::Write
);

write_type!(
    /// Decodes .lzma written to it.
    ///
    /// ```
    /// use std::io::Write;
    /// let mut d = lzma_core::write::LzmaDecoder::new(Vec::new());
    /// assert!(d.write_all(&[0xFF; 13]).is_err()); // bad properties byte
    /// ```
    LzmaDecoder, crate::alone::AloneDecoder, None,
    example {
        ty: "lzma_core::write::LzmaDecoder",
        setup: "",
        data: "lzma_core::oneshot::run(&mut lzma_core::alone::AloneEncoder::with_preset(0, false)?, b\"hello\")?",
        new: "lzma_core::write::LzmaDecoder::new(Vec::new())",
        coder: "lzma_core::alone::AloneDecoder::new(&lzma_core::DecoderOptions::new())",
    }
);
ctors!(
    lzma_decoder LzmaDecoder,
    new {
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::{alone::AloneEncoder, oneshot::run};
        /// let lzma = run(&mut AloneEncoder::with_preset(0, false)?, b"hello")?;
        /// let mut d = lzma_core::write::LzmaDecoder::new(Vec::new());
        /// d.write_all(&lzma)?;
        /// assert_eq!(d.finish()?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::{alone::AloneEncoder, oneshot::run, DecoderOptions};
        /// let lzma = run(&mut AloneEncoder::with_preset(0, false)?, b"hello")?;
        /// let mut d = lzma_core::write::LzmaDecoder::with_options(Vec::new(), DecoderOptions::new().memlimit(1024));
        /// assert!(d.write_all(&lzma).is_err()); // needs more than 1 KiB
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    W: std::io::Write
);

write_type!(
    /// Decodes lzip written to it.
    ///
    /// ```
    /// use std::io::Write;
    /// let mut d = lzma_core::write::LzipDecoder::new(Vec::new());
    /// assert!(d.write_all(b"LZIQ").is_err());
    /// ```
    LzipDecoder, crate::lzip::LzipDecoder, None,
    example {
        ty: "lzma_core::write::LzipDecoder",
        setup: "# let lz = lzma_core::lzip::example_member(b\"hello\")?;
",
        data: "lz",
        new: "lzma_core::write::LzipDecoder::new(Vec::new())",
        coder: "lzma_core::lzip::LzipDecoder::new(&lzma_core::DecoderOptions::new())",
    }
);
ctors!(
    lzip_decoder LzipDecoder,
    new {
        ///
        /// ```
        /// use std::io::Write;
        /// # let lz = lzma_core::lzip::example_member(b"hello")?;
        /// let mut d = lzma_core::write::LzipDecoder::new(Vec::new());
        /// d.write_all(&lz)?;
        /// assert_eq!(d.finish()?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::DecoderOptions;
        /// // The 8 MiB dictionary of 0x17 is over the limit.
        /// let mut d = lzma_core::write::LzipDecoder::with_options(Vec::new(), DecoderOptions::new().memlimit(1 << 20));
        /// d.write_all(b"LZIP\x01\x17")?;
        /// assert_eq!(d.finish().unwrap_err().to_string(), "Memory usage limit reached");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    W: std::io::Write
);

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
    RawEncoder, crate::raw::RawEncoder, Some(Action::SyncFlush),
    example {
        ty: "lzma_core::write::RawEncoder",
        setup: "# use lzma_core::{Filter, LzmaOptions};
# let chain = [Filter::Lzma2(LzmaOptions::preset(0, false)?)];
",
        data: "*b\"hello\"",
        new: "lzma_core::write::RawEncoder::new(Vec::new(), &chain)?",
        coder: "lzma_core::raw::RawEncoder::new(&chain)?",
    }
);
ctors!(
    raw_encoder RawEncoder,
    new {
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::{oneshot::run, raw::RawDecoder, Filter, LzmaOptions};
        /// let chain = [Filter::Lzma2(LzmaOptions::preset(0, false)?)];
        /// let mut e = lzma_core::write::RawEncoder::new(Vec::new(), &chain)?;
        /// e.write_all(b"hello")?;
        /// assert_eq!(run(&mut RawDecoder::new(&chain, u64::MAX)?, &e.finish()?)?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    W: std::io::Write
);

write_type!(
    /// Decodes a raw filter chain written to it (see [`RawEncoder`] for an example).
    ///
    /// ```
    /// use lzma_core::{Filter, LzmaOptions};
    /// let chain = [Filter::Lzma2(LzmaOptions::preset(0, false).unwrap())];
    /// assert!(lzma_core::write::RawDecoder::with_memlimit(Vec::new(), &chain, 1).is_err());
    /// ```
    RawDecoder, crate::raw::RawDecoder, None,
    example {
        ty: "lzma_core::write::RawDecoder",
        setup: "# use lzma_core::{Filter, LzmaOptions};
# let chain = [Filter::Lzma2(LzmaOptions::preset(0, false)?)];
",
        data: "lzma_core::oneshot::run(&mut lzma_core::raw::RawEncoder::new(&chain)?, b\"hello\")?",
        new: "lzma_core::write::RawDecoder::new(Vec::new(), &chain)?",
        coder: "lzma_core::raw::RawDecoder::new(&chain, u64::MAX)?",
    }
);
ctors!(
    raw_decoder RawDecoder,
    new {
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::{oneshot::run, raw::RawEncoder, Filter, LzmaOptions};
        /// let chain = [Filter::Delta { distance: 1 }, Filter::Lzma2(LzmaOptions::preset(0, false)?)];
        /// let raw = run(&mut RawEncoder::new(&chain)?, b"hello")?;
        /// let mut d = lzma_core::write::RawDecoder::new(Vec::new(), &chain)?;
        /// d.write_all(&raw)?;
        /// assert_eq!(d.finish()?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_memlimit {
        ///
        /// ```
        /// use lzma_core::{Filter, LzmaOptions};
        /// let chain = [Filter::Lzma2(LzmaOptions::preset(0, false)?)];
        /// assert!(lzma_core::write::RawDecoder::with_memlimit(Vec::new(), &chain, 1024).is_err());
        /// assert!(lzma_core::write::RawDecoder::with_memlimit(Vec::new(), &chain, 16 << 20).is_ok());
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    W: std::io::Write
);

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
    AutoDecoder, crate::auto::AutoDecoder, None,
    example {
        ty: "lzma_core::write::AutoDecoder",
        setup: "",
        data: "lzma_core::compress(b\"hello\", 0)?",
        new: "lzma_core::write::AutoDecoder::new(Vec::new())",
        coder: "lzma_core::auto::AutoDecoder::new(lzma_core::DecoderOptions::new())",
    }
);
ctors!(
    auto_decoder AutoDecoder,
    new {
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::{alone::AloneEncoder, oneshot::run};
        /// let lzma = run(&mut AloneEncoder::with_preset(0, false)?, b"hello")?; // .lzma, detected
        /// let mut d = lzma_core::write::AutoDecoder::new(Vec::new());
        /// d.write_all(&lzma)?;
        /// assert_eq!(d.finish()?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    with_options {
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::DecoderOptions;
        /// let mut two = lzma_core::compress(b"one", 0)?;
        /// two.extend(lzma_core::compress(b"two", 0)?);
        /// let mut d = lzma_core::write::AutoDecoder::with_options(Vec::new(), DecoderOptions::new().single_stream(true));
        /// d.write_all(&two[..two.len() / 2])?;
        /// assert_eq!(d.finish()?, b"one");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
    },
    W: std::io::Write
);
