//! Decoding the standard corpus compressed by XZ Utils at -0, -6 and -9,
//! through the library's one-shot API (`lzma_core::decompress`).
//!
//! `cargo bench -p xz-benches --bench decode`; filter with e.g. `-- python.tar/6`.
#![forbid(unsafe_code)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::time::Duration;

fn decode(c: &mut Criterion) {
    let files = xz_benches::standard_corpus().expect("build the bench corpus");
    let mut group = c.benchmark_group("decode");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for file in &files {
        let len = std::fs::metadata(&file.path).map(|m| m.len()).unwrap_or(0);
        for preset in ["0", "6", "9"] {
            let xz = match xz_benches::reference_compressed(file, preset) {
                Ok(xz) => xz,
                Err(e) => {
                    eprintln!("skipping {}/{preset}: {e}", file.name);
                    continue;
                }
            };
            group.throughput(Throughput::Bytes(len));
            group.bench_with_input(BenchmarkId::new(file.name, preset), &xz, |b, xz| {
                b.iter(|| lzma_core::decompress(xz).expect("decode"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
