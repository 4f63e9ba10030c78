/*
 * listener.c -- tcp_listener, the root's first child (id tcp_server_sup).
 *
 * The listening socket belongs to the root: it is opened here once, in the
 * root, before anything is forked (or taken from systemd, sdlisten.h),
 * and survives every restart of the listener, so connections that
 * arrive while no listener runs wait in the kernel backlog instead of being
 * refused. The listener accepts and passes each socket over the hand-off
 * channel; when the channel is full it blocks, and the backlog absorbs the
 * load. Running out of descriptors pauses accepting instead of crashing, as
 * the tutorial's listener did.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fdpass.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "reason.h"
#include "report.h"
#include "stats.h"
#include "tree.h"

/* How long to stop accepting when descriptors run out. */
#define ACCEPT_PAUSE_MS		250

/* Accepts per wake-up: enough to drain a burst, few enough to stay fair. */
#define ACCEPT_BATCH		64

static int
open_listen_socket(const struct options *o)
{
	int fd, one = 1;

	fd = socket(o->listen.ss.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/*
	 * Accepted sockets inherit SO_KEEPALIVE, as the tutorial asks.
	 * SO_REUSEPORT: every tree bound with it shares the port, and the
	 * kernel spreads the connections among their backlogs.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (o->reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) == -1) ||
	    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == -1 ||
	    (o->listen.ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) == -1) ||
	    bind(fd, (const struct sockaddr *)&o->listen.ss, o->listen.len) == -1 ||
	    listen(fd, o->backlog) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
listener_open(struct tree *t, int fd)
{
	struct addr bound = { .len = sizeof(bound.ss) };
	struct report r;

	if ((t->listen_fd = fd != -1 ? fd : open_listen_socket(t->opts)) == -1) {
		reason_errno(errno, t->listen_error, sizeof(t->listen_error));
		return -1;
	}
	if (getsockname(t->listen_fd, (struct sockaddr *)&bound.ss,
	    &bound.len) == -1) {
		reason_errno(errno, t->listen_error, sizeof(t->listen_error));
		close(t->listen_fd);
		t->listen_fd = -1;
		return -1;
	}
	addr_format(&bound, t->bound, sizeof(t->bound));
	t->port = addr_port(&bound);
	snprintf(t->listener_mfa, sizeof(t->listener_mfa),
	    "{tcp_listener,start_link,[%d,%s]}", t->port,
	    t->opts->exec_argv != NULL ? "tcpsup_exec" : "tcp_echo_fsm");
	r = report_info("listening", t->bound);
	log_report(&r);
	return 0;
}

int
listener_setup(void *arg, char *reason, size_t size)
{
	const struct tree *t = arg;

	if (t->listen_fd != -1)
		return 0;
	strlcpy(reason, t->listen_error, size);
	return -1;
}

static void
report_pause(int e)
{
	char atom[32];

	reason_errno(e, atom, sizeof(atom));
	log_say(REPORT_ERROR, getpid(), "Listener cannot accept: %s (%s) - "
	    "pausing accept for %d ms.", atom, strerror(e), ACCEPT_PAUSE_MS);
}

/* Returns the pause to take before polling again, in ms. */
static int
accept_batch(const struct tree *t, int *paused)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(t->listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd == -1) {
			switch (errno) {
			case EAGAIN:
				return 0;
			case EMFILE: case ENFILE: case ENOBUFS: case ENOMEM:
				if (!*paused)
					report_pause(errno);
				*paused = 1;
				return ACCEPT_PAUSE_MS;
			default:
				/* ECONNABORTED and the like: that one is gone. */
				continue;
			}
		}
		*paused = 0;
		stats_add(STATS_ACCEPTED);
		if (fdpass_send(t->handoff_send, fd) == -1)
			log_warn("tcp_listener: hand-off");
		close(fd);
	}
	return 0;
}

void
listener_start(void *arg, void *extra)
{
	const struct tree *t = arg;
	struct pollfd pfd = { .fd = t->listen_fd, .events = POLLIN };
	int paused = 0, pause_ms;

	(void)extra;
	setpgid(0, 0);	/* the terminal's ^C is for the root alone */
	close(t->handoff_recv);
	close(t->control_send);
	close(t->control_recv);
	if (t->pidfile_fd != -1)
		close(t->pidfile_fd);
	proc_unblock_signals();
	proc_title("tcp_listener %s", t->bound);
	for (;;) {
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			log_err(1, "tcp_listener: poll");
		pause_ms = accept_batch(t, &paused);
		if (pause_ms > 0)
			poll(NULL, 0, pause_ms);
	}
}
