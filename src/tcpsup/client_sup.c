/*
 * client_sup.c -- tcp_client_sup, the root's second child.
 *
 * A simple_one_for_one supervisor run by the generic engine, with one
 * temporary tcp_echo_fsm per connection. It reads accepted sockets from the
 * hand-off channel, which the root keeps open across its restarts. Echo
 * workers are cloned by the echo_spawner (spawner.c), confined already.
 *
 * By default a worker is started when its connection arrives, as in the
 * tutorial, and the socket goes with the request to the spawner, whose
 * clone inherits it: its set_socket. A worker can also be born in
 * WAIT_FOR_SOCKET, with a private UNIX socket on which its sockets arrive:
 * --spares keeps a few started ahead of time, so that no clone stands
 * between accept and the first echoed byte. That pool is refilled only
 * while no socket waits in the hand-off channel, so starting workers never
 * delays a connection already there. With --reuse, a worker whose client
 * closed cleanly says so on the shared notice channel and goes back into
 * the pool; a notice is taken from the pid the kernel says sent it, never
 * from one the message carries.
 *
 * With --max-per-ip it counts the connections served per client address
 * (ipcount.c): a worker's record then stays until it exits, holding its
 * address's count, and a connection over the limit is closed at once,
 * before any worker is forked for it.
 *
 * The root routes control requests for tcp_client_sup here over the
 * control channel, each with its connection: they are parsed again (never
 * trusted), answered by the engine, and the reply is written without
 * blocking, as the root writes its own.
 */
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "arena.h"
#include "client_sup.h"
#include "ctl_conn.h"
#include "echo_fsm.h"
#include "exec_sup.h"
#include "fdpass.h"
#include "ipcount.h"
#include "log.h"
#include "pidmap.h"
#include "proc.h"
#include "reason.h"
#include "report.h"
#include "spawner.h"
#include "stats.h"
#include "sup.h"
#include "sup_call.h"
#include "tree.h"

/*
 * Sockets taken per wake-up, so that SIGCHLD is read between bursts;
 * started together, as one burst.
 */
#define HANDOFF_BATCH	SUP_BATCH_MAX

/*
 * Out of processes, descriptors or memory: the hand-off channel is left
 * unread for this long, doubling to the last, until a worker starts.
 */
#define SHORT_FIRST_MS	100
#define SHORT_LAST_MS	1000

/* At most one --max-per-ip report per address in this many seconds. */
#define PER_IP_REPORT_SECS	5

/* A socket from the hand-off channel, and its client's count, if kept. */
struct incoming {
	int			 fd;
	struct ipcount_entry	*ip;
};

/* A worker whose private channel is still open here. */
struct worker {
	struct pidmap_entry	 entry;		/* first: the map hands it back */
	int			 channel;	/* -1 once its one socket is sent */
	struct ipcount_entry	*ip;		/* its client's address, if counted */
	size_t			 idle_slot;	/* in idle[], if idle */
	bool			 idle;
};

struct client_sup {
	struct sup		*sup;
	int			 handoff;
	int			 notices;	/* --reuse: workers say they are idle */
	struct pidmap		 workers;	/* pid -> struct worker */
	struct worker		**idle;		/* waiting in WAIT_FOR_SOCKET */
	size_t			 nidle;
	size_t			 spares;	/* how many idle ones to keep */
	size_t			 idle_cap;
	bool			 reuse;
	size_t			 max_clients;	/* 0: no limit */
	bool			 full;		/* at --max-clients */
	bool			 watching;	/* reading the hand-off channel */
	int			 pause;		/* timerfd: a shortage's back-off */
	bool			 paused;	/* that timer is running */
	int			 pause_ms;	/* the back-off now, 0: no shortage */
	struct timespec		 short_since;
	/* Sockets waiting for a worker, after a shortage. */
	struct incoming		 held[HANDOFF_BATCH];
	size_t			 nheld;
	int			 control;	/* requests routed by the root */
	struct ctl_conns	*replies;
	bool			 limited;	/* said the limit holds clients back */
	unsigned		 max_per_ip;	/* 0: no limit */
	int			 prefix6;	/* bits of an IPv6 address counted */
	struct ipcount		 ips;		/* connections per address */
	struct exec_sup		*exec;		/* --exec, or NULL */
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

/* Its client is gone, or about to be: the address has one less. */
static void
worker_release_ip(struct client_sup *cs, struct worker *w)
{
	if (w->ip != NULL)
		ipcount_release(&cs->ips, w->ip);
	w->ip = NULL;
}

/* Forget w and close its channel: a worker waiting for a socket exits. */
static void
worker_drop(struct client_sup *cs, struct worker *w)
{
	if (w->idle)
		idle_remove(cs, w);
	worker_release_ip(cs, w);
	pidmap_remove(&cs->workers, w->entry.pid);
	if (w->channel != -1)
		close(w->channel);
	arena_free(w, sizeof(*w));
}

/*
 * Fork a worker with its channel's end: an echo worker gets the channel
 * alone, an exec worker a stderr pipe too.
 */
static pid_t
fork_worker(struct client_sup *cs, int channel)
{
	struct exec_fds fds = { .channel = channel };
	int err_read, e;
	pid_t pid;

	if (cs->exec == NULL)
		return sup_start_child(cs->sup, SPAWNER_CHANNEL(channel));
	if (exec_sup_prepare(&fds, &err_read) == -1)
		return -1;
	pid = sup_start_child(cs->sup, &fds);
	e = errno;
	close(fds.err);
	if (pid == -1)
		close(err_read);
	else
		exec_sup_spawned(cs->exec, pid, err_read);
	errno = e;
	return pid;
}

/* Fork a worker into WAIT_FOR_SOCKET and put it in the pool. */
static struct worker *
spawn(struct client_sup *cs)
{
	struct worker *w = arena_alloc(sizeof(*w));
	int pair[2], e;
	pid_t pid;

	/* Failures leave errno for the caller's shortage report. */
	if (w == NULL)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == -1) {
		e = errno;
		arena_free(w, sizeof(*w));
		errno = e;
		return NULL;
	}
	pid = fork_worker(cs, pair[1]);
	e = errno;
	close(pair[1]);
	if (pid == -1) {
		close(pair[0]);
		arena_free(w, sizeof(*w));
		errno = e;
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
	char atom[32];

	reason_errno(e, atom, sizeof(atom));
	log_say(REPORT_ERROR, getpid(), "tcp_client_sup: %s: %s (%s) - closing"
	    " the connection.", what, atom, strerror(e));
}

/* An ERROR REPORT for n connections closed over --max-per-ip. */
static void
say_refused(const struct client_sup *cs, const struct addr *peer, unsigned n)
{
	char who[ADDR_STRLEN], prefix[16] = "";

	addr_format_tuple(peer, who, sizeof(who));
	if (peer->ss.ss_family == AF_INET6 && strchr(who, '.') == NULL)
		snprintf(prefix, sizeof(prefix), " (its /%d)", cs->prefix6);
	log_say(REPORT_ERROR, getpid(), "tcp_client_sup: Client %s%s is at the"
	    " maximum of %u connection%s (--max-per-ip) - closed %u new"
	    " connection%s.", who, prefix, cs->max_per_ip,
	    cs->max_per_ip == 1 ? "" : "s", n, n == 1 ? "" : "s");
}

/*
 * --max-per-ip: count fd's client, or refuse it (false: the caller closes
 * it). One report per address and PER_IP_REPORT_SECS, with the count of
 * what was closed since the last. A socket whose peer is unknown (gone
 * already) or whose address cannot be counted (no memory) is served:
 * the limit guards against many clients, not against a failed lookup.
 */
static bool
admit(struct client_sup *cs, int fd, struct ipcount_entry **ip)
{
	struct addr peer = { .len = sizeof(peer.ss) };
	struct ipcount_key key;
	struct timespec now;
	unsigned n;

	*ip = NULL;
	if (getpeername(fd, (struct sockaddr *)&peer.ss, &peer.len) == -1 ||
	    !ipcount_key((struct sockaddr *)&peer.ss, cs->prefix6, &key))
		return true;
	switch (ipcount_acquire(&cs->ips, &key, cs->max_per_ip, ip)) {
	case IPCOUNT_HELD:
		return true;
	case IPCOUNT_NOMEM:
		*ip = NULL;
		return true;
	case IPCOUNT_FULL:
		break;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((n = ipcount_refuse(*ip, now.tv_sec, PER_IP_REPORT_SECS)) > 0)
		say_refused(cs, &peer, n);
	*ip = NULL;
	return false;
}

/*
 * A worker without --reuse gets one socket: its channel is closed now.
 * Its record stays only if it holds an address's count, until it exits.
 */
static void
worker_sent(struct client_sup *cs, struct worker *w, struct ipcount_entry *ip)
{
	w->ip = ip;
	if (cs->reuse)
		return;
	if (ip == NULL) {
		worker_drop(cs, w);
		return;
	}
	close(w->channel);
	w->channel = -1;
}

/*
 * Without a pool, an echo worker is started with its socket, which the
 * spawner hands it as it clones it: no channel to make, no second
 * hand-off. A burst of sockets is started at once (sup_start_batch()).
 * (A program's worker keeps its channel: it says whether the exec worked.)
 */
static bool
direct(const struct client_sup *cs)
{
	return cs->exec == NULL && cs->spares == 0 && !cs->reuse;
}

/* Its record is kept only if it holds an address's count. */
static void
started_with(struct client_sup *cs, pid_t pid, struct ipcount_entry *ip)
{
	struct worker *w;

	stats_add(STATS_FORKS);
	if (ip == NULL)
		return;
	if ((w = arena_alloc(sizeof(*w))) == NULL) {
		ipcount_release(&cs->ips, ip);
		return;
	}
	*w = (struct worker){ .entry.pid = pid, .channel = -1, .ip = ip };
	if (pidmap_insert(&cs->workers, &w->entry) == -1) {
		ipcount_release(&cs->ips, ip);
		arena_free(w, sizeof(*w));
	}
}

/*
 * set_socket: give fd to an idle worker, forking one if none waits. False
 * (errno set) if none could be started: the caller keeps fd waiting.
 */
static bool
hand_over(struct client_sup *cs, int fd, struct ipcount_entry *ip)
{
	for (;;) {
		struct worker *w;
		int e;

		if (cs->nidle == 0 && spawn(cs) == NULL)
			return false;
		w = cs->idle[cs->nidle - 1];
		idle_remove(cs, w);
		if (fdpass_send(w->channel, fd) == 0) {
			/* The channel then tells whether the program runs. */
			if (cs->exec != NULL) {
				exec_sup_sent(cs->exec, w->entry.pid, w->channel,
				    fd);
				w->channel = -1;
			}
			worker_sent(cs, w, ip);
			return true;
		}
		e = errno;
		if (fdpass_peer_gone(e)) {
			/* It died after it was pooled; its exit is not reaped yet. */
			worker_drop(cs, w);
			continue;
		}
		/*
		 * A shortage (ENOBUFS): the worker is well, forking cures
		 * nothing. This connection is lost: say so; the caller closes.
		 */
		if (idle_push(cs, w) == -1)
			worker_drop(cs, w);
		if (ip != NULL)
			ipcount_release(&cs->ips, ip);
		say_handoff_failed("cannot hand a connection to its worker", e);
		return true;
	}
}

static void
refill(struct client_sup *cs)
{
	while (cs->nidle < cs->spares && !fdpass_waiting(cs->handoff))
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

/* Read the hand-off channel unless at --max-clients or in a shortage. */
static void
watch_handoff(struct client_sup *cs)
{
	bool want = !cs->full && !cs->paused && cs->nheld == 0 &&
	    (cs->exec == NULL || exec_sup_admits(cs->exec));

	if (want == cs->watching)
		return;
	cs->watching = want;
	if (want)
		sup_watch(cs->sup, cs->handoff, on_handoff, cs);
	else
		sup_unwatch(cs->sup, cs->handoff);
}

/* An INFO REPORT: "tcp_client_sup: N client(s), <state>." */
static void
say_clients(const struct client_sup *cs, const char *state)
{
	size_t n = serving(cs);

	log_say(REPORT_INFO, getpid(), "tcp_client_sup: %zu client%s, %s.", n,
	    n == 1 ? "" : "s", state);
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
	cs->full = full;
	watch_handoff(cs);
	if (full && !cs->limited) {
		cs->limited = true;
		say_clients(cs, "the maximum (--max-clients) - new connections"
		    " wait until one leaves");
	} else if (!full && cs->limited && !fdpass_waiting(cs->handoff)) {
		cs->limited = false;
		snprintf(state, sizeof(state), "under the maximum of %zu - no"
		    " connection waits", cs->max_clients);
		say_clients(cs, state);
	}
}

/*
 * Out of processes, descriptors or memory: one ERROR REPORT per shortage,
 * then the hand-off channel is left unread for a back-off that doubles
 * from SHORT_FIRST_MS to SHORT_LAST_MS, so that new connections wait in
 * it and in the kernel's backlog, and nothing spins meanwhile.
 */
static void
shortage(struct client_sup *cs, int e, const char *what)
{
	struct itimerspec once = { 0 };
	char atom[32];

	if (cs->pause_ms == 0) {
		cs->pause_ms = SHORT_FIRST_MS;
		clock_gettime(CLOCK_MONOTONIC, &cs->short_since);
		reason_errno(e, atom, sizeof(atom));
		log_say(REPORT_ERROR, getpid(), "tcp_client_sup: %s (%s) - %s;"
		    " trying again in %d ms, backing off to %d ms.", what, atom,
		    cs->nheld > 0 ? "the connection waits, new ones queue" :
		    "it was closed, new ones queue", SHORT_FIRST_MS,
		    SHORT_LAST_MS);
	} else if ((cs->pause_ms *= 2) > SHORT_LAST_MS) {
		cs->pause_ms = SHORT_LAST_MS;
	}
	once.it_value.tv_sec = cs->pause_ms / 1000;
	once.it_value.tv_nsec = cs->pause_ms % 1000 * 1000000L;
	if (timerfd_settime(cs->pause, 0, &once, NULL) == 0)
		cs->paused = true;
	watch_handoff(cs);
}

/* A worker started, or a socket arrived, after a shortage: say so. */
static void
recovered(struct client_sup *cs)
{
	struct timespec now;

	if (cs->pause_ms == 0)
		return;
	cs->pause_ms = 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	log_say(REPORT_INFO, getpid(), "tcp_client_sup: serving again after a"
	    " shortage of %ld ms.", (now.tv_sec - cs->short_since.tv_sec) *
	    1000L + (now.tv_nsec - cs->short_since.tv_nsec) / 1000000L);
}

/* Keep it for the next try, after the shortage's back-off. */
static void
hold(struct client_sup *cs, const struct incoming *in)
{
	cs->held[cs->nheld++] = *in;
}

/* Served: the worker has its own copy of the socket. */
static void
served(struct client_sup *cs, const struct incoming *in)
{
	close(in->fd);
	recovered(cs);
}

/* Through the pool: a socket at a time, none tried once one failed. */
static void
take(struct client_sup *cs, const struct incoming *in)
{
	if (cs->nheld > 0) {
		hold(cs, in);
	} else if (!hand_over(cs, in->fd, in->ip)) {
		hold(cs, in);
		shortage(cs, errno, "cannot start a worker");
	} else {
		served(cs, in);
	}
}

/* Directly: a whole burst at once, every one tried. */
static void
start_burst(struct client_sup *cs, const struct incoming *in, size_t n)
{
	void *extra[HANDOFF_BATCH] = { NULL };
	pid_t pid[HANDOFF_BATCH];
	int err[HANDOFF_BATCH], e = 0;

	for (size_t i = 0; i < n; i++)
		extra[i] = SPAWNER_SOCKET(in[i].fd);
	sup_start_batch(cs->sup, extra, n, pid, err);
	for (size_t i = 0; i < n; i++) {
		if (pid[i] == -1) {
			e = err[i];
			hold(cs, &in[i]);
			continue;
		}
		started_with(cs, pid[i], in[i].ip);
		served(cs, &in[i]);
	}
	if (e != 0)
		shortage(cs, e, "cannot start a worker");
}

static void
on_pause(void *ctx)
{
	struct client_sup *cs = ctx;
	struct incoming in[HANDOFF_BATCH];
	size_t n = cs->nheld;
	uint64_t ticks;

	if (read(cs->pause, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	cs->paused = false;
	memcpy(in, cs->held, n * sizeof(in[0]));
	cs->nheld = 0;
	if (direct(cs))
		start_burst(cs, in, n);
	else
		for (size_t i = 0; i < n; i++)
			take(cs, &in[i]);
	check_capacity(cs);
}

/* How many sockets may be started now: all, or up to --max-clients. */
static size_t
room(const struct client_sup *cs)
{
	size_t n = serving(cs);

	if (cs->max_clients == 0)
		return HANDOFF_BATCH;
	if (n >= cs->max_clients)
		return 0;
	return cs->max_clients - n < HANDOFF_BATCH ? cs->max_clients - n :
	    HANDOFF_BATCH;
}

/*
 * Up to max admitted sockets from the hand-off channel, reading at most
 * *budget messages (bad ones and those refused over --max-per-ip count).
 */
static size_t
receive(struct client_sup *cs, struct incoming *in, size_t max, int *budget)
{
	size_t n = 0;

	while (n < max && *budget > 0) {
		struct ipcount_entry *ip = NULL;
		int fd = fdpass_recv(cs->handoff);

		--*budget;
		if (fd == -1) {
			if (errno == EBADMSG)
				continue;
			if (errno == EMFILE)
				/* The kernel closed it: nothing to hold. */
				shortage(cs, errno, "no descriptor free to"
				    " receive a connection");
			else if (errno != EAGAIN && errno != EINTR)
				log_warn("tcp_client_sup: hand-off");
			*budget = 0;
			break;
		}
		if (cs->max_per_ip > 0 && !admit(cs, fd, &ip)) {
			close(fd);
			continue;
		}
		in[n++] = (struct incoming){ .fd = fd, .ip = ip };
	}
	return n;
}

static void
on_handoff(void *ctx)
{
	struct client_sup *cs = ctx;
	struct incoming in[HANDOFF_BATCH];
	int budget = HANDOFF_BATCH;

	if (!cs->watching)
		return;
	if (direct(cs)) {
		start_burst(cs, in, receive(cs, in, room(cs), &budget));
	} else {
		/* One by one: a --exec throttle's probe admits only one. */
		while (cs->watching && receive(cs, in, 1, &budget) == 1) {
			take(cs, &in[0]);
			check_capacity(cs);
		}
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
		if (rc == 0 || n.what != ECHO_FSM_IDLE)
			continue;
		/* Unknown: it has exited since, and was dropped already. */
		if ((e = pidmap_find(&cs->workers, pid)) == NULL ||
		    ((struct worker *)e)->idle)
			continue;
		worker_release_ip(cs, (struct worker *)e);
		if (idle_push(cs, (struct worker *)e) == -1)
			worker_drop(cs, (struct worker *)e);
	}
	check_capacity(cs);
}

/* The throttle opened or closed the gate. */
static void
on_exec_gate(void *ctx)
{
	check_capacity(ctx);
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

	if (e != NULL && ((struct worker *)e)->idle)
		return "WAIT_FOR_SOCKET";
	return cs->exec != NULL ? "RUNNING" : "WAIT_FOR_DATA";
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

/*
 * {tcpsup_exec,start_link,["/usr/bin/program"]}: the path as an Erlang
 * string, escaped as io:format's ~p would.
 */
static void
exec_mfa(const char *path, char *buf, size_t size)
{
	size_t n = strlcpy(buf, "{tcpsup_exec,start_link,[\"", size);

	for (; *path != '\0' && n + 8 < size; path++) {
		if (*path == '"' || *path == '\\')
			buf[n++] = '\\';
		buf[n++] = *path;
	}
	buf[n] = '\0';
	strlcat(buf, "\"]}", size);
}

void
client_sup_start(void *arg, void *extra)
{
	const struct tree *t = arg;
	/* Outside the arena: the workers read them after they drop the arena. */
	static struct echo_fsm_conf conf;
	static struct spawner spawner = { .conf = &conf };
	static struct exec_conf xconf;
	static char mfa[PATH_MAX + 64];
	struct client_sup *cs;
	const bool exec = t->opts->exec_argv != NULL;
	const struct child_spec worker = {
		.id = NULL,
		.mfa = exec ? mfa : "{tcp_echo_fsm,start_link,[]}",
		.modules = "[]",
		.restart = RESTART_TEMPORARY,
		.shutdown = t->opts->shutdown,
		.type = CHILD_WORKER,
		/* A program is a plain fork; echo workers come from the spawner. */
		.start = exec ? exec_worker_start : NULL,
		.spawn = exec ? NULL : spawner_spawn,
		.spawn_ahead = exec ? NULL : spawner_ahead,
		.arg = exec ? (void *)&xconf : (void *)&spawner,
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
	if (t->pidfile_fd != -1)
		close(t->pidfile_fd);
	proc_title("tcp_client_sup");
	/* In the arena: it changes with every connection (see arena.h). */
	if ((cs = arena_alloc(sizeof(*cs))) == NULL ||
	    pidmap_init(&cs->workers) == -1 || ipcount_init(&cs->ips) == -1)
		log_err(1, "tcp_client_sup");
	cs->handoff = t->handoff_recv;
	cs->spares = (size_t)t->opts->spares;
	cs->reuse = t->opts->reuse > 0;
	cs->max_clients = (size_t)t->opts->max_clients;
	cs->max_per_ip = (unsigned)t->opts->max_per_ip;
	cs->prefix6 = t->opts->max_per_ip_prefix6;
	cs->control = t->control_recv;
	if (exec) {
		exec_mfa(t->opts->exec_path, mfa, sizeof(mfa));
		xconf = (struct exec_conf){
			.opts = t->opts,
			.environ = environ,
			.name = strrchr(t->opts->exec_path, '/') + 1,
		};
	}
	cs->sup = sup_create(&flags, &worker, 1);
	if (exec)
		cs->exec = exec_sup_create(cs->sup, &worker, on_exec_gate, cs);
	sup_on_exit(cs->sup, on_worker_exit, cs);
	sup_on_describe(cs->sup, describe, cs);
	if ((cs->pause = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
		log_err(1, "tcp_client_sup: timerfd_create");
	sup_watch(cs->sup, cs->pause, on_pause, cs);
	watch_handoff(cs);
	cs->replies = ctl_conns_create(cs->sup, NULL, NULL);
	sup_watch(cs->sup, cs->control, on_control, cs);
	/* The workers of a client supervisor that died serve nobody now. */
	stats_set(STATS_CLIENTS, 0);
	conf = (struct echo_fsm_conf){
		.opts = t->opts,
		.notices = cs->exec == NULL && cs->reuse ?
		    open_notice_channel(cs) : -1,
	};
	/* If it cannot start now, the first worker's start tries again. */
	if (!exec && spawner_start(&spawner) == -1)
		log_warn("tcp_client_sup: echo_spawner");
	refill(cs);
	sup_run(cs->sup);
	spawner_stop(&spawner);
	/* Stopped or gave up, OTP says shutdown either way. */
	_exit(REASON_SHUTDOWN_STATUS);
}
