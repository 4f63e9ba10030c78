/*
 * chaos.c -- chaos mode: C slots of clients kept busy while scripts/chaos
 * kills and stops the server's processes under them. A client lives for a
 * number of frames (one slot in four churns: a single frame; the others
 * echo K frames in flight for 1 to 4096 frames, drawn from the client's
 * id), closes, and its slot connects again. A close by the server (a killed worker's FIN or
 * reset) is counted apart and the slot connects again; everything else that
 * can go wrong (a byte echoed wrong, a frame of another client, a client
 * left waiting past --timeout, a refused connection) is a failure. At the
 * end no frame is issued any more, and every client drains and closes.
 */
#include <sys/param.h>

#include <inttypes.h>
#include <stdio.h>

#include "load.h"

#define CHAOS_CHURNERS	4	/* one client in this many sends one frame */
#define CHAOS_LIFE	4096	/* the others live 1 to this many frames */

/* How many frames a client sends: a churner's one, or a spread from its id. */
static uint64_t
chaos_life(const struct load *l, const struct conn *c)
{
	uint64_t x = c->id * 0x9e3779b97f4a7c15ULL;

	if ((size_t)(c - l->conns) % CHAOS_CHURNERS == 0)
		return 1;
	return 1 + (x >> 40) % CHAOS_LIFE;
}

static void
chaos_start(struct load *l)
{
	size_t i;

	for (i = l->nconns; i > 0; i--)
		l->free[l->nfree++] = i - 1;
	l->phase_end = l->wake = l->started + l->opts->duration;
}

static int
chaos_stopping(const struct load *l)
{
	return l->now >= l->phase_end;
}

/* Reconnect the free slots; one that fails at once waits for the next tick. */
static int
chaos_tick(struct load *l)
{
	struct conn *c;

	while (l->nfree > 0 && !chaos_stopping(l)) {
		c = &l->conns[l->free[--l->nfree]];
		if (conn_open(l, c) == -1)
			break;
	}
	if (!chaos_stopping(l))
		return 0;
	l->wake = 0;
	return l->active == 0;
}

static void
chaos_connected(struct load *l, struct conn *c)
{
	conn_issue(l, c, MIN(l->opts->pipeline, chaos_life(l, c)));
}

/* One more frame while the client has life left; 0 closes it, drained. */
static int
chaos_echoed(struct load *l, struct conn *c, uint64_t seq)
{
	(void)seq;
	l->ok++;
	if (!chaos_stopping(l) && c->issued < chaos_life(l, c)) {
		conn_issue(l, c, 1);
		return 1;
	}
	if (c->verified < c->issued)
		return 1;
	l->finished++;
	return 0;
}

static void
chaos_report(const struct load *l)
{
	const struct load_opts *o = l->opts;
	double secs = load_secs(l->ended - l->started);

	if (!o->quiet) {
		printf("chaos: %" PRIu64 " frames verified in %.2f s, %" PRIu64
		    " clients finished, %" PRIu64 " closed by the server, "
		    "%zu slots\n", l->ok, secs, l->finished, l->failed[OUT_RESET],
		    l->nconns);
		summary_errors(l);
	}
	printf("RESULT mode=chaos conns=%zu secs=%.2f frames=%" PRIu64
	    " finished=%" PRIu64 " closed=%" PRIu64, l->nconns, secs, l->ok,
	    l->finished, l->failed[OUT_RESET]);
	result_errors(l);
}

/* A close by the server is chaos's doing; any other failure is a fault. */
static int
chaos_verdict(const struct load *l)
{
	return load_verdict(l, load_failures(l) - l->failed[OUT_RESET],
	    "frame");
}

const struct mode chaos_mode = {
	.start = chaos_start,
	.tick = chaos_tick,
	.connected = chaos_connected,
	.echoed = chaos_echoed,
	.report = chaos_report,
	.verdict = chaos_verdict,
};
