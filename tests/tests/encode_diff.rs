//! Differential encoding: for generated inputs and every preset, extreme preset, check,
//! filter chain, block size/list and format, our output must be byte-identical to the
//! reference's single-threaded output (`xz -T1`), and our multi-threaded block format must
//! equal `xz -T2`. Any difference fails naming the case.
#![forbid(unsafe_code)]

use lzma_core::alone::AloneEncoder;
use lzma_core::filter::BcjArch;
use lzma_core::oneshot::run;
use lzma_core::raw::RawEncoder;
use lzma_core::{Check, EncoderOptions, Filter, LzmaOptions, MatchFinder, Mode};
use xz_corpus::gen;
use xz_tests::{first_difference, sha256_hex, Reference};

/// What we run on our side.
#[derive(Clone, Debug)]
enum Ours {
    Xz(EncoderOptions),
    Lzma(LzmaOptions),
    Raw(Vec<Filter>),
}

#[derive(Clone, Debug)]
struct Case {
    args: String,
    ours: Ours,
    big: bool,
    since: (u32, u32),
}

fn c(args: &str, ours: Ours, big: bool) -> Case {
    Case { args: args.to_string(), ours, big, since: (5, 0) }
}

fn preset(level: u32, extreme: bool) -> LzmaOptions {
    LzmaOptions::preset(level, extreme).expect("preset exists")
}

fn chain(pre: Vec<Filter>, level: u32) -> EncoderOptions {
    let mut f = pre;
    f.push(Filter::Lzma2(preset(level, false)));
    EncoderOptions::preset(level).filters(f).threads(1)
}

fn bcj(arch: BcjArch, start_offset: u32) -> Filter {
    Filter::Bcj { arch, start_offset }
}

fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    for level in 0..=9 {
        v.push(c(&format!("-T1 -{level}"), Ours::Xz(EncoderOptions::preset(level).threads(1)), level % 3 == 0));
        v.push(c(
            &format!("-T1 -{level}e"),
            Ours::Xz(EncoderOptions::preset(level).extreme(true).threads(1)),
            false,
        ));
    }
    for (name, check) in
        [("none", Check::None), ("crc32", Check::Crc32), ("crc64", Check::Crc64), ("sha256", Check::Sha256)]
    {
        v.push(c(&format!("-T1 -2 -C {name}"), Ours::Xz(EncoderOptions::preset(2).check(check).threads(1)), false));
    }
    let arches = [
        ("x86", BcjArch::X86),
        ("powerpc", BcjArch::PowerPc),
        ("ia64", BcjArch::Ia64),
        ("arm", BcjArch::Arm),
        ("armthumb", BcjArch::ArmThumb),
        ("sparc", BcjArch::Sparc),
        ("arm64", BcjArch::Arm64),
        ("riscv", BcjArch::RiscV),
    ];
    for (name, arch) in arches {
        let mut k = c(&format!("-T1 --{name} --lzma2=preset=6"), Ours::Xz(chain(vec![bcj(arch, 0)], 6)), false);
        k.since = match arch {
            BcjArch::RiscV => (5, 6),
            BcjArch::Arm64 => (5, 4),
            _ => (5, 0),
        };
        v.push(k);
    }
    v.push(c("-T1 --x86=start=16 --lzma2=preset=1", Ours::Xz(chain(vec![bcj(BcjArch::X86, 16)], 1)), false));
    v.push(c("-T1 --arm=start=1024 --lzma2=preset=1", Ours::Xz(chain(vec![bcj(BcjArch::Arm, 1024)], 1)), false));
    v.push(c("-T1 --delta=dist=1 --lzma2=preset=1", Ours::Xz(chain(vec![Filter::Delta { distance: 1 }], 1)), false));
    v.push(c(
        "-T1 --delta=dist=256 --x86 --lzma2=preset=0",
        Ours::Xz(chain(vec![Filter::Delta { distance: 256 }, bcj(BcjArch::X86, 0)], 0)),
        false,
    ));
    let mut o = preset(6, false);
    o.dict_size = 4096;
    o.lc = 0;
    o.lp = 4;
    o.pb = 4;
    v.push(c("-T1 --lzma2=preset=6,dict=4KiB,lc=0,lp=4,pb=4", Ours::Xz(xz_chain(o)), false));
    let mut o = preset(6, false);
    o.dict_size = 64 << 10;
    o.lc = 4;
    o.lp = 0;
    o.pb = 0;
    o.mf = MatchFinder::Bt2;
    o.nice_len = 273;
    v.push(c("-T1 --lzma2=preset=6,dict=64KiB,lc=4,lp=0,pb=0,mf=bt2,nice=273", Ours::Xz(xz_chain(o)), false));
    let mut o = preset(6, false);
    o.mf = MatchFinder::Hc3;
    o.mode = Mode::Fast;
    o.nice_len = 8;
    v.push(c("-T1 --lzma2=preset=6,mf=hc3,mode=fast,nice=8", Ours::Xz(xz_chain(o)), false));
    let mut o = preset(6, false);
    o.mf = MatchFinder::Bt3;
    o.depth = 1000;
    v.push(c("-T1 --lzma2=preset=6,mf=bt3,depth=1000", Ours::Xz(xz_chain(o)), false));
    let mut o = preset(1, false);
    o.mf = MatchFinder::Hc4;
    o.mode = Mode::Normal;
    v.push(c("-T1 --lzma2=preset=1,mode=normal", Ours::Xz(xz_chain(o)), false));
    v.push(c("-T1 -6 --block-size=10000", Ours::Xz(EncoderOptions::preset(6).block_size(10_000).threads(1)), true));
    v.push(c(
        "-T1 -1 --block-list=1000,20000,5",
        Ours::Xz(EncoderOptions::preset(1).block_list(vec![1000, 20_000, 5]).threads(1)),
        false,
    ));
    // Per-block filter chains (xz 5.6+: --filtersN and --block-list=N:SIZE).
    let chain1 = vec![Filter::Delta { distance: 2 }, Filter::Lzma2(preset(1, false))];
    for threads in [1, 2] {
        let mut k = c(
            &format!("-T{threads} --filters1=delta:dist=2--lzma2:preset=1 --block-list=1:1000,20000,1:5"),
            Ours::Xz(
                EncoderOptions::preset(6)
                    .threads(threads)
                    .chain(1, chain1.clone())
                    .block_list(vec![1000, 20_000, 5])
                    .block_list_chains(vec![1, 0, 1]),
            ),
            false,
        );
        k.since = (5, 6);
        v.push(k);
    }
    let mut k = c(
        "-T1 -0 --filters2=x86--lzma2:preset=0 --block-list=2:3000,0",
        Ours::Xz(
            EncoderOptions::preset(0)
                .threads(1)
                .chain(2, vec![bcj(BcjArch::X86, 0), Filter::Lzma2(preset(0, false))])
                .block_list(vec![3000, u64::MAX])
                .block_list_chains(vec![2, 0]),
        ),
        false,
    );
    k.since = (5, 6);
    v.push(k);
    let mut o = preset(6, false);
    o.dict_size = 1536 << 10;
    v.push(c("-T1 --lzma2=preset=6,dict=1536KiB", Ours::Xz(xz_chain(o)), false));
    let mut o = preset(9, true);
    o.nice_len = 64;
    o.depth = 8;
    v.push(c("-T1 --lzma2=preset=9e,nice=64,depth=8", Ours::Xz(xz_chain(o)), false));
    let mut o = preset(3, false);
    o.lc = 0;
    o.lp = 0;
    o.pb = 0;
    o.mf = MatchFinder::Bt4;
    v.push(c("-T1 --lzma2=preset=3,lc=0,lp=0,pb=0,mf=bt4", Ours::Xz(xz_chain(o)), false));
    v.push(c("--format=lzma -6", Ours::Lzma(preset(6, false)), true));
    v.push(c("--format=lzma -0", Ours::Lzma(preset(0, false)), false));
    v.push(c("--format=lzma -9e", Ours::Lzma(preset(9, true)), false));
    v.push(c("--format=raw --lzma2=preset=1", Ours::Raw(vec![Filter::Lzma2(preset(1, false))]), false));
    v.push(c("--format=raw --lzma1=preset=1", Ours::Raw(vec![Filter::Lzma1(preset(1, false))]), false));
    v.push(c(
        "--format=raw --delta=dist=2 --lzma2=preset=3",
        Ours::Raw(vec![Filter::Delta { distance: 2 }, Filter::Lzma2(preset(3, false))]),
        false,
    ));
    v
}

fn xz_chain(o: LzmaOptions) -> EncoderOptions {
    EncoderOptions::preset(6).filters(vec![Filter::Lzma2(o)]).threads(1)
}

fn inputs(big: bool) -> Vec<(String, Vec<u8>)> {
    let mut v = vec![
        ("empty".to_string(), Vec::new()),
        ("one-byte".to_string(), b"a".to_vec()),
        ("text-70000".to_string(), gen::text(21, 70_000)),
        ("x86-40000".to_string(), gen::x86_like(22, 40_000)),
        ("runs-30000".to_string(), gen::runs(23, 30_000)),
    ];
    if big {
        v.push(("random-70000".to_string(), gen::random(24, 70_000)));
        v.push(("mixed-600000".to_string(), gen::mixed(25, 600_000)));
        v.push(("zeros-2MiB+1".to_string(), gen::zeros((1 << 21) + 1)));
        // Around LZMA2's limits: 64 KiB of incompressible data per stored chunk, 2 MiB of
        // uncompressed data per chunk.
        v.push(("random-65537".to_string(), gen::random(26, 65_537)));
        v.push(("text-2MiB+100".to_string(), gen::text(27, (1 << 21) + 100)));
    }
    v
}

fn encode(ours: &Ours, data: &[u8]) -> Result<Vec<u8>, String> {
    let r = std::panic::catch_unwind(|| match ours {
        Ours::Xz(o) => lzma_core::compress_with(data, o),
        Ours::Lzma(o) => AloneEncoder::new(o).and_then(|mut e| run(&mut e, data)),
        Ours::Raw(f) => RawEncoder::new(f).and_then(|mut e| run(&mut e, data)),
    });
    match r {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(format!("error {e:?}")),
        Err(_) => Err("panicked".to_string()),
    }
}

fn compare(xz: &Reference, cases: &[Case], inputs_of: impl Fn(bool) -> Vec<(String, Vec<u8>)>) {
    let mut failures = Vec::new();
    let mut n = 0;
    for k in cases {
        if !xz.at_least(k.since.0, k.since.1) {
            eprintln!("skipping `{}`: needs XZ Utils {:?}", k.args, k.since);
            continue;
        }
        let args: Vec<&str> = k.args.split_whitespace().collect();
        for (name, data) in inputs_of(k.big) {
            n += 1;
            let want = xz.compress(&args, &data);
            match encode(&k.ours, &data) {
                Ok(got) if got == want => {}
                Ok(got) => failures.push(format!(
                    "xz {} < {name}: sha256 {} (ours, {} bytes) != {} (reference, {} bytes); first difference at byte {}",
                    k.args,
                    &sha256_hex(&got)[..16],
                    got.len(),
                    &sha256_hex(&want)[..16],
                    want.len(),
                    first_difference(&got, &want)
                )),
                Err(e) => failures.push(format!("xz {} < {name}: ours failed: {e}", k.args)),
            }
        }
    }
    eprintln!("{n} encodings compared");
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn single_threaded_output_is_identical() {
    let Some(xz) = Reference::find() else { return };
    compare(&xz, &cases(), inputs);
}

/// Our multi-threaded block format (sizes in every block header, blocks of the default
/// or given size) equals `xz -T2`.
#[test]
fn multithreaded_format_is_identical() {
    let Some(xz) = Reference::find() else { return };
    let cases = vec![
        c("-T2 -6", Ours::Xz(EncoderOptions::preset(6).threads(2)), false),
        c("-T2 -1", Ours::Xz(EncoderOptions::preset(1).threads(2)), true),
        c("-T2 -3 --block-size=50000", Ours::Xz(EncoderOptions::preset(3).threads(2).block_size(50_000)), true),
        c(
            "-T2 -0 -C sha256 --block-size=7000",
            Ours::Xz(EncoderOptions::preset(0).threads(2).block_size(7000).check(Check::Sha256)),
            false,
        ),
    ];
    compare(&xz, &cases, inputs);
}
