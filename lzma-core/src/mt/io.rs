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
    use std::io::{BufReader, Read};

    macro_rules! read_wrapper {
        ($(#[$m:meta])* $name:ident, $coder:ty, example { ty: $ty:literal, data: $data:literal, new: $new:literal, coder: $cnew:literal $(,)? }) => {
            $(#[$m])*
            pub struct $name<R> {
                inner: bufread::$name<BufReader<R>>,
            }

            impl<R: Read> $name<R> {
                /// Wraps a reader and an already built coder.
                #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\nlet data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet mut r = ", $ty, "::from_coder(inner, ", $cnew, ");\nlet mut out = Vec::new();\nr.read_to_end(&mut out)?;\nassert!(!out.is_empty());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
                pub fn from_coder(inner: R, coder: $coder) -> Self {
                    let r = BufReader::with_capacity(64 << 10, inner);
                    $name { inner: bufread::$name::from_coder(r, coder) }
                }
            }

            impl<R> $name<R> {
                /// The underlying reader.
                #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\nlet data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet r = ", $new, ";\nassert_eq!(r.get_ref().len(), data.len());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
                pub fn get_ref(&self) -> &R {
                    self.inner.get_ref().get_ref()
                }
                /// The underlying reader (buffered bytes not yet coded are lost).
                #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\nlet data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet mut r = ", $new, ";\nr.read_to_end(&mut Vec::new())?;\nassert!(r.into_inner().is_empty()); // all input was used\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
                pub fn into_inner(self) -> R {
                    self.inner.into_inner().into_inner()
                }
                /// The sans-IO coder.
                #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\nlet data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet mut r = ", $new, ";\nr.read_to_end(&mut Vec::new())?;\nassert!(r.coder().memusage() > 0);\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
                pub fn coder(&self) -> &$coder {
                    self.inner.coder()
                }
            }

            impl<R: Read> Read for $name<R> {
                fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                    self.inner.read(buf)
                }
            }

            impl<R> std::fmt::Debug for $name<R> {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct(stringify!($name)).finish_non_exhaustive()
                }
            }
        };
    }

    read_wrapper!(
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
            data: "*b\"hello\"",
            new: "lzma_core::mt::read::XzEncoderMt::new(inner, &lzma_core::EncoderOptions::preset(0), 2)?",
            coder: "lzma_core::mt::XzEncoderMt::new(&lzma_core::EncoderOptions::preset(0), 2)?",
        }
    );
    read_wrapper!(
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
            data: "lzma_core::compress(b\"hello\", 0)?",
            new: "lzma_core::mt::read::XzDecoderMt::new(inner, lzma_core::mt::MtDecoderOptions::new(2))",
            coder: "lzma_core::mt::XzDecoderMt::new(lzma_core::mt::MtDecoderOptions::new(2))",
        }
    );

    impl<R: Read> XzEncoderMt<R> {
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

    impl<R: Read> XzDecoderMt<R> {
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
