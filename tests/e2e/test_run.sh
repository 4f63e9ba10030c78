#!/bin/sh
# test_run.sh -- scripts/run as README shows it (scripts/run ... 2>log):
# once built, standard error carries tcpsup's output and nothing of the
# build's. Arguments: the source root and the build root under test;
# scripts/run builds ./build, so any other build directory is skipped (77).
set -eu
src=$1 build=$2
[ "$(cd "$build" && pwd -P)" = "$(cd "$src/build" 2>/dev/null && pwd -P)" ] ||
	{ echo "skipped: scripts/run uses $src/build, not $build"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*; do echo "--- $f"; cat "$f"; done; exit 1; }

# No build output, no blank line: standard error stays empty.
"$src/scripts/run" --help >"$tmp/out" 2>"$tmp/err" </dev/null || fail "--help exited $?"
[ ! -s "$tmp/err" ] || fail "scripts/run --help wrote to stderr"
head -1 "$tmp/out" | grep -q '^tcpsup - ' || fail "--help's first line"

# An error: tcpsup's own message is the first line on standard error.
rc=0
"$src/scripts/run" --bogus >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
[ "$rc" -eq 64 ] || fail "--bogus exited $rc, not 64"
[ "$(head -1 "$tmp/err")" = "tcpsup: --bogus: unknown option" ] ||
	fail "stderr does not start with tcpsup's message"
echo "ok: scripts/run keeps the build out of stderr"
