/*
 * addr.c -- parse and print socket addresses. Pure.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static int
parse_port(const char *s, int *port, const char **errstr)
{
	const char *e = NULL;

	*port = (int)strtonum(s, 0, 65535, &e);
	if (e != NULL) {
		*errstr = "port must be a number from 0 to 65535";
		return -1;
	}
	return 0;
}

static int
parse_host(const char *host, int port, struct addr *a, const char **errstr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	if (strcmp(host, "*") == 0)
		host = "0.0.0.0";
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		a->len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		a->len = sizeof(*sin6);
		return 0;
	}
	*errstr = "address must be a numeric IPv4 or IPv6 address";
	return -1;
}

int
addr_parse(const char *text, struct addr *a, const char **errstr)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *hstart = text;
	size_t hlen;
	int port;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':') {
			*errstr = "expected [IPv6]:PORT";
			return -1;
		}
		hstart = text + 1;
		hlen = (size_t)(close - hstart);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL || memchr(text, ':', (size_t)(colon - text))) {
			*errstr = "expected ADDRESS:PORT (IPv6 as [ADDRESS]:PORT)";
			return -1;
		}
		hlen = (size_t)(colon - text);
	}
	if (hlen == 0 || hlen >= sizeof(host)) {
		*errstr = "missing or overlong address";
		return -1;
	}
	memcpy(host, hstart, hlen);
	host[hlen] = '\0';
	if (parse_port(colon + 1, &port, errstr) == -1)
		return -1;
	return parse_host(host, port, a, errstr);
}

int
addr_port(const struct addr *a)
{
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
}

void
addr_set_port(struct addr *a, int port)
{
	if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
}

void
addr_format(const struct addr *a, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (a->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
		    host, sizeof(host));
		snprintf(buf, size, "[%s]:%d", host, addr_port(a));
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->ss)->sin_addr,
		    host, sizeof(host));
		snprintf(buf, size, "%s:%d", host, addr_port(a));
	}
}

void
addr_format_tuple(const struct addr *a, char *buf, size_t size)
{
	if (a->ss.ss_family == AF_INET6) {
		const uint8_t *b =
		    ((const struct sockaddr_in6 *)&a->ss)->sin6_addr.s6_addr;

		snprintf(buf, size, "{%u,%u,%u,%u,%u,%u,%u,%u}",
		    b[0] << 8 | b[1], b[2] << 8 | b[3], b[4] << 8 | b[5],
		    b[6] << 8 | b[7], b[8] << 8 | b[9], b[10] << 8 | b[11],
		    b[12] << 8 | b[13], b[14] << 8 | b[15]);
	} else {
		const uint8_t *b = (const uint8_t *)
		    &((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr;

		snprintf(buf, size, "{%u,%u,%u,%u}", b[0], b[1], b[2], b[3]);
	}
}
