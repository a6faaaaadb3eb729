//! Property tests: arbitrary data compressed by our encoders with arbitrary options decodes
//! back to itself, and an encoder's output does not depend on how its input is fed.
#![forbid(unsafe_code)]

use lzma_core::alone::{AloneDecoder, AloneEncoder};
use lzma_core::filter::BcjArch;
use lzma_core::oneshot::run;
use lzma_core::raw::{RawDecoder, RawEncoder};
use lzma_core::xz::XzEncoder;
use lzma_core::{Check, DecoderOptions, EncoderOptions, Filter, LzmaOptions};
use proptest::prelude::*;
use xz_tests::drive;

/// Data with structure (small alphabets, repeats) as well as noise.
fn data() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..4000),
        prop::collection::vec(0u8..4, 0..20_000),
        (prop::collection::vec(any::<u8>(), 1..64), 1usize..400).prop_map(|(p, n)| p.repeat(n)),
        (any::<u64>(), 0usize..30_000).prop_map(|(s, n)| xz_corpus::gen::mixed(s, n)),
    ]
}

fn check() -> impl Strategy<Value = Check> {
    prop::sample::select(vec![Check::None, Check::Crc32, Check::Crc64, Check::Sha256])
}

fn arch() -> impl Strategy<Value = BcjArch> {
    prop::sample::select(vec![
        BcjArch::X86,
        BcjArch::PowerPc,
        BcjArch::Ia64,
        BcjArch::Arm,
        BcjArch::ArmThumb,
        BcjArch::Sparc,
        BcjArch::Arm64,
        BcjArch::RiscV,
    ])
}

/// Filters before LZMA2: none, delta, a BCJ with an aligned start offset, or both.
fn pre_filters() -> impl Strategy<Value = Vec<Filter>> {
    let bcj = || (arch(), 0u32..1000).prop_map(|(a, k)| Filter::Bcj { arch: a, start_offset: k * 16 });
    let delta = || (1u32..=256).prop_map(|d| Filter::Delta { distance: d });
    prop_oneof![
        Just(vec![]),
        delta().prop_map(|d| vec![d]),
        bcj().prop_map(|b| vec![b]),
        (bcj(), delta()).prop_map(|(b, d)| vec![b, d]),
    ]
}

fn lzma_opts() -> impl Strategy<Value = LzmaOptions> {
    (0u32..=6, any::<bool>(), 0u32..=4, 0u32..=4, 0u32..=4, 12u32..=20).prop_map(
        |(level, extreme, lc, lp, pb, dict_bits)| {
            let mut o = LzmaOptions::preset(level, extreme).expect("preset");
            o.lc = lc;
            o.lp = lp.min(4 - lc);
            o.pb = pb;
            o.dict_size = 1 << dict_bits;
            o
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn xz_round_trip(
        data in data(),
        level in 0u32..=6,
        extreme in any::<bool>(),
        check in check(),
        block_size in prop::option::of(1000u64..50_000),
        pre in pre_filters(),
        threads in 1u32..=2,
    ) {
        let mut opts = EncoderOptions::preset(level).extreme(extreme).check(check).threads(threads);
        if let Some(b) = block_size {
            opts = opts.block_size(b);
        }
        if !pre.is_empty() {
            let mut chain = pre.clone();
            chain.push(Filter::Lzma2(LzmaOptions::preset(level, extreme).expect("preset")));
            opts = opts.filters(chain);
        }
        let xz = lzma_core::compress_with(&data, &opts).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let back = lzma_core::decompress(&xz).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert!(back == data, "round trip differs ({} -> {} bytes)", data.len(), back.len());
    }

    #[test]
    fn xz_encoder_feeding_does_not_change_output(
        data in data(),
        level in 0u32..=3,
        i in 1usize..5000,
        o in 1usize..5000,
    ) {
        let opts = EncoderOptions::preset(level).threads(1);
        let one = lzma_core::compress_with(&data, &opts).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let mut enc = XzEncoder::new(&opts).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let pieces = drive(&mut enc, &data, i, o, usize::MAX).map_err(|e| TestCaseError::fail(format!("{:?}", e.0)))?;
        prop_assert!(one == pieces, "fed in {} / out {}: outputs differ", i, o);
    }

    #[test]
    fn lzma_round_trip(data in data(), opts in lzma_opts()) {
        let mut enc = AloneEncoder::new(&opts).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let lz = run(&mut enc, &data).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let mut dec = AloneDecoder::new(&DecoderOptions::new());
        let back = drive(&mut dec, &lz, 777, 555, data.len() + 1).map_err(|e| TestCaseError::fail(format!("{:?}", e.0)))?;
        prop_assert!(back == data);
    }

    #[test]
    fn raw_round_trip(data in data(), opts in lzma_opts(), pre in pre_filters(), lzma2 in any::<bool>()) {
        let mut chain = pre;
        chain.push(if lzma2 { Filter::Lzma2(opts) } else { Filter::Lzma1(opts) });
        let mut enc = RawEncoder::new(&chain).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let raw = run(&mut enc, &data).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let mut dec = RawDecoder::new(&chain, u64::MAX).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let back = drive(&mut dec, &raw, 1000, 333, data.len() + 1).map_err(|e| TestCaseError::fail(format!("{:?}", e.0)))?;
        prop_assert!(back == data);
    }
}
