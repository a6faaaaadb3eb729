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

    /// Writes everything staged to `w`, retrying writes that fail with
    /// [`io::ErrorKind::Interrupted`] (as `write_all` does): `finish()` consumes the
    /// adapter, so it could not hand such an error back to be retried.
    pub(crate) fn dump<W: Write + ?Sized>(&mut self, w: &mut W) -> io::Result<()> {
        while self.start < self.end {
            let n = match w.write(&self.buf[self.start..self.end]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.start += n;
        }
        self.start = 0;
        self.end = 0;
        Ok(())
    }

    /// Flushes `w`, retrying [`io::ErrorKind::Interrupted`].
    pub(crate) fn flush<W: Write + ?Sized>(w: &mut W) -> io::Result<()> {
        loop {
            match w.flush() {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                r => return r,
            }
        }
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
    ($(#[$m:meta])* $name:ident, $coder:ty, example { ty: $ty:literal, setup: $setup:literal, data: $data:literal, new: $new:literal, coder: $cnew:literal $(,)? }) => {
        $(#[$m])*
        pub struct $name<R> {
            inner: R,
            coder: $coder,
            done: bool,
        }

        impl<R> $name<R> {
            /// Wraps a reader and an already built coder.
            #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet mut r = ", $ty, "::from_coder(inner, ", $cnew, ");\nlet mut out = Vec::new();\nr.read_to_end(&mut out)?;\nassert!(!out.is_empty());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn from_coder(inner: R, coder: $coder) -> Self {
                $name { inner, coder, done: false }
            }
            /// The underlying reader.
            #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet r = ", $new, ";\nassert_eq!(r.get_ref().len(), data.len());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn get_ref(&self) -> &R {
                &self.inner
            }
            /// The underlying reader, mutably (reading from it corrupts the stream).
            #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet mut r = ", $new, ";\nlet src: &mut &[u8] = r.get_mut();\nassert_eq!(src.len(), data.len());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn get_mut(&mut self) -> &mut R {
                &mut self.inner
            }
            /// The underlying reader; bytes after the end of the stream are still in it.
            #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet mut r = ", $new, ";\nr.read_to_end(&mut Vec::new())?;\nassert!(r.into_inner().is_empty()); // all input was used\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn into_inner(self) -> R {
                self.inner
            }
            /// The sans-IO coder (for its accessors, e.g. memory use or check type).
            #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet mut r = ", $new, ";\nr.read_to_end(&mut Vec::new())?;\nassert!(r.coder().memusage() > 0);\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
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

/// Defines a `read` adapter type: the type of the same name in the `bufread` module in
/// scope where it is invoked, over a `BufReader`.
macro_rules! read_type {
    ($(#[$m:meta])* $name:ident, $coder:ty, example { ty: $ty:literal, setup: $setup:literal, data: $data:literal, new: $new:literal, coder: $cnew:literal $(,)? }) => {
        $(#[$m])*
        pub struct $name<R> {
            inner: bufread::$name<std::io::BufReader<R>>,
        }

        impl<R: std::io::Read> $name<R> {
            /// Wraps a reader and an already built coder.
            #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet mut r = ", $ty, "::from_coder(inner, ", $cnew, ");\nlet mut out = Vec::new();\nr.read_to_end(&mut out)?;\nassert!(!out.is_empty());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn from_coder(inner: R, coder: $coder) -> Self {
                $name { inner: bufread::$name::from_coder(std::io::BufReader::with_capacity(1 << 16, inner), coder) }
            }
        }

        impl<R> $name<R> {
            /// The underlying reader.
            #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet r = ", $new, ";\nassert_eq!(r.get_ref().len(), data.len());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn get_ref(&self) -> &R {
                self.inner.get_ref().get_ref()
            }
            /// The underlying reader, mutably (reading from it corrupts the stream).
            #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet mut r = ", $new, ";\nlet src: &mut &[u8] = r.get_mut();\nassert_eq!(src.len(), data.len());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn get_mut(&mut self) -> &mut R {
                self.inner.get_mut().get_mut()
            }
            /// The underlying reader (buffered bytes not yet coded are lost).
            #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet mut r = ", $new, ";\nr.read_to_end(&mut Vec::new())?;\nassert!(r.into_inner().is_empty()); // all input was used\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn into_inner(self) -> R {
                self.inner.into_inner().into_inner()
            }
            /// The sans-IO coder.
            #[doc = concat!("\n```\n# use std::io::Read;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let inner: &[u8] = &data;\nlet mut r = ", $new, ";\nr.read_to_end(&mut Vec::new())?;\nassert!(r.coder().memusage() > 0);\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
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
    ($(#[$m:meta])* $name:ident, $coder:ty, $flush:expr, example { ty: $ty:literal, setup: $setup:literal, data: $data:literal, new: $new:literal, coder: $cnew:literal $(,)? }) => {
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
            #[doc = concat!("\n```\n# use std::io::Write;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let mut w = ", $ty, "::from_coder(Vec::new(), ", $cnew, ");\nw.write_all(&data)?;\nassert!(!w.finish()?.is_empty());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn from_coder(inner: W, coder: $coder) -> Self {
                $name { inner, coder, out: crate::zio::OutBuf::new(), ended: false }
            }
            /// The underlying writer.
            #[doc = concat!("\n```\n# use std::io::Write;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let mut w = ", $new, ";\nw.write_all(&data)?;\nw.try_finish()?;\nassert!(!w.get_ref().is_empty());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn get_ref(&self) -> &W {
                &self.inner
            }
            /// The underlying writer, mutably (writing to it corrupts the stream).
            #[doc = concat!("\n```\n# use std::io::Write;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let mut w = ", $new, ";\nw.write_all(&data)?;\nw.try_finish()?;\nlet out = std::mem::take(w.get_mut());\nassert!(!out.is_empty());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn get_mut(&mut self) -> &mut W {
                &mut self.inner
            }
            /// The sans-IO coder.
            #[doc = concat!("\n```\n# use std::io::Write;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let mut w = ", $new, ";\nw.write_all(&data)?;\nassert!(w.coder().memusage() > 0);\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn coder(&self) -> &$coder {
                &self.coder
            }
            /// Finishes the stream and writes everything out, keeping the writer.
            /// Errors (write errors, truncated input for decoders) are reported.
            #[doc = concat!("\n```\n# use std::io::Write;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let mut w = ", $new, ";\nw.write_all(&data)?;\nw.try_finish()?; // the writer is kept\nw.try_finish()?; // a second call has nothing left to do\nassert!(!w.get_ref().is_empty());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
            pub fn try_finish(&mut self) -> std::io::Result<()> {
                let w = &mut self.inner;
                if !self.ended {
                    crate::zio::drive(w, &mut self.coder, &mut self.out, crate::Action::Finish)?;
                    self.ended = true;
                }
                self.out.dump(w)?;
                crate::zio::OutBuf::flush(w)
            }
            /// Finishes the stream and returns the writer.
            #[doc = concat!("\n```\n# use std::io::Write;\n# use lzma_core::Coder;\n", $setup, "let data = ", $data, ";\n", "let mut w = ", $new, ";\nw.write_all(&data)?;\nlet out: Vec<u8> = w.finish()?;\nassert!(!out.is_empty());\n", "# Ok::<(), Box<dyn std::error::Error>>(())\n```")]
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
/// reader or writer. Each constructor takes its doc example as `name { /// ... }`.
macro_rules! ctors {
    (decoder $name:ident, new { $(#[$dn:meta])* }, $t:ident: $($bound:tt)+) => {
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder with default options (no memory limit, checks verified,
            /// concatenated streams).
            $(#[$dn])*
            pub fn new(inner: $t) -> Self {
                Self::with_options(inner, crate::DecoderOptions::default())
            }
        }
    };
    (xz_decoder $name:ident, new { $(#[$dn:meta])* }, with_options { $(#[$dw:meta])* }, $t:ident: $($bound:tt)+) => {
        crate::zio::ctors!(decoder $name, new { $(#[$dn])* }, $t: $($bound)+);
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder with the given options.
            $(#[$dw])*
            pub fn with_options(inner: $t, opts: crate::DecoderOptions) -> Self {
                Self::from_coder(inner, crate::xz::XzDecoder::new(opts))
            }
        }
    };
    (lzma_decoder $name:ident, new { $(#[$dn:meta])* }, with_options { $(#[$dw:meta])* }, $t:ident: $($bound:tt)+) => {
        crate::zio::ctors!(decoder $name, new { $(#[$dn])* }, $t: $($bound)+);
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder with the given options (only the memory limit applies).
            $(#[$dw])*
            pub fn with_options(inner: $t, opts: crate::DecoderOptions) -> Self {
                Self::from_coder(inner, crate::alone::AloneDecoder::new(&opts))
            }
        }
    };
    (lzip_decoder $name:ident, new { $(#[$dn:meta])* }, with_options { $(#[$dw:meta])* }, $t:ident: $($bound:tt)+) => {
        crate::zio::ctors!(decoder $name, new { $(#[$dn])* }, $t: $($bound)+);
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder with the given options.
            $(#[$dw])*
            pub fn with_options(inner: $t, opts: crate::DecoderOptions) -> Self {
                Self::from_coder(inner, crate::lzip::LzipDecoder::new(&opts))
            }
        }
    };
    (auto_decoder $name:ident, new { $(#[$dn:meta])* }, with_options { $(#[$dw:meta])* }, $t:ident: $($bound:tt)+) => {
        crate::zio::ctors!(decoder $name, new { $(#[$dn])* }, $t: $($bound)+);
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder with the given options.
            $(#[$dw])*
            pub fn with_options(inner: $t, opts: crate::DecoderOptions) -> Self {
                Self::from_coder(inner, crate::auto::AutoDecoder::new(opts))
            }
        }
    };
    (raw_decoder $name:ident, new { $(#[$dn:meta])* }, with_memlimit { $(#[$dw:meta])* }, $t:ident: $($bound:tt)+) => {
        impl<$t: $($bound)+> $name<$t> {
            /// A decoder for the filter chain, without a memory limit.
            $(#[$dn])*
            pub fn new(inner: $t, filters: &[crate::Filter]) -> crate::Result<Self> {
                Self::with_memlimit(inner, filters, u64::MAX)
            }
            /// A decoder for the filter chain with a memory limit.
            $(#[$dw])*
            pub fn with_memlimit(inner: $t, filters: &[crate::Filter], memlimit: u64) -> crate::Result<Self> {
                Ok(Self::from_coder(inner, crate::raw::RawDecoder::new(filters, memlimit)?))
            }
        }
    };
    (raw_encoder $name:ident, new { $(#[$dn:meta])* }, $t:ident: $($bound:tt)+) => {
        impl<$t: $($bound)+> $name<$t> {
            /// An encoder for the filter chain.
            $(#[$dn])*
            pub fn new(inner: $t, filters: &[crate::Filter]) -> crate::Result<Self> {
                Ok(Self::from_coder(inner, crate::raw::RawEncoder::new(filters)?))
            }
        }
    };
    (xz_encoder $name:ident, new { $(#[$dn:meta])* }, with_options { $(#[$dw:meta])* }, $t:ident: $($bound:tt)+) => {
        impl<$t: $($bound)+> $name<$t> {
            /// An encoder for preset `level` (0..=9) with CRC64, as `xz -T1 -<level>`.
            $(#[$dn])*
            pub fn new(inner: $t, level: u32) -> crate::Result<Self> {
                Self::with_options(inner, &crate::EncoderOptions::preset(level))
            }
            /// An encoder with the given options.
            $(#[$dw])*
            pub fn with_options(inner: $t, opts: &crate::EncoderOptions) -> crate::Result<Self> {
                Ok(Self::from_coder(inner, crate::xz::XzEncoder::new(opts)?))
            }
        }
    };
    (lzma_encoder $name:ident, new { $(#[$dn:meta])* }, with_options { $(#[$dw:meta])* }, $t:ident: $($bound:tt)+) => {
        impl<$t: $($bound)+> $name<$t> {
            /// An encoder for preset `level` (0..=9), as `xz --format=lzma -<level>`.
            $(#[$dn])*
            pub fn new(inner: $t, level: u32) -> crate::Result<Self> {
                Self::with_options(inner, &crate::LzmaOptions::preset(level, false)?)
            }
            /// An encoder with the given LZMA1 options.
            $(#[$dw])*
            pub fn with_options(inner: $t, opts: &crate::LzmaOptions) -> crate::Result<Self> {
                Ok(Self::from_coder(inner, crate::alone::AloneEncoder::new(opts)?))
            }
        }
    };
}

pub(crate) use {bufread_type, ctors, read_type, write_type};

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer taking one byte per call and failing every other call with `Interrupted`,
    /// flushes included.
    #[derive(Default)]
    struct Flaky {
        data: Vec<u8>,
        calls: usize,
    }

    impl Write for Flaky {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.calls += 1;
            if self.calls % 2 == 0 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            match buf.first() {
                Some(&b) => {
                    self.data.push(b);
                    Ok(1)
                }
                None => Ok(0),
            }
        }
        fn flush(&mut self) -> io::Result<()> {
            self.calls += 1;
            if self.calls % 2 == 0 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            Ok(())
        }
    }

    #[test]
    fn dump_and_flush_retry_interrupted() {
        let mut out = OutBuf::new();
        out.buf[..5].copy_from_slice(b"hello");
        out.end = 5;
        let mut w = Flaky::default();
        out.dump(&mut w).unwrap();
        assert_eq!(w.data, b"hello");
        assert_eq!((out.start, out.end), (0, 0));
        for _ in 0..4 {
            OutBuf::flush(&mut w).unwrap();
        }
    }

    #[test]
    fn finish_survives_interrupted_writes() {
        let data = b"finish must not lose the writer to an interrupted write".repeat(20);
        let mut e = crate::write::XzEncoder::new(Flaky::default(), 1).unwrap();
        e.write_all(&data).unwrap();
        let xz = e.finish().unwrap().data;
        let mut d = crate::write::XzDecoder::new(Flaky::default());
        d.write_all(&xz).unwrap();
        assert_eq!(d.finish().unwrap().data, data);
    }

    #[test]
    fn other_write_errors_are_reported() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut out = OutBuf::new();
        out.end = 1;
        assert_eq!(out.dump(&mut Broken).unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        struct Zero;
        impl Write for Zero {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Ok(0)
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        assert_eq!(out.dump(&mut Zero).unwrap_err().kind(), io::ErrorKind::WriteZero);
    }
}
