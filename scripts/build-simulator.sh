#!/usr/bin/env bash
# Builds the AXCL simulator library (Sources/AXCLSimulator, plain C, with the CPU engine's kernels
# from Sources/CCPUKernels) with the C compiler into OUT (default dist/libaxcl_rt.so), with the
# flags Package.swift gives the two targets.
#
# Why not the SwiftPM product: SwiftPM links every dynamic library with the Swift runtime's
# registration object, so its libaxcl_rt.so needs libswiftCore.so at load time, even with
# --static-swift-stdlib. Built here, it needs only libc and libm and runs on a machine without
# the Swift toolchain, like the vendor's library it stands in for.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT="${OUT:-dist/libaxcl_rt.so}"
CC="${CC:-$(command -v clang || command -v cc || true)}"
[ -n "$CC" ] || { echo "no C compiler found: install clang or gcc (or the Swift toolchain, which ships clang)" >&2; exit 1; }
# The kernels follow the target CPU as in Package.swift: -march names an x86 CPU, -mcpu an Arm one.
TARGET_CPU="${AXLLAMA_TARGET_CPU:-native}"
case "$(uname -m)" in x86_64|i?86) CPU_FLAG="-march=$TARGET_CPU" ;; *) CPU_FLAG="-mcpu=$TARGET_CPU" ;; esac

mkdir -p "$(dirname "$OUT")"
objects="$(mktemp -d)"
trap 'rm -rf "$objects"' EXIT
for source in Sources/CCPUKernels/*.c; do
    "$CC" -O3 "$CPU_FLAG" -fPIC -fvisibility=hidden -ISources/CCPUKernels/include -ISources/CCPUKernels \
        -c "$source" -o "$objects/kernel_$(basename "$source" .c).o"
done
"$CC" -O2 "$CPU_FLAG" -fPIC -shared -fvisibility=hidden -Wl,-soname=libaxcl_rt.so \
    -Wl,--version-script=Sources/AXCLSimulator/exports.map \
    -ISources/CAXCL/include -ISources/AXCLSimulatorInterface/include -ISources/AXCLSimulator \
    -ISources/CCPUKernels/include \
    Sources/AXCLSimulator/*.c "$objects"/kernel_*.o -lm -lpthread -o "$OUT"
echo "$OUT"
