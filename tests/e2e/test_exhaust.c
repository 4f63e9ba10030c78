/*
 * test_exhaust.c -- exhaustion, never a storm: tcp_client_sup out of
 * processes (RLIMIT_NPROC, the tree run as a user of its own) and out of
 * descriptors (a small RLIMIT_NOFILE, also for the whole tree), each with
 * one report, the waiting client kept waiting, the tree's CPU low while it
 * waits, and recovery as soon as the resource is back; out of memory
 * (RLIMIT_AS), a worker dies alone and a supervisor loses no child; and
 * hundreds of processes reporting at once into a pipe, every report whole.
 */
#include <criterion/criterion.h>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* A uid of the tree's own, so that its process count is its alone. */
#define TREE_UID	47123

static struct tcpsup ts;
static char wrapper[64];
static pid_t piped;	/* a tcpsup whose stderr is a pipe */

static void
teardown(void)
{
	if (piped > 0) {
		kill(piped, SIGKILL);
		waitpid(piped, NULL, 0);
	}
	ts_cleanup(&ts);
	if (wrapper[0] != '\0')
		unlink(wrapper);
}

TestSuite(exhaust, .fini = teardown, .timeout = 90);

/* Run tcpsup as TREE_UID, through a script that execs setpriv. */
static void
start_as_tree_uid(const char *const *args)
{
	char bin[4096];
	FILE *f;
	int fd;

	cr_assert_not_null(realpath(ts_bin(), bin));
	strcpy(wrapper, "/tmp/tcpsup-setpriv-XXXXXX");
	cr_assert((fd = mkstemp(wrapper)) >= 0);
	cr_assert_not_null(f = fdopen(fd, "w"));
	fprintf(f, "#!/bin/sh\nexec setpriv --reuid=%d --regid=%d"
	    " --clear-groups %s \"$@\"\n", TREE_UID, TREE_UID, bin);
	fclose(f);
	cr_assert_eq(chmod(wrapper, 0755), 0);
	ts_start_path(&ts, wrapper, args);
}

/*
 * Set pid's soft RLIMIT_NPROC from a process of its uid: root here lacks
 * CAP_SYS_RESOURCE, which prlimit(2) of another user's process needs.
 */
static void
set_nproc(pid_t pid, rlim_t soft)
{
	pid_t setter = fork();
	int status;

	if (setter == 0) {
		struct rlimit rl;

		if (setresgid(TREE_UID, TREE_UID, TREE_UID) == -1 ||
		    setresuid(TREE_UID, TREE_UID, TREE_UID) == -1 ||
		    prlimit(pid, RLIMIT_NPROC, NULL, &rl) == -1)
			_exit(1);
		rl.rlim_cur = soft < rl.rlim_max ? soft : rl.rlim_max;
		_exit(prlimit(pid, RLIMIT_NPROC, &rl, NULL) == -1);
	}
	cr_assert(setter > 0);
	cr_assert_eq(waitpid(setter, &status, 0), setter);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* utime + stime of pid, in clock ticks. */
static long
cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut, st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	cr_assert_not_null(f = fopen(path, "r"));
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	/* After the title in parentheses: state is field 3, utime 14. */
	cr_assert_not_null(p = strrchr(buf, ')'));
	cr_assert_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u"
	    " %*u %lu %lu", &ut, &st), 2);
	return (long)(ut + st);
}

/* The tree's own CPU: the root and its two children. */
static long
tree_ticks(void)
{
	return cpu_ticks(ts.pid) +
	    cpu_ticks(ts_child(&ts, ts.pid, "tcp_listener")) +
	    cpu_ticks(ts_child(&ts, ts.pid, "tcp_client_sup"));
}

/* No echo yet: the connection waits. */
static void
assert_waiting(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	cr_assert_eq(poll(&pfd, 1, ms), 0, "the waiting client was answered"
	    " or closed");
}

static void
assert_echo(int fd, const char *what)
{
	char buf[16];

	cr_assert_eq(ts_recv_frame(fd, buf, sizeof(buf)), (ssize_t)strlen(what),
	    "no echo for %s: %m", what);
	cr_assert_arr_eq(buf, what, strlen(what));
}

Test(exhaust, out_of_processes_the_client_waits_without_a_storm)
{
	const char *args[] = { "--control", "none", NULL };
	int good, waiting[3];
	long t0, ticks;
	pid_t sup, spawner;
	size_t mark;

	start_as_tree_uid(args);
	sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	good = ts_connect_echoed(&ts);
	cr_assert(good >= 0);
	/* Workers are cloned by the spawner, under its own limit. */
	spawner = ts_child(&ts, sup, "echo_spawner");
	cr_assert(spawner > 0);
	mark = ts.len;
	set_nproc(spawner, 1);
	for (int i = 0; i < 3; i++) {
		cr_assert((waiting[i] = ts_connect(&ts)) >= 0);
		cr_assert_eq(ts_send_frame(waiting[i], "wait", 4), 0);
	}
	cr_assert(ts_wait_log(&ts, mark, "tcp_client_sup: cannot start a"
	    " worker (eagain) - the connection waits, new ones queue;"
	    " trying again in 100 ms, backing off to 1000 ms.", 2000), "%s",
	    ts.log + mark);
	/* Four seconds of shortage: a few tries, no spinning, one report. */
	ticks = tree_ticks();
	for (int i = 0; i < 40; i++) {
		cr_assert_eq(ts_send_frame(good, "good", 4), 0);
		assert_echo(good, "good");
		poll(NULL, 0, 100);
	}
	ticks = tree_ticks() - ticks;
	cr_assert_leq(ticks, 10, "the tree used %ld ticks of CPU in 4 s of"
	    " shortage", ticks);
	for (int i = 0; i < 3; i++)
		assert_waiting(waiting[i], 0);
	cr_assert_eq(ts_count(&ts, mark, "cannot start a worker"), 1, "%s",
	    ts.log + mark);
	cr_assert_eq(ts_count(&ts, mark, "Reason:     {fork,EAGAIN}"), 1, "%s",
	    ts.log + mark);
	cr_assert_null(ts_find(&ts, mark, "reached_max_restart_intensity"));
	/* Processes free again: every waiting client served within 1 s. */
	set_nproc(spawner, RLIM_INFINITY);
	t0 = time(NULL);
	for (int i = 0; i < 3; i++)
		assert_echo(waiting[i], "wait");
	cr_assert_leq(time(NULL) - t0, 2);
	cr_assert(ts_wait_log(&ts, mark, "tcp_client_sup: serving again after"
	    " a shortage of ", 1000), "%s", ts.log + mark);
	cr_assert_eq(ts_send_frame(good, "good", 4), 0);
	assert_echo(good, "good");
	for (int i = 0; i < 3; i++)
		close(waiting[i]);
	close(good);
}

/*
 * The n-th descriptor number (from 0) that pid does not use: as its
 * RLIMIT_NOFILE, it leaves pid exactly n descriptors free, whatever gaps
 * its closed ones left below the highest.
 */
static int
free_fd(pid_t pid, int n)
{
	char path[64];
	struct dirent *d;
	bool used[4096] = { false };
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	cr_assert_not_null(dir = opendir(path));
	while ((d = readdir(dir)) != NULL)
		if (d->d_name[0] != '.' && atoi(d->d_name) < 4096)
			used[atoi(d->d_name)] = true;
	closedir(dir);
	for (int fd = 0; fd < 4096; fd++)
		if (!used[fd] && n-- == 0)
			return fd;
	cr_assert_fail("%d uses 4096 descriptors", (int)pid);
	return -1;
}

static void
set_nofile(pid_t pid, rlim_t soft)
{
	struct rlimit rl;

	cr_assert_eq(prlimit(pid, RLIMIT_NOFILE, NULL, &rl), 0);
	rl.rlim_cur = soft < rl.rlim_max ? soft : rl.rlim_max;
	cr_assert_eq(prlimit(pid, RLIMIT_NOFILE, &rl, NULL), 0, "%m");
}

/*
 * With --reuse a worker has a channel of its own, two descriptors to make:
 * with one free, a connection is received but has to wait for its worker.
 */
Test(exhaust, out_of_descriptors_one_report_then_recovery)
{
	const char *args[] = { "--reuse", "1", NULL };
	int good, lost, waiting;
	pid_t sup;
	size_t mark;
	long ticks;

	if (ts_wrapper() != NULL)
		cr_skip_test("valgrind keeps descriptors of its own below"
		    " the limit");

	ts_start(&ts, args);
	sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	good = ts_connect_echoed(&ts);
	cr_assert(good >= 0);
	poll(NULL, 0, 100);
	mark = ts.len;
	/* Not one descriptor free: the socket sent cannot be received. */
	set_nofile(sup, (rlim_t)free_fd(sup, 0));
	cr_assert((lost = ts_connect(&ts)) >= 0);
	cr_assert(ts_wait_log(&ts, mark, "tcp_client_sup: no descriptor free"
	    " to receive a connection (emfile) - it was closed, new ones"
	    " queue;", 2000), "%s", ts.log + mark);
	cr_assert(ts_closed_by_peer(lost, 2000));
	/* One free: received, but no worker can be given it. */
	set_nofile(sup, (rlim_t)free_fd(sup, 1));
	cr_assert((waiting = ts_connect(&ts)) >= 0);
	cr_assert_eq(ts_send_frame(waiting, "wait", 4), 0);
	ticks = tree_ticks();
	for (int i = 0; i < 20; i++) {
		cr_assert_eq(ts_send_frame(good, "good", 4), 0);
		assert_echo(good, "good");
		poll(NULL, 0, 100);
	}
	cr_assert_leq(tree_ticks() - ticks, 10);
	/* The waiting client was received, at most a few more lost. */
	assert_waiting(waiting, 0);
	cr_assert_eq(ts_count(&ts, mark, "=ERROR REPORT"), 1, "%s",
	    ts.log + mark);
	set_nofile(sup, 1024);
	assert_echo(waiting, "wait");
	cr_assert(ts_wait_log(&ts, mark, "tcp_client_sup: serving again after"
	    " a shortage of ", 1000), "%s", ts.log + mark);
	close(lost);
	close(waiting);
	close(good);
}

/*
 * Without a pool, the socket itself goes to the spawner and on to its
 * worker: one free descriptor is all a connection needs in tcp_client_sup.
 */
Test(exhaust, one_free_descriptor_serves_a_connection)
{
	const char *args[] = { NULL };
	int good, next;
	pid_t sup;
	size_t mark;

	ts_start(&ts, args);
	sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	good = ts_connect_echoed(&ts);
	cr_assert(good >= 0);
	poll(NULL, 0, 100);
	mark = ts.len;
	set_nofile(sup, (rlim_t)free_fd(sup, 1));
	for (int i = 0; i < 5; i++) {
		cr_assert((next = ts_connect(&ts)) >= 0);
		cr_assert_eq(ts_send_frame(next, "next", 4), 0);
		assert_echo(next, "next");
		close(next);
	}
	cr_assert_null(ts_find(&ts, mark, "=ERROR REPORT"), "%s",
	    ts.log + mark);
	close(good);
}

/* --- reports under load ------------------------------------------------ */

#define PIPE_LOG_MAX	(8 << 20)
#define AT_ONCE		300

static char pipe_log[PIPE_LOG_MAX + 1];
static size_t pipe_len;

/* Read what is in the pipe now; true once needle was seen count times. */
static bool
drain_pipe(int fd, const char *needle, size_t want)
{
	ssize_t n;
	size_t seen = 0;

	while (pipe_len < PIPE_LOG_MAX &&
	    (n = read(fd, pipe_log + pipe_len, PIPE_LOG_MAX - pipe_len)) > 0)
		pipe_len += (size_t)n;
	pipe_log[pipe_len] = '\0';
	for (const char *p = pipe_log; (p = strstr(p, needle)) != NULL; p++)
		seen++;
	return seen >= want;
}

static bool
wait_pipe(int fd, const char *needle, size_t want, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		if (drain_pipe(fd, needle, want))
			return true;
		poll(NULL, 0, 10);
	}
	return drain_pipe(fd, needle, want);
}

/* tcpsup with --log-format json and its stderr a pipe, as under systemd. */
static int
start_piped(void)
{
	int p[2];
	const char *at;

	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	cr_assert((piped = fork()) >= 0);
	if (piped == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], STDERR_FILENO);
		execl(ts_bin(), "tcpsup", "-l", "127.0.0.1:0", "--control",
		    "none", "--log-format", "json", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	cr_assert_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
	cr_assert(wait_pipe(p[0], "started_at", 1, 5000), "%s", pipe_log);
	cr_assert_not_null(at = strstr(pipe_log, "127.0.0.1:"));
	ts.port = atoi(at + strlen("127.0.0.1:"));
	return p[0];
}

Test(exhaust, reports_of_hundreds_at_once_are_never_torn)
{
	static int fds[AT_ONCE];
	const char *bye = "Client {127,0,0,1} disconnected.";
	size_t lines = 0, byes = 0;
	int log;

	log = start_piped();
	/* Hundreds of workers, then every one of them reporting at once. */
	for (int i = 0; i < AT_ONCE; i++) {
		cr_assert((fds[i] = ts_connect(&ts)) >= 0, "connect %d: %m", i);
		cr_assert_eq(ts_send_frame(fds[i], "x", 1), 0);
		drain_pipe(log, bye, 0);
	}
	for (int i = 0; i < AT_ONCE; i++) {
		char buf[4];

		cr_assert_eq(ts_recv_frame(fds[i], buf, sizeof(buf)), 1);
	}
	for (int i = 0; i < AT_ONCE; i++)
		close(fds[i]);
	cr_assert(wait_pipe(log, bye, AT_ONCE, 20000), "%zu bytes", pipe_len);
	/* And as many short connections, one after another. */
	for (int i = 0; i < AT_ONCE; i++) {
		int fd = ts_connect_echoed(&ts);

		cr_assert(fd >= 0);
		close(fd);
		drain_pipe(log, bye, 0);
	}
	cr_assert(wait_pipe(log, bye, 2 * AT_ONCE, 20000));
	/* Every line one whole JSON object: no report cut or interleaved. */
	for (char *line = pipe_log, *end; *line != '\0'; line = end + 1) {
		cr_assert_not_null(end = strchr(line, '\n'), "a last line cut:"
		    " %s", line);
		*end = '\0';
		cr_assert(strncmp(line, "{\"time\":\"", 9) == 0 &&
		    end[-1] == '}', "a torn report: '%s'", line);
		cr_assert_null(strstr(line + 1, "{\"time\""), "two reports in"
		    " one line: '%s'", line);
		byes += strstr(line, bye) != NULL;
		lines++;
	}
	cr_assert_eq(byes, 2 * AT_ONCE);
	cr_assert_geq(lines, 2 * AT_ONCE);
	close(log);
}

/* --- out of memory ----------------------------------------------------- */

static long
vm_size_kib(pid_t pid)
{
	char path[64], line[128];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	cr_assert_not_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmSize: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static void
echo4(int fd)
{
	char buf[8];

	cr_assert_eq(ts_write(fd, "\0\0\0\4echo", 8), 0);
	cr_assert_eq(ts_read_exact(fd, buf, 8), 8, "no echo: %m");
	cr_assert_arr_eq(buf, "\0\0\0\4echo", 8);
}

/*
 * Workers inherit the RLIMIT_AS of the spawner they are cloned from,
 * lowered so that a worker cannot map its 64 MiB frame buffer: each such
 * worker dies alone and is reported, tcp_client_sup and the clients it
 * serves go on, and once the limit is raised new clients are served again.
 */
Test(exhaust, out_of_memory_a_worker_dies_alone)
{
	const char *args[] = { "--packet", "4", "--max-frame", "67108864",
	    NULL };
	struct rlimit rl;
	pid_t sup, spawner, worker;
	size_t mark;
	int good, bad;

	ts_start(&ts, args);
	sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	good = ts_connect(&ts);
	cr_assert(good >= 0);
	echo4(good);
	worker = ts_worker_of(&ts, sup, good, 2000);
	cr_assert(worker > 0);
	spawner = ts_child(&ts, sup, "echo_spawner");
	cr_assert(spawner > 0);
	cr_assert_eq(prlimit(spawner, RLIMIT_AS, NULL, &rl), 0);
	/* Its 64 MiB buffer is mapped: half of it more does not fit. */
	rl.rlim_cur = (rlim_t)(vm_size_kib(worker) - 32 * 1024) * 1024;
	cr_assert_eq(prlimit(spawner, RLIMIT_AS, &rl, NULL), 0, "%m");
	mark = ts.len;
	for (int i = 0; i < 5; i++) {
		cr_assert((bad = ts_connect(&ts)) >= 0);
		cr_assert(ts_closed_by_peer(bad, 2000), "served without memory");
		close(bad);
		echo4(good);
	}
	for (int i = 0; i < 200 &&
	    ts_count(&ts, mark, "{exit_status,1}") < 5; i++)
		poll(NULL, 0, 10);
	cr_assert_eq(ts_count(&ts, mark, "Reason:     {exit_status,1}"), 5,
	    "%zu: %s", ts_count(&ts, mark, "Reason:     {exit_status,1}"),
	    ts.log + mark);
	cr_assert_eq(ts_child(&ts, ts.pid, "tcp_client_sup"), sup);
	rl.rlim_cur = rl.rlim_max;
	cr_assert_eq(prlimit(spawner, RLIMIT_AS, &rl, NULL), 0);
	cr_assert((bad = ts_connect(&ts)) >= 0);
	echo4(bad);
	echo4(good);
	close(bad);
	close(good);
}

/* --- the whole tree under a small ulimit -n ---------------------------- */

/*
 * tcpsup raises its soft RLIMIT_NOFILE to the hard one at start, so the
 * tree's three processes get ulimit -n 32 (soft and hard) once started.
 * With --reuse, tcp_client_sup keeps a channel to every worker, so each
 * client costs it a descriptor: it runs out after a score of clients. The next one waits, the tree idles, and once a few
 * clients leave (their workers go back to the pool) it is served.
 */
Test(exhaust, small_ulimit_n_a_client_waits_for_a_descriptor)
{
	const char *args[] = { "--reuse", "100", "--control", "none", NULL };
	const struct rlimit small = { .rlim_cur = 32, .rlim_max = 32 };
	const char *children[] = { "tcp_listener", "tcp_client_sup" };
	int fds[64], n = 0, last = -1;
	size_t mark;
	long ticks;

	if (ts_wrapper() != NULL)
		cr_skip_test("valgrind keeps descriptors of its own below"
		    " the limit");

	ts_start(&ts, args);
	cr_assert_eq(prlimit(ts.pid, RLIMIT_NOFILE, &small, NULL), 0, "%m");
	for (int i = 0; i < 2; i++)
		cr_assert_eq(prlimit(ts_child(&ts, ts.pid, children[i]),
		    RLIMIT_NOFILE, &small, NULL), 0, "%m");
	mark = ts.len;
	/* Clients until one is not served. */
	while (n < 64) {
		char buf[8];

		cr_assert((fds[n] = ts_connect(&ts)) >= 0);
		cr_assert_eq(ts_send_frame(fds[n], "n", 1), 0);
		if (poll(&(struct pollfd){ .fd = fds[n], .events = POLLIN }, 1,
		    1000) != 1) {
			last = fds[n];
			break;
		}
		cr_assert_eq(ts_recv_frame(fds[n], buf, sizeof(buf)), 1);
		n++;
	}
	cr_assert_neq(last, -1, "64 clients served under ulimit -n 32");
	cr_assert(ts_wait_log(&ts, mark, "(emfile) - ", 1000), "%s",
	    ts.log + mark);
	ticks = tree_ticks();
	poll(NULL, 0, 2000);
	cr_assert_leq(tree_ticks() - ticks, 5);
	assert_waiting(last, 0);
	cr_assert_eq(ts_count(&ts, mark, "=ERROR REPORT"), 1, "%s",
	    ts.log + mark);
	/* Three leave: the waiting one is served, within the back-off. */
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	assert_echo(last, "n");
	cr_assert(ts_wait_log(&ts, mark, "tcp_client_sup: serving again after"
	    " a shortage of ", 1000), "%s", ts.log + mark);
	for (int i = 3; i < n; i++)
		close(fds[i]);
	close(last);
}

/*
 * tcp_client_sup with RLIMIT_AS at its own size, so that it can map or
 * grow nothing: its tables live in the arena it reserved at start and
 * keep growing there, so it still serves 200 clients at once and loses
 * none; a control request that needs the heap is answered or fails
 * cleanly, and the supervisor is the same process at the end.
 */
Test(exhaust, client_sup_with_no_memory_to_map_loses_no_child)
{
	const char *args[] = { NULL };
	static int fds[200];
	struct rlimit rl;
	char path[256], reply[65536];
	pid_t sup, kids[TS_MAX_PIDS];
	ssize_t n;

	if (ts_wrapper() != NULL)
		cr_skip_test("valgrind's shadow memory needs the address"
		    " space denied");

	ts_start(&ts, args);
	sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert(ts_ctl_path(&ts, path, sizeof(path)));
	cr_assert_eq(prlimit(sup, RLIMIT_AS, NULL, &rl), 0);
	rl.rlim_cur = (rlim_t)vm_size_kib(sup) * 1024;
	cr_assert_eq(prlimit(sup, RLIMIT_AS, &rl, NULL), 0, "%m");
	for (int i = 0; i < 200; i++)
		cr_assert((fds[i] = ts_connect_echoed(&ts)) >= 0, "client %d", i);
	n = ts_ctl(path, "tcpsup 1 which_children tcp_client_sup\n", 39,
	    reply, sizeof(reply));
	cr_assert(n > 0 && (strncmp(reply, "ok\n", 3) == 0 ||
	    strncmp(reply, "error", 5) == 0), "%s", reply);
	for (int i = 0; i < 200; i++) {
		cr_assert_eq(ts_send_frame(fds[i], "again", 5), 0);
		assert_echo(fds[i], "again");
	}
	cr_assert_eq(ts_child(&ts, ts.pid, "tcp_client_sup"), sup);
	cr_assert_geq(ts_children(&ts, sup, "tcp_echo_fsm", kids, TS_MAX_PIDS),
	    200);
	cr_assert_null(ts_find(&ts, 0, "SUPERVISOR REPORT"), "%s", ts.log);
	for (int i = 0; i < 200; i++)
		close(fds[i]);
}
