/*
 * test_pool.c -- pre-forked workers: tcp_client_sup keeps --spares idle
 * workers in WAIT_FOR_SOCKET, hands each connection to one of them, and
 * refills the pool; with --reuse a worker serves several connections in
 * turn.
 */
#include <criterion/criterion.h>

#include <poll.h>
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

TestSuite(pool, .fini = teardown, .timeout = 60);

/* The pids of client_sup's idle workers, titled without a peer. */
static size_t
idle_workers(pid_t client_sup, pid_t *out, size_t max)
{
	pid_t all[64];
	size_t n = ts_children(&ts, client_sup, "tcp_echo_fsm", all, 64), k = 0;
	char title[128];

	for (size_t i = 0; i < n && k < max; i++)
		if (ts_title(all[i], title, sizeof(title)) &&
		    strcmp(title, "tcpsup: tcp_echo_fsm") == 0)
			out[k++] = all[i];
	return k;
}

static size_t
wait_idle(pid_t client_sup, size_t want, pid_t *out)
{
	size_t n = 0;

	for (int i = 0; i < 400 && (n = idle_workers(client_sup, out, 64)) != want; i++)
		poll(NULL, 0, 5);
	return n;
}

static int
echo_once(void)
{
	int fd = ts_connect_echoed(&ts);

	cr_assert(fd >= 0, "connection not served");
	return fd;
}

Test(pool, spares_serve_connections_and_are_refilled)
{
	const char *args[] = { "--spares", "3", NULL };
	pid_t client_sup, before[64], after[64], worker;
	size_t n;
	int fd;

	ts_start(&ts, args);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert_eq(wait_idle(client_sup, 3, before), 3, "pool not filled");

	fd = echo_once();
	worker = ts_worker_of(&ts, client_sup, fd, 5000);
	cr_assert(worker > 0);
	n = 0;
	for (size_t i = 0; i < 3; i++)
		n += before[i] == worker;
	cr_assert_eq(n, 1, "connection %d not served by a pre-forked worker",
	    (int)worker);
	cr_assert_eq(wait_idle(client_sup, 3, after), 3, "pool not refilled");
	close(fd);
}

Test(pool, no_spares_forks_on_demand)
{
	const char *args[] = { "--spares", "0", NULL };
	pid_t client_sup, idle[64];
	int fd;

	ts_start(&ts, args);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	poll(NULL, 0, 100);
	cr_assert_eq(idle_workers(client_sup, idle, 64), 0);
	fd = echo_once();
	cr_assert(ts_worker_of(&ts, client_sup, fd, 5000) > 0);
	close(fd);
	poll(NULL, 0, 100);
	cr_assert_eq(idle_workers(client_sup, idle, 64), 0);
}

Test(pool, reuse_serves_n_more_connections_then_exits)
{
	const char *args[] = { "--spares", "0", "--reuse", "2", NULL };
	pid_t client_sup, first = 0, idle[64];
	int fd;

	ts_start(&ts, args);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	for (int i = 0; i < 3; i++) {
		pid_t w;

		fd = echo_once();
		w = ts_worker_of(&ts, client_sup, fd, 5000);
		cr_assert(w > 0);
		if (i == 0)
			first = w;
		cr_assert_eq(w, first, "connection %d served by %d, not %d",
		    i + 1, (int)w, (int)first);
		close(fd);
		if (i < 2) {
			/* Back in WAIT_FOR_SOCKET, titled without a peer. */
			cr_assert_eq(wait_idle(client_sup, 1, idle), 1);
			cr_assert_eq(idle[0], first);
			poll(NULL, 0, 50);
		}
	}
	/* Three connections: the first and two reuses. Then it exits. */
	cr_assert(ts_wait_gone(first, 2000), "worker not retired after reuse");
	fd = echo_once();
	cr_assert_neq(ts_worker_of(&ts, client_sup, fd, 5000), first);
	close(fd);
	cr_assert_null(ts_find(&ts, 0, "SUPERVISOR REPORT"), "%s", ts.log);
}

Test(pool, killed_spare_is_reported_and_replaced)
{
	const char *args[] = { "--spares", "2", NULL };
	pid_t client_sup, idle[64], again[64];
	char expect[128];
	int fd;

	ts_start(&ts, args);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert_eq(wait_idle(client_sup, 2, idle), 2);
	cr_assert_eq(kill(idle[0], SIGKILL), 0);
	snprintf(expect, sizeof(expect), "     Reason:     killed\n"
	    "     Offender:   [{pid,%d},\n", (int)idle[0]);
	cr_assert(ts_wait_log(&ts, 0, expect, 3000), "%s", ts.log);
	cr_assert(ts_wait_gone(idle[0], 2000));
	for (int i = 0; i < 400; i++) {
		if (wait_idle(client_sup, 2, again) == 2 &&
		    again[0] != idle[0] && again[1] != idle[0])
			break;
		poll(NULL, 0, 5);
	}
	cr_assert(again[0] != idle[0] && again[1] != idle[0]);
	fd = echo_once();
	close(fd);
}

/* How many INFO REPORTs say exactly msg (the line after the header). */
static size_t
info_reports(const char *msg)
{
	const char *p = ts.log;
	size_t n = 0;

	while ((p = ts_find(&ts, (size_t)(p - ts.log), msg)) != NULL) {
		const char *header = p - 1;

		/* msg starts a line; the line before it is the report's header. */
		while (header > ts.log && header[-1] != '\n')
			header--;
		if (p > ts.log && p[-1] == '\n' && header < p - 1 &&
		    strncmp(header, "=INFO REPORT==== ", 17) == 0)
			n++;
		p++;
	}
	return n;
}

Test(pool, max_clients_holds_new_connections_until_one_leaves)
{
	const char *args[] = { "--max-clients", "2", NULL };
	char reached[160], left[160];
	pid_t client_sup;
	int a, b, c;
	char buf[8];

	ts_start(&ts, args);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	snprintf(reached, sizeof(reached), "%d tcp_client_sup: 2 clients, the"
	    " maximum (--max-clients) - new connections wait until one leaves.\n",
	    (int)client_sup);
	snprintf(left, sizeof(left), "%d tcp_client_sup: 1 client, under the"
	    " maximum of 2 - no connection waits.\n", (int)client_sup);
	a = echo_once();
	b = echo_once();
	/* A limit the user set is no error: an INFO REPORT says it is reached. */
	cr_assert(ts_wait_log(&ts, 0, reached, 3000), "%s", ts.log);
	cr_assert_eq(info_reports(reached), 1, "%s", ts.log);
	/* The third is queued, not refused, and not served yet. */
	c = ts_connect(&ts);
	cr_assert(c >= 0, "connection refused at the limit: %m");
	cr_assert_eq(ts_send_frame(c, "wait", 4), 0);
	cr_assert_not(ts_closed_by_peer(c, 300));
	{
		struct pollfd pfd = { .fd = c, .events = POLLIN };

		cr_assert_eq(poll(&pfd, 1, 300), 0, "served over the limit");
	}
	close(a);
	cr_assert_eq(ts_recv_frame(c, buf, sizeof(buf)), 4, "not served after a client left");
	cr_assert_arr_eq(buf, "wait", 4);
	/* Letting a waiting connection in is not leaving the limit. */
	close(b);
	cr_assert(ts_wait_log(&ts, 0, left, 3000), "%s", ts.log);
	cr_assert_eq(info_reports(reached), 1, "said twice:\n%s", ts.log);
	cr_assert_eq(info_reports(left), 1, "%s", ts.log);
	cr_assert_null(ts_find(&ts, 0, "ERROR REPORT"), "%s", ts.log);
	close(c);
}
