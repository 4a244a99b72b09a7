#!/usr/bin/env bash
# Builds the AXCL simulator library (Sources/AXCLSimulator, plain C) with the C compiler into
# OUT (default dist/libaxcl_rt.so), with the flags Package.swift gives the target.
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

mkdir -p "$(dirname "$OUT")"
"$CC" -O2 -fPIC -shared -fvisibility=hidden -Wl,-soname=libaxcl_rt.so \
    -ISources/CAXCL/include -ISources/AXCLSimulatorInterface/include -ISources/AXCLSimulator \
    Sources/AXCLSimulator/*.c -lm -lpthread -o "$OUT"
echo "$OUT"
