//! Raw LZMA2/LZMA1 encoder over stdin to stdout, for measuring against
//! `xz --format=raw --lzma2=...`.
//!
//! Usage: `rawenc [--lzma1] [--lzma1-alone] [-N[e]] [key=value,...]`, where the keys are
//! those of xz's `--lzma2=`: `preset`, `dict`, `lc`, `lp`, `pb`, `mode`, `nice`, `mf`, `depth`.
//! `--lzma1-alone` writes a `.lzma` file (13-byte header, then the payload).
#![forbid(unsafe_code)]

use std::io::{Read, Write};

use lzma_core::lzma::encoder::LzmaEncoder;
use lzma_core::lzma2::encoder::Lzma2Encoder;
use lzma_core::{Action, Coder, LzmaOptions, MatchFinder, Mode, Status};

fn parse_size(v: &str) -> Result<u32, String> {
    let (num, mul) = if let Some(n) = v.strip_suffix("MiB") {
        (n, 1 << 20)
    } else if let Some(n) = v.strip_suffix("KiB") {
        (n, 1 << 10)
    } else {
        (v, 1)
    };
    num.parse::<u32>()
        .map(|n| n * mul)
        .map_err(|e| format!("bad size {v}: {e}"))
}

fn parse_opts(spec: &str, o: &mut LzmaOptions) -> Result<(), String> {
    for kv in spec.split(',').filter(|s| !s.is_empty()) {
        let (k, v) = kv.split_once('=').ok_or(format!("bad option {kv}"))?;
        let num = || v.parse::<u32>().map_err(|e| format!("{k}: {e}"));
        match k {
            "preset" => {
                let extreme = v.ends_with('e');
                let level = v
                    .trim_end_matches('e')
                    .parse::<u32>()
                    .map_err(|e| e.to_string())?;
                *o = LzmaOptions::preset(level, extreme).map_err(|e| e.to_string())?;
            }
            "dict" => o.dict_size = parse_size(v)?,
            "lc" => o.lc = num()?,
            "lp" => o.lp = num()?,
            "pb" => o.pb = num()?,
            "nice" => o.nice_len = num()?,
            "depth" => o.depth = num()?,
            "mode" => {
                o.mode = if v == "fast" {
                    Mode::Fast
                } else {
                    Mode::Normal
                }
            }
            "mf" => {
                o.mf = match v {
                    "hc3" => MatchFinder::Hc3,
                    "hc4" => MatchFinder::Hc4,
                    "bt2" => MatchFinder::Bt2,
                    "bt3" => MatchFinder::Bt3,
                    "bt4" => MatchFinder::Bt4,
                    _ => return Err(format!("bad mf {v}")),
                }
            }
            _ => return Err(format!("unknown option {k}")),
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut opts = LzmaOptions::preset(6, false)?;
    let mut lzma1 = false;
    let mut alone = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--lzma1" => lzma1 = true,
            "--lzma1-alone" => {
                lzma1 = true;
                alone = true;
            }
            a if a.starts_with('-') => {
                let extreme = a.ends_with('e');
                let level = a[1..].trim_end_matches('e').parse::<u32>()?;
                opts = LzmaOptions::preset(level, extreme)?;
            }
            a => parse_opts(a, &mut opts)?,
        }
    }
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input)?;
    let mut enc: Box<dyn Coder> = if lzma1 {
        Box::new(LzmaEncoder::new(&opts)?)
    } else {
        Box::new(Lzma2Encoder::new(&opts)?)
    };
    let mut stdout = std::io::stdout().lock();
    if alone {
        let mut header = vec![opts.props().to_byte()];
        header.extend_from_slice(&opts.dict_size.to_le_bytes());
        header.extend_from_slice(&[0xFF; 8]);
        stdout.write_all(&header)?;
    }
    let mut out = vec![0u8; 1 << 16];
    let mut pos = 0;
    // FLUSH_AT=n: a sync flush after the first n bytes (LZMA2 only).
    if let Some(at) = std::env::var("FLUSH_AT")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        let at = at.min(input.len());
        loop {
            let p = enc.code(&input[pos..at], &mut out, Action::SyncFlush)?;
            pos += p.consumed;
            stdout.write_all(&out[..p.produced])?;
            if p.status == Status::StreamEnd {
                break;
            }
        }
    }
    loop {
        let p = enc.code(&input[pos..], &mut out, Action::Finish)?;
        pos += p.consumed;
        stdout.write_all(&out[..p.produced])?;
        if p.status == Status::StreamEnd {
            break;
        }
    }
    stdout.flush()?;
    Ok(())
}
