/*
 * test_ctl.c -- tcpsupctl against the real tcpsup: every supervisor call
 * on both supervisors, checked against what /proc shows of the tree; the
 * listener stopped and restarted while clients keep connecting; a worker
 * stopped by pid; the tutorial's session done with which_children and
 * kill -9; stop; and what a user gets with no daemon, a stopped daemon,
 * another uid, or bad usage.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "harness.h"

#define RUN_POLLS	2000	/* of 10 ms: a tcpsupctl gets 20 s at most */

static struct tcpsup ts;
static char dir[64], sock[128];
static pid_t prober_pid;

static void
setup(void)
{
	strcpy(dir, "/tmp/tcpsupctl-e2e-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/ctl.sock", dir);
}

static void
teardown(void)
{
	if (prober_pid > 0) {
		kill(prober_pid, SIGKILL);
		waitpid(prober_pid, NULL, 0);
		prober_pid = 0;
	}
	ts_cleanup(&ts);
	unlink(sock);
	rmdir(dir);
}

TestSuite(ctl, .init = setup, .fini = teardown, .timeout = 60);

/* A tree with one worker per connection, and its control socket. */
static void
start(void)
{
	const char *args[] = { "--spares", "0", "--control", sock, NULL };

	ts_start(&ts, args);
}

/* --- running tcpsupctl ------------------------------------------------ */

struct run {
	int	status;		/* exit status; -1 if it had to be killed */
	char	out[16384];
	char	err[4096];
	size_t	outlen, errlen;
};

static const char *
ctl_bin(void)
{
	const char *b = getenv("TCPSUPCTL_BIN");

	return b != NULL ? b : "build/src/tcpsupctl/tcpsupctl";
}

/* Read what is there from fd into buf; -1 at EOF. */
static int
drain(int fd, char *buf, size_t size, size_t *len)
{
	char scratch[4096];
	ssize_t n;

	if (*len + 1 < size)
		n = read(fd, buf + *len, size - *len - 1);
	else
		n = read(fd, scratch, sizeof(scratch));
	if (n <= 0)
		return n == 0 || errno != EINTR ? -1 : 0;
	if (*len + 1 < size) {
		*len += (size_t)n;
		buf[*len] = '\0';
	}
	return 0;
}

static void
run_argv(struct run *r, char *const *argv, const char *prefix)
{
	struct pollfd pfd[2];
	int out[2], err[2], status, open = 2, polls = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
	cr_assert_eq(pipe2(err, O_CLOEXEC), 0);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		if (prefix != NULL)
			execvp(prefix, argv);
		else
			execv(ctl_bin(), argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	pfd[0] = (struct pollfd){ .fd = out[0], .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = err[0], .events = POLLIN };
	while (open > 0 && polls++ < RUN_POLLS) {
		if (poll(pfd, 2, 10) <= 0)
			continue;
		if (pfd[0].revents != 0 && drain(out[0], r->out,
		    sizeof(r->out), &r->outlen) == -1) {
			pfd[0].fd = -1;
			open--;
		}
		if (pfd[1].revents != 0 && drain(err[0], r->err,
		    sizeof(r->err), &r->errlen) == -1) {
			pfd[1].fd = -1;
			open--;
		}
	}
	if (open > 0)
		kill(pid, SIGKILL);
	close(out[0]);
	close(err[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	r->status = open == 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Split a command line at spaces (no argument here holds one). */
static void
run_line(struct run *r, const char *prefix, const char *line)
{
	char copy[1024], *argv[32], *p = copy;
	size_t n = 0;

	snprintf(copy, sizeof(copy), "%s", line);
	argv[n++] = prefix != NULL ? (char *)prefix : "tcpsupctl";
	while ((argv[n] = strsep(&p, " ")) != NULL && n < 31)
		if (*argv[n] != '\0')
			n++;
	argv[n] = NULL;
	run_argv(r, argv, prefix);
}

/* tcpsupctl --control SOCK, then the rest. */
static int __attribute__((format(printf, 2, 3)))
ctl(struct run *r, const char *fmt, ...)
{
	char line[1024];
	int n;
	va_list ap;

	n = snprintf(line, sizeof(line), "--control %s ", sock);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	run_line(r, NULL, line);
	return r->status;
}

/* The call worked: status 0, nothing on stderr, stdout as expected. */
static void
assert_prints(struct run *r, const char *want)
{
	cr_assert_eq(r->status, 0, "status %d, stderr: %s", r->status,
	    r->err);
	cr_assert_str_eq(r->err, "");
	cr_assert_str_eq(r->out, want);
}

/* One line on stderr, starting "tcpsupctl: ", containing what. */
static void
assert_one_error_line(const struct run *r, const char *what)
{
	cr_assert(strncmp(r->err, "tcpsupctl: ", 11) == 0, "stderr: %s",
	    r->err);
	cr_assert(strchr(r->err, '\n') == r->err + strlen(r->err) - 1,
	    "not one line: %s", r->err);
	cr_assert(strstr(r->err, what) != NULL, "\"%s\" not in %s", what,
	    r->err);
}

/* --- the tree as /proc shows it ------------------------------------- */

static pid_t
listener(void)
{
	return ts_child(&ts, ts.pid, "tcp_listener");
}

static pid_t
client_sup(void)
{
	return ts_child(&ts, ts.pid, "tcp_client_sup");
}

static int
descending(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x < y) - (x > y);
}

/* tcp_client_sup's workers, newest (highest pid) first. */
static size_t
workers(pid_t *pids, size_t max)
{
	size_t n = ts_children(&ts, client_sup(), "tcp_echo_fsm", pids, max);

	qsort(pids, n, sizeof(*pids), descending);
	return n;
}

static char *
root_children(char *buf, size_t size)
{
	snprintf(buf, size, "[{tcp_client_sup,%d,supervisor,[]},\n"
	    " {tcp_server_sup,%d,worker,[tcp_listener]}]\n",
	    (int)client_sup(), (int)listener());
	return buf;
}

/* --- the supervisor calls ------------------------------------------- */

Test(ctl, which_children_of_the_root)
{
	struct run r;
	char want[256];

	start();
	ctl(&r, "which_children tcp_server_app");
	assert_prints(&r, root_children(want, sizeof(want)));
	ctl(&r, "--json which_children tcp_server_app");
	snprintf(want, sizeof(want), "[{\"id\":\"tcp_client_sup\",\"pid\":%d,"
	    "\"type\":\"supervisor\",\"modules\":[]},{\"id\":"
	    "\"tcp_server_sup\",\"pid\":%d,\"type\":\"worker\","
	    "\"modules\":[\"tcp_listener\"]}]\n", (int)client_sup(),
	    (int)listener());
	assert_prints(&r, want);
}

Test(ctl, which_children_of_the_client_supervisor)
{
	struct run r;
	char want[512];
	pid_t w[4];
	int fd[3];

	start();
	ctl(&r, "which_children tcp_client_sup");
	assert_prints(&r, "[]\n");

	fd[0] = ts_connect_echoed(&ts);
	cr_assert_geq(fd[0], 0);
	w[0] = ts_worker_of(&ts, client_sup(), fd[0], 5000);
	cr_assert_gt(w[0], 0);
	snprintf(want, sizeof(want), "[{undefined,%d,worker,[]}]\n",
	    (int)w[0]);
	ctl(&r, "which_children tcp_client_sup");
	assert_prints(&r, want);

	/* Three: too wide for a line, one per line, as the shell shows. */
	for (int i = 1; i < 3; i++)
		cr_assert_geq(fd[i] = ts_connect_echoed(&ts), 0);
	cr_assert_eq(workers(w, 4), 3);
	snprintf(want, sizeof(want), "[{undefined,%d,worker,[]},\n"
	    " {undefined,%d,worker,[]},\n"
	    " {undefined,%d,worker,[]}]\n", (int)w[0], (int)w[1], (int)w[2]);
	ctl(&r, "which_children tcp_client_sup");
	assert_prints(&r, want);
	for (int i = 0; i < 3; i++)
		close(fd[i]);
}

Test(ctl, count_children_of_both)
{
	struct run r;
	pid_t w[4];
	int fd[2];

	start();
	ctl(&r, "count_children tcp_server_app");
	assert_prints(&r, "[{specs,2},{active,2},"
	    "{supervisors,1},{workers,1}]\n");
	ctl(&r, "count_children tcp_client_sup");
	assert_prints(&r, "[{specs,1},{active,0},"
	    "{supervisors,0},{workers,0}]\n");
	for (int i = 0; i < 2; i++)
		cr_assert_geq(fd[i] = ts_connect_echoed(&ts), 0);
	cr_assert_eq(workers(w, 4), 2, "ps shows two workers");
	ctl(&r, "count_children tcp_client_sup");
	assert_prints(&r, "[{specs,1},{active,2},"
	    "{supervisors,0},{workers,2}]\n");
	ctl(&r, "--json count_children tcp_client_sup");
	assert_prints(&r, "{\"specs\":1,\"active\":2,\"supervisors\":0,"
	    "\"workers\":2}\n");
	for (int i = 0; i < 2; i++)
		close(fd[i]);
}

Test(ctl, get_childspec_of_the_root_children)
{
	struct run r;
	char want[512];

	start();
	ctl(&r, "get_childspec tcp_server_app tcp_server_sup");
	snprintf(want, sizeof(want), "{ok,#{id => tcp_server_sup,\n"
	    "      modules => [tcp_listener],\n"
	    "      restart => permanent,shutdown => 2000,"
	    "significant => false,\n"
	    "      start => {tcp_listener,start_link,[%d,tcp_echo_fsm]},\n"
	    "      type => worker}}\n", ts.port);
	assert_prints(&r, want);
	ctl(&r, "get_childspec tcp_server_app tcp_client_sup");
	assert_prints(&r,
	    "{ok,#{id => tcp_client_sup,modules => [],restart => permanent,\n"
	    "      shutdown => infinity,significant => false,\n"
	    "      start =>\n"
	    "          {supervisor,start_link,\n"
	    "                      [{local,tcp_client_sup},tcp_server_app,"
	    "[tcp_echo_fsm]]},\n"
	    "      type => supervisor}}\n");
	ctl(&r, "get_childspec tcp_server_app tcp_nobody");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "{error,not_found}\n");
	assert_one_error_line(&r, "tcp_server_app has no child tcp_nobody");
}

Test(ctl, error_replies)
{
	struct run r;

	start();
	ctl(&r, "which_children tcp_nobody_sup");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "{error,noproc}\n");
	assert_one_error_line(&r, "no supervisor named tcp_nobody_sup");

	ctl(&r, "restart_child tcp_server_app tcp_server_sup");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "{error,running}\n");
	ctl(&r, "delete_child tcp_server_app tcp_client_sup");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "{error,running}\n");
	ctl(&r, "restart_child tcp_client_sup 1");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "{error,simple_one_for_one}\n");
	ctl(&r, "--json terminate_child tcp_client_sup 1");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "{\"error\":\"not_found\"}\n");
	assert_one_error_line(&r, "tcp_client_sup has no child 1");
	/* The tree serves on. */
	cr_assert_geq(ts_connect_echoed(&ts), 0);
}

/* --- the listener stopped and started while clients connect --------- */

/*
 * A process that connects to the port every few milliseconds until told
 * to stop (its pipe closes), counting refusals; it writes the attempts
 * and the refusals to result.
 */
static void
prober_start(int port, int *stop_w, int *result_r)
{
	int stop[2], result[2];

	cr_assert_eq(pipe(stop), 0);
	cr_assert_eq(pipe(result), 0);
	cr_assert_neq(prober_pid = fork(), -1);
	if (prober_pid == 0) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)port),
		    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		struct pollfd pfd = { .fd = stop[0], .events = POLLIN };
		int counts[2] = { 0, 0 };

		close(stop[1]);
		while (counts[0] < 3000 && poll(&pfd, 1, 5) == 0) {
			int fd = socket(AF_INET, SOCK_STREAM, 0);

			counts[0]++;
			if (connect(fd, (struct sockaddr *)&sin,
			    sizeof(sin)) == -1 && errno == ECONNREFUSED)
				counts[1]++;
			close(fd);
		}
		_exit(write(result[1], counts, sizeof(counts)) ==
		    sizeof(counts) ? 0 : 1);
	}
	close(stop[0]);
	close(result[1]);
	*stop_w = stop[1];
	*result_r = result[0];
}

static void
prober_stop(int stop_w, int result_r, int counts[2])
{
	close(stop_w);
	cr_assert_eq(read(result_r, counts, 2 * sizeof(int)),
	    (ssize_t)(2 * sizeof(int)));
	close(result_r);
	cr_assert_eq(waitpid(prober_pid, NULL, 0), prober_pid);
	prober_pid = 0;
}

Test(ctl, listener_terminated_and_restarted_refuses_no_connection)
{
	struct run r;
	char want[256];
	int stop_w, result_r, counts[2], held;
	pid_t old, new;
	size_t mark;

	start();
	old = listener();
	prober_start(ts.port, &stop_w, &result_r);

	mark = ts.len;
	ctl(&r, "terminate_child tcp_server_app tcp_server_sup");
	assert_prints(&r, "ok\n");
	cr_assert(ts_wait_gone(old, 1000), "the listener still runs");
	cr_assert_eq(listener(), 0, "a listener is back without restart_child");
	ctl(&r, "which_children tcp_server_app");
	snprintf(want, sizeof(want), "[{tcp_client_sup,%d,supervisor,[]},\n"
	    " {tcp_server_sup,undefined,worker,[tcp_listener]}]\n",
	    (int)client_sup());
	assert_prints(&r, want);
	ctl(&r, "count_children tcp_server_app");
	assert_prints(&r, "[{specs,2},{active,1},"
	    "{supervisors,1},{workers,1}]\n");
	/* A client arriving meanwhile waits in the backlog. */
	cr_assert_geq(held = ts_connect(&ts), 0, "refused while stopped");
	poll(NULL, 0, 200);

	ctl(&r, "restart_child tcp_server_app tcp_server_sup");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(sscanf(r.out, "{ok,%d}\n", &new), 1, "%s", r.out);
	/* Forked when restart_child replies; titled once it runs. */
	cr_assert_eq(new, ts_wait_child(&ts, ts.pid, "tcp_listener", 0, 1000),
	    "restart_child's pid is not ps's");
	snprintf(want, sizeof(want), "{pid,%d},\n", (int)new);
	cr_assert(ts_wait_log(&ts, mark, want, 2000),
	    "no PROGRESS REPORT for the new listener:\n%s", ts.log + mark);
	cr_assert_null(ts_find(&ts, mark, "child_terminated"),
	    "a terminated child was reported:\n%s", ts.log + mark);
	poll(NULL, 0, 100);
	prober_stop(stop_w, result_r, counts);
	cr_assert_gt(counts[0], 20, "only %d attempts", counts[0]);
	cr_assert_eq(counts[1], 0, "%d of %d connections refused", counts[1],
	    counts[0]);

	/* The one that waited is served by the new listener's hand-off. */
	cr_assert_eq(ts_send_frame(held, "late", 4), 0);
	cr_assert_eq(ts_recv_frame(held, want, sizeof(want)), 4);
	close(held);
	ctl(&r, "which_children tcp_server_app");
	assert_prints(&r, root_children(want, sizeof(want)));
}

Test(ctl, deleted_child_cannot_be_restarted)
{
	struct run r;

	start();
	ctl(&r, "terminate_child tcp_server_app tcp_server_sup");
	assert_prints(&r, "ok\n");
	ctl(&r, "delete_child tcp_server_app tcp_server_sup");
	assert_prints(&r, "ok\n");
	ctl(&r, "restart_child tcp_server_app tcp_server_sup");
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "{error,not_found}\n");
	assert_one_error_line(&r, "has no child tcp_server_sup");
	ctl(&r, "count_children tcp_server_app");
	assert_prints(&r, "[{specs,1},{active,1},"
	    "{supervisors,1},{workers,0}]\n");
	cr_assert_eq(listener(), 0);
}

/* --- workers --------------------------------------------------------- */

Test(ctl, worker_terminated_by_pid)
{
	struct run r;
	size_t mark;
	pid_t w;
	int fd;

	start();
	cr_assert_geq(fd = ts_connect_echoed(&ts), 0);
	cr_assert_gt(w = ts_worker_of(&ts, client_sup(), fd, 5000), 0);
	mark = ts.len;
	ctl(&r, "terminate_child tcp_client_sup %d", (int)w);
	assert_prints(&r, "ok\n");
	cr_assert(ts_closed_by_peer(fd, 3000), "the client was not closed");
	cr_assert(ts_wait_gone(w, 1000));
	/* A temporary child stopped with reason shutdown is not reported. */
	cr_assert_not(ts_wait_log(&ts, mark, "child_terminated", 300),
	    "reported:\n%s", ts.log + mark);
	ctl(&r, "which_children tcp_client_sup");
	assert_prints(&r, "[]\n");
	ctl(&r, "terminate_child tcp_client_sup %d", (int)w);
	cr_assert_eq(r.status, 1);
	cr_assert_str_eq(r.out, "{error,not_found}\n");
	close(fd);
}

/* The tutorial's session, with which_children from tcpsupctl. */
Test(ctl, seed_session_with_which_children_and_kill)
{
	struct run r;
	char buf[16], expect[512];
	size_t mark;
	int fd, pid;

	start();
	cr_assert_geq(fd = ts_connect(&ts), 0);
	cr_assert_eq(ts_send_frame(fd, "hello", 5), 0);
	cr_assert_eq(ts_recv_frame(fd, buf, sizeof(buf)), 5);

	/* [{_,Pid,_,_}] = supervisor:which_children(tcp_client_sup). */
	ctl(&r, "which_children tcp_client_sup");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_eq(sscanf(r.out, "[{undefined,%d,worker,[]}]\n", &pid), 1,
	    "%s", r.out);
	cr_assert_eq(pid, ts_worker_of(&ts, client_sup(), fd, 1000));

	/* exit(Pid,kill). */
	mark = ts.len;
	cr_assert_eq(kill(pid, SIGKILL), 0);
	snprintf(expect, sizeof(expect),
	    "     Supervisor: {local,tcp_client_sup}\n"
	    "     Context:    child_terminated\n"
	    "     Reason:     killed\n"
	    "     Offender:   [{pid,%d},\n", pid);
	cr_assert(ts_wait_log(&ts, mark, expect, 5000), "no report:\n%s",
	    ts.log + mark);
	cr_assert(ts_closed_by_peer(fd, 3000));
	close(fd);
	ctl(&r, "which_children tcp_client_sup");
	assert_prints(&r, "[]\n");
}

/* --- stop ------------------------------------------------------------- */

Test(ctl, stop_returns_once_the_daemon_is_gone)
{
	struct run r;
	int fd;

	start();
	cr_assert_geq(fd = ts_connect_echoed(&ts), 0);
	ctl(&r, "stop");
	assert_prints(&r, "ok\n");
	/* Gone already: only our wait for it was missing. */
	cr_assert(ts_wait_exit(&ts, 200), "tcpsup still runs");
	cr_assert(WIFEXITED(ts.status) && WEXITSTATUS(ts.status) == 0,
	    "tcpsup ended with status %#x", ts.status);
	cr_assert(ts_all_gone(&ts, 1000), "some of the tree outlived it");
	cr_assert(ts_closed_by_peer(fd, 1000));
	close(fd);
	ctl(&r, "stop");
	cr_assert_eq(r.status, EX_UNAVAILABLE);
}

/* --- when it cannot work ------------------------------------------- */

/* What a daemon that died leaves: a socket file nobody listens on. */
static void
dead_socket(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	strcpy(sun.sun_path, sock);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	close(fd);
}

Test(ctl, no_daemon)
{
	struct run r;

	ctl(&r, "which_children tcp_client_sup");
	cr_assert_eq(r.status, EX_UNAVAILABLE);
	cr_assert_str_eq(r.out, "");
	assert_one_error_line(&r, sock);
	assert_one_error_line(&r, "No such file or directory");

	dead_socket();
	ctl(&r, "count_children tcp_server_app");
	cr_assert_eq(r.status, EX_UNAVAILABLE);
	assert_one_error_line(&r, "Connection refused");
}

Test(ctl, stopped_daemon_times_out)
{
	struct run r;

	start();
	cr_assert(ts_stop_process(ts.pid, 2000));
	ctl(&r, "-t 300 which_children tcp_client_sup");
	cr_assert_eq(r.status, EX_UNAVAILABLE);
	assert_one_error_line(&r, "no answer from");
	assert_one_error_line(&r, "within 300 ms");
	kill(ts.pid, SIGCONT);
}

Test(ctl, another_uid_is_refused)
{
	struct run r;
	char line[512];

	if (geteuid() != 0)
		cr_skip_test("needs root to run tcpsupctl as nobody");
	start();
	snprintf(line, sizeof(line), "--reuid=nobody --regid=nogroup "
	    "--clear-groups %s --control %s which_children tcp_client_sup",
	    ctl_bin(), sock);
	run_line(&r, "setpriv", line);
	cr_assert_eq(r.status, EX_NOPERM, "status %d: %s", r.status, r.err);
	cr_assert_str_eq(r.out, "");
	assert_one_error_line(&r, sock);
}

Test(ctl, bad_usage)
{
	static const char *const cases[][2] = {
		{ "", "no command" },
		{ "frobnicate", "unknown command frobnicate" },
		{ "which_children", "which_children takes SUP" },
		{ "which_children a b", "which_children takes SUP" },
		{ "terminate_child tcp_client_sup", "takes SUP ID" },
		{ "stop now", "stop takes no arguments" },
		{ "which_children tcp/client_sup", "a name is at most" },
		{ "-p 2222 which_children tcp_client_sup", "give one" },
		{ "-t -5 stop", "timeout -5 ms is too small" },
		{ "--bogus stop", "unknown option --bogus" },
	};
	struct run r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctl(&r, "%s", cases[i][0]);
		cr_assert_eq(r.status, EX_USAGE, "%s: status %d", cases[i][0],
		    r.status);
		cr_assert_str_eq(r.out, "");
		cr_assert(strncmp(r.err, "tcpsupctl: ", 11) == 0, "%s", r.err);
		cr_assert(strstr(r.err, cases[i][1]) != NULL, "%s: %s",
		    cases[i][0], r.err);
		cr_assert(strstr(r.err, "\nusage: tcpsupctl") != NULL,
		    "no usage: %s", r.err);
	}
}

Test(ctl, help_and_version)
{
	struct run r;

	run_line(&r, NULL, "--help");
	cr_assert_eq(r.status, 0);
	cr_assert(strncmp(r.out, "tcpsupctl: look inside and steer a running "
	    "tcpsup", 48) == 0, "%s", r.out);
	cr_assert(strstr(r.out, "which_children SUP") != NULL);
	run_line(&r, NULL, "-V");
	cr_assert_eq(r.status, 0);
	cr_assert(strncmp(r.out, "tcpsupctl ", 10) == 0, "%s", r.out);
}
