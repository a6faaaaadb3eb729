//! LZMA1 with `lc + lp > 4` (which the LZMA SDK decodes and liblzma refuses) gets XZ
//! Utils 5.8's verdicts in every front end: a .lzma header with such a properties byte is
//! not .lzma at all ("File format not recognized", as soon as that byte has arrived, also
//! under auto-detection); a raw LZMA1 filter with such options is refused before any memory
//! check with xz's "The sum of lc and lp must not exceed 4"; LZMA1 filter properties with
//! such a byte are "Unsupported options". Compared with `/tmp/xz58/xz` (or
//! `$XZ58_REFERENCE`) when it is there.
#![forbid(unsafe_code)]

mod common;

use lzma_core::alone::{AloneDecoder, AloneEncoder};
use lzma_core::auto::AutoDecoder;
use lzma_core::filter::chain::{self, check_decoder_options};
use lzma_core::filter::{props, Filter};
use lzma_core::oneshot::run as decode;
use lzma_core::raw::{RawDecoder, RawEncoder};
use lzma_core::{Action, Coder, DecoderOptions, Error, LzmaOptions};
use common::{need_reference58, ref_message, run};

const SUM_MESSAGE: &str = "The sum of lc and lp must not exceed 4";

/// The properties byte `(pb * 5 + lp) * 9 + lc`.
fn props_byte(lc: u8, lp: u8, pb: u8) -> u8 {
    (pb * 5 + lp) * 9 + lc
}

/// A valid .lzma file of "hello\n" (preset 0: lc 3, lp 0, pb 2, 256 KiB dictionary)
/// whose properties byte is replaced by `byte`.
fn lzma_file_with_props(byte: u8) -> Vec<u8> {
    let mut f = decode(&mut AloneEncoder::with_preset(0, false).unwrap(), b"hello\n").unwrap();
    f[0] = byte;
    f
}

/// Every (lc, lp) with lc + lp > 4 and lc, lp <= 8 and 4, at pb 0 and 2.
fn wide_props() -> Vec<(u8, u8, u8)> {
    let mut v = Vec::new();
    for lc in 0..=8 {
        for lp in 0..=4 {
            if lc + lp > 4 {
                v.extend([(lc, lp, 0), (lc, lp, 2)]);
            }
        }
    }
    v
}

#[test]
fn lzma_files_with_wide_literal_context_are_not_lzma() {
    for (lc, lp, pb) in wide_props() {
        let f = lzma_file_with_props(props_byte(lc, lp, pb));
        for picky in [false, true] {
            let opts = DecoderOptions::default();
            let mut d = if picky { AloneDecoder::new_picky(&opts) } else { AloneDecoder::new(&opts) };
            let err = decode(&mut d, &f).unwrap_err();
            assert!(matches!(err, Error::Format(_)), "lc {lc} lp {lp}: {err:?}");
            assert_eq!(err.to_string(), "File format not recognized");
        }
        let err = decode(&mut AutoDecoder::new(DecoderOptions::default()), &f).unwrap_err();
        assert!(matches!(err, Error::Format(_)), "auto, lc {lc} lp {lp}: {err:?}");
    }
}

/// liblzma checks the properties byte as soon as it has it: one byte of input is enough
/// for the verdict, and it is not "truncated".
#[test]
fn the_properties_byte_alone_decides() {
    let byte = props_byte(4, 1, 2);
    let mut out = [0u8; 16];
    for action in [Action::Run, Action::Finish] {
        let mut d = AloneDecoder::new(&DecoderOptions::default());
        assert!(matches!(d.code(&[byte], &mut out, action), Err(Error::Format(_))), "{action:?}");
        let mut d = AutoDecoder::new(DecoderOptions::default());
        assert!(matches!(d.code(&[byte], &mut out, action), Err(Error::Format(_))), "auto {action:?}");
    }
    // A valid properties byte alone is only the start of a header.
    let mut d = AloneDecoder::new(&DecoderOptions::default());
    assert_eq!(d.code(&[0x5D], &mut out, Action::Run).unwrap().consumed, 1);
    assert_eq!(d.code(&[], &mut out, Action::Finish), Err(Error::Truncated));
    // The auto decoder's dictionary-size rule applies once those four bytes are there.
    let mut d = AutoDecoder::new(DecoderOptions::default());
    let odd_dict = [0x5D, 0xB8, 0x0B, 0x00, 0x00]; // 3000 bytes: not 2^n or 2^n + 2^(n-1)
    assert!(matches!(d.code(&odd_dict, &mut out, Action::Finish), Err(Error::Format(_))));
}

#[test]
fn raw_lzma1_with_wide_literal_context_is_refused_with_xz_message() {
    let wide = LzmaOptions { lc: 4, lp: 1, ..LzmaOptions::preset(0, false).unwrap() };
    let chains = [
        vec![Filter::Lzma1(wide.clone())],
        vec![Filter::Delta { distance: 2 }, Filter::Lzma1(wide.clone())],
    ];
    for chain in &chains {
        // Whatever the memory limit: the options are the problem, not the memory.
        for limit in [1, 1 << 20, u64::MAX] {
            let err = RawDecoder::new(chain, limit).unwrap_err();
            assert_eq!(err, Error::Options(SUM_MESSAGE.into()), "limit {limit}");
            let err = chain::raw_decoder(chain, limit).unwrap_err();
            assert_eq!(err, Error::Options(SUM_MESSAGE.into()), "chain, limit {limit}");
        }
        assert_eq!(RawDecoder::memusage_of(chain), u64::MAX);
        assert_eq!(RawEncoder::new(chain).unwrap_err(), Error::Options(SUM_MESSAGE.into()));
    }
    // Out-of-range values are refused without overflow.
    for (lc, lp) in [(u32::MAX, 0), (0, u32::MAX), (u32::MAX, u32::MAX)] {
        let o = LzmaOptions { lc, lp, ..LzmaOptions::default() };
        assert_eq!(check_decoder_options(&[Filter::Lzma1(o.clone())]), Err(Error::Options(SUM_MESSAGE.into())));
        assert_eq!(chain::decoder_memusage(&[Filter::Lzma1(o)]), u64::MAX);
    }
    let o = LzmaOptions { pb: 5, ..LzmaOptions::default() };
    assert!(matches!(RawDecoder::new(&[Filter::Lzma1(o)], u64::MAX), Err(Error::Options(_))));
    // At the limit itself, lc + lp = 4, raw LZMA1 is fine.
    let o = LzmaOptions { lc: 4, lp: 0, ..LzmaOptions::preset(0, false).unwrap() };
    let packed = decode(&mut RawEncoder::new(&[Filter::Lzma1(o.clone())]).unwrap(), b"edge").unwrap();
    assert_eq!(decode(&mut RawDecoder::new(&[Filter::Lzma1(o)], u64::MAX).unwrap(), &packed).unwrap(), b"edge");
}

#[test]
fn lzma1_filter_properties_with_wide_literal_context_are_unsupported() {
    for (lc, lp, pb) in wide_props() {
        let mut p = vec![props_byte(lc, lp, pb)];
        p.extend_from_slice(&(1u32 << 16).to_le_bytes());
        let err = props::lzma1_decode(&p).unwrap_err();
        assert!(matches!(err, Error::Unsupported(_)), "{err:?}");
        assert_eq!(err.to_string(), "Unsupported options");
    }
}

/// The same verdicts from XZ Utils 5.8.
#[test]
fn xz58_agrees() {
    let Some(xz58) = need_reference58() else { return };
    let f = lzma_file_with_props(props_byte(4, 1, 2));
    for args in [&["-dc", "--format=lzma"][..], &["-dc"], &["-dc", "--format=auto"]] {
        for input in [&f[..], &f[..1]] {
            let (code, _, err) = run(&xz58, args, input);
            assert_eq!((code, ref_message(&err)), (1, Some("File format not recognized")), "{args:?}");
        }
    }
    // Raw LZMA1, decoding and encoding: the options are refused with the same message.
    for mode in ["-dc", "-zc"] {
        let (code, _, err) = run(&xz58, &["--format=raw", "--lzma1=preset=0,lc=4,lp=1", mode], b"abc");
        assert_eq!(code, 1);
        assert!(err.contains(SUM_MESSAGE), "{mode}: {err}");
    }
}
