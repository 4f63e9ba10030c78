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
 * The tree is data: the table below is OTP's init/1.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
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
#include "stats.h"
#include "sup.h"
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

int
app_run(const struct options *o)
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
	char why[160];

	log_set_format(o->log_format);
	/* Before the first report: a stderr whose reader is gone is no crash. */
	signal(SIGPIPE, SIG_IGN);
	if (log_stderr_nonblocking() == -1)
		log_warn("stderr");
	/* Before any fork: every process of the tree inherits the wrap log. */
	if (o->report_dir != NULL && log_open_report_dir(o->report_dir,
	    o->report_max_bytes, o->report_max_files) == -1)
		log_err(EX_CANTCREAT, "--report-dir %s", o->report_dir);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("prctl(PR_SET_CHILD_SUBREAPER)");
	raise_fd_limit();
	tree_init(&t, o);
	if (stats_open() == -1)
		log_warn("stats");
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
	how = sup_run(root);
	control_close(ctl);
	if (how == SUP_STOPPED) {
		app_report_exit("stopped");
		return EX_OK;
	}
	app_report_exit("shutdown");
	return REASON_SHUTDOWN_STATUS;
}
