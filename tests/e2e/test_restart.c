/*
 * test_restart.c -- kill -9 anywhere in the tree and watch OTP's restart
 * rules: the listener comes back without refusing a connection, workers
 * killed together are each reported, the client supervisor comes back and
 * takes its workers down with it, and a sixth crash in 60 s ends the
 * application.
 */
#include <criterion/criterion.h>

#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;
static pid_t loader = -1;

static void
teardown(void)
{
	if (loader > 0) {
		kill(loader, SIGKILL);
		waitpid(loader, NULL, 0);
	}
	ts_cleanup(&ts);
}

TestSuite(restart, .fini = teardown, .timeout = 60);

struct load_result {
	int	connections;
	int	refused;
	int	failed;		/* accepted, but no echo came back */
};

/* Connect, echo one frame, close: for at most ms or max connections. */
static void
connect_loop(const struct tcpsup *t, int ms, int max, struct load_result *r)
{
	struct timespec start, now;
	char buf[16];

	clock_gettime(CLOCK_MONOTONIC, &start);
	memset(r, 0, sizeof(*r));
	for (; r->connections < max; r->connections++) {
		int fd = ts_connect(t);

		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000 > ms)
			break;
		if (fd == -1) {
			r->refused += errno == ECONNREFUSED;
			r->failed += errno != ECONNREFUSED;
			continue;
		}
		if (ts_send_frame(fd, "ping", 4) == -1 ||
		    ts_recv_frame(fd, buf, sizeof(buf)) != 4)
			r->failed++;
		close(fd);
	}
}

static void
start_loader(int ms, int max, int *rfd)
{
	int p[2];
	pid_t parent = getpid();

	cr_assert_eq(pipe(p), 0);
	loader = fork();
	cr_assert(loader >= 0);
	if (loader == 0) {
		struct load_result r;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		connect_loop(&ts, ms, max, &r);
		_exit(write(p[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	*rfd = p[0];
}

static pid_t
kill_and_wait_restart(pid_t parent, const char *title, pid_t victim)
{
	cr_assert_eq(kill(victim, SIGKILL), 0);
	return ts_wait_child(&ts, parent, title, victim, 5000);
}

Test(restart, listener_kill_refuses_no_connection)
{
	struct load_result r;
	pid_t listener, old;
	char expect[256];
	int rfd;

	ts_start(&ts, NULL);
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	cr_assert(listener > 0);
	start_loader(3000, 20000, &rfd);
	for (int i = 0; i < 3; i++) {
		poll(NULL, 0, 300);
		old = listener;
		listener = kill_and_wait_restart(ts.pid, "tcp_listener", old);
		cr_assert(listener > 0, "listener %d not restarted", (int)old);
		snprintf(expect, sizeof(expect),
		    "     Context:    child_terminated\n"
		    "     Reason:     killed\n"
		    "     Offender:   [{pid,%d},\n"
		    "                  {name,tcp_server_sup},\n", (int)old);
		cr_assert(ts_wait_log(&ts, 0, expect, 2000), "%s", ts.log);
		snprintf(expect, sizeof(expect),
		    "          supervisor: {local,tcp_server_app}\n"
		    "             started: [{pid,%d},\n"
		    "                       {name,tcp_server_sup},\n", (int)listener);
		cr_assert(ts_wait_log(&ts, 0, expect, 2000), "%s", ts.log);
	}
	cr_assert_eq(read(rfd, &r, sizeof(r)), (ssize_t)sizeof(r));
	close(rfd);
	waitpid(loader, NULL, 0);
	loader = -1;
	cr_log_info("%d connections, %d refused, %d failed", r.connections,
	    r.refused, r.failed);
	cr_assert_gt(r.connections, 100 / ts_slow(), "the loop barely ran");
	cr_assert_eq(r.refused, 0, "%d of %d connections refused", r.refused,
	    r.connections);
	/* At most the one connection a listener held as it died. */
	cr_assert_leq(r.failed, 3, "%d of %d connections failed", r.failed,
	    r.connections);
}

/*
 * kill -9 of many workers at once: the kernel would keep one SIGCHLD
 * pending for all their exits, but each is reaped (a report is written
 * once it is) by its own pid, and the clients left are served on.
 */
#define HELD	80
#define KILLED	30

Test(restart, workers_killed_together_are_each_reported)
{
	pid_t client_sup, victims[KILLED];
	char buf[8], expect[128];
	int fds[HELD];
	size_t mark;

	ts_start(&ts, NULL);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert(client_sup > 0);
	for (int i = 0; i < HELD; i++)
		cr_assert((fds[i] = ts_connect_echoed(&ts)) >= 0,
		    "client %d not served", i);
	for (int i = 0; i < KILLED; i++)
		cr_assert((victims[i] = ts_worker_of(&ts, client_sup, fds[i],
		    5000)) > 0, "no worker for client %d", i);
	mark = ts.len;
	for (int i = 0; i < KILLED; i++)
		cr_assert_eq(kill(victims[i], SIGKILL), 0);
	for (int i = 0; i < KILLED; i++) {
		snprintf(expect, sizeof(expect),
		    "     Reason:     killed\n"
		    "     Offender:   [{pid,%d},\n", (int)victims[i]);
		cr_assert(ts_wait_log(&ts, mark, expect, 5000),
		    "no report for worker %d; stderr since the kills:\n%s",
		    (int)victims[i], ts.log + mark);
		cr_assert(ts_closed_by_peer(fds[i], 5000));
	}
	cr_assert_eq(ts_count(&ts, mark, "=SUPERVISOR REPORT===="), KILLED,
	    "%s", ts.log + mark);
	for (int i = KILLED; i < HELD; i++) {
		cr_assert_eq(ts_send_frame(fds[i], "again", 5), 0);
		cr_assert_eq(ts_recv_frame(fds[i], buf, sizeof(buf)), 5,
		    "client %d not served after the kills", i);
	}
	for (int i = 0; i < HELD; i++)
		close(fds[i]);
}

Test(restart, client_sup_kill_takes_its_workers_and_comes_back)
{
	pid_t client_sup, fresh, workers[3];
	int fds[3], fd;
	char expect[256];

	ts_start(&ts, NULL);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert(client_sup > 0);
	for (int i = 0; i < 3; i++) {
		fds[i] = ts_connect_echoed(&ts);
		cr_assert(fds[i] >= 0, "connection %d not served", i);
	}
	cr_assert_eq(ts_children(&ts, client_sup, "tcp_echo_fsm 127", workers, 3), 3);

	fresh = kill_and_wait_restart(ts.pid, "tcp_client_sup", client_sup);
	cr_assert(fresh > 0, "tcp_client_sup not restarted");
	for (int i = 0; i < 3; i++) {
		cr_assert(ts_wait_gone(workers[i], 2000), "worker %d orphaned",
		    (int)workers[i]);
		cr_assert(ts_closed_by_peer(fds[i], 2000));
		close(fds[i]);
	}
	snprintf(expect, sizeof(expect),
	    "     Supervisor: {local,tcp_server_app}\n"
	    "     Context:    child_terminated\n"
	    "     Reason:     killed\n"
	    "     Offender:   [{pid,%d},\n"
	    "                  {name,tcp_client_sup},\n", (int)client_sup);
	cr_assert(ts_wait_log(&ts, 0, expect, 2000), "%s", ts.log);

	fd = ts_connect_echoed(&ts);
	cr_assert(fd >= 0, "connection not served");
	cr_assert(ts_child(&ts, fresh, "tcp_echo_fsm 127") > 0);
	close(fd);
}

Test(restart, sixth_listener_crash_ends_the_application)
{
	pid_t listener, client_sup, worker;
	char expect[512];
	const char *gave_up, *exited;
	int fd;

	ts_start(&ts, NULL);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	fd = ts_connect_echoed(&ts);
	cr_assert(fd >= 0, "connection not served");
	worker = ts_child(&ts, client_sup, "tcp_echo_fsm 127");
	cr_assert(worker > 0);

	listener = ts_child(&ts, ts.pid, "tcp_listener");
	for (int i = 0; i < 5; i++) {
		listener = kill_and_wait_restart(ts.pid, "tcp_listener", listener);
		cr_assert(listener > 0, "restart %d did not happen", i + 1);
	}
	cr_assert_eq(kill(listener, SIGKILL), 0);
	cr_assert(ts_wait_exit(&ts, 10000), "the application did not end");
	cr_assert(WIFEXITED(ts.status));
	cr_assert_eq(WEXITSTATUS(ts.status), 75);

	snprintf(expect, sizeof(expect),
	    "     Supervisor: {local,tcp_server_app}\n"
	    "     Context:    shutdown\n"
	    "     Reason:     reached_max_restart_intensity\n"
	    "     Offender:   [{pid,%d},\n"
	    "                  {name,tcp_server_sup},\n"
	    "                  {mfa,{tcp_listener,start_link,[%d,tcp_echo_fsm]}},\n"
	    "                  {restart_type,permanent},\n"
	    "                  {shutdown,2000},\n"
	    "                  {child_type,worker}]\n\n",
	    (int)listener, ts.port);
	gave_up = ts_find(&ts, 0, expect);
	cr_assert(gave_up != NULL, "no intensity report in:\n%s", ts.log);
	exited = ts_find(&ts, 0, "    application: tcp_server\n"
	    "    exited: shutdown\n    type: temporary\n");
	cr_assert(exited != NULL && exited > gave_up, "%s", ts.log);
	/* Six crash reports for the listener, and none for the clean stops. */
	{
		int crashes = 0;

		for (const char *p = ts.log; (p = strstr(p, "{name,tcp_server_sup}")); p++)
			crashes++;
		/* 1 start + 5 restarts (progress) + 6 crashes + 1 give-up */
		cr_assert_eq(crashes, 13, "%s", ts.log);
	}
	cr_assert_null(ts_find(&ts, 0, "shutdown_error"));
	cr_assert(ts_all_gone(&ts, 3000), "a process outlived the application");
	cr_assert(!ts_alive(client_sup) && !ts_alive(worker));
	cr_assert(ts_closed_by_peer(fd, 1000));
	close(fd);
}

Test(restart, root_kill_leaves_no_orphan)
{
	pid_t listener, client_sup, workers[2];
	int fds[2];

	ts_start(&ts, NULL);
	for (int i = 0; i < 2; i++) {
		fds[i] = ts_connect_echoed(&ts);
		cr_assert(fds[i] >= 0, "connection %d not served", i);
	}
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert_eq(ts_children(&ts, client_sup, "tcp_echo_fsm 127", workers, 2), 2);

	cr_assert_eq(kill(ts.pid, SIGKILL), 0);
	cr_assert(ts_wait_exit(&ts, 5000));
	/* Links: each process dies with its parent, down to the workers. */
	cr_assert(ts_wait_gone(listener, 3000), "listener orphaned");
	cr_assert(ts_wait_gone(client_sup, 3000), "tcp_client_sup orphaned");
	for (int i = 0; i < 2; i++) {
		cr_assert(ts_wait_gone(workers[i], 3000), "worker orphaned");
		cr_assert(ts_closed_by_peer(fds[i], 2000));
		close(fds[i]);
	}
}
