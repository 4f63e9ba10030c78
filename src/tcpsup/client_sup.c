/*
 * client_sup.c -- tcp_client_sup, the root's second child.
 *
 * A simple_one_for_one supervisor run by the generic engine, with one
 * temporary tcp_echo_fsm per connection. It reads accepted sockets from the
 * hand-off channel, which the root keeps open across its restarts, and gives
 * each one to a worker over that worker's private UNIX socket: a worker is
 * born in WAIT_FOR_SOCKET and the socket is its set_socket message.
 *
 * By default a worker is forked when its connection arrives, as in the
 * tutorial. Because a worker can wait for its socket, --spares keeps a few
 * forked ahead of time, so that no fork stands between accept and the first
 * echoed byte. That pool is refilled only while no socket waits in the
 * hand-off channel, so forking never delays a connection already there. With --reuse, a
 * worker whose client closed cleanly says so on the shared notice channel
 * and goes back into the pool; a notice is taken from the pid the kernel
 * says sent it, never from one the message carries. A worker also says there when it is about to
 * exit, so that it is reaped by its pid (see sup_child_exiting()).
 *
 * The root routes control requests for tcp_client_sup here over the
 * control channel, each with its connection: they are parsed again (never
 * trusted), answered by the engine, and the reply is written without
 * blocking, as the root writes its own.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "client_sup.h"
#include "ctl_conn.h"
#include "echo_fsm.h"
#include "fdpass.h"
#include "log.h"
#include "pidmap.h"
#include "proc.h"
#include "reason.h"
#include "report.h"
#include "stats.h"
#include "sup.h"
#include "sup_call.h"
#include "tree.h"

/* Sockets taken per wake-up, so that SIGCHLD is read between bursts. */
#define HANDOFF_BATCH	64

/* A worker whose private channel is still open here. */
struct worker {
	struct pidmap_entry	 entry;		/* first: the map hands it back */
	int			 channel;
	size_t			 idle_slot;	/* in idle[], if idle */
	bool			 idle;
};

struct client_sup {
	struct sup		*sup;
	int			 handoff;
	int			 notices;	/* workers say they are idle, or leaving */
	struct pidmap		 workers;	/* pid -> struct worker */
	struct worker		**idle;		/* waiting in WAIT_FOR_SOCKET */
	size_t			 nidle;
	size_t			 spares;	/* how many idle ones to keep */
	size_t			 idle_cap;
	bool			 reuse;
	size_t			 max_clients;	/* 0: no limit */
	bool			 full;		/* not reading the hand-off channel */
	int			 control;	/* requests routed by the root */
	struct ctl_conns	*replies;
	bool			 limited;	/* said the limit holds clients back */
};

/* -1 if the pool cannot grow: the caller then lets the worker go. */
static int
idle_push(struct client_sup *cs, struct worker *w)
{
	if (cs->nidle == cs->idle_cap) {
		size_t cap = cs->idle_cap * 2 + 16;
		struct worker **p = arena_alloc(cap * sizeof(*p));

		if (p == NULL) {
			log_warn("tcp_client_sup: idle pool");
			return -1;
		}
		if (cs->idle != NULL)
			memcpy(p, cs->idle, cs->nidle * sizeof(*p));
		arena_free(cs->idle, cs->idle_cap * sizeof(*p));
		cs->idle = p;
		cs->idle_cap = cap;
	}
	w->idle = true;
	w->idle_slot = cs->nidle;
	cs->idle[cs->nidle++] = w;
	return 0;
}

static void
idle_remove(struct client_sup *cs, struct worker *w)
{
	struct worker *last = cs->idle[--cs->nidle];

	cs->idle[w->idle_slot] = last;
	last->idle_slot = w->idle_slot;
	w->idle = false;
}

/* Forget w and close its channel: waiting for a socket, it gets EOF and exits. */
static void
worker_drop(struct client_sup *cs, struct worker *w)
{
	if (w->idle)
		idle_remove(cs, w);
	pidmap_remove(&cs->workers, w->entry.pid);
	close(w->channel);
	arena_free(w, sizeof(*w));
}

/* Fork a worker into WAIT_FOR_SOCKET and put it in the pool. */
static struct worker *
spawn(struct client_sup *cs)
{
	struct worker *w = arena_alloc(sizeof(*w));
	int pair[2];
	pid_t pid;

	if (w == NULL ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == -1) {
		log_warn("tcp_client_sup: new worker");
		arena_free(w, sizeof(*w));
		return NULL;
	}
	pid = sup_start_child(cs->sup, (void *)(intptr_t)pair[1]);
	close(pair[1]);
	if (pid == -1) {
		close(pair[0]);
		arena_free(w, sizeof(*w));
		return NULL;
	}
	stats_add(STATS_FORKS);
	w->entry.pid = pid;
	w->channel = pair[0];
	if (pidmap_insert(&cs->workers, &w->entry) == -1) {
		close(w->channel);
		arena_free(w, sizeof(*w));
		return NULL;	/* it gets EOF in WAIT_FOR_SOCKET and exits */
	}
	if (idle_push(cs, w) == -1) {
		worker_drop(cs, w);
		return NULL;
	}
	return w;
}

/* An ERROR REPORT: a connection lost between accept and its worker. */
static void
say_handoff_failed(const char *what, int e)
{
	char atom[32], msg[200];
	struct report r;

	reason_errno(e, atom, sizeof(atom));
	snprintf(msg, sizeof(msg), "tcp_client_sup: %s: %s (%s) - closing"
	    " the connection.", what, atom, strerror(e));
	r = report_message(REPORT_ERROR, getpid(), msg);
	log_report(&r);
}

/* set_socket: give fd to an idle worker, forking one if none waits. */
static void
serve(struct client_sup *cs, int fd)
{
	for (;;) {
		struct worker *w;
		int e;

		if (cs->nidle == 0 && spawn(cs) == NULL)
			return;	/* start_error reported; the client sees a close */
		w = cs->idle[cs->nidle - 1];
		idle_remove(cs, w);
		if (fdpass_send(w->channel, fd) == 0) {
			if (!cs->reuse)
				worker_drop(cs, w);
			return;
		}
		e = errno;
		if (fdpass_peer_gone(e)) {
			/* It died after it was pooled; its exit is not reaped yet. */
			worker_drop(cs, w);
			continue;
		}
		/* A shortage (ENOBUFS): the worker is well, forking cures nothing. */
		if (idle_push(cs, w) == -1)
			worker_drop(cs, w);
		say_handoff_failed("cannot hand a connection to its worker", e);
		return;
	}
}

static bool
handoff_waiting(const struct client_sup *cs)
{
	struct pollfd pfd = { .fd = cs->handoff, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

static void
refill(struct client_sup *cs)
{
	while (cs->nidle < cs->spares && !handoff_waiting(cs))
		if (spawn(cs) == NULL)
			return;
}

/* Workers serving a client: every child but those waiting for a socket. */
static size_t
serving(const struct client_sup *cs)
{
	return sup_count_children(cs->sup) - cs->nidle;
}

static void on_handoff(void *);

/* An INFO REPORT: "tcp_client_sup: N client(s), <state>." */
static void
say_clients(const struct client_sup *cs, const char *state)
{
	char msg[160];
	struct report r;
	size_t n = serving(cs);

	snprintf(msg, sizeof(msg), "tcp_client_sup: %zu client%s, %s.", n,
	    n == 1 ? "" : "s", state);
	r = report_message(REPORT_INFO, getpid(), msg);
	log_report(&r);
}

/*
 * --max-clients: at the limit, stop reading the hand-off channel. Sockets
 * then queue in it until the listener's next send blocks, and after that
 * in the kernel's backlog: nothing is refused, nothing spins.
 *
 * A limit the user set is no error: one INFO REPORT when it is reached,
 * one when it holds nobody back any more. While connections wait, a client
 * leaving only lets the next one in, which is not leaving the limit.
 */
static void
check_capacity(struct client_sup *cs)
{
	char state[96];
	bool full = cs->max_clients > 0 && serving(cs) >= cs->max_clients;

	stats_set(STATS_CLIENTS, serving(cs));
	if (full != cs->full) {
		cs->full = full;
		if (full)
			sup_unwatch(cs->sup, cs->handoff);
		else
			sup_watch(cs->sup, cs->handoff, on_handoff, cs);
	}
	if (full && !cs->limited) {
		cs->limited = true;
		say_clients(cs, "the maximum (--max-clients) - new connections"
		    " wait until one leaves");
	} else if (!full && cs->limited && !handoff_waiting(cs)) {
		cs->limited = false;
		snprintf(state, sizeof(state), "under the maximum of %zu - no"
		    " connection waits", cs->max_clients);
		say_clients(cs, state);
	}
}

static void
on_handoff(void *ctx)
{
	struct client_sup *cs = ctx;

	for (int i = 0; i < HANDOFF_BATCH && !cs->full; i++) {
		int fd = fdpass_recv(cs->handoff);

		if (fd == -1) {
			if (errno == EBADMSG)
				continue;
			if (errno != EAGAIN && errno != EINTR)
				log_warn("tcp_client_sup: hand-off");
			break;
		}
		serve(cs, fd);
		close(fd);
		check_capacity(cs);
	}
	/* The channel may have held nothing but a bad message. */
	check_capacity(cs);
	refill(cs);
}

/*
 * The next notice and the pid of the process that sent it: 1, or 0 for a
 * message to skip (malformed, or without credentials), or -1 once none is
 * left. The kernel fills in the sender's credentials (SO_PASSCRED), which
 * no worker can forge, unlike a pid it would write itself.
 */
static int
notice_recv(int fd, struct echo_fsm_notice *n, pid_t *sender)
{
	union {
		char		buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr	align;
	} cm;
	struct iovec iov = { .iov_base = n, .iov_len = sizeof(*n) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.buf, .msg_controllen = sizeof(cm.buf),
	};
	struct cmsghdr *c;
	struct ucred cred;
	ssize_t r;

	do {
		r = recvmsg(fd, &msg, MSG_DONTWAIT);
	} while (r == -1 && errno == EINTR);
	if (r == -1)
		return -1;
	if (r != sizeof(*n) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		return 0;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(cred))) {
			memcpy(&cred, CMSG_DATA(c), sizeof(cred));
			*sender = cred.pid;
			return 1;
		}
	return 0;
}

static void
on_notice(void *ctx)
{
	struct client_sup *cs = ctx;
	struct echo_fsm_notice n;
	struct pidmap_entry *e;
	pid_t pid;
	int rc;

	while ((rc = notice_recv(cs->notices, &n, &pid)) != -1) {
		if (rc == 0)
			continue;
		if (n.what == ECHO_FSM_EXITING) {
			sup_child_exiting(cs->sup, pid);
			continue;
		}
		/* Unknown: it has exited since, and was dropped already. */
		if ((e = pidmap_find(&cs->workers, pid)) != NULL &&
		    !((struct worker *)e)->idle &&
		    idle_push(cs, (struct worker *)e) == -1)
			worker_drop(cs, (struct worker *)e);
	}
	check_capacity(cs);
}

static void
on_worker_exit(void *ctx, pid_t pid)
{
	struct client_sup *cs = ctx;
	struct pidmap_entry *e = pidmap_find(&cs->workers, pid);

	if (e != NULL)
		worker_drop(cs, (struct worker *)e);
	check_capacity(cs);
	refill(cs);
}

/* A request the root routed here, with the connection to answer on. */
static void
on_control(void *ctx)
{
	struct client_sup *cs = ctx;

	for (int i = 0; i < CTL_CONN_MAX; i++) {
		char raw[CTL_REQUEST_MAX], why[64];
		struct ctl_reply reply = { 0 };
		struct ctl_request req;
		size_t len;
		int fd = fdpass_recv_data(cs->control, raw, sizeof(raw), &len);

		if (fd == -1) {
			if (errno == EBADMSG)
				continue;
			break;
		}
		if (ctl_request_parse(raw, len, &req, why, sizeof(why)) ==
		    CTL_PARSE_OK) {
			sup_call(cs->sup, &req, &reply);
		} else {
			ctl_reply_error(&reply, "badrequest");
			ctl_reply_end(&reply);
		}
		ctl_conns_reply(cs->replies, fd, &reply);
	}
}

/* What a worker is doing, for a tree view: the tutorial's state names. */
static const char *
describe(void *ctx, pid_t pid)
{
	struct client_sup *cs = ctx;
	struct pidmap_entry *e = pidmap_find(&cs->workers, pid);

	return e != NULL && ((struct worker *)e)->idle ? "WAIT_FOR_SOCKET" :
	    "WAIT_FOR_DATA";
}

/* Returns the end the workers write to. */
static int
open_notice_channel(struct client_sup *cs)
{
	const int on = 1;
	int pair[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == -1)
		log_err(1, "tcp_client_sup: socketpair");
	cs->notices = pair[0];
	if (fcntl(cs->notices, F_SETFL, O_NONBLOCK) == -1)
		log_err(1, "tcp_client_sup: fcntl");
	if (setsockopt(cs->notices, SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)) == -1)
		log_err(1, "tcp_client_sup: SO_PASSCRED");
	sup_watch(cs->sup, cs->notices, on_notice, cs);
	return pair[1];
}

void
client_sup_start(void *arg, void *extra)
{
	const struct tree *t = arg;
	/* Outside the arena: the workers read it after they drop the arena. */
	static struct echo_fsm_conf conf;
	struct client_sup *cs;
	const struct child_spec worker = {
		.id = NULL,
		.mfa = "{tcp_echo_fsm,start_link,[]}",
		.modules = "[]",
		.restart = RESTART_TEMPORARY,
		.shutdown = t->opts->shutdown,
		.type = CHILD_WORKER,
		.start = echo_fsm_start,
		.arg = &conf,
	};
	const struct sup_flags flags = {
		.name = "tcp_client_sup",
		.strategy = SUP_SIMPLE_ONE_FOR_ONE,
		.intensity = t->opts->intensity,
		.period = t->opts->period,
	};

	(void)extra;
	setpgid(0, 0);	/* the terminal's ^C is for the root alone */
	close(t->listen_fd);
	close(t->handoff_send);
	close(t->control_send);
	proc_title("tcp_client_sup");
	/* In the arena: it changes with every connection (see arena.h). */
	if ((cs = arena_alloc(sizeof(*cs))) == NULL ||
	    pidmap_init(&cs->workers) == -1)
		log_err(1, "tcp_client_sup");
	cs->handoff = t->handoff_recv;
	cs->spares = (size_t)t->opts->spares;
	cs->reuse = t->opts->reuse > 0;
	cs->max_clients = (size_t)t->opts->max_clients;
	cs->control = t->control_recv;
	cs->sup = sup_create(&flags, &worker, 1);
	sup_on_exit(cs->sup, on_worker_exit, cs);
	sup_on_describe(cs->sup, describe, cs);
	sup_watch(cs->sup, cs->handoff, on_handoff, cs);
	cs->replies = ctl_conns_create(cs->sup, NULL, NULL);
	sup_watch(cs->sup, cs->control, on_control, cs);
	/* The workers of a client supervisor that died serve nobody now. */
	stats_set(STATS_CLIENTS, 0);
	conf = (struct echo_fsm_conf){
		.opts = t->opts,
		.notices = open_notice_channel(cs),
	};
	refill(cs);
	sup_run(cs->sup);
	/* Stopped or gave up, OTP says shutdown either way. */
	_exit(REASON_SHUTDOWN_STATUS);
}
