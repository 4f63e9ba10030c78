/*
 * echo_fsm.c -- tcp_echo_fsm: serves one connection, then exits.
 *
 * Like the tutorial's FSM it is born in WAIT_FOR_SOCKET and is handed its
 * socket by tcp_client_sup; behind a balancer (--proxy-protocol) it first
 * reads the PROXY header that names its client (proxy.c), then in
 * WAIT_FOR_DATA it echoes every complete frame and re-arms the idle timer
 * on every read. The idle timer also bounds a
 * write to a peer that has stopped reading, and the frame timer the time
 * from a frame's first byte to its last, so that a client trickling a byte
 * now and then cannot keep its worker for ever. It holds nothing but its socket:
 * whatever a client sends, the worst it can do is end this process.
 */
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "echo_fsm.h"
#include "fdpass.h"
#include "frame.h"
#include "log.h"
#include "options.h"
#include "proc.h"
#include "proxy.h"
#include "report.h"

/* Read size in raw mode, where a frame is whatever arrived. */
#define RAW_CHUNK	65536
_Static_assert(RAW_CHUNK <= ECHO_FSM_BUFSIZE, "raw mode fits the buffer");

/* After an oversized frame, how long and how much the client may still send. */
#define DRAIN_SECS	1
#define DRAIN_BYTES	(1024 * 1024)

/* How a connection ends; END_NONE: it goes on. */
enum ending {
	END_NONE, END_CLOSED, END_TIMEOUT, END_FRAME_TIMEOUT, END_TOO_BIG,
	END_ERROR, END_PROXY
};

struct conn {
	int			 fd;
	struct frame_codec	 codec;
	uint8_t			*buf;
	uint8_t			*given;		/* the spawner's, if it fits */
	size_t			 cap;
	size_t			 len;
	size_t			 too_big;	/* announced payload, on END_TOO_BIG */
	int			 error;		/* errno, on END_ERROR */
	const struct options	*opts;
	enum proxy_result	 proxy;		/* on END_PROXY */
	const char		*proxy_why;	/* on END_PROXY */
	int			 idle;		/* seconds, or IDLE_INFINITY */
	int			 frame_timeout;	/* seconds, or IDLE_INFINITY */
	int			 rcvtimeo;	/* seconds on the socket now */
	bool			 pending;	/* a frame has begun, not ended */
	struct timespec		 frame_start;	/* its first byte, if pending */
	struct timespec		 last_read;	/* kept while rcvtimeo != idle */
	char			 peer[PROXY_CLIENT_STRLEN];
};

/*
 * The whole write within the idle timeout: SO_SNDTIMEO would bound each
 * send(2) alone, and a peer that reads a byte now and then would keep a
 * partial send going, and its worker, for ever. The clock starts at the
 * first send that has to wait, so that a reply that fits in the socket,
 * nearly every one, reads none: with a thousand workers taking turns, the
 * vDSO call was 4 % of a worker's time (BENCH.md, fourth pass).
 */
static enum ending
write_all(struct conn *c, const uint8_t *p, size_t len)
{
	int64_t deadline = -1;

	while (len > 0) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int left = -1;

		if (n >= 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		/* SIGSTOP and SIGCONT interrupt a send. */
		if (errno == EINTR)
			continue;
		if (errno == EPIPE || errno == ECONNRESET)
			return END_CLOSED;
		if (errno != EAGAIN) {
			c->error = errno;
			return END_ERROR;
		}
		if (c->idle != IDLE_INFINITY) {
			int64_t now = proc_now_ms();

			if (deadline == -1)
				deadline = now + (int64_t)c->idle * 1000;
			if ((left = (int)(deadline - now)) <= 0)
				return END_TIMEOUT;	/* the peer took too long */
		}
		poll(&pfd, 1, left);
	}
	return END_NONE;
}

/* Echo every complete frame at the start of the buffer, in one write. */
static enum ending
echo_frames(struct conn *c)
{
	size_t done = 0, flen;
	enum frame_status st;
	enum ending e = END_NONE;

	while ((st = frame_next(&c->codec, c->buf + done, c->len - done,
	    &flen)) == FRAME_COMPLETE)
		done += flen;
	/* Complete frames are contiguous and replies are the same bytes. */
	if (done > 0) {
		c->pending = false;	/* what is left is a new frame */
		e = write_all(c, c->buf, done);
	}
	memmove(c->buf, c->buf + done, c->len - done);
	c->len -= done;
	if (e == END_NONE && st == FRAME_TOO_BIG) {
		c->too_big = flen;
		return END_TOO_BIG;
	}
	return e;
}

static long
ms_since(const struct timespec *t, const struct timespec *now)
{
	return (now->tv_sec - t->tv_sec) * 1000L +
	    (now->tv_nsec - t->tv_nsec) / 1000000L;
}

static void
set_rcvtimeo(struct conn *c, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0)
		c->rcvtimeo = seconds;
}

/*
 * The receive timeout the connection needs now: what is left of the idle
 * timeout since the last read, lowered to what is left of the frame
 * timeout while a frame is pending. Whole seconds rounded up, so that the
 * socket option changes only when that number does (once per pending
 * frame on a healthy connection, not once per read), and a timeout never
 * fires before its deadline. END_NONE, or the deadline that has passed.
 */
static enum ending
rearm(struct conn *c)
{
	struct timespec now;
	long left = LONG_MAX, frame_left;
	int want;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (c->idle != IDLE_INFINITY)
		left = c->idle * 1000L - ms_since(&c->last_read, &now);
	if (c->pending && c->frame_timeout != IDLE_INFINITY) {
		frame_left = c->frame_timeout * 1000L -
		    ms_since(&c->frame_start, &now);
		if (frame_left <= 0)
			return END_FRAME_TIMEOUT;
		if (frame_left < left)
			left = frame_left;
	}
	if (left <= 0)
		return END_TIMEOUT;
	want = left == LONG_MAX ? IDLE_INFINITY : (int)((left + 999) / 1000);
	if (want != c->rcvtimeo)
		set_rcvtimeo(c, want);
	return END_NONE;
}

/*
 * After a read. The clock is read only while a frame is pending or the
 * timeout is lowered, so a client whose frames arrive whole costs nothing
 * here; and a lowered timeout is raised again only if it fires (see
 * on_timeout()), so a healthy connection pays one setsockopt(2) for its
 * first frame split across reads, and none for the next ones.
 */
static enum ending
after_read(struct conn *c)
{
	if (c->len > 0 && !c->pending) {
		c->pending = true;
		clock_gettime(CLOCK_MONOTONIC, &c->frame_start);
	}
	if (!c->pending && c->rcvtimeo == c->idle)
		return END_NONE;
	clock_gettime(CLOCK_MONOTONIC, &c->last_read);
	return c->pending ? rearm(c) : END_NONE;
}

/*
 * SO_RCVTIMEO fired. With the idle timeout on the socket, that is the
 * idle timeout; with a lowered one, rearm() tells which deadline passed,
 * if any did.
 */
static enum ending
on_timeout(struct conn *c)
{
	if (c->rcvtimeo == c->idle && !c->pending)
		return END_TIMEOUT;
	return rearm(c);
}

static enum ending
serve(struct conn *c)
{
	for (;;) {
		ssize_t n;
		enum ending e;

		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		/*
		 * A partial frame, or a last line without its newline, is
		 * dropped: gen_tcp delivers neither, only {error,closed}.
		 */
		if (n == 0)
			return END_CLOSED;
		if (n == -1) {
			/* A stop and a continue: a healthy connection goes on. */
			if (errno == EINTR)
				continue;
			/* SO_RCVTIMEO: the idle or the frame timeout. */
			if (errno == EAGAIN)
				e = on_timeout(c);
			else if (errno == ECONNRESET)
				e = END_CLOSED;
			else {
				c->error = errno;
				e = END_ERROR;
			}
			if (e != END_NONE)
				return e;
			continue;
		}
		c->len += (size_t)n;
		if ((e = echo_frames(c)) != END_NONE ||
		    (e = after_read(c)) != END_NONE)
			return e;
	}
}

static int
finish(const struct conn *c, enum ending e)
{
	switch (e) {
	case END_CLOSED:
		log_say(REPORT_INFO, getpid(), "Client %s disconnected.",
		    c->peer);
		return 0;
	case END_TIMEOUT:
		log_say(REPORT_ERROR, getpid(),
		    "Client connection timeout - closing.");
		return 0;
	case END_FRAME_TIMEOUT:
		log_say(REPORT_ERROR, getpid(), "Client %s sent no whole frame"
		    " in %d s - closing.", c->peer, c->frame_timeout);
		return 0;
	case END_TOO_BIG:
		if (c->codec.mode == FRAME_LINE)
			log_say(REPORT_ERROR, getpid(), "Client %s sent a line"
			    " longer than %zu bytes (emsgsize) - closing.",
			    c->peer, c->codec.max_payload);
		else
			log_say(REPORT_ERROR, getpid(), "Client %s sent a frame"
			    " of %zu bytes, over the limit of %zu (emsgsize) -"
			    " closing.", c->peer, c->too_big,
			    c->codec.max_payload);
		return 0;
	case END_PROXY:
		proxy_report(c->opts, c->proxy, c->peer, c->proxy_why);
		return c->proxy == PROXY_ERROR;
	default:
		log_say(REPORT_ERROR, getpid(), "Client %s: %s - closing.",
		    c->peer, strerror(c->error));
		return 1;
	}
}

/*
 * Close after an oversized frame without a reset: bytes left unread make
 * close(2) send RST, and a client that gets one may lose the echoes it has
 * not read yet. So send FIN first (the client reads every echo, then EOF),
 * and read and drop what the client still sends until it closes too, for at
 * most DRAIN_SECS and DRAIN_BYTES. Past either, close(2) as it is.
 */
static void
drain(struct conn *c)
{
	const struct itimerspec limit = { .it_value = { .tv_sec = DRAIN_SECS } };
	struct pollfd pfd[2] = {
		{ .fd = c->fd, .events = POLLIN },
		{ .fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC), .events = POLLIN },
	};
	size_t drained = 0;

	shutdown(c->fd, SHUT_WR);
	if (pfd[1].fd == -1)
		return;
	if (timerfd_settime(pfd[1].fd, 0, &limit, NULL) == 0)
		while (drained < DRAIN_BYTES) {
			ssize_t n;

			if (poll(pfd, 2, -1) == -1) {
				if (errno == EINTR)
					continue;
				break;
			}
			if (pfd[1].revents & POLLIN)
				break;
			n = recv(c->fd, c->buf, c->cap, MSG_DONTWAIT);
			if (n == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				break;	/* the client closed too, or reset */
			drained += (size_t)n;
		}
	close(pfd[1].fd);
}

/*
 * The socket stays blocking, with the idle timeout as its receive timeout:
 * a read is one system call, and the timeout re-arms with each, as the
 * tutorial's FSM re-arms its timer on each event. Writes are bounded by
 * write_all() as a whole.
 */
static void
set_idle_timeout(struct conn *c)
{
	struct timeval tv = { .tv_sec = c->idle };

	c->rcvtimeo = c->idle;
	if (c->idle == IDLE_INFINITY)
		return;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/*
 * The frame buffer: the one given, with the default limits; a larger
 * --max-frame gets a mapping of its own. Not malloc either way: malloc
 * would write its bookkeeping into pages shared with tcp_client_sup, and
 * each write costs this process a private copy.
 */
static uint8_t *
frame_buffer(size_t cap, uint8_t *given)
{
	void *p;

	if (cap <= ECHO_FSM_BUFSIZE)
		return given;
	p = mmap(NULL, cap, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		_exit(1);
	return p;
}

static void
conn_init(struct conn *c, const struct options *o, int fd)
{
	c->fd = fd;
	c->len = 0;
	c->pending = false;
	c->idle = o->idle_timeout;
	c->frame_timeout = o->frame_timeout;
	c->codec = frame_codec(o->packet, o->max_frame);
	c->cap = o->packet == FRAME_RAW ? RAW_CHUNK :
	    frame_header_len(o->packet) + c->codec.max_payload +
	    (o->packet == FRAME_LINE);
	if (c->buf == NULL)
		c->buf = frame_buffer(c->cap, c->given);
	c->opts = o;
	set_idle_timeout(c);
}

/*
 * Who the client is, for the title and every report: the socket's peer,
 * or behind a balancer the one its PROXY header names, read here before
 * any echo (proxy.h).
 */
static enum ending
greet(struct conn *c)
{
	struct endpoints ends;
	char text[ADDR_STRLEN];

	c->proxy = proxy_endpoints(c->fd, c->opts, &ends, &c->proxy_why);
	proxy_client(c->opts, &ends.peer, c->peer, sizeof(c->peer));
	addr_format(&ends.peer, text, sizeof(text));
	proc_title("tcp_echo_fsm %s", text);
	if (c->proxy == PROXY_OK)
		return END_NONE;
	return c->proxy == PROXY_CLOSED ? END_CLOSED : END_PROXY;
}

/*
 * Never blocks: if tcp_client_sup is too busy to read, the worker exits
 * instead of waiting to be told it is idle.
 */
static bool
notify_idle(int notices)
{
	struct echo_fsm_notice n = { .what = ECHO_FSM_IDLE };

	return send(notices, &n, sizeof(n), MSG_NOSIGNAL | MSG_DONTWAIT) ==
	    sizeof(n);
}

/* WAIT_FOR_DATA, to the end of the connection; its exit status. */
static int
serve_one(struct conn *c, const struct options *o, int fd, enum ending *e)
{
	int status;

	conn_init(c, o, fd);
	if ((*e = greet(c)) == END_NONE)
		*e = serve(c);
	status = finish(c, *e);
	if (*e == END_TOO_BIG)
		drain(c);
	close(fd);
	return status;
}

void
echo_fsm_serve(const struct echo_fsm_conf *conf, uint8_t *buf, int fd)
{
	struct conn c = { .fd = -1, .given = buf };
	enum ending e;

	_exit(serve_one(&c, conf->opts, fd, &e));
}

void
echo_fsm_run(const struct echo_fsm_conf *conf, uint8_t *buf, int ch,
    int notices)
{
	struct conn c = { .fd = -1, .given = buf };
	enum ending e;
	int fd, status;

	proc_title("tcp_echo_fsm");
	for (int served = 1;; served++) {
		/* WAIT_FOR_SOCKET: nothing but a socket can arrive here. */
		if ((fd = fdpass_recv(ch)) == -1)
			_exit(errno == 0 ? 0 : 1);
		status = serve_one(&c, conf->opts, fd, &e);
		/* --reuse: back to WAIT_FOR_SOCKET, for another connection. */
		if (e != END_CLOSED || served > conf->opts->reuse)
			_exit(status);
		proc_title("tcp_echo_fsm");
		if (!notify_idle(notices))
			_exit(status);
	}
}
