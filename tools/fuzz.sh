#!/bin/sh
# Run one fuzz harness with libFuzzer for a while.
# usage: tools/fuzz.sh HARNESS [SECONDS]      HARNESS: mtx gmt dense meta bam h5
# Builds build-fuzz (clang, libFuzzer, ASan + UBSan) on first use, fuzzes a
# working copy of tests/fuzz/corpus/HARNESS (new interesting inputs are kept
# in build-fuzz/corpus-HARNESS), and writes crashing inputs to
# tests/fuzz/crashes/HARNESS-*.  Add a fixed crash input to the corpus so the
# `fuzz` test suite replays it from then on.  FUZZ_EXTRA adds libFuzzer
# options (e.g. FUZZ_EXTRA=-ignore_crashes=1 to go on past crashes inside
# libhdf5, which dormscan cannot fix).
set -eu
cd "$(dirname "$0")/.."
h=$1
t=${2:-600}
if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined \
        -Db_lundef=false >/dev/null
fi
ninja -C build-fuzz "tests/fuzz/fuzz_$h" >/dev/null
work=build-fuzz/corpus-$h
mkdir -p "$work" tests/fuzz/crashes
cp tests/fuzz/corpus/"$h"/* "$work"/ 2>/dev/null || true
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# -fork=1 -ignore_timeouts=1: a hang inside libhdf5 on a corrupt file (see
# bench/FUZZING.md) is recorded as an artifact and fuzzing goes on.
exec "build-fuzz/tests/fuzz/fuzz_$h" -max_total_time="$t" -max_len=65536 -rss_limit_mb=2048 \
    -fork=1 -ignore_timeouts=1 ${FUZZ_EXTRA:-} \
    -timeout=20 -artifact_prefix="tests/fuzz/crashes/$h-" -print_final_stats=1 "$work"
