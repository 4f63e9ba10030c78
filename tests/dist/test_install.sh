#!/bin/sh
# test_install.sh SRCDIR BUILDDIR -- meson install into a DESTDIR puts the
# binaries, the man pages and the systemd units under the configured
# prefix, the units' ExecStart names the installed tcpsup, the installed
# binary runs, and systemd-analyze verify passes on the units as
# installed (--root: it checks that ExecStart exists there; systemd need
# not run). Nothing outside a temporary directory is touched.
set -eu
src=$1
build=$2
dest=$(mktemp -d /tmp/tcpsup-install-XXXXXX)
trap 'rm -rf "$dest"' EXIT

fail() {
	echo "test_install: $*" >&2
	exit 1
}

DESTDIR=$dest meson install -C "$build" --no-rebuild --quiet >/dev/null
prefix=$(meson introspect --buildoptions "$build" |
	python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])')
if [ "$prefix" = /usr ]; then
	unitdir=/lib/systemd/system
else
	unitdir=$prefix/lib/systemd/system
fi
for f in "$prefix/sbin/tcpsup" "$prefix/sbin/tcpsupctl"; do
	[ -x "$dest$f" ] || fail "$f not installed, or not executable"
done
for f in "$prefix/share/man/man8/tcpsup.8" "$prefix/share/man/man8/tcpsupctl.8" \
    "$unitdir/tcpsup.service" "$unitdir/tcpsup.socket" "$unitdir/tcpsup@.service"; do
	[ -f "$dest$f" ] || fail "$f not installed"
done
# Nothing outside the prefix but the units' directory.
extra=$(cd "$dest" && find . -type f | sed 's|^\.||' | grep -v "^$prefix/" | grep -v "^$unitdir/" || true)
[ -z "$extra" ] || fail "installed outside $prefix: $extra"
for unit in tcpsup.service tcpsup@.service; do
	grep -q "^ExecStart=$prefix/sbin/tcpsup " "$dest$unitdir/$unit" ||
		fail "$unit: ExecStart is not $prefix/sbin/tcpsup"
done
"$dest$prefix/sbin/tcpsup" --version | grep -q '^tcpsup ' || fail "installed tcpsup does not run"
"$dest$prefix/sbin/tcpsupctl" --version >/dev/null || fail "installed tcpsupctl does not run"

if ! command -v systemd-analyze >/dev/null; then
	echo "test_install: systemd-analyze missing (scripts/setup installs systemd)" >&2
	exit 1
fi
# The targets the units name, from the host's systemd, beside them.
mkdir -p "$dest/lib/systemd/system"
cp -an /lib/systemd/system/. "$dest/lib/systemd/system/"
out=$(systemd-analyze verify --man=no --root="$dest" \
	"$dest$unitdir/tcpsup.socket" "$dest$unitdir/tcpsup.service" \
	"$dest$unitdir/tcpsup@2223.service" 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify warns: $out"
echo "test_install: installed under $prefix, units verified"
