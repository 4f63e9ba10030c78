/*
 * ipcount.h -- connections served now per client address, for
 * --max-per-ip: a hash table in the supervisor's arena, one entry per
 * address that has a connection, freed with its last one. Pure: no I/O,
 * no clock (the caller passes the time).
 */
#ifndef TCPSUP_IPCOUNT_H
#define TCPSUP_IPCOUNT_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 address as ::ffff:a.b.c.d, an IPv6 one cut to its prefix. */
struct ipcount_key {
	uint8_t	bytes[16];
};

struct ipcount_entry {
	struct ipcount_entry	*next;
	struct ipcount_key	 key;
	unsigned		 count;		/* connections served now */
	unsigned		 refused;	/* closed since the last report */
	long long		 reported;	/* when that was, in seconds */
	bool			 ever_reported;
};

struct ipcount {
	struct ipcount_entry	**buckets;
	size_t			  nbuckets;	/* a power of two */
	size_t			  count;	/* entries: addresses */
};

enum ipcount_result { IPCOUNT_HELD, IPCOUNT_FULL, IPCOUNT_NOMEM };

int	ipcount_init(struct ipcount *);

/*
 * The key of an AF_INET or AF_INET6 address, an IPv4-mapped IPv6 one
 * counted as the IPv4 address it is; false for any other family.
 */
bool	ipcount_key(const struct sockaddr *, int prefix6, struct ipcount_key *);

/*
 * One more connection from key, unless it has max already: IPCOUNT_HELD
 * (*e is its entry, to release when it ends), IPCOUNT_FULL (*e is the
 * entry, unchanged), or IPCOUNT_NOMEM.
 */
enum ipcount_result ipcount_acquire(struct ipcount *, const struct ipcount_key *,
	    unsigned max, struct ipcount_entry **e);

/* A connection held by e ended; e is freed with its last one. */
void	ipcount_release(struct ipcount *, struct ipcount_entry *e);

/*
 * Count a connection refused for e at now (seconds). Returns how many to
 * report now, counting this one: one report per address and interval.
 * Zero means the count is kept for the next report.
 */
unsigned ipcount_refuse(struct ipcount_entry *e, long long now, int interval);

#endif
