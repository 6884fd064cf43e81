#!/bin/sh
# Side-by-side timing of dormscan, the decompression floor and the peers on
# one input directory (a Cell Ranger v3 directory from bench/make_bench, with
# filtered_feature_bc_matrix.h5 beside it when present).
#
# usage: bench/run_bench.sh DIR [ROUNDS]
#   DORMSCAN=path   the binary (default build/dormscan)
#   PEERS=1         also run Seurat's AddModuleScore (Debian's r-cran-seurat)
#   ONLY="a b"      only the runs whose labels contain one of these words
#
# Prints one tab-separated line per run: round, label, wall s, CPU s, peak RSS
# (MB), ratio of wall time to zcat's in the same round, and the command.  The
# machines are shared and noisy: compare ratios within a round.
set -eu
dir=$1
rounds=${2:-3}
bin=${DORMSCAN:-build/dormscan}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
mtx=$dir/matrix.mtx.gz
h5=$dir/filtered_feature_bc_matrix.h5
zcat_wall=1

# run LABEL COMMAND...: run once, print the result line.
run() {
    label=$1
    shift
    cmd=$*
    if [ -n "${ONLY:-}" ]; then
        keep=0
        for w in $ONLY; do case $label in *"$w"*) keep=1 ;; esac; done
        [ "$keep" = 1 ] || [ "$label" = zcat ] || return 0
    fi
    rm -rf "$out/run"
    /usr/bin/time -o "$out/time" -f "%e %U %S %M" "$@" >/dev/null 2>"$out/err" || {
        echo "bench: $label failed: $(tail -1 "$out/err")" >&2
        return 0
    }
    read -r wall user sys rss <"$out/time"
    [ "$label" = zcat ] && zcat_wall=$wall
    awk -v r="$round" -v l="$label" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" \
        -v z="$zcat_wall" -v c="$cmd" \
        'BEGIN { printf "%s\t%s\t%.2f\t%.2f\t%.1f\t%.2f\t%s\n", r, l, w, u + s, m / 1024, w / z, c }'
}

printf 'round\trun\twall_s\tcpu_s\tpeak_rss_mb\tx_zcat\tcommand\n'
round=1
while [ "$round" -le "$rounds" ]; do
    run zcat sh -c "zcat $mtx > /dev/null"
    command -v igzip >/dev/null && run "igzip -dc" sh -c "igzip -dc $mtx > /dev/null"
    run "dormscan -@1" "$bin" score "$dir" -o "$out/run" -q -@ 1
    run "dormscan -@2" "$bin" score "$dir" -o "$out/run" -q -@ 2
    # the one-pass run against a fixed reference (issue 17), of the same cells
    run "dormscan reference -@1" "$bin" reference "$dir" -o "$out/ref.tsv" -q -@ 1
    if [ -f "$out/ref.tsv" ]; then
        run "dormscan --reference -@1" "$bin" score "$dir" -o "$out/run" -q -@ 1 --reference "$out/ref.tsv"
        run "dormscan --reference -@2" "$bin" score "$dir" -o "$out/run" -q -@ 2 --reference "$out/ref.tsv"
    fi
    run "dormscan module -@1" "$bin" score "$dir" -o "$out/run" -q -@ 1 --method module
    if [ -f "$h5" ]; then
        run "dormscan h5 -@1" "$bin" score "$h5" -o "$out/run" -q -@ 1
        run "dormscan h5 -@2" "$bin" score "$h5" -o "$out/run" -q -@ 2
    fi
    if [ "${PEERS:-0}" = 1 ] && Rscript -e 'library(Seurat)' >/dev/null 2>&1; then
        run "Seurat AddModuleScore" Rscript "$here/peers/seurat_module.R" "$dir" \
            "$here/../signatures/dormancy_panel.gmt" "$out/seurat.tsv"
    fi
    round=$((round + 1))
done
