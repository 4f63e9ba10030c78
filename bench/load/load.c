/*
 * load.c -- tcpsup-load: a load generator for {packet,2} and raw echo
 * servers on loopback, tcpsup or any other. One thread, one epoll set, as
 * many connections as RLIMIT_NOFILE allows; every echoed byte is checked
 * against what was sent.
 *
 *   churn  C slots loop connect, one frame, its echo, close
 *   echo   N connections ping-pong frames, K in flight on each
 *   hold   N connections ramped and echoed, held idle, echoed again
 *   chaos  C slots of clients echoing K frames in flight for lifetimes of
 *          1 to 4096 frames, reconnecting after a close (scripts/chaos)
 *
 * The last line on stdout is always one RESULT line of key=value pairs,
 * for scripts. Exit status 0; 1 for a byte echoed wrong, a connection
 * lost (echo, hold; chaos: any failure but a close by the server), a frame
 * echoed to another client, or nothing done at all, the reason on stderr; 64 for
 * a bad command line.
 *
 * Every run ends: each connect and echo within --timeout, and the whole
 * run by a hard deadline of duration + 2 timeouts + 10 s, plus 1 ms per
 * connection for the ramp. Past it, what is outstanding counts as timed
 * out and the report goes out all the same.
 *
 * The address must be loopback: this is a bench tool, and a slip of the
 * keyboard must not turn it on another host.
 */
#include <sys/resource.h>

#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "load.h"

/* Descriptors beyond the connections: stdio and the epoll set. */
#define FD_SPARE	8

static const struct mode *const modes[] = {
	[MODE_CHURN] = &churn_mode,
	[MODE_ECHO] = &echo_mode,
	[MODE_HOLD] = &hold_mode,
	[MODE_CHAOS] = &chaos_mode,
};

/* 10,000 connections need 10,000 descriptors: take what the hard limit allows. */
static void
raise_nofile(size_t conns)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(1, "getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(1, "setrlimit");
	if (conns + FD_SPARE > rl.rlim_cur)
		errx(1, "%zu connections need %zu descriptors, and "
		    "RLIMIT_NOFILE allows %llu", conns, conns + FD_SPARE,
		    (unsigned long long)rl.rlim_cur);
}

/* TCPSUP_LOAD_FLIP=N: prove the check fails, on the Nth frame checked. */
static void
load_flip(struct load *l)
{
	const char *s = getenv("TCPSUP_LOAD_FLIP"), *errstr;

	if (s == NULL || *s == '\0')
		return;
	l->flip = (uint64_t)strtonum(s, 1, LLONG_MAX, &errstr);
	if (errstr != NULL)
		errx(EX_USAGE, "TCPSUP_LOAD_FLIP '%s': %s", s, errstr);
}

int
main(int argc, char *argv[])
{
	static struct load load;
	struct load_opts opts;
	char err[256];

	switch (opts_parse(argc, argv, &opts, err, sizeof(err))) {
	case OPTS_HELP:
		fputs(opts_usage, stdout);
		return EX_OK;
	case OPTS_ERROR:
		fprintf(stderr, "tcpsup-load: %s\n%s", err, opts_usage);
		return EX_USAGE;
	case OPTS_RUN:
		break;
	}
	raise_nofile(opts.conns);
	load_init(&load, &opts, modes[opts.mode]);
	load_flip(&load);
	load_run(&load);
	load_close_all(&load);
	load.mode->report(&load);
	return load.mode->verdict(&load);
}
