#!/usr/bin/env bash
# Copies seeds from the shared real-world corpus (../shared/corpus, or
# $STRATA_CORPUS) into fuzz/work/shared/<target>/, which git ignores: the
# shared corpus is other projects' material and must never be committed.
# The committed seeds in fuzz/corpus/<target>/ come only from this
# repository's own migrations/, schema/sql/ and tests/fixtures/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
corpus="${STRATA_CORPUS:-$here/../../shared/corpus}"
if [ ! -d "$corpus" ]; then
    echo "seed.sh: shared corpus not found at $corpus; fuzzing with the committed seeds only" >&2
    exit 0
fi
n=0
for t in split parse replay declared; do
    dst="$here/work/shared/$t"
    mkdir -p "$dst"
    # SQL files up to 64 KiB (the runs use -max_len=65536); named by content.
    while IFS= read -r -d '' f; do
        cp "$f" "$dst/$(sha1sum "$f" | cut -c1-16)"
        n=$((n + 1))
    done < <(find "$corpus" -name '*.sql' -size -64k -print0)
done
# normalize: the type names and DEFAULT/CHECK expressions of the corpus are
# covered by the committed seeds; it takes none from the shared corpus.
echo "seed.sh: copied $n files from $corpus into $here/work/shared/{split,parse,replay,declared}" >&2
