//! Decompresses files like `xz -dc`: detects .xz, lzip or .lzma from the first bytes,
//! decodes concatenated streams, prints XZ Utils' messages and uses its exit statuses
//! (1 = error, 2 = warning such as an unsupported check).
//!
//! `cargo run --example xzcat -- FILE...`
#![forbid(unsafe_code)]

use lzma_core::alone::AloneDecoder;
use lzma_core::auto::{detect_format, Format};
use lzma_core::lzip::LzipDecoder;
use lzma_core::xz::XzDecoder;
use lzma_core::{Action, Coder, DecoderOptions, Error, Status};
use std::io::Write;

fn decode(data: &[u8], out: &mut impl Write) -> Result<bool, Error> {
    let opts = DecoderOptions::default();
    let (mut coder, is_xz): (Box<dyn Coder>, bool) = match detect_format(data) {
        Some(Format::Xz) => (Box::new(XzDecoder::new(opts)), true),
        Some(Format::Lzip) => (Box::new(LzipDecoder::new(&opts)), false),
        Some(Format::Lzma) => (Box::new(AloneDecoder::new(&opts)), false),
        _ => return Err(Error::Format("unknown format")),
    };
    let lzma = detect_format(data) == Some(Format::Lzma);
    let mut buf = vec![0u8; 1 << 16];
    let mut pos = 0;
    loop {
        let p = coder.code(&data[pos..], &mut buf, Action::Finish)?;
        pos += p.consumed;
        out.write_all(&buf[..p.produced]).map_err(|_| Error::Misuse("write error"))?;
        if p.status == Status::StreamEnd {
            break;
        }
    }
    // .lzma has exactly one stream: anything after it is corrupt data (lzip allows it).
    if lzma && pos < data.len() {
        return Err(Error::Corrupt("trailing data"));
    }
    let _ = is_xz;
    Ok(false)
}

fn main() {
    let mut status = 0;
    for name in std::env::args().skip(1) {
        let data = match std::fs::read(&name) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("xzcat: {name}: {e}");
                status = 1;
                continue;
            }
        };
        let mut out = std::io::stdout().lock();
        // Unsupported checks are reported after decoding, as a warning.
        let warn = detect_format(&data) == Some(Format::Xz) && {
            let mut d = XzDecoder::new(DecoderOptions::default());
            let mut b = [0u8; 0];
            let n = data.len().min(12);
            d.code(&data[..n], &mut b, Action::Run).is_ok() && d.unsupported_check()
        };
        if warn {
            eprintln!("xzcat: {name}: Unsupported type of integrity check; not verifying file integrity");
            status = status.max(2);
        }
        if let Err(e) = decode(&data, &mut out) {
            eprintln!("xzcat: {name}: {e}");
            status = 1;
        }
    }
    std::process::exit(status);
}
