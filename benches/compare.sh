#!/usr/bin/env bash
# Whole-process comparison of our `xz` against XZ Utils 5.8, in the same run.
#
# For every corpus file and preset it times `xz -T1 -zc -PRESET` (compression)
# and `xz -T1 -dc` of the reference's .xz (decompression), ours and the
# reference alternating, REPS times each, and prints the medians of user CPU,
# wall time and peak RSS (from /usr/bin/time) with ratios ours/reference
# (below 1.00 means we are faster or smaller). It also checks the output:
# compression must be byte-identical to the reference, decompression must give
# back the original file. `-T2` rows compress with `--block-size` and
# decompress the resulting multi-block file with two threads.
#
# Usage: benches/compare.sh [FILE_OR_CORPUS_NAME...]
# Environment:
#   PRESETS="0 1 3 6 9 9e"  presets to run (compression and decompression)
#   OPS="c d"               c = compress, d = decompress
#   REPS=3                  repetitions per command (the median is shown)
#   D_INNER=8, C_INNER=1    runs of the command inside one timed sample (decompression
#                           is fast: several runs per sample beat /usr/bin/time's 10 ms
#                           resolution); the figures shown are per run
#   T2_PRESETS="6"          presets for the -T2 rows ("" to skip them)
#   T2_BLOCK=1MiB           --block-size for the -T2 rows
#   OURS=path               our xz (default: the release binary, from cargo xtask build)
#   REF=path                reference xz (default: XZ Utils 5.8 from /work/shared/tools/xz58.sh)
# Example, decoder tuning on two files:
#   OPS=d PRESETS="6" REPS=5 benches/compare.sh python.tar rustc_driver.so
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PRESETS="${PRESETS-0 1 3 6 9 9e}"
OPS="${OPS-c d}"
REPS="${REPS:-3}"
D_INNER="${D_INNER:-8}"
C_INNER="${C_INNER:-1}"
T2_PRESETS="${T2_PRESETS-6}"
T2_BLOCK="${T2_BLOCK:-1MiB}"

die() { echo "compare.sh: $*" >&2; exit 1; }
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"

# Our xz: the release binary, as `cargo xtask build` makes it (it prints "sha256 path").
if [ -z "${OURS:-}" ]; then
    OURS="$(cargo xtask build | awk 'END { print $2 }')" || die "cargo xtask build failed"
fi
[ -x "$OURS" ] || die "our xz not found at $OURS"

# The reference: call the real 5.8 binary (not its bash wrapper) to time xz alone.
if [ -z "${REF:-}" ]; then
    for tool in "$root/../shared/tools/xz58.sh" /work/shared/tools/xz58.sh; do
        if [ ! -x /tmp/xz58/xz ] && [ -f "$tool" ]; then bash "$tool" >/dev/null || true; fi
    done
    if [ -x /tmp/xz58/usr/bin/xz ]; then
        REF=/tmp/xz58/usr/bin/xz
        ref_libdir=/tmp/xz58/usr/lib/x86_64-linux-gnu
    else
        die "XZ Utils 5.8 not found (run /work/shared/tools/xz58.sh or set REF=)"
    fi
fi
[ -x "$REF" ] || die "reference xz not found at $REF"

# Files: corpus names or paths; default the whole standard corpus.
files=()
if [ "$#" -eq 0 ]; then
    mapfile -t files < <(cargo run --release --locked -q -p xz-benches --bin bench-corpus) \
        || die "building the bench corpus failed"
else
    names=()
    for a in "$@"; do
        if [ -f "$a" ]; then files+=("$a"); else names+=("$a"); fi
    done
    if [ "${#names[@]}" -gt 0 ]; then
        mapfile -t more < <(cargo run --release --locked -q -p xz-benches --bin bench-corpus -- "${names[@]}") \
            || die "unknown corpus file in: ${names[*]}"
        files+=("${more[@]}")
    fi
fi
[ "${#files[@]}" -gt 0 ] || die "no input files"

work="$(mktemp -d "${TMPDIR:-/tmp}/xz-compare.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Both programs run in the same environment: the reference's library directory goes into
# LD_LIBRARY_PATH for every timed command (ours is not linked to liblzma, so it only costs
# it a failed lookup per shared library, as it costs the reference's libc), rather than an
# `env` (or the xz58 wrapper script) in front of the reference, which would add a process
# start to every reference run and flatter our ratios by about half a millisecond a run.
if [ -n "${ref_libdir:-}" ]; then
    export LD_LIBRARY_PATH="$ref_libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

echo "ours:      $OURS ($("$OURS" --version 2>/dev/null | head -1 || echo 'no --version'))"
echo "reference: $REF ($("$REF" --version | head -1))"
echo "reps: $REPS, alternating; figures are medians; ratio = ours/reference"
echo

# run_timed INNER OUTFILE INFILE CMD... -> prints "user wall rss_kib" per run, or "FAIL"
run_timed() {
    local inner="$1" out="$2" in="$3"
    shift 3
    # shellcheck disable=SC2016
    if /usr/bin/time -f '%U %e %M' -o "$work/time" bash -c '
        n="$1"; in="$2"; out="$3"; shift 3
        for ((i = 0; i < n; i++)); do "$@" <"$in" >"$out" || exit 1; done' \
        run "$inner" "$in" "$out" "$@" 2>"$work/stderr"; then
        tail -n 1 "$work/time" | awk -v n="$inner" '{ printf "%.4f %.4f %d\n", $1 / n, $2 / n, $3 }'
    else
        echo FAIL
    fi
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 < 0.002) print "-"; else printf "%.2f", a / b }'; }

printf '%-16s %-3s %-3s %-3s | %7s %7s %6s | %7s %7s %6s | %7s %7s %6s | %s\n' \
    file op pre T "user" "ref" "ratio" "wall" "ref" "ratio" "RSS MiB" "ref" "ratio" output
printf '%.0s-' {1..118}
echo

ratios_file="$work/ratios"
: >"$ratios_file"

# bench LABEL OP PRESET THREADS INPUT EXPECTED ARGS...
# EXPECTED: a file the output must equal ("" = compare ours with the reference output)
bench() {
    local label="$1" op="$2" preset="$3" threads="$4" input="$5" expected="$6"
    shift 6
    local args=("$@") rep ou=() ow=() orss=() ru=() rw=() rrss=() r fail=0 inner="$C_INNER"
    [ "$op" = d ] && inner="$D_INNER"
    for ((rep = 1; rep <= REPS; rep++)); do
        for who in $([ $((rep % 2)) = 1 ] && echo "ours ref" || echo "ref ours"); do
            if [ "$who" = ours ]; then
                r="$(run_timed "$inner" "$work/out.ours" "$input" "$OURS" "${args[@]}")"
                if [ "$r" = FAIL ]; then fail=1; continue; fi
                read -r u w m <<<"$r"; ou+=("$u"); ow+=("$w"); orss+=("$m")
            else
                r="$(run_timed "$inner" "$work/out.ref" "$input" "$REF" "${args[@]}")"
                [ "$r" = FAIL ] && die "the reference failed: $REF ${args[*]} < $input"
                read -r u w m <<<"$r"; ru+=("$u"); rw+=("$w"); rrss+=("$m")
            fi
        done
    done
    local mu mw mm ru_ rw_ rm_ verdict
    ru_="$(printf '%s\n' "${ru[@]}" | median)"
    rw_="$(printf '%s\n' "${rw[@]}" | median)"
    rm_="$(printf '%s\n' "${rrss[@]}" | median | awk '{ printf "%.1f", $1 / 1024 }')"
    if [ "$fail" = 1 ]; then
        mu=-; mw=-; mm=-
        verdict="FAIL: $(head -c 60 "$work/stderr" | tr '\n' ' ')"
    else
        mu="$(printf '%s\n' "${ou[@]}" | median)"
        mw="$(printf '%s\n' "${ow[@]}" | median)"
        mm="$(printf '%s\n' "${orss[@]}" | median | awk '{ printf "%.1f", $1 / 1024 }')"
        if [ -n "$expected" ]; then
            cmp -s "$work/out.ours" "$expected" && verdict=ok || verdict="WRONG OUTPUT"
        else
            cmp -s "$work/out.ours" "$work/out.ref" && verdict=identical || verdict="DIFFERENT BYTES"
        fi
        echo "$op T$threads $(ratio "$mu" "$ru_") $(ratio "$mw" "$rw_")" >>"$ratios_file"
    fi
    printf '%-16s %-3s %-3s %-3s | %7s %7s %6s | %7s %7s %6s | %7s %7s %6s | %s\n' \
        "$label" "$op" "$preset" "$threads" "$mu" "$ru_" "$(ratio "$mu" "$ru_")" \
        "$mw" "$rw_" "$(ratio "$mw" "$rw_")" "$mm" "$rm_" "$(ratio "$mm" "$rm_")" "$verdict"
}

for f in "${files[@]}"; do
    label="$(basename "$f")"
    for p in $PRESETS; do
        case " $OPS " in *" c "*)
            bench "$label" c "$p" 1 "$f" "" -T1 -zc "-$p" ;;
        esac
        case " $OPS " in *" d "*)
            "$REF" -T1 -zc "-$p" <"$f" >"$work/in.xz" || die "reference compression failed"
            bench "$label" d "$p" 1 "$work/in.xz" "$f" -T1 -dc ;;
        esac
    done
    for p in $T2_PRESETS; do
        case " $OPS " in *" c "*)
            bench "$label" c "$p" 2 "$f" "" -T2 "--block-size=$T2_BLOCK" -zc "-$p" ;;
        esac
        case " $OPS " in *" d "*)
            "$REF" -T2 "--block-size=$T2_BLOCK" -zc "-$p" <"$f" >"$work/in-mb.xz" \
                || die "reference multi-block compression failed"
            bench "$label" d "$p" 2 "$work/in-mb.xz" "$f" -T2 -dc ;;
        esac
    done
done

echo
echo "geometric means of ratios (ours/reference; below 1.00 = we are faster):"
awk '$3 != "-" && $3 > 0 && $4 > 0 {
        k = $1 " " $2; n[k]++; su[k] += log($3); sw[k] += log($4)
    }
    END {
        for (k in n) printf "  %-6s user %.2f  wall %.2f  (%d rows)\n", k, exp(su[k] / n[k]), exp(sw[k] / n[k]), n[k]
    }' "$ratios_file" | sort
