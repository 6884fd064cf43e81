#!/bin/sh
# Side-by-side timing of dormscan and the decompression floor on one input.
# usage: bench/run_bench.sh MATRIX_DIR [DORMSCAN] [extra score options...]
# Prints one line per run: what, wall seconds, CPU seconds, peak RSS (KB).
# The machines are shared and noisy: compare the ratios within one run.
set -eu
dir=$1
bin=${2:-build/dormscan}
shift $(( $# >= 2 ? 2 : 1 ))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mtx=$dir/matrix.mtx.gz
measure() { # label command...
    label=$1
    shift
    /usr/bin/time -f "$label	%e	%U+%S	%M" "$@" 2>&1 >/dev/null | tail -1
}
printf 'run\twall_s\tcpu_s\tpeak_rss_kb\n'
for i in 1 2 3; do
    measure "zcat matrix.mtx.gz" zcat "$mtx"
    measure "dormscan score -@1" "$bin" score "$dir" -o "$out/1" -q -@ 1 "$@"
    measure "dormscan score -@2" "$bin" score "$dir" -o "$out/2" -q -@ 2 --chunk-cells 256 "$@"
    measure "dormscan score --method module" "$bin" score "$dir" -o "$out/m" -q --method module "$@"
done
