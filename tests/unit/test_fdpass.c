/*
 * test_fdpass.c -- descriptors passed over a real SOCK_SEQPACKET pair:
 * one descriptor with or without a payload arrives working and
 * close-on-exec; a message with no descriptor, with two, with more than
 * fit, or with a payload longer than the buffer is refused (EBADMSG), and
 * every descriptor it carried is closed, as a pipe's EOF shows. A
 * receiver out of descriptors gets EMFILE, and what was sent is closed.
 */
#include <criterion/criterion.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fdpass.h"

static int chan[2];

static void
open_channel(void)
{
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, chan), 0);
}

TestSuite(fdpass, .init = open_channel);

/* A pipe whose write end is only in flight: EOF on rfd once it is closed. */
static int
pipe_to_pass(int *wfd)
{
	int p[2];

	cr_assert_eq(pipe2(p, O_NONBLOCK), 0);
	*wfd = p[1];
	return p[0];
}

static void
assert_closed_everywhere(int rfd)
{
	char c;

	cr_assert_eq(read(rfd, &c, 1), 0, "a passed descriptor is still open");
}

/* Send n copies of fd in one message, with one byte. */
static void
send_many(int fd, int n)
{
	char buf[CMSG_SPACE(sizeof(int) * 8)], byte = 'F';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = buf, .msg_controllen = CMSG_SPACE(sizeof(int) * n),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(buf, 0, sizeof(buf));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * n);
	for (int i = 0; i < n; i++)
		memcpy(CMSG_DATA(c) + i * sizeof(int), &fd, sizeof(int));
	cr_assert_eq(sendmsg(chan[0], &msg, 0), 1);
}

Test(fdpass, one_descriptor_arrives_working)
{
	int wfd, rfd = pipe_to_pass(&wfd), fd;
	char c;

	cr_assert_eq(fdpass_send(chan[0], wfd), 0);
	close(wfd);
	cr_assert((fd = fdpass_recv(chan[1])) >= 0);
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	cr_assert_eq(write(fd, "x", 1), 1);
	cr_assert_eq(read(rfd, &c, 1), 1);
	cr_assert_eq(c, 'x');
	close(fd);
	assert_closed_everywhere(rfd);
}

Test(fdpass, a_payload_comes_with_it)
{
	static const char request[] = "tcpsup 1 count_children tcp_client_sup\n";
	char buf[256];
	size_t len = 0;
	int wfd, rfd = pipe_to_pass(&wfd), fd;

	cr_assert_eq(fdpass_send_data(chan[0], wfd, request,
	    sizeof(request) - 1), 0);
	close(wfd);
	cr_assert((fd = fdpass_recv_data(chan[1], buf, sizeof(buf), &len)) >= 0);
	cr_assert_eq(len, sizeof(request) - 1);
	cr_assert_eq(memcmp(buf, request, len), 0);
	close(fd);
	assert_closed_everywhere(rfd);
}

Test(fdpass, a_payload_longer_than_the_buffer_is_refused)
{
	char buf[8];
	size_t len = 0;
	int wfd, rfd = pipe_to_pass(&wfd);

	cr_assert_eq(fdpass_send_data(chan[0], wfd, "0123456789", 10), 0);
	close(wfd);
	cr_assert_eq(fdpass_recv_data(chan[1], buf, sizeof(buf), &len), -1);
	cr_assert_eq(errno, EBADMSG);
	assert_closed_everywhere(rfd);
}

Test(fdpass, a_message_without_a_descriptor_is_refused)
{
	cr_assert_eq(send(chan[0], "F", 1, 0), 1);
	cr_assert_eq(fdpass_recv(chan[1]), -1);
	cr_assert_eq(errno, EBADMSG);
}

Test(fdpass, two_descriptors_are_refused_and_closed)
{
	int wfd, rfd = pipe_to_pass(&wfd);

	send_many(wfd, 2);
	close(wfd);
	cr_assert_eq(fdpass_recv(chan[1]), -1);
	cr_assert_eq(errno, EBADMSG);
	assert_closed_everywhere(rfd);
}

Test(fdpass, more_than_fit_are_refused_and_closed)
{
	int wfd, rfd = pipe_to_pass(&wfd);

	/* More than the receiver has room for: MSG_CTRUNC. */
	send_many(wfd, 8);
	close(wfd);
	cr_assert_eq(fdpass_recv(chan[1]), -1);
	cr_assert_eq(errno, EBADMSG);
	assert_closed_everywhere(rfd);
}

Test(fdpass, eof_is_minus_one_with_errno_0)
{
	close(chan[0]);
	errno = EINVAL;
	cr_assert_eq(fdpass_recv(chan[1]), -1);
	cr_assert_eq(errno, 0);
}

/*
 * In a child with RLIMIT_NOFILE at its highest open descriptor, so that
 * the one sent cannot be installed (MSG_CTRUNC): EMFILE, and the next
 * message, once a descriptor is free again, arrives.
 */
Test(fdpass, a_receiver_out_of_descriptors_gets_emfile)
{
	int wfd, rfd = pipe_to_pass(&wfd), status;
	pid_t pid;

	cr_assert_eq(fdpass_send(chan[0], wfd), 0);
	cr_assert_eq(fdpass_send(chan[0], wfd), 0);
	close(wfd);
	if ((pid = fork()) == 0) {
		int top = fcntl(chan[1], F_DUPFD, 0);
		struct rlimit rl;

		/* Every descriptor below top + 1 taken, the limit top + 1. */
		for (int fd = 0; fd < top; fd++)
			if (fcntl(fd, F_GETFD) == -1)
				dup2(top, fd);
		rl.rlim_cur = rl.rlim_max = (rlim_t)top + 1;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			_exit(2);
		if (fdpass_recv(chan[1]) != -1 || errno != EMFILE)
			_exit(3);
		close(top);
		_exit(fdpass_recv(chan[1]) == top ? 0 : 4);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status));
	cr_assert_eq(WEXITSTATUS(status), 0, "child step %d failed",
	    WEXITSTATUS(status));
	assert_closed_everywhere(rfd);
}

/* tcp_client_sup forks again only when the worker is really gone. */
Test(fdpass, a_closed_peer_is_gone)
{
	int rfd, wfd = -1;

	rfd = pipe_to_pass(&wfd);
	close(chan[1]);
	cr_assert_eq(fdpass_send(chan[0], wfd), -1);
	cr_assert(fdpass_peer_gone(errno), "%s", strerror(errno));
	close(rfd);
	close(wfd);
}

Test(fdpass, a_full_channel_is_no_dead_peer)
{
	int rfd, wfd = -1, i;

	rfd = pipe_to_pass(&wfd);
	cr_assert_eq(fcntl(chan[0], F_SETFL, O_NONBLOCK), 0);
	for (i = 0; i < 1000000 && send(chan[0], "x", 1, 0) == 1; i++)
		;
	cr_assert_eq(errno, EAGAIN);
	cr_assert_eq(fdpass_send(chan[0], wfd), -1);
	cr_assert_eq(errno, EAGAIN);
	cr_assert_not(fdpass_peer_gone(errno));
	close(rfd);
	close(wfd);
}

Test(fdpass, a_shortage_is_no_dead_peer)
{
	cr_assert_not(fdpass_peer_gone(ENOBUFS));
	cr_assert_not(fdpass_peer_gone(ENOMEM));
	cr_assert_not(fdpass_peer_gone(ETOOMANYREFS));
	cr_assert(fdpass_peer_gone(EPIPE));
	cr_assert(fdpass_peer_gone(ECONNRESET));
	cr_assert(fdpass_peer_gone(ECONNREFUSED));
}
