/*
 * test_hostile.c -- hostile clients, each with a bounded cost and no effect
 * on anyone else: every attack runs next to a well-behaved client whose
 * echo is checked throughout, and each ends the attacker's connection (or
 * serves it) within a bound the test measures.
 */
#include <criterion/criterion.h>

#include <sys/socket.h>

#include <netinet/in.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;

static void
teardown(void)
{
	ts_cleanup(&ts);
}

TestSuite(hostile, .fini = teardown, .timeout = 90);

static long
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* The well-behaved client: one frame out, the same frame back, quickly. */
static void
good_echo(int good)
{
	static unsigned counter;
	char out[32], in[32];
	int len = snprintf(out, sizeof(out), "good %u", counter++);
	long t0 = now_ms();

	cr_assert_eq(ts_send_frame(good, out, (size_t)len), 0, "good send: %m");
	cr_assert_eq(ts_recv_frame(good, in, sizeof(in)), len, "good recv: %m");
	cr_assert_arr_eq(in, out, (size_t)len);
	cr_assert_lt(now_ms() - t0, 1000, "the good client waited %ld ms",
	    now_ms() - t0);
}

/* Wait ms, checking the good client's echo every 50 ms. */
static void
echoing_wait(int good, long ms)
{
	long end = now_ms() + ms;

	while (now_ms() < end) {
		good_echo(good);
		poll(NULL, 0, 50);
	}
}

/* Wait for needle in the log, checking the good client meanwhile. */
static bool
echoing_wait_log(int good, size_t from, const char *needle, long ms)
{
	long end = now_ms() + ms;

	while (now_ms() < end) {
		if (ts_wait_log(&ts, from, needle, 50))
			return true;
		good_echo(good);
	}
	return false;
}

static int
good_client(void)
{
	int fd = ts_connect_echoed(&ts);

	cr_assert(fd >= 0, "the good client: %m");
	return fd;
}

static int
attacker(void)
{
	int fd = ts_connect(&ts);

	cr_assert(fd >= 0, "connect: %m");
	return fd;
}

static pid_t
client_sup(void)
{
	pid_t p = ts_child(&ts, ts.pid, "tcp_client_sup");

	cr_assert(p > 0);
	return p;
}

/* Nobody but the tree's own supervisors said anything abnormal. */
static void
assert_no_supervisor_report(void)
{
	cr_assert_null(ts_find(&ts, 0, "SUPERVISOR REPORT"), "%s", ts.log);
}

Test(hostile, trickled_frame_is_closed_at_the_frame_timeout)
{
	const char *args[] = { "--frame-timeout", "2", "--idle-timeout", "60",
	    NULL };
	int good, bad;
	long t0, took;
	size_t mark;
	pid_t worker;

	ts_start(&ts, args);
	good = good_client();
	bad = attacker();
	worker = ts_worker_of(&ts, client_sup(), bad, 3000);
	cr_assert(worker > 0);
	mark = ts.len;
	/* A 100-byte frame, one byte every 200 ms: 20 s if allowed. */
	cr_assert_eq(ts_write(bad, "\0\x64", 2), 0);
	t0 = now_ms();
	for (int i = 0; i < 100 && !ts_find(&ts, mark, "sent no whole"); i++) {
		if (send(bad, "x", 1, MSG_NOSIGNAL) != 1)
			break;
		echoing_wait(good, 200);
		ts_wait_log(&ts, mark, "sent no whole", 1);
	}
	cr_assert(echoing_wait_log(good, mark, "=ERROR REPORT", 3000), "%s",
	    ts.log);
	took = now_ms() - t0;
	cr_assert(ts_wait_log(&ts, mark, "Client {127,0,0,1} sent no whole"
	    " frame in 2 s - closing.\n", 1000), "%s", ts.log + mark);
	cr_assert_geq(took, 1900, "closed after %ld ms", took);
	cr_assert_leq(took, 3500, "closed after %ld ms", took);
	cr_assert(ts_closed_by_peer(bad, 2000));
	cr_assert(ts_wait_gone(worker, 2000));
	good_echo(good);
	assert_no_supervisor_report();
	close(bad);
	close(good);
}

/*
 * A frame split across reads lowers the receive timeout to the frame
 * timeout; a quiet client afterwards still gets its whole idle timeout.
 */
Test(hostile, frame_timeout_leaves_the_idle_timeout_whole)
{
	const char *args[] = { "--frame-timeout", "1", "--idle-timeout", "3",
	    NULL };
	char buf[8];
	size_t mark;
	long t0;
	int fd;

	ts_start(&ts, args);
	fd = attacker();
	cr_assert_eq(ts_write(fd, "\0\x03" "a", 3), 0);
	poll(NULL, 0, 300);
	cr_assert_eq(ts_write(fd, "bc", 2), 0);
	cr_assert_eq(ts_recv_frame(fd, buf, sizeof(buf)), 3);
	mark = ts.len;
	t0 = now_ms();
	/* Quiet for twice the frame timeout: still served. */
	poll(NULL, 0, 2000);
	cr_assert_null(ts_find(&ts, mark, "ERROR REPORT"), "%s", ts.log);
	cr_assert_eq(ts_send_frame(fd, "abc", 3), 0);
	cr_assert_eq(ts_recv_frame(fd, buf, sizeof(buf)), 3);
	t0 = now_ms();
	cr_assert(ts_wait_log(&ts, mark, "Client connection timeout - closing.",
	    5000), "%s", ts.log);
	cr_assert_geq(now_ms() - t0, 2800, "idle after %ld ms", now_ms() - t0);
	cr_assert_null(ts_find(&ts, mark, "sent no whole"), "%s", ts.log);
	close(fd);
}

Test(hostile, frame_timeout_infinity_leaves_a_trickle_to_the_idle_timeout)
{
	const char *args[] = { "--frame-timeout", "infinity",
	    "--idle-timeout", "1", NULL };
	size_t mark;
	int fd;

	ts_start(&ts, args);
	fd = attacker();
	mark = ts.len;
	cr_assert_eq(ts_write(fd, "\0\x10", 2), 0);
	for (int i = 0; i < 12; i++) {
		cr_assert_eq(send(fd, "x", 1, MSG_NOSIGNAL), 1);
		poll(NULL, 0, 250);
	}
	/* Three seconds of trickle, past both 1 s timeouts: still served. */
	cr_assert_null(ts_find(&ts, mark, "ERROR REPORT"), "%s", ts.log);
	cr_assert(ts_wait_log(&ts, mark, "Client connection timeout - closing.",
	    3000), "%s", ts.log);
	close(fd);
}

/* A worker's resident memory, from /proc. */
/*
 * What a worker may hold: its frame buffer and little else. Under
 * AddressSanitizer (scripts/test --sanitize sets ASAN_OPTIONS) its shadow
 * memory and quarantine count in its RSS too, and under valgrind
 * (scripts/memcheck's wrapper) valgrind itself.
 */
static long
rss_bound_kib(void)
{
	return getenv("ASAN_OPTIONS") != NULL || ts_wrapper() != NULL ?
	    64 * 1024 : 4096;
}

static long
rss_kib(pid_t pid)
{
	char path[64], line[128];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

Test(hostile, client_that_never_reads_is_bounded)
{
	const char *args[] = { "--idle-timeout", "2", NULL };
	static char frame[2 + 60000];
	int good, bad, sent = 0, bufsize = 4096;
	size_t mark;
	pid_t worker;
	long t0, rss;

	if (ts_wrapper() != NULL)
		cr_skip_test("under valgrind the idle timeout ends the worker"
		    " before it is blocked");

	ts_start(&ts, args);
	good = good_client();
	bad = attacker();
	setsockopt(bad, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	worker = ts_worker_of(&ts, client_sup(), bad, 3000);
	cr_assert(worker > 0);
	frame[0] = (char)(60000 >> 8);
	frame[1] = (char)(60000 & 0xff);
	memset(frame + 2, 'n', sizeof(frame) - 2);
	mark = ts.len;
	/* Send until the send buffers both ways are full. */
	for (int i = 0; i < 400; i++) {
		struct pollfd pfd = { .fd = bad, .events = POLLOUT };

		if (poll(&pfd, 1, 100) != 1)
			break;
		if (send(bad, frame, sizeof(frame), MSG_NOSIGNAL |
		    MSG_DONTWAIT) <= 0)
			break;
		sent++;
		good_echo(good);
	}
	cr_assert_lt(sent, 400, "the worker read everything: never blocked");
	t0 = now_ms();
	rss = rss_kib(worker);
	cr_assert_lt(rss, rss_bound_kib(), "a blocked worker holds %ld KiB",
	    rss);
	cr_assert(echoing_wait_log(good, mark, "Client connection timeout"
	    " - closing.", 5000), "%s", ts.log);
	cr_assert_leq(now_ms() - t0, 4000);
	cr_assert(ts_wait_gone(worker, 2000));
	good_echo(good);
	assert_no_supervisor_report();
	close(bad);
	close(good);
}

Test(hostile, header_over_max_frame_is_refused_at_once)
{
	const char *args[] = { "--max-frame", "100", NULL };
	int good, bad;
	size_t mark;

	ts_start(&ts, args);
	good = good_client();
	bad = attacker();
	mark = ts.len;
	/* Announces 65535 bytes and sends none of them. */
	cr_assert_eq(ts_write(bad, "\xff\xff", 2), 0);
	cr_assert(echoing_wait_log(good, mark, "sent a frame of 65535 bytes,"
	    " over the limit of 100 (emsgsize) - closing.", 2000), "%s",
	    ts.log);
	cr_assert(ts_closed_by_peer(bad, 2000));
	good_echo(good);
	assert_no_supervisor_report();
	close(bad);
	close(good);
}

Test(hostile, zero_length_flood_is_echoed_without_harm)
{
	static char zeros[2 * 50000], back[sizeof(zeros)];
	int good, bad;
	size_t got = 0;
	pid_t worker;

	ts_start(&ts, NULL);
	good = good_client();
	bad = attacker();
	worker = ts_worker_of(&ts, client_sup(), bad, 3000);
	/* 50,000 empty frames: each one's echo is its two-byte header. */
	for (size_t off = 0; off < sizeof(zeros); off += 10000) {
		cr_assert_eq(ts_write(bad, zeros + off, 10000), 0);
		while (got < off + 10000) {
			ssize_t n = recv(bad, back + got, sizeof(back) - got, 0);

			cr_assert_gt(n, 0, "flood echo: %m");
			got += (size_t)n;
		}
		good_echo(good);
	}
	cr_assert_arr_eq(back, zeros, sizeof(zeros));
	cr_assert_lt(rss_kib(worker), rss_bound_kib());
	close(bad);
	good_echo(good);
	assert_no_supervisor_report();
	close(good);
}

Test(hostile, reset_in_the_middle_of_a_frame_is_a_disconnect)
{
	const struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	int good, bad;
	size_t mark;
	pid_t worker;

	ts_start(&ts, NULL);
	good = good_client();
	bad = attacker();
	worker = ts_worker_of(&ts, client_sup(), bad, 3000);
	cr_assert(worker > 0);
	cr_assert_eq(ts_write(bad, "\0\x20half a frame", 15), 0);
	poll(NULL, 0, 100);
	mark = ts.len;
	setsockopt(bad, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	close(bad);
	cr_assert(echoing_wait_log(good, mark, "Client {127,0,0,1}"
	    " disconnected.", 2000), "%s", ts.log);
	cr_assert(ts_wait_gone(worker, 2000));
	good_echo(good);
	assert_no_supervisor_report();
	close(good);
}

Test(hostile, half_close_gets_every_echo_then_eof)
{
	static char frames[200 * 7];
	char back[sizeof(frames)];
	int good, bad;

	ts_start(&ts, NULL);
	good = good_client();
	bad = attacker();
	for (int i = 0; i < 200; i++)
		memcpy(frames + i * 7, "\0\x05hello", 7);
	cr_assert_eq(ts_write(bad, frames, sizeof(frames)), 0);
	cr_assert_eq(shutdown(bad, SHUT_WR), 0);
	cr_assert_eq(ts_read_exact(bad, back, sizeof(back)),
	    (ssize_t)sizeof(back));
	cr_assert_arr_eq(back, frames, sizeof(frames));
	cr_assert(ts_closed_by_peer(bad, 2000));
	good_echo(good);
	close(bad);
	close(good);
}

Test(hostile, line_without_newline_is_bounded_in_time_and_size)
{
	const char *args[] = { "--packet", "line", "--max-frame", "1000",
	    "--frame-timeout", "1", "--idle-timeout", "60", NULL };
	static char line[1500];
	char buf[16];
	int slow, fast, good;
	size_t mark;

	ts_start(&ts, args);
	good = attacker();	/* in line mode: a line out, the line back */
	cr_assert_eq(ts_write(good, "hi\n", 3), 0);
	cr_assert_eq(ts_read_exact(good, buf, 3), 3);
	slow = attacker();
	fast = attacker();
	mark = ts.len;
	memset(line, 'l', sizeof(line));
	cr_assert_eq(ts_write(fast, line, sizeof(line)), 0);
	for (int i = 0; i < 8; i++) {
		send(slow, "s", 1, MSG_NOSIGNAL);
		cr_assert_eq(ts_write(good, "hi\n", 3), 0);
		cr_assert_eq(ts_read_exact(good, buf, 3), 3);
		poll(NULL, 0, 250);
	}
	cr_assert(ts_wait_log(&ts, mark, "sent a line longer than 1000 bytes"
	    " (emsgsize) - closing.", 2000), "%s", ts.log);
	cr_assert(ts_wait_log(&ts, mark, "sent no whole frame in 1 s -"
	    " closing.", 2000), "%s", ts.log);
	cr_assert(ts_closed_by_peer(slow, 2000));
	cr_assert(ts_closed_by_peer(fast, 2000));
	cr_assert_eq(ts_write(good, "hi\n", 3), 0);
	cr_assert_eq(ts_read_exact(good, buf, 3), 3);
	assert_no_supervisor_report();
	close(slow);
	close(fast);
	close(good);
}

/* --- --max-per-ip ------------------------------------------------------ */

/* The workers of client_sup, sorted: a set to compare before and after. */
static size_t
workers(pid_t sup, pid_t *out)
{
	size_t n = ts_children(&ts, sup, "tcp_echo_fsm", out, TS_MAX_PIDS);

	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
			pid_t t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/* Connections past the limit: each closed at once, no worker forked. */
static void
assert_refused(pid_t sup, int count)
{
	pid_t before[TS_MAX_PIDS], after[TS_MAX_PIDS];
	size_t nbefore = workers(sup, before);

	for (int i = 0; i < count; i++) {
		int fd = attacker();
		long t0 = now_ms();

		cr_assert(ts_closed_by_peer(fd, 2000), "connection %d served", i);
		cr_assert_lt(now_ms() - t0, 500);
		close(fd);
		cr_assert_eq(workers(sup, after), nbefore);
		cr_assert_arr_eq(after, before, nbefore * sizeof(pid_t),
		    "a worker was forked for a refused connection");
	}
}

/* A new connection is served within a second: a count was given back. */
static int
served_again(void)
{
	for (int i = 0; i < 20; i++) {
		int fd = ts_connect_echoed(&ts);

		if (fd >= 0)
			return fd;
		poll(NULL, 0, 50);
	}
	cr_assert_fail("no connection served after one left");
	return -1;
}

Test(hostile, max_per_ip_closes_the_excess_without_a_fork)
{
	const char *args[] = { "--max-per-ip", "2", NULL };
	const char *report = "tcp_client_sup: Client {127,0,0,1} is at the"
	    " maximum of 2 connections (--max-per-ip) - closed ";
	int a, b, c;
	size_t mark;
	pid_t sup, victim;

	if (ts_wrapper() != NULL)
		cr_skip_test("under valgrind a burst outlasts the report"
		    " interval");

	ts_start(&ts, args);
	sup = client_sup();
	a = good_client();
	b = good_client();
	mark = ts.len;
	assert_refused(sup, 20);
	/* One report for the burst, counting its first connection only. */
	cr_assert(ts_wait_log(&ts, mark, "closed 1 new connection.\n", 2000),
	    "%s", ts.log + mark);
	cr_assert(ts_find(&ts, mark, report) != NULL, "%s", ts.log + mark);
	poll(NULL, 0, 200);
	/* Read all there is: a line that never comes, for 50 ms. */
	ts_wait_log(&ts, mark, "\x01", 50);
	cr_assert_null(ts_find(&ts, strstr(ts.log + mark, report) - ts.log + 1,
	    report), "not rate-limited:\n%s", ts.log + mark);
	/* After the interval, the next one says how many were closed. */
	echoing_wait(a, 5200);
	assert_refused(sup, 1);
	cr_assert(ts_wait_log(&ts, mark, "closed 20 new connections.\n", 2000),
	    "%s", ts.log + mark);
	/* One leaves, one more is served; then the limit holds again. */
	close(b);
	b = served_again();
	assert_refused(sup, 1);
	/* A worker killed gives its count back too. */
	victim = ts_worker_of(&ts, sup, b, 2000);
	cr_assert(victim > 0);
	kill(victim, SIGKILL);
	cr_assert(ts_wait_gone(victim, 2000));
	close(b);
	c = served_again();
	assert_refused(sup, 1);
	good_echo(a);
	close(a);
	close(c);
}

Test(hostile, max_per_ip_starts_from_zero_with_a_new_client_sup)
{
	const char *args[] = { "--max-per-ip", "2", NULL };
	int a, b;
	pid_t sup, sup2;

	ts_start(&ts, args);
	sup = client_sup();
	a = good_client();
	b = good_client();
	assert_refused(sup, 1);
	/* Its workers die with it; the new one counts nobody. */
	kill(sup, SIGKILL);
	sup2 = ts_wait_child(&ts, ts.pid, "tcp_client_sup", sup, 5000);
	cr_assert(sup2 > 0);
	cr_assert(ts_closed_by_peer(a, 2000));
	cr_assert(ts_closed_by_peer(b, 2000));
	close(a);
	close(b);
	a = served_again();
	b = served_again();
	assert_refused(sup2, 1);
	close(a);
	close(b);
}

Test(hostile, max_per_ip_with_reuse_counts_connections_not_workers)
{
	const char *args[] = { "--max-per-ip", "1", "--reuse", "10", NULL };
	int a;

	ts_start(&ts, args);
	a = good_client();
	assert_refused(client_sup(), 2);
	/* The worker goes back to the pool: the address has none left. */
	close(a);
	a = served_again();
	assert_refused(client_sup(), 1);
	close(a);
}

/* tcpsup on [::1], for the IPv6 prefix; false if this host has no ::1. */
static bool
start_ipv6(const char *const *args)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
	    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	const char *p;
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&sin6,
	    sizeof(sin6)) == 0;

	if (fd >= 0)
		close(fd);
	if (!ok)
		return false;
	ts_spawn(&ts, args);
	cr_assert(ts_wait_log(&ts, 0, "started_at", 5000), "%s", ts.log);
	cr_assert_not_null(p = ts_find(&ts, 0, "[::1]:"));
	ts.port = atoi(p + strlen("[::1]:"));
	cr_assert(ts_wait_child(&ts, ts.pid, "tcp_client_sup", 0, 5000) > 0);
	return true;
}

static int
connect6(void)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
	    .sin6_port = htons((uint16_t)ts.port),
	    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	cr_assert_eq(connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)), 0,
	    "connect [::1]: %m");
	return fd;
}

Test(hostile, max_per_ip_counts_ipv6_by_prefix)
{
	/*
	 * No control socket: its default is named for the port alone, and the
	 * kernel may give ::1 a port a parallel test holds on 127.0.0.1.
	 */
	const char *args[] = { "-l", "[::1]:0", "--max-per-ip", "1",
	    "--max-per-ip-prefix6", "120", "--control", "none", NULL };
	char buf[8];
	size_t mark;
	int a, b;

	if (!start_ipv6(args))
		cr_skip_test("no ::1 on this host");
	a = connect6();
	cr_assert_eq(ts_send_frame(a, "six", 3), 0);
	cr_assert_eq(ts_recv_frame(a, buf, sizeof(buf)), 3);
	mark = ts.len;
	b = connect6();
	cr_assert(ts_closed_by_peer(b, 2000));
	cr_assert(ts_wait_log(&ts, mark, "Client {0,0,0,0,0,0,0,1} (its /120)"
	    " is at the maximum of 1 connection (--max-per-ip) - closed 1 new"
	    " connection.", 2000), "%s", ts.log + mark);
	cr_assert_eq(ts_send_frame(a, "six", 3), 0);
	cr_assert_eq(ts_recv_frame(a, buf, sizeof(buf)), 3);
	close(a);
	close(b);
}
