//! `std::io` adapters over the threaded coders.

/// Adapters over `std::io::BufRead`.
///
/// ```
/// use std::io::Read;
/// use lzma_core::{mt, EncoderOptions};
/// let mut xz = Vec::new();
/// mt::bufread::XzEncoderMt::new(&b"threads"[..], &EncoderOptions::preset(0), 2)?.read_to_end(&mut xz)?;
/// let mut out = Vec::new();
/// mt::bufread::XzDecoderMt::new(&xz[..], mt::MtDecoderOptions::new(2)).read_to_end(&mut out)?;
/// assert_eq!(out, b"threads");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod bufread {
    use crate::zio::bufread_type;

    bufread_type!(
        /// Compresses what is read from a `BufRead` with [`crate::mt::XzEncoderMt`].
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::{mt, EncoderOptions};
        /// let mut xz = Vec::new();
        /// mt::bufread::XzEncoderMt::new(&b"hello"[..], &EncoderOptions::preset(0), 2)?.read_to_end(&mut xz)?;
        /// assert_eq!(lzma_core::decompress(&xz)?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        XzEncoderMt, crate::mt::XzEncoderMt,
        example {
            ty: "lzma_core::mt::bufread::XzEncoderMt",
            setup: "",
            data: "*b\"hello\"",
            new: "lzma_core::mt::bufread::XzEncoderMt::new(inner, &lzma_core::EncoderOptions::preset(0), 2)?",
            coder: "lzma_core::mt::XzEncoderMt::new(&lzma_core::EncoderOptions::preset(0), 2)?",
        }
    );
    bufread_type!(
        /// Decompresses .xz read from a `BufRead` with [`crate::mt::XzDecoderMt`].
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::mt;
        /// let xz = lzma_core::compress(b"hello", 0)?;
        /// let mut out = Vec::new();
        /// mt::bufread::XzDecoderMt::new(&xz[..], mt::MtDecoderOptions::new(2)).read_to_end(&mut out)?;
        /// assert_eq!(out, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        XzDecoderMt, crate::mt::XzDecoderMt,
        example {
            ty: "lzma_core::mt::bufread::XzDecoderMt",
            setup: "",
            data: "lzma_core::compress(b\"hello\", 0)?",
            new: "lzma_core::mt::bufread::XzDecoderMt::new(inner, lzma_core::mt::MtDecoderOptions::new(2))",
            coder: "lzma_core::mt::XzDecoderMt::new(lzma_core::mt::MtDecoderOptions::new(2))",
        }
    );

    impl<R: std::io::BufRead> XzEncoderMt<R> {
        /// An encoder with `threads` worker threads.
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::{mt, EncoderOptions};
        /// let mut xz = Vec::new();
        /// mt::bufread::XzEncoderMt::new(&b"hello"[..], &EncoderOptions::preset(0), 2)?.read_to_end(&mut xz)?;
        /// assert_eq!(lzma_core::decompress(&xz)?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn new(inner: R, opts: &crate::EncoderOptions, threads: u32) -> crate::Result<Self> {
            Ok(Self::from_coder(
                inner,
                crate::mt::XzEncoderMt::new(opts, threads)?,
            ))
        }
    }

    impl<R: std::io::BufRead> XzDecoderMt<R> {
        /// A decoder with the given options.
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::mt;
        /// let xz = lzma_core::compress(b"hello", 0)?;
        /// let mut out = Vec::new();
        /// mt::bufread::XzDecoderMt::new(&xz[..], mt::MtDecoderOptions::new(2)).read_to_end(&mut out)?;
        /// assert_eq!(out, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn new(inner: R, opts: crate::mt::MtDecoderOptions) -> Self {
            Self::from_coder(inner, crate::mt::XzDecoderMt::new(opts))
        }
    }
}

/// Adapters over `std::io::Read` (the [`bufread`] types over a `BufReader` of 64 KiB).
///
/// ```
/// use std::io::Read;
/// use lzma_core::mt;
/// let xz = lzma_core::compress(b"threads", 0)?;
/// let mut out = Vec::new();
/// mt::read::XzDecoderMt::new(&xz[..], mt::MtDecoderOptions::new(2)).read_to_end(&mut out)?;
/// assert_eq!(out, b"threads");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod read {
    use super::bufread;
    use crate::zio::read_type;

    read_type!(
        /// Compresses what is read from a `Read` with [`crate::mt::XzEncoderMt`].
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::{mt, EncoderOptions};
        /// let mut r = mt::read::XzEncoderMt::new(&b"abc"[..], &EncoderOptions::preset(1), 2).unwrap();
        /// let mut xz = Vec::new();
        /// r.read_to_end(&mut xz).unwrap();
        /// assert_eq!(lzma_core::decompress(&xz).unwrap(), b"abc");
        /// ```
        XzEncoderMt, crate::mt::XzEncoderMt,
        example {
            ty: "lzma_core::mt::read::XzEncoderMt",
            setup: "",
            data: "*b\"hello\"",
            new: "lzma_core::mt::read::XzEncoderMt::new(inner, &lzma_core::EncoderOptions::preset(0), 2)?",
            coder: "lzma_core::mt::XzEncoderMt::new(&lzma_core::EncoderOptions::preset(0), 2)?",
        }
    );
    read_type!(
        /// Decompresses .xz read from a `Read` with [`crate::mt::XzDecoderMt`].
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::mt;
        /// let xz = lzma_core::compress(b"abc", 1).unwrap();
        /// let mut r = mt::read::XzDecoderMt::new(&xz[..], mt::MtDecoderOptions::new(2));
        /// let mut out = Vec::new();
        /// r.read_to_end(&mut out).unwrap();
        /// assert_eq!(out, b"abc");
        /// ```
        XzDecoderMt, crate::mt::XzDecoderMt,
        example {
            ty: "lzma_core::mt::read::XzDecoderMt",
            setup: "",
            data: "lzma_core::compress(b\"hello\", 0)?",
            new: "lzma_core::mt::read::XzDecoderMt::new(inner, lzma_core::mt::MtDecoderOptions::new(2))",
            coder: "lzma_core::mt::XzDecoderMt::new(lzma_core::mt::MtDecoderOptions::new(2))",
        }
    );

    impl<R: std::io::Read> XzEncoderMt<R> {
        /// An encoder with `threads` worker threads.
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::{mt, EncoderOptions};
        /// let mut xz = Vec::new();
        /// mt::read::XzEncoderMt::new(&b"hello"[..], &EncoderOptions::preset(0), 2)?.read_to_end(&mut xz)?;
        /// assert_eq!(lzma_core::decompress(&xz)?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn new(inner: R, opts: &crate::EncoderOptions, threads: u32) -> crate::Result<Self> {
            Ok(Self::from_coder(
                inner,
                crate::mt::XzEncoderMt::new(opts, threads)?,
            ))
        }
    }

    impl<R: std::io::Read> XzDecoderMt<R> {
        /// A decoder with the given options.
        ///
        /// ```
        /// use std::io::Read;
        /// use lzma_core::mt;
        /// let xz = lzma_core::compress(b"hello", 0)?;
        /// let mut out = Vec::new();
        /// mt::read::XzDecoderMt::new(&xz[..], mt::MtDecoderOptions::new(2)).read_to_end(&mut out)?;
        /// assert_eq!(out, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn new(inner: R, opts: crate::mt::MtDecoderOptions) -> Self {
            Self::from_coder(inner, crate::mt::XzDecoderMt::new(opts))
        }
    }
}

/// Adapters over `std::io::Write`.
///
/// ```
/// use std::io::Write;
/// use lzma_core::{mt, EncoderOptions};
/// let mut w = mt::write::XzEncoderMt::new(Vec::new(), &EncoderOptions::preset(0), 2)?;
/// w.write_all(b"threads")?;
/// assert_eq!(lzma_core::decompress(&w.finish()?)?, b"threads");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod write {
    use crate::zio::write_type;
    use crate::Action;

    write_type!(
        /// Compresses what is written into the inner writer with [`crate::mt::XzEncoderMt`].
        /// `flush()` ends the current block so that everything written so far can be
        /// decoded.
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::{mt, EncoderOptions};
        /// let mut w = mt::write::XzEncoderMt::new(Vec::new(), &EncoderOptions::preset(1), 2).unwrap();
        /// w.write_all(b"hello").unwrap();
        /// let xz = w.finish().unwrap();
        /// assert_eq!(lzma_core::decompress(&xz).unwrap(), b"hello");
        /// ```
        XzEncoderMt, crate::mt::XzEncoderMt, Some(Action::FullFlush),
        example {
            ty: "lzma_core::mt::write::XzEncoderMt",
            setup: "",
            data: "*b\"hello\"",
            new: "lzma_core::mt::write::XzEncoderMt::new(Vec::new(), &lzma_core::EncoderOptions::preset(0), 2)?",
            coder: "lzma_core::mt::XzEncoderMt::new(&lzma_core::EncoderOptions::preset(0), 2)?",
        }
    );
    write_type!(
        /// Decompresses .xz written to it into the inner writer with
        /// [`crate::mt::XzDecoderMt`].
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::mt;
        /// let xz = lzma_core::compress(b"hello", 0)?;
        /// let mut w = mt::write::XzDecoderMt::new(Vec::new(), mt::MtDecoderOptions::new(2));
        /// w.write_all(&xz)?;
        /// assert_eq!(w.finish()?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        XzDecoderMt, crate::mt::XzDecoderMt, None,
        example {
            ty: "lzma_core::mt::write::XzDecoderMt",
            setup: "",
            data: "lzma_core::compress(b\"hello\", 0)?",
            new: "lzma_core::mt::write::XzDecoderMt::new(Vec::new(), lzma_core::mt::MtDecoderOptions::new(2))",
            coder: "lzma_core::mt::XzDecoderMt::new(lzma_core::mt::MtDecoderOptions::new(2))",
        }
    );

    impl<W: std::io::Write> XzEncoderMt<W> {
        /// An encoder with `threads` worker threads.
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::{mt, EncoderOptions};
        /// let mut w = mt::write::XzEncoderMt::new(Vec::new(), &EncoderOptions::preset(0), 2)?;
        /// w.write_all(b"hello")?;
        /// assert_eq!(lzma_core::decompress(&w.finish()?)?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn new(inner: W, opts: &crate::EncoderOptions, threads: u32) -> crate::Result<Self> {
            Ok(Self::from_coder(
                inner,
                crate::mt::XzEncoderMt::new(opts, threads)?,
            ))
        }
    }

    impl<W: std::io::Write> XzDecoderMt<W> {
        /// A decoder with the given options.
        ///
        /// ```
        /// use std::io::Write;
        /// use lzma_core::mt;
        /// let xz = lzma_core::compress(b"hello", 0)?;
        /// let mut w = mt::write::XzDecoderMt::new(Vec::new(), mt::MtDecoderOptions::new(2));
        /// w.write_all(&xz)?;
        /// assert_eq!(w.finish()?, b"hello");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        pub fn new(inner: W, opts: crate::mt::MtDecoderOptions) -> Self {
            Self::from_coder(inner, crate::mt::XzDecoderMt::new(opts))
        }
    }
}
