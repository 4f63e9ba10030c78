/*
 * exec_sup.c -- tcp_client_sup's side of --exec (exec_sup.h).
 *
 * Every descriptor here is read without blocking: a program that writes
 * its stderr without end, never execs, or ignores SIGTERM costs the
 * supervisor a bounded amount of work per wake-up and nothing more. The
 * pipes and channels of all programs sit in one epoll set of their own,
 * which the engine's loop watches as one descriptor: its table of watches
 * is for a role's few channels, not for ten thousand programs.
 *
 * Throttle (as Postfix's master throttles a service whose processes die
 * before doing any work): a program that could not be executed, or that
 * died abnormally within EXEC_QUICK_MS of its start, is a failure; more
 * than K of them within T seconds (counted as OTP counts restarts) and
 * tcp_client_sup stops taking connections, which wait in the hand-off
 * channel and the kernel's backlog. Every T seconds one connection is let
 * in as a probe; a probe that lives EXEC_QUICK_MS, or ends normally,
 * opens the gate again.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "arena.h"
#include "exec_line.h"
#include "exec_sup.h"
#include "intensity.h"
#include "log.h"
#include "pidmap.h"
#include "proc.h"
#include "report.h"

/* A failure this soon after a program got its connection is a failed start. */
#define EXEC_QUICK_MS		1000

/* Bytes of one stderr line kept in a report; the rest is cut. */
#define EXEC_LINE_MAX		1024
/* Lines of one program reported per second; more are counted, dropped. */
#define EXEC_LINES_PER_SEC	20
/* Per wake-up and program, so that one chatty program cannot starve others. */
#define EXEC_READS_PER_EVENT	4
/* What is left in a program's stderr pipe when it exits: at most this. */
#define EXEC_READS_AT_EXIT	16
#define EXEC_EVENTS		64

enum exec_fd_kind { EXEC_FD_ERR, EXEC_FD_CHANNEL };

/* A list of programs in deadline order: every deadline is now + one delay. */
struct exec_queue {
	struct exec_child	*head, *tail;
};

struct exec_child {
	struct pidmap_entry	 entry;		/* first: the map hands it back */
	int			 err;		/* its stderr pipe, or -1 */
	int			 channel;	/* until it execs, or -1 */
	int64_t			 started;	/* ms it got its connection, or 0 */
	int64_t			 deadline;	/* in its queue */
	struct exec_queue	*queue;		/* running, stopping, or NULL */
	struct exec_child	*prev, *next;
	char			*line;		/* a line begun, EXEC_LINE_MAX */
	size_t			 len;
	bool			 cut;		/* the line was longer */
	int64_t			 window;	/* ms the current second began */
	unsigned		 lines;		/* reported in it */
	unsigned		 dropped;	/* not reported in it */
	bool			 failed;	/* a struct exec_failure came */
	struct exec_failure	 failure;
	char			 peer[ADDR_STRLEN];
};

enum exec_gate { GATE_OPEN, GATE_WAIT, GATE_PROBE_READY, GATE_PROBING };

struct exec_sup {
	struct sup		*sup;
	const struct child_spec	*spec;
	const struct options	*opts;
	void			(*on_change)(void *);
	void			*ctx;
	struct pidmap		 children;	/* pid -> struct exec_child */
	int			 epfd;		/* pipes and channels */
	int			 timer;		/* the queues' first deadline */
	struct exec_queue	 running;	/* --max-connection-time */
	struct exec_queue	 stopping;	/* SIGTERM sent: SIGKILL next */
	/* The throttle. */
	struct intensity	 failures;
	int			 gate_timer;
	enum exec_gate		 gate;
	pid_t			 probe;
	unsigned		 burst;		/* failures since it closed */
	int64_t			 closed_at;
	/* The start_error said last, until a program starts. */
	bool			 said;
	struct exec_failure	 said_failure;
};

/* --- reports ------------------------------------------------------------ */

/* A start_error, as the engine reports a failed fork. */
static void
say_start_error(const struct exec_sup *xs, const struct exec_failure *f)
{
	char term[96], reason[64], shut[16];
	const char *name = strerrorname_np(f->error);
	struct report_child offender;
	struct report r;

	snprintf(term, sizeof(term), "{local,%s}", sup_get_flags(xs->sup)->name);
	if (f->step == EXEC_STEP_RLIMIT && f->rlimit >= 0 &&
	    f->rlimit < OPTIONS_RLIMITS)
		snprintf(reason, sizeof(reason), "{setrlimit,%s,%s}",
		    options_rlimit_names[f->rlimit], name != NULL ? name :
		    "unknown");
	else
		snprintf(reason, sizeof(reason), "{%s,%s}",
		    exec_step_name(f->step), name != NULL ? name : "unknown");
	sup_shutdown_text(xs->spec->shutdown, shut, sizeof(shut));
	offender = (struct report_child){
		.pid = 0,
		.name = "undefined",
		.mfa = xs->spec->mfa,
		.restart_type = sup_restart_name(xs->spec->restart),
		.shutdown = shut,
		.child_type = sup_type_name(xs->spec->type),
	};
	r = report_supervisor(term, "start_error", reason, &offender);
	log_report(&r);
}

/* --- stderr --------------------------------------------------------------- */

/* Say the lines a second's limit held back, if any, and start a new second. */
static void
new_window(struct exec_child *x, int64_t now)
{
	if (x->dropped > 0)
		log_say(REPORT_INFO, x->entry.pid, "(%u more line%s on stderr"
		    " dropped: over %d a second)", x->dropped,
		    x->dropped == 1 ? "" : "s", EXEC_LINES_PER_SEC);
	x->window = now;
	x->lines = 0;
	x->dropped = 0;
}

/*
 * One line, one INFO REPORT in the program's name. A line of plain text
 * is kept whole up to EXEC_LINE_MAX bytes; escapes may cut it sooner.
 */
static void
emit_line(struct exec_child *x)
{
	char text[2 * EXEC_LINE_MAX];
	int64_t now = proc_now_ms();
	struct report r;
	size_t n;

	if (now - x->window >= 1000)
		new_window(x, now);
	if (x->lines >= EXEC_LINES_PER_SEC) {
		x->dropped++;
	} else {
		x->lines++;
		n = exec_line_escape(x->line, x->len, text, sizeof(text) - 4);
		if (x->cut)
			strlcpy(text + n, "...", sizeof(text) - n);
		r = report_message(REPORT_INFO, x->entry.pid, text);
		log_report(&r);
	}
	x->len = 0;
	x->cut = false;
}

/* Split what the pipe gave into lines; a line begun waits for its end. */
static int
feed(struct exec_child *x, const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl != NULL ? (size_t)(nl - p) : n;
		size_t room = EXEC_LINE_MAX - x->len;

		if (x->line == NULL &&
		    (x->line = arena_alloc(EXEC_LINE_MAX)) == NULL)
			return -1;
		memcpy(x->line + x->len, p, take < room ? take : room);
		x->len += take < room ? take : room;
		x->cut |= take > room;
		if (nl == NULL)
			return 0;
		emit_line(x);
		p = nl + 1;
		n -= take + 1;
	}
	return 0;
}

static void
close_err(struct exec_child *x)
{
	if (x->len > 0 || x->cut)
		emit_line(x);	/* a last line without its newline */
	if (x->err != -1)
		close(x->err);	/* which takes it out of the epoll set */
	x->err = -1;
}

/* Read up to reads times; at end of file, or out of memory, stop reading. */
static void
read_err(struct exec_child *x, int reads)
{
	static char buf[65536];

	while (x->err != -1 && reads-- > 0) {
		ssize_t n = read(x->err, buf, sizeof(buf));

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0 || feed(x, buf, (size_t)n) == -1)
			close_err(x);
	}
}

/* --- execve's outcome ------------------------------------------------------ */

/* The channel says why execve was not reached, or closes on exec. */
static void
read_channel(struct exec_sup *xs, struct exec_child *x)
{
	struct exec_failure f;
	ssize_t n;

	do {
		n = recv(x->channel, &f, sizeof(f), MSG_DONTWAIT);
	} while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return;
	if (n == (ssize_t)sizeof(f)) {
		x->failed = true;
		x->failure = f;
	} else if (n == 0 && x->started != 0) {
		xs->said = false;	/* a program runs: a new failure is news */
	}
	close(x->channel);
	x->channel = -1;
}

static void
on_ready(void *ctx)
{
	struct exec_sup *xs = ctx;
	struct epoll_event ev[EXEC_EVENTS];
	int n = epoll_wait(xs->epfd, ev, EXEC_EVENTS, 0);

	for (int i = 0; i < n; i++) {
		pid_t pid = (pid_t)(ev[i].data.u64 & 0xffffffff);
		struct pidmap_entry *e = pidmap_find(&xs->children, pid);
		struct exec_child *x = (struct exec_child *)e;

		/* Reaped already. */
		if (x == NULL)
			continue;
		if (ev[i].data.u64 >> 32 == EXEC_FD_ERR)
			read_err(x, EXEC_READS_PER_EVENT);
		else if (x->channel != -1)
			read_channel(xs, x);
	}
}

static int
watch_fd(struct exec_sup *xs, int fd, pid_t pid, enum exec_fd_kind kind)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u64 = (uint64_t)kind << 32 | (uint32_t)pid,
	};

	return epoll_ctl(xs->epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* --- deadlines --------------------------------------------------------- */

static void
queue_remove(struct exec_child *x)
{
	struct exec_queue *q = x->queue;

	if (q == NULL)
		return;
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		q->head = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	else
		q->tail = x->prev;
	x->prev = x->next = NULL;
	x->queue = NULL;
}

static void
queue_append(struct exec_queue *q, struct exec_child *x, int64_t deadline)
{
	x->deadline = deadline;
	x->queue = q;
	x->prev = q->tail;
	x->next = NULL;
	if (q->tail != NULL)
		q->tail->next = x;
	else
		q->head = x;
	q->tail = x;
}

static void
arm_timer(int fd, int64_t at)
{
	struct itimerspec when = { 0 };

	if (at != INT64_MAX) {
		when.it_value.tv_sec = at / 1000;
		when.it_value.tv_nsec = (at % 1000) * 1000000L + 1;
	}
	timerfd_settime(fd, TFD_TIMER_ABSTIME, &when, NULL);
}

static void
arm_deadlines(struct exec_sup *xs)
{
	int64_t at = INT64_MAX;

	if (xs->running.head != NULL)
		at = xs->running.head->deadline;
	if (xs->stopping.head != NULL && xs->stopping.head->deadline < at)
		at = xs->stopping.head->deadline;
	arm_timer(xs->timer, at);
}

/* --max-connection-time: say so, and begin its shutdown. */
static void
time_up(struct exec_sup *xs, struct exec_child *x, int64_t now)
{
	int shutdown = xs->spec->shutdown;

	queue_remove(x);
	log_say(REPORT_ERROR, getpid(), "%s: Client %s served by %d for %d s"
	    " (--max-connection-time) - stopping it.",
	    sup_get_flags(xs->sup)->name, x->peer, (int)x->entry.pid,
	    xs->opts->max_connection_time);
	if (shutdown == SHUTDOWN_BRUTAL_KILL) {
		sup_signal_child(xs->sup, x->entry.pid, SIGKILL);
		return;
	}
	sup_signal_child(xs->sup, x->entry.pid, SIGTERM);
	if (shutdown != SHUTDOWN_INFINITY)
		queue_append(&xs->stopping, x, now + shutdown);
}

static void
on_deadline(void *ctx)
{
	struct exec_sup *xs = ctx;
	int64_t now = proc_now_ms();
	uint64_t ticks;
	struct exec_child *x;

	if (read(xs->timer, &ticks, sizeof(ticks)) == -1 && errno == EAGAIN)
		return;
	while ((x = xs->stopping.head) != NULL && x->deadline <= now) {
		queue_remove(x);
		sup_signal_child(xs->sup, x->entry.pid, SIGKILL);
	}
	while ((x = xs->running.head) != NULL && x->deadline <= now)
		time_up(xs, x, now);
	arm_deadlines(xs);
}

/* --- the throttle --------------------------------------------------------- */

static void
gate_set(struct exec_sup *xs, enum exec_gate gate, int64_t timer_at)
{
	xs->gate = gate;
	arm_timer(xs->gate_timer, timer_at);
	xs->on_change(xs->ctx);
}

static void
gate_close(struct exec_sup *xs)
{
	xs->closed_at = proc_now_ms();
	xs->burst = (unsigned)xs->opts->throttle_max + 1;
	log_say(REPORT_ERROR, getpid(), "%s: %u programs failed within %d ms of"
	    " their start in %d s (--exec-throttle %d/%d) - new connections"
	    " wait; one is let in every %d s until a program starts.",
	    sup_get_flags(xs->sup)->name, xs->burst, EXEC_QUICK_MS,
	    xs->opts->throttle_secs, xs->opts->throttle_max,
	    xs->opts->throttle_secs, xs->opts->throttle_secs);
	gate_set(xs, GATE_WAIT, proc_now_ms() + xs->opts->throttle_secs * 1000L);
}

static void
gate_open(struct exec_sup *xs)
{
	int64_t now = proc_now_ms();

	log_say(REPORT_INFO, getpid(), "%s: a program started after %u failed"
	    " starts - taking connections again after %ld ms.",
	    sup_get_flags(xs->sup)->name, xs->burst, (long)(now - xs->closed_at));
	intensity_free(&xs->failures);
	if (intensity_init(&xs->failures, xs->opts->throttle_max,
	    xs->opts->throttle_secs) == -1)
		log_err(1, "%s", __func__);
	xs->probe = 0;
	gate_set(xs, GATE_OPEN, INT64_MAX);
}

static void
on_gate(void *ctx)
{
	struct exec_sup *xs = ctx;
	uint64_t ticks;

	if (read(xs->gate_timer, &ticks, sizeof(ticks)) == -1 && errno == EAGAIN)
		return;
	if (xs->gate == GATE_WAIT)
		gate_set(xs, GATE_PROBE_READY, INT64_MAX);
	else if (xs->gate == GATE_PROBING)
		gate_open(xs);	/* the probe has lived EXEC_QUICK_MS */
}

/* A program that ended: what it tells the throttle. */
static void
count_exit(struct exec_sup *xs, const struct exec_child *x,
    const struct reason *r)
{
	bool clean = r->kind == REASON_NORMAL || r->kind == REASON_SHUTDOWN;
	bool failed = x->failed || (x->started != 0 && !clean &&
	    proc_now_ms() - x->started < EXEC_QUICK_MS);

	if (x->entry.pid == xs->probe && xs->gate == GATE_PROBING) {
		xs->probe = 0;
		if (!failed) {
			gate_open(xs);
			return;
		}
		xs->burst++;
		gate_set(xs, GATE_WAIT, proc_now_ms() +
		    xs->opts->throttle_secs * 1000L);
		return;
	}
	if (!failed)
		return;
	if (xs->gate != GATE_OPEN)
		xs->burst++;
	else if (!intensity_add_restart(&xs->failures, proc_now_ms() / 1000))
		gate_close(xs);
}

/* --- tcp_client_sup's calls ------------------------------------------------ */

int
exec_sup_prepare(struct exec_fds *fds, int *err_read)
{
	int pipefd[2];

	if (pipe2(pipefd, O_CLOEXEC) == -1)
		return -1;
	/* Ours never blocks; the program's end blocks, as a stderr does. */
	if (fcntl(pipefd[0], F_SETFL, O_NONBLOCK) == -1) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	*err_read = pipefd[0];
	fds->err = pipefd[1];
	return 0;
}

void
exec_sup_spawned(struct exec_sup *xs, pid_t pid, int err_read)
{
	struct exec_child *x = arena_alloc(sizeof(*x));

	/* No room to keep it: the program runs, its stderr goes unread. */
	if (x == NULL) {
		close(err_read);
		return;
	}
	x->entry.pid = pid;
	x->err = err_read;
	x->channel = -1;
	if (pidmap_insert(&xs->children, &x->entry) == -1) {
		close(err_read);
		arena_free(x, sizeof(*x));
		return;
	}
	if (watch_fd(xs, err_read, pid, EXEC_FD_ERR) == -1) {
		log_warn("%s: epoll_ctl", __func__);
		close(x->err);
		x->err = -1;
	}
}

void
exec_sup_sent(struct exec_sup *xs, pid_t pid, int channel, int sock)
{
	struct pidmap_entry *e = pidmap_find(&xs->children, pid);
	struct exec_child *x = (struct exec_child *)e;
	struct addr peer = { .len = sizeof(peer.ss) };

	if (x == NULL) {
		close(channel);
		return;
	}
	x->started = proc_now_ms();
	x->channel = channel;
	if (watch_fd(xs, channel, pid, EXEC_FD_CHANNEL) == -1)
		log_warn("%s: epoll_ctl", __func__);
	if (getpeername(sock, (struct sockaddr *)&peer.ss, &peer.len) == -1)
		peer.ss.ss_family = AF_UNSPEC;
	addr_format_tuple(&peer, x->peer, sizeof(x->peer));
	if (xs->opts->max_connection_time != IDLE_INFINITY) {
		queue_append(&xs->running, x, x->started +
		    xs->opts->max_connection_time * 1000L);
		arm_deadlines(xs);
	}
	if (xs->gate == GATE_PROBE_READY) {
		xs->probe = pid;
		gate_set(xs, GATE_PROBING, x->started + EXEC_QUICK_MS);
	}
}

bool
exec_sup_admits(const struct exec_sup *xs)
{
	return xs->gate == GATE_OPEN || xs->gate == GATE_PROBE_READY;
}

bool
exec_sup_reaped(void *ctx, pid_t pid, const struct reason *r)
{
	struct exec_sup *xs = ctx;
	struct pidmap_entry *e = pidmap_remove(&xs->children, pid);
	struct exec_child *x = (struct exec_child *)e;
	bool report = true;

	if (x == NULL)
		return true;
	/* Its last words come before its exit's report. */
	read_err(x, EXEC_READS_AT_EXIT);
	close_err(x);
	if (x->dropped > 0)
		new_window(x, 0);
	if (x->channel != -1)
		read_channel(xs, x);
	if (x->channel != -1)
		close(x->channel);
	queue_remove(x);
	if (x->failed) {
		report = false;
		if (!xs->said || memcmp(&xs->said_failure, &x->failure,
		    sizeof(x->failure)) != 0)
			say_start_error(xs, &x->failure);
		xs->said = true;
		xs->said_failure = x->failure;
	}
	count_exit(xs, x, r);
	arm_deadlines(xs);
	arena_free(x->line, EXEC_LINE_MAX);
	arena_free(x, sizeof(*x));
	return report;
}

struct exec_sup *
exec_sup_create(struct sup *sup, const struct child_spec *spec,
    void (*on_change)(void *), void *ctx)
{
	const struct exec_conf *conf = spec->arg;
	struct exec_sup *xs = arena_alloc(sizeof(*xs));

	if (xs == NULL || pidmap_init(&xs->children) == -1 ||
	    intensity_init(&xs->failures, conf->opts->throttle_max,
	    conf->opts->throttle_secs) == -1)
		log_err(1, "%s", __func__);
	xs->sup = sup;
	xs->spec = spec;
	xs->opts = conf->opts;
	xs->on_change = on_change;
	xs->ctx = ctx;
	if ((xs->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		log_err(1, "%s: epoll_create1", __func__);
	if ((xs->timer = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1 ||
	    (xs->gate_timer = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
		log_err(1, "%s: timerfd_create", __func__);
	sup_watch(sup, xs->epfd, on_ready, xs);
	sup_watch(sup, xs->timer, on_deadline, xs);
	sup_watch(sup, xs->gate_timer, on_gate, xs);
	sup_on_reaped(sup, exec_sup_reaped, xs);
	return xs;
}
