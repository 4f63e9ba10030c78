/*
 * conn.c -- one client connection of tcpsup-load: a non-blocking connect,
 * frames out, echoes in, every byte checked against what was sent.
 *
 * A socket is registered edge-triggered for both directions once, before
 * connect(2), so it costs no epoll_ctl(2) after: each event reads until the
 * socket is drained and writes until all that was issued is out or the
 * socket is full. What to send, and when a connection is done, is the
 * mode's business; this file only reports to it.
 */
#include <sys/param.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "load.h"

static enum outcome
outcome_of(int error)
{
	switch (error) {
	case ECONNREFUSED:
		return OUT_REFUSED;
	case ECONNRESET:
	case ECONNABORTED:
	case EPIPE:
		return OUT_RESET;
	case ETIMEDOUT:
		return OUT_TIMEOUT;
	default:
		return OUT_ERROR;
	}
}

static void
conn_reset(struct load *l, struct conn *c)
{
	c->state = CONN_CONNECTING;
	c->id = l->next_id++;
	c->issued = c->written = c->verified = 0;
	c->woff = c->roff = 0;
	c->started = l->now = load_now();
	l->active++;
	l->opened++;
}

/*
 * --bind: the source address now, the port at connect(2), which can then
 * pick one by the whole address pair (IP_BIND_ADDRESS_NO_PORT). Without
 * it, bind(2) would take a port of its own for every connection.
 */
static int
bind_source(int fd, const struct load_opts *o)
{
	int one = 1;

	if (o->src.ss_family == AF_INET && setsockopt(fd, IPPROTO_IP,
	    IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) == -1)
		return -1;
	return bind(fd, (const struct sockaddr *)&o->src, o->srclen);
}

/* Start connecting; -1 if that failed at once (counted, slot freed). */
int
conn_open(struct load *l, struct conn *c)
{
	const struct load_opts *o = l->opts;
	struct epoll_event ev = {
		.events = EPOLLIN | EPOLLOUT | EPOLLET, .data.ptr = c
	};
	int one = 1;

	conn_reset(l, c);
	c->fd = socket(o->addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd == -1 ||
	    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof(one)) == -1 ||
	    (o->srclen != 0 && bind_source(c->fd, o) == -1) ||
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, c->fd, &ev) == -1 ||
	    (connect(c->fd, (const struct sockaddr *)&o->addr,
	    o->addrlen) == -1 && errno != EINPROGRESS)) {
		conn_fail(l, c, outcome_of(errno), errno);
		return -1;
	}
	return 0;
}

void
conn_close(struct load *l, struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->state = CONN_FREE;
	l->active--;
	l->outstanding -= c->issued - c->verified;
	l->free[l->nfree++] = (size_t)(c - l->conns);
	if (c->ramping)
		load_ramp_leave(l, c);
}

void
conn_fail(struct load *l, struct conn *c, enum outcome why, int error)
{
	l->failed[why]++;
	if (why == OUT_ERROR && l->first_errno == 0)
		l->first_errno = error;
	conn_close(l, c);
}

/* A byte check failed: say how, once per run, for it may fail 10,000 times. */
static int __attribute__((format(printf, 4, 5)))
conn_mismatch(struct load *l, struct conn *c, enum outcome why,
    const char *fmt, ...)
{
	char what[128];
	va_list ap;

	if (!l->told_mismatch) {
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		warnx("%s: connection %u, frame %llu, byte %zu: %s",
		    why == OUT_CROSSTALK ? "crosstalk" : "mismatch", c->id,
		    (unsigned long long)c->verified, c->roff, what);
		l->told_mismatch = 1;
	}
	conn_fail(l, c, why, 0);
	return -1;
}

/*
 * A wrong frame: if got (at offset c->roff of a frame) holds that frame's
 * first payload word, and the word names another client of this run, the
 * frame is that client's. -1: c was closed.
 */
static int
conn_wrong(struct load *l, struct conn *c, const uint8_t *got, size_t len,
    size_t i)
{
	const size_t at = l->pattern.header;
	uint32_t id, seq;

	if (c->roff <= at && l->pattern.payload >= 8 &&
	    c->roff + len >= at + 8) {
		pattern_owner(got + (at - c->roff), &id, &seq);
		if (id != c->id && id < l->next_id)
			return conn_mismatch(l, c, OUT_CROSSTALK,
			    "the frame is connection %u's frame %u", id, seq);
	}
	c->roff += i;	/* the warning names the bad byte */
	return conn_mismatch(l, c, OUT_MISMATCH, "got 0x%02x, sent 0x%02x",
	    got[i], l->ebuf[i]);
}

/* TCPSUP_LOAD_FLIP: expect one byte of frame l->flip wrong, as a test. */
static void
conn_flip(struct load *l, struct conn *c, size_t take)
{
	if (l->flip != 0 && l->frames + 1 == l->flip &&
	    c->roff + take == l->pattern.frame) {
		l->ebuf[take - 1] ^= 0x01;
		l->flip = 0;
	}
}

/* Frames must come back whole and in order; -1 if c was closed. */
static int
conn_check(struct load *l, struct conn *c, const uint8_t *got, size_t len)
{
	size_t take, i;

	while (len > 0) {
		if (c->verified >= c->issued)
			return conn_mismatch(l, c, OUT_MISMATCH,
			    "%zu bytes more than were sent", len);
		take = MIN(len, l->pattern.frame - c->roff);
		pattern_fill(&l->pattern, c->id, c->verified, c->roff, l->ebuf,
		    take);
		conn_flip(l, c, take);
		if (memcmp(got, l->ebuf, take) != 0) {
			for (i = 0; got[i] == l->ebuf[i]; i++)
				;
			return conn_wrong(l, c, got, len, i);
		}
		got += take;
		len -= take;
		c->roff += take;
		if (c->roff < l->pattern.frame)
			continue;
		c->roff = 0;
		l->outstanding--;
		l->frames++;
		if (!l->mode->echoed(l, c, c->verified++)) {
			conn_close(l, c);
			return -1;
		}
	}
	return 0;
}

/*
 * Read until drained: a read shorter than asked for emptied the socket,
 * and more data will raise a new edge. -1 if c was closed.
 */
static int
conn_read(struct load *l, struct conn *c)
{
	ssize_t n;

	do {
		n = read(c->fd, l->rbuf, sizeof(l->rbuf));
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n == -1) {
			conn_fail(l, c, outcome_of(errno), errno);
			return -1;
		}
		if (n == 0) {
			/* The server closed, which an echo server never should. */
			conn_fail(l, c, OUT_RESET, 0);
			return -1;
		}
		if (conn_check(l, c, l->rbuf, (size_t)n) == -1)
			return -1;
	} while ((size_t)n == sizeof(l->rbuf));
	return 0;
}

/* Ask for frames to be sent; they leave at the next conn_flush(). */
void
conn_issue(struct load *l, struct conn *c, size_t frames)
{
	l->outstanding += frames;
	while (frames-- > 0)
		c->sent_at[c->issued++ % l->opts->pipeline] = l->now;
}

/* The bytes due from the writer's position on, a buffer's worth at most. */
static size_t
conn_fill(struct load *l, struct conn *c)
{
	const struct pattern *p = &l->pattern;
	uint64_t seq = c->written;
	size_t off = c->woff, len = 0, take;

	while (seq < c->issued && len < sizeof(l->wbuf)) {
		take = MIN(p->frame - off, sizeof(l->wbuf) - len);
		pattern_fill(p, c->id, seq++, off, l->wbuf + len, take);
		len += take;
		off = 0;
	}
	return len;
}

/* Write what was issued until done or the socket is full; -1 if closed. */
int
conn_flush(struct load *l, struct conn *c)
{
	ssize_t n;

	while (c->written < c->issued) {
		n = send(c->fd, l->wbuf, conn_fill(l, c), MSG_NOSIGNAL);
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n == -1) {
			conn_fail(l, c, outcome_of(errno), errno);
			return -1;
		}
		c->woff += (size_t)n;
		c->written += c->woff / l->pattern.frame;
		c->woff %= l->pattern.frame;
	}
	return 0;
}

/* 1 once connected (the mode is told), 0 if still connecting or failed. */
static int
conn_connected(struct load *l, struct conn *c, uint32_t events)
{
	socklen_t len = sizeof(int);
	int error = 0;

	if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		return 0;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &len) == -1)
		error = errno;
	if (error != 0) {
		conn_fail(l, c, outcome_of(error), error);
		return 0;
	}
	c->state = CONN_OPEN;
	l->mode->connected(l, c);
	return 1;
}

void
conn_event(struct load *l, struct conn *c, uint32_t events)
{
	l->now = load_now();
	if (c->state == CONN_CONNECTING && !conn_connected(l, c, events))
		return;
	if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) &&
	    conn_read(l, c) == -1)
		return;
	conn_flush(l, c);
}

/* 1 if an operation is outstanding, and since when (since). */
int
conn_waiting(const struct load *l, const struct conn *c, uint64_t *since)
{
	if (c->state == CONN_CONNECTING)
		*since = c->started;
	else if (c->state == CONN_OPEN && c->verified < c->issued)
		*since = c->sent_at[c->verified % l->opts->pipeline];
	else
		return 0;
	return 1;
}
