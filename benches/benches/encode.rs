//! Encoding at -0, -1, -3, -6, -9 and -9e through the library's one-shot API
//! (`lzma_core::compress_with`), on the first `XZ_BENCH_ENCODE_BYTES` bytes
//! (default 1 MiB) of each corpus file, so that -9e stays affordable.
//!
//! `cargo bench -p xz-benches --bench encode`; filter with e.g. `-- words.txt/6`.
#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use lzma_core::EncoderOptions;
use std::time::Duration;

fn encode(c: &mut Criterion) {
    let limit: usize = std::env::var("XZ_BENCH_ENCODE_BYTES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1 << 20);
    let files = xz_benches::standard_corpus().expect("build the bench corpus");
    let mut group = c.benchmark_group("encode");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for file in &files {
        let mut data = file.read().expect("read corpus file");
        data.truncate(limit);
        for (name, level, extreme) in [
            ("0", 0, false),
            ("1", 1, false),
            ("3", 3, false),
            ("6", 6, false),
            ("9", 9, false),
            ("9e", 9, true),
        ] {
            let opts = EncoderOptions::preset(level).extreme(extreme);
            group.throughput(Throughput::Bytes(data.len() as u64));
            group.bench_with_input(BenchmarkId::new(file.name, name), &data, |b, data| {
                b.iter(|| lzma_core::compress_with(data, &opts).expect("encode"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, encode);
criterion_main!(benches);
