#!/bin/sh
# Install dormscan's build dependencies (Debian 12, as root) and build it in
# build/.  Safe to run again: it reconfigures an existing build directory.
set -eu
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        gcc libc6-dev pkg-config meson ninja-build python3 \
        libhts-dev zlib1g-dev libhdf5-dev libisal-dev libcriterion-dev >/dev/null
fi
if [ -f build/build.ninja ]; then
    meson setup --reconfigure build >/dev/null
else
    meson setup build >/dev/null
fi
ninja -C build
