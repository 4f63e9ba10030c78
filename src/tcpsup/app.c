/*
 * app.c -- the application and its root supervisor, tcp_server_app.
 *
 * The root is the process the user started. It stays in the foreground,
 * owns the listening socket, both ends of the hand-off channel and the
 * control socket, and supervises the listener and the client supervisor
 * one_for_one. It is a
 * child subreaper, so the workers of a client supervisor that died are
 * reaped here instead of lingering as zombies of init.
 *
 * It is also what the host sees: it holds the pidfile, takes the socket
 * systemd passes, drops root (--user) before it forks anything, and tells
 * systemd from its event loop that it is ready, how it is doing, that it
 * stops, and that it is alive (the watchdog): a wedged root stops the pings.
 *
 * The tree is data: the table below is OTP's init/1.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <fcntl.h>
#include <libutil.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sysexits.h>

#include "app.h"
#include "client_sup.h"
#include "control.h"
#include "listener.h"
#include "log.h"
#include "proc.h"
#include "reason.h"
#include "report.h"
#include "sdlisten.h"
#include "sdnotify.h"
#include "stats.h"
#include "sup.h"
#include "sysreport.h"
#include "tree.h"

static void
app_report_exit(const char *reason)
{
	struct report r = report_app_exit("tcp_server", reason, "temporary");

	log_report(&r);
}

/*
 * Every connection is a descriptor somewhere in the tree, and reuse keeps
 * one per worker in tcp_client_sup: take all the kernel allows.
 */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit(RLIMIT_NOFILE)");
	}
}

/* Sequenced packets: one socket per message, no stream to resync. */
static void
channel_open(int *send_end, int *recv_end)
{
	int pair[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == -1)
		log_err(EX_OSERR, "socketpair");
	*send_end = pair[0];
	*recv_end = pair[1];
	if (fcntl(*recv_end, F_SETFL, O_NONBLOCK) == -1)
		log_err(EX_OSERR, "fcntl");
}

static void
tree_init(struct tree *t, const struct options *o)
{
	/* The handler module, as the tutorial passes it down the tree. */
	const char *handler = o->exec_argv != NULL ? "tcpsup_exec" :
	    "tcp_echo_fsm";

	t->opts = o;
	t->listen_fd = -1;
	snprintf(t->listener_mfa, sizeof(t->listener_mfa),
	    "{tcp_listener,start_link,[%d,%s]}", addr_port(&o->listen), handler);
	snprintf(t->client_sup_mfa, sizeof(t->client_sup_mfa),
	    "{supervisor,start_link,[{local,tcp_client_sup},tcp_server_app,"
	    "[%s]]}", handler);
	channel_open(&t->handoff_send, &t->handoff_recv);
	/* The root never waits on tcp_client_sup: its end does not block. */
	channel_open(&t->control_send, &t->control_recv);
	if (fcntl(t->control_send, F_SETFL, O_NONBLOCK) == -1)
		log_err(EX_OSERR, "fcntl");
}

static void
on_tick(void *ctx)
{
	uint64_t expirations;
	int *fd = ctx;

	if (read(*fd, &expirations, sizeof(expirations)) > 0)
		log_tell_dropped();
}

/*
 * Reports that stderr could not take are counted by whoever dropped them;
 * once a second the root says how many, if stderr takes reports again,
 * so that the count comes even when nothing else is reported.
 */
static void
tick_start(struct sup *root)
{
	static int fd;
	const struct itimerspec every = { .it_interval = { .tv_sec = 1 },
	    .it_value = { .tv_sec = 1 } };

	if ((fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC)) == -1 || timerfd_settime(fd, 0, &every, NULL) == -1)
		log_err(EX_OSERR, "%s", __func__);
	sup_watch(root, fd, on_tick, &fd);
}

/*
 * The control socket's place depends on the bound port, so it opens once
 * the children run; if it cannot, they are stopped and tcpsup refuses to
 * run, as it does when the port is taken.
 */
static int
control_start(struct control **ctl, struct sup *root, struct tree *t)
{
	char why[256], reason[32], exited[80];

	if (control_open(ctl, root, t, why, sizeof(why), reason,
	    sizeof(reason)) == 0)
		return 0;
	log_warnx("%s", why);
	sup_stop(root);
	snprintf(exited, sizeof(exited), "{shutdown,{control,%s}}", reason);
	app_report_exit(exited);
	return -1;
}

/* --- systemd: readiness, status, stopping, the watchdog ----------------- */

/* How often the status is looked at when no watchdog asks for more. */
#define NOTIFY_STATUS_MS	1000

struct notify {
	int			 fd;		/* timerfd */
	bool			 watchdog;
	const struct tree	*tree;
	char			 status[160];	/* as last sent */
};

/* "STATUS=...", sent only when it changed: the manager's log stays quiet. */
static void
notify_status(struct notify *n, const char *prefix)
{
	char line[sizeof(n->status)], msg[sizeof(line) + 16];

	sdnotify_status(line, sizeof(line), stats_get(STATS_CLIENTS),
	    stats_get(STATS_RESTARTS), n->tree->bound);
	if (prefix == NULL && strcmp(line, n->status) == 0)
		return;
	strlcpy(n->status, line, sizeof(n->status));
	snprintf(msg, sizeof(msg), "%s%s", prefix != NULL ? prefix : "", line);
	sdnotify_send(msg);
}

static void
on_notify_tick(void *ctx)
{
	struct notify *n = ctx;
	uint64_t expirations;

	if (read(n->fd, &expirations, sizeof(expirations)) <= 0)
		return;
	/* From the event loop: if the root wedges, the pings stop. */
	if (n->watchdog)
		sdnotify_send("WATCHDOG=1");
	notify_status(n, NULL);
}

static void
on_stopping(void *ctx)
{
	(void)ctx;
	sdnotify_send("STOPPING=1");
}

/*
 * Once the tree runs and the control socket is open: READY=1 with the
 * first status, then a tick at half the watchdog interval (systemd's
 * advice), or once a second for the status alone.
 */
static void
notify_start(struct sup *root, const struct tree *t, uint64_t watchdog_usec)
{
	static struct notify n;
	uint64_t every_us = NOTIFY_STATUS_MS * 1000;
	struct itimerspec tick;

	n.tree = t;
	n.watchdog = watchdog_usec > 0;
	if (n.watchdog && watchdog_usec / 2 < every_us)
		every_us = watchdog_usec / 2 > 0 ? watchdog_usec / 2 : 1;
	tick.it_interval.tv_sec = (time_t)(every_us / 1000000);
	tick.it_interval.tv_nsec = (long)(every_us % 1000000) * 1000;
	tick.it_value = tick.it_interval;
	sup_on_stopping(root, on_stopping, NULL);
	notify_status(&n, "READY=1\n");
	if ((n.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC)) == -1 || timerfd_settime(n.fd, 0, &tick, NULL) == -1)
		log_err(EX_OSERR, "%s", __func__);
	sup_watch(root, n.fd, on_notify_tick, &n);
}

/* --- the host: the pidfile, the socket, the user ------------------------ */

/*
 * libbsd's pidfile is locked, not just written: a second tcpsup on it is
 * refused by the lock, and a file left by a killed one is no obstacle.
 */
static struct pidfh *
pidfile_start(const char *path)
{
	struct pidfh *pfh;
	pid_t other = -1;

	if (path == NULL)
		return NULL;
	if ((pfh = pidfile_open(path, 0644, &other)) == NULL) {
		if (errno == EEXIST)
			log_errx(EX_UNAVAILABLE, "--pidfile %s: tcpsup already"
			    " runs as pid %ld", path, (long)other);
		log_err(EX_CANTCREAT, "--pidfile %s", path);
	}
	if (pidfile_write(pfh) == -1)
		log_err(EX_CANTCREAT, "--pidfile %s", path);
	return pfh;
}

static void
pidfile_stop(struct pidfh *pfh, const char *path)
{
	if (pfh != NULL && pidfile_remove(pfh) == -1)
		log_warn("--pidfile %s: cannot remove it", path);
}

static void
warn_root(void)
{
	struct report r = report_message(REPORT_WARNING, getpid(),
	    "Running as root: every worker serves its client as root. "
	    "Start with --user NAME to drop root once the port is bound.");

	log_report(&r);
}

/*
 * The listening socket, from systemd or bound now, then the drop: no
 * process of the tree but this one ever runs as root. If the socket
 * cannot be had, the listener's start fails with the reason and nothing
 * runs at all.
 */
static void
host_start(struct tree *t, const struct privs *p)
{
	char why[256];
	int fd;

	if (sdlisten_take(&fd, why, sizeof(why)) == -1)
		log_errx(EX_CONFIG, "socket activation: %s", why);
	if (listener_open(t, fd) == -1)
		return;
	if (privs_drop(p, why, sizeof(why)) == -1)
		log_errx(EX_NOPERM, "--user %s: %s", t->opts->user, why);
	if (geteuid() == 0)
		warn_root();
}

static int
run(const struct options *o, const struct privs *p, struct pidfh *pfh)
{
	static struct tree t;
	const struct child_spec children[] = {
		{
			.id = "tcp_server_sup",	/* the tutorial's name for it */
			.mfa = t.listener_mfa,
			.modules = "[tcp_listener]",
			.restart = RESTART_PERMANENT,
			.shutdown = o->shutdown,
			.type = CHILD_WORKER,
			.setup = listener_setup,
			.start = listener_start,
			.arg = &t,
		},
		{
			.id = "tcp_client_sup",
			.mfa = t.client_sup_mfa,
			.modules = "[]",
			.restart = RESTART_PERMANENT,
			.shutdown = SHUTDOWN_INFINITY,
			.type = CHILD_SUPERVISOR,
			.start = client_sup_start,
			.arg = &t,
		},
	};
	const struct sup_flags flags = {
		.name = "tcp_server_app",
		.strategy = SUP_ONE_FOR_ONE,
		.intensity = o->intensity,
		.period = o->period,
	};
	struct report started = report_progress_app("tcp_server", "nonode@nohost");
	struct control *ctl;
	struct sup *root;
	enum sup_exit how;
	uint64_t watchdog_usec;
	bool notify;
	char why[160];

	/* Before the first report, which it counts and keeps for stats. */
	if (stats_open() == -1)
		log_warn("stats");
	if (o->syslog_facility != -1 && sysreport_open(o->syslog_facility) == -1)
		log_err(EX_OSERR, "--syslog");
	/* Read once, and hidden from every child. */
	notify = sdnotify_open(&watchdog_usec);
	tree_init(&t, o);
	t.pidfile_fd = pfh != NULL ? pidfile_fileno(pfh) : -1;
	host_start(&t, p);
	/* Before any fork: every process of the tree inherits the wrap log. */
	if (o->report_dir != NULL && log_open_report_dir(o->report_dir,
	    o->report_max_bytes, o->report_max_files) == -1)
		log_err(EX_CANTCREAT, "--report-dir %s", o->report_dir);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("prctl(PR_SET_CHILD_SUBREAPER)");
	raise_fd_limit();
	proc_title("tcp_server_app");
	root = sup_create(&flags, children, sizeof(children) / sizeof(children[0]));
	if (sup_start_children(root, why, sizeof(why)) == -1) {
		app_report_exit(why);
		return EX_UNAVAILABLE;
	}
	if (control_start(&ctl, root, &t) == -1)
		return EX_UNAVAILABLE;
	log_report(&started);
	tick_start(root);
	if (notify)
		notify_start(root, &t, watchdog_usec);
	how = sup_run(root);
	control_close(ctl);
	if (how == SUP_STOPPED) {
		app_report_exit("stopped");
		return EX_OK;
	}
	app_report_exit("shutdown");
	return REASON_SHUTDOWN_STATUS;
}

int
app_run(const struct options *o, const struct privs *p)
{
	struct pidfh *pfh;
	int status;

	log_set_format(o->log_format);
	/* Before the first report: a stderr whose reader is gone is no crash. */
	signal(SIGPIPE, SIG_IGN);
	if (log_stderr_nonblocking() == -1)
		log_warn("stderr");
	pfh = pidfile_start(o->pidfile);
	status = run(o, p, pfh);
	pidfile_stop(pfh, o->pidfile);
	return status;
}
