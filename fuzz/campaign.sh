#!/usr/bin/env bash
# A longer fuzzing campaign: each target in turn (one at a time), SECONDS
# each, on a working copy of the generated seeds; prints executions and
# coverage per target. Crashes land in fuzz/artifacts/TARGET/.
#
# Usage: fuzz/campaign.sh SECONDS [TARGET...]   (default: every target)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
secs="${1:?usage: campaign.sh SECONDS [TARGET...]}"
shift
if [ "$#" -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi
[ -d corpus ] || cargo run --locked --release -q -p xz-fuzz-seeds -- corpus
cargo fuzz build -s none
mkdir -p artifacts/campaign
for t in "${targets[@]}"; do
    work="artifacts/campaign/corpus-$t"
    mkdir -p "$work"
    [ -d "corpus/$t" ] && cp -R "corpus/$t/." "$work/"
    log="artifacts/campaign/$t.log"
    echo "$(date -u +%H:%M:%S) $t: ${secs}s"
    status=0
    cargo fuzz run -s none "$t" "$work" -- -max_total_time="$secs" -dict=xz.dict \
        -rss_limit_mb=2560 -timeout=20 -print_final_stats=1 >"$log" 2>&1 || status=$?
    done_line="$(grep -E '^#[0-9]+.*DONE' "$log" | tail -n 1 || true)"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    echo "  exit $status; executions ${execs:-?}; ${done_line:-$(tail -n 3 "$log")}"
done
