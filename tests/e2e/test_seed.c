/*
 * test_seed.c -- the tutorial's session, done to the real binary: connect
 * with {packet,2}, get hello back, find the worker under tcp_client_sup,
 * kill -9 it, read the supervisor report, see the tree in ps --forest.
 */
#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;

static void
teardown(void)
{
	ts_cleanup(&ts);
}

TestSuite(seed, .fini = teardown, .timeout = 30);

Test(seed, hello_is_echoed_and_killed_worker_is_reported)
{
	char buf[64], expect[512];
	pid_t client_sup, worker;
	size_t mark;
	int fd;

	ts_start(&ts, NULL);
	fd = ts_connect(&ts);
	cr_assert(fd >= 0, "connect: %m");
	cr_assert_eq(ts_send_frame(fd, "hello", 5), 0);
	cr_assert_eq(ts_recv_frame(fd, buf, sizeof(buf)), 5);
	cr_assert_arr_eq(buf, "hello", 5);

	/* supervisor:which_children(tcp_client_sup) */
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert(client_sup > 0, "no tcp_client_sup under the root");
	worker = ts_worker_of(&ts, client_sup, fd, 5000);
	cr_assert(worker > 0, "no worker serving port %d under tcp_client_sup",
	    ts_local_port(fd));

	mark = ts.len;
	cr_assert_eq(kill(worker, SIGKILL), 0);
	snprintf(expect, sizeof(expect),
	    " ===\n"
	    "     Supervisor: {local,tcp_client_sup}\n"
	    "     Context:    child_terminated\n"
	    "     Reason:     killed\n"
	    "     Offender:   [{pid,%d},\n"
	    "                  {name,undefined},\n"
	    "                  {mfa,{tcp_echo_fsm,start_link,[]}},\n"
	    "                  {restart_type,temporary},\n"
	    "                  {shutdown,2000},\n"
	    "                  {child_type,worker}]\n"
	    "\n", (int)worker);
	cr_assert(ts_wait_log(&ts, mark, expect, 5000),
	    "report not found; stderr since kill:\n%s", ts.log + mark);
	cr_assert(ts_find(&ts, mark, "\n=SUPERVISOR REPORT==== ") != NULL);
	cr_assert(ts_closed_by_peer(fd, 5000), "client not closed");
	close(fd);

	/* A temporary worker is not restarted; the tree serves on. */
	cr_assert(ts_wait_gone(worker, 2000));
	cr_assert_eq(ts_child(&ts, client_sup, "tcp_echo_fsm 127"), 0);
	fd = ts_connect_echoed(&ts);
	cr_assert(fd >= 0, "connection not served");
	close(fd);
}

Test(seed, ps_forest_shows_the_tree)
{
	char cmd[256], out[4096], line[256];
	pid_t listener, client_sup, worker;
	int fd;

	ts_start(&ts, NULL);
	fd = ts_connect_echoed(&ts);
	cr_assert(fd >= 0, "connection not served");
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	worker = ts_child(&ts, client_sup, "tcp_echo_fsm 127");
	cr_assert(listener > 0 && client_sup > 0 && worker > 0);

	snprintf(cmd, sizeof(cmd), "ps --forest -o args= -p %d,%d,%d,%d",
	    (int)ts.pid, (int)listener, (int)client_sup, (int)worker);
	cr_assert_eq(ts_capture(cmd, out, sizeof(out)), 0);
	snprintf(line, sizeof(line),
	    "tcpsup: tcp_server_app\n"
	    " \\_ tcpsup: tcp_listener 127.0.0.1:%d\n"
	    " \\_ tcpsup: tcp_client_sup\n"
	    "     \\_ tcpsup: tcp_echo_fsm 127.0.0.1:%d\n",
	    ts.port, ts_local_port(fd));
	cr_assert_str_eq(out, line);
	close(fd);
}
