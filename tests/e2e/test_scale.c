/*
 * test_scale.c -- scaling out with the tools operators already have: two
 * trees sharing one port with --reuseport, both served by the kernel; a
 * real HAProxy running dist/haproxy/tcpsup.cfg as shipped (send-proxy-v2,
 * and send-proxy for v1) in front of two --proxy-protocol trees, whose
 * reports, titles and tcpsupctl tree name the client, not HAProxy;
 * connections with no header, a malformed or a truncated one, each closed
 * with its ERROR REPORT while a well-behaved client goes on echoing; and
 * an --exec program getting the client in its environment, never the
 * header on its input.
 */
#include <criterion/criterion.h>

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* The client's own address: HAProxy reaches the trees from 127.0.0.1. */
#define CLIENT_IP	"127.0.0.2"
/* Connections tried, at most, until each tree has served one. */
#define SPREAD_TRIES	200

static struct tcpsup a, b, c;
static pid_t haproxy;
static char tmp[64];

static void
setup(void)
{
	strcpy(tmp, "/tmp/tcpsup-scale-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
}

static void
teardown(void)
{
	if (haproxy > 0) {
		kill(haproxy, SIGKILL);
		waitpid(haproxy, NULL, 0);
		haproxy = 0;
	}
	ts_cleanup(&a);
	ts_cleanup(&b);
	ts_cleanup(&c);
	ts_remove_tree(tmp);
}

TestSuite(scale, .init = setup, .fini = teardown, .timeout = 90);

/*
 * A worker's title names the PROXY header's client, which valgrind hides.
 * A skipped test's fini does not run: its directory goes first.
 */
static void
skip_under_valgrind(void)
{
	if (ts_wrapper() == NULL)
		return;
	ts_remove_tree(tmp);
	cr_skip_test("a worker's title names the PROXY header's client,"
	    " which valgrind hides");
}

/* --- clients ------------------------------------------------------------ */

/* A blocking connection from src to 127.0.0.1:port, 5 s timeouts. */
static int
connect_from(const char *src, int port)
{
	struct sockaddr_in from = { .sin_family = AF_INET };
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	inet_pton(AF_INET, src, &from.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) == -1 ||
	    connect(fd, (struct sockaddr *)&to, sizeof(to)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
assert_echo(int fd, const char *payload)
{
	char buf[64];

	cr_assert_eq(ts_send_frame(fd, payload, strlen(payload)), 0);
	cr_assert_eq(ts_recv_frame(fd, buf, sizeof(buf)),
	    (ssize_t)strlen(payload), "no echo of '%s'", payload);
	cr_assert_arr_eq(buf, payload, strlen(payload));
}

/* Bytes, then a {packet,2} frame, in one write: the header and data. */
static int
send_then_frame(int fd, const void *bytes, size_t n, const char *payload)
{
	unsigned char buf[512];
	size_t len = strlen(payload);

	cr_assert_leq(n + 2 + len, sizeof(buf));
	memcpy(buf, bytes, n);
	buf[n] = (unsigned char)(len >> 8);
	buf[n + 1] = (unsigned char)len;
	memcpy(buf + n + 2, payload, len);
	return ts_write(fd, buf, n + 2 + len);
}

/* A v2 PROXY header for TCP over IPv4, src to dst; its length. */
static size_t
v2_header(unsigned char *out, uint8_t ver_cmd, const char *src, int sport,
    const char *dst, int dport)
{
	static const unsigned char sig[12] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 'Q', 'U', 'I', 'T', 0x0a
	};
	uint16_t ports[2] = { htons((uint16_t)sport), htons((uint16_t)dport) };

	memcpy(out, sig, sizeof(sig));
	out[12] = ver_cmd;
	out[13] = 0x11;
	out[14] = 0;
	out[15] = 12;
	inet_pton(AF_INET, src, out + 16);
	inet_pton(AF_INET, dst, out + 20);
	memcpy(out + 24, ports, sizeof(ports));
	return 28;
}

/* --- trees -------------------------------------------------------------- */

static pid_t
client_sup(struct tcpsup *ts)
{
	pid_t pid = ts_child(ts, ts->pid, "tcp_client_sup");

	cr_assert(pid > 0, "no tcp_client_sup");
	return pid;
}

/*
 * Which of the trees has a worker titled "tcp_echo_fsm <who>": 0 for a,
 * 1 for b, -1 if none within 3 s.
 */
static int
serving_tree(const char *who, pid_t *worker)
{
	char title[96];
	struct tcpsup *trees[2] = { &a, &b };
	int64_t deadline = ts_now_ms() + 3000;

	snprintf(title, sizeof(title), "tcp_echo_fsm %s", who);
	do {
		for (int i = 0; i < 2; i++)
			if (trees[i]->pid > 0 && (*worker = ts_child(trees[i],
			    client_sup(trees[i]), title)) > 0)
				return i;
		poll(NULL, 0, 5);
	} while (ts_now_ms() < deadline);
	return -1;
}

/* --- reuseport ---------------------------------------------------------- */

Test(scale, reuseport_trees_share_one_port_and_both_serve)
{
	const char *first[] = { "--reuseport", "--control", "none", NULL };
	char port[16], who[32], bye[64];
	int served[2] = { 0, 0 }, tries;

	ts_start(&a, first);
	snprintf(port, sizeof(port), "%d", a.port);
	ts_start(&b, (const char *[]){ "--reuseport", "--control", "none",
	    "-p", port, NULL });
	cr_assert_eq(b.port, a.port);
	for (tries = 0; tries < SPREAD_TRIES &&
	    (served[0] == 0 || served[1] == 0); tries++) {
		int fd = ts_connect_echoed(&a), tree;
		pid_t worker;

		cr_assert(fd >= 0, "connection %d not echoed", tries);
		snprintf(who, sizeof(who), "127.0.0.1:%d", ts_local_port(fd));
		cr_assert((tree = serving_tree(who, &worker)) >= 0,
		    "no tree serves %s", who);
		served[tree]++;
		close(fd);
	}
	cr_assert(served[0] > 0 && served[1] > 0,
	    "after %d connections: %d and %d", tries, served[0], served[1]);
	/* Each tree reports the connections it served, as one alone would. */
	snprintf(bye, sizeof(bye), "Client {127,0,0,1} disconnected.");
	cr_assert(ts_wait_log(&a, 0, bye, 5000));
	cr_assert(ts_wait_log(&b, 0, bye, 5000));
}

Test(scale, without_reuseport_a_second_tree_cannot_bind)
{
	const char *first[] = { "--reuseport", "--control", "none", NULL };
	char port[16];

	ts_start(&a, first);
	snprintf(port, sizeof(port), "%d", a.port);
	/* Both must ask: the first tree's port is not taken by accident. */
	ts_spawn(&c, (const char *[]){ "--control", "none", "-p", port, NULL });
	cr_assert(ts_wait_exit(&c, 10000), "second tree still runs");
	cr_assert(WIFEXITED(c.status) && WEXITSTATUS(c.status) != 0);
	cr_assert_not_null(ts_find(&c, 0, "eaddrinuse"), "%s", c.log);
	cr_assert(ts_alive(a.pid));
}

/* --- HAProxy ------------------------------------------------------------ */

static const char *
source_file(const char *rel, char *buf, size_t size)
{
	const char *top = getenv("TCPSUP_SOURCE");

	cr_assert_not_null(top, "TCPSUP_SOURCE not set");
	snprintf(buf, size, "%s/%s", top, rel);
	return buf;
}

/*
 * The shipped configuration, with send-proxy-v2 replaced by sendproxy
 * (the same server line, v1 instead of v2); its path.
 */
static const char *
config(const char *sendproxy, char *path, size_t size)
{
	static const char v2[] = "send-proxy-v2";
	char src[512], text[8192], *p;
	size_t n;
	FILE *f;

	cr_assert_not_null(f = fopen(source_file("dist/haproxy/tcpsup.cfg",
	    src, sizeof(src)), "re"), "%s: %m", src);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	snprintf(path, size, "%s/haproxy.cfg", tmp);
	cr_assert_not_null(f = fopen(path, "we"));
	for (p = text; *p != '\0'; ) {
		char *hit = strstr(p, v2);

		if (hit == NULL || strcmp(sendproxy, v2) == 0) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(hit - p), f);
		fputs(sendproxy, f);
		p = hit + strlen(v2);
	}
	fclose(f);
	return path;
}

/* Run haproxy -db -f cfg on front, for trees a and b; wait until it listens. */
static int
haproxy_start(const char *cfg)
{
	char env[3][64], log[128];
	int front = ts_free_port(), fd = -1;
	int64_t deadline;

	snprintf(env[0], sizeof(env[0]), "TCPSUP_FRONTEND=127.0.0.1:%d", front);
	snprintf(env[1], sizeof(env[1]), "TCPSUP_TREE1=127.0.0.1:%d", a.port);
	snprintf(env[2], sizeof(env[2]), "TCPSUP_TREE2=127.0.0.1:%d", b.port);
	snprintf(log, sizeof(log), "%s/haproxy.log", tmp);
	cr_assert((haproxy = fork()) >= 0);
	if (haproxy == 0) {
		int out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out, 1);
		dup2(out, 2);
		for (int i = 0; i < 3; i++)
			putenv(env[i]);
		execlp("haproxy", "haproxy", "-db", "-f", cfg, (char *)NULL);
		_exit(127);
	}
	deadline = ts_now_ms() + 10000;
	while (ts_now_ms() < deadline &&
	    (fd = connect_from("127.0.0.1", front)) == -1) {
		cr_assert_eq(waitpid(haproxy, NULL, WNOHANG), 0,
		    "haproxy exited: see %s", log);
		poll(NULL, 0, 20);
	}
	cr_assert(fd >= 0, "haproxy does not listen on %d", front);
	close(fd);
	return front;
}

/*
 * Connections from CLIENT_IP through HAProxy until each tree has served
 * one: each echoes, its worker's title names the client's address and
 * port, and so does the report of its end.
 */
static void
through_haproxy(int front)
{
	int served[2] = { 0, 0 }, tries;

	for (tries = 0; tries < SPREAD_TRIES &&
	    (served[0] == 0 || served[1] == 0); tries++) {
		struct tcpsup *trees[2] = { &a, &b };
		char who[32], bye[96];
		int fd = connect_from(CLIENT_IP, front), tree, port;
		size_t mark[2] = { a.len, b.len };
		pid_t worker;

		cr_assert(fd >= 0, "connect through haproxy: %m");
		assert_echo(fd, "through the balancer");
		port = ts_local_port(fd);
		snprintf(who, sizeof(who), CLIENT_IP ":%d", port);
		cr_assert((tree = serving_tree(who, &worker)) >= 0,
		    "no worker titled with the client %s", who);
		served[tree]++;
		assert_echo(fd, "and again");
		close(fd);
		snprintf(bye, sizeof(bye), "Client {{127,0,0,2},%d} disconnected.",
		    port);
		cr_assert(ts_wait_log(trees[tree], mark[tree], bye, 5000),
		    "no report naming %s", who);
	}
	cr_assert(served[0] > 0 && served[1] > 0,
	    "after %d connections: %d and %d", tries, served[0], served[1]);
}

static void
two_proxied_trees(void)
{
	const char *args[] = { "--proxy-protocol", NULL };

	cr_assert_eq(access("/usr/sbin/haproxy", X_OK), 0,
	    "haproxy is not installed: scripts/setup installs it");
	ts_start(&a, args);
	ts_start(&b, args);
}

Test(scale, haproxy_send_proxy_v2_shows_the_real_client)
{
	char cfg[128];

	skip_under_valgrind();

	two_proxied_trees();
	through_haproxy(haproxy_start(config("send-proxy-v2", cfg,
	    sizeof(cfg))));
}

Test(scale, haproxy_send_proxy_v1_shows_the_real_client)
{
	char cfg[128];

	skip_under_valgrind();

	two_proxied_trees();
	through_haproxy(haproxy_start(config("send-proxy", cfg, sizeof(cfg))));
}

Test(scale, tcpsupctl_tree_names_the_client_not_the_balancer)
{
	char cfg[128], path[256], cmd[512], out[16384], who[48];
	int fd, tree;
	pid_t worker;

	skip_under_valgrind();

	two_proxied_trees();
	fd = connect_from(CLIENT_IP, haproxy_start(config("send-proxy-v2", cfg,
	    sizeof(cfg))));
	cr_assert(fd >= 0);
	assert_echo(fd, "hold on");
	snprintf(who, sizeof(who), CLIENT_IP ":%d", ts_local_port(fd));
	cr_assert((tree = serving_tree(who, &worker)) >= 0);
	cr_assert(ts_ctl_path(tree == 0 ? &a : &b, path, sizeof(path)));
	snprintf(cmd, sizeof(cmd), "LC_ALL=C %s --control %s tree --json",
	    getenv("TCPSUPCTL_BIN"), path);
	cr_assert_eq(ts_capture(cmd, out, sizeof(out)), 0, "%s", out);
	snprintf(cmd, sizeof(cmd), "\"peer\":\"%s\"", who);
	cr_assert_not_null(strstr(out, cmd), "%s not in %s", cmd, out);
	close(fd);
}

/* --- headers gone wrong ------------------------------------------------- */

/* The kind of the report whose text holds at, from its header line. */
static const char *
report_kind(const struct tcpsup *ts, const char *at)
{
	static char kind[32];
	const char *line = at, *head;
	size_t n;

	while (line > ts->log && line[-1] != '\n')
		line--;
	for (head = line - 1; head > ts->log && head[-1] != '\n'; head--)
		;
	if (line == ts->log || head[0] != '=' ||
	    (n = strcspn(head + 1, " ")) >= sizeof(kind))
		return "";
	memcpy(kind, head + 1, n);
	kind[n] = '\0';
	return kind;
}

/*
 * Send bytes (then, if half_close, close the sending side) to a tree
 * that wants a header; the connection must be closed with an ERROR
 * REPORT saying what, and the good client must still echo.
 */
static void
refused(int good, const void *bytes, size_t n, bool half_close,
    const char *what)
{
	char needle[192];
	size_t mark = a.len;
	int fd = ts_connect(&a);

	cr_assert(fd >= 0);
	if (n > 0)
		cr_assert_eq(ts_write(fd, bytes, n), 0);
	if (half_close)
		shutdown(fd, SHUT_WR);
	cr_assert(ts_closed_by_peer(fd, 5000), "not closed: %s", what);
	snprintf(needle, sizeof(needle), "Client {{127,0,0,1},%d} sent %s - "
	    "closing.", ts_local_port(fd), what);
	cr_assert(ts_wait_log(&a, mark, needle, 5000), "no report '%s' in %s",
	    needle, a.log + mark);
	cr_assert_str_eq(report_kind(&a, ts_find(&a, mark, needle)), "ERROR",
	    "%s", a.log + mark);
	close(fd);
	assert_echo(good, what);
}

Test(scale, bad_headers_close_only_their_connection)
{
	const char *args[] = { "--proxy-protocol", "--frame-timeout", "1", NULL };
	unsigned char v2[64];
	char longline[128];
	size_t n;
	pid_t worker;
	int good;

	skip_under_valgrind();

	ts_start(&a, args);
	/* A well-behaved client: its header and first frame in one write. */
	cr_assert((good = ts_connect(&a)) >= 0);
	n = v2_header(v2, 0x21, "192.0.2.7", 40000, "127.0.0.1", a.port);
	cr_assert_eq(send_then_frame(good, v2, n, "first"), 0);
	cr_assert_eq(ts_recv_frame(good, longline, sizeof(longline)), 5);
	cr_assert(ts_wait_child(&a, client_sup(&a),
	    "tcp_echo_fsm 192.0.2.7:40000", 0, 3000) > 0);

	refused(good, "\0\5hello", 7, false,
	    "no valid PROXY header (neither v1 nor v2 signature)");
	refused(good, "PROXY TCP4 10.0.0.1 10.0.0.2 1 99999\r\n", 38, false,
	    "no valid PROXY header (v1: bad port)");
	refused(good, "PROXY TCP4 10.0.0.1 10.0.0.2 1 2\n", 33, false,
	    "no valid PROXY header (v1: LF without CR)");
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "PROXY UNKNOWN ", 14);
	refused(good, longline, sizeof(longline), false,
	    "no valid PROXY header (v1: no CRLF in 107 bytes)");
	refused(good, "PROXY TCP4 10.0", 15, true,
	    "no valid PROXY header (closed within the header)");
	refused(good, "PROXY TCP4 10.0", 15, false,
	    "no whole PROXY header in 1 s");
	n = v2_header(v2, 0x11, "192.0.2.8", 1, "127.0.0.1", a.port);
	refused(good, v2, n, false, "no valid PROXY header (v2: version not 2)");
	n = v2_header(v2, 0x21, "192.0.2.8", 1, "127.0.0.1", a.port);
	v2[15] = 15;		/* a TLV's 3 bytes promised, 2 sent */
	v2[28] = 1, v2[29] = 0;
	refused(good, v2, 30, false, "no whole PROXY header in 1 s");
	v2[30] = 5;		/* now whole, but the TLV overruns it */
	refused(good, v2, 31, false, "no valid PROXY header (v2: truncated TLV)");
	refused(good, v2, 20, true,
	    "no valid PROXY header (closed within the header)");
	/* Still the same worker, still the real client. */
	cr_assert((worker = ts_child(&a, client_sup(&a),
	    "tcp_echo_fsm 192.0.2.7:40000")) > 0);
	assert_echo(good, "last");
	close(good);
}

Test(scale, a_client_that_sends_nothing_is_a_plain_disconnect)
{
	const char *args[] = { "--proxy-protocol", NULL };
	char bye[64];
	int fd;

	ts_start(&a, args);
	cr_assert((fd = ts_connect(&a)) >= 0);
	snprintf(bye, sizeof(bye), "Client {{127,0,0,1},%d} disconnected.",
	    ts_local_port(fd));
	close(fd);
	cr_assert(ts_wait_log(&a, 0, bye, 5000), "%s", a.log);
	cr_assert_null(ts_find(&a, 0, "ERROR REPORT"), "%s", a.log);
}

Test(scale, v2_local_and_v1_unknown_keep_the_connections_addresses)
{
	const char *args[] = { "--proxy-protocol", NULL };
	unsigned char v2[64];
	char who[48];
	int fd;

	skip_under_valgrind();

	ts_start(&a, args);
	/* LOCAL: a balancer's own check; its address block is ignored. */
	cr_assert((fd = ts_connect(&a)) >= 0);
	cr_assert_eq(send_then_frame(fd, v2, v2_header(v2, 0x20, "192.0.2.9", 9,
	    "127.0.0.1", a.port), "local"), 0);
	cr_assert_eq(ts_recv_frame(fd, who, sizeof(who)), 5);
	cr_assert(ts_worker_of(&a, client_sup(&a), fd, 3000) > 0);
	close(fd);
	cr_assert((fd = ts_connect(&a)) >= 0);
	cr_assert_eq(send_then_frame(fd, "PROXY UNKNOWN\r\n", 15, "unknown"), 0);
	cr_assert_eq(ts_recv_frame(fd, who, sizeof(who)), 7);
	cr_assert(ts_worker_of(&a, client_sup(&a), fd, 3000) > 0);
	close(fd);
	/* A v1 TCP6 header names an IPv6 client of an IPv4 listener. */
	cr_assert((fd = ts_connect(&a)) >= 0);
	snprintf(who, sizeof(who), "PROXY TCP6 2001:db8::7 ::1 4242 %d\r\n",
	    a.port);
	cr_assert_eq(send_then_frame(fd, who, strlen(who), "six"), 0);
	cr_assert_eq(ts_recv_frame(fd, who, sizeof(who)), 3);
	cr_assert(ts_wait_child(&a, client_sup(&a),
	    "tcp_echo_fsm [2001:db8::7]:4242", 0, 3000) > 0);
	close(fd);
	cr_assert(ts_wait_log(&a, 0,
	    "Client {{8193,3512,0,0,0,0,0,7},4242} disconnected.", 5000));
}

/* --- --exec behind a balancer ------------------------------------------- */

/* Everything fd delivers until its end, NUL-terminated; its length. */
static size_t
read_to_end(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size && (n = read(fd, buf + len, size - len - 1)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return len;
}

Test(scale, exec_program_gets_the_client_and_never_the_header)
{
	unsigned char v2[64];
	char out[8192], needle[64];
	const char *v1 = "PROXY TCP4 203.0.113.9 198.51.100.1 5555 2222\r\n";
	size_t n, mark;
	int fd;

	/* The environment names whom the header names, at both ends. */
	ts_start(&a, (const char *[]){ "--proxy-protocol", "--exec",
	    "/usr/bin/env", NULL });
	cr_assert((fd = ts_connect(&a)) >= 0);
	n = v2_header(v2, 0x21, "192.0.2.7", 40000, "198.51.100.1", 2222);
	cr_assert_eq(ts_write(fd, v2, n), 0);
	read_to_end(fd, out, sizeof(out));
	close(fd);
	cr_assert_not_null(strstr(out, "TCPREMOTEIP=192.0.2.7\n"), "%s", out);
	cr_assert_not_null(strstr(out, "TCPREMOTEPORT=40000\n"), "%s", out);
	cr_assert_not_null(strstr(out, "TCPLOCALIP=198.51.100.1\n"), "%s", out);
	cr_assert_not_null(strstr(out, "TCPLOCALPORT=2222\n"), "%s", out);
	/* The program reads what follows the header, and only that. */
	ts_start(&b, (const char *[]){ "--proxy-protocol", "--exec", "/bin/cat",
	    NULL });
	cr_assert((fd = ts_connect(&b)) >= 0);
	snprintf(out, sizeof(out), "%shello", v1);
	cr_assert_eq(ts_write(fd, out, strlen(out)), 0);
	shutdown(fd, SHUT_WR);
	cr_assert_eq(read_to_end(fd, out, sizeof(out)), 5, "%s", out);
	cr_assert_str_eq(out, "hello");
	close(fd);
	/* A bad header: reported as for an echo worker, no program run. */
	mark = b.len;
	cr_assert((fd = ts_connect(&b)) >= 0);
	cr_assert_eq(ts_write(fd, "hello\n", 6), 0);
	cr_assert(ts_closed_by_peer(fd, 5000));
	snprintf(needle, sizeof(needle), "Client {{127,0,0,1},%d} sent no valid "
	    "PROXY header", ts_local_port(fd));
	close(fd);
	cr_assert(ts_wait_log(&b, mark, needle, 5000), "%s", b.log + mark);
	cr_assert_str_eq(report_kind(&b, ts_find(&b, mark, needle)), "ERROR");
	cr_assert_null(ts_find(&b, mark, "start_error"), "%s", b.log + mark);
}
