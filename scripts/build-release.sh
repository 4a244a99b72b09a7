#!/usr/bin/env bash
# Release build for the machine it runs on: one self-contained `axllama` binary (the Swift
# runtime linked in statically) and the AXCL simulator library, copied into dist/.
#
#   AXLLAMA_TARGET_CPU   CPU the numeric kernels are tuned for (default: native, the build
#                        machine). On a Raspberry Pi 5 use cortex-a76 (see docs/raspberry-pi.md).
#   DIST                 output folder (default: dist/ in the repository)
#
# The binary needs only libc, libm, libstdc++ and libgcc_s at run time; the script prints `ldd`
# so a change in that list is noticed.
set -euo pipefail
cd "$(dirname "$0")/.."

export AXLLAMA_TARGET_CPU="${AXLLAMA_TARGET_CPU:-native}"
DIST="${DIST:-dist}"
SWIFT="${SWIFT:-swift}"

command -v "$SWIFT" >/dev/null || { echo "swift not found: install the Swift 6 toolchain (docs/raspberry-pi.md)" >&2; exit 1; }

echo "building axllama for $(uname -m), target CPU $AXLLAMA_TARGET_CPU"
"$SWIFT" build -c release --static-swift-stdlib --product axllama
"$SWIFT" build -c release --product axcl_rt
bin=$("$SWIFT" build -c release --show-bin-path)

mkdir -p "$DIST"
install -m 0755 "$bin/axllama" "$DIST/axllama"
install -m 0644 "$bin/libaxcl_rt.so" "$DIST/libaxcl_rt.so"
strip "$DIST/axllama" "$DIST/libaxcl_rt.so" 2>/dev/null || echo "strip not found: binaries left unstripped"

echo "dist/ contents:"
ls -l "$DIST"
echo "shared libraries the binary needs:"
ldd "$DIST/axllama" || true
