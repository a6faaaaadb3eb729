//! XZ Utils' own test files (`$XZ_TEST_FILES`, default `/work/xz-src/tests/files`; skipped
//! when absent): every file decodes to the reference's output, or fails with the
//! reference's message after writing the same partial output.
#![forbid(unsafe_code)]

mod common;

use lzma_core::alone::AloneDecoder;
use lzma_core::auto::{detect_format, Format};
use lzma_core::lzip::LzipDecoder;
use lzma_core::xz::XzDecoder;
use lzma_core::{Action, Coder, DecoderOptions, Error, Status};
use std::path::PathBuf;
use common::*;

/// Decodes like `xz -dc`: (output, error).
fn decode_like_xz(data: &[u8]) -> (Vec<u8>, Option<Error>) {
    let opts = DecoderOptions::default();
    let format = detect_format(data);
    let mut coder: Box<dyn Coder> = match format {
        Some(Format::Xz) => Box::new(XzDecoder::new(opts)),
        Some(Format::Lzip) => Box::new(LzipDecoder::new(&opts)),
        Some(Format::Lzma) => Box::new(AloneDecoder::new(&opts)),
        _ => return (Vec::new(), Some(Error::Format("unknown"))),
    };
    let mut out = Vec::new();
    let mut buf = vec![0u8; 4096];
    let mut pos = 0;
    loop {
        match coder.code(&data[pos..], &mut buf, Action::Finish) {
            Ok(p) => {
                pos += p.consumed;
                out.extend_from_slice(&buf[..p.produced]);
                if p.status == Status::StreamEnd {
                    break;
                }
            }
            Err(e) => return (out, Some(e)),
        }
    }
    if format == Some(Format::Lzma) && pos < data.len() {
        return (out, Some(Error::Corrupt("trailing data")));
    }
    (out, None)
}

#[test]
fn upstream_test_files() {
    let Some(xz) = need_reference() else { return };
    let dir = std::env::var_os("XZ_TEST_FILES")
        .map(PathBuf::from)
        .unwrap_or_else(|| "/work/xz-src/tests/files".into());
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipping: {} not found", dir.display());
        return;
    };
    let mut checked = 0;
    for e in entries.flatten() {
        let path = e.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        if !(name.ends_with(".xz") || name.ends_with(".lzma") || name.ends_with(".lz")) {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let (code, ref_out, ref_err) = run(&xz, &["-dc"], &data);
        let (out, err) = decode_like_xz(&data);
        match (&err, code) {
            (None, 0) => {}
            (None, 2) => {
                assert!(ref_err.contains("Unsupported type of integrity check"), "{name}: {ref_err}");
                let mut d = XzDecoder::new(DecoderOptions::default());
                lzma_core::oneshot::run(&mut d, &data).unwrap();
                assert!(d.unsupported_check(), "{name}");
            }
            (Some(e), 1) => assert_eq!(ref_message(&ref_err), Some(e.to_string().as_str()), "{name}: {e:?}"),
            _ => panic!("{name}: ours {err:?}, reference exit {code}: {ref_err}"),
        }
        assert!(out == ref_out, "{name}: {} bytes vs the reference's {}", out.len(), ref_out.len());
        checked += 1;
    }
    eprintln!("{checked} upstream files checked");
}
