/*
 * test_failalloc.c -- out of memory in a supervisor, at every allocation:
 * with the failalloc shim (failalloc.c) in front of a dynamically linked
 * tcpsup's libc, the Nth malloc, calloc, realloc or mmap of the root, then
 * of tcp_client_sup, fails, for N = 1, 2, ... until a run makes fewer
 * calls than N. In every run the tree either refuses to start, saying
 * why, or keeps every child it had and goes on serving: a client served
 * before keeps its worker and its echo, new clients are served, the
 * control socket answers. Workers are left unconfined (--no-sandbox): the
 * shim's look at /proc is not among the calls a worker may make.
 */
#include <criterion/criterion.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* Far more than a supervisor makes in one run: a bound, not a guess. */
#define MAX_CALLS	1000

static struct tcpsup ts;
static char dir[] = "/tmp/tcpsup-failalloc-XXXXXX";
static char mark[64];

static void
setup(void)
{
	const char *shim = getenv("FAILALLOC_SO");

	cr_assert_not_null(shim, "FAILALLOC_SO: the shim's path");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(mark, sizeof(mark), "%s/failed", dir);
	cr_assert_eq(setenv("LD_PRELOAD", shim, 1), 0);
	cr_assert_eq(setenv("FAILALLOC_MARK", mark, 1), 0);
}

static void
teardown(void)
{
	ts_cleanup(&ts);
	unsetenv("LD_PRELOAD");
	ts_remove_tree(dir);
}

TestSuite(failalloc, .init = setup, .fini = teardown, .timeout = 600);

static bool
failed(void)
{
	return access(mark, F_OK) == 0;
}

/* A connection served by a worker: the one failure may cost one try. */
static int
served(void)
{
	int fd = -1;

	for (int i = 0; i < 3 && fd == -1; i++)
		fd = ts_connect_echoed(&ts);
	return fd;
}

static void
assert_echo(int fd, unsigned long n)
{
	char buf[8];

	cr_assert_eq(ts_send_frame(fd, "again", 5), 0, "N=%lu", n);
	cr_assert_eq(ts_recv_frame(fd, buf, sizeof(buf)), 5, "N=%lu: no echo"
	    " for a client served before:\n%s", n, ts.log);
	cr_assert_arr_eq(buf, "again", 5);
}

/* A control request, answered (an error is an answer) however it went. */
static void
ask(const char *path, const char *request, unsigned long n)
{
	char reply[4096];

	cr_assert_geq(ts_ctl(path, request, strlen(request), reply,
	    sizeof(reply)), 0, "N=%lu: no answer to %s", n, request);
}

/*
 * What a run asks of the tree once it serves a client: another client,
 * whose worker is killed (a report); the control socket, every call that
 * builds a reply on the heap; one more client.
 */
static void
exercise(unsigned long n)
{
	static const char *const requests[] = {
		"tcpsup 1 which_children tcp_server_app\n",
		"tcpsup 1 which_children tcp_client_sup\n",
		"tcpsup 1 count_children tcp_server_app\n",
		"tcpsup 1 count_children tcp_client_sup\n",
		"tcpsup 1 children tcp_client_sup\n",
		"tcpsup 1 stats\n",
	};
	char path[256];
	pid_t worker;
	size_t mark_log = ts.len;
	int fd;

	if ((fd = served()) >= 0) {
		worker = ts_worker_of(&ts, ts_child(&ts, ts.pid,
		    "tcp_client_sup"), fd, 2000);
		cr_assert(worker > 0, "N=%lu", n);
		kill(worker, SIGKILL);
		cr_assert(ts_wait_log(&ts, mark_log, "Reason:     killed",
		    5000), "N=%lu:\n%s", n, ts.log + mark_log);
		close(fd);
	}
	cr_assert(ts_ctl_path(&ts, path, sizeof(path)), "N=%lu", n);
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		ask(path, requests[i], n);
	cr_assert((fd = served()) >= 0, "N=%lu: a new client not served:\n%s",
	    n, ts.log);
	close(fd);
}

/* One run, the Nth call failing; false if it never came to N calls. */
static bool
run(unsigned long n)
{
	const char *args[] = { "--no-sandbox", NULL };
	pid_t listener, client_sup, worker;
	char nth[32];
	bool fired;
	int first;

	snprintf(nth, sizeof(nth), "%lu", n);
	cr_assert_eq(setenv("FAILALLOC_NTH", nth, 1), 0);
	unlink(mark);
	ts_spawn(&ts, args);
	if (!ts_started(&ts, 5000)) {
		/* A start that failed, before the tree had children to lose. */
		cr_assert(ts_wait_exit(&ts, 5000), "N=%lu: neither started nor"
		    " exited:\n%s", n, ts.log);
		cr_assert(failed(), "N=%lu: failed to start:\n%s", n, ts.log);
		cr_assert(WIFEXITED(ts.status) && WEXITSTATUS(ts.status) != 0,
		    "N=%lu", n);
		cr_assert_null(ts_find(&ts, 0, "started_at"), "N=%lu: exited"
		    " after it started:\n%s", n, ts.log);
		ts_cleanup(&ts);
		return true;
	}
	/* The listener killed and restarted: a restart's allocations. */
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	kill(listener, SIGKILL);
	listener = ts_wait_child(&ts, ts.pid, "tcp_listener", listener, 5000);
	cr_assert(listener > 0, "N=%lu: the listener not restarted:\n%s", n,
	    ts.log);
	cr_assert((first = served()) >= 0, "N=%lu: not served:\n%s", n, ts.log);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	worker = ts_worker_of(&ts, client_sup, first, 2000);
	cr_assert(listener > 0 && client_sup > 0 && worker > 0, "N=%lu", n);
	exercise(n);
	/* Every child the tree had is the same process, and serving. */
	cr_assert(ts_alive(ts.pid), "N=%lu: the root died:\n%s", n, ts.log);
	cr_assert_eq(ts_child(&ts, ts.pid, "tcp_listener"), listener,
	    "N=%lu:\n%s", n, ts.log);
	cr_assert_eq(ts_child(&ts, ts.pid, "tcp_client_sup"), client_sup,
	    "N=%lu:\n%s", n, ts.log);
	cr_assert(ts_alive(worker), "N=%lu: a worker lost:\n%s", n, ts.log);
	assert_echo(first, n);
	close(first);
	fired = failed();
	ts_cleanup(&ts);
	return fired;
}

static void
each_call_of(const char *name)
{
	unsigned long n = 1;

	cr_assert_eq(setenv("FAILALLOC_NAME", name, 1), 0);
	while (n <= MAX_CALLS && run(n))
		n++;
	cr_assert_leq(n, MAX_CALLS, "%s never ran out of calls", name);
	cr_assert_gt(n, 1, "%s allocated nothing: is the shim loaded?", name);
	cr_log_info("%s: each of %lu calls failed in turn", name, n - 1);
}

Test(failalloc, root_each_allocation_failing_in_turn)
{
	each_call_of("tcp_server_app");
}

Test(failalloc, client_sup_each_allocation_failing_in_turn)
{
	each_call_of("tcp_client_sup");
}
