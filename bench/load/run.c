/*
 * run.c -- tcpsup-load's event loop: one epoll set for every connection, a
 * sweep for timeouts, the mode's tick after every wakeup, and a hard
 * deadline that ends the run whatever the server does or does not do.
 */
#include <sys/param.h>
#include <sys/epoll.h>

#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "load.h"

#define LOAD_EVENTS	512
#define SWEEP_MAX	(100 * NS_PER_MS)
#define DEADLINE_SLACK	(10 * NS_PER_S)
#define RAMP_ALLOWANCE	NS_PER_MS	/* per connection, on the deadline */

uint64_t
load_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Everything is allocated here, once: the loop allocates nothing. */
void
load_init(struct load *l, const struct load_opts *o,
    const struct mode *mode)
{
	size_t i;

	l->opts = o;
	l->mode = mode;
	l->nconns = o->conns;
	pattern_init(&l->pattern, o->header, o->size);
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	if ((l->conns = calloc(l->nconns, sizeof(*l->conns))) == NULL ||
	    (l->free = calloc(l->nconns, sizeof(*l->free))) == NULL ||
	    (l->sent_at = calloc(l->nconns * o->pipeline,
	    sizeof(*l->sent_at))) == NULL)
		err(1, "%s", __func__);
	for (i = 0; i < l->nconns; i++) {
		l->conns[i].fd = -1;
		l->conns[i].sent_at = l->sent_at + i * o->pipeline;
	}
	l->sweep_every = MAX(NS_PER_MS, MIN(o->timeout / 10, SWEEP_MAX));
	l->started = l->now = load_now();
	l->next_sweep = l->now + l->sweep_every;
	l->deadline = l->started + o->duration + 2 * o->timeout +
	    DEADLINE_SLACK + l->nconns * RAMP_ALLOWANCE;
}

/* Until the first timer: the sweep, the mode's, or the deadline. */
static int
load_wait_ms(const struct load *l)
{
	uint64_t until = MIN(l->next_sweep, l->deadline);

	if (l->wake != 0)
		until = MIN(until, l->wake);
	if (until <= l->now)
		return 0;
	return (int)((until - l->now + NS_PER_MS - 1) / NS_PER_MS);
}

static void
load_sweep(struct load *l)
{
	struct conn *c;
	uint64_t since;

	for (c = l->conns; c < l->conns + l->nconns; c++)
		if (conn_waiting(l, c, &since) &&
		    l->now - since >= l->opts->timeout)
			conn_fail(l, c, OUT_TIMEOUT, 0);
	l->next_sweep = l->now + l->sweep_every;
}

/* The hard deadline: whatever is still outstanding has timed out. */
static void
load_abort(struct load *l)
{
	struct conn *c;
	uint64_t since;

	warnx("hard deadline passed after %.2f s: stopping",
	    load_secs(l->now - l->started));
	for (c = l->conns; c < l->conns + l->nconns; c++)
		if (conn_waiting(l, c, &since))
			conn_fail(l, c, OUT_TIMEOUT, 0);
}

void
load_run(struct load *l)
{
	struct epoll_event ev[LOAD_EVENTS];
	int i, n;

	l->mode->start(l);
	while (!l->mode->tick(l)) {
		if (l->now >= l->deadline) {
			load_abort(l);
			break;
		}
		n = epoll_wait(l->epfd, ev, LOAD_EVENTS, load_wait_ms(l));
		if (n == -1 && errno != EINTR)
			err(1, "epoll_wait");
		for (i = 0; i < n; i++)
			conn_event(l, ev[i].data.ptr, ev[i].events);
		l->now = load_now();
		if (l->now >= l->next_sweep)
			load_sweep(l);
	}
	l->ended = l->now;
}

void
load_close_all(struct load *l)
{
	struct conn *c;

	for (c = l->conns; c < l->conns + l->nconns; c++)
		if (c->state != CONN_FREE)
			conn_close(l, c);
}

/* echo, hold: open the next slots, LOAD_RAMP of them at once at most. */
void
load_ramp_fill(struct load *l)
{
	struct conn *c;

	while (l->ramp_next < l->nconns && l->ramp_inflight < LOAD_RAMP) {
		c = &l->conns[l->ramp_next++];
		c->ramping = 1;
		l->ramp_inflight++;
		conn_open(l, c);
	}
}

/* A slot is through the ramp, ready or failed; conn_close() calls it too. */
void
load_ramp_leave(struct load *l, struct conn *c)
{
	c->ramping = 0;
	l->ramp_inflight--;
	l->ramp_left++;
}

int
load_ramp_over(const struct load *l)
{
	return l->ramp_left == l->nconns;
}
