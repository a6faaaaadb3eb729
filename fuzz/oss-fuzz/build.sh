#!/bin/bash -eu
# OSS-Fuzz build script for xz-rs: builds every cargo-fuzz target with the
# sanitizer flags OSS-Fuzz provides, and ships each target's seed corpus
# (generated, never committed) and the xz dictionary.
#
# Runs inside the base-builder-rust image with $SRC, $OUT and $RUSTFLAGS set.
cd "$SRC/xz-rs/fuzz"

# 1. The seed corpus, built by a normal (non-instrumented) program from the
#    readable corpus descriptions and our encoder.
RUSTFLAGS="" CARGO_TARGET_DIR="$WORK/seeds-target" \
    cargo run --locked --release -p xz-fuzz-seeds -- "$WORK/corpus"

# 2. The targets (cargo fuzz adds coverage instrumentation; OSS-Fuzz's
#    RUSTFLAGS add the sanitizer).
cargo fuzz build -O --debug-assertions
target_dir="$SRC/xz-rs/fuzz/target/x86_64-unknown-linux-gnu/release"

for target in $(cargo fuzz list); do
    cp "$target_dir/$target" "$OUT/$target"
    cp xz.dict "$OUT/$target.dict"
    printf '[libfuzzer]\ndict = %s.dict\nrss_limit_mb = 2560\nmax_len = 1048576\n' "$target" >"$OUT/$target.options"
    if [ -d "$WORK/corpus/$target" ]; then
        (cd "$WORK/corpus/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    fi
done
