/*
 * test_inherit.c -- tcpsup started by an odd parent: signals ignored
 * (SIG_IGN survives exec), or descriptor 1 or 2 closed; or on a system
 * without pidfd_open(2). The tree must behave as if started from a shell:
 * exits seen and reported, children restarted, stop obeyed, reports never
 * written into a socket. And what it inherits on purpose: a scheduling
 * policy and a nice value, which every process of the tree keeps.
 */
#include <criterion/criterion.h>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;

static void
teardown(void)
{
	ts_before_exec = NULL;
	ts_cleanup(&ts);
}

TestSuite(inherit, .fini = teardown, .timeout = 60);

static void
ignore_chld_term(void)
{
	signal(SIGCHLD, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
}

Test(inherit, ignored_sigchld_and_sigterm_are_reset)
{
	char expect[160];
	pid_t listener, csup, worker, next;
	size_t mark;
	int fd;

	ts_before_exec = ignore_chld_term;
	ts_start(&ts, NULL);
	csup = ts_child(&ts, ts.pid, "tcp_client_sup");
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	cr_assert(csup > 0 && listener > 0);
	cr_assert((fd = ts_connect_echoed(&ts)) >= 0);
	cr_assert((worker = ts_worker_of(&ts, csup, fd, 3000)) > 0);
	/* A worker's exit is seen, so reported, by its supervisor. */
	mark = ts.len;
	cr_assert_eq(kill(worker, SIGKILL), 0);
	snprintf(expect, sizeof(expect), "{pid,%d}", (int)worker);
	cr_assert(ts_wait_log(&ts, mark, expect, 3000), "%s", ts.log);
	cr_assert(ts_closed_by_peer(fd, 3000));
	close(fd);
	/* The listener's too: it is restarted. */
	cr_assert_eq(kill(listener, SIGKILL), 0);
	next = ts_wait_child(&ts, ts.pid, "tcp_listener", listener, 5000);
	cr_assert(next > 0, "listener not restarted: %s", ts.log);
	cr_assert((fd = ts_connect_echoed(&ts)) >= 0);
	/* A worker obeys its shutdown: stop is quick, not 2 s per worker. */
	cr_assert((worker = ts_worker_of(&ts, csup, fd, 3000)) > 0);
	cr_assert_eq(kill(ts.pid, SIGTERM), 0);
	cr_assert(ts_wait_exit(&ts, 1500), "root did not stop: %s", ts.log);
	cr_assert_null(ts_find(&ts, 0, "shutdown_error"), "%s", ts.log);
	cr_assert(ts_all_gone(&ts, 3000));
	close(fd);
}

static void
arm_alarm(void)
{
	alarm(1);
}

/* An interval timer survives exec too; its SIGALRM would end the root. */
Test(inherit, an_inherited_alarm_is_cancelled)
{
	int fd;

	if (ts_wrapper() != NULL)
		cr_skip_test("valgrind starts slower than the alarm rings");

	ts_before_exec = arm_alarm;
	ts_start(&ts, NULL);
	poll(NULL, 0, 1500);
	cr_assert(ts_alive(ts.pid), "the root died of SIGALRM");
	cr_assert((fd = ts_connect_echoed(&ts)) >= 0);
	close(fd);
}

static void
close_stdout(void)
{
	close(STDOUT_FILENO);
}

static void
close_stderr(void)
{
	close(STDERR_FILENO);
}

/*
 * Echo many frames; a report written into a descriptor that is a
 * connection would reach a client as garbage. Returns frames echoed.
 */
static int
echo_and_kill_workers(pid_t csup)
{
	char buf[64];
	int ok = 0;

	for (int i = 0; i < 20; i++) {
		int fd = ts_connect_echoed(&ts);
		pid_t w;

		if (fd == -1)
			continue;
		if (ts_send_frame(fd, "hello", 5) == 0 &&
		    ts_recv_frame(fd, buf, sizeof(buf)) == 5 &&
		    memcmp(buf, "hello", 5) == 0)
			ok++;
		/* A worker killed: its supervisor reports, to its stderr. */
		if (i % 2 == 0 && (w = ts_worker_of(&ts, csup, fd, 2000)) > 0)
			kill(w, SIGKILL);
		else
			close(fd);
		/* Nothing but an EOF may come after the echo. */
		if (i % 2 == 0) {
			cr_assert(ts_closed_by_peer(fd, 3000));
			cr_assert_leq(read(fd, buf, sizeof(buf)), 0,
			    "garbage after a kill");
			close(fd);
		}
	}
	return ok;
}

/* Descriptors 0-2 of pid are none of the tree's sockets. */
static void
assert_std_not_socket(pid_t pid)
{
	char path[64], target[PATH_MAX];
	ssize_t n;

	for (int fd = 0; fd <= 2; fd++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
		n = readlink(path, target, sizeof(target) - 1);
		cr_assert(n > 0, "%s: %s", path, strerror(errno));
		target[n] = '\0';
		cr_assert_null(strstr(target, "socket:"), "%s -> %s", path,
		    target);
	}
}

static void
start_with_closed(void (*hook)(void))
{
	char listen[32];
	const char *args[] = { "-l", listen, NULL };
	pid_t csup;

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", ts_free_port());
	ts_before_exec = hook;
	ts_spawn(&ts, args);
	ts.port = atoi(strchr(listen, ':') + 1);
	csup = ts_wait_child(&ts, ts.pid, "tcp_client_sup", 0, 5000);
	cr_assert(csup > 0, "no client supervisor");
	cr_assert(ts_wait_child(&ts, ts.pid, "tcp_listener", 0, 5000) > 0);
	poll(NULL, 0, 200);	/* the control socket, the start report */
	assert_std_not_socket(ts.pid);
	assert_std_not_socket(csup);
	assert_std_not_socket(ts_child(&ts, ts.pid, "tcp_listener"));
	cr_assert_eq(echo_and_kill_workers(csup), 20);
	/* The tree is whole: no child was lost to a broken channel. */
	cr_assert_eq(ts_child(&ts, ts.pid, "tcp_client_sup"), csup);
	cr_assert_eq(kill(ts.pid, SIGTERM), 0);
	cr_assert(ts_wait_exit(&ts, 5000));
	cr_assert(WIFEXITED(ts.status) && WEXITSTATUS(ts.status) == 0,
	    "status %#x", ts.status);
}

Test(inherit, closed_stdout)
{
	start_with_closed(close_stdout);
	/* stderr was open: the reports are there, whole. */
	cr_assert_not_null(ts_find(&ts, 0, "Reason:     killed"), "%s", ts.log);
}

Test(inherit, closed_stderr)
{
	start_with_closed(close_stderr);
}

/* Linux before 5.3, or valgrind 3.19: pidfd_open(2) fails with ENOSYS. */
static void
no_pidfd_open(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pidfd_open, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = code };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
		_exit(127);
}

/*
 * tcp_client_sup watches its echo_spawner through a pidfd where there is
 * one; without, it still clones workers, replaces a spawner killed, and
 * stops.
 */
Test(inherit, served_without_pidfd_open)
{
	pid_t csup, spawner;
	int fd;

	ts_before_exec = no_pidfd_open;
	ts_start(&ts, NULL);
	csup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert((fd = ts_connect_echoed(&ts)) >= 0, "not served:\n%s",
	    ts.log);
	close(fd);
	spawner = ts_child(&ts, csup, "echo_spawner");
	cr_assert(spawner > 0);
	cr_assert_eq(kill(spawner, SIGKILL), 0);
	cr_assert((fd = ts_connect_echoed(&ts)) >= 0, "not served:\n%s",
	    ts.log);
	close(fd);
	cr_assert_eq(kill(ts.pid, SIGTERM), 0);
	cr_assert(ts_wait_exit(&ts, 5000), "%s", ts.log);
	cr_assert(WIFEXITED(ts.status) && WEXITSTATUS(ts.status) == 0, "%s",
	    ts.log);
	cr_assert(ts_all_gone(&ts, 3000));
}

/*
 * Every process of a tree serving one connection, in tree order: root,
 * listener, tcp_client_sup, echo_spawner, the worker. Leaves the
 * connection open in *fd.
 */
static void
tree_serving(pid_t pids[5], int *fd)
{
	pids[0] = ts.pid;
	pids[1] = ts_child(&ts, ts.pid, "tcp_listener");
	pids[2] = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert((*fd = ts_connect_echoed(&ts)) >= 0, "%s", ts.log);
	pids[3] = ts_child(&ts, pids[2], "echo_spawner");
	pids[4] = ts_worker_of(&ts, pids[2], *fd, 3000);
	for (int i = 0; i < 5; i++)
		cr_assert(pids[i] > 0, "process %d of the tree not found", i);
}

static void
assert_policy(const pid_t pids[5], int policy, int nice)
{
	for (int i = 0; i < 5; i++) {
		errno = 0;
		cr_assert_eq(sched_getscheduler(pids[i]), policy,
		    "pid %d: policy %d, not %d", (int)pids[i],
		    sched_getscheduler(pids[i]), policy);
		cr_assert_eq(getpriority(PRIO_PROCESS, (id_t)pids[i]), nice,
		    "pid %d: nice", (int)pids[i]);
		cr_assert_eq(errno, 0);
	}
}

/* Start with args, hook run before exec, and check every process. */
static void
assert_tree_runs(const char *const *args, void (*hook)(void), int policy,
    int nice)
{
	pid_t pids[5];
	int fd;

	ts_before_exec = hook;
	ts_start(&ts, args);
	tree_serving(pids, &fd);
	assert_policy(pids, policy, nice);
	close(fd);
}

static void
nice_5(void)
{
	if (setpriority(PRIO_PROCESS, 0, 5) == -1)
		_exit(127);
}

/* SCHED_BATCH by default, for every process, with the nice value kept. */
Test(inherit, the_tree_runs_sched_batch_with_its_nice_value)
{
	assert_tree_runs(NULL, nice_5, SCHED_BATCH, 5);
}

static void
sched_idle(void)
{
	const struct sched_param param = { .sched_priority = 0 };

	if (sched_setscheduler(0, SCHED_IDLE, &param) == -1)
		_exit(127);
}

/* A policy chosen for tcpsup (chrt -i, systemd) is not overridden. */
Test(inherit, a_policy_it_was_started_with_is_kept)
{
	assert_tree_runs(NULL, sched_idle, SCHED_IDLE, 0);
}

Test(inherit, sched_inherit_keeps_sched_other)
{
	const char *args[] = { "--sched", "inherit", NULL };

	assert_tree_runs(args, NULL, SCHED_OTHER, 0);
}
