#!/usr/bin/env bash
# Builds dist/axllama_<version>_<arch>.deb from a release build (scripts/build-release.sh) for
# the architecture of this machine: amd64 here, arm64 when run on the Pi.
#
#   DIST      where the release build is and the .deb goes (default dist/)
#   BINARY    use this axllama binary instead of $DIST/axllama (e.g. .build/release/axllama)
#   SIMULATOR use this simulator library instead of $DIST/libaxcl_rt.so (optional)
#   VERSION   package version (default 0.1.0~git<commit date>.<commit>)
#   COMPRESSION  dpkg-deb compressor (default xz; the tests use none to stay quick)
#
# Contents: /usr/bin/axllama, /usr/lib/axllama/libaxcl_rt.so, /usr/lib/systemd/system/axllama.service,
# /etc/axllama/axllama.env (a conffile: kept across upgrades, asked about when both changed),
# /usr/share/doc/axllama/ (README and docs). The maintainer scripts are in deploy/debian/.
set -euo pipefail
cd "$(dirname "$0")/.."

DIST="${DIST:-dist}"
BINARY="${BINARY:-$DIST/axllama}"
SIMULATOR="${SIMULATOR:-$DIST/libaxcl_rt.so}"
command -v dpkg-deb >/dev/null || { echo "dpkg-deb not found: install the dpkg package" >&2; exit 1; }
[ -x "$BINARY" ] || { echo "no axllama binary at $BINARY: run scripts/build-release.sh first" >&2; exit 1; }

if [ -z "${VERSION:-}" ]; then
    VERSION="0.1.0~git$(git log -1 --format=%cd.%h --date=format:%Y%m%d 2>/dev/null || date +%Y%m%d)"
fi
ARCH=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
staged="$stage/dist"
mkdir -p "$root" "$staged"
cp "$BINARY" "$staged/axllama"
[ -f "$SIMULATOR" ] && cp "$SIMULATOR" "$staged/libaxcl_rt.so"

# The same layout `make install` produces, with PREFIX=/usr; the store and the user are made
# by postinst on the target instead.
DIST="$staged" DESTDIR="$root" PREFIX=/usr scripts/install.sh >/dev/null
rm -rf "${root:?}/var"

install -d -m 0755 "$root/DEBIAN"
install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$root/DEBIAN/"
echo /etc/axllama/axllama.env > "$root/DEBIAN/conffiles"
installed_kib=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: axllama
Version: $VERSION
Architecture: $ARCH
Maintainer: ${MAINTAINER:-axllama maintainers <root@localhost>}
Section: net
Priority: optional
Installed-Size: $installed_kib
Depends: libc6, libstdc++6, libgcc-s1, passwd
Suggests: axclhost
Description: Ollama-compatible LLM server for Axera NPU cards
 axllama serves the Ollama HTTP API (and its OpenAI /v1 layer) from an Axera
 NPU card (M5Stack LLM-8850 / AX8850) through the vendor's AXCL runtime, and
 runs GGUF models on the CPU where no card is present. It runs as the systemd
 service axllama; settings are in /etc/axllama/axllama.env.
CONTROL

mkdir -p "$DIST"
deb="$DIST/axllama_${VERSION}_${ARCH}.deb"
# --root-owner-group: files belong to root in the package whoever builds it.
dpkg-deb --root-owner-group -Z"${COMPRESSION:-xz}" --build "$root" "$deb" >/dev/null
echo "$deb"
