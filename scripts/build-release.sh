#!/usr/bin/env bash
# Release build for the machine it runs on: one self-contained `axllama` binary (the Swift
# runtime linked in statically) and the AXCL simulator library, copied into dist/.
#
#   AXLLAMA_TARGET_CPU   CPU the numeric kernels are tuned for (default: native, the build
#                        machine). On a Raspberry Pi 5 use cortex-a76 (see docs/raspberry-pi.md).
#   DIST                 output folder (default: dist/ in the repository)
#
# The binary needs only libc, libm, libstdc++ and libgcc_s at run time, the simulator only libc
# and libm; the script prints `ldd` of both so a change in those lists is noticed.
set -euo pipefail
cd "$(dirname "$0")/.."

export AXLLAMA_TARGET_CPU="${AXLLAMA_TARGET_CPU:-native}"
DIST="${DIST:-dist}"
SWIFT="${SWIFT:-swift}"
# Its own build folder: --static-swift-stdlib changes the build parameters, and sharing .build
# would make every switch between this and `make serve`/`make test` rebuild everything.
SCRATCH="${SCRATCH:-.build-dist}"

command -v "$SWIFT" >/dev/null || { echo "swift not found: install the Swift 6 toolchain (docs/raspberry-pi.md)" >&2; exit 1; }

echo "building axllama for $(uname -m), target CPU $AXLLAMA_TARGET_CPU"
"$SWIFT" build --scratch-path "$SCRATCH" -c release --static-swift-stdlib --product axllama
bin=$("$SWIFT" build --scratch-path "$SCRATCH" -c release --static-swift-stdlib --show-bin-path)

mkdir -p "$DIST"
install -m 0755 "$bin/axllama" "$DIST/axllama"
# The simulator is built with the C compiler so that it does not need the Swift runtime.
OUT="$DIST/libaxcl_rt.so" scripts/build-simulator.sh >/dev/null
chmod 0644 "$DIST/libaxcl_rt.so"
strip "$DIST/axllama" "$DIST/libaxcl_rt.so" 2>/dev/null || echo "strip not found: binaries left unstripped"

echo "dist/ contents:"
ls -l "$DIST"
echo "shared libraries they need:"
ldd "$DIST/axllama" "$DIST/libaxcl_rt.so" || true
