/*
 * echo.c -- echo mode: N persistent connections, ramped in first, then
 * each keeps K frames in flight for the duration. It measures the
 * server's steady-state round trips; latency runs from a frame's issue to
 * its checked echo. Frames echoed after the window are not counted, but
 * they are awaited: a socket closed with unread data sends the server a
 * reset, not an end. Any connection that fails is lost.
 */
#include <sys/param.h>

#include <inttypes.h>
#include <stdio.h>

#include "load.h"

enum { ECHO_RAMP, ECHO_RUN, ECHO_DRAIN };

static void
echo_start(struct load *l)
{
	l->phase = ECHO_RAMP;
}

/* The window opens on every connection at once. */
static void
echo_begin(struct load *l)
{
	struct conn *c;

	l->phase = ECHO_RUN;
	l->phase_start = l->now;
	l->phase_end = l->wake = l->now + l->opts->duration;
	for (c = l->conns; c < l->conns + l->nconns; c++) {
		if (c->state != CONN_OPEN)
			continue;
		conn_issue(l, c, l->opts->pipeline);
		conn_flush(l, c);
	}
}

static int
echo_tick(struct load *l)
{
	switch (l->phase) {
	case ECHO_RAMP:
		load_ramp_fill(l);
		if (!load_ramp_over(l))
			return 0;
		echo_begin(l);
		return l->active == 0;
	case ECHO_RUN:
		if (l->now < l->phase_end && l->active > 0)
			return 0;
		l->phase = ECHO_DRAIN;
		l->wake = 0;
		/* FALLTHROUGH */
	default:
		return l->outstanding == 0;
	}
}

static void
echo_connected(struct load *l, struct conn *c)
{
	load_ramp_leave(l, c);
}

static int
echo_echoed(struct load *l, struct conn *c, uint64_t seq)
{
	if (l->now >= l->phase_end)
		return 1;
	hist_add(&l->latency, l->now - c->sent_at[seq % l->opts->pipeline]);
	l->ok++;
	conn_issue(l, c, 1);
	return 1;
}

static double
echo_secs(const struct load *l)
{
	if (l->phase == ECHO_RAMP)
		return 0;
	return load_secs(MIN(l->ended, l->phase_end) - l->phase_start);
}

static void
echo_report(const struct load *l)
{
	const struct load_opts *o = l->opts;
	double secs = echo_secs(l);
	double rate = secs > 0 ? (double)l->ok / secs : 0;

	if (!o->quiet) {
		printf("echo: %" PRIu64 " round trips in %.2f s (%.1f/s), "
		    "%zu connections, %zu-byte frames, pipeline %zu\n", l->ok,
		    secs, rate, l->nconns, o->size, o->pipeline);
		summary_latency(l, "round trip");
		summary_errors(l);
	}
	printf("RESULT mode=echo conns=%zu size=%zu pipeline=%zu secs=%.2f "
	    "rtts=%" PRIu64 " rate=%.1f", l->nconns, o->size, o->pipeline,
	    secs, l->ok, rate);
	result_latency(l);
	result_errors(l);
}

static int
echo_verdict(const struct load *l)
{
	return load_verdict(l, load_failures(l), "round trip");
}

const struct mode echo_mode = {
	.start = echo_start,
	.tick = echo_tick,
	.connected = echo_connected,
	.echoed = echo_echoed,
	.report = echo_report,
	.verdict = echo_verdict,
};
