//! Measurement harness: decodes a raw LZMA2 stream (`xz --format=raw --lzma2=...`), a raw
//! LZMA1 stream with end marker (`--format=raw --lzma1=...`) or a `.lzma` file to stdout,
//! with the buffer sizes the `xz` command uses (64 KiB in, 1 MiB out by default).
//!
//! ```text
//! rawdec [--lzma2 | --lzma1 | --alone] [--dict=BYTES] [--lc=N --lp=N --pb=N]
//!        [--in=BYTES] [--out=BYTES] [--repeat=N] FILE
//! ```
//! Time it against `xz --format=raw --lzma2=preset=6 -dc FILE > /dev/null`.
#![forbid(unsafe_code)]

use std::io::{Read, Write};

use lzma_core::lzma::decoder::LzmaDecoder;
use lzma_core::lzma::LzmaProps;
use lzma_core::lzma2::decoder::Lzma2Decoder;
use lzma_core::{Action, Coder, Status};

fn main() {
    if let Err(e) = run() {
        eprintln!("rawdec: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut format = "lzma2".to_string();
    let mut dict: u32 = 64 << 20;
    let (mut lc, mut lp, mut pb) = (3, 0, 2);
    let (mut in_size, mut out_size, mut repeat) = (64usize << 10, 1usize << 20, 1usize);
    let mut path = None;
    for a in std::env::args().skip(1) {
        let num = |s: &str| s.parse::<u64>();
        if let Some(f) = a
            .strip_prefix("--")
            .filter(|f| ["lzma2", "lzma1", "alone"].contains(f))
        {
            format = f.to_string();
        } else if let Some(v) = a.strip_prefix("--dict=") {
            dict = u32::try_from(num(v)?)?;
        } else if let Some(v) = a.strip_prefix("--lc=") {
            lc = num(v)? as u32;
        } else if let Some(v) = a.strip_prefix("--lp=") {
            lp = num(v)? as u32;
        } else if let Some(v) = a.strip_prefix("--pb=") {
            pb = num(v)? as u32;
        } else if let Some(v) = a.strip_prefix("--in=") {
            in_size = num(v)? as usize;
        } else if let Some(v) = a.strip_prefix("--out=") {
            out_size = num(v)? as usize;
        } else if let Some(v) = a.strip_prefix("--repeat=") {
            repeat = num(v)? as usize;
        } else {
            path = Some(a);
        }
    }
    let path = path.ok_or("no input file")?;
    // Unbuffered output where possible (std's stdout is line-buffered and scans for '\n').
    let mut stdout: Box<dyn Write> =
        match std::fs::OpenOptions::new().write(true).open("/dev/stdout") {
            Ok(f) => Box::new(f),
            Err(_) => Box::new(std::io::stdout().lock()),
        };
    let mut inbuf = vec![0u8; in_size.max(1)];
    let mut outbuf = vec![0u8; out_size.max(1)];
    for _ in 0..repeat {
        let mut file = std::fs::File::open(&path)?;
        let mut dec: Box<dyn Coder> = match format.as_str() {
            "lzma2" => Box::new(Lzma2Decoder::new(dict)?),
            "lzma1" => Box::new(LzmaDecoder::new(
                LzmaProps { lc, lp, pb },
                dict,
                None,
                true,
            )?),
            _ => {
                let mut h = [0u8; 13];
                file.read_exact(&mut h)?;
                let props = LzmaProps::from_byte(h[0])?;
                let dict = u32::from_le_bytes([h[1], h[2], h[3], h[4]]);
                let size = u64::from_le_bytes(h[5..13].try_into()?);
                let size = (size != u64::MAX).then_some(size);
                Box::new(LzmaDecoder::new(props, dict, size, true)?)
            }
        };
        let (mut start, mut end, mut eof) = (0, 0, false);
        loop {
            if start == end && !eof {
                start = 0;
                end = file.read(&mut inbuf)?;
                eof = end == 0;
            }
            let action = if eof { Action::Finish } else { Action::Run };
            let p = dec.code(&inbuf[start..end], &mut outbuf, action)?;
            start += p.consumed;
            stdout.write_all(&outbuf[..p.produced])?;
            if p.status == Status::StreamEnd {
                break;
            }
        }
    }
    stdout.flush()?;
    Ok(())
}
