#!/usr/bin/env bash
# Runs one target with run.sh for SECONDS, stamping every libFuzzer line with
# the seconds since the start, then prints the covered edges (cov) and
# features (ft) at each quarter of the run: a plateau is a last quarter that
# adds (almost) nothing.
#   fuzz/plateau.sh <target> <seconds>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
t="${1:?target}"
secs="${2:?seconds}"
mkdir -p "$here/work/logs"
stamped="$here/work/logs/$t.stamped.log"
start=$(date +%s)
"$here/run.sh" "$t" "$secs" 2>&1 | while IFS= read -r line; do
    printf '%s %s\n' "$(( $(date +%s) - start ))" "$line"
done > "$stamped"
awk -v total="$secs" -v t="$t" '
    / cov: / {
        for (i = 1; i <= NF; i++) {
            if ($i == "cov:") cov = $(i + 1)
            if ($i == "ft:") ft = $(i + 1)
            if ($i == "corp:") corp = $(i + 1)
            if ($i ~ /^#[0-9]+$/) execs = substr($i, 2)
        }
        for (q = 1; q <= 4; q++) if ($1 <= total * q / 4) { c[q] = cov; f[q] = ft; e[q] = execs }
        if (!started && $0 ~ /INITED/) { c0 = cov; f0 = ft; started = 1 }
    }
    / stat::number_of_executed_units: / { units = $NF }
    / stat::peak_rss_mb: / { rss = $NF }
    END {
        printf "%s: %d s, %s executions, peak RSS %s MB\n", t, total, units, rss
        printf "  cov/ft after the seeds: %s/%s\n", c0, f0
        for (q = 1; q <= 4; q++) printf "  at %3d%% of the time: cov %s ft %s (#%s)\n", q * 25, c[q], f[q], e[q]
    }' "$stamped"
ls "$here/artifacts/$t" 2>/dev/null | sed 's/^/  artifact: /' || true
