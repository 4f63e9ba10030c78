/*
 * test_syslog.c -- --syslog, with the test as the syslog daemon: tcpsup
 * runs in a mount namespace of its own where /dev is a directory of the
 * test's, holding /dev/null and a /dev/log socket the test reads (the
 * machine's /dev is never touched). Every report arrives as one RFC 3164
 * datagram with the facility asked for, the priority of its kind and the
 * pid of the process that wrote it; and a syslog daemon that stops
 * reading never stops the tree.
 */
#include <criterion/criterion.h>

#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;
static char dir[64], dev[96];
static int log_fd = -1;

static void
teardown(void)
{
	ts_cleanup(&ts);
	if (log_fd != -1)
		close(log_fd);
	log_fd = -1;
	ts_remove_tree(dir);
}

TestSuite(syslog, .fini = teardown, .timeout = 60);

/* In the child: a private /dev of two entries, log and null. */
static void
private_dev(void)
{
	char null[128];

	snprintf(null, sizeof(null), "%s/null", dev);
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("/dev/null", null, NULL, MS_BIND, NULL) == -1 ||
	    mount(dev, "/dev", NULL, MS_BIND | MS_REC, NULL) == -1)
		_exit(126);
}

/* tcpsup FACILITY --max-frame 8, and a wrap log in dir/reports if asked. */
static void
start(const char *facility, bool keep_reports)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char null[128], reports[128];
	int fd;

	if (geteuid() != 0)
		cr_skip_test("needs root for a mount namespace");
	snprintf(dir, sizeof(dir), "/tmp/tcpsup-syslog-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(dev, sizeof(dev), "%s/dev", dir);
	cr_assert_eq(mkdir(dev, 0755), 0);
	snprintf(null, sizeof(null), "%s/null", dev);
	cr_assert_geq(fd = open(null, O_CREAT | O_WRONLY | O_CLOEXEC, 0666), 0);
	close(fd);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/log", dev);
	log_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(log_fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	chmod(sun.sun_path, 0666);
	ts_before_exec = private_dev;
	snprintf(reports, sizeof(reports), "%s/reports", dir);
	ts_start(&ts, (const char *const[]){ facility, "--max-frame", "8",
	    keep_reports ? "--report-dir" : NULL, reports, NULL });
	ts_before_exec = NULL;
}

/* The next datagram holding needle, within timeout_ms. */
static bool
wait_datagram(const char *needle, char *got, size_t size, int timeout_ms)
{
	int64_t deadline = ts_now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = log_fd, .events = POLLIN };
		int64_t left = deadline - ts_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
			return false;
		if ((n = recv(log_fd, got, size - 1, MSG_DONTWAIT)) <= 0)
			continue;
		got[n] = '\0';
		if (strstr(got, needle) != NULL)
			return true;
	}
}

Test(syslog, every_report_one_datagram)
{
	char got[4096], expect[128];
	pid_t client_sup, worker;
	int fd;

	start("--syslog=local0", false);
	/* local0 (128) + info (6), from the root, the JSON line. */
	cr_assert(wait_datagram("\"listening\"", got, sizeof(got), 5000),
	    "no listening report:\n%s", ts.log);
	snprintf(expect, sizeof(expect), " tcpsup[%ld]: {\"time\":\"",
	    (long)ts.pid);
	cr_assert_eq(strncmp(got, "<134>", 5), 0, "%s", got);
	cr_assert_not_null(strstr(got, expect), "%s", got);
	cr_assert_eq(got[strlen(got) - 1], '}', "%s", got);
	/* Running as root: local0 + warning (4). */
	cr_assert(wait_datagram("warning_report", got, sizeof(got), 5000));
	cr_assert_eq(strncmp(got, "<132>", 5), 0, "%s", got);
	cr_assert(wait_datagram("\"started_at\"", got, sizeof(got), 5000));
	/* A worker's death, reported by tcp_client_sup: local0 + err (3). */
	fd = ts_connect_echoed(&ts);
	cr_assert_geq(fd, 0);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	worker = ts_worker_of(&ts, client_sup, fd, 2000);
	cr_assert_gt(worker, 0);
	cr_assert_eq(kill(worker, SIGKILL), 0);
	cr_assert(wait_datagram("child_terminated", got, sizeof(got), 5000),
	    "%s", ts.log);
	snprintf(expect, sizeof(expect), "<131>");
	cr_assert_eq(strncmp(got, expect, 5), 0, "%s", got);
	snprintf(expect, sizeof(expect), " tcpsup[%ld]: ", (long)client_sup);
	cr_assert_not_null(strstr(got, expect), "%s", got);
	close(fd);
}

/*
 * A worker's own report (a frame too long), from the worker's pid, to
 * syslog and nowhere else: its client reads end of file, not the report.
 */
static void
worker_report(void)
{
	const unsigned char too_long[] = { 0, 100 };
	char got[4096], expect[64], byte;
	ssize_t n;
	pid_t client_sup, worker;
	int fd;

	fd = ts_connect_echoed(&ts);
	cr_assert_geq(fd, 0);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	worker = ts_worker_of(&ts, client_sup, fd, 2000);
	cr_assert_gt(worker, 0);
	cr_assert_eq(ts_write(fd, too_long, sizeof(too_long)), 0);
	n = recv(fd, &byte, 1, 0);
	cr_assert_eq(n, 0, "the client read %zd bytes of something:\n%s", n,
	    ts.log);
	close(fd);
	cr_assert(wait_datagram("(emsgsize) - closing.", got, sizeof(got),
	    5000), "%s", ts.log);
	snprintf(expect, sizeof(expect), "<27>");	/* daemon + err */
	cr_assert_eq(strncmp(got, expect, 4), 0, "%s", got);
	snprintf(expect, sizeof(expect), " tcpsup[%ld]: ", (long)worker);
	cr_assert_not_null(strstr(got, expect), "%s", got);
}

Test(syslog, a_workers_report)
{
	start("--syslog", false);
	worker_report();
}

/* With the wrap log, a worker is confined to its directory (Landlock). */
Test(syslog, a_workers_report_with_a_report_dir)
{
	start("--syslog", true);
	worker_report();
}

Test(syslog, a_syslog_that_does_not_read_never_stops_the_tree)
{
	const unsigned char too_long[] = { 0, 100 };
	const char *p;
	int fd, n = 0;

	/* Its queue holds a few datagrams (net.unix.max_dgram_qlen). */
	start("--syslog", false);
	/* Nothing is read from here on; each connection is an ERROR REPORT. */
	for (int i = 0; i < 40; i++) {
		fd = ts_connect(&ts);
		cr_assert_geq(fd, 0);
		cr_assert_eq(ts_write(fd, too_long, sizeof(too_long)), 0);
		cr_assert(ts_closed_by_peer(fd, 5000), "connection %d", i);
		close(fd);
	}
	fd = ts_connect_echoed(&ts);
	cr_assert_geq(fd, 0, "the tree stopped:\n%s", ts.log);
	close(fd);
	/* stderr has them all: syslog lost what it could not take. */
	for (int64_t end = ts_now_ms() + 5000; n < 40 && ts_now_ms() < end;) {
		ts_wait_log(&ts, ts.len, "(emsgsize) - closing.", 100);
		n = 0;
		for (p = ts.log; (p = strstr(p, "(emsgsize) - closing.")) != NULL;
		    p++)
			n++;
	}
	cr_assert_eq(n, 40, "%s", ts.log);
}
