/*
 * test_logjam.c -- stderr a pipe whose reader stalls (tcpsup 2>&1 | less,
 * paused; a stalled journald): no process of the tree may block on its
 * reports. Workers still exit, the root still stops, and once the pipe
 * drains a report counts the reports that had to be dropped.
 */
#include <criterion/criterion.h>

#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;
static int errpipe[2] = { -1, -1 };
static char out[1 << 20];	/* what the test read from the pipe */
static size_t outlen;

static void
teardown(void)
{
	ts_before_exec = NULL;
	ts_cleanup(&ts);
	close(errpipe[0]);
}

TestSuite(logjam, .fini = teardown, .timeout = 90);

static void
stderr_to_pipe(void)
{
	dup2(errpipe[1], STDERR_FILENO);
}

/* Read the pipe until needle shows up or timeout_ms pass. */
static bool
read_until(const char *needle, int timeout_ms)
{
	int64_t deadline = ts_now_ms() + timeout_ms;
	struct pollfd pfd = { .fd = errpipe[0], .events = POLLIN };

	while (strstr(out, needle) == NULL) {
		int left = (int)(deadline - ts_now_ms());
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return false;
		n = read(errpipe[0], out + outlen, sizeof(out) - outlen - 1);
		if (n <= 0)
			return false;
		outlen += (size_t)n;
		out[outlen] = '\0';
	}
	return true;
}

/*
 * Connect, echo, close, for at least ms and min connections (at most
 * 3 * ms): every connection accepted is one worker's report, echoed or not.
 */
static int
churn(int ms, int min)
{
	int64_t start = ts_now_ms(), now;
	int n = 0;
	char buf[8];

	while ((now = ts_now_ms()) - start < ms ||
	    (n < min && now - start < 3 * ms)) {
		int fd = ts_connect(&ts);

		if (fd == -1)
			continue;
		n++;
		if (ts_send_frame(fd, "ping", 4) == 0)
			ts_recv_frame(fd, buf, sizeof(buf));
		close(fd);
	}
	return n;
}

static size_t
workers(pid_t csup)
{
	pid_t pids[TS_MAX_PIDS];

	return ts_children(&ts, csup, "tcp_echo_fsm", pids, TS_MAX_PIDS);
}

static size_t
count(const char *needle)
{
	size_t n = 0;

	for (const char *p = out; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* The sum of N in every "N reports dropped: ..." report. */
static long
dropped(void)
{
	long sum = 0;

	for (const char *p = out; (p = strstr(p, " dropped: ")) != NULL; p++) {
		const char *n = p;

		while (n > out && n[-1] != ' ')	/* back over "reports" */
			n--;
		while (n > out + 1 && isdigit((unsigned char)n[-2]))
			n--;
		sum += strtol(n - 1, NULL, 10);
	}
	return sum;
}

Test(logjam, a_stalled_stderr_blocks_nobody)
{
	char listen[32];
	const char *args[] = { "-l", listen, NULL };
	pid_t csup;
	int conns, fd;
	int64_t t0;

	if (ts_wrapper() != NULL)
		cr_skip_test("a churn test: valgrind churns too slowly");

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", ts_free_port());
	cr_assert_eq(pipe2(errpipe, O_CLOEXEC), 0);
	ts_before_exec = stderr_to_pipe;
	ts_spawn(&ts, args);
	close(errpipe[1]);
	ts.port = atoi(strchr(listen, ':') + 1);
	cr_assert(read_until("started_at", 5000), "%s", out);
	/* Reported started as forked: it may not have named itself yet. */
	csup = ts_wait_child(&ts, ts.pid, "tcp_client_sup", 0, 2000);
	cr_assert(csup > 0);

	/* Not reading: the pipe fills within the first second. */
	conns = churn(3000, 1500);
	cr_assert_geq(conns, 1500, "only %d connections", conns);
	/* Every worker whose client left is gone: none waits on stderr. */
	t0 = ts_now_ms();
	while (workers(csup) > 0 && ts_now_ms() - t0 < 3000)
		poll(NULL, 0, 20);
	cr_assert_eq(workers(csup), 0, "%zu workers left", workers(csup));
	cr_assert((fd = ts_connect_echoed(&ts)) >= 0, "no echo");
	close(fd);
	conns++;	/* it echoed, so it was accepted */

	/* Drained, the log says how many reports it lost: none silently. */
	cr_assert(read_until(" dropped: ", 5000), "no count of drops");
	poll(NULL, 0, 300);
	read_until("no such line", 300);
	cr_assert_gt(dropped(), 0);
	cr_assert_eq((long)count("disconnected.") + dropped(), conns,
	    "%zu reports seen + %ld dropped != %d connections",
	    count("disconnected."), dropped(), conns);

	/* Stalled again, the root still stops at once. */
	churn(1000, 0);
	cr_assert_eq(kill(ts.pid, SIGTERM), 0);
	cr_assert(ts_wait_exit(&ts, 3000), "the root hangs on SIGTERM");
	cr_assert(WIFEXITED(ts.status) && WEXITSTATUS(ts.status) == 0,
	    "status %#x", ts.status);
	cr_assert(ts_all_gone(&ts, 3000));
}
