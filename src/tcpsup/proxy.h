/*
 * proxy.h -- who a connection's client is, as a worker tells it: behind a
 * load balancer speaking the PROXY protocol (--proxy-protocol), the client
 * the balancer's header names; otherwise the socket's own peer.
 */
#ifndef TCPSUP_PROXY_H
#define TCPSUP_PROXY_H

#include "addr.h"
#include "options.h"

/* The header's deadline when --frame-timeout is infinity, in seconds. */
#define PROXY_HEADER_SECS	30

struct endpoints {
	struct addr	peer;	/* the client */
	/*
	 * The address the client connected to, when a header named it;
	 * else AF_UNSPEC with len 0, and getsockname(2) tells.
	 */
	struct addr	local;
};

enum proxy_result {
	PROXY_OK,
	PROXY_CLOSED,	/* the peer left before its first byte */
	PROXY_TIMEOUT,	/* no whole header within proxy_header_secs() */
	PROXY_BAD,	/* not a valid header: why says what */
	PROXY_ERROR	/* the socket failed: why is strerror's */
};

/* Longest text proxy_client() writes: {Address,Port} at most. */
#define PROXY_CLIENT_STRLEN	(ADDR_STRLEN + 16)

/* How long a header may take to arrive whole, in seconds. */
int	proxy_header_secs(const struct options *);

/*
 * The endpoints of connection fd, for reports, titles and a program's
 * environment. With --proxy-protocol, a header (v1 or v2) must come first:
 * it is read and consumed here, not one byte past it, so the client's
 * first bytes stay in the socket for whoever serves it. On anything but
 * PROXY_OK, e->peer is the socket's (the balancer's), for the report.
 * Reads only the socket: fits the worker's sandbox.
 */
enum proxy_result proxy_endpoints(int fd, const struct options *,
	    struct endpoints *e, const char **why);

/*
 * How reports name the client peer: {127,0,0,1} as the tutorial does, or
 * with --proxy-protocol {{127,0,0,1},56324}, as inet:peername/1 returns
 * it: the port is what finds the connection in the balancer's own log.
 */
void	proxy_client(const struct options *, const struct addr *peer,
	    char *buf, size_t size);

/*
 * The ERROR REPORT of a connection closed for its header (r neither
 * PROXY_OK nor PROXY_CLOSED), client as proxy_client() names it.
 */
void	proxy_report(const struct options *, enum proxy_result r,
	    const char *client, const char *why);

#endif
