/*
 * fdpass.c -- SCM_RIGHTS, one descriptor per message, with a payload.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "fdpass.h"

/* Room for a few descriptors, so a bad peer's extras can be closed. */
#define FDPASS_MAXFDS	4

union fdpass_cmsg {
	struct cmsghdr	hdr;
	char		buf[CMSG_SPACE(sizeof(int) * FDPASS_MAXFDS)];
};

int
fdpass_send_data(int channel, int fd, const void *data, size_t len)
{
	union fdpass_cmsg cmsg;
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cmsg.buf, .msg_controllen = CMSG_SPACE(sizeof(int)),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	memset(&cmsg, 0, sizeof(cmsg));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	do {
		n = sendmsg(channel, &msg, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	return n == -1 ? -1 : 0;
}

int
fdpass_send(int channel, int fd)
{
	return fdpass_send_data(channel, fd, "F", 1);
}

/* Returns how many descriptors arrived. */
static size_t
close_all(struct msghdr *msg)
{
	struct cmsghdr *c;
	size_t closed = 0;

	for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			close(fd);
			closed++;
		}
	}
	return closed;
}

int
fdpass_recv_data(int channel, void *buf, size_t size, size_t *len)
{
	union fdpass_cmsg cmsg;
	struct iovec iov = { .iov_base = buf, .iov_len = size };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cmsg.buf, .msg_controllen = sizeof(cmsg.buf),
	};
	struct cmsghdr *c;
	ssize_t n;
	int fd;

	do {
		n = recvmsg(channel, &msg, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n <= 0) {
		if (n == 0)
			errno = 0;
		return -1;
	}
	c = CMSG_FIRSTHDR(&msg);
	if ((msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) || c == NULL ||
	    c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)) ||
	    CMSG_NXTHDR(&msg, c) != NULL) {
		/*
		 * Truncated with nothing in it: the kernel had no descriptor
		 * free to install what was sent, and has closed it.
		 */
		errno = close_all(&msg) == 0 && (msg.msg_flags & MSG_CTRUNC) ?
		    EMFILE : EBADMSG;
		return -1;
	}
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	*len = (size_t)n;
	return fd;
}

int
fdpass_recv(int channel)
{
	char byte;
	size_t len;

	return fdpass_recv_data(channel, &byte, 1, &len);
}

bool
fdpass_waiting(int channel)
{
	struct pollfd pfd = { .fd = channel, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

bool
fdpass_peer_gone(int e)
{
	return e == EPIPE || e == ECONNRESET || e == ECONNREFUSED;
}
