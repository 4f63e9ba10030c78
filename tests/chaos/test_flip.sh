#!/bin/sh
# test_flip.sh -- scripts/chaos must fail when a frame comes back wrong:
# with TCPSUP_LOAD_FLIP the load generator expects one byte of one frame
# wrong, as if tcpsup had flipped it. The line must count it, and the
# status must be 1. Arguments: scripts/chaos, then its options.
set -eu
chaos=$1
shift
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
rc=0
TCPSUP_LOAD_FLIP=20000 "$chaos" "$@" --no-stop 5 >"$out" 2>"$err" || rc=$?
cat "$out"
cat "$err" >&2
[ "$rc" -eq 1 ] || { echo "FAIL: scripts/chaos exited $rc, not 1"; exit 1; }
grep -Eq '^[0-9]+ kills, [1-9][0-9]* frames verified, 1 corrupted, 0 orphans, 0 zombies, 0 leaked fds$' "$out" ||
	{ echo "FAIL: the line does not report the corrupted frame alone"; exit 1; }
# A failed run keeps its directory for a person to read; this failure is
# the one wanted: it is litter. Any other is kept, as scripts/chaos said.
kept=$(sed -n 's|^chaos: seed [0-9]*; reports and load output kept in \(/tmp/tcpsup-chaos\.[A-Za-z0-9]*\)$|\1|p' "$err")
[ -z "$kept" ] || rm -rf "$kept"
echo "ok: a flipped byte fails scripts/chaos, counted as 1 corrupted"
