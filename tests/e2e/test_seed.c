/*
 * test_seed.c -- the tutorial's session, done to the real binary: connect
 * with {packet,2}, get hello back, find the worker under tcp_client_sup,
 * kill -9 it, read the supervisor report, see the tree in ps --forest,
 * titled exactly however the program was started.
 */
#include <criterion/criterion.h>

#include <sys/stat.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;
/* tcpsup installed under a temporary directory, as under / (title test). */
static char root[] = "/tmp/tcpsup-e2e-title-XXXXXX", sbin[64];
static const char *const dirs[] = { "/usr", "/usr/local", "/usr/local/sbin" };

static void
uninstall(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/tcpsup", sbin);
	unlink(path);
	for (size_t i = 3; i > 0; i--) {
		snprintf(path, sizeof(path), "%s%s", root, dirs[i - 1]);
		rmdir(path);
	}
	rmdir(root);
}

static void
teardown(void)
{
	ts_cleanup(&ts);
	if (sbin[0] != '\0')
		uninstall();
}

/* Copy the binary under test to ROOT/usr/local/sbin/tcpsup; its path. */
static void
install(char *path, size_t size)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	cr_assert_not_null(mkdtemp(root), "mkdtemp: %m");
	for (size_t i = 0; i < 3; i++) {
		snprintf(sbin, sizeof(sbin), "%s%s", root, dirs[i]);
		cr_assert_eq(mkdir(sbin, 0755), 0, "mkdir %s: %m", sbin);
	}
	snprintf(path, size, "%s/tcpsup", sbin);
	in = open(ts_bin(), O_RDONLY | O_CLOEXEC);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	cr_assert(in >= 0 && out >= 0, "copy %s to %s: %m", ts_bin(), path);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		cr_assert_eq(write(out, buf, (size_t)n), n, "write: %m");
	cr_assert_eq(n, 0, "read: %m");
	close(in);
	close(out);
}

TestSuite(seed, .fini = teardown, .timeout = 30);

Test(seed, hello_is_echoed_and_killed_worker_is_reported)
{
	char buf[64], expect[512];
	pid_t client_sup, worker;
	size_t mark;
	int fd;

	ts_start(&ts, NULL);
	fd = ts_connect(&ts);
	cr_assert(fd >= 0, "connect: %m");
	cr_assert_eq(ts_send_frame(fd, "hello", 5), 0);
	cr_assert_eq(ts_recv_frame(fd, buf, sizeof(buf)), 5);
	cr_assert_arr_eq(buf, "hello", 5);

	/* supervisor:which_children(tcp_client_sup) */
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert(client_sup > 0, "no tcp_client_sup under the root");
	worker = ts_worker_of(&ts, client_sup, fd, 5000);
	cr_assert(worker > 0, "no worker serving port %d under tcp_client_sup",
	    ts_local_port(fd));

	mark = ts.len;
	cr_assert_eq(kill(worker, SIGKILL), 0);
	snprintf(expect, sizeof(expect),
	    " ===\n"
	    "     Supervisor: {local,tcp_client_sup}\n"
	    "     Context:    child_terminated\n"
	    "     Reason:     killed\n"
	    "     Offender:   [{pid,%d},\n"
	    "                  {name,undefined},\n"
	    "                  {mfa,{tcp_echo_fsm,start_link,[]}},\n"
	    "                  {restart_type,temporary},\n"
	    "                  {shutdown,2000},\n"
	    "                  {child_type,worker}]\n"
	    "\n", (int)worker);
	cr_assert(ts_wait_log(&ts, mark, expect, 5000),
	    "report not found; stderr since kill:\n%s", ts.log + mark);
	cr_assert(ts_find(&ts, mark, "\n=SUPERVISOR REPORT==== ") != NULL);
	cr_assert(ts_closed_by_peer(fd, 5000), "client not closed");
	close(fd);

	/* A temporary worker is not restarted; the tree serves on. */
	cr_assert(ts_wait_gone(worker, 2000));
	cr_assert_eq(ts_child(&ts, client_sup, "tcp_echo_fsm 127"), 0);
	fd = ts_connect_echoed(&ts);
	cr_assert(fd >= 0, "connection not served");
	close(fd);
}

/*
 * The kernel's name of each process (top, ps -o comm, pgrep without -f,
 * the OOM killer's messages) is its role: also under valgrind, where
 * nobody sees the titles.
 */
Test(seed, each_process_is_named_after_its_role)
{
	const char *const names[] = { "tcp_server_app", "tcp_listener",
	    "tcp_client_sup", "tcp_echo_fsm" };
	pid_t pids[4];
	char path[64], buf[32];
	int fd, comm;
	ssize_t n;

	ts_start(&ts, NULL);
	fd = ts_connect_echoed(&ts);
	cr_assert(fd >= 0, "connection not served");
	pids[0] = ts.pid;
	pids[1] = ts_child(&ts, ts.pid, "tcp_listener");
	pids[2] = ts_child(&ts, ts.pid, "tcp_client_sup");
	pids[3] = ts_worker_of(&ts, pids[2], fd, 2000);
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pids[i]);
		cr_assert((comm = open(path, O_RDONLY)) >= 0, "%s: %m", path);
		n = read(comm, buf, sizeof(buf) - 1);
		close(comm);
		cr_assert_gt(n, 0);
		buf[n] = '\0';
		cr_assert_str_eq(strtok(buf, "\n"), names[i]);
	}
	close(fd);
}

Test(seed, ps_forest_shows_the_tree)
{
	char cmd[256], out[4096], line[256];
	pid_t listener, client_sup, worker;
	int fd;

	if (ts_wrapper() != NULL)
		cr_skip_test("ps shows the wrapper's arguments, not titles");

	ts_start(&ts, NULL);
	fd = ts_connect_echoed(&ts);
	cr_assert(fd >= 0, "connection not served");
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	worker = ts_child(&ts, client_sup, "tcp_echo_fsm 127");
	cr_assert(listener > 0 && client_sup > 0 && worker > 0);

	snprintf(cmd, sizeof(cmd), "ps --forest -o args= -p %d,%d,%d,%d",
	    (int)ts.pid, (int)listener, (int)client_sup, (int)worker);
	cr_assert_eq(ts_capture(cmd, out, sizeof(out)), 0);
	snprintf(line, sizeof(line),
	    "tcpsup: tcp_server_app\n"
	    " \\_ tcpsup: tcp_listener 127.0.0.1:%d\n"
	    " \\_ tcpsup: tcp_client_sup\n"
	    "     \\_ tcpsup: tcp_echo_fsm 127.0.0.1:%d\n",
	    ts.port, ts_local_port(fd));
	cr_assert_str_eq(out, line);
	close(fd);
}

static int
by_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

/*
 * Started as /usr/local/sbin/tcpsup with several arguments, every process
 * shows its title and nothing after it: no blanks, no stray dot.
 */
Test(seed, titles_are_exact_whatever_the_path_and_arguments)
{
	const char *args[] = { "--idle-timeout", "30", "--max-frame", "4096",
	    "--shutdown-timeout", "1000", "--spares", "2", NULL };
	char path[128], cmd[256], out[4096], want[6][96], *line, *end;
	pid_t pids[6], workers[8], serving;
	size_t n = 0;
	int fd;

	if (ts_wrapper() != NULL)
		cr_skip_test("ps shows the wrapper's arguments, not titles");

	install(path, sizeof(path));
	ts_start_path(&ts, path, args);
	fd = ts_connect_echoed(&ts);
	cr_assert(fd >= 0, "connection not served");
	pids[0] = ts.pid;
	pids[1] = ts_child(&ts, ts.pid, "tcp_listener");
	pids[2] = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert(pids[1] > 0 && pids[2] > 0);
	serving = ts_worker_of(&ts, pids[2], fd, 5000);
	cr_assert(serving > 0);
	/* The worker serving fd and the two spares the pool refilled. */
	for (int i = 0; i < 400 && n != 3; i++) {
		n = ts_children(&ts, pids[2], "tcp_echo_fsm", workers, 8);
		poll(NULL, 0, 5);
	}
	cr_assert_eq(n, 3, "%zu workers, not 3", n);
	/* ps --forest orders siblings by pid. */
	qsort(workers, 3, sizeof(pid_t), by_pid);
	snprintf(want[0], sizeof(want[0]), "tcpsup: tcp_server_app");
	snprintf(want[1], sizeof(want[1]), " \\_ tcpsup: tcp_listener 127.0.0.1:%d",
	    ts.port);
	snprintf(want[2], sizeof(want[2]), " \\_ tcpsup: tcp_client_sup");
	for (size_t i = 0; i < 3; i++) {
		pids[3 + i] = workers[i];
		if (workers[i] == serving)
			snprintf(want[3 + i], sizeof(want[3 + i]),
			    "     \\_ tcpsup: tcp_echo_fsm 127.0.0.1:%d",
			    ts_local_port(fd));
		else
			snprintf(want[3 + i], sizeof(want[3 + i]),
			    "     \\_ tcpsup: tcp_echo_fsm");
	}
	snprintf(cmd, sizeof(cmd), "ps --forest -ww -o pid,args -p %d,%d,%d,%d,%d,%d",
	    (int)pids[0], (int)pids[1], (int)pids[2], (int)pids[3], (int)pids[4],
	    (int)pids[5]);
	cr_assert_eq(ts_capture(cmd, out, sizeof(out)), 0, "%s", cmd);

	/* "  PID COMMAND", then "<pid> <args>" for each, in tree order. */
	line = strchr(out, '\n');
	cr_assert_not_null(line, "%s", out);
	*line++ = '\0';
	cr_assert(strstr(out, "PID COMMAND") != NULL, "header: %s", out);
	for (size_t i = 0; i < 6; i++) {
		char *nl = strchr(line, '\n');

		cr_assert_not_null(nl, "line %zu missing:\n%s", i + 1, line);
		*nl = '\0';
		cr_assert_eq(strtol(line, &end, 10), pids[i], "line %zu: %s", i + 1, line);
		cr_assert_eq(*end, ' ', "line %zu: %s", i + 1, line);
		cr_assert_str_eq(end + 1, want[i], "line %zu: '%s', not '%s'",
		    i + 1, end + 1, want[i]);
		line = nl + 1;
	}
	cr_assert_str_eq(line, "", "more lines than processes");
	close(fd);
}
