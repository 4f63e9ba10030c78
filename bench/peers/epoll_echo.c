/*
 * epoll_echo.c -- the loopback limit: a single-process epoll {packet,2}
 * echo server.
 *
 *	epoll_echo [--raw] PORT
 *
 * Binds 127.0.0.1:PORT. One process, one thread, nonblocking sockets,
 * level-triggered epoll. Each connection has one buffer: bytes read go in
 * at the end; the prefix made of complete frames is sent back as is (the
 * bytes are the frames, unchanged); a partial frame waits for the rest.
 * When the peer does not read its echoes fast enough, the connection stops
 * reading (EPOLLOUT only) until the pending echo is out: memory per
 * connection is bounded by one buffer. --raw echoes whatever arrives.
 *
 * No processes, no isolation, no timeouts: whatever tcpsup costs above
 * this server is the price of a process per connection.
 *
 * Benchmark peer only (bench/, scripts/bench); not part of tcpsup.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"


#define BUF_INITIAL	4096
#define FRAME_MAX	(2 + 65535)
#define MAX_EVENTS	256
#define PAUSE_MS	100	/* accept paused this long on EMFILE */

struct conn {
	int	 fd;
	uint8_t	*buf;
	size_t	 cap;
	size_t	 len;		/* bytes in buf */
	size_t	 ready;		/* prefix of complete frames to echo */
	size_t	 sent;		/* of which already sent */
};

static int raw_mode;
static int epfd;

static void
watch(int op, int fd, uint32_t events, void *ptr)
{
	struct epoll_event ev = { .events = events, .data.ptr = ptr };

	if (epoll_ctl(epfd, op, fd, &ev) == -1)
		err(71, "epoll_ctl");
}

static void
conn_close(struct conn *c)
{
	close(c->fd);		/* also removes it from the epoll set */
	free(c->buf);
	free(c);
}

/* Room for a whole frame in progress; -1 if out of memory. */
static int
conn_make_room(struct conn *c)
{
	size_t need = FRAME_MAX;
	uint8_t *p;

	if (c->len < c->cap)
		return 0;
	if (!raw_mode && c->len >= 2)
		need = 2 + ((size_t)c->buf[0] << 8 | c->buf[1]);
	if (need <= c->cap)
		need = c->cap + BUF_INITIAL;	/* raw mode, or many frames */
	if ((p = realloc(c->buf, need)) == NULL)
		return -1;
	c->buf = p;
	c->cap = need;
	return 0;
}

/* Send what is ready; 0 when all of it is out, 1 when blocked, -1 on error. */
static int
conn_flush(struct conn *c)
{
	while (c->sent < c->ready) {
		ssize_t n = send(c->fd, c->buf + c->sent, c->ready - c->sent,
		    MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 1;
		if (n <= 0)
			return -1;
		c->sent += (size_t)n;
	}
	memmove(c->buf, c->buf + c->ready, c->len - c->ready);
	c->len -= c->ready;
	c->ready = c->sent = 0;
	return 0;
}

static void
conn_readable(struct conn *c)
{
	ssize_t n;

	if (conn_make_room(c) == -1) {
		conn_close(c);
		return;
	}
	n = read(c->fd, c->buf + c->len, c->cap - c->len);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	c->ready = raw_mode ? c->len : complete_frames(c->buf, c->len);
	switch (conn_flush(c)) {
	case -1:
		conn_close(c);
		break;
	case 1:
		watch(EPOLL_CTL_MOD, c->fd, EPOLLOUT, c);
		break;
	}
}

static void
conn_writable(struct conn *c)
{
	switch (conn_flush(c)) {
	case -1:
		conn_close(c);
		break;
	case 0:
		watch(EPOLL_CTL_MOD, c->fd, EPOLLIN, c);
		break;
	}
}

/* Accept all that waits; 0 normally, -1 when out of descriptors. */
static int
accept_all(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				warn("accept");
				return -1;
			}
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return 0;	/* EAGAIN */
		}
		if ((c = calloc(1, sizeof(*c))) == NULL ||
		    (c->buf = malloc(BUF_INITIAL)) == NULL) {
			free(c);
			close(fd);
			return -1;
		}
		c->fd = fd;
		c->cap = BUF_INITIAL;
		watch(EPOLL_CTL_ADD, fd, EPOLLIN, c);
	}
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One process holds every connection: take all the descriptors allowed. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char *argv[])
{
	static struct epoll_event events[MAX_EVENTS];
	long long resume_at = 0;	/* accept paused until then; 0: not */
	int lfd;

	if (argc == 3 && strcmp(argv[1], "--raw") == 0) {
		raw_mode = 1;
		argv++;
	} else if (argc != 2)
		errx(64, "usage: epoll_echo [--raw] PORT");
	raise_nofile();
	lfd = peer_listen(argv[1], SOCK_NONBLOCK);
	if ((epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(71, "epoll_create1");
	watch(EPOLL_CTL_ADD, lfd, EPOLLIN, NULL);

	for (;;) {
		int i, n = epoll_wait(epfd, events, MAX_EVENTS,
		    resume_at ? PAUSE_MS : -1);

		if (n == -1 && errno != EINTR)
			err(71, "epoll_wait");
		if (resume_at && now_ms() >= resume_at) {
			/* descriptors may be free again */
			watch(EPOLL_CTL_ADD, lfd, EPOLLIN, NULL);
			resume_at = 0;
		}
		for (i = 0; i < n; i++) {
			struct conn *c = events[i].data.ptr;

			if (c == NULL) {
				if (accept_all(lfd) == -1) {
					watch(EPOLL_CTL_DEL, lfd, 0, NULL);
					resume_at = now_ms() + PAUSE_MS;
				}
			} else if (events[i].events & EPOLLOUT)
				conn_writable(c);
			else
				conn_readable(c);
		}
	}
}
