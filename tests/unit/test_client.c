/*
 * test_client.c -- tcpsupctl's side of the control socket
 * (src/tcpsupctl/client.c) against a stand-in daemon forked by the test:
 * the request it sends, whole replies, replies cut short or malformed, a
 * daemon that never answers, and no daemon at all. Every stand-in is
 * killed and reaped by pid.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#define REQUEST	"tcpsup 1 which_children tcp_client_sup\n"

static char dir[64], path[128];
static pid_t daemon_pid;

static void
setup(void)
{
	strcpy(dir, "/tmp/tcpsupctl-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
}

static void
teardown(void)
{
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = 0;
	}
	unlink(path);
	rmdir(dir);
}

TestSuite(client, .init = setup, .fini = teardown);

static int
listen_at(const char *p)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	cr_assert_neq(fd, -1);
	strcpy(sun.sun_path, p);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	cr_assert_eq(listen(fd, 4), 0);
	return fd;
}

/*
 * A daemon for one connection: it reads the request, checks it is REQUEST,
 * writes reply (len bytes) unless reply is NULL, and closes; NULL keeps
 * the connection open and silent until it is killed. It exits 0 if the
 * request was REQUEST.
 */
static void
stand_in(const char *reply, size_t len)
{
	int lfd = listen_at(path);

	if ((daemon_pid = fork()) == 0) {
		char req[256];
		size_t got = 0;
		ssize_t n;
		int fd = accept(lfd, NULL, NULL);

		while (got < sizeof(REQUEST) - 1 && (n = read(fd, req + got,
		    sizeof(req) - got)) > 0)
			got += (size_t)n;
		if (reply == NULL)
			pause();
		if (write(fd, reply, len) != (ssize_t)len)
			_exit(3);
		_exit(got == sizeof(REQUEST) - 1 &&
		    memcmp(req, REQUEST, got) == 0 ? 0 : 2);
	}
	cr_assert_gt(daemon_pid, 0);
	close(lfd);
}

static int
call(struct client_reply *r, int timeout_ms)
{
	struct ctl_request req = { .verb = CTL_WHICH_CHILDREN,
	    .sup = "tcp_client_sup" };

	return client_call(path, &req, r, timeout_ms);
}

/* The stand-in saw exactly REQUEST. */
static void
assert_request_seen(void)
{
	int status;

	cr_assert_eq(waitpid(daemon_pid, &status, 0), daemon_pid);
	daemon_pid = 0;
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the request was not " REQUEST);
}

#define REPLY(text)	stand_in(text, sizeof(text) - 1)

Test(client, whole_reply)
{
	struct client_reply r;
	struct ctl_record rec;
	char *cursor;

	REPLY("ok\nchild\tundefined\t4242\tworker\t[]\n"
	    "child\tundefined\t4243\tworker\t[]\nend\n");
	cr_assert_eq(call(&r, 5000), 0, "%s", strerror(errno));
	assert_request_seen();
	cr_assert_null(r.error);
	cursor = r.records;
	cr_assert_eq(client_next_record(&cursor, &rec), 1);
	cr_assert_str_eq(rec.tag, "child");
	cr_assert_str_eq(rec.fields[1], "4242");
	cr_assert_eq(client_next_record(&cursor, &rec), 1);
	cr_assert_str_eq(rec.fields[1], "4243");
	cr_assert_eq(client_next_record(&cursor, &rec), 0);
	client_reply_free(&r);
}

Test(client, error_reply)
{
	struct client_reply r;

	REPLY("error\tnoproc\nend\n");
	cr_assert_eq(call(&r, 5000), 0, "%s", strerror(errno));
	assert_request_seen();
	cr_assert_str_eq(r.error, "noproc");
	cr_assert_str_eq(r.records, "");
	client_reply_free(&r);
}

/* Each of these is refused with EPROTO, and leaves nothing allocated. */
static void
assert_malformed(const char *reply, size_t len)
{
	struct client_reply r;

	stand_in(reply, len);
	errno = 0;
	cr_assert_eq(call(&r, 5000), -1, "accepted %.*s", (int)len, reply);
	cr_assert_eq(errno, EPROTO, "%s", strerror(errno));
	cr_assert_null(r.text);
	assert_request_seen();
}

#define MALFORMED(text)	assert_malformed(text, sizeof(text) - 1)

Test(client, reply_cut_short)
{
	MALFORMED("ok\nchild\tundefined\t4242\tworker\t[]\n");
}

Test(client, reply_cut_mid_line)
{
	MALFORMED("ok\nchild\tundefined\t42");
}

Test(client, reply_cut_in_its_end_line)
{
	MALFORMED("ok\nen");
}

Test(client, reply_without_status)
{
	MALFORMED("end\n");
}

Test(client, reply_with_unknown_status)
{
	MALFORMED("maybe\nend\n");
}

Test(client, reply_with_empty_error)
{
	MALFORMED("error\t\nend\n");
}

Test(client, reply_with_an_empty_record)
{
	MALFORMED("ok\nchild\tundefined\t4242\tworker\t[]\n\nend\n");
}

Test(client, reply_with_a_record_of_too_many_fields)
{
	MALFORMED("ok\nstat\t1\t2\t3\t4\t5\t6\t7\t8\t9\nend\n");
}

Test(client, reply_with_a_record_without_tag)
{
	MALFORMED("ok\n\tundefined\nend\n");
}

Test(client, reply_with_nul)
{
	MALFORMED("ok\nchild\0x\nend\n");
}

Test(client, empty_reply)
{
	MALFORMED("");
}

Test(client, silent_daemon_times_out)
{
	struct client_reply r;
	struct timespec t0, t1;
	long ms;

	stand_in(NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cr_assert_eq(call(&r, 300), -1);
	cr_assert_eq(errno, ETIMEDOUT, "%s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	cr_assert(ms >= 250 && ms < 2000, "gave up after %ld ms", ms);
}

Test(client, no_socket)
{
	struct client_reply r;

	cr_assert_eq(call(&r, 1000), -1);
	cr_assert_eq(errno, ENOENT, "%s", strerror(errno));
}

Test(client, socket_without_daemon)
{
	struct client_reply r;

	/* A daemon that died: its socket file is left, nobody listens. */
	close(listen_at(path));
	cr_assert_eq(call(&r, 1000), -1);
	cr_assert_eq(errno, ECONNREFUSED, "%s", strerror(errno));
}
