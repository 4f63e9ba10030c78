/*
 * test_stop.c -- stopping the application: SIGTERM and SIGINT stop the tree
 * the OTP way and leave nothing running; a port already in use is a
 * start_error and a clean failure.
 */
#include <criterion/criterion.h>

#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;

static void
teardown(void)
{
	ts_cleanup(&ts);
}

TestSuite(stop, .fini = teardown, .timeout = 60);

static void
stop_with(int sig)
{
	pid_t listener, client_sup, workers[4];
	int fds[4];
	const char *exited;

	ts_start(&ts, NULL);
	for (int i = 0; i < 4; i++) {
		fds[i] = ts_connect_echoed(&ts);
		cr_assert(fds[i] >= 0, "connection %d not served", i);
	}
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert_eq(ts_children(&ts, client_sup, "tcp_echo_fsm 127", workers, 4), 4);
	cr_assert(listener > 0);

	cr_assert_eq(kill(ts.pid, sig), 0);
	cr_assert(ts_wait_exit(&ts, 10000), "still running after signal %d", sig);
	cr_assert(WIFEXITED(ts.status), "status %#x", ts.status);
	cr_assert_eq(WEXITSTATUS(ts.status), 0);
	exited = ts_find(&ts, 0, "=INFO REPORT==== ");
	cr_assert(ts_find(&ts, 0, "    application: tcp_server\n"
	    "    exited: stopped\n    type: temporary\n") != NULL, "%s", ts.log);
	/* A clean stop reports no child as crashed. */
	cr_assert_null(ts_find(&ts, 0, "child_terminated"), "%s", ts.log);
	cr_assert_null(ts_find(&ts, 0, "shutdown_error"), "%s", ts.log);
	cr_assert(exited != NULL);
	cr_assert(ts_all_gone(&ts, 2000), "a process outlived the application");
	for (int i = 0; i < 4; i++) {
		cr_assert(ts_closed_by_peer(fds[i], 1000));
		close(fds[i]);
	}
	/* The port is free again. */
	{
		int fd = ts_connect(&ts);

		cr_assert_eq(fd, -1, "something still listens on %d", ts.port);
	}
}

Test(stop, sigterm_stops_everything_cleanly)
{
	stop_with(SIGTERM);
}

Test(stop, sigint_stops_everything_cleanly)
{
	stop_with(SIGINT);
}

Test(stop, port_in_use_is_a_start_error)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	char arg[64], expect[256];
	const char *args[] = { "-l", arg, NULL };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	cr_assert(fd >= 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(fd, 1), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(arg, sizeof(arg), "127.0.0.1:%d", ntohs(sin.sin_port));

	ts_spawn(&ts, args);
	cr_assert(ts_wait_exit(&ts, 5000), "tcpsup kept running");
	cr_assert(WIFEXITED(ts.status));
	cr_assert_eq(WEXITSTATUS(ts.status), EX_UNAVAILABLE);
	snprintf(expect, sizeof(expect),
	    "     Supervisor: {local,tcp_server_app}\n"
	    "     Context:    start_error\n"
	    "     Reason:     eaddrinuse\n"
	    "     Offender:   [{pid,undefined},\n"
	    "                  {name,tcp_server_sup},\n"
	    "                  {mfa,{tcp_listener,start_link,[%d,tcp_echo_fsm]}},\n",
	    ntohs(sin.sin_port));
	cr_assert(ts_find(&ts, 0, expect) != NULL, "%s", ts.log);
	cr_assert(ts_find(&ts, 0, "    exited: {shutdown,{failed_to_start_child,"
	    "tcp_server_sup,eaddrinuse}}\n") != NULL, "%s", ts.log);
	/* Nothing was started, so nothing can be left. */
	cr_assert_null(ts_find(&ts, 0, "PROGRESS REPORT"), "%s", ts.log);
	close(fd);
}

Test(stop, children_that_do_not_stop_are_killed_after_their_timeout)
{
	const char *args[] = { "--shutdown-timeout", "300", "--spares", "0", NULL };
	pid_t listener, client_sup, worker;
	char expect[512];
	int fd;

	ts_start(&ts, args);
	fd = ts_connect_echoed(&ts);
	cr_assert(fd >= 0, "connection not served");
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	worker = ts_child(&ts, client_sup, "tcp_echo_fsm 127");
	cr_assert(listener > 0 && worker > 0);
	/* Stopped processes cannot act on SIGTERM: only SIGKILL ends them. */
	cr_assert(ts_stop_process(worker, 5000));
	cr_assert(ts_stop_process(listener, 5000));

	cr_assert_eq(kill(ts.pid, SIGTERM), 0);
	cr_assert(ts_wait_exit(&ts, 10000));
	cr_assert(WIFEXITED(ts.status));
	cr_assert_eq(WEXITSTATUS(ts.status), 0);
	snprintf(expect, sizeof(expect),
	    "     Supervisor: {local,tcp_client_sup}\n"
	    "     Context:    shutdown_error\n"
	    "     Reason:     killed\n"
	    "     Offender:   [{nb_children,1},\n"
	    "                  {name,undefined},\n"
	    "                  {mfa,{tcp_echo_fsm,start_link,[]}},\n"
	    "                  {restart_type,temporary},\n"
	    "                  {shutdown,300},\n"
	    "                  {child_type,worker}]\n\n");
	cr_assert(ts_find(&ts, 0, expect) != NULL, "%s", ts.log);
	snprintf(expect, sizeof(expect),
	    "     Supervisor: {local,tcp_server_app}\n"
	    "     Context:    shutdown_error\n"
	    "     Reason:     killed\n"
	    "     Offender:   [{pid,%d},\n"
	    "                  {name,tcp_server_sup},\n", (int)listener);
	cr_assert(ts_find(&ts, 0, expect) != NULL, "%s", ts.log);
	/* Clients first, the listener last: reverse start order. */
	cr_assert(ts_find(&ts, 0, "{nb_children,1}") <
	    ts_find(&ts, 0, "{name,tcp_server_sup},\n                  {mfa"));
	cr_assert(ts_find(&ts, 0, "    exited: stopped\n") != NULL, "%s", ts.log);
	cr_assert(ts_all_gone(&ts, 2000));
	close(fd);
}
