/*
 * test_control.c -- the control socket as a client meets it, in the raw
 * protocol: where it is and with which permissions, what `stats` says
 * against what the test did, requests routed to both supervisors (also
 * across a restart of tcp_client_sup), `stop`; and everything a bad or
 * hostile client can do -- garbage, too long, half sent, silent, too
 * many at once, another uid -- while the tree goes on echoing.
 *
 * The refused uid is played by this very binary, re-run as nobody with
 * setpriv: `test_control --ctl-client PATH N` sends N stats requests and
 * prints the last reply.
 */
#include <criterion/criterion.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define REPLY_MAX	65536

static struct tcpsup ts, other;
static char dir[64];		/* a private temporary directory */
static char path[128];		/* the control socket, by default in dir */
static char reply[REPLY_MAX];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tcpsup-ctl-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
}

static void
teardown(void)
{
	char cmd[128];

	ts_cleanup(&other);
	ts_cleanup(&ts);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	unsetenv("XDG_RUNTIME_DIR");
}

TestSuite(control, .init = setup, .fini = teardown, .timeout = 90);

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void
start(const char *const *extra)
{
	const char *args[16] = { "--control", path };
	size_t n = 2;

	for (; extra != NULL && *extra != NULL && n < 15; extra++)
		args[n++] = *extra;
	args[n] = NULL;
	ts_start(&ts, args);
}

/* One request (a C string) to path; the reply is in reply[]. */
static const char *
ask(const char *request)
{
	ssize_t n = ts_ctl(path, request, strlen(request), reply, sizeof(reply));

	cr_assert(n >= 0, "no reply to %s: %s", request, strerror(errno));
	return reply;
}

/* The tree serves a {packet,2} client right now. */
static void
assert_echoing(void)
{
	int fd = ts_connect_echoed(&ts);

	cr_assert(fd >= 0, "echo not served");
	close(fd);
}

static void
assert_mode(const char *file, mode_t type, mode_t perm)
{
	struct stat st;

	cr_assert_eq(lstat(file, &st), 0, "%s: %s", file, strerror(errno));
	cr_assert_eq(st.st_mode & S_IFMT, type, "%s: type %o", file,
	    st.st_mode & S_IFMT);
	cr_assert_eq(st.st_mode & 07777, perm, "%s: mode %04o", file,
	    st.st_mode & 07777);
	cr_assert_eq(st.st_uid, geteuid());
}

static bool
exists(const char *file)
{
	struct stat st;

	return lstat(file, &st) == 0;
}

/* --- where it is --------------------------------------------------------- */

Test(control, socket_is_0600_in_a_0700_directory_whatever_the_umask)
{
	char sub[96], line[192];
	mode_t old = umask(0);

	snprintf(sub, sizeof(sub), "%s/run", dir);
	snprintf(path, sizeof(path), "%s/ctl.sock", sub);
	start(NULL);
	umask(old);
	assert_mode(sub, S_IFDIR, 0700);
	assert_mode(path, S_IFSOCK, 0600);
	snprintf(line, sizeof(line), "\n    control: %s\n", path);
	cr_assert(ts_find(&ts, 0, line) != NULL, "%s", ts.log);
}

Test(control, default_path_is_under_xdg_runtime_dir)
{
	char xdg_dir[96], expect[192], got[192];

	snprintf(xdg_dir, sizeof(xdg_dir), "%s/tcpsup", dir);
	cr_assert_eq(setenv("XDG_RUNTIME_DIR", dir, 1), 0);
	ts_start(&ts, NULL);
	snprintf(path, sizeof(path), "%s/%d.sock", xdg_dir, ts.port);
	cr_assert(ts_ctl_path(&ts, got, sizeof(got)), "%s", ts.log);
	cr_assert_str_eq(got, path);
	assert_mode(xdg_dir, S_IFDIR, 0700);
	assert_mode(path, S_IFSOCK, 0600);
	snprintf(expect, sizeof(expect), "\nstat\tcontrol\t%s\n", path);
	cr_assert_not_null(strstr(ask("tcpsup 1 stats\n"), expect), "%s", reply);
}

Test(control, none_creates_nothing)
{
	const char *args[] = { "--control", "none", NULL };
	char xdg_dir[128];

	snprintf(xdg_dir, sizeof(xdg_dir), "%s/tcpsup", dir);
	cr_assert_eq(setenv("XDG_RUNTIME_DIR", dir, 1), 0);
	ts_start(&ts, args);
	assert_echoing();
	cr_assert(!exists(xdg_dir), "%s was created", xdg_dir);
	cr_assert_null(ts_find(&ts, 0, "control:"), "%s", ts.log);
}

Test(control, a_stale_socket_file_is_replaced)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	/* A dead daemon's socket: the file stays, nobody listens. */
	cr_assert_lt(strlen(path), sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path) + 1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
	cr_assert(exists(path));
	start(NULL);
	cr_assert_str_eq(ask("tcpsup 1 count_children tcp_server_app\n"),
	    "ok\ncount\t2\t2\t1\t1\nend\n");
	assert_mode(path, S_IFSOCK, 0600);
}

/* A second tcpsup on path must refuse to start, saying why. */
static void
assert_refused(const char *why)
{
	const char *args[] = { "--control", path, NULL };
	char expect[256];

	ts_spawn(&other, args);
	cr_assert(ts_wait_exit(&other, 10000), "the second tcpsup runs on");
	cr_assert(WIFEXITED(other.status), "status %#x", other.status);
	cr_assert_eq(WEXITSTATUS(other.status), EX_UNAVAILABLE, "%s", other.log);
	snprintf(expect, sizeof(expect), "=ERROR REPORT==== ");
	cr_assert(ts_find(&other, 0, expect) != NULL, "%s", other.log);
	snprintf(expect, sizeof(expect), "\n%d %s\n", (int)other.pid, why);
	cr_assert(ts_find(&other, 0, expect) != NULL, "%s", other.log);
	cr_assert(ts_find(&other, 0, "    exited: {shutdown,{control,") != NULL,
	    "%s", other.log);
}

Test(control, a_live_daemon_keeps_its_socket)
{
	char why[192], expect[32];

	start(NULL);
	snprintf(why, sizeof(why),
	    "control socket %s: another tcpsup is running there", path);
	assert_refused(why);
	/* The first one never noticed. */
	snprintf(expect, sizeof(expect), "ok\nstat\tpid\t%d\n", (int)ts.pid);
	cr_assert_eq(strncmp(ask("tcpsup 1 stats\n"), expect, strlen(expect)),
	    0, "%s", reply);
	assert_echoing();
	assert_mode(path, S_IFSOCK, 0600);
}

Test(control, an_open_directory_or_a_file_in_the_way_is_refused)
{
	char open_dir[96], why[256];

	snprintf(open_dir, sizeof(open_dir), "%s/open", dir);
	cr_assert_eq(mkdir(open_dir, 0755), 0);
	cr_assert_eq(chmod(open_dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/ctl.sock", open_dir);
	snprintf(why, sizeof(why), "control socket directory %s: mode 0755 "
	    "lets others in (make it 0700)", open_dir);
	assert_refused(why);
	cr_assert(!exists(path));
	ts_cleanup(&other);

	snprintf(path, sizeof(path), "%s/file", dir);
	fclose(fopen(path, "w"));
	snprintf(why, sizeof(why), "control socket %s: exists and is not a "
	    "socket", path);
	assert_refused(why);
}

/* --- what it answers ----------------------------------------------------- */

/* Split reply into lines, in place; returns how many. */
static size_t
lines(char *text, char **line, size_t max)
{
	size_t n = 0;

	for (char *p = text; *p != '\0' && n < max; n++) {
		char *nl = strchr(p, '\n');

		cr_assert_not_null(nl, "unterminated line: %s", p);
		*nl = '\0';
		line[n] = p;
		p = nl + 1;
	}
	return n;
}

/* The value of "stat\tKEY\tVALUE", which must be line i. */
static const char *
stat_at(char **line, size_t i, const char *key)
{
	size_t klen = strlen(key);

	cr_assert_eq(strncmp(line[i], "stat\t", 5), 0, "line %zu: %s", i, line[i]);
	cr_assert(strncmp(line[i] + 5, key, klen) == 0 && line[i][5 + klen] == '\t',
	    "line %zu is %s, expected stat %s", i, line[i], key);
	return line[i] + 5 + klen + 1;
}

static long long
number(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	cr_assert(*s != '\0' && *end == '\0', "not a number: %s", s);
	return v;
}

Test(control, stats_say_what_happened)
{
	const char *args[] = { "--report-dir", dir, NULL };
	char *line[64], listen[64], expect[128];
	pid_t client_sup, listener, worker;
	time_t before = time(NULL);
	size_t n, i = 0;
	int fds[3];
	bool killed_seen = false;

	start(args);
	for (int k = 0; k < 3; k++)
		cr_assert((fds[k] = ts_connect_echoed(&ts)) >= 0);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	/* A crash of each kind: a worker (reported) and the listener (restarted). */
	cr_assert((worker = ts_worker_of(&ts, client_sup, fds[2], 2000)) > 0);
	cr_assert_eq(kill(worker, SIGKILL), 0);
	snprintf(expect, sizeof(expect), "     Offender:   [{pid,%d}", (int)worker);
	cr_assert(ts_wait_log(&ts, 0, expect, 5000), "%s", ts.log);
	cr_assert_eq(kill(listener, SIGKILL), 0);
	cr_assert(ts_wait_child(&ts, ts.pid, "tcp_listener", listener, 5000) > 0);
	snprintf(expect, sizeof(expect), "child_terminated\n     Reason:     killed\n"
	    "     Offender:   [{pid,%d}", (int)listener);
	cr_assert(ts_wait_log(&ts, 0, expect, 5000), "%s", ts.log);

	n = lines((char *)ask("tcpsup 1 stats\n"), line, 64);
	cr_assert(n >= 13, "short reply");
	cr_assert_str_eq(line[i++], "ok");
	cr_assert_eq(number(stat_at(line, i++, "pid")), ts.pid);
	cr_assert_str_neq(stat_at(line, i++, "version"), "");
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", ts.port);
	cr_assert_str_eq(stat_at(line, i++, "listen"), listen);
	cr_assert_str_eq(stat_at(line, i++, "control"), path);
	cr_assert_str_eq(stat_at(line, i++, "report_dir"), dir);
	cr_assert(number(stat_at(line, i, "started")) >= before - 1 &&
	    number(stat_at(line, i, "started")) <= time(NULL));
	i++;
	cr_assert_eq(number(stat_at(line, i++, "accepted")), 3);
	cr_assert_geq(number(stat_at(line, i++, "forks")), 3);
	cr_assert_eq(number(stat_at(line, i++, "clients")), 2);
	cr_assert_eq(number(stat_at(line, i++, "restarts")), 1);
	cr_assert_geq(number(stat_at(line, i++, "reports")), 8);
	cr_assert_eq(number(stat_at(line, i++, "reports_dropped")), 0);
	/* Then the last reports, oldest first, and the end. */
	cr_assert_str_eq(line[n - 1], "end");
	cr_assert(n - 1 - i >= 5, "only %zu reports", n - 1 - i);
	for (long long last = 0; i < n - 1; i++) {
		char kind[16], text[200];
		long long t;
		int pid;

		cr_assert_eq(sscanf(line[i], "report\t%lld\t%15[a-z]\t%d\t%199[^\n]",
		    &t, kind, &pid, text), 4, "line %zu: %s", i, line[i]);
		cr_assert(t >= last && t >= before - 1 && t <= time(NULL));
		last = t;
		cr_assert(strcmp(kind, "supervisor") == 0 ||
		    strcmp(kind, "progress") == 0 || strcmp(kind, "info") == 0 ||
		    strcmp(kind, "error") == 0 || strcmp(kind, "warning") == 0,
		    "kind %s", kind);
		snprintf(expect, sizeof(expect), "tcp_server_app "
		    "child_terminated killed %d", (int)listener);
		if (strcmp(text, expect) == 0) {
			cr_assert_str_eq(kind, "supervisor");
			cr_assert_eq(pid, ts.pid);
			killed_seen = true;
		}
	}
	cr_assert(killed_seen, "no report of the listener's death");
	for (int k = 0; k < 3; k++)
		close(fds[k]);
}

Test(control, the_root_answers_for_its_own_children)
{
	pid_t listener, client_sup;
	char expect[256];

	start(NULL);
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	snprintf(expect, sizeof(expect), "ok\n"
	    "child\ttcp_client_sup\t%d\tsupervisor\t[]\n"
	    "child\ttcp_server_sup\t%d\tworker\t[tcp_listener]\n"
	    "end\n", (int)client_sup, (int)listener);
	cr_assert_str_eq(ask("tcpsup 1 which_children tcp_server_app\n"), expect);
	cr_assert_str_eq(ask("tcpsup 1 which_children nosuch\n"),
	    "error\tnoproc\nend\n");
}

/* count_children of tcp_client_sup, compared with what /proc shows. */
static void
assert_client_sup_answers(pid_t client_sup)
{
	pid_t workers[64];
	size_t n = ts_children(&ts, client_sup, "tcp_echo_fsm", workers, 64);
	char expect[128];

	snprintf(expect, sizeof(expect), "ok\ncount\t1\t%zu\t0\t%zu\nend\n", n, n);
	cr_assert_str_eq(ask("tcpsup 1 count_children tcp_client_sup\n"), expect);
}

Test(control, requests_reach_tcp_client_sup_across_its_restarts)
{
	const char *args[] = { "--spares", "2", NULL };
	pid_t client_sup, again, worker;
	char expect[64];
	int fd;

	start(args);
	fd = ts_connect_echoed(&ts);
	cr_assert(fd >= 0);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert((worker = ts_worker_of(&ts, client_sup, fd, 2000)) > 0);
	/* The spares refill after the connection took one: wait for both. */
	for (int64_t end = now_ms() + 5000;; poll(NULL, 0, 10)) {
		pid_t w[8];

		if (ts_children(&ts, client_sup, "tcp_echo_fsm", w, 8) == 3)
			break;
		cr_assert(now_ms() < end, "the spares were not refilled");
	}
	assert_client_sup_answers(client_sup);
	/* The serving worker is in WAIT_FOR_DATA, the spares wait for a socket. */
	snprintf(expect, sizeof(expect), "\t%d\tworker\ttemporary\t0\tWAIT_FOR_DATA\n",
	    (int)worker);
	cr_assert_not_null(strstr(ask("tcpsup 1 children tcp_client_sup\n"),
	    expect), "%s", reply);
	cr_assert_not_null(strstr(reply, "\tWAIT_FOR_SOCKET\n"), "%s", reply);
	close(fd);

	cr_assert_eq(kill(client_sup, SIGKILL), 0);
	again = ts_wait_child(&ts, ts.pid, "tcp_client_sup", client_sup, 5000);
	cr_assert(again > 0, "tcp_client_sup was not restarted");
	cr_assert_eq(strncmp(ask("tcpsup 1 count_children tcp_client_sup\n"),
	    "ok\ncount\t1\t", 11), 0, "%s", reply);
	assert_echoing();

	/* Terminated, it is no process to talk to; restarted, it is again. */
	cr_assert_str_eq(ask("tcpsup 1 terminate_child tcp_server_app "
	    "tcp_client_sup\n"), "ok\nend\n");
	cr_assert(ts_wait_gone(again, 5000));
	cr_assert_str_eq(ask("tcpsup 1 count_children tcp_client_sup\n"),
	    "error\tnoproc\nend\n");
	cr_assert_eq(strncmp(ask("tcpsup 1 restart_child tcp_server_app "
	    "tcp_client_sup\n"), "ok\npid\t", 7), 0, "%s", reply);
	cr_assert_eq(strncmp(ask("tcpsup 1 count_children tcp_client_sup\n"),
	    "ok\ncount\t1\t", 11), 0, "%s", reply);
}

Test(control, stop_stops_the_application_and_removes_the_socket)
{
	int fd;

	start(NULL);
	fd = ts_connect_echoed(&ts);
	cr_assert(fd >= 0);
	cr_assert_str_eq(ask("tcpsup 1 stop\n"), "ok\nend\n");
	cr_assert(ts_wait_exit(&ts, 10000), "still running after stop");
	cr_assert(WIFEXITED(ts.status), "status %#x", ts.status);
	cr_assert_eq(WEXITSTATUS(ts.status), 0);
	cr_assert(ts_find(&ts, 0, "    application: tcp_server\n"
	    "    exited: stopped\n") != NULL, "%s", ts.log);
	cr_assert_null(ts_find(&ts, 0, "child_terminated"), "%s", ts.log);
	cr_assert(!exists(path), "%s is left behind", path);
	cr_assert(ts_all_gone(&ts, 2000));
	cr_assert(ts_closed_by_peer(fd, 1000));
	close(fd);
}

/* --- what a bad client gets ---------------------------------------------- */

Test(control, bad_requests_get_badrequest_while_echo_goes_on)
{
	char big[300];

	start(NULL);
	cr_assert_str_eq(ask("hello\n"), "error\tbadrequest\nend\n");
	assert_echoing();
	cr_assert_str_eq(ask("tcpsup 2 stats\n"), "error\tbadrequest\nend\n");
	cr_assert_str_eq(ask("tcpsup 1 frobnicate tcp_server_app\n"),
	    "error\tbadrequest\nend\n");
	cr_assert_str_eq(ask("tcpsup 1 stats tcp_server_app\n"),
	    "error\tbadrequest\nend\n");
	cr_assert_geq(ts_ctl(path, "\0\1\2\n", 4, reply, sizeof(reply)), 0);
	cr_assert_str_eq(reply, "error\tbadrequest\nend\n");
	assert_echoing();
	/* 300 bytes: refused at the limit, whether or not a newline follows. */
	memset(big, 'a', sizeof(big));
	cr_assert_geq(ts_ctl(path, big, sizeof(big), reply, sizeof(reply)), 0);
	cr_assert_str_eq(reply, "error\tbadrequest\nend\n");
	memcpy(big, "tcpsup 1 stats ", 15);
	big[sizeof(big) - 1] = '\n';
	cr_assert_geq(ts_ctl(path, big, sizeof(big), reply, sizeof(reply)), 0);
	cr_assert_str_eq(reply, "error\tbadrequest\nend\n");
	assert_echoing();
	/* Still answering properly. */
	cr_assert_eq(strncmp(ask("tcpsup 1 stats\n"), "ok\n", 3), 0);
}

Test(control, a_request_cut_short_by_the_client_is_answered)
{
	int fd;

	start(NULL);
	fd = ts_ctl_connect(path);
	cr_assert(fd >= 0);
	cr_assert_eq(ts_write(fd, "tcpsup 1 sta", 12), 0);
	cr_assert_eq(shutdown(fd, SHUT_WR), 0);
	cr_assert(ts_ctl_read(fd, reply, sizeof(reply)) >= 0);
	cr_assert_str_eq(reply, "error\tbadrequest\nend\n");
	close(fd);
}

/* fd is closed by the daemon, without a word, 2 s after it connected. */
static void
assert_dropped_after_2s(int fd, int64_t connected)
{
	int64_t waited;

	cr_assert(ts_ctl_read(fd, reply, sizeof(reply)) >= 0, "not closed");
	waited = now_ms() - connected;
	cr_assert_str_eq(reply, "");
	cr_assert(waited >= 1800 && waited <= 4000, "closed after %lld ms",
	    (long long)waited);
	close(fd);
}

Test(control, silent_and_half_sent_requests_are_dropped_after_2s)
{
	pid_t listener;
	int64_t t0;
	int silent, half;

	start(NULL);
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	t0 = now_ms();
	cr_assert((silent = ts_ctl_connect(path)) >= 0);
	cr_assert((half = ts_ctl_connect(path)) >= 0);
	cr_assert_eq(ts_write(half, "tcpsup 1 which_chi", 18), 0);
	/* A child forked now must not hold them open past their deadline. */
	cr_assert_eq(kill(listener, SIGKILL), 0);
	cr_assert(ts_wait_child(&ts, ts.pid, "tcp_listener", listener, 1000) > 0);
	/* Meanwhile the tree serves, and so does the control socket. */
	for (int i = 0; i < 5; i++) {
		assert_echoing();
		cr_assert_eq(strncmp(ask("tcpsup 1 stats\n"), "ok\n", 3), 0);
		poll(NULL, 0, 200);
	}
	if (now_ms() - t0 >= 1800 && ts_wrapper() != NULL)
		cr_skip_test("valgrind too slow to time the deadline");
	cr_assert(now_ms() - t0 < 1800, "too slow to test the deadline");
	assert_dropped_after_2s(silent, t0);
	assert_dropped_after_2s(half, t0);
}

Test(control, more_than_16_clients_at_once_are_told_busy)
{
	struct pollfd pfd;
	int fds[20];
	int64_t t0;

	start(NULL);
	t0 = now_ms();
	for (int i = 0; i < 20; i++)
		cr_assert((fds[i] = ts_ctl_connect(path)) >= 0, "connect %d", i);
	/* The 16 first hold every slot; those after get busy at once. */
	for (int i = 16; i < 20; i++) {
		cr_assert(ts_ctl_read(fds[i], reply, sizeof(reply)) >= 0);
		cr_assert_str_eq(reply, "error\tbusy\nend\n", "client %d", i);
		close(fds[i]);
	}
	cr_assert(now_ms() - t0 < 1500, "too slow to test the limit");
	for (int i = 0; i < 16; i++) {
		pfd = (struct pollfd){ .fd = fds[i], .events = POLLIN };
		cr_assert_eq(poll(&pfd, 1, 0), 0, "client %d was answered", i);
	}
	assert_echoing();
	cr_assert_str_eq(ask("tcpsup 1 stats\n"), "error\tbusy\nend\n");
	assert_echoing();
	/* Their deadline frees the slots. */
	for (int i = 0; i < 16; i++)
		assert_dropped_after_2s(fds[i], t0);
	cr_assert_eq(strncmp(ask("tcpsup 1 stats\n"), "ok\n", 3), 0);
}

/* --- who may ask --------------------------------------------------------- */

/* The client another uid runs: n stats requests, the last reply printed. */
static int
ctl_client(const char *socket_path, int n)
{
	for (int i = 0; i < n; i++)
		if (ts_ctl(socket_path, "tcpsup 1 stats\n", 15, reply,
		    sizeof(reply)) < 0) {
			perror(socket_path);
			return 1;
		}
	fputs(reply, stdout);
	return 0;
}

static void
run_as_nobody(int n, char *out, size_t size)
{
	char self[PATH_MAX], cmd[PATH_MAX + 256];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int status;

	cr_assert(len > 0);
	self[len] = '\0';
	/* A clean environment: Criterion's own would make it a test worker. */
	snprintf(cmd, sizeof(cmd), "env -i setpriv --reuid=65534 --regid=65534 "
	    "--clear-groups '%s' --ctl-client '%s' %d 2>&1", self, path, n);
	status = ts_capture(cmd, out, size);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "%s: status %#x: %s", cmd, status, out);
}

Test(control, another_uid_is_refused_and_reported_once_a_second)
{
	char out[256], expect[256];
	size_t from;

	if (geteuid() != 0)
		cr_skip_test("needs root to run a client as nobody");
	start(NULL);
	/* Open the way in: only the credentials check is left to refuse. */
	cr_assert_eq(chmod(dir, 0711), 0);
	cr_assert_eq(chmod(path, 0666), 0);

	run_as_nobody(5, out, sizeof(out));
	cr_assert_str_eq(out, "error\teacces\nend\n");
	snprintf(expect, sizeof(expect), "=ERROR REPORT==== ");
	cr_assert(ts_wait_log(&ts, 0, expect, 5000), "%s", ts.log);
	snprintf(expect, sizeof(expect), "\n%d Control connection from uid "
	    "65534 refused: only tcpsup's own uid (0) and root may use it; 1 "
	    "refused since the last report.\n", (int)ts.pid);
	cr_assert(ts_wait_log(&ts, 0, expect, 5000), "%s", ts.log);
	from = ts.len;
	/* Five refusals well within a second: one report. */
	cr_assert(!ts_wait_log(&ts, from, "Control connection", 300), "%s",
	    ts.log);
	assert_echoing();
	/* A second later, the next one reports the four left unreported. */
	poll(NULL, 0, 1000);
	run_as_nobody(1, out, sizeof(out));
	cr_assert_str_eq(out, "error\teacces\nend\n");
	cr_assert(ts_wait_log(&ts, from, "Control connection from uid 65534 "
	    "refused: only tcpsup's own uid (0) and root may use it; 5 refused "
	    "since the last report.\n", 5000), "%s", ts.log);
	/* The owner still gets in. */
	cr_assert_eq(strncmp(ask("tcpsup 1 stats\n"), "ok\n", 3), 0);
}

int
main(int argc, char *argv[])
{
	struct criterion_test_set *tests;
	int result = 0;

	if (argc == 4 && strcmp(argv[1], "--ctl-client") == 0)
		return ctl_client(argv[2], atoi(argv[3]));
	tests = criterion_initialize();
	if (criterion_handle_args(argc, argv, true))
		result = !criterion_run_all_tests(tests);
	criterion_finalize(tests);
	return result;
}
