#!/usr/bin/env bash
# Installs a release build (scripts/build-release.sh) as a system service:
#
#   $PREFIX/bin/axllama                      the server and CLI
#   $PREFIX/lib/axllama/libaxcl_rt.so        the AXCL simulator (off the loader path on purpose:
#                                            it must never shadow the vendor's runtime)
#   $PREFIX/share/doc/axllama/               README and docs/
#   $UNITDIR/axllama.service                 the systemd unit (deploy/axllama.service)
#   /etc/axllama/axllama.env                 settings (deploy/axllama.env); an existing file is kept
#   /var/lib/axllama/models                  the model store, owned by the service user
#   user and group axllama                   system account without a login shell
#
#   PREFIX   /usr/local (default) or /usr (what the .deb uses)
#   UNITDIR  default /etc/systemd/system for PREFIX=/usr/local, /usr/lib/systemd/system for /usr
#   DESTDIR  stage everything below this directory instead of / (packaging, tests); the user is
#            then created only by root and only when DESTDIR holds etc/passwd (a chroot)
#   DIST     where the release build is (default dist/)
set -euo pipefail
cd "$(dirname "$0")/.."

PREFIX="${PREFIX:-/usr/local}"
DESTDIR="${DESTDIR:-}"
DIST="${DIST:-dist}"
if [ -z "${UNITDIR:-}" ]; then
    if [ "$PREFIX" = /usr ]; then UNITDIR=/usr/lib/systemd/system; else UNITDIR=/etc/systemd/system; fi
fi
SERVICE_USER=axllama
STATE=/var/lib/axllama

[ -x "$DIST/axllama" ] || { echo "no release build in $DIST/: run scripts/build-release.sh first" >&2; exit 1; }
if [ -z "$DESTDIR" ] && [ "$(id -u)" != 0 ]; then
    echo "installing into / needs root: run with sudo (or set DESTDIR to stage the files)" >&2
    exit 1
fi

install -d -m 0755 "$DESTDIR$PREFIX/bin" "$DESTDIR$PREFIX/lib/axllama" "$DESTDIR$PREFIX/share/doc/axllama" \
    "$DESTDIR$UNITDIR" "$DESTDIR/etc/axllama"
install -m 0755 "$DIST/axllama" "$DESTDIR$PREFIX/bin/axllama"
if [ -f "$DIST/libaxcl_rt.so" ]; then
    install -m 0644 "$DIST/libaxcl_rt.so" "$DESTDIR$PREFIX/lib/axllama/libaxcl_rt.so"
fi
install -m 0644 README.md docs/*.md "$DESTDIR$PREFIX/share/doc/axllama/"
# The unit names the binary and the documents by their packaged paths; point it at this prefix.
sed -e "s|^ExecStart=/usr/bin/axllama|ExecStart=$PREFIX/bin/axllama|" \
    -e "s|file:///usr/share/doc/axllama/|file://$PREFIX/share/doc/axllama/|" \
    deploy/axllama.service > "$DESTDIR$UNITDIR/axllama.service"
chmod 0644 "$DESTDIR$UNITDIR/axllama.service"
if [ -e "$DESTDIR/etc/axllama/axllama.env" ]; then
    echo "kept the existing /etc/axllama/axllama.env (the new example is axllama.env.example)"
    install -m 0644 deploy/axllama.env "$DESTDIR/etc/axllama/axllama.env.example"
else
    install -m 0644 deploy/axllama.env "$DESTDIR/etc/axllama/axllama.env"
fi

# The user is created on this system, or inside DESTDIR when that is a root file system (a
# chroot with etc/passwd); a plain staging folder gets none (the .deb creates it in postinst).
user_root=""
if [ -n "$DESTDIR" ]; then
    [ -f "$DESTDIR/etc/passwd" ] && user_root="$DESTDIR" || user_root="none"
fi
if [ "$(id -u)" = 0 ] && [ "$user_root" != none ]; then
    if ! grep -q "^$SERVICE_USER:" "${user_root}/etc/passwd"; then
        # The card's device nodes are mode 0666 (vendor udev rules), so no extra group is needed.
        useradd ${user_root:+--root "$user_root"} --system --user-group --home-dir "$STATE" --no-create-home \
            --shell /usr/sbin/nologin --comment "axllama server" "$SERVICE_USER"
        echo "created the system user $SERVICE_USER"
    fi
    owner=$(grep "^$SERVICE_USER:" "${user_root}/etc/passwd" | cut -d: -f3,4)
    install -d -m 0750 "$DESTDIR$STATE" "$DESTDIR$STATE/models"
    chown "$owner" "$DESTDIR$STATE" "$DESTDIR$STATE/models"
else
    install -d -m 0750 "$DESTDIR$STATE" "$DESTDIR$STATE/models"
    echo "skipped creating the user $SERVICE_USER (needs root and a root file system); $STATE is owned by $(id -un)"
fi

echo "installed axllama into ${DESTDIR:-/} (binary $PREFIX/bin/axllama, unit $UNITDIR/axllama.service)"
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    echo "start it with: sudo systemctl enable --now axllama"
fi
