/*
 * ctl_conn.c -- a bounded table of control connections, read and written
 * without blocking under one deadline timer (see ctl_conn.h).
 *
 * Every read and write is non-blocking and takes what the socket has or
 * room for; the rest waits for the next readiness event. The table lives
 * in the supervisor's arena, so the children it forks never see it.
 */
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "ctl_conn.h"
#include "log.h"
#include "proc.h"

struct ctl_conn {
	struct ctl_conns	*table;
	int			 fd;		/* -1: a free slot */
	bool			 writing;
	bool			 watched;
	int64_t			 deadline;	/* ms, proc_now_ms() */
	char			 request[CTL_REQUEST_MAX];
	size_t			 len;
	struct ctl_reply	 reply;
	size_t			 sent;
};

struct ctl_conns {
	struct sup		*sup;
	ctl_conns_on_request	*on_request;
	void			*ctx;
	int			 timer;		/* the nearest deadline */
	struct ctl_conn		 conns[CTL_CONN_MAX];
};

/* Arm the timer for the nearest deadline, or disarm it. */
static void
arm(struct ctl_conns *t)
{
	struct itimerspec when = { 0 };
	int64_t nearest = INT64_MAX;

	for (size_t i = 0; i < CTL_CONN_MAX; i++)
		if (t->conns[i].fd != -1 && t->conns[i].deadline < nearest)
			nearest = t->conns[i].deadline;
	if (nearest != INT64_MAX) {
		/* 0 would disarm it: a deadline already past fires at once. */
		when.it_value.tv_sec = nearest / 1000;
		when.it_value.tv_nsec = nearest % 1000 * 1000000 + 1;
	}
	if (timerfd_settime(t->timer, TFD_TIMER_ABSTIME, &when, NULL) == -1)
		log_warn("%s: timerfd_settime", __func__);
}

static void
drop(struct ctl_conn *c)
{
	struct ctl_conns *t = c->table;

	if (c->watched)
		sup_unwatch(t->sup, c->fd);
	close(c->fd);
	ctl_reply_free(&c->reply);
	*c = (struct ctl_conn){ .table = t, .fd = -1 };
	arm(t);
}

static struct ctl_conn *
find(struct ctl_conns *t, int fd)
{
	for (size_t i = 0; i < CTL_CONN_MAX; i++)
		if (t->conns[i].fd == fd)
			return &t->conns[i];
	return NULL;
}

static struct ctl_conn *
take(struct ctl_conns *t, int fd, int64_t timeout_ms)
{
	struct ctl_conn *c = find(t, -1);

	if (c == NULL)
		return NULL;
	c->fd = fd;
	c->deadline = proc_now_ms() + timeout_ms;
	arm(t);
	return c;
}

static void on_writable(void *);

/* Send what the socket takes; wait for room for the rest. */
static void
flush(struct ctl_conn *c)
{
	while (c->sent < c->reply.len) {
		ssize_t n = send(c->fd, c->reply.buf + c->sent,
		    c->reply.len - c->sent, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			c->sent += (size_t)n;
		} else if (n == -1 && errno == EAGAIN) {
			if (!c->watched)
				sup_watch_out(c->table->sup, c->fd, on_writable, c);
			c->watched = true;
			return;
		} else if (n == 0 || errno != EINTR) {
			break;	/* gone: nobody to finish the reply for */
		}
	}
	drop(c);
}

static void
on_writable(void *ctx)
{
	struct ctl_conn *c = ctx;

	if (c->fd != -1 && c->writing)
		flush(c);
}

/* Switch c to writing reply, which becomes c's. */
static void
start_reply(struct ctl_conn *c, struct ctl_reply *reply)
{
	if (c->watched)
		sup_unwatch(c->table->sup, c->fd);
	c->watched = false;
	c->writing = true;
	c->reply = *reply;
	*reply = (struct ctl_reply){ 0 };
	c->sent = 0;
	c->deadline = proc_now_ms() + CTL_CONN_WRITE_MS;
	arm(c->table);
	flush(c);
}

static void
reply_error(struct ctl_conn *c, const char *term)
{
	struct ctl_reply reply = { 0 };

	ctl_reply_error(&reply, term);
	ctl_reply_end(&reply);
	start_reply(c, &reply);
}

static void
on_readable(void *ctx)
{
	struct ctl_conn *c = ctx;
	struct ctl_request req;
	char why[64];
	ssize_t n;

	if (c->fd == -1 || c->writing)
		return;
	n = recv(c->fd, c->request + c->len, sizeof(c->request) - c->len,
	    MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		/* Hung up: a request cut short is answered, nothing is not. */
		if (n == 0 && c->len > 0)
			reply_error(c, "badrequest");
		else
			drop(c);
		return;
	}
	c->len += (size_t)n;
	switch (ctl_request_parse(c->request, c->len, &req, why, sizeof(why))) {
	case CTL_PARSE_INCOMPLETE:
		return;
	case CTL_PARSE_ERROR:
		reply_error(c, "badrequest");
		return;
	case CTL_PARSE_OK:
		c->table->on_request(c->table->ctx, c->fd, &req, c->request,
		    c->len);
		return;
	}
}

static void
on_deadline(void *ctx)
{
	struct ctl_conns *t = ctx;
	uint64_t expirations;
	int64_t now = proc_now_ms();

	if (read(t->timer, &expirations, sizeof(expirations)) == -1)
		return;
	for (size_t i = 0; i < CTL_CONN_MAX; i++)
		if (t->conns[i].fd != -1 && t->conns[i].deadline <= now)
			drop(&t->conns[i]);
	arm(t);
}

struct ctl_conns *
ctl_conns_create(struct sup *sup, ctl_conns_on_request *on_request,
    void *ctx)
{
	struct ctl_conns *t = arena_alloc(sizeof(*t));

	if (t == NULL)
		log_err(1, "%s", __func__);
	t->sup = sup;
	t->on_request = on_request;
	t->ctx = ctx;
	for (size_t i = 0; i < CTL_CONN_MAX; i++)
		t->conns[i] = (struct ctl_conn){ .table = t, .fd = -1 };
	if ((t->timer = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
		log_err(1, "%s: timerfd_create", __func__);
	sup_watch(sup, t->timer, on_deadline, t);
	return t;
}

int
ctl_conns_read(struct ctl_conns *t, int fd)
{
	struct ctl_conn *c = take(t, fd, CTL_CONN_READ_MS);

	if (c == NULL)
		return -1;
	sup_watch(t->sup, fd, on_readable, c);
	c->watched = true;
	return 0;
}

void
ctl_conns_reply(struct ctl_conns *t, int fd, struct ctl_reply *reply)
{
	struct ctl_conn *c = find(t, fd);

	if (c == NULL && (c = take(t, fd, CTL_CONN_WRITE_MS)) == NULL) {
		ctl_reply_free(reply);
		ctl_conns_refuse(fd, "busy");
		return;
	}
	start_reply(c, reply);
}

void
ctl_conns_release(struct ctl_conns *t, int fd)
{
	struct ctl_conn *c = find(t, fd);

	if (c != NULL)
		drop(c);
}

void
ctl_conns_close_all(struct ctl_conns *t)
{
	for (size_t i = 0; i < CTL_CONN_MAX; i++)
		if (t->conns[i].fd != -1)
			drop(&t->conns[i]);
}

void
ctl_conns_refuse(int fd, const char *term)
{
	struct ctl_reply reply = { 0 };

	ctl_reply_error(&reply, term);
	ctl_reply_end(&reply);
	send(fd, reply.buf, reply.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	ctl_reply_free(&reply);
	close(fd);
}
