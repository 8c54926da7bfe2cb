#!/usr/bin/env bash
# Installs the system libraries SNNKit links against, if they are missing.
# Linux (Debian/Ubuntu): OpenBLAS through apt. macOS: nothing (Accelerate ships with the OS).
set -euo pipefail
if [ "$(uname)" = "Darwin" ]; then exit 0; fi
need=()
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if ! pkg-config --exists openblas 2>/dev/null; then need+=(libopenblas-dev); fi
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${need[*]}" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
pkg-config --exists openblas || { echo "install-deps: openblas still not found by pkg-config" >&2; exit 1; }
