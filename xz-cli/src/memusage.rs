//! Memory-usage figures as liblzma 5.8 reports them (`-vv`, memory limits, `--list -vv`).
//!
//! The formulas follow liblzma's allocation rules (buffer and hash-table sizes); the fixed
//! structure sizes are liblzma 5.8.1's on x86-64, measured with `xz --robot -lvv`.

use lzma_core::{Filter, LzmaOptions, MatchFinder};

/// liblzma's `LZMA_MEMUSAGE_BASE`.
const BASE: u64 = 1 << 15;
/// LZMA2 decoder structures on top of the dictionary (incl. `BASE`).
const LZMA2_DEC_FIXED: u64 = 66_200;
/// LZMA1 decoder structures on top of the dictionary (incl. `BASE`): LZMA2's without the
/// LZMA2 chunk state (184 bytes less in liblzma 5.8.1).
const LZMA1_DEC_FIXED: u64 = 66_016;
/// Delta decoder/encoder structure.
const DELTA_FIXED: u64 = 352;
/// BCJ decoder/encoder structure.
const BCJ_FIXED: u64 = 1024;
/// LZMA encoder structures (price tables, optimum array, LZ coder).
const LZMA_ENC_FIXED: u64 = 300_000;

/// `lzma_raw_decoder_memusage`.
pub fn decoder(chain: &[Filter]) -> Option<u64> {
    if chain.is_empty() {
        return None;
    }
    let mut total = 0u64;
    for f in chain {
        total += match f {
            Filter::Lzma1(o) => u64::from(o.dict_size.max(4096)) + LZMA1_DEC_FIXED,
            Filter::Lzma2(o) => u64::from(o.dict_size.max(4096)) + LZMA2_DEC_FIXED,
            Filter::Delta { .. } => DELTA_FIXED,
            Filter::Bcj { .. } => BCJ_FIXED,
        };
    }
    Some(total)
}

/// Decoder memory for a block whose LZMA2 dictionary comes from its header (`--list`).
pub fn decoder_for_header(chain: &[Filter]) -> u64 {
    decoder(chain).unwrap_or(0)
}

fn lz_encoder(o: &LzmaOptions) -> Option<u64> {
    if !(4096..=(1u32 << 30) + (1 << 29)).contains(&o.dict_size) {
        return None;
    }
    let dict = u64::from(o.dict_size);
    let before = 4096u64; // OPTS
    let after = 273 + 1; // LOOP_INPUT_MAX
    let mlm = 273u64;
    let keep_before = before + dict;
    let keep_after = after + mlm;
    let mut reserve = dict / 2;
    if reserve > (1 << 30) {
        reserve /= 2;
    }
    reserve += (before + mlm + after) / 2 + (1 << 19);
    let size = keep_before + reserve + keep_after;
    let hash_bytes = o.mf.hash_bytes();
    let mut hs: u32;
    if hash_bytes == 2 {
        hs = 0xFFFF;
    } else {
        hs = o.dict_size - 1;
        hs |= hs >> 1;
        hs |= hs >> 2;
        hs |= hs >> 4;
        hs |= hs >> 8;
        hs >>= 1;
        hs |= 0xFFFF;
        if hs > (1 << 24) {
            if hash_bytes == 3 {
                hs = (1 << 24) - 1;
            } else {
                hs >>= 1;
            }
        }
    }
    let mut hs = u64::from(hs) + 1;
    if hash_bytes > 2 {
        hs += 1 << 10;
    }
    if hash_bytes > 3 {
        hs += 1 << 16;
    }
    let mut sons = dict + 1;
    if matches!(o.mf, MatchFinder::Bt2 | MatchFinder::Bt3 | MatchFinder::Bt4) {
        sons *= 2;
    }
    Some((hs + sons) * 4 + size)
}

/// `lzma_raw_encoder_memusage`.
pub fn encoder(chain: &[Filter]) -> Option<u64> {
    if !crate::options::chain_is_valid(chain) {
        return None;
    }
    let mut total = BASE;
    for f in chain {
        total += match f {
            Filter::Lzma1(o) | Filter::Lzma2(o) => lz_encoder(o)? + LZMA_ENC_FIXED,
            Filter::Delta { .. } => DELTA_FIXED,
            Filter::Bcj { .. } => BCJ_FIXED,
        };
    }
    Some(total)
}

/// `lzma_stream_encoder_mt_memusage`.
pub fn mt_encoder(chain: &[Filter], threads: u32, block_size: u64) -> Option<u64> {
    let bs = if block_size > 0 {
        block_size
    } else {
        crate::coder::mt_block_size(chain)?
    };
    let t = u64::from(threads);
    let enc = encoder(chain)? - BASE;
    let bound = 92 + ((bs + (bs.div_ceil(1 << 16)) * 3 + 1 + 3) & !3);
    let outq = 2 * t * (bound + 64);
    Some(BASE + 1024 + t * 512 + t * bs + t * enc + outq)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::round_up_to_mib;

    #[test]
    fn matches_xz_figures() {
        let mib = |c: &[Filter]| round_up_to_mib(encoder(c).unwrap());
        let p = |l, e| vec![Filter::Lzma2(LzmaOptions::preset(l, e).unwrap())];
        let expect = [3, 9, 17, 32, 48, 94, 94, 186, 370, 674];
        for (l, &want) in expect.iter().enumerate() {
            assert_eq!(mib(&p(l as u32, false)), want, "preset {l}");
        }
        assert_eq!(mib(&p(0, true)), 4);
        assert_eq!(mib(&p(1, true)), 13);
        assert_eq!(mib(&p(2, true)), 25);
        let mt = [12, 36, 69, 135, 167, 331, 331, 659, 1315, 2499];
        for (l, &want) in mt.iter().enumerate() {
            assert_eq!(
                round_up_to_mib(mt_encoder(&p(l as u32, false), 2, 0).unwrap()),
                want,
                "mt {l}"
            );
        }
        let dec = [1, 2, 3, 5, 5, 9, 9, 17, 33, 65];
        for (l, &want) in dec.iter().enumerate() {
            assert_eq!(round_up_to_mib(decoder(&p(l as u32, false)).unwrap()), want);
        }
        // Raw LZMA1 and LZMA2 with a 256 KiB and a 4 KiB dictionary: the smallest
        // --memlimit-decompress that xz 5.8.1 accepts (found by bisection).
        let raw = |dict: u32, lzma1: bool| {
            let mut o = LzmaOptions::preset(6, false).unwrap();
            o.dict_size = dict;
            decoder(&[if lzma1 { Filter::Lzma1(o) } else { Filter::Lzma2(o) }]).unwrap()
        };
        assert_eq!(raw(256 << 10, true), 328_160);
        assert_eq!(raw(4 << 10, true), 70_112);
        assert_eq!(raw(256 << 10, false), 328_344);
    }
}
