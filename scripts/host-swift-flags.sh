#!/usr/bin/env bash
# Prints the swift build flags that compile SNNKit for this machine's vector units (used by the Makefile).
# On an x86-64 Linux host with AVX2 and FMA (Haswell or later, AMD Zen): `-Xswiftc -target-cpu -Xswiftc haswell`, so
# every SIMD kernel runs 8-wide AVX instead of 4-wide SSE (reference train step 15–30 % faster, same results: Swift neither contracts
# nor reassociates floating point). The binary then needs such a CPU. SNNKIT_PORTABLE=1 prints nothing (baseline
# x86-64); SNNKIT_TARGET_CPU=<name> picks another CPU. Flags on the command line, not in Package.swift: the manifest
# stays free of unsafe flags, so SNNKit can be a versioned dependency.
set -euo pipefail
if [[ "${SNNKIT_PORTABLE:-}" == "1" ]]; then exit 0; fi
if [[ -n "${SNNKIT_TARGET_CPU:-}" ]]; then
    echo "-Xswiftc -target-cpu -Xswiftc ${SNNKIT_TARGET_CPU}"
    exit 0
fi
[[ "$(uname -s)" == "Linux" && "$(uname -m)" == "x86_64" && -r /proc/cpuinfo ]] || exit 0
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
# What compiled code may use on `haswell`: AVX2, FMA, F16C, BMI1/2, LZCNT (cpuinfo: abm), MOVBE, POPCNT.
for needed in avx avx2 fma f16c bmi1 bmi2 abm movbe popcnt sse4_2; do
    [[ "$flags" == *" $needed "* ]] || exit 0
done
echo "-Xswiftc -target-cpu -Xswiftc haswell"
