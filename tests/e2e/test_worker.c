/*
 * test_worker.c -- tcp_echo_fsm over real sockets: framing across reads,
 * the other packet modes, the idle timeout, an oversized frame, a peer that
 * stops reading, and JSON reports.
 */
#include <criterion/criterion.h>

#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;

static void
teardown(void)
{
	ts_cleanup(&ts);
}

TestSuite(worker, .fini = teardown, .timeout = 60);

static int
connected(void)
{
	int fd = ts_connect(&ts);

	cr_assert(fd >= 0, "connect: %m");
	return fd;
}

/* The worker serving connection fd. */
static pid_t
serving(int fd)
{
	pid_t worker = ts_worker_of(&ts, ts_child(&ts, ts.pid,
	    "tcp_client_sup"), fd, 5000);

	cr_assert(worker > 0, "no worker serves the connection");
	return worker;
}

Test(worker, frames_split_and_merged_are_echoed_whole)
{
	const unsigned char two[] = { 0, 3, 'a', 'b', 'c', 0, 0, 0, 2, 'd', 'e' };
	unsigned char buf[sizeof(two)];
	int fd;

	ts_start(&ts, NULL);
	fd = connected();
	/* One byte at a time: the header itself is split. */
	for (size_t i = 0; i < 5; i++) {
		cr_assert_eq(ts_write(fd, two + i, 1), 0);
		poll(NULL, 0, 20);
	}
	cr_assert_eq(ts_read_exact(fd, buf, 5), 5);
	cr_assert_arr_eq(buf, two, 5);
	/* A zero-length frame and another frame in one write. */
	cr_assert_eq(ts_write(fd, two + 5, 6), 0);
	cr_assert_eq(ts_read_exact(fd, buf, 6), 6);
	cr_assert_arr_eq(buf, two + 5, 6);
	close(fd);
}

Test(worker, partial_frame_then_close_is_dropped)
{
	int fd;
	size_t mark;

	ts_start(&ts, NULL);
	fd = connected();
	cr_assert_eq(ts_write(fd, "\0\x10partial", 9), 0);
	poll(NULL, 0, 50);
	mark = ts.len;
	close(fd);
	cr_assert(ts_wait_log(&ts, mark, "Client {127,0,0,1} disconnected.\n", 3000),
	    "%s", ts.log);
	cr_assert_null(ts_find(&ts, 0, "SUPERVISOR REPORT"), "%s", ts.log);
}

static void
echo_mode(const char *mode, const char *send, size_t len)
{
	const char *args[] = { "--packet", mode, NULL };
	char buf[64];
	int fd;

	ts_start(&ts, args);
	fd = connected();
	cr_assert_eq(ts_write(fd, send, len), 0);
	cr_assert_eq(ts_read_exact(fd, buf, len), (ssize_t)len);
	cr_assert_arr_eq(buf, send, len);
	close(fd);
}

Test(worker, packet_1)
{
	echo_mode("1", "\x03" "abc" "\x00", 5);
}

Test(worker, packet_4)
{
	echo_mode("4", "\0\0\0\x02hi\0\0\0\0", 10);
}

Test(worker, packet_line)
{
	echo_mode("line", "one\ntwo\n", 8);
}

/*
 * gen_tcp with {packet,line} (OTP 25, inet and socket backends) never
 * delivers a last line the peer ended with a close instead of a newline:
 * recv gives {error,closed}. tcpsup drops it the same way.
 */
Test(worker, packet_line_unterminated_last_line_is_dropped_at_eof)
{
	const char *args[] = { "--packet", "line", NULL };
	char buf[16];
	int fd;

	ts_start(&ts, args);
	fd = connected();
	cr_assert_eq(ts_write(fd, "one\nabc", 7), 0);
	cr_assert_eq(ts_read_exact(fd, buf, 4), 4);
	cr_assert_arr_eq(buf, "one\n", 4);
	cr_assert_eq(shutdown(fd, SHUT_WR), 0);
	cr_assert_eq(recv(fd, buf, sizeof(buf), 0), 0, "abc echoed, or no EOF: %m");
	cr_assert(ts_wait_log(&ts, 0, "Client {127,0,0,1} disconnected.\n", 3000),
	    "%s", ts.log);
	cr_assert_null(ts_find(&ts, 0, "ERROR REPORT"), "%s", ts.log);
	close(fd);
}

Test(worker, packet_raw)
{
	echo_mode("0", "any bytes at all", 16);
}

Test(worker, idle_timeout_closes_with_report)
{
	const char *args[] = { "--idle-timeout", "1", NULL };
	pid_t worker;
	char expect[128];
	int fd;

	ts_start(&ts, args);
	fd = connected();
	worker = serving(fd);
	snprintf(expect, sizeof(expect),
	    "\n%d Client connection timeout - closing.\n", (int)worker);
	cr_assert(ts_closed_by_peer(fd, 5000), "not closed after idle timeout");
	cr_assert(ts_wait_log(&ts, 0, expect, 2000), "%s", ts.log);
	cr_assert(ts_find(&ts, 0, "=ERROR REPORT==== ") != NULL);
	/* It exited normal: a temporary child's clean exit is not reported. */
	cr_assert(ts_wait_gone(worker, 2000));
	cr_assert_null(ts_find(&ts, 0, "child_terminated"), "%s", ts.log);
	close(fd);
}

Test(worker, idle_timeout_covers_a_peer_that_stops_reading)
{
	const char *args[] = { "--idle-timeout", "1", NULL };
	char *frame = calloc(1, 65537);
	int fd, small = 4096;
	pid_t worker;

	ts_start(&ts, args);
	fd = connected();
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	worker = serving(fd);
	/* Send far more than the socket buffers hold, and never read. */
	frame[0] = (char)0xff, frame[1] = (char)0xff;
	for (int i = 0; i < 64; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };

		if (poll(&pfd, 1, 200) <= 0)
			break;
		if (send(fd, frame, 65537, MSG_DONTWAIT | MSG_NOSIGNAL) <= 0)
			break;
	}
	cr_assert(ts_wait_gone(worker, 8000), "worker blocked on write forever");
	cr_assert(ts_wait_log(&ts, 0, "Client connection timeout - closing.", 1000),
	    "%s", ts.log);
	free(frame);
	close(fd);
}

Test(worker, oversized_frame_closes_only_that_connection)
{
	const char *args[] = { "--max-frame", "16", NULL };
	char buf[32];
	int bad, good;

	ts_start(&ts, args);
	good = connected();
	bad = connected();
	cr_assert_eq(ts_write(bad, "\0\x11" "0123456789abcdefg", 19), 0);
	cr_assert(ts_closed_by_peer(bad, 3000));
	cr_assert(ts_wait_log(&ts, 0, "Client {127,0,0,1} sent a frame of 17 bytes,"
	    " over the limit of 16 (emsgsize) - closing.\n", 2000), "%s", ts.log);
	cr_assert(ts_find(&ts, 0, "=ERROR REPORT==== ") != NULL);
	/* The neighbour and the supervisors carry on. */
	cr_assert_eq(ts_send_frame(good, "0123456789abcdef", 16), 0);
	cr_assert_eq(ts_recv_frame(good, buf, sizeof(buf)), 16);
	cr_assert(ts_alive(ts_child(&ts, ts.pid, "tcp_client_sup")));
	close(bad);
	close(good);
}

/*
 * The echo of a good frame sent before an oversized one, then EOF: the
 * worker sends FIN and reads what the client still sends, so the client
 * sees no reset; the worker leaves as soon as the client closes.
 */
Test(worker, oversized_frame_ends_with_eof_not_a_reset)
{
	const char *args[] = { "--max-frame", "16", NULL };
	const char sent[] = "\0\x05hello" "\0\x11" "0123456789abcdefg";
	char buf[64];
	pid_t worker;
	int fd;

	ts_start(&ts, args);
	fd = connected();
	worker = serving(fd);
	/* One write: the worker reads the bad header with bytes left behind. */
	cr_assert_eq(ts_write(fd, sent, sizeof(sent) - 1), 0);
	cr_assert(ts_wait_log(&ts, 0, "over the limit of 16 (emsgsize) - closing.\n",
	    3000), "%s", ts.log);
	poll(NULL, 0, 200);	/* a reset, if any, has arrived by now */
	cr_assert_eq(ts_read_exact(fd, buf, 7), 7, "echo lost: %m");
	cr_assert_arr_eq(buf, "\0\x05hello", 7);
	cr_assert_eq(recv(fd, buf, sizeof(buf), 0), 0, "not EOF: %m");
	/* More from the client is read and dropped, not answered with RST. */
	cr_assert_eq(ts_write(fd, "more", 4), 0);
	poll(NULL, 0, 100);
	close(fd);
	cr_assert(ts_wait_gone(worker, 500), "worker still draining after the close");
}

Test(worker, oversized_frame_drain_is_bounded)
{
	const char *args[] = { "--max-frame", "16", NULL };
	pid_t worker;
	char buf[8];
	int fd;

	ts_start(&ts, args);
	fd = connected();
	worker = serving(fd);
	cr_assert_eq(ts_write(fd, "\0\x11", 2), 0);
	cr_assert_eq(recv(fd, buf, sizeof(buf), 0), 0, "not EOF: %m");
	/* The client never closes: the worker gives up after a second. */
	cr_assert(ts_alive(worker));
	cr_assert(ts_wait_gone(worker, 3000), "worker drains forever");
	close(fd);
}

Test(worker, json_reports)
{
	const char *args[] = { "--log-format", "json", NULL };
	pid_t worker;
	char expect[512];
	int fd;

	ts_start(&ts, args);
	cr_assert(ts_find(&ts, 0, "\"report\":\"progress_report\","
	    "\"application\":\"tcp_server\",\"started_at\":\"nonode@nohost\"}\n"),
	    "%s", ts.log);
	fd = connected();
	worker = serving(fd);
	cr_assert_eq(kill(worker, SIGKILL), 0);
	snprintf(expect, sizeof(expect),
	    "\"report\":\"supervisor_report\",\"supervisor\":\"{local,tcp_client_sup}\","
	    "\"context\":\"child_terminated\",\"reason\":\"killed\",\"offender\":"
	    "{\"pid\":%d,\"name\":\"undefined\",\"mfa\":\"{tcp_echo_fsm,start_link,[]}\","
	    "\"restart_type\":\"temporary\",\"shutdown\":2000,\"child_type\":\"worker\"}}\n",
	    (int)worker);
	cr_assert(ts_wait_log(&ts, 0, expect, 3000), "%s", ts.log);
	/* One object per line, nothing else. */
	for (const char *line = ts.log; *line != '\0'; line = strchr(line, '\n') + 1)
		cr_assert(strncmp(line, "{\"time\":\"", 9) == 0, "%s", line);
	close(fd);
}

Test(worker, ipv6_listener_reports_an_8_tuple)
{
	/*
	 * No control socket: its default is named for the port alone, and the
	 * kernel may give ::1 a port a parallel test holds on 127.0.0.1.
	 */
	const char *args[] = { "-l", "[::1]:0", "--control", "none", NULL };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
	    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	const char *p;
	char buf[8];
	int fd;

	ts_spawn(&ts, args);
	cr_assert(ts_wait_log(&ts, 0, "application: tcp_server", 5000), "%s", ts.log);
	p = ts_find(&ts, 0, "    listening: [::1]:");
	cr_assert(p != NULL, "%s", ts.log);
	sin6.sin6_port = htons((uint16_t)atoi(p + strlen("    listening: [::1]:")));
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	cr_assert(fd >= 0);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)), 0, "%m");
	cr_assert_eq(ts_send_frame(fd, "six", 3), 0);
	cr_assert_eq(ts_recv_frame(fd, buf, sizeof(buf)), 3);
	close(fd);
	cr_assert(ts_wait_log(&ts, 0, " Client {0,0,0,0,0,0,0,1} disconnected.\n", 3000),
	    "%s", ts.log);
}
