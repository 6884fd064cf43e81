#!/bin/sh
# Install dormscan's build dependencies (Debian 12, as root) and build it in
# build/.  Safe to run again: it reconfigures an existing build directory,
# and asks apt for nothing when every package is already installed.  Quiet
# but for errors and one closing line.
set -eu
cd "$(dirname "$0")/.."
packages="gcc libc6-dev pkg-config meson ninja-build python3 libhts-dev zlib1g-dev libhdf5-dev
          libisal-dev liblapacke-dev libopenblas-serial-dev libcriterion-dev"
missing=
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "setup.sh: missing Debian packages:$missing (install them as root)" >&2
        exit 1
    fi
    # another apt (unattended upgrades on a fresh machine) may hold the lock a while
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
        --no-install-recommends $missing >/dev/null
fi
# meson and ninja print progress bars and regeneration notes: keep them in
# a log shown only when something fails
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ -f build/build.ninja ]; then
    set -- --reconfigure
else
    set --
fi
if ! meson setup "$@" build >"$log" 2>&1 || ! ninja -C build >>"$log" 2>&1; then
    cat "$log" >&2
    echo "setup.sh: the build failed (above)" >&2
    exit 1
fi
echo "setup.sh: built build/dormscan $(build/dormscan --version)"
