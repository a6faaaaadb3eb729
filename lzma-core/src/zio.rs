//! The pumps behind the `read`, `bufread` and `write` adapters: one loop moving bytes
//! between `std::io` and a sans-IO [`Coder`].

use crate::stream::{Action, Coder, Status};
use crate::Error;
use std::io::{self, BufRead, Write};

/// Reads from `src` through `coder` into `buf`. `done` is set at the coder's end.
pub(crate) fn read<R: BufRead + ?Sized, C: Coder + ?Sized>(
    src: &mut R,
    coder: &mut C,
    done: &mut bool,
    buf: &mut [u8],
) -> io::Result<usize> {
    if *done || buf.is_empty() {
        return Ok(0);
    }
    loop {
        let input = src.fill_buf()?;
        let eof = input.is_empty();
        let action = if eof { Action::Finish } else { Action::Run };
        let p = coder.code(input, buf, action).map_err(io::Error::from)?;
        src.consume(p.consumed);
        if p.status == Status::StreamEnd {
            *done = true;
            return Ok(p.produced);
        }
        if p.produced > 0 {
            return Ok(p.produced);
        }
        if eof && p.consumed == 0 {
            return Err(Error::Truncated.into());
        }
    }
}

/// Output staging of the writers.
pub(crate) struct OutBuf {
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl OutBuf {
    pub(crate) fn new() -> Self {
        OutBuf { buf: vec![0u8; 32 * 1024].into_boxed_slice(), start: 0, end: 0 }
    }

    /// Writes everything staged to `w`.
    pub(crate) fn dump<W: Write + ?Sized>(&mut self, w: &mut W) -> io::Result<()> {
        while self.start < self.end {
            let n = w.write(&self.buf[self.start..self.end])?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            self.start += n;
        }
        self.start = 0;
        self.end = 0;
        Ok(())
    }

    /// Runs the coder once into the (empty) staging buffer.
    pub(crate) fn code<C: Coder + ?Sized>(
        &mut self,
        coder: &mut C,
        input: &[u8],
        action: Action,
    ) -> io::Result<crate::Progress> {
        debug_assert_eq!(self.start, self.end);
        let p = coder.code(input, &mut self.buf, action).map_err(io::Error::from)?;
        self.start = 0;
        self.end = p.produced;
        Ok(p)
    }
}

/// `Write::write` of a writer adapter.
pub(crate) fn write<W: Write + ?Sized, C: Coder + ?Sized>(
    dst: &mut W,
    coder: &mut C,
    out: &mut OutBuf,
    ended: &mut bool,
    data: &[u8],
) -> io::Result<usize> {
    loop {
        out.dump(dst)?;
        if *ended {
            if data.is_empty() {
                return Ok(0);
            }
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "data written after the end of the stream",
            ));
        }
        let p = out.code(coder, data, Action::Run)?;
        if p.status == Status::StreamEnd {
            *ended = true;
        }
        if p.consumed > 0 || data.is_empty() {
            return Ok(p.consumed);
        }
        if p.produced == 0 && !*ended {
            return Err(Error::Misuse("coder made no progress").into());
        }
    }
}

/// Runs `action` (a flush or `Finish`) until the coder reports its end, writing all output.
pub(crate) fn drive<W: Write + ?Sized, C: Coder + ?Sized>(
    dst: &mut W,
    coder: &mut C,
    out: &mut OutBuf,
    action: Action,
) -> io::Result<()> {
    loop {
        out.dump(dst)?;
        let p = out.code(coder, &[], action)?;
        if p.status == Status::StreamEnd {
            return out.dump(dst);
        }
        if p.produced == 0 {
            return Err(Error::Truncated.into());
        }
    }
}

/// Defines a `bufread` adapter type over a coder.
macro_rules! bufread_type {
    ($(#[$m:meta])* $name:ident, $coder:ty) => {
        $(#[$m])*
        pub struct $name<R> {
            inner: R,
            coder: $coder,
            done: bool,
        }

        impl<R> $name<R> {
            /// Wraps a reader and an already built coder.
            pub fn from_coder(inner: R, coder: $coder) -> Self {
                $name { inner, coder, done: false }
            }
            /// The underlying reader.
            pub fn get_ref(&self) -> &R {
                &self.inner
            }
            /// The underlying reader, mutably (reading from it corrupts the stream).
            pub fn get_mut(&mut self) -> &mut R {
                &mut self.inner
            }
            /// The underlying reader; bytes after the end of the stream are still in it.
            pub fn into_inner(self) -> R {
                self.inner
            }
            /// The sans-IO coder (for its accessors, e.g. memory use or check type).
            pub fn coder(&self) -> &$coder {
                &self.coder
            }
        }

        impl<R: std::io::BufRead> std::io::Read for $name<R> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                crate::zio::read(&mut self.inner, &mut self.coder, &mut self.done, buf)
            }
        }

        impl<R> std::fmt::Debug for $name<R> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name)).field("done", &self.done).finish_non_exhaustive()
            }
        }
    };
}

/// Defines a `read` adapter type: the `bufread` type over a `BufReader`.
macro_rules! read_type {
    ($(#[$m:meta])* $name:ident, $coder:ty) => {
        $(#[$m])*
        pub struct $name<R> {
            inner: crate::bufread::$name<std::io::BufReader<R>>,
        }

        impl<R: std::io::Read> $name<R> {
            /// Wraps a reader and an already built coder.
            pub fn from_coder(inner: R, coder: $coder) -> Self {
                $name { inner: crate::bufread::$name::from_coder(std::io::BufReader::with_capacity(1 << 16, inner), coder) }
            }
        }

        impl<R> $name<R> {
            /// The underlying reader.
            pub fn get_ref(&self) -> &R {
                self.inner.get_ref().get_ref()
            }
            /// The underlying reader, mutably (reading from it corrupts the stream).
            pub fn get_mut(&mut self) -> &mut R {
                self.inner.get_mut().get_mut()
            }
            /// The underlying reader (buffered bytes not yet decoded are lost).
            pub fn into_inner(self) -> R {
                self.inner.into_inner().into_inner()
            }
            /// The sans-IO coder.
            pub fn coder(&self) -> &$coder {
                self.inner.coder()
            }
        }

        impl<R: std::io::Read> std::io::Read for $name<R> {
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

/// Defines a `write` adapter type over a coder. `$flush` is the action `flush()` runs
/// (`SyncFlush` for encoders) or `None` for decoders.
macro_rules! write_type {
    ($(#[$m:meta])* $name:ident, $coder:ty, $flush:expr) => {
        $(#[$m])*
        ///
        /// Call [`finish`](Self::finish) (or `try_finish`) at the end: dropping the writer
        /// does not finish the stream, so no error can be lost.
        pub struct $name<W: std::io::Write> {
            inner: W,
            coder: $coder,
            out: crate::zio::OutBuf,
            ended: bool,
        }

        impl<W: std::io::Write> $name<W> {
            /// Wraps a writer and an already built coder.
            pub fn from_coder(inner: W, coder: $coder) -> Self {
                $name { inner, coder, out: crate::zio::OutBuf::new(), ended: false }
            }
            /// The underlying writer.
            pub fn get_ref(&self) -> &W {
                &self.inner
            }
            /// The underlying writer, mutably (writing to it corrupts the stream).
            pub fn get_mut(&mut self) -> &mut W {
                &mut self.inner
            }
            /// The sans-IO coder.
            pub fn coder(&self) -> &$coder {
                &self.coder
            }
            /// Finishes the stream and writes everything out, keeping the writer.
            /// Errors (write errors, truncated input for decoders) are reported.
            pub fn try_finish(&mut self) -> std::io::Result<()> {
                let w = &mut self.inner;
                if !self.ended {
                    crate::zio::drive(w, &mut self.coder, &mut self.out, crate::Action::Finish)?;
                    self.ended = true;
                }
                self.out.dump(w)?;
                w.flush()
            }
            /// Finishes the stream and returns the writer.
            pub fn finish(mut self) -> std::io::Result<W> {
                self.try_finish()?;
                Ok(self.inner)
            }
        }

        impl<W: std::io::Write> std::io::Write for $name<W> {
            fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
                let w = &mut self.inner;
                crate::zio::write(w, &mut self.coder, &mut self.out, &mut self.ended, data)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                let w = &mut self.inner;
                let flush: Option<crate::Action> = $flush;
                match flush {
                    Some(action) if !self.ended => {
                        crate::zio::drive(w, &mut self.coder, &mut self.out, action)?
                    }
                    _ => self.out.dump(w)?,
                }
                w.flush()
            }
        }

        impl<W: std::io::Write> std::fmt::Debug for $name<W> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name)).field("ended", &self.ended).finish_non_exhaustive()
            }
        }
    };
}

/// Defines the constructors every adapter type gets, for a given bound on the wrapped
/// reader or writer.
macro_rules! ctors {
    (decoder $name:ident, $t:ident: $($bound:tt)+) => {
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder with default options (no memory limit, checks verified,
            /// concatenated streams).
            pub fn new(inner: $t) -> Self {
                Self::with_options(inner, crate::DecoderOptions::default())
            }
        }
    };
    (xz_decoder $name:ident, $t:ident: $($bound:tt)+) => {
        crate::zio::ctors!(decoder $name, $t: $($bound)+);
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder with the given options.
            pub fn with_options(inner: $t, opts: crate::DecoderOptions) -> Self {
                Self::from_coder(inner, crate::xz::XzDecoder::new(opts))
            }
        }
    };
    (lzma_decoder $name:ident, $t:ident: $($bound:tt)+) => {
        crate::zio::ctors!(decoder $name, $t: $($bound)+);
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder with the given options (only the memory limit applies).
            pub fn with_options(inner: $t, opts: crate::DecoderOptions) -> Self {
                Self::from_coder(inner, crate::alone::AloneDecoder::new(&opts))
            }
        }
    };
    (lzip_decoder $name:ident, $t:ident: $($bound:tt)+) => {
        crate::zio::ctors!(decoder $name, $t: $($bound)+);
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder with the given options.
            pub fn with_options(inner: $t, opts: crate::DecoderOptions) -> Self {
                Self::from_coder(inner, crate::lzip::LzipDecoder::new(&opts))
            }
        }
    };
    (auto_decoder $name:ident, $t:ident: $($bound:tt)+) => {
        crate::zio::ctors!(decoder $name, $t: $($bound)+);
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder with the given options.
            pub fn with_options(inner: $t, opts: crate::DecoderOptions) -> Self {
                Self::from_coder(inner, crate::auto::AutoDecoder::new(opts))
            }
        }
    };
    (raw_decoder $name:ident, $t:ident: $($bound:tt)+) => {
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder for the filter chain, without a memory limit.
            pub fn new(inner: $t, filters: &[crate::Filter]) -> crate::Result<Self> {
                Self::with_memlimit(inner, filters, u64::MAX)
            }
            /// A decoder for the filter chain with a memory limit.
            pub fn with_memlimit(inner: $t, filters: &[crate::Filter], memlimit: u64) -> crate::Result<Self> {
                Ok(Self::from_coder(inner, crate::raw::RawDecoder::new(filters, memlimit)?))
            }
        }
    };
    (raw_encoder $name:ident, $t:ident: $($bound:tt)+) => {
        impl<$t: $($bound)+> $name<$t> {
            /// An encoder for the filter chain.
            pub fn new(inner: $t, filters: &[crate::Filter]) -> crate::Result<Self> {
                Ok(Self::from_coder(inner, crate::raw::RawEncoder::new(filters)?))
            }
        }
    };
    (xz_encoder $name:ident, $t:ident: $($bound:tt)+) => {
        impl<$t: $($bound)+> $name<$t> {
            /// An encoder for preset `level` (0..=9) with CRC64, as `xz -T1 -<level>`.
            pub fn new(inner: $t, level: u32) -> crate::Result<Self> {
                Self::with_options(inner, &crate::EncoderOptions::preset(level))
            }
            /// An encoder with the given options.
            pub fn with_options(inner: $t, opts: &crate::EncoderOptions) -> crate::Result<Self> {
                Ok(Self::from_coder(inner, crate::xz::XzEncoder::new(opts)?))
            }
        }
    };
    (lzma_encoder $name:ident, $t:ident: $($bound:tt)+) => {
        impl<$t: $($bound)+> $name<$t> {
            /// An encoder for preset `level` (0..=9), as `xz --format=lzma -<level>`.
            pub fn new(inner: $t, level: u32) -> crate::Result<Self> {
                Self::with_options(inner, &crate::LzmaOptions::preset(level, false)?)
            }
            /// An encoder with the given LZMA1 options.
            pub fn with_options(inner: $t, opts: &crate::LzmaOptions) -> crate::Result<Self> {
                Ok(Self::from_coder(inner, crate::alone::AloneEncoder::new(opts)?))
            }
        }
    };
}

pub(crate) use {bufread_type, ctors, read_type, write_type};
