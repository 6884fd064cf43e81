#!/bin/sh
# Run the cli test suite with every dormscan command under valgrind memcheck.
# usage: tools/memcheck.sh [-j N] [TEST...]    TEST: score errors hostile ...
#                                             (default: every tests/cli/test_*.py)
# Uses the build in $BUILD (default build/), building dormscan and make_formats
# first; installs valgrind with apt-get when it is missing and we are root.
#
# Each test script runs as in `meson test --suite cli`, but with DORMSCAN
# pointing at a wrapper that execs the binary under valgrind (meson's
# --wrapper would wrap the python interpreter instead).  valgrind writes to
# one log per dormscan process, so the tests still see dormscan's own stderr;
# a memory error or a definite leak also makes that dormscan exit 99, which
# fails the test that ran it.  The report lists every process with errors,
# its command line and valgrind's log.  Exit 0 only when every test passed
# and every log is empty.
#
# Time: under valgrind each dormscan run takes 3-10 s (2.5 s just to start
# with its libraries).  Measured on 2 cores: `tools/memcheck.sh -j 2 score
# errors` 5 min (53 runs); `tools/memcheck.sh hostile` 26 min (246 runs).  The
# whole suite was not timed; expect well over 45 minutes with -j 2.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
build=${BUILD:-build}
jobs=1
if [ "${1:-}" = -j ]; then
    jobs=$2
    shift 2
fi

if ! command -v valgrind >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null
    else
        echo "memcheck.sh: valgrind is not installed (apt-get install valgrind)" >&2
        exit 2
    fi
fi
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
ninja -C "$build" dormscan tests/make_formats >/dev/null
build=$(cd "$build" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/dormscan-memcheck.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/vg" "$work/out"
# htslib keeps a BGZF it could not flush (bgzf_close returns -1 without
# freeing it), as on the full disk of test_hostile.py; the process exits
# right after.  The CI's tests/lsan.supp says the same to LeakSanitizer.
cat >"$work/htslib.supp" <<'EOF'
{
   htslib-keeps-a-bgzf-it-could-not-flush
   Memcheck:Leak
   match-leak-kinds: definite
   fun:calloc
   obj:*/libhts.so*
   fun:bgzf_open
   fun:dorm_outfile_open
}
EOF
cat >"$work/dormscan" <<EOF
#!/bin/sh
# The wrapper's pid is valgrind's (exec): the command line and the log pair up.
printf '%s\n' "\$*" >"$work/vg/\$\$.cmd"
exec valgrind --tool=memcheck --quiet --error-exitcode=99 --leak-check=full \\
    --show-leak-kinds=definite --errors-for-leak-kinds=definite --track-origins=yes \\
    --num-callers=30 --suppressions="$work/htslib.supp" --log-file="$work/vg/\$\$.log" \\
    "$build/dormscan" "\$@"
EOF
chmod +x "$work/dormscan"

if [ $# -eq 0 ]; then
    set -- $(cd tests/cli && ls test_*.py | sed 's/^test_//; s/\.py$//')
fi
export DORMSCAN="$work/dormscan" SRCDIR="$root" PYTHONDONTWRITEBYTECODE=1
export MAKE_FORMATS="$build/tests/make_formats"
start=$(date +%s)
# One test script per job; a script's output and status go to $work/out.
printf '%s\n' "$@" | xargs -P "$jobs" -I{} sh -c '
    t0=$(date +%s)
    cd tests/cli && python3 "test_$1.py" >"$2/out/$1.log" 2>&1
    rc=$?
    echo "$rc $(( $(date +%s) - t0 ))" >"$2/out/$1.status"
' sh {} "$work"
elapsed=$(( $(date +%s) - start ))

failed=0
for t in "$@"; do
    read -r rc secs <"$work/out/$t.status"
    case $rc in
    0) result=ok ;;
    77) result=skipped ;;
    *) result="FAILED (exit $rc)"; failed=$((failed + 1)) ;;
    esac
    printf 'test_%s.py: %s, %d s\n' "$t" "$result" "$secs"
    if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
        grep '^FAIL' "$work/out/$t.log" | head -5 | sed 's/^/    /'
    fi
done
runs=$(ls "$work/vg" | grep -c '\.cmd$' || true)
bad=0
for log in "$work"/vg/*.log; do
    [ -s "$log" ] || continue
    bad=$((bad + 1))
    echo "---- dormscan $(cat "${log%.log}.cmd")"
    head -60 "$log"
done
echo "memcheck: $runs dormscan runs, $bad with errors; $failed test script(s) failed; $elapsed s"
[ "$bad" -eq 0 ] && [ "$failed" -eq 0 ]
