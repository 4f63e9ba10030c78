/*
 * churn.c -- churn mode: C slots, each looping connect, one frame, its echo
 * checked, close, for the duration or --max connections. It measures how
 * fast the server takes on new connections: latency runs from connect(2)
 * to the checked echo. At the end no slot starts again, and the ones under
 * way finish (or time out), so every connection started is counted once.
 */
#include <inttypes.h>
#include <stdio.h>

#include "load.h"

static void
churn_start(struct load *l)
{
	size_t i;

	for (i = l->nconns; i > 0; i--)
		l->free[l->nfree++] = i - 1;
	l->phase_end = l->wake = l->started + l->opts->duration;
}

static int
churn_stopping(const struct load *l)
{
	return l->now >= l->phase_end ||
	    (l->opts->max != 0 && l->opened >= l->opts->max);
}

/*
 * Restart the free slots. One that fails at once is left for the next
 * tick, at most a sweep away: a dead server must not make this spin.
 */
static int
churn_tick(struct load *l)
{
	struct conn *c;

	while (l->nfree > 0 && !churn_stopping(l)) {
		c = &l->conns[l->free[--l->nfree]];
		if (conn_open(l, c) == -1)
			break;
	}
	if (!churn_stopping(l))
		return 0;
	l->wake = 0;
	return l->active == 0;
}

static void
churn_connected(struct load *l, struct conn *c)
{
	conn_issue(l, c, 1);
}

static int
churn_echoed(struct load *l, struct conn *c, uint64_t seq)
{
	(void)seq;
	hist_add(&l->latency, l->now - c->started);
	l->ok++;
	return 0;
}

static double
churn_rate(const struct load *l)
{
	double secs = load_secs(l->ended - l->started);

	return secs > 0 ? (double)l->ok / secs : 0;
}

static void
churn_report(const struct load *l)
{
	const struct load_opts *o = l->opts;
	double secs = load_secs(l->ended - l->started);

	if (!o->quiet) {
		printf("churn: %" PRIu64 " connections in %.2f s (%.1f/s), "
		    "%zu slots, %zu-byte frames\n", l->ok, secs,
		    churn_rate(l), l->nconns, o->size);
		summary_latency(l, "connect to echo");
		summary_errors(l);
	}
	printf("RESULT mode=churn conc=%zu secs=%.2f conns=%" PRIu64
	    " rate=%.1f", l->nconns, secs, l->ok, churn_rate(l));
	result_latency(l);
	result_errors(l);
}

/* Failed connections are the server's answer under churn, not a loss. */
static int
churn_verdict(const struct load *l)
{
	return load_verdict(l, 0, "connection");
}

const struct mode churn_mode = {
	.start = churn_start,
	.tick = churn_tick,
	.connected = churn_connected,
	.echoed = churn_echoed,
	.report = churn_report,
	.verdict = churn_verdict,
};
