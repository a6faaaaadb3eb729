//! The `std::io` adapters over misbehaving readers and writers: readers that return a few
//! bytes at a time and `Interrupted` now and then, writers that accept one byte per call,
//! refuse with `Interrupted` or `WouldBlock`-free short writes. Every corpus vector decodes
//! through `read::`, `bufread::` and `write::` decoders as through the sans-IO core, and the
//! encoders' output equals the one-shot output whatever the writer does.
#![forbid(unsafe_code)]

use lzma_core::{bufread, read, write, DecoderOptions, EncoderOptions, Error};
use std::io::{self, BufReader, Read, Write};
use xz_corpus::{ErrorClass, Expect, Format, Vector};
use xz_tests::class_of;

/// Returns at most `step` bytes per read, and `Interrupted` every fifth call.
struct Stingy<'a> {
    data: &'a [u8],
    step: usize,
    calls: usize,
}

impl Read for Stingy<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls % 5 == 0 {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Accepts at most one byte per write, and `Interrupted` every third call.
#[derive(Default)]
struct Trickle {
    data: Vec<u8>,
    calls: usize,
}

impl Write for Trickle {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls % 3 == 0 {
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
        Ok(())
    }
}

/// The library error inside an `io::Error`, if any.
fn io_class(e: &io::Error) -> Option<ErrorClass> {
    e.get_ref().and_then(|x| x.downcast_ref::<Error>()).and_then(class_of)
}

fn opts(v: &Vector) -> DecoderOptions {
    let mut o = DecoderOptions::new().single_stream(v.single_stream);
    if let Some(m) = v.memlimit {
        o = o.memlimit(m);
    }
    o
}

/// Reads everything through the given reader; `Interrupted` is retried by `read_to_end`.
fn read_all(mut r: impl Read) -> Result<Vec<u8>, io::Error> {
    let mut out = Vec::new();
    r.read_to_end(&mut out).map(|_| out)
}

fn judge(v: &Vector, got: &Result<Vec<u8>, io::Error>) -> Option<String> {
    match (&v.expect, got) {
        (Expect::Output(o) | Expect::UnsupportedCheck(o), Ok(out)) if o == out => None,
        (Expect::UnsupportedCheck(_), Err(e)) if io_class(e) == Some(ErrorClass::Unsupported) => None,
        (Expect::Error(c), Err(e)) if io_class(e) == Some(*c) => None,
        (_, Ok(out)) => Some(format!("ok with {} bytes", out.len())),
        (_, Err(e)) => Some(format!("io error {e} ({:?}, inner class {:?})", e.kind(), io_class(e))),
    }
}

/// Vectors whose answer does not depend on what follows the stream (trailing data after a
/// .lzma stream is the caller's business in the core API, see corpus_vectors.rs).
fn vectors() -> Vec<Vector> {
    xz_corpus::all().into_iter().filter(|v| v.format != Format::Lzma || !v.name.contains("trailing")).collect()
}

#[test]
fn read_adapters_decode_every_vector() {
    let mut failures = Vec::new();
    for v in vectors() {
        let src = || Stingy { data: &v.bytes, step: 7, calls: 0 };
        let got = match v.format {
            Format::Xz => read_all(read::XzDecoder::with_options(src(), opts(&v))),
            Format::Lzma => read_all(read::LzmaDecoder::with_options(src(), opts(&v))),
            Format::Lzip => read_all(read::LzipDecoder::with_options(src(), opts(&v))),
            Format::Auto => read_all(read::AutoDecoder::with_options(src(), opts(&v))),
        };
        if let Some(d) = judge(&v, &got) {
            failures.push(format!("read::{:?} {}: expected {:?}, got {d}", v.format, v.name, short(&v.expect)));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn bufread_adapters_decode_every_vector() {
    let mut failures = Vec::new();
    for v in vectors() {
        // A 3-byte buffer over a stingy reader: every header straddles fills.
        let src = || BufReader::with_capacity(3, Stingy { data: &v.bytes, step: 5, calls: 0 });
        let got = match v.format {
            Format::Xz => read_all(bufread::XzDecoder::with_options(src(), opts(&v))),
            Format::Lzma => read_all(bufread::LzmaDecoder::with_options(src(), opts(&v))),
            Format::Lzip => read_all(bufread::LzipDecoder::with_options(src(), opts(&v))),
            Format::Auto => read_all(bufread::AutoDecoder::with_options(src(), opts(&v))),
        };
        if let Some(d) = judge(&v, &got) {
            failures.push(format!("bufread::{:?} {}: expected {:?}, got {d}", v.format, v.name, short(&v.expect)));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// Retries `f` while it fails with `Interrupted` (as `write_all` does for writes).
fn retry(mut f: impl FnMut() -> io::Result<()>) -> io::Result<()> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// Writes `data` in pieces of `step` bytes and flushes, retrying `Interrupted`.
fn write_in<W: Write>(w: &mut W, data: &[u8], step: usize) -> io::Result<()> {
    for piece in data.chunks(step.max(1)) {
        w.write_all(piece)?;
    }
    retry(|| w.flush())
}

#[test]
fn write_adapters_decode_every_vector() {
    let mut failures = Vec::new();
    for v in vectors() {
        // Large outputs through a one-byte writer are slow; the read tests cover them.
        let out_len = match &v.expect {
            Expect::Output(o) | Expect::UnsupportedCheck(o) => o.len(),
            Expect::Error(_) => 0,
        };
        // Data after the end of a stream that the format ignores (lzip) is refused by a
        // write decoder once its stream has ended; the read tests cover those vectors.
        if out_len > 300_000 || v.name.contains("trailing") {
            continue;
        }
        macro_rules! run {
            ($t:ty) => {{
                let mut w = <$t>::with_options(Trickle::default(), opts(&v));
                match write_in(&mut w, &v.bytes, 11).and_then(|_| retry(|| w.try_finish())) {
                    Ok(()) => Ok(w.get_ref().data.clone()),
                    Err(e) => Err(e),
                }
            }};
        }
        let got = match v.format {
            Format::Xz => run!(write::XzDecoder<Trickle>),
            Format::Lzma => run!(write::LzmaDecoder<Trickle>),
            Format::Lzip => run!(write::LzipDecoder<Trickle>),
            Format::Auto => run!(write::AutoDecoder<Trickle>),
        };
        if let Some(d) = judge(&v, &got) {
            failures.push(format!("write::{:?} {}: expected {:?}, got {d}", v.format, v.name, short(&v.expect)));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn encoders_through_adapters_match_one_shot() {
    let data = xz_corpus::gen::mixed(99, 200_000);
    for level in [0, 1, 6] {
        let o = EncoderOptions::preset(level).threads(1);
        let want = lzma_core::compress_with(&data, &o).expect("one-shot encoding");

        let mut w = write::XzEncoder::with_options(Trickle::default(), &o).expect("encoder");
        write_in(&mut w, &data, 4099).expect("write");
        retry(|| w.try_finish()).expect("finish");
        let got = w.get_ref().data.clone();
        assert!(got == want, "write::XzEncoder -{level}: output differs from one-shot");

        let r = read::XzEncoder::with_options(Stingy { data: &data, step: 1000, calls: 0 }, &o).expect("encoder");
        let got = read_all(r).expect("read");
        assert!(got == want, "read::XzEncoder -{level}: output differs from one-shot");

        let r = bufread::XzEncoder::with_options(BufReader::with_capacity(10, &data[..]), &o).expect("encoder");
        let got = read_all(r).expect("read");
        assert!(got == want, "bufread::XzEncoder -{level}: output differs from one-shot");
    }
}

#[test]
fn write_decoder_reports_truncation_at_finish() {
    let xz = lzma_core::compress(b"some data to cut short", 6).expect("compress");
    let mut w = write::XzDecoder::new(Vec::new());
    w.write_all(&xz[..xz.len() - 5]).expect("partial input is fine until finish");
    let e = w.try_finish().expect_err("finish must report the truncation");
    assert_eq!(io_class(&e), Some(ErrorClass::Truncated), "{e}");
}

fn short(e: &Expect) -> String {
    match e {
        Expect::Output(o) => format!("ok, {} bytes", o.len()),
        Expect::UnsupportedCheck(o) => format!("unsupported check, {} bytes", o.len()),
        Expect::Error(c) => format!("{c:?}"),
    }
}

/// `finish()` consumes the writer, so it cannot hand an `Interrupted` back to be retried:
/// it must retry interrupted writes itself (as `write_all` does).
#[test]
fn finish_retries_interrupted_writes() {
    let data = xz_corpus::gen::text(5, 50_000);
    let want = lzma_core::compress(&data, 1).expect("compress");
    let mut w = write::XzEncoder::new(Trickle::default(), 1).expect("encoder");
    w.write_all(&data).expect("write");
    let got = w.finish().expect("finish() must retry Interrupted").data;
    assert!(got == want);

    let mut d = write::XzDecoder::new(Trickle::default());
    d.write_all(&want).expect("write");
    let got = d.finish().expect("finish() must retry Interrupted").data;
    assert!(got == data);
}
