/*
 * proxy.c -- read a PROXY protocol header off a connection, in the worker
 * that serves it: network input never reaches a supervisor. The header is
 * peeked at and only its own bytes are consumed, so what the client sent
 * after it is served as if no balancer stood between. A client that sends
 * nothing can cost no more than proxy_header_secs(). Both workers (echo
 * and --exec) name their client and report a bad header through here.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "proxy.h"
#include "proxyhdr.h"
#include "report.h"

/* In .bss: no page of it is touched unless a header that long arrives. */
static uint8_t	header[PROXYHDR_MAX];

int
proxy_header_secs(const struct options *o)
{
	return o->frame_timeout == IDLE_INFINITY ? PROXY_HEADER_SECS :
	    o->frame_timeout;
}

/* 1 readable, 0 the deadline passed, -1 an error. */
static int
wait_readable(int fd, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int64_t left;

	while ((left = deadline - proc_now_ms()) > 0) {
		int r = poll(&pfd, 1, (int)left);

		if (r > 0)
			return 1;
		if (r == -1 && errno != EINTR)
			return -1;
	}
	return 0;
}

/* Take n bytes already peeked at: they are there, unless a reset came. */
static int
consume(int fd, uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t r = recv(fd, p, n, MSG_DONTWAIT);

		if (r > 0) {
			p += r;
			n -= (size_t)r;
		} else if (r == 0 || errno != EINTR) {
			if (r == 0)
				errno = ECONNRESET;
			return -1;
		}
	}
	return 0;
}

/*
 * Peek at what has arrived, let the parser say how much of it is header,
 * consume exactly that, and wait for more while the header is unfinished.
 */
static enum proxy_result
read_header(int fd, int secs, struct proxyhdr *h, const char **why)
{
	int64_t deadline = proc_now_ms() + (int64_t)secs * 1000;
	size_t have = 0, want = PROXYHDR_V1_MAX, take;
	enum proxyhdr_status st;
	ssize_t n;
	int r;

	for (;;) {
		if ((r = wait_readable(fd, deadline)) <= 0)
			return r == 0 ? PROXY_TIMEOUT : PROXY_ERROR;
		n = recv(fd, header + have, want, MSG_PEEK | MSG_DONTWAIT);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == 0 || (n == -1 && errno == ECONNRESET)) {
			*why = "closed within the header";
			return have == 0 ? PROXY_CLOSED : PROXY_BAD;
		}
		if (n == -1)
			return PROXY_ERROR;
		if ((st = proxyhdr_parse(header, have + (size_t)n, h)) ==
		    PROXYHDR_BAD) {
			*why = h->why;
			return PROXY_BAD;
		}
		/* All of it is header on MORE; on DONE, up to its end. */
		take = st == PROXYHDR_DONE ? h->len - have : (size_t)n;
		if (consume(fd, header + have, take) == -1)
			return PROXY_ERROR;
		have += take;
		if (st == PROXYHDR_DONE)
			return PROXY_OK;
		want = h->more;
	}
}

enum proxy_result
proxy_endpoints(int fd, const struct options *o, struct endpoints *e,
    const char **why)
{
	struct proxyhdr h;
	enum proxy_result r;

	memset(e, 0, sizeof(*e));
	e->peer.len = sizeof(e->peer.ss);
	if (getpeername(fd, (struct sockaddr *)&e->peer.ss, &e->peer.len) == -1)
		e->peer.ss.ss_family = AF_UNSPEC;
	*why = "";
	if (!o->proxy_protocol)
		return PROXY_OK;
	/* LOCAL and UNKNOWN: the socket's own addresses stand. */
	if ((r = read_header(fd, proxy_header_secs(o), &h, why)) == PROXY_OK &&
	    h.has_addrs) {
		e->peer = h.src;
		e->local = h.dst;
	}
	if (r == PROXY_ERROR)
		*why = strerror(errno);
	return r;
}

void
proxy_client(const struct options *o, const struct addr *peer, char *buf,
    size_t size)
{
	char host[ADDR_STRLEN];

	addr_format_tuple(peer, host, sizeof(host));
	if (o->proxy_protocol)
		snprintf(buf, size, "{%s,%d}", host, addr_port(peer));
	else
		snprintf(buf, size, "%s", host);
}

void
proxy_report(const struct options *o, enum proxy_result r,
    const char *client, const char *why)
{
	if (r == PROXY_TIMEOUT)
		log_say(REPORT_ERROR, getpid(), "Client %s sent no whole PROXY"
		    " header in %d s - closing.", client, proxy_header_secs(o));
	else if (r == PROXY_BAD)
		log_say(REPORT_ERROR, getpid(), "Client %s sent no valid PROXY"
		    " header (%s) - closing.", client, why);
	else
		log_say(REPORT_ERROR, getpid(), "Client %s: %s - closing.",
		    client, why);
}
