/*
 * test_exec.c -- --exec: a program per connection, run by the real binary
 * over loopback. The program (exec_probe) sees its arguments and exactly
 * the UCSPI environment byte for byte, the socket on 0 and 1 and nothing
 * beyond 2; its stderr lines are reports tagged with its pid, rate-limited;
 * its exit statuses, signals and core dumps are reported as an echo
 * worker's are; a missing program and one that fails at once are throttled
 * under a connect flood (forks counted), reported once, while a connected
 * client goes on being served; limits, --chdir and --max-connection-time
 * apply; terminate_child, kill -9 and tcpsupctl tree work on programs.
 */
#include <criterion/criterion.h>

#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;
static char dir[64];

static void
teardown(void)
{
	ts_cleanup(&ts);
	if (dir[0] != '\0')
		ts_remove_tree(dir);
	dir[0] = '\0';
}

TestSuite(exec, .fini = teardown, .timeout = 90);

static const char *
probe(void)
{
	const char *p = getenv("EXEC_PROBE");

	cr_assert_not_null(p, "EXEC_PROBE is not set");
	return p;
}

static void
make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tcpsup-exec-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static int
connected(void)
{
	int fd = ts_connect(&ts);

	cr_assert(fd >= 0, "connect: %m");
	return fd;
}

/* What the program wrote until "end\n" or EOF, NUL-terminated. */
static size_t
read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	int64_t deadline = ts_now_ms() + 5000;

	while (len + 1 < size && ts_now_ms() < deadline) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (len >= 4 && strcmp(buf + len - 4, "end\n") == 0)
			break;
	}
	buf[len] = '\0';
	return len;
}

static void
hex(const char *s, char *out)
{
	for (; *s != '\0'; s++, out += 2)
		sprintf(out, "%02x", (unsigned char)*s);
	*out = '\0';
}

/* Is "tag <hex of value>" a line of what the program said? */
static bool
said(const char *reply, const char *tag, const char *value)
{
	char line[2048];

	cr_assert_lt(strlen(value), 900);
	snprintf(line, sizeof(line), "\n%s ", tag);
	hex(value, line + strlen(line));
	strcat(line, "\n");
	return strstr(reply, line) != NULL;
}

/* The one program client_sup runs now. */
static pid_t
program(void)
{
	pid_t client_sup = ts_child(&ts, ts.pid, "tcp_client_sup"), pid;

	cr_assert(client_sup > 0);
	for (int64_t end = ts_now_ms() + 5000; ts_now_ms() < end;
	    poll(NULL, 0, 10))
		if (ts_children(&ts, client_sup, NULL, &pid, 1) == 1)
			return pid;
	cr_assert_fail("no program runs");
	return 0;
}

/* Wait for "ready\n": the program runs and serves. */
static void
ready(int fd)
{
	char buf[7];

	cr_assert_eq(ts_read_exact(fd, buf, 6), 6, "no ready");
	buf[6] = '\0';
	cr_assert_str_eq(buf, "ready\n");
}

static bool
echoes(int fd)
{
	char buf[6];

	return ts_write(fd, "ping!\n", 6) == 0 &&
	    ts_read_exact(fd, buf, 6) == 6 && memcmp(buf, "ping!\n", 6) == 0;
}

Test(exec, argv_env_and_descriptors_exactly)
{
	const char *args[] = { "--env", "SPACED=a b  c", "--env", "EMPTY=",
	    "--env", "QUOTES='\"\\", "--exec", probe(), "dump", "two words",
	    "", "'single'", "\"double\"", "\xff\xfe\x80 not utf-8", "--",
	    "-p", NULL };
	char reply[16384], line[128];
	int fd, nfd = 0;

	ts_start(&ts, args);
	fd = connected();
	read_all(fd, reply, sizeof(reply));
	cr_assert(strstr(reply, "argc 9\n") == reply, "%s", reply);
	for (int i = 8; args[i] != NULL; i++)
		cr_assert(said(reply, "arg", args[i]), "argument %d: %s", i - 7,
		    reply);
	cr_assert(said(reply, "arg", probe()));
	/* Exactly these, in this order, and nothing else. */
	cr_assert_eq(ts_strcount(reply, "\nenv "), 8, "%s", reply);
	cr_assert(said(reply, "env", "SPACED=a b  c"));
	cr_assert(said(reply, "env", "EMPTY="));
	cr_assert(said(reply, "env", "QUOTES='\"\\"));
	cr_assert(said(reply, "env", "PROTO=TCP"));
	cr_assert(said(reply, "env", "TCPLOCALIP=127.0.0.1"));
	snprintf(line, sizeof(line), "TCPLOCALPORT=%d", ts.port);
	cr_assert(said(reply, "env", line));
	cr_assert(said(reply, "env", "TCPREMOTEIP=127.0.0.1"));
	snprintf(line, sizeof(line), "TCPREMOTEPORT=%d", ts_local_port(fd));
	cr_assert(said(reply, "env", line));
	/* 0 and 1 the socket, 2 the pipe to tcp_client_sup, nothing more. */
	cr_assert(strstr(reply, "\nfd 0 socket\n") != NULL, "%s", reply);
	cr_assert(strstr(reply, "\nfd 1 socket\n") != NULL, "%s", reply);
	cr_assert(strstr(reply, "\nfd 2 pipe\n") != NULL, "%s", reply);
	for (const char *p = reply; (p = strstr(p, "\nfd ")) != NULL; p++)
		nfd++;
	cr_assert_eq(nfd, 3, "%s", reply);
	close(fd);
	/* It exited 0: normal, and a temporary child's normal exit is silent. */
	cr_assert(!ts_wait_log(&ts, 0, "child_terminated", 500), "%s", ts.log);
}

Test(exec, keep_env_passes_tcpsups_own)
{
	const char *args[] = { "--keep-env", "--env", "TCPSUP_E2E=new",
	    "--exec", probe(), "dump", NULL };
	char reply[65536];
	int fd;

	setenv("TCPSUP_E2E_KEPT", "kept value", 1);
	setenv("TCPSUP_E2E", "old", 1);
	setenv("TCPREMOTEHOST", "stale.example", 1);
	ts_start(&ts, args);
	unsetenv("TCPSUP_E2E_KEPT");
	unsetenv("TCPSUP_E2E");
	unsetenv("TCPREMOTEHOST");
	fd = connected();
	read_all(fd, reply, sizeof(reply));
	cr_assert(said(reply, "env", "TCPSUP_E2E_KEPT=kept value"), "%s", reply);
	cr_assert(said(reply, "env", "TCPSUP_E2E=new"));
	cr_assert(!said(reply, "env", "TCPSUP_E2E=old"));
	cr_assert(!said(reply, "env", "TCPREMOTEHOST=stale.example"));
	close(fd);
}

Test(exec, stderr_lines_reported_with_the_pid_and_rate_limited)
{
	const char *args[] = { "--exec", probe(), "stderr", "30", NULL };
	char expect[160], reply[64];
	int fd;
	pid_t pid;

	ts_start(&ts, args);
	fd = connected();
	cr_assert_eq(ts_read_exact(fd, reply, 5), 5);
	close(fd);
	/* Its pid: the one its exit would be reported with. */
	cr_assert(ts_wait_log(&ts, 0, "more lines on stderr dropped", 5000),
	    "%s", ts.log);
	cr_assert_not_null(strstr(ts.log, "line 1 of \\x1b[31mred\\x1b[0m"),
	    "%s", ts.log);
	pid = atoi(strstr(ts.log, "line 1 of") - 8 + strspn(strstr(ts.log,
	    "line 1 of") - 8, "\n="));
	for (int i = 1; i <= 20; i++) {
		snprintf(expect, sizeof(expect), "\n%d line %d of \\x1b[31mred"
		    "\\x1b[0m\n", (int)pid, i);
		cr_assert_not_null(strstr(ts.log, expect), "%s in %s", expect,
		    ts.log);
	}
	cr_assert_null(strstr(ts.log, "line 21 of"), "%s", ts.log);
	snprintf(expect, sizeof(expect), "\n%d (11 more lines on stderr"
	    " dropped: over 20 a second)\n", (int)pid);
	cr_assert_not_null(strstr(ts.log, expect), "%s", ts.log);
	snprintf(expect, sizeof(expect), "\n%d ", (int)pid);
	cr_assert_eq(ts_strcount(ts.log, expect), 20 + 1, "%s", ts.log);
}

Test(exec, last_stderr_line_before_the_exit_report)
{
	const char *args[] = { "--exec", "/bin/sh", "-c",
	    "echo going >&2; printf 'last words' >&2; exit 3", NULL };
	const char *words, *report;
	int fd;

	ts_start(&ts, args);
	fd = connected();
	cr_assert(ts_closed_by_peer(fd, 5000));
	close(fd);
	cr_assert(ts_wait_log(&ts, 0, "{exit_status,3}", 5000), "%s", ts.log);
	words = strstr(ts.log, " last words\n");
	report = strstr(ts.log, "Reason:     {exit_status,3}");
	cr_assert(words != NULL && strstr(ts.log, " going\n") < words &&
	    words < report, "%s", ts.log);
	cr_assert_not_null(strstr(report, "{mfa,{tcpsup_exec,start_link,"
	    "[\"/bin/sh\"]}}"), "%s", ts.log);
}

/* The reason the program's exit was reported with, for mode. */
static void
assert_exit_reported(const char *mode, const char *core, const char *reason)
{
	const char *args[] = { "--rlimit", core, "--chdir", dir,
	    "--exec", probe(), mode, "7", NULL };
	char expect[256];
	const char *at;
	int fd;

	ts_start(&ts, args);
	fd = connected();
	cr_assert(ts_closed_by_peer(fd, 5000));
	close(fd);
	snprintf(expect, sizeof(expect), "     Context:    child_terminated\n"
	    "     Reason:     %s\n     Offender:   [{pid,", reason);
	cr_assert(ts_wait_log(&ts, 0, expect, 5000), "%s\nin\n%s", expect,
	    ts.log);
	/* The pid a program had: a number, then the program's mfa. */
	at = strstr(ts.log, expect) + strlen(expect);
	at += strspn(at, "0123456789");
	snprintf(expect, sizeof(expect), "},\n                  {name,undefined},"
	    "\n                  {mfa,{tcpsup_exec,start_link,[\"%s\"]}},\n",
	    probe());
	cr_assert(strncmp(at, expect, strlen(expect)) == 0, "%s", ts.log);
	ts_cleanup(&ts);
}

Test(exec, exit_statuses_signals_and_core_dumps)
{
	make_dir();
	assert_exit_reported("exit", "core=0", "{exit_status,7}");
	assert_exit_reported("segv", "core=0", "{signal,'SIGSEGV'}");
	assert_exit_reported("abort", "core=unlimited",
	    "{signal,'SIGABRT',core_dumped}");
}

Test(exec, kill_9_and_terminate_child_as_for_echo)
{
	const char *args[] = { "--exec", probe(), "serve", NULL };
	char path[256], request[96], reply[256], expect[160];
	int fd;
	pid_t pid;

	ts_start(&ts, args);
	fd = connected();
	ready(fd);
	cr_assert(echoes(fd));
	pid = program();
	cr_assert_eq(kill(pid, SIGKILL), 0);
	cr_assert(ts_closed_by_peer(fd, 5000));
	close(fd);
	snprintf(expect, sizeof(expect), "Reason:     killed\n"
	    "     Offender:   [{pid,%d},", (int)pid);
	cr_assert(ts_wait_log(&ts, 0, expect, 5000), "%s", ts.log);

	/* terminate_child: SIGTERM, a clean shutdown, not reported. */
	fd = connected();
	ready(fd);
	pid = program();
	cr_assert(ts_ctl_path(&ts, path, sizeof(path)));
	snprintf(request, sizeof(request),
	    "tcpsup 1 terminate_child tcp_client_sup %d\n", (int)pid);
	cr_assert(ts_ctl(path, request, strlen(request), reply,
	    sizeof(reply)) > 0);
	cr_assert_str_eq(reply, "ok\nend\n");
	cr_assert(ts_closed_by_peer(fd, 5000));
	cr_assert(ts_wait_gone(pid, 2000));
	close(fd);
	cr_assert_eq(ts_strcount(ts.log, "child_terminated"), 1, "%s", ts.log);
}

Test(exec, tree_shows_the_program)
{
	const char *args[] = { "--exec", probe(), "serve", "arg", NULL };
	const char *bin = getenv("TCPSUPCTL_BIN");
	char path[256], cmd[512], out[4096], expect[128];
	int fd;

	cr_assert_not_null(bin);
	ts_start(&ts, args);
	fd = connected();
	ready(fd);
	cr_assert(ts_ctl_path(&ts, path, sizeof(path)));
	snprintf(cmd, sizeof(cmd), "%s --control %s tree", bin, path);
	cr_assert_eq(ts_capture(cmd, out, sizeof(out)), 0, "%s", out);
	snprintf(expect, sizeof(expect), "%d    └─ %s serve arg", (int)program(),
	    probe());
	cr_assert_not_null(strstr(out, expect), "%s in\n%s", expect, out);
	cr_assert_not_null(strstr(out, "RUNNING"), "%s", out);
	snprintf(expect, sizeof(expect), "127.0.0.1:%d", ts_local_port(fd));
	cr_assert_not_null(strstr(out, expect), "the peer: %s", out);
	close(fd);
}

Test(exec, rlimits_and_chdir_apply)
{
	const char *args[] = { "--rlimit", "as=1G", "--rlimit", "cpu=7",
	    "--rlimit", "nofile=33", "--rlimit", "nproc=1000",
	    "--rlimit", "core=0", "--chdir", "/tmp", "--exec", probe(),
	    "limits", NULL };
	char reply[1024];
	int fd;

	if (ts_wrapper() != NULL)
		cr_skip_test("valgrind keeps descriptors of its own below"
		    " the limit");

	ts_start(&ts, args);
	fd = connected();
	read_all(fd, reply, sizeof(reply));
	cr_assert_str_eq(reply, "as 1073741824\ncpu 7\nnofile 33\n"
	    "nproc 1000\ncore 0\ncwd /tmp\nend\n");
	close(fd);
}

/* A start that fails before execve: a start_error naming the step. */
static void
assert_start_error(const char *const *args, const char *reason)
{
	char expect[160];
	int fd;

	ts_start(&ts, args);
	fd = connected();
	cr_assert(ts_closed_by_peer(fd, 5000));
	close(fd);
	snprintf(expect, sizeof(expect), "Context:    start_error\n"
	    "     Reason:     %s\n     Offender:   [{pid,undefined},", reason);
	cr_assert(ts_wait_log(&ts, 0, expect, 5000), "%s", ts.log);
	ts_cleanup(&ts);
}

Test(exec, chdir_and_rlimit_failures_are_start_errors)
{
	const char *nodir[] = { "--chdir", "/nonexistent-tcpsup", "--exec",
	    probe(), "serve", NULL };
	/* Over the hard limit: only a privileged process may raise it. */
	const char *raise[] = { "--rlimit", "nofile=unlimited", "--exec",
	    probe(), "serve", NULL };

	assert_start_error(nodir, "{chdir,ENOENT}");
	assert_start_error(raise, "{setrlimit,nofile,EPERM}");
}

Test(exec, connection_time_limit_then_the_shutdown_spec)
{
	const char *args[] = { "--max-connection-time", "1",
	    "--shutdown-timeout", "300", "--exec", probe(), "serve", NULL };
	const char *stubborn[] = { "--max-connection-time", "1",
	    "--shutdown-timeout", "300", "--exec", probe(), "stubborn", NULL };
	int64_t t0;
	char expect[160];
	int fd;
	pid_t pid;

	ts_start(&ts, args);
	fd = connected();
	t0 = ts_now_ms();
	ready(fd);
	pid = program();
	cr_assert(echoes(fd));
	cr_assert(ts_closed_by_peer(fd, 5000));
	cr_assert_geq(ts_now_ms() - t0, 900);
	close(fd);
	snprintf(expect, sizeof(expect), "served by %d for 1 s"
	    " (--max-connection-time) - stopping it.", (int)pid);
	cr_assert(ts_wait_log(&ts, 0, expect, 2000), "%s", ts.log);
	cr_assert(ts_wait_gone(pid, 2000));
	/* SIGTERM obeyed: a clean shutdown, not reported. */
	cr_assert(!ts_wait_log(&ts, 0, "child_terminated", 300), "%s", ts.log);
	ts_cleanup(&ts);

	/* Ignored: SIGKILL after the shutdown timeout, and reported. */
	ts_start(&ts, stubborn);
	fd = connected();
	ready(fd);
	pid = program();
	cr_assert(ts_closed_by_peer(fd, 5000));
	close(fd);
	snprintf(expect, sizeof(expect), "Reason:     killed\n"
	    "     Offender:   [{pid,%d},", (int)pid);
	cr_assert(ts_wait_log(&ts, 0, expect, 3000), "%s", ts.log);
}

/* The tree's fork counter, from the control socket's stats. */
static long
forks(void)
{
	char path[256], reply[8192];
	const char *p;

	cr_assert(ts_ctl_path(&ts, path, sizeof(path)));
	cr_assert(ts_ctl(path, "tcpsup 1 stats\n", 15, reply, sizeof(reply)) > 0);
	cr_assert_not_null(p = strstr(reply, "\tforks\t"), "%s", reply);
	return atol(p + 7);
}

#define FLOOD_BURSTS	20
#define FLOOD_BURST	10
#define FLOOD		(FLOOD_BURSTS * FLOOD_BURST)

/*
 * A connect flood over two seconds: bursts of FLOOD_BURST connections
 * every 100 ms, left open, checking between bursts that the client
 * served goes on being served.
 */
static void
flood(int *fds, int served)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)ts.port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	for (int i = 0; i < FLOOD; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		cr_assert(fds[i] >= 0);
		if (connect(fds[i], (struct sockaddr *)&sin, sizeof(sin)) == -1)
			cr_assert_eq(errno, EINPROGRESS, "connect: %m");
		if (i % FLOOD_BURST == FLOOD_BURST - 1) {
			cr_assert(echoes(served), "the client served is not");
			poll(NULL, 0, 100);
		}
	}
}

/*
 * A program that cannot start (gone, or failing at once) under a flood of
 * 200 connections: forks stay bounded, one report says so, the client
 * already served goes on, and once the program is back the probe lets
 * everyone in again.
 */
static void
assert_throttled(const char *marker, bool missing)
{
	char prog[128], expect[128];
	int fds[FLOOD], served, fd;
	long before, during;

	snprintf(prog, sizeof(prog), "%s/prog", dir);
	cr_assert_eq(symlink(probe(), prog), 0, "%m");
	{
		const char *args[] = { "--exec-throttle", "5/1", "--exec", prog,
		    "flaky", marker, NULL };

		ts_start(&ts, args);
	}
	served = connected();
	ready(served);
	/* Now it cannot start. */
	if (missing)
		cr_assert_eq(unlink(prog), 0);
	else if ((fd = open(marker, O_CREAT | O_WRONLY, 0600)) >= 0)
		close(fd);
	cr_assert(missing || access(marker, F_OK) == 0);
	before = forks();
	flood(fds, served);
	cr_assert(ts_wait_log(&ts, 0, "(--exec-throttle 5/1) - new connections"
	    " wait", 5000), "%s", ts.log);
	during = forks() - before;
	/*
	 * 6 failures close the gate, within the first burst or two (a
	 * failure is known when it is reaped); then a probe a second. Under
	 * valgrind, a failure is known bursts later: no bound there.
	 */
	cr_assert(ts_wrapper() != NULL || during <= 2 * FLOOD_BURST + 3,
	    "%ld forks for %d connections", during, FLOOD);
	cr_assert_geq(during, 6);
	cr_assert_eq(ts_strcount(ts.log, "--exec-throttle"), 1, "%s", ts.log);
	if (missing)
		cr_assert_eq(ts_strcount(ts.log, "start_error"), 1, "%s",
		    ts.log);
	snprintf(expect, sizeof(expect), "{execve,ENOENT}");
	cr_assert_eq(strstr(ts.log, expect) != NULL, missing, "%s", ts.log);
	/* Back: the next probe opens the gate, and the flood is served. */
	if (missing)
		cr_assert_eq(symlink(probe(), prog), 0);
	else
		cr_assert_eq(unlink(marker), 0);
	cr_assert(ts_wait_log(&ts, 0, "taking connections again", 5000), "%s",
	    ts.log);
	fd = connected();
	ready(fd);
	cr_assert(echoes(fd));
	close(fd);
	for (int i = 0; i < FLOOD; i++)
		close(fds[i]);
	close(served);
}

Test(exec, missing_program_throttled_and_reported_once)
{
	make_dir();
	assert_throttled("/nonexistent", true);
}

Test(exec, failing_program_throttled_under_a_flood)
{
	char marker[96];

	/* The missing program's flood is enough for memcheck; two overrun. */
	if (ts_wrapper() != NULL)
		cr_skip_test("under valgrind a second flood outlasts the"
		    " suite's timeout");
	make_dir();
	snprintf(marker, sizeof(marker), "%s/fail", dir);
	assert_throttled(marker, false);
}

Test(exec, spares_wait_titled_then_become_the_program)
{
	const char *args[] = { "--spares", "2", "--exec", probe(), "serve",
	    NULL };
	pid_t client_sup, spares[4], all[8];
	char title[256];
	size_t n = 0, nall, programs = 0;
	int fd;

	if (ts_wrapper() != NULL)
		cr_skip_test("a spare's title names its program, which"
		    " valgrind hides");

	ts_start(&ts, args);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	for (int64_t end = ts_now_ms() + 5000; n < 2 && ts_now_ms() < end;
	    poll(NULL, 0, 10))
		n = ts_children(&ts, client_sup, "exec exec_probe", spares, 4);
	cr_assert_eq(n, 2, "spares titled 'tcpsup: exec exec_probe'");
	fd = connected();
	ready(fd);
	cr_assert(echoes(fd));
	/* One of them became the program; a new spare replaces it. */
	nall = ts_children(&ts, client_sup, NULL, all, 8);
	for (size_t i = 0; i < nall; i++)	/* argv[0], up to its NUL */
		if (ts_title(all[i], title, sizeof(title)) &&
		    strcmp(title, probe()) == 0)
			programs++;
	cr_assert_eq(programs, 1, "%zu programs among %zu children", programs,
	    nall);
	close(fd);
}
