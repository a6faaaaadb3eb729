//! Every corpus vector through our decoders: whole, in odd chunk sizes with a small output
//! buffer, and one byte at a time; each must give exactly the vector's expected answer.
#![forbid(unsafe_code)]

use lzma_core::alone::AloneDecoder;
use lzma_core::auto::AutoDecoder;
use lzma_core::lzip::LzipDecoder;
use lzma_core::xz::XzDecoder;
use lzma_core::DecoderOptions;
use xz_corpus::{ErrorClass, Expect, Format, Vector};
use xz_tests::{catch, class_of, drive_caught, Counted, RunError, RunResult};

/// Which decoder reads the vector, and whether it reports an unsupported check.
fn decode(v: &Vector, format: Format, in_chunk: usize, out_chunk: usize) -> (RunResult, bool) {
    let mut opts = DecoderOptions::new();
    if let Some(m) = v.memlimit {
        opts = opts.memlimit(m);
    }
    opts = opts.single_stream(v.single_stream);
    let max_out = match &v.expect {
        Expect::Output(o) | Expect::UnsupportedCheck(o) => o.len() + (1 << 20),
        Expect::Error(_) => 64 << 20,
    };
    // The unsupported-check flag is read from a decoder kept outside the unwind boundary.
    let mut warned = false;
    let r = match format {
        Format::Xz => {
            let mut d = XzDecoder::new(opts);
            let r = catch(|| xz_tests::drive(&mut d, &v.bytes, in_chunk, out_chunk, max_out));
            warned = d.unsupported_check();
            r
        }
        Format::Auto => {
            let mut d = AutoDecoder::new(opts);
            let r = catch(|| xz_tests::drive(&mut d, &v.bytes, in_chunk, out_chunk, max_out));
            warned = d.unsupported_check();
            r
        }
        Format::Lzma => {
            // A .lzma decoder stops after its end marker or size; what follows is for the
            // caller to judge, and `xz` calls it corrupt (as our auto decoder does).
            let mut d = Counted { inner: AloneDecoder::new(&opts), consumed: 0 };
            match catch(|| xz_tests::drive(&mut d, &v.bytes, in_chunk, out_chunk, max_out)) {
                Ok(out) if d.consumed < v.bytes.len() => Err((
                    RunError::Coder(lzma_core::Error::Corrupt("trailing data after the .lzma stream")),
                    out,
                )),
                r => r,
            }
        }
        Format::Lzip => {
            drive_caught(move || LzipDecoder::new(&opts), &v.bytes, in_chunk, out_chunk, max_out)
        }
    };
    (r, warned)
}

/// `None` if the answer is the expected one, else a description of the difference.
fn judge(v: &Vector, got: &RunResult, warned: bool) -> Option<String> {
    match (&v.expect, got) {
        (Expect::Output(o), Ok(out)) if o == out && !warned => None,
        (Expect::UnsupportedCheck(o), Ok(out)) if o == out && warned => None,
        (Expect::UnsupportedCheck(_), Err((RunError::Coder(e), _)))
            if class_of(e) == Some(ErrorClass::Unsupported) =>
        {
            None
        }
        (Expect::Error(c), Err((RunError::Coder(e), _))) if class_of(e) == Some(*c) => None,
        (_, Ok(out)) => Some(format!(
            "ok with {} bytes{} (first difference at {})",
            out.len(),
            if warned { ", unsupported-check flagged" } else { "" },
            match &v.expect {
                Expect::Output(o) | Expect::UnsupportedCheck(o) => xz_tests::first_difference(o, out),
                Expect::Error(_) => 0,
            }
        )),
        (_, Err((RunError::Coder(e), out))) => {
            Some(format!("error {e:?} ({}) after {} bytes", e, out.len()))
        }
        (_, Err((other, out))) => Some(format!("{other:?} after {} bytes", out.len())),
    }
}

fn expected(v: &Vector) -> String {
    match &v.expect {
        Expect::Output(o) => format!("ok with {} bytes", o.len()),
        Expect::UnsupportedCheck(o) => format!("{} bytes with unsupported-check warning", o.len()),
        Expect::Error(c) => format!("{c:?} error"),
    }
}

/// Runs every vector with each feeding and collects the failures.
fn check_all(feedings: &[(&str, usize, usize)], filter: impl Fn(&Vector) -> Option<Format>) {
    let vectors = xz_corpus::all();
    let mut failures: Vec<String> = Vec::new();
    let mut runs = 0;
    for v in &vectors {
        let Some(format) = filter(v) else { continue };
        // One line per vector and answer, listing the feedings that gave it.
        let mut answers: Vec<(String, Vec<&str>)> = Vec::new();
        for &(how, i, o) in feedings {
            // One byte at a time through a 1-byte output buffer is slow for the largest
            // vectors; those are covered by the other feedings.
            if i == 1 && v.bytes.len() > 300_000 {
                continue;
            }
            runs += 1;
            let (got, warned) = decode(v, format, i, o);
            if let Some(d) = judge(v, &got, warned) {
                match answers.iter_mut().find(|a| a.0 == d) {
                    Some(a) => a.1.push(how),
                    None => answers.push((d, vec![how])),
                }
            }
        }
        for (d, hows) in answers {
            failures.push(format!(
                "{} [{}, {:?} decoder, fed {}]: expected {}, got {d} -- {}",
                v.name,
                v.family,
                format,
                hows.join(" + "),
                expected(v),
                v.note
            ));
        }
    }
    eprintln!("{runs} decoder runs, {} failures", failures.len());
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

const FEEDINGS: &[(&str, usize, usize)] = &[
    ("whole", usize::MAX, 1 << 22),
    ("in 7 / out 13", 7, 13),
    ("in 4096 / out 1", 4096, 1),
    ("byte at a time / out 1", 1, 1),
];

#[test]
fn xz_vectors() {
    check_all(FEEDINGS, |v| (v.format == Format::Xz).then_some(Format::Xz));
}

#[test]
fn lzma_vectors() {
    check_all(FEEDINGS, |v| (v.format == Format::Lzma).then_some(Format::Lzma));
}

#[test]
fn lzip_vectors() {
    check_all(FEEDINGS, |v| (v.format == Format::Lzip).then_some(Format::Lzip));
}

#[test]
fn auto_vectors() {
    check_all(FEEDINGS, |v| (v.format == Format::Auto).then_some(Format::Auto));
}

/// The .xz and lzip vectors through the auto-detecting decoder give the same answers.
/// Excepted: files shorter than the magic bytes (detection cannot tell what they are) and
/// lzip files with trailing data (liblzma's auto decoder calls trailing data an error after
/// any format, while its lzip decoder ignores it; either is a defensible answer).
#[test]
fn xz_and_lzip_vectors_through_auto() {
    check_all(&FEEDINGS[..2], |v| {
        let lzip_ok = v.format == Format::Lzip && !v.name.contains("trailing");
        ((v.format == Format::Xz || lzip_ok) && v.bytes.len() >= 6).then_some(Format::Auto)
    });
}

#[test]
fn corpus_is_large_enough() {
    let v = xz_corpus::all();
    assert!(v.len() >= 100, "{} vectors", v.len());
    for fmt in [Format::Xz, Format::Lzma, Format::Lzip] {
        assert!(v.iter().any(|x| x.format == fmt));
    }
}
