/*
 * test_defects.c -- defects found reading the code, each shown here as it
 * was seen by a user: a worker stopped and continued drops its client,
 * a peer that reads a byte now and then holds its worker forever.
 */
#include <criterion/criterion.h>

#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
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
