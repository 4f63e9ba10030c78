#!/bin/sh
# memcheck.sh BIN ARGS... -- run tcpsup under valgrind memcheck, for the
# end-to-end suites (TS_WRAPPER, set by scripts/memcheck). Every process of
# the tree, forked ones too, writes its own log, $TS_VALGRIND_LOGS/vg.PID.
# Never confined: valgrind's own system calls break the seccomp filter, and
# it needs far more address space than a worker's RLIMIT_AS.
bin=$1
shift
exec valgrind --tool=memcheck --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	--error-exitcode=99 --num-callers=30 \
	--log-file="${TS_VALGRIND_LOGS:?}/vg.%p" \
	"$bin" --no-sandbox "$@"
