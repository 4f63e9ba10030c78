/*
 * sup.c -- the supervisor engine (see sup.h).
 *
 * Signals arrive through a signalfd and are handled in the event loop, never
 * in a handler. They stay blocked for the supervisor's whole life, so a
 * child's exit can only be read after fork() has returned and the child is
 * in the table: there is no window for a child to die unknown. Children are
 * found by pid in O(1) and reaped by pid, the one their exit signal carries
 * (PROC_EXIT_SIGNAL, queued for each exit), because waitpid(-1) walks every
 * child in the kernel. A sweep with it catches what a queue could not hold.
 *
 * Its bookkeeping lives in the arena (arena.h), which fork does not copy.
 *
 * Restart decisions follow supervisor:do_restart/3, the intensity window
 * follows add_restart/1 (intensity.c), and stopping follows shutdown/2:
 * static children one by one in reverse start order, simple_one_for_one
 * children all at once under one shared timer.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

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
#include "stats.h"
#include "sup.h"

/*
 * A role's descriptors, the signalfd and the retry timer: room for a
 * supervisor's channels, its control socket and its control connections.
 */
#define SUP_MAX_WATCHES	32

/*
 * Exits unnamed (a SIGCHLD's, or exit signals the queue could not hold)
 * are reaped by a sweep when nothing else is ready, or this long after at
 * the latest.
 */
#define SUP_SWEEP_DELAY_MS	200

/* Signals read from the signalfd at once. */
#define SUP_SIGNALS_AT_ONCE	32

/*
 * A restart that fails for want of processes or memory is tried again
 * after a back-off, doubling from the first to the last delay, and these
 * tries do not count towards the restart intensity: it measures crashes,
 * not a moment's shortage. OTP retries through try_again_restart.
 */
#define SUP_RETRY_FIRST_MS	100
#define SUP_RETRY_LAST_MS	5000

struct child {
	struct pidmap_entry	 entry;		/* first: the map hands it back */
	const struct child_spec	*spec;
	void			*extra;		/* simple_one_for_one's extra args */
	bool			 shutdown_sent;
	bool			 terminating;	/* being stopped: not restarted */
	bool			 died_stopping;	/* exited on its own during a stop */
	bool			 deleted;	/* static: delete_child'd */
	bool			 restarting;	/* waiting to try again */
	int64_t			 retry_at;	/* ms, when restarting */
	int			 retry_delay;	/* ms, the next back-off */
	pid_t			 last_pid;	/* what a stop report names */
	unsigned		 restarts;
	struct reason		 stop_reason;	/* its exit while being stopped */
};

/* simple_one_for_one children that stopped badly, grouped by reason. */
struct stop_error {
	char	 reason[sizeof(((struct reason *)0)->text)];
	size_t	 count;
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
	int			 retryfd;	/* timerfd: restarts to try again */
	struct child		**retries;	/* restarting children */
	size_t			 nretries;
	bool			 sweep_due;	/* sweep when idle */
	int64_t			 sweep_by;	/* ms: even if not idle */
	size_t			 queue_full;	/* exit signals read: some lost */
	struct watch		 watches[SUP_MAX_WATCHES];
	void			(*on_exit)(void *, pid_t);
	void			*on_exit_ctx;
	bool			(*on_reaped)(void *, pid_t, const struct reason *);
	void			*on_reaped_ctx;
	const char		*(*describe)(void *, pid_t);
	void			*describe_ctx;
	void			(*on_stopping)(void *);
	void			*on_stopping_ctx;
	struct stop_error	*stop_errors;
	size_t			 nstop_errors;
	unsigned		 restarts;
	bool			 stopping;
	bool			 short_said;	/* a dynamic start's shortage reported */
	bool			 in_call;	/* a call waits for a child */
	bool			 stop_pending;	/* a stop came meanwhile */
	bool			 done;
	enum sup_exit		 exit;
};

static const char *const restart_names[] = {
	[RESTART_PERMANENT] = "permanent",
	[RESTART_TRANSIENT] = "transient",
	[RESTART_TEMPORARY] = "temporary",
};

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

const char *
sup_restart_name(enum restart_type type)
{
	return restart_names[type];
}

const char *
sup_type_name(enum child_type type)
{
	return type == CHILD_SUPERVISOR ? "supervisor" : "worker";
}

void
sup_shutdown_text(int shutdown, char *buf, size_t size)
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
	sup_shutdown_text(spec->shutdown, shut, 16);
	return (struct report_child){
		.pid = pid,
		.name = spec->id != NULL ? spec->id : "undefined",
		.mfa = spec->mfa,
		.restart_type = restart_names[spec->restart],
		.shutdown = shut,
		.child_type = sup_type_name(spec->type),
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
	int			 fds[1 + SUP_MAX_WATCHES];	/* the supervisor's own */
	size_t			 nfds;
};

/* The epoll descriptor and every watched one: a child must not hold them. */
static size_t
own_fds(const struct sup *sup, int *fds)
{
	size_t n = 0;

	fds[n++] = sup->epfd;
	for (size_t i = 0; i < SUP_MAX_WATCHES; i++)
		if (sup->watches[i].on_ready != NULL)
			fds[n++] = sup->watches[i].fd;
	return n;
}

static void __attribute__((noreturn))
run_child(const struct launch *l)
{
	for (size_t i = 0; i < l->nfds; i++)
		close(l->fds[i]);
	/* Not its supervisor: a child reports by pid until it names itself. */
	log_set_process(NULL);
	l->spec->start(l->spec->arg, l->extra);
	_exit(0);
}

enum start_result { START_OK, START_FAILED, START_SHORTAGE };

/*
 * Start c; on failure, a start_error report and reason set. A failed fork
 * for want of processes or memory is a shortage, which may pass.
 */
static enum start_result
start_child(struct sup *sup, struct child *c, char *reason, size_t size)
{
	struct launch l = { .spec = c->spec, .extra = c->extra };
	enum start_result failure = START_FAILED;
	pid_t pid;

	l.nfds = own_fds(sup, l.fds);
	if (c->spec->setup != NULL && c->spec->setup(c->spec->arg, reason, size) == -1)
		goto failed;
	if (c->spec->spawn != NULL)
		pid = c->spec->spawn(c->spec->arg, c->extra);
	else if ((pid = proc_fork_linked()) == 0)
		run_child(&l);
	if (pid == -1) {
		if (errno == EAGAIN || errno == ENOMEM)
			failure = START_SHORTAGE;
		snprintf(reason, size, "{fork,%s}", strerrorname_np(errno));
		goto failed;
	}
	c->entry.pid = pid;
	c->shutdown_sent = false;
	if (pidmap_insert(&sup->running, &c->entry) == -1) {
		/* Untracked, it could not be supervised: take it back. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
		strlcpy(reason, "enomem", size);
		failure = START_SHORTAGE;
		goto failed;
	}
	if (sup->flags.strategy != SUP_SIMPLE_ONE_FOR_ONE)
		report_started(sup, c);
	return START_OK;
failed:
	c->entry.pid = 0;
	/* Once per shortage for dynamic children: their caller backs off. */
	if (failure != START_SHORTAGE || sup->flags.strategy !=
	    SUP_SIMPLE_ONE_FOR_ONE || !sup->short_said)
		report_child_event(sup, c, "start_error", reason);
	return failure;
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
			int64_t left = deadline - proc_now_ms();

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
	return shutdown == SHUTDOWN_INFINITY ? -1 : proc_now_ms() + shutdown;
}

/*
 * What a child stopped under its shutdown spec may die of without a
 * shutdown_error report (supervisor:shutdown/2, wait_dynamic_children/5).
 */
static bool
stop_expected(const struct child_spec *spec, const struct reason *r)
{
	switch (r->kind) {
	case REASON_SHUTDOWN:
		return true;
	case REASON_NORMAL:
		return spec->restart != RESTART_PERMANENT;
	case REASON_KILLED:
		return spec->shutdown == SHUTDOWN_BRUTAL_KILL;
	default:
		return false;
	}
}

static void
report_stopped(const struct sup *sup, struct child *c)
{
	pid_t pid = child_pid(c);

	if (stop_expected(c->spec, &c->stop_reason))
		return;
	c->entry.pid = c->last_pid;	/* the report names the pid it stopped */
	report_child_event(sup, c, "shutdown_error", c->stop_reason.text);
	c->entry.pid = pid;
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

/*
 * shutdown/2 for one child: SIGTERM, wait, SIGKILL. Its exit is recorded,
 * not acted on (exited()); a report if it died of something unexpected.
 */
static void
terminate_one(struct sup *sup, struct child *c)
{
	int shutdown = c->spec->shutdown;

	c->terminating = true;
	c->last_pid = child_pid(c);
	signal_child(c, shutdown);
	/* brutal_kill has sent SIGKILL already: wait for it, however long. */
	if (!wait_until(sup, child_gone, c, shutdown == SHUTDOWN_BRUTAL_KILL ?
	    -1 : deadline_of(shutdown))) {
		kill(c->last_pid, SIGKILL);
		wait_until(sup, child_gone, c, -1);
	}
	c->terminating = false;
	report_stopped(sup, c);
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

/* A simple_one_for_one child died badly while they all stop: count it. */
static void
note_stop_error(struct sup *sup, const struct reason *r)
{
	size_t i, size = sizeof(*sup->stop_errors);
	struct stop_error *p;

	for (i = 0; i < sup->nstop_errors; i++)
		if (strcmp(sup->stop_errors[i].reason, r->text) == 0)
			break;
	if (i == sup->nstop_errors) {
		if ((p = arena_alloc((i + 1) * size)) == NULL)
			return;	/* one reason fewer in the reports */
		if (i > 0)
			memcpy(p, sup->stop_errors, i * size);
		arena_free(sup->stop_errors, i * size);
		sup->stop_errors = p;
		strlcpy(p[i].reason, r->text, sizeof(p[i].reason));
		sup->nstop_errors++;
	}
	sup->stop_errors[i].count++;
}

/*
 * simple_one_for_one: every child at once, under one shared timer; then
 * one shutdown_error report per reason that was not a clean stop, with the
 * number of children that died of it (wait_dynamic_children/5).
 */
static void
terminate_dynamic(struct sup *sup)
{
	const struct child_spec *spec = &sup->specs[0];
	int shutdown = spec->shutdown;
	char shut[16];
	struct report_child rc;

	pidmap_foreach(&sup->running, signal_dynamic, &shutdown);
	if (!wait_until(sup, all_gone, NULL, shutdown == SHUTDOWN_BRUTAL_KILL ?
	    -1 : deadline_of(shutdown))) {
		pidmap_foreach(&sup->running, kill_dynamic, NULL);
		wait_until(sup, all_gone, NULL, -1);
	}
	rc = report_child_of(spec, 0, shut);
	for (size_t i = 0; i < sup->nstop_errors; i++) {
		rc.nb_children = sup->stop_errors[i].count;
		report_sup(sup, "shutdown_error", sup->stop_errors[i].reason, &rc);
	}
	arena_free(sup->stop_errors, sup->nstop_errors * sizeof(*sup->stop_errors));
	sup->stop_errors = NULL;
	sup->nstop_errors = 0;
}

static void drop_retries(struct sup *);

static void
terminate_children(struct sup *sup)
{
	if (!sup->stopping && sup->on_stopping != NULL)
		sup->on_stopping(sup->on_stopping_ctx);
	sup->stopping = true;
	drop_retries(sup);
	if (sup->flags.strategy == SUP_SIMPLE_ONE_FOR_ONE) {
		terminate_dynamic(sup);
		return;
	}
	for (size_t i = sup->nspecs; i-- > 0;) {
		struct child *c = &sup->statics[i];

		if (child_pid(c) != 0) {
			terminate_one(sup, c);
		} else if (c->died_stopping) {
			/* OTP finds its 'EXIT' waiting and reports it. */
			c->died_stopping = false;
			report_stopped(sup, c);
		}
	}
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

/* Arm the retry timer for the earliest restart to try again, if any. */
static void
arm_retry(struct sup *sup)
{
	struct itimerspec when = { 0 };
	int64_t first = INT64_MAX;

	for (size_t i = 0; i < sup->nretries; i++)
		if (sup->retries[i]->retry_at < first)
			first = sup->retries[i]->retry_at;
	if (sup->nretries > 0) {
		when.it_value.tv_sec = first / 1000;
		when.it_value.tv_nsec = (first % 1000) * 1000000L + 1;
	}
	timerfd_settime(sup->retryfd, TFD_TIMER_ABSTIME, &when, NULL);
}

static void
retry_later(struct sup *sup, struct child *c)
{
	if (!c->restarting) {
		size_t size = sizeof(*sup->retries);
		struct child **p = arena_alloc((sup->nretries + 1) * size);

		/* No memory to wait in: then it is given up, as a crash. */
		if (p == NULL) {
			give_up(sup, c);
			return;
		}
		if (sup->nretries > 0)
			memcpy(p, sup->retries, sup->nretries * size);
		arena_free(sup->retries, sup->nretries * size);
		sup->retries = p;
		sup->retries[sup->nretries++] = c;
		c->restarting = true;
		c->retry_delay = SUP_RETRY_FIRST_MS;
	}
	c->retry_at = proc_now_ms() + c->retry_delay;
	c->retry_delay = c->retry_delay * 2 < SUP_RETRY_LAST_MS ?
	    c->retry_delay * 2 : SUP_RETRY_LAST_MS;
	arm_retry(sup);
}

/* c no longer waits to be restarted. */
static void
retry_done(struct sup *sup, struct child *c)
{
	if (!c->restarting)
		return;
	c->restarting = false;
	for (size_t i = 0; i < sup->nretries; i++) {
		if (sup->retries[i] == c) {
			sup->retries[i] = sup->retries[--sup->nretries];
			break;
		}
	}
	arm_retry(sup);
}

/*
 * Start c again. A failed start is tried again at once and counted, as
 * OTP's restart/2 does; a shortage is tried again after a back-off.
 */
static void
try_restart(struct sup *sup, struct child *c, bool count)
{
	char reason[64];

	for (;;) {
		if (count && !intensity_add_restart(&sup->intensity,
		    proc_now_ms() / 1000)) {
			retry_done(sup, c);
			give_up(sup, c);
			return;
		}
		switch (start_child(sup, c, reason, sizeof(reason))) {
		case START_OK:
			retry_done(sup, c);
			return;
		case START_SHORTAGE:
			retry_later(sup, c);
			return;
		case START_FAILED:
			count = true;
			break;
		}
	}
}

static void
restart(struct sup *sup, struct child *c)
{
	c->restarts++;
	sup->restarts++;
	stats_add(STATS_RESTARTS);
	try_restart(sup, c, true);
}

static void
on_retry(void *ctx)
{
	struct sup *sup = ctx;
	uint64_t expirations;
	int64_t now = proc_now_ms();

	if (read(sup->retryfd, &expirations, sizeof(expirations)) == -1)
		return;
	/* Backwards: retry_done() moves the last one into the slot it frees. */
	for (size_t i = sup->nretries; i-- > 0 && !sup->done;)
		if (i < sup->nretries && sup->retries[i]->retry_at <= now)
			try_restart(sup, sup->retries[i], false);
	arm_retry(sup);
}

/* A stop forgets the restarts still to be tried. */
static void
drop_retries(struct sup *sup)
{
	for (size_t i = 0; i < sup->nretries; i++) {
		sup->retries[i]->restarting = false;
		if (sup->flags.strategy == SUP_SIMPLE_ONE_FOR_ONE)
			arena_free(sup->retries[i], sizeof(*sup->retries[i]));
	}
	arena_free(sup->retries, sup->nretries * sizeof(*sup->retries));
	sup->retries = NULL;
	sup->nretries = 0;
	arm_retry(sup);
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

	struct child *c;

	/* Not ours: an orphan adopted by the root, a subreaper. */
	if ((e = pidmap_remove(&sup->running, pid)) == NULL)
		return;
	c = child_of(e);
	r = reason_from_status(status, c->shutdown_sent);
	if (sup->on_reaped != NULL &&
	    !sup->on_reaped(sup->on_reaped_ctx, pid, &r) && !c->terminating &&
	    !sup->stopping && c->spec->restart == RESTART_TEMPORARY) {
		/* The role said it; a temporary child is forgotten. */
		forget(sup, c);
		if (!sup->done && sup->on_exit != NULL)
			sup->on_exit(sup->on_exit_ctx, pid);
		return;
	}
	if (c->terminating) {
		/* terminate_one() reports and forgets it. */
		c->stop_reason = r;
		c->entry.pid = 0;
		return;
	}
	if (sup->stopping) {
		if (sup->flags.strategy == SUP_SIMPLE_ONE_FOR_ONE) {
			if (!stop_expected(c->spec, &r))
				note_stop_error(sup, &r);
		} else {
			c->died_stopping = true;
			c->last_pid = pid;
			c->stop_reason = r;
		}
		forget(sup, c);
		return;
	}
	child_exited(sup, c, &r);
	if (!sup->done && sup->on_exit != NULL)
		sup->on_exit(sup->on_exit_ctx, pid);
}

/* The child an exit signal named: waitpid(pid) looks at that child alone. */
static void
reap_pid(struct sup *sup, pid_t pid)
{
	int status;

	/* 0 for a kill(2) from outside our pid namespace: not a child. */
	if (pid > 0 && waitpid(pid, &status, WNOHANG | __WALL) == pid)
		exited(sup, pid, status);
}

/*
 * Every child that has exited. waitpid(-1) makes the kernel walk the whole
 * list of children, so this runs only when stopping; otherwise sweep()
 * reaps one exit at a time.
 */
static void
reap(struct sup *sup)
{
	int status;
	pid_t pid;

	while (!sup->done &&
	    (pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0)
		exited(sup, pid, status);
}

/* sup_run() sweeps once nothing else is ready, or soon at the latest. */
static void
sweep_soon(struct sup *sup)
{
	if (sup->sweep_due)
		return;
	sup->sweep_due = true;
	sup->sweep_by = proc_now_ms() + SUP_SWEEP_DELAY_MS;
}

/*
 * One waitpid(-1). If it found an exit, the sweep stays due: what is ready
 * goes first again, so that a sweep never chases exits as they happen.
 */
static void
sweep(struct sup *sup)
{
	int status;
	pid_t pid;

	sup->sweep_due = false;
	if (sup->stopping ||
	    (pid = waitpid(-1, &status, WNOHANG | __WALL)) <= 0)
		return;
	exited(sup, pid, status);
	sweep_soon(sup);
}

/* --- the event loop ------------------------------------------------------ */

static void
stop(struct sup *sup)
{
	terminate_children(sup);
	sup->done = true;
	sup->exit = SUP_STOPPED;
}

/*
 * The child an exit signal names. signalfd(2) lays a siginfo out by its
 * signal's number, and a real-time signal's as SIGPOLL's: si_band, which
 * shares its place with si_pid, so that ssi_band holds the pid (on x86_64,
 * as its low half) and ssi_pid is 0. ssi_pid is taken when it is set: a
 * kernel that lays the siginfo out by its code, as it does SIGCHLD's.
 */
static pid_t
exit_pid(const struct signalfd_siginfo *si)
{
	return si->ssi_pid != 0 ? (pid_t)si->ssi_pid : (pid_t)si->ssi_band;
}

/*
 * Each exit signal names its child. A SIGCHLD names one of the children
 * not made by proc_fork_linked() that exited while it was pending (an
 * orphan the root adopted), or none (a child stopped): a sweep finds the
 * rest. So it does when the queue of exit signals may have been full, as
 * the kernel drops what does not fit: the limit on pending signals is the
 * whole uid's, and queue_full, half of it, leaves the other half to the
 * uid's other processes.
 */
static void
read_signals(struct sup *sup)
{
	struct signalfd_siginfo si[SUP_SIGNALS_AT_ONCE];
	size_t exits = 0;
	bool term = false;
	ssize_t n;

	while ((n = read(sup->sigfd, si, sizeof(si))) > 0) {
		for (size_t i = 0; i < (size_t)n / sizeof(si[0]); i++) {
			if ((int)si[i].ssi_signo == PROC_EXIT_SIGNAL) {
				reap_pid(sup, exit_pid(&si[i]));
				if (++exits == sup->queue_full)
					sweep_soon(sup);
			} else if (si[i].ssi_signo == SIGCHLD) {
				reap_pid(sup, (pid_t)si[i].ssi_pid);
				sweep_soon(sup);
			} else {
				term = true;
			}
		}
	}
	if (sup->stopping)
		return;
	/* A call is waiting for a child: stop once it is done (sup_stop()). */
	if (term && sup->in_call) {
		sup->stop_pending = true;
		term = false;
	}
	if (term && !sup->done)
		stop(sup);
}

static void
on_signal(void *ctx)
{
	read_signals(ctx);
}

static void
watch(struct sup *sup, int fd, uint32_t events, void (*on_ready)(void *),
    void *ctx)
{
	struct epoll_event ev = { .events = events };

	for (size_t i = 0; i < SUP_MAX_WATCHES; i++) {
		if (sup->watches[i].on_ready != NULL)
			continue;
		sup->watches[i] = (struct watch){ fd, on_ready, ctx };
		ev.data.ptr = &sup->watches[i];
		if (epoll_ctl(sup->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
			log_err(1, "%s: epoll_ctl", __func__);
		return;
	}
	log_errx(1, "%s: too many watches", __func__);
}

void
sup_watch(struct sup *sup, int fd, void (*on_ready)(void *), void *ctx)
{
	watch(sup, fd, EPOLLIN, on_ready, ctx);
}

void
sup_watch_out(struct sup *sup, int fd, void (*on_ready)(void *), void *ctx)
{
	watch(sup, fd, EPOLLOUT, on_ready, ctx);
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

void
sup_on_reaped(struct sup *sup,
    bool (*on_reaped)(void *, pid_t, const struct reason *), void *ctx)
{
	sup->on_reaped = on_reaped;
	sup->on_reaped_ctx = ctx;
}

int
sup_signal_child(struct sup *sup, pid_t pid, int sig)
{
	struct pidmap_entry *e = pidmap_find(&sup->running, pid);

	if (e == NULL)
		return -1;
	if (sig == SIGTERM)
		child_of(e)->shutdown_sent = true;
	return kill(pid, sig);
}

enum sup_exit
sup_run(struct sup *sup)
{
	struct epoll_event events[SUP_MAX_WATCHES];

	while (!sup->done) {
		int n = epoll_wait(sup->epfd, events, SUP_MAX_WATCHES,
		    sup->sweep_due ? 0 : -1);

		if (n == -1 && errno != EINTR)
			log_err(1, "%s: epoll_wait", __func__);
		for (int i = 0; i < n && !sup->done; i++) {
			struct watch *w = events[i].data.ptr;

			if (w->on_ready != NULL)
				w->on_ready(w->ctx);
		}
		if (sup->sweep_due && !sup->done && (n == 0 ||
		    proc_now_ms() >= sup->sweep_by))
			sweep(sup);
	}
	return sup->exit;
}

/* --- construction -------------------------------------------------------- */

/* See read_signals(): after how many exit signals some may have been lost. */
static size_t
queue_full(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_SIGPENDING, &rl) == -1 ||
	    rl.rlim_cur == RLIM_INFINITY)
		return SIZE_MAX;
	return rl.rlim_cur / 2 > 0 ? (size_t)(rl.rlim_cur / 2) : 1;
}

struct sup *
sup_create(const struct sup_flags *flags, const struct child_spec *specs,
    size_t nspecs)
{
	struct sup *sup = arena_alloc(sizeof(*sup));
	sigset_t blocked;

	if (sup == NULL)
		log_err(1, "%s", __func__);
	sup->flags = *flags;
	snprintf(sup->term, sizeof(sup->term), "{local,%s}", flags->name);
	log_set_process(flags->name);
	sup->specs = specs;
	sup->nspecs = nspecs;
	if (flags->strategy != SUP_SIMPLE_ONE_FOR_ONE &&
	    (sup->statics = arena_alloc(nspecs * sizeof(*sup->statics))) == NULL)
		log_err(1, "%s", __func__);
	for (size_t i = 0; sup->statics != NULL && i < nspecs; i++)
		sup->statics[i].spec = &specs[i];
	if (pidmap_init(&sup->running) == -1 ||
	    intensity_init(&sup->intensity, flags->intensity, flags->period) == -1)
		log_err(1, "%s", __func__);
	proc_block_signals(&blocked);
	if ((sup->sigfd = signalfd(-1, &blocked, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		log_err(1, "signalfd");
	if ((sup->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		log_err(1, "epoll_create1");
	if ((sup->retryfd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
		log_err(1, "timerfd_create");
	sup->queue_full = queue_full();
	sup_watch(sup, sup->sigfd, on_signal, sup);
	sup_watch(sup, sup->retryfd, on_retry, sup);
	return sup;
}

int
sup_start_children(struct sup *sup, char *why, size_t size)
{
	char reason[64];

	for (size_t i = 0; i < sup->nspecs; i++) {
		struct child *c = &sup->statics[i];

		if (start_child(sup, c, reason, sizeof(reason)) == START_OK)
			continue;
		snprintf(why, size, "{shutdown,{failed_to_start_child,%s,%s}}",
		    c->spec->id, reason);
		terminate_children(sup);
		return -1;
	}
	return 0;
}

/* A dynamic child from the template; failures as sup_start_child(). */
static struct child *
dynamic_child(const struct sup *sup, void *extra)
{
	struct child *c = arena_alloc(sizeof(*c));

	if (c == NULL) {
		log_warn("%s: start_child", sup->flags.name);
		errno = ENOMEM;
		return NULL;
	}
	c->extra = extra;
	return c;
}

static pid_t
start_dynamic(struct sup *sup, struct child *c)
{
	enum start_result r;
	char reason[64];

	c->spec = &sup->specs[0];
	r = start_child(sup, c, reason, sizeof(reason));
	sup->short_said = r == START_SHORTAGE;
	if (r != START_OK) {
		arena_free(c, sizeof(*c));
		errno = r == START_SHORTAGE ? EAGAIN : EINVAL;
		return -1;
	}
	return child_pid(c);
}

pid_t
sup_start_child(struct sup *sup, void *extra)
{
	struct child *c = dynamic_child(sup, extra);

	return c == NULL ? -1 : start_dynamic(sup, c);
}

void
sup_start_batch(struct sup *sup, void *const extra[], size_t n, pid_t pid[],
    int err[])
{
	const struct child_spec *spec = &sup->specs[0];
	struct child *c[SUP_BATCH_MAX];

	if (n > SUP_BATCH_MAX)
		n = SUP_BATCH_MAX;
	/* Every record first: a child asked for ahead must be collected. */
	for (size_t i = 0; i < n; i++) {
		if ((c[i] = dynamic_child(sup, extra[i])) == NULL)
			err[i] = errno;
		else if (spec->spawn_ahead != NULL && spec->setup == NULL)
			spec->spawn_ahead(spec->arg, extra[i]);
	}
	for (size_t i = 0; i < n; i++) {
		pid[i] = c[i] == NULL ? -1 : start_dynamic(sup, c[i]);
		if (pid[i] == -1 && c[i] != NULL)
			err[i] = errno;
	}
}

size_t
sup_count_children(const struct sup *sup)
{
	return sup->running.count;
}

/* --- OTP's supervisor calls ------------------------------------------------ */

static bool
is_simple(const struct sup *sup)
{
	return sup->flags.strategy == SUP_SIMPLE_ONE_FOR_ONE;
}

/* A pid as OTP would be given one: decimal, positive. */
static bool
parse_pid(const char *s, pid_t *pid)
{
	const char *errstr;

	*pid = (pid_t)strtonum(s, 1, INT32_MAX, &errstr);
	return errstr == NULL;
}

/* A static child by id or by pid; deleted specs are not found. */
static struct child *
find_static(const struct sup *sup, const char *name)
{
	pid_t pid = 0;
	bool by_pid = parse_pid(name, &pid);

	for (size_t i = 0; i < sup->nspecs; i++) {
		struct child *c = &sup->statics[i];

		if (c->deleted)
			continue;
		if (by_pid ? child_pid(c) == pid :
		    c->spec->id != NULL && strcmp(c->spec->id, name) == 0)
			return c;
	}
	return NULL;
}

static struct sup_child_info
info_of(const struct sup *sup, const struct child *c)
{
	pid_t pid = child_pid(c);

	return (struct sup_child_info){
		.spec = c->spec,
		.pid = pid,
		.restarts = c->restarts,
		.restarting = c->restarting,
		.state = pid != 0 && sup->describe != NULL ?
		    sup->describe(sup->describe_ctx, pid) : NULL,
	};
}

struct visit {
	const struct sup	*sup;
	void			(*fn)(void *, const struct sup_child_info *);
	void			*ctx;
};

static void
visit_dynamic(struct pidmap_entry *e, void *arg)
{
	struct visit *v = arg;
	struct sup_child_info info = info_of(v->sup, child_of(e));

	v->fn(v->ctx, &info);
}

void
sup_which_children(const struct sup *sup,
    void (*fn)(void *, const struct sup_child_info *), void *ctx)
{
	struct visit v = { sup, fn, ctx };

	if (is_simple(sup)) {
		pidmap_foreach(&sup->running, visit_dynamic, &v);
		for (size_t i = 0; i < sup->nretries; i++) {
			struct sup_child_info info = info_of(sup, sup->retries[i]);

			fn(ctx, &info);
		}
		return;
	}
	for (size_t i = sup->nspecs; i-- > 0;) {
		struct sup_child_info info = info_of(sup, &sup->statics[i]);

		if (!sup->statics[i].deleted)
			fn(ctx, &info);
	}
}

void
sup_count(const struct sup *sup, struct sup_counts *n)
{
	*n = (struct sup_counts){ 0 };
	if (is_simple(sup)) {
		/* OTP counts the template once and every child as a worker. */
		n->specs = 1;
		n->active = sup->running.count;
		if (sup->specs[0].type == CHILD_SUPERVISOR)
			n->supervisors = n->active;
		else
			n->workers = n->active;
		return;
	}
	for (size_t i = 0; i < sup->nspecs; i++) {
		const struct child *c = &sup->statics[i];

		if (c->deleted)
			continue;
		n->specs++;
		n->active += child_pid(c) != 0;
		if (c->spec->type == CHILD_SUPERVISOR)
			n->supervisors++;
		else
			n->workers++;
	}
}

/* Run a call that waits for a child; a stop that comes meanwhile waits. */
static void
call_terminate(struct sup *sup, struct child *c)
{
	sup->in_call = true;
	terminate_one(sup, c);
	sup->in_call = false;
	if (sup->stop_pending && !sup->done) {
		sup->stop_pending = false;
		stop(sup);
	}
}

const char *
sup_terminate_child(struct sup *sup, const char *name)
{
	struct pidmap_entry *e;
	struct child *c;
	pid_t pid;

	if (!is_simple(sup)) {
		if ((c = find_static(sup, name)) == NULL)
			return "not_found";
		if (child_pid(c) != 0)
			call_terminate(sup, c);
		retry_done(sup, c);	/* a restart still to try is not */
		return NULL;
	}
	if (!parse_pid(name, &pid))
		return "simple_one_for_one";
	if ((e = pidmap_find(&sup->running, pid)) == NULL)
		return "not_found";
	c = child_of(e);
	call_terminate(sup, c);
	forget(sup, c);
	if (!sup->done && sup->on_exit != NULL)
		sup->on_exit(sup->on_exit_ctx, pid);
	return NULL;
}

/* A static child that is not running: what restart and delete act on. */
static const char *
find_stopped(const struct sup *sup, const char *id, struct child **c)
{
	if (is_simple(sup))
		return "simple_one_for_one";
	if ((*c = find_static(sup, id)) == NULL)
		return "not_found";
	if ((*c)->restarting)
		return "restarting";
	if (child_pid(*c) != 0)
		return "running";
	return NULL;
}

const char *
sup_restart_child(struct sup *sup, const char *id, pid_t *pid)
{
	static char reason[64];
	struct child *c;
	const char *error = find_stopped(sup, id, &c);

	if (error != NULL)
		return error;
	if (start_child(sup, c, reason, sizeof(reason)) != START_OK)
		return reason;
	*pid = child_pid(c);
	return NULL;
}

const char *
sup_delete_child(struct sup *sup, const char *id)
{
	struct child *c;
	const char *error = find_stopped(sup, id, &c);

	if (error != NULL)
		return error;
	c->deleted = true;
	return NULL;
}

const char *
sup_get_childspec(const struct sup *sup, const char *name,
    const struct child_spec **spec)
{
	const struct child *c;
	pid_t pid;

	if (is_simple(sup)) {
		/* The template, found by a child's pid or by its id, undefined. */
		if (strcmp(name, "undefined") != 0 && (!parse_pid(name, &pid) ||
		    pidmap_find(&sup->running, pid) == NULL))
			return "not_found";
		*spec = &sup->specs[0];
		return NULL;
	}
	if ((c = find_static(sup, name)) == NULL)
		return "not_found";
	*spec = c->spec;
	return NULL;
}

const struct sup_flags *
sup_get_flags(const struct sup *sup)
{
	return &sup->flags;
}

unsigned
sup_restarts(const struct sup *sup)
{
	return sup->restarts;
}

void
sup_on_describe(struct sup *sup, const char *(*state)(void *, pid_t),
    void *ctx)
{
	sup->describe = state;
	sup->describe_ctx = ctx;
}

void
sup_on_stopping(struct sup *sup, void (*on_stopping)(void *), void *ctx)
{
	sup->on_stopping = on_stopping;
	sup->on_stopping_ctx = ctx;
}

void
sup_stop(struct sup *sup)
{
	if (sup->in_call)
		sup->stop_pending = true;
	else if (!sup->done)
		stop(sup);
}
