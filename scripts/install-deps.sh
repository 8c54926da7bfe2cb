#!/usr/bin/env bash
# Installs the system libraries SNNKit links against, if they are missing; does nothing when all are present.
# Linux (Debian/Ubuntu): OpenBLAS, HDF5 (serial) and zlib through apt, found by pkg-config as `openblas`, `hdf5`
# and `zlib`.
# macOS: HDF5 and pkg-config through Homebrew (BLAS is Accelerate and zlib is in the SDK, both ship with the OS).
set -euo pipefail
if [ "$(uname)" = "Darwin" ]; then
    if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists hdf5 2>/dev/null; then exit 0; fi
    command -v brew >/dev/null 2>&1 || { echo "install-deps: install Homebrew, then run: brew install hdf5 pkg-config" >&2; exit 1; }
    echo "install-deps: installing hdf5 pkg-config" >&2
    brew install hdf5 pkg-config
    exit 0
fi
need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if ! pkg-config --exists openblas 2>/dev/null; then need+=(libopenblas-dev); fi
if ! pkg-config --exists hdf5 2>/dev/null; then need+=(libhdf5-dev); fi
if ! pkg-config --exists zlib 2>/dev/null; then need+=(zlib1g-dev); fi
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
pkg-config --exists openblas || { echo "install-deps: openblas still not found by pkg-config" >&2; exit 1; }
pkg-config --exists hdf5 || { echo "install-deps: hdf5 still not found by pkg-config" >&2; exit 1; }
pkg-config --exists zlib || { echo "install-deps: zlib still not found by pkg-config" >&2; exit 1; }
