/*
 * proxyhdr.h -- the PROXY protocol's header (HAProxy's proxy-protocol.txt),
 * version 1 (a text line) and version 2 (binary), as a pure parser.
 *
 * A load balancer in front of tcpsup sends it first on each connection to
 * say whom it is forwarding. The parser is fed whatever prefix of the
 * stream has arrived and says whether a header is there, whole, and how
 * long it is; it never does I/O, so every byte can be unit-tested and
 * fuzzed.
 */
#ifndef TCPSUP_PROXYHDR_H
#define TCPSUP_PROXYHDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

/* A v1 line at most, CRLF included (the spec's 107). */
#define PROXYHDR_V1_MAX		107
/* v2: signature, version and command, family, length. */
#define PROXYHDR_V2_FIXED	16
/* The longest header of either version. */
#define PROXYHDR_MAX		(PROXYHDR_V2_FIXED + 65535)

enum proxyhdr_status {
	PROXYHDR_MORE,	/* a valid start: every byte given is header */
	PROXYHDR_DONE,	/* a whole header at the start, len bytes */
	PROXYHDR_BAD	/* not a PROXY header, or a malformed one */
};

struct proxyhdr {
	int		 version;	/* 1 or 2, once known; 0 before */
	size_t		 len;		/* DONE: the header's length */
	/*
	 * MORE: how many bytes to look at next. v1: what the longest line
	 * leaves; v2: up to the length field, then exactly the rest.
	 */
	size_t		 more;
	/*
	 * false for v2 LOCAL (the balancer's own health check), v1 UNKNOWN,
	 * and v2 UNSPEC or AF_UNIX: the connection's own addresses hold.
	 */
	bool		 has_addrs;
	struct addr	 src;		/* the client, if has_addrs */
	struct addr	 dst;		/* the address it connected to */
	const char	*why;		/* BAD: what is wrong, in a few words */
};

/*
 * Look at the first len bytes of a connection. Bytes after a whole header
 * are the client's and are not looked at. On MORE, more is at least 1.
 */
enum proxyhdr_status proxyhdr_parse(const uint8_t *buf, size_t len,
	    struct proxyhdr *);

#endif
