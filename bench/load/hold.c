/*
 * hold.c -- hold mode: N connections ramped in, each checked with one echo,
 * held idle for the duration, then each checked again. It measures what
 * N idle connections cost the server: the hold is a quiet epoll_wait, so
 * a script can sample the server's memory meanwhile.
 */
#include <inttypes.h>
#include <stdio.h>

#include "load.h"

enum { HOLD_RAMP, HOLD_IDLE, HOLD_CHECK };

static void
hold_start(struct load *l)
{
	l->phase = HOLD_RAMP;
}

static void
hold_idle(struct load *l)
{
	l->phase = HOLD_IDLE;
	l->phase_start = l->now;
	l->phase_end = l->wake = l->now + l->opts->duration;
}

static void
hold_check(struct load *l)
{
	struct conn *c;

	l->phase = HOLD_CHECK;
	l->wake = 0;
	for (c = l->conns; c < l->conns + l->nconns; c++) {
		if (c->state != CONN_OPEN)
			continue;
		conn_issue(l, c, 1);
		conn_flush(l, c);
	}
}

static int
hold_tick(struct load *l)
{
	switch (l->phase) {
	case HOLD_RAMP:
		load_ramp_fill(l);
		if (load_ramp_over(l))
			hold_idle(l);
		return 0;
	case HOLD_IDLE:
		if (l->now >= l->phase_end)
			hold_check(l);
		return 0;
	default:
		return l->outstanding == 0;
	}
}

static void
hold_connected(struct load *l, struct conn *c)
{
	conn_issue(l, c, 1);
}

static int
hold_echoed(struct load *l, struct conn *c, uint64_t seq)
{
	if (seq == 0) {
		l->ok++;
		load_ramp_leave(l, c);
	} else
		l->survived++;
	return 1;
}

/* The ramp ends where the hold starts, or with the run if it never did. */
static uint64_t
hold_ramp_ms(const struct load *l)
{
	uint64_t end = l->phase == HOLD_RAMP ? l->ended : l->phase_start;

	return (end - l->started) / NS_PER_MS;
}

static void
hold_report(const struct load *l)
{
	double held = l->phase == HOLD_RAMP ? 0 : load_secs(l->opts->duration);

	if (!l->opts->quiet) {
		printf("hold: %" PRIu64 " of %zu connections up and echoing "
		    "after %" PRIu64 " ms, held %.2f s, %" PRIu64
		    " echoed again\n", l->ok, l->nconns, hold_ramp_ms(l), held,
		    l->survived);
		summary_errors(l);
	}
	printf("RESULT mode=hold conns=%zu ramp_ms=%" PRIu64 " held=%" PRIu64
	    " survived=%" PRIu64, l->nconns, hold_ramp_ms(l), l->ok,
	    l->survived);
	result_errors(l);
}

static int
hold_verdict(const struct load *l)
{
	return load_verdict(l, l->nconns - l->survived, "connection");
}

const struct mode hold_mode = {
	.start = hold_start,
	.tick = hold_tick,
	.connected = hold_connected,
	.echoed = hold_echoed,
	.report = hold_report,
	.verdict = hold_verdict,
};
