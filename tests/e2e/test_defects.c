/*
 * test_defects.c -- defects found reading the code, each shown as a user
 * would meet it: a worker stopped and continued dropped its client; a
 * slow reader held its worker for ever; a forged notice pooled a busy
 * worker; plain-text lines broke --log-format json.
 */
#include <criterion/criterion.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdint.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;

/* A slow reader: a frame of 4 MiB, its echo read 128 KiB every 100 ms. */
#define SLOW_FRAME	(4194304 - 4)
#define SLOW_READ	131072
#define SLOW_TICK_MS	100

static void
teardown(void)
{
	ts_before_exec = NULL;
	ts_cleanup(&ts);
}

TestSuite(defects, .fini = teardown, .timeout = 60);

/*
 * SIGSTOP + SIGCONT (a debugger, a cgroup freeze, docker pause) makes a
 * read or a send under SO_RCVTIMEO/SO_SNDTIMEO fail with EINTR.
 */
Test(defects, stopped_and_continued_worker_keeps_its_client)
{
	char buf[16];
	pid_t csup, worker;
	int fd;

	ts_start(&ts, NULL);
	csup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert((fd = ts_connect_echoed(&ts)) >= 0);
	cr_assert((worker = ts_worker_of(&ts, csup, fd, 3000)) > 0);
	for (int i = 0; i < 3; i++) {
		cr_assert(ts_stop_process(worker, 3000));
		cr_assert_eq(kill(worker, SIGCONT), 0);
		poll(NULL, 0, 100);
		cr_assert_eq(ts_send_frame(fd, "again", 5), 0);
		cr_assert_eq(ts_recv_frame(fd, buf, sizeof(buf)), 5,
		    "no echo after SIGCONT %d: %s", i, ts.log);
	}
	close(fd);
	cr_assert(ts_wait_gone(worker, 3000));
	cr_assert_null(ts_find(&ts, 0, "exit_status"), "%s", ts.log);
	cr_assert_null(ts_find(&ts, 0, "Interrupted"), "%s", ts.log);
}

/*
 * A peer that reads, but slowly: every partial send re-armed SO_SNDTIMEO,
 * so a reader slow enough that one frame's echo takes longer than the
 * idle timeout, but fast enough that each send(2) moves some bytes, held
 * its worker for as long as it cared to. Writing one frame's echo must
 * take no longer than the idle timeout.
 */
Test(defects, slow_reader_is_bounded_by_the_idle_timeout)
{
	const char *args[] = { "--packet", "4", "--max-frame", "4194304",
	    "--idle-timeout", "2", NULL };
	static unsigned char frame[4 + SLOW_FRAME], buf[SLOW_READ];
	size_t off = 0;
	int64_t t0, held = -1;
	pid_t worker;
	int fd;

	ts_start(&ts, args);
	cr_assert((fd = ts_connect(&ts)) >= 0);
	worker = ts_worker_of(&ts, ts_child(&ts, ts.pid, "tcp_client_sup"), fd,
	    3000);
	cr_assert(worker > 0);
	frame[0] = (SLOW_FRAME >> 24) & 0xff;
	frame[1] = (SLOW_FRAME >> 16) & 0xff;
	frame[2] = (SLOW_FRAME >> 8) & 0xff;
	frame[3] = SLOW_FRAME & 0xff;
	/* Frames after frames, and their echoes read at SLOW_READ per tick. */
	for (t0 = ts_now_ms(); ts_now_ms() - t0 < 10000; poll(NULL, 0, SLOW_TICK_MS)) {
		ssize_t n = send(fd, frame + off, sizeof(frame) - off,
		    MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n > 0)
			off = (off + (size_t)n) % sizeof(frame);
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) == 0 ||
		    !ts_alive(worker)) {
			held = ts_now_ms() - t0;
			break;
		}
	}
	cr_assert(held >= 0, "the worker is still held after 10 s");
	cr_assert(ts_wait_log(&ts, 0, "timeout - closing", 3000), "%s",
	    ts.log);
	close(fd);
}

/* Every line of stderr so far is one JSON report. */
static void
assert_json_lines(void)
{
	for (const char *line = ts.log; *line != '\0';
	    line = strchr(line, '\n') + 1) {
		const char *end = strchr(line, '\n');

		cr_assert_not_null(end, "a line cut short: %s", line);
		cr_assert(strncmp(line, "{\"time\":\"", 9) == 0 &&
		    end[-1] == '}', "not a JSON report: %.*s",
		    (int)(end - line), line);
	}
}

Test(defects, json_log_when_the_control_socket_fails)
{
	const char *args[] = { "--log-format", "json", "--control",
	    "/dev/null/tcpsup.sock", NULL };

	ts_spawn(&ts, args);
	cr_assert(ts_wait_exit(&ts, 5000));
	cr_assert(WIFEXITED(ts.status) && WEXITSTATUS(ts.status) == 69,
	    "status %#x", ts.status);
	cr_assert(ts_wait_log(&ts, 0, "not a directory", 1000), "%s",
	    ts.log);
	assert_json_lines();
}

static void
few_descriptors(void)
{
	const struct rlimit rl = { .rlim_cur = 24, .rlim_max = 24 };

	setrlimit(RLIMIT_NOFILE, &rl);
}

/* Out of descriptors, tcp_client_sup cannot make a worker a channel. */
Test(defects, json_log_when_descriptors_run_out)
{
	const char *args[] = { "--log-format", "json", "--reuse", "100",
	    "--control", "none", NULL };
	int fds[40];
	size_t n = 0, mark;

	if (ts_wrapper() != NULL)
		cr_skip_test("valgrind keeps descriptors of its own below"
		    " the limit");

	ts_before_exec = few_descriptors;
	ts_start(&ts, args);
	ts_before_exec = NULL;
	mark = ts.len;
	for (; n < sizeof(fds) / sizeof(fds[0]); n++)
		cr_assert((fds[n] = ts_connect(&ts)) >= 0);
	cr_assert(ts_wait_log(&ts, mark, "cannot start a worker (emfile)", 5000),
	    "%s", ts.log);
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
	poll(NULL, 0, 200);
	assert_json_lines();
}

/*
 * A forged "idle" notice for a busy worker, in the layout that carried
 * the worker's pid ({pid, what}) and in the one that carries only what
 * (the sender is whoever the kernel says sent it). The test holds a
 * worker's end of the notice channel (pidfd_getfd, as root may), as a
 * compromised worker would.
 */
struct notice_with_pid {
	pid_t	pid;
	int	what;		/* 0: idle, back in WAIT_FOR_SOCKET */
};

/* The worker's descriptor 4: its end of the notice channel (echo_fsm.c). */
static int
steal_notice_channel(pid_t worker)
{
	int pidfd = (int)syscall(SYS_pidfd_open, worker, 0), fd;

	cr_assert(pidfd >= 0, "pidfd_open: %s", strerror(errno));
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, 4, 0);
	cr_assert(fd >= 0, "pidfd_getfd: %s", strerror(errno));
	close(pidfd);
	return fd;
}

Test(defects, a_forged_idle_notice_does_not_pool_a_busy_worker)
{
	const char *args[] = { "--reuse", "10", NULL };
	struct notice_with_pid forged = { 0, 0 };
	int idle = 0;
	char buf[16];
	pid_t csup, busy;
	int held, next, notices;

	ts_start(&ts, args);
	csup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert((held = ts_connect_echoed(&ts)) >= 0);
	cr_assert((busy = ts_worker_of(&ts, csup, held, 3000)) > 0);
	notices = steal_notice_channel(busy);
	/* "I am idle", in the name of the worker that is serving held. */
	forged.pid = busy;
	cr_assert_eq(send(notices, &forged, sizeof(forged), 0),
	    (ssize_t)sizeof(forged));
	cr_assert_eq(send(notices, &idle, sizeof(idle), 0),
	    (ssize_t)sizeof(idle));
	poll(NULL, 0, 200);
	/* Handed to the busy worker, it would wait for held to leave. */
	cr_assert((next = ts_connect(&ts)) >= 0);
	cr_assert_eq(ts_send_frame(next, "next", 4), 0);
	cr_assert_eq(ts_recv_frame(next, buf, sizeof(buf)), 4,
	    "the new client was given to the busy worker %d", (int)busy);
	cr_assert_neq(ts_worker_of(&ts, csup, next, 3000), busy);
	close(notices);
	close(next);
	close(held);
}
