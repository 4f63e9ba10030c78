#!/bin/sh
# test_deb.sh SRCDIR BUILDDIR -- scripts/package builds the .deb (lintian
# errors fail it), dpkg -i installs it on this machine: the binaries run,
# the manual pages and units are in place, the units are enabled and
# nothing is started. Then dpkg --purge takes it all away again, so that
# the next run finds the machine as this one did; a machine where tcpsup
# was already installed is left alone (skipped).
set -eu
src=$1
build=$2
skip=77

if [ "$(id -u)" -ne 0 ]; then
	echo "test_deb: needs root to install a package" >&2
	exit $skip
fi
if dpkg-query -W -f='${Status}' tcpsup 2>/dev/null | grep -q "install ok"; then
	echo "test_deb: tcpsup is installed on this machine: not replacing it" >&2
	exit $skip
fi

fail() {
	echo "test_deb: $*" >&2
	exit 1
}

# dpkg waits for no one: another installer may hold its lock a while.
dpkg_retry() {
	tries=0
	until dpkg "$@" >"$build/meson-logs/dpkg.log" 2>&1; do
		grep -q "lock" "$build/meson-logs/dpkg.log" && [ $tries -lt 60 ] ||
			{ cat "$build/meson-logs/dpkg.log" >&2; return 1; }
		tries=$((tries + 1))
		sleep 1
	done
}

# Nothing of tcpsup's is running: enabled must not mean started.
running() {
	for exe in /proc/[0-9]*/exe; do
		[ "$(readlink "$exe" 2>/dev/null)" = /usr/sbin/tcpsup ] && return 0
	done
	return 1
}

deb=$("$src/scripts/package" "$build/deb" | tail -1)
[ -f "$deb" ] || fail "scripts/package made no .deb"
running && fail "a tcpsup from /usr/sbin runs before the install"
trap 'dpkg_retry --purge tcpsup || true' EXIT
dpkg_retry -i "$deb" || fail "dpkg -i $deb failed"

/usr/sbin/tcpsup --version | grep -q "^tcpsup " || fail "tcpsup does not run"
/usr/sbin/tcpsupctl --version >/dev/null || fail "tcpsupctl does not run"
for f in /usr/share/man/man8/tcpsup.8.gz /usr/share/man/man8/tcpsupctl.8.gz \
    /lib/systemd/system/tcpsup.service /lib/systemd/system/tcpsup.socket \
    /lib/systemd/system/tcpsup@.service; do
	[ -f "$f" ] || fail "$f not installed"
done
grep -q '^ExecStart=/usr/sbin/tcpsup ' /lib/systemd/system/tcpsup.service ||
	fail "tcpsup.service does not start /usr/sbin/tcpsup"
# Enabled, Debian's way (deb-systemd-helper), whether systemd runs or not.
for link in sockets.target.wants/tcpsup.socket multi-user.target.wants/tcpsup.service; do
	[ -L "/etc/systemd/system/$link" ] || fail "$link: not enabled"
done
running && fail "the install started tcpsup"

trap - EXIT
dpkg_retry --purge tcpsup || fail "dpkg --purge failed"
for f in /usr/sbin/tcpsup /lib/systemd/system/tcpsup.socket \
    /etc/systemd/system/sockets.target.wants/tcpsup.socket \
    /etc/systemd/system/multi-user.target.wants/tcpsup.service; do
	[ -e "$f" ] || [ -L "$f" ] && fail "$f left after purge"
done
echo "test_deb: $deb installed, enabled, not started, purged"
