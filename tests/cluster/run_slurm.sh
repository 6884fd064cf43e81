#!/bin/bash
# run_slurm.sh -- workflow/Snakefile through a real SLURM scheduler on this
# machine (issue 22), checked against the same workflow run locally.
#
# As root on Debian 12: installs slurm-wlm, slurmdbd, munge and mariadb-server
# if absent, starts a single-node cluster under a temporary folder
# (start_slurm.sh), runs the checks, stops every daemon it started
# (stop_slurm.sh) and removes the folder (KEEP=1 keeps it).  DORMSCAN names the
# binary (default build/dormscan), MAKE_BENCH the input generator (default
# build/bench/make_bench).  Prints one line per check and "N passed, N
# failed"; exits 0 only when every check holds.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DORMSCAN=${DORMSCAN:-$ROOT/build/dormscan}
MAKE_BENCH=${MAKE_BENCH:-$ROOT/build/bench/make_bench}
WORK=$(mktemp -d /tmp/dormscan-slurm.XXXXXX)
passed=0
failed=0

cleanup() {
    "$HERE/stop_slurm.sh" "$WORK/cluster"
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then echo "PASS: $what"; passed=$((passed + 1)); else echo "FAIL: $what"; failed=$((failed + 1)); fi
}
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

if [ "$(id -u)" -ne 0 ]; then echo "run_slurm: needs root (it starts the SLURM daemons)" >&2; exit 1; fi
for f in "$DORMSCAN" "$MAKE_BENCH"; do
    [ -x "$f" ] || { echo "run_slurm: $f is missing: build first (meson compile -C build)" >&2; exit 1; }
done
command -v snakemake > /dev/null || { echo "run_slurm: snakemake is not on PATH (apt-get install snakemake)" >&2; exit 1; }

# ---- the cluster ----
if ! SLURM_CONF=$("$HERE/start_slurm.sh" "$WORK/cluster" 2> "$WORK/start.log" | tail -1); then
    cat "$WORK/start.log" >&2
    echo "run_slurm: the cluster did not start" >&2
    exit 1
fi
export SLURM_CONF USER=${USER:-root}
check "sinfo shows the node idle" sh -c 'sinfo -h -o %t | grep -qx idle'

# ---- the cohort: the bundled example and two resampled samples (one as 10x HDF5) ----
mkdir -p "$WORK/in"
"$MAKE_BENCH" "$ROOT/testdata/example" 1500 "$WORK/in/bench_a" --seed 7 --level 1 > /dev/null
"$MAKE_BENCH" "$ROOT/testdata/example" 1500 "$WORK/in/bench_b" --seed 11 --level 1 --h5 > /dev/null
printf 'sample\tpath\nexample\t%s\nbench_a\t%s\nbench_b\t%s\n' "$ROOT/testdata/example" \
    "$WORK/in/bench_a" "$WORK/in/bench_b/filtered_feature_bc_matrix.h5" > "$WORK/samples.tsv"
# Resources (workflow/README.md): one thread, and 500 MB, about 13x the peak
# measured for `score` (bench/RESULTS.md: 23-36 MB flat to 1M cells).
cat > "$WORK/config.yaml" <<EOF
samples: $WORK/samples.tsv
outdir: results
dormscan: $DORMSCAN
shards: 4
threads: 1
mem_mb: 500
EOF
export SOURCE_DATE_EPOCH=0 # the same date in every report.html

workflow() { # workflow DIR [snakemake args...]: run the Snakefile in DIR; its log in DIR.log
    local dir=$1; shift
    mkdir -p "$dir"
    snakemake -s "$ROOT/workflow/Snakefile" --configfile "$WORK/config.yaml" --directory "$dir" \
        --latency-wait 10 "$@" > "$dir.log" 2>&1
}
on_slurm=(--slurm --jobs 8 --default-resources slurm_account=dormscan slurm_partition=main)

# ---- local and SLURM runs of the same workflow ----
t0=$(date +%s)
check "the workflow runs locally" workflow "$WORK/local" --cores 2
t1=$(date +%s)
check "the workflow runs through SLURM" workflow "$WORK/slurm" "${on_slurm[@]}"
t2=$(date +%s)
echo "timing: local $((t1 - t0)) s, SLURM $((t2 - t1)) s"

# Every output equal: the tables byte for byte; run.json but for what names
# the run (its command line, paths, times, host).
same_outputs() { # same_outputs DIR_A DIR_B
    local a=$1/results b=$2/results ok=0
    local la lb
    [ -d "$a" ] && [ -d "$b" ] || { echo "  no results to compare" >&2; return 1; }
    # (logs/ holds the jobs' stderr; MultiQC's own report stamps its run's time and paths)
    la=$(cd "$a" && find . -type f ! -path './logs/*' ! -path './multiqc_report*' | sort)
    lb=$(cd "$b" && find . -type f ! -path './logs/*' ! -path './multiqc_report*' | sort)
    [ "$la" = "$lb" ] || { echo "  the file lists differ" >&2; return 1; }
    for f in $la; do
        case "$f" in
        *run.json)
            python3 - "$a/$f" "$b/$f" <<'EOF' || { echo "  $f differs" >&2; ok=1; }
import json, sys
VOLATILE = {'command_line', 'timings_seconds', 'seconds', 'path', 'outdir'}  # how long, where
def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in VOLATILE}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o
a, b = (strip(json.load(open(p))) for p in sys.argv[1:3])
sys.exit(0 if a == b else 1)
EOF
            ;;
        *) cmp -s "$a/$f" "$b/$f" || { echo "  $f differs" >&2; ok=1; } ;;
        esac
    done
    return $ok
}
check "every output of the SLURM run equals the local run's" same_outputs "$WORK/local" "$WORK/slurm"

# sacct: every job completed, with the memory and CPUs its rule asked for
sacct_ok() {
    local rows bad
    rows=$(sacct -X -n -P --format=JobName,State,ReqMem,AllocCPUS | grep '^snakejob_')
    [ -n "$rows" ] || { echo "  sacct lists no job" >&2; return 1; }
    bad=$(echo "$rows" | awk -F'|' '$2 != "COMPLETED" || ($1 !~ /multiqc|cohort/ && ($3 != "500M" || $4 != 1))')
    echo "$rows" | awk -F'|' '{n[$2]++} END {for (s in n) printf "  sacct: %d jobs %s\n", n[s], s}'
    [ -z "$bad" ] || { echo "  not as requested:" >&2; echo "$bad" >&2; return 1; }
}
check "sacct: every job COMPLETED with 500M and 1 CPU" sacct_ok

# ---- a job killed by the scheduler leaves nothing half-written; a rerun completes it ----
cancel_one_shard() {
    local dir=$WORK/cancel
    workflow "$dir" "${on_slurm[@]}" &
    local snake=$! id="" name=""
    for _ in $(seq 600); do
        read -r id name < <(squeue -h -t RUNNING -o '%i %j' | grep snakejob_score_shard | head -1) || true
        [ -n "$id" ] && break
        sleep 0.2
    done
    [ -n "$id" ] || { echo "  no shard job ran" >&2; wait "$snake"; return 1; }
    # SIGTERM to every process of the job, as SLURM sends at a time limit or a
    # preemption: the job ends FAILED.  (A plain scancel ends it "CANCELLED by
    # 0", a state Snakemake 7.21's executor does not recognise: it would wait
    # for the job forever.)
    scancel --signal=TERM --full "$id"
    echo "  sent SIGTERM to $name (job $id)"
    wait "$snake" && { echo "  snakemake did not fail" >&2; return 1; }
    # what a shard job writes: OUTDIR/SAMPLE/shards/K/{shard.bin,run.json}; nothing
    # under a final name without its partner, and no temporary
    local left
    left=$(find "$dir/results" -path '*/shards/*' \( -name '.*' -o -name 'shard.bin' -o -name 'run.json' \) | sort)
    for d in $(find "$dir/results" -path '*/shards/*' -type d -name '[0-9]*'); do
        if { [ -e "$d/shard.bin" ] && [ ! -e "$d/run.json" ]; } || { [ ! -e "$d/shard.bin" ] && [ -e "$d/run.json" ]; }; then
            echo "  $d holds half a shard" >&2; return 1
        fi
    done
    if find "$dir/results" -name '.*dormscan-tmp*' | grep -q .; then
        echo "  temporaries left" >&2; return 1
    fi
    echo "  $(echo "$left" | grep -c shard.bin) shard(s) complete at the cancel"
}
check "a shard job killed by the scheduler: snakemake fails, nothing half-written" cancel_one_shard
echo "  sacct of the killed job: $(sacct -X -n -P --format=JobName,State,ExitCode | grep -v COMPLETED | tr '\n' ' ')"
check "a rerun completes the cancelled workflow" workflow "$WORK/cancel" "${on_slurm[@]}"
check "and its outputs equal the local run's" same_outputs "$WORK/local" "$WORK/cancel"

finish
