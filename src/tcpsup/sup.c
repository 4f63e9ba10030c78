/*
 * sup.c -- the supervisor engine (see sup.h).
 *
 * Signals arrive through a signalfd and are handled in the event loop, never
 * in a handler. They stay blocked for the supervisor's whole life, so a
 * SIGCHLD can only be read after fork() has returned and the child is in the
 * table: there is no window for a child to die unknown. Children are found
 * by pid in O(1) and reaped by pid, the one their SIGCHLD carries or the one
 * a role announced (sup_child_exiting()), because waitpid(-1) walks every
 * child in the kernel; a sweep with it catches the rest a moment later.
 *
 * Its bookkeeping lives in the arena (arena.h), which fork does not copy.
 *
 * Restart decisions follow supervisor:do_restart/3, the intensity window
 * follows add_restart/1 (intensity.c), and stopping follows shutdown/2:
 * static children one by one in reverse start order, simple_one_for_one
 * children all at once under one shared timer.
 */
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "intensity.h"
#include "log.h"
#include "pidmap.h"
#include "proc.h"
#include "reason.h"
#include "report.h"
#include "sup.h"

#define SUP_MAX_WATCHES	8

/*
 * Up to this many children, a waitpid(-1) sweep is cheap enough to run on
 * every SIGCHLD. Beyond, exits that shared one SIGCHLD and were not
 * announced are reaped by a sweep this long after.
 */
#define SUP_SWEEP_AT_ONCE	64
#define SUP_SWEEP_DELAY_MS	200

struct child {
	struct pidmap_entry	 entry;		/* first: the map hands it back */
	const struct child_spec	*spec;
	void			*extra;		/* simple_one_for_one's extra args */
	bool			 shutdown_sent;
	struct reason		 stop_reason;	/* static children, when stopped */
};

struct watch {
	int		 fd;
	void		(*on_ready)(void *);
	void		*ctx;
};

struct sup {
	struct sup_flags	 flags;
	char			 term[80];
	const struct child_spec	*specs;
	size_t			 nspecs;
	struct child		*statics;	/* one_for_one: one per spec */
	struct pidmap		 running;	/* pid -> child, every kind */
	struct intensity	 intensity;
	int			 epfd;
	int			 sigfd;
	int			 sweepfd;	/* timerfd: reap what SIGCHLD left */
	bool			 sweep_armed;
	pid_t			*exiting;	/* announced, not reaped yet */
	size_t			 nexiting;
	size_t			 exiting_cap;
	struct watch		 watches[SUP_MAX_WATCHES];
	void			(*on_exit)(void *, pid_t);
	void			*on_exit_ctx;
	bool			 stopping;
	bool			 done;
	enum sup_exit		 exit;
};

static const char *const restart_names[] = {
	[RESTART_PERMANENT] = "permanent",
	[RESTART_TRANSIENT] = "transient",
	[RESTART_TEMPORARY] = "temporary",
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct child *
child_of(struct pidmap_entry *e)
{
	return (struct child *)e;
}

static pid_t
child_pid(const struct child *c)
{
	return c->entry.pid;
}

/* --- reports ------------------------------------------------------------ */

static void
shutdown_text(int shutdown, char *buf, size_t size)
{
	if (shutdown == SHUTDOWN_BRUTAL_KILL)
		strlcpy(buf, "brutal_kill", size);
	else if (shutdown == SHUTDOWN_INFINITY)
		strlcpy(buf, "infinity", size);
	else
		snprintf(buf, size, "%d", shutdown);
}

static struct report_child
report_child_of(const struct child_spec *spec, pid_t pid, char shut[16])
{
	shutdown_text(spec->shutdown, shut, 16);
	return (struct report_child){
		.pid = pid,
		.name = spec->id != NULL ? spec->id : "undefined",
		.mfa = spec->mfa,
		.restart_type = restart_names[spec->restart],
		.shutdown = shut,
		.child_type = spec->type == CHILD_SUPERVISOR ? "supervisor" : "worker",
	};
}

static void
report_sup(const struct sup *sup, const char *context, const char *reason,
    const struct report_child *offender)
{
	struct report r = report_supervisor(sup->term, context, reason, offender);

	log_report(&r);
}

static void
report_child_event(const struct sup *sup, const struct child *c,
    const char *context, const char *reason)
{
	char shut[16];
	struct report_child rc = report_child_of(c->spec, child_pid(c), shut);

	report_sup(sup, context, reason, &rc);
}

static void
report_started(const struct sup *sup, const struct child *c)
{
	char shut[16];
	struct report_child rc = report_child_of(c->spec, child_pid(c), shut);
	struct report r = report_progress_child(sup->term, &rc);

	log_report(&r);
}

/* --- starting ----------------------------------------------------------- */

/*
 * What a child needs of its supervisor, copied to the stack before fork:
 * the arena, where sup and the child records live, is not mapped in the
 * child (arena.h).
 */
struct launch {
	const struct child_spec	*spec;
	void			*extra;
	int			 fds[3];	/* the supervisor's own */
};

static void __attribute__((noreturn))
run_child(const struct launch *l)
{
	for (size_t i = 0; i < sizeof(l->fds) / sizeof(l->fds[0]); i++)
		close(l->fds[i]);
	/* Not its supervisor: a child reports by pid until it names itself. */
	log_set_process(NULL);
	l->spec->start(l->spec->arg, l->extra);
	_exit(0);
}

/* Start c; on failure, a start_error report and -1 with reason set. */
static int
start_child(struct sup *sup, struct child *c, char *reason, size_t size)
{
	const struct launch l = {
		.spec = c->spec,
		.extra = c->extra,
		.fds = { sup->epfd, sup->sigfd, sup->sweepfd },
	};
	pid_t pid;

	if (c->spec->setup != NULL && c->spec->setup(c->spec->arg, reason, size) == -1)
		goto failed;
	if ((pid = proc_fork_linked()) == -1) {
		snprintf(reason, size, "{fork,%s}", strerrorname_np(errno));
		goto failed;
	}
	if (pid == 0)
		run_child(&l);
	c->entry.pid = pid;
	c->shutdown_sent = false;
	if (pidmap_insert(&sup->running, &c->entry) == -1) {
		/* Untracked, it could not be supervised: take it back. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		strlcpy(reason, "enomem", size);
		goto failed;
	}
	if (sup->flags.strategy != SUP_SIMPLE_ONE_FOR_ONE)
		report_started(sup, c);
	return 0;
failed:
	c->entry.pid = 0;
	report_child_event(sup, c, "start_error", reason);
	return -1;
}

/* --- stopping ----------------------------------------------------------- */

static void reap(struct sup *);
static void read_signals(struct sup *);

/* Reap until done(sup, arg), or until deadline (ms, -1: never) passes. */
static bool
wait_until(struct sup *sup, bool (*done)(struct sup *, void *), void *arg,
    int64_t deadline)
{
	struct pollfd pfd = { .fd = sup->sigfd, .events = POLLIN };

	for (;;) {
		int timeout = -1;

		reap(sup);
		if (done(sup, arg))
			return true;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0)
				return false;
			timeout = (int)left;
		}
		if (poll(&pfd, 1, timeout) > 0)
			read_signals(sup);
	}
}

static bool
child_gone(struct sup *sup, void *arg)
{
	(void)sup;
	return child_pid(arg) == 0;
}

static bool
all_gone(struct sup *sup, void *arg)
{
	(void)arg;
	return sup->running.count == 0;
}

static int64_t
deadline_of(int shutdown)
{
	return shutdown == SHUTDOWN_INFINITY ? -1 : now_ms() + shutdown;
}

static void
signal_child(struct child *c, int shutdown)
{
	if (shutdown == SHUTDOWN_BRUTAL_KILL) {
		kill(child_pid(c), SIGKILL);
	} else {
		c->shutdown_sent = true;
		kill(child_pid(c), SIGTERM);
	}
}

/* shutdown/2 for one static child. */
static void
terminate_static(struct sup *sup, struct child *c)
{
	pid_t pid = child_pid(c);
	int shutdown = c->spec->shutdown;

	signal_child(c, shutdown);
	if (!wait_until(sup, child_gone, c, deadline_of(shutdown))) {
		kill(pid, SIGKILL);
		wait_until(sup, child_gone, c, -1);
	}
	c->entry.pid = pid;	/* the report names the pid it stopped */
	if (c->stop_reason.kind == REASON_KILLED && shutdown != SHUTDOWN_BRUTAL_KILL)
		report_child_event(sup, c, "shutdown_error", "killed");
	else if (c->stop_reason.kind == REASON_OTHER ||
	    (c->stop_reason.kind == REASON_NORMAL &&
	    c->spec->restart == RESTART_PERMANENT))
		report_child_event(sup, c, "shutdown_error", c->stop_reason.text);
	c->entry.pid = 0;
}

static void
signal_dynamic(struct pidmap_entry *e, void *arg)
{
	signal_child(child_of(e), *(int *)arg);
}

static void
kill_dynamic(struct pidmap_entry *e, void *arg)
{
	(void)arg;
	kill(e->pid, SIGKILL);
}

/* simple_one_for_one: every child at once, under one shared timer. */
static void
terminate_dynamic(struct sup *sup)
{
	const struct child_spec *spec = &sup->specs[0];
	int shutdown = spec->shutdown;
	char shut[16];
	struct report_child rc;

	pidmap_foreach(&sup->running, signal_dynamic, &shutdown);
	if (wait_until(sup, all_gone, NULL, deadline_of(shutdown)))
		return;
	rc = report_child_of(spec, 0, shut);
	rc.nb_children = sup->running.count;
	pidmap_foreach(&sup->running, kill_dynamic, NULL);
	wait_until(sup, all_gone, NULL, -1);
	report_sup(sup, "shutdown_error", "killed", &rc);
}

static void
terminate_children(struct sup *sup)
{
	sup->stopping = true;
	if (sup->flags.strategy == SUP_SIMPLE_ONE_FOR_ONE) {
		terminate_dynamic(sup);
		return;
	}
	for (size_t i = sup->nspecs; i-- > 0;)
		if (child_pid(&sup->statics[i]) != 0)
			terminate_static(sup, &sup->statics[i]);
}

/* --- exits and restarts -------------------------------------------------- */

static void
forget(struct sup *sup, struct child *c)
{
	if (sup->flags.strategy == SUP_SIMPLE_ONE_FOR_ONE)
		arena_free(c, sizeof(*c));
	else
		c->entry.pid = 0;
}

static void
give_up(struct sup *sup, struct child *c)
{
	report_child_event(sup, c, "shutdown", "reached_max_restart_intensity");
	forget(sup, c);
	terminate_children(sup);
	sup->done = true;
	sup->exit = SUP_GAVE_UP;
}

static void
restart(struct sup *sup, struct child *c)
{
	char reason[64];

	do {
		if (!intensity_add_restart(&sup->intensity, now_ms() / 1000)) {
			give_up(sup, c);
			return;
		}
	} while (start_child(sup, c, reason, sizeof(reason)) == -1);
}

/* supervisor:do_restart/3 */
static void
child_exited(struct sup *sup, struct child *c, const struct reason *r)
{
	enum restart_type type = c->spec->restart;
	bool clean = r->kind == REASON_NORMAL || r->kind == REASON_SHUTDOWN;

	if (type == RESTART_PERMANENT || !clean)
		report_child_event(sup, c, "child_terminated", r->text);
	if (type == RESTART_TEMPORARY || (type == RESTART_TRANSIENT && clean)) {
		forget(sup, c);
		return;
	}
	restart(sup, c);
}

/* A child has exited with status: report, restart or forget it. */
static void
exited(struct sup *sup, pid_t pid, int status)
{
	struct pidmap_entry *e;
	struct reason r;

	/* Not ours: an orphan adopted by the root, a subreaper. */
	if ((e = pidmap_remove(&sup->running, pid)) == NULL)
		return;
	r = reason_from_status(status, child_of(e)->shutdown_sent);
	if (sup->stopping) {
		child_of(e)->stop_reason = r;
		forget(sup, child_of(e));
		return;
	}
	child_exited(sup, child_of(e), &r);
	if (!sup->done && sup->on_exit != NULL)
		sup->on_exit(sup->on_exit_ctx, pid);
}

/* The child a SIGCHLD named: waitpid(pid) looks at that child alone. */
static void
reap_pid(struct sup *sup, pid_t pid)
{
	int status;

	if (waitpid(pid, &status, WNOHANG) == pid)
		exited(sup, pid, status);
}

/*
 * Every child that has exited. waitpid(-1) makes the kernel walk the whole
 * list of children, so with ten thousand of them this runs only as the
 * sweep, never once per exit.
 */
static void
reap(struct sup *sup)
{
	int status;
	pid_t pid;

	while (!sup->done && (pid = waitpid(-1, &status, WNOHANG)) > 0)
		exited(sup, pid, status);
}

/* Reap the announced exits that have happened; keep the others. */
static void
reap_announced(struct sup *sup)
{
	size_t i = 0;

	while (i < sup->nexiting && !sup->done) {
		pid_t pid = sup->exiting[i];
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == 0) {
			i++;
			continue;
		}
		sup->exiting[i] = sup->exiting[--sup->nexiting];
		if (r == pid)
			exited(sup, pid, status);
	}
}

void
sup_child_exiting(struct sup *sup, pid_t pid)
{
	if (sup->nexiting == sup->exiting_cap) {
		size_t cap = sup->exiting_cap * 2 + 64;
		pid_t *p = arena_alloc(cap * sizeof(*p));

		if (p == NULL)
			return;	/* the sweep will find it */
		if (sup->exiting != NULL)
			memcpy(p, sup->exiting, sup->nexiting * sizeof(*p));
		arena_free(sup->exiting, sup->exiting_cap * sizeof(*p));
		sup->exiting = p;
		sup->exiting_cap = cap;
	}
	sup->exiting[sup->nexiting++] = pid;
	/* Often still running: then the SIGCHLD it sends will bring us back. */
	reap_announced(sup);
}

static void
arm_sweep(struct sup *sup)
{
	struct itimerspec once = {
		.it_value = { .tv_nsec = SUP_SWEEP_DELAY_MS * 1000000L },
	};

	if (!sup->sweep_armed && timerfd_settime(sup->sweepfd, 0, &once,
	    NULL) == 0)
		sup->sweep_armed = true;
}

static void
on_sweep(void *ctx)
{
	struct sup *sup = ctx;
	uint64_t expirations;

	if (read(sup->sweepfd, &expirations, sizeof(expirations)) == -1)
		return;
	sup->sweep_armed = false;
	if (!sup->stopping)
		reap(sup);
}

/* --- the event loop ------------------------------------------------------ */

static void
stop(struct sup *sup)
{
	terminate_children(sup);
	sup->done = true;
	sup->exit = SUP_STOPPED;
}

static void
read_signals(struct sup *sup)
{
	struct signalfd_siginfo si;
	pid_t child = 0;
	bool term = false;

	while (read(sup->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			child = (pid_t)si.ssi_pid;
		else
			term = true;
	}
	if (sup->stopping)
		return;
	/*
	 * SIGCHLD is not queued: children that exit while one is pending
	 * share it, and only one pid comes with it. Reap that one and those
	 * that announced their exit now; with few children, sweep at once,
	 * otherwise a moment later, for exits nobody announced (kill -9).
	 */
	if (child != 0) {
		reap_pid(sup, child);
		reap_announced(sup);
		if (sup->running.count <= SUP_SWEEP_AT_ONCE)
			reap(sup);
		else
			arm_sweep(sup);
	}
	if (term && !sup->done)
		stop(sup);
}

static void
on_signal(void *ctx)
{
	read_signals(ctx);
}

void
sup_watch(struct sup *sup, int fd, void (*on_ready)(void *), void *ctx)
{
	struct epoll_event ev = { .events = EPOLLIN };

	for (size_t i = 0; i < SUP_MAX_WATCHES; i++) {
		if (sup->watches[i].on_ready != NULL)
			continue;
		sup->watches[i] = (struct watch){ fd, on_ready, ctx };
		ev.data.ptr = &sup->watches[i];
		if (epoll_ctl(sup->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
			err(1, "%s: epoll_ctl", __func__);
		return;
	}
	errx(1, "%s: too many watches", __func__);
}

void
sup_unwatch(struct sup *sup, int fd)
{
	for (size_t i = 0; i < SUP_MAX_WATCHES; i++) {
		if (sup->watches[i].on_ready != NULL && sup->watches[i].fd == fd) {
			epoll_ctl(sup->epfd, EPOLL_CTL_DEL, fd, NULL);
			sup->watches[i] = (struct watch){ .fd = -1 };
		}
	}
}

void
sup_on_exit(struct sup *sup, void (*on_exit)(void *, pid_t), void *ctx)
{
	sup->on_exit = on_exit;
	sup->on_exit_ctx = ctx;
}

enum sup_exit
sup_run(struct sup *sup)
{
	struct epoll_event events[SUP_MAX_WATCHES];

	while (!sup->done) {
		int n = epoll_wait(sup->epfd, events, SUP_MAX_WATCHES, -1);

		if (n == -1 && errno != EINTR)
			err(1, "%s: epoll_wait", __func__);
		for (int i = 0; i < n && !sup->done; i++) {
			struct watch *w = events[i].data.ptr;

			if (w->on_ready != NULL)
				w->on_ready(w->ctx);
		}
	}
	return sup->exit;
}

/* --- construction -------------------------------------------------------- */

struct sup *
sup_create(const struct sup_flags *flags, const struct child_spec *specs,
    size_t nspecs)
{
	struct sup *sup = arena_alloc(sizeof(*sup));
	sigset_t blocked;

	if (sup == NULL)
		err(1, "%s", __func__);
	sup->flags = *flags;
	snprintf(sup->term, sizeof(sup->term), "{local,%s}", flags->name);
	log_set_process(flags->name);
	sup->specs = specs;
	sup->nspecs = nspecs;
	if (flags->strategy != SUP_SIMPLE_ONE_FOR_ONE &&
	    (sup->statics = arena_alloc(nspecs * sizeof(*sup->statics))) == NULL)
		err(1, "%s", __func__);
	for (size_t i = 0; sup->statics != NULL && i < nspecs; i++)
		sup->statics[i].spec = &specs[i];
	if (pidmap_init(&sup->running) == -1 ||
	    intensity_init(&sup->intensity, flags->intensity, flags->period) == -1)
		err(1, "%s", __func__);
	proc_block_signals(&blocked);
	if ((sup->sigfd = signalfd(-1, &blocked, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		err(1, "signalfd");
	if ((sup->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	if ((sup->sweepfd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
		err(1, "timerfd_create");
	sup_watch(sup, sup->sigfd, on_signal, sup);
	sup_watch(sup, sup->sweepfd, on_sweep, sup);
	return sup;
}

int
sup_start_children(struct sup *sup, char *why, size_t size)
{
	char reason[64];

	for (size_t i = 0; i < sup->nspecs; i++) {
		struct child *c = &sup->statics[i];

		if (start_child(sup, c, reason, sizeof(reason)) == 0)
			continue;
		snprintf(why, size, "{shutdown,{failed_to_start_child,%s,%s}}",
		    c->spec->id, reason);
		terminate_children(sup);
		return -1;
	}
	return 0;
}

pid_t
sup_start_child(struct sup *sup, void *extra)
{
	struct child *c = arena_alloc(sizeof(*c));
	char reason[64];

	if (c == NULL) {
		warn("%s", __func__);
		return -1;
	}
	c->spec = &sup->specs[0];
	c->extra = extra;
	if (start_child(sup, c, reason, sizeof(reason)) == -1) {
		arena_free(c, sizeof(*c));
		return -1;
	}
	return child_pid(c);
}

size_t
sup_count_children(const struct sup *sup)
{
	return sup->running.count;
}
