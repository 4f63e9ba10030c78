/*
 * addr.h -- socket addresses as users type them and as reports print them.
 */
#ifndef TCPSUP_ADDR_H
#define TCPSUP_ADDR_H

#include <sys/socket.h>

#include <stddef.h>

struct addr {
	struct sockaddr_storage	ss;
	socklen_t		len;
};

/* Longest text of any formatter below, NUL included. */
#define ADDR_STRLEN	64

/*
 * Parse "127.0.0.1:2222", "[::1]:2222" or "*:2222" (any IPv4 address).
 * Numeric addresses only: the daemon must not depend on a resolver.
 * Returns 0, or -1 with *errstr saying what is wrong.
 */
int	addr_parse(const char *, struct addr *, const char **errstr);

int	addr_port(const struct addr *);
void	addr_set_port(struct addr *, int port);

/* "127.0.0.1:2222" or "[::1]:2222". */
void	addr_format(const struct addr *, char *buf, size_t size);

/* The host as inet prints it: {127,0,0,1}, or an 8-tuple for IPv6. */
void	addr_format_tuple(const struct addr *, char *buf, size_t size);

#endif
