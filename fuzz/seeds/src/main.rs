//! Generates the fuzz seed corpus: `xz-fuzz-seeds DIR` writes one directory
//! per fuzz target under DIR. Nothing it writes is committed.
//!
//! Sources: every vector of the `xz-corpus` crate (built from the readable
//! descriptions in `corpus/vectors/`), and files our encoder makes from the
//! corpus input generators at several presets, checks and filter chains.
//! Targets that read a structured prefix (a format or raw filter chain, chunk
//! sizes, encoder options) get seeds whose prefix is parsed with the targets'
//! own parser first, and whose data is then made to match what it asks for.
#![forbid(unsafe_code)]

use arbitrary::{Arbitrary, Unstructured};
use lzma_core::raw::RawEncoder;
use lzma_core::{Check, Coder, EncoderOptions, Filter};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use xz_fuzz::spec::{Format, RawChain};
use xz_fuzz::spec::Source;

/// Seeds by target name.
type Seeds = BTreeMap<&'static str, Vec<Vec<u8>>>;

/// A deterministic byte source for prefixes.
struct Prng(u64);

impl Prng {
    fn byte(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }
}

/// Compressed samples by container format.
fn samples() -> BTreeMap<&'static str, Vec<Vec<u8>>> {
    let mut by: BTreeMap<&'static str, Vec<Vec<u8>>> = BTreeMap::new();
    for v in xz_corpus::all() {
        let key = match v.format {
            xz_corpus::Format::Xz => "xz",
            xz_corpus::Format::Lzma => "lzma",
            xz_corpus::Format::Lzip => "lzip",
            xz_corpus::Format::Auto => "auto",
        };
        by.entry(key).or_default().push(v.bytes);
    }
    // Our encoder over generated inputs (small, so the fuzzer starts fast).
    let inputs = xz_corpus::gen::inputs(70_000);
    for (i, input) in inputs.iter().enumerate() {
        let level = [0u32, 1, 6][i % 3];
        let check = [Check::Crc64, Check::Crc32, Check::None, Check::Sha256][i % 4];
        let mut opts = EncoderOptions::preset(level).check(check);
        if i % 5 == 0 {
            if let Ok(mut lz) = lzma_core::LzmaOptions::preset(level, false) {
                lz.dict_size = 1 << 16;
                opts = opts.filters(vec![Filter::Delta { distance: 1 + (i as u32 % 4) }, Filter::Lzma2(lz)]);
            }
        }
        if i % 7 == 0 {
            opts = opts.block_size(16 << 10);
        }
        if let Ok(xz) = lzma_core::compress_with(&input.data, &opts) {
            by.entry("xz").or_default().push(xz);
        }
        if i % 2 == 0 {
            if let Ok(lz) = lzma_core::LzmaOptions::preset(level, false) {
                if let Ok(mut enc) = lzma_core::alone::AloneEncoder::new(&lz) {
                    if let Ok(out) = lzma_core::oneshot::run(&mut enc, &input.data) {
                        by.entry("lzma").or_default().push(out);
                    }
                }
            }
        }
    }
    by
}

/// Encodes `data` with a raw chain of ours (for raw-decoder seeds).
fn raw_encode(chain: &RawChain, data: &[u8]) -> Option<Vec<u8>> {
    let mut filters = xz_fuzz::ours::raw_filters(chain).ok()?;
    // An encoder needs a usable dictionary; the decoder side reads the props bytes.
    for f in &mut filters {
        if let Filter::Lzma1(o) | Filter::Lzma2(o) = f {
            if o.dict_size < 4096 || o.dict_size > (64 << 20) {
                return None;
            }
        }
    }
    let mut enc: Box<dyn Coder> = Box::new(RawEncoder::new(&filters).ok()?);
    lzma_core::oneshot::run(&mut enc, data).ok()
}

fn sample_for(format: Format, samples: &BTreeMap<&'static str, Vec<Vec<u8>>>, k: usize) -> Option<Vec<u8>> {
    let key = match format {
        Format::Xz => "xz",
        Format::Lzma => "lzma",
        Format::Lzip => "lzip",
        Format::Auto => ["xz", "lzma", "lzip", "auto"][k % 4],
    };
    let list = samples.get(key)?;
    list.get(k % list.len().max(1)).cloned()
}

/// Seeds for a target whose input is `Source` prefix + (extra) + data.
fn prefixed_seeds(
    samples: &BTreeMap<&'static str, Vec<Vec<u8>>>,
    texts: &[Vec<u8>],
    extra: impl Fn(&mut Prng) -> Vec<u8>,
    count: usize,
    rng: &mut Prng,
) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut tries = 0;
    while out.len() < count && tries < count * 200 {
        tries += 1;
        let len = 1 + usize::from(rng.byte() % 12);
        let prefix = rng.bytes(len);
        let mut u = Unstructured::new(&prefix);
        let Ok(source) = Source::arbitrary(&mut u) else { continue };
        if !u.is_empty() {
            continue; // the prefix must be exactly what the parser reads
        }
        let data = match &source {
            Source::Container(f) => sample_for(*f, samples, tries),
            Source::Raw(chain) => raw_encode(chain, &texts[tries % texts.len()]),
        };
        let Some(data) = data else { continue };
        let mut seed = prefix;
        seed.extend(extra(rng));
        seed.extend(data);
        out.push(seed);
    }
    out
}

fn build() -> Seeds {
    let samples = samples();
    let mut rng = Prng(0x9e37_79b9_7f4a_7c15);
    let texts: Vec<Vec<u8>> = xz_corpus::gen::inputs(4096).into_iter().map(|i| i.data).collect();
    let mut seeds = Seeds::new();

    let all: Vec<Vec<u8>> = samples.values().flatten().cloned().collect();
    for (target, key) in [("decode_xz", "xz"), ("decode_lzma", "lzma"), ("decode_lzip", "lzip")] {
        seeds.insert(target, samples.get(key).cloned().unwrap_or_default());
    }
    seeds.insert("decode_auto", all);
    seeds.insert("decode_raw", {
        let mut v = Vec::new();
        let mut tries = 0;
        while v.len() < 200 && tries < 50_000 {
            tries += 1;
            let len = 1 + usize::from(rng.byte() % 16);
            let prefix = rng.bytes(len);
            let mut u = Unstructured::new(&prefix);
            let Ok(chain) = RawChain::arbitrary(&mut u) else { continue };
            if !u.is_empty() {
                continue;
            }
            if let Some(data) = raw_encode(&chain, &texts[tries % texts.len()]) {
                let mut seed = prefix;
                seed.extend(data);
                v.push(seed);
            }
        }
        v
    });
    seeds.insert(
        "decode_chunked",
        prefixed_seeds(
            &samples,
            &texts,
            |r| {
                let n = 1 + usize::from(r.byte() % 16);
                let mut e = vec![(n - 1) as u8];
                e.extend(r.bytes(n));
                e
            },
            300,
            &mut rng,
        ),
    );
    seeds.insert("diff_decode", prefixed_seeds(&samples, &texts, |_| Vec::new(), 300, &mut rng));
    // Encoder targets: option bytes, then data (the rest of the input).
    let mut enc = Vec::new();
    for (i, t) in texts.iter().enumerate().take(120) {
        let mut s = rng.bytes(24);
        s.extend_from_slice(&t[..t.len().min(4096)]);
        if i % 4 == 0 {
            // A repeated body (see spec::expand): long matches from a short input.
            s.truncate(24);
            s.extend([0xFF, 40]);
            s.extend_from_slice(&t[..t.len().min(300)]);
        }
        enc.push(s);
    }
    seeds.insert("diff_encode", enc.clone());
    seeds.insert("roundtrip", enc.into_iter().map(|s| [rng.bytes(4), s].concat()).collect());
    seeds
}

fn write(dir: &Path, seeds: &Seeds) -> std::io::Result<usize> {
    let mut n = 0;
    for (target, list) in seeds {
        let d = dir.join(target);
        std::fs::create_dir_all(&d)?;
        for (i, s) in list.iter().enumerate() {
            std::fs::write(d.join(format!("seed-{i:04}")), s)?;
            n += 1;
        }
    }
    Ok(n)
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: xz-fuzz-seeds DIR");
        return ExitCode::FAILURE;
    };
    let seeds = build();
    match write(&dir, &seeds) {
        Ok(n) => {
            let per: Vec<String> = seeds.iter().map(|(t, l)| format!("{t} {}", l.len())).collect();
            println!("xz-fuzz-seeds: wrote {n} seeds to {} ({})", dir.display(), per.join(", "));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xz-fuzz-seeds: cannot write to {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
