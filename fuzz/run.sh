#!/usr/bin/env bash
# Runs one fuzz target for SECONDS (default 180) on nightly with cargo-fuzz.
#   fuzz/run.sh <split|parse|replay|normalize|declared|lint> [SECONDS] [extra libFuzzer flags]
# STRATA_FUZZ_PREBUILT=1 runs the binary the last `cargo +nightly fuzz build`
# made instead of building first.
# New inputs go to fuzz/work/corpus/<target>/ (git-ignored); crashes to
# fuzz/artifacts/<target>/ (git-ignored: copy each into
# fuzz/regressions/<target>/ to keep it); the log to fuzz/work/logs/<target>.log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
t="${1:?target: split, parse, replay, normalize, declared or lint}"
secs="${2:-180}"
shift $(( $# >= 2 ? 2 : 1 ))
mkdir -p "$here/work/corpus/$t" "$here/work/shared/$t" "$here/work/logs" "$here/artifacts/$t"
cd "$here/.."
flags=(-max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048
       -artifact_prefix="$here/artifacts/$t/" -print_final_stats=1 "$@")
dirs=("$here/work/corpus/$t" "$here/corpus/$t" "$here/work/shared/$t")
if [ "${STRATA_FUZZ_PREBUILT:-}" = 1 ]; then
    # The binary `cargo +nightly fuzz build` left, as it is: a long series of
    # runs is not rebuilt (and its figures not shifted) by later edits.
    "$here/target/x86_64-unknown-linux-gnu/release/$t" "${flags[@]}" "${dirs[@]}" \
        2>&1 | tee "$here/work/logs/$t.log"
else
    cargo +nightly fuzz run "$t" "${dirs[@]}" -- "${flags[@]}" \
        2>&1 | tee "$here/work/logs/$t.log"
fi
