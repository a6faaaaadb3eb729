//! `std::io` adapters over the threaded coders.

/// Adapters over `std::io::BufRead`.
pub mod bufread {
    use crate::zio::bufread_type;

    bufread_type!(
        /// Compresses what is read from a `BufRead` with [`crate::mt::XzEncoderMt`].
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
        pub fn new(inner: R, opts: &crate::EncoderOptions, threads: u32) -> crate::Result<Self> {
            Ok(Self::from_coder(
                inner,
                crate::mt::XzEncoderMt::new(opts, threads)?,
            ))
        }
    }

    impl<R: std::io::BufRead> XzDecoderMt<R> {
        /// A decoder with the given options.
        pub fn new(inner: R, opts: crate::mt::MtDecoderOptions) -> Self {
            Self::from_coder(inner, crate::mt::XzDecoderMt::new(opts))
        }
    }
}

/// Adapters over `std::io::Read` (the [`bufread`] types over a `BufReader` of 64 KiB).
pub mod read {
    use super::bufread;
    use std::io::{BufReader, Read};

    macro_rules! read_wrapper {
        ($(#[$m:meta])* $name:ident, $coder:ty) => {
            $(#[$m])*
            pub struct $name<R> {
                inner: bufread::$name<BufReader<R>>,
            }

            impl<R: Read> $name<R> {
                /// Wraps a reader and an already built coder.
                pub fn from_coder(inner: R, coder: $coder) -> Self {
                    let r = BufReader::with_capacity(64 << 10, inner);
                    $name { inner: bufread::$name::from_coder(r, coder) }
                }
            }

            impl<R> $name<R> {
                /// The underlying reader.
                pub fn get_ref(&self) -> &R {
                    self.inner.get_ref().get_ref()
                }
                /// The underlying reader (buffered bytes not yet coded are lost).
                pub fn into_inner(self) -> R {
                    self.inner.into_inner().into_inner()
                }
                /// The sans-IO coder.
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
        XzEncoderMt, crate::mt::XzEncoderMt
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
        XzDecoderMt, crate::mt::XzDecoderMt
    );

    impl<R: Read> XzEncoderMt<R> {
        /// An encoder with `threads` worker threads.
        pub fn new(inner: R, opts: &crate::EncoderOptions, threads: u32) -> crate::Result<Self> {
            Ok(Self::from_coder(
                inner,
                crate::mt::XzEncoderMt::new(opts, threads)?,
            ))
        }
    }

    impl<R: Read> XzDecoderMt<R> {
        /// A decoder with the given options.
        pub fn new(inner: R, opts: crate::mt::MtDecoderOptions) -> Self {
            Self::from_coder(inner, crate::mt::XzDecoderMt::new(opts))
        }
    }
}

/// Adapters over `std::io::Write`.
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
        pub fn new(inner: W, opts: &crate::EncoderOptions, threads: u32) -> crate::Result<Self> {
            Ok(Self::from_coder(
                inner,
                crate::mt::XzEncoderMt::new(opts, threads)?,
            ))
        }
    }

    impl<W: std::io::Write> XzDecoderMt<W> {
        /// A decoder with the given options.
        pub fn new(inner: W, opts: crate::mt::MtDecoderOptions) -> Self {
            Self::from_coder(inner, crate::mt::XzDecoderMt::new(opts))
        }
    }
}
