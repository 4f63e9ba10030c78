/*
 * ipcount.c -- connections per client address, in the supervisor's arena
 * (its entries change with every connection). Chained hashing; an entry
 * lives exactly as long as its address has a connection, so the table
 * holds no more entries than there are clients.
 */
#include <netinet/in.h>

#include <string.h>

#include "arena.h"
#include "ipcount.h"

#define IPCOUNT_INITIAL	64

static const uint8_t v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

bool
ipcount_key(const struct sockaddr *sa, int prefix6, struct ipcount_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		memcpy(k->bytes, v4mapped, sizeof(v4mapped));
		memcpy(k->bytes + 12,
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family != AF_INET6)
		return false;
	memcpy(k->bytes,
	    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
	/* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d. */
	if (memcmp(k->bytes, v4mapped, sizeof(v4mapped)) == 0)
		return true;
	for (int bit = prefix6; bit < 128; bit++)
		k->bytes[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
	return true;
}

static size_t
slot(const struct ipcount *m, const struct ipcount_key *k)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < sizeof(k->bytes); i++)
		h = (h ^ k->bytes[i]) * 16777619u;
	return (size_t)(h ^ h >> 16) & (m->nbuckets - 1);
}

int
ipcount_init(struct ipcount *m)
{
	m->nbuckets = IPCOUNT_INITIAL;
	m->count = 0;
	m->buckets = arena_alloc(m->nbuckets * sizeof(*m->buckets));
	return m->buckets == NULL ? -1 : 0;
}

static int
grow(struct ipcount *m)
{
	struct ipcount old = *m;
	struct ipcount_entry *e, *next;

	m->nbuckets = old.nbuckets * 2;
	if ((m->buckets = arena_alloc(m->nbuckets * sizeof(*m->buckets))) ==
	    NULL) {
		*m = old;
		return -1;
	}
	for (size_t i = 0; i < old.nbuckets; i++)
		for (e = old.buckets[i]; e != NULL; e = next) {
			size_t s = slot(m, &e->key);

			next = e->next;
			e->next = m->buckets[s];
			m->buckets[s] = e;
		}
	arena_free(old.buckets, old.nbuckets * sizeof(*old.buckets));
	return 0;
}

static struct ipcount_entry *
find(const struct ipcount *m, const struct ipcount_key *k)
{
	struct ipcount_entry *e;

	for (e = m->buckets[slot(m, k)]; e != NULL; e = e->next)
		if (memcmp(&e->key, k, sizeof(*k)) == 0)
			return e;
	return NULL;
}

enum ipcount_result
ipcount_acquire(struct ipcount *m, const struct ipcount_key *k, unsigned max,
    struct ipcount_entry **ep)
{
	struct ipcount_entry *e = find(m, k);
	size_t s;

	if (e != NULL) {
		*ep = e;
		if (e->count >= max)
			return IPCOUNT_FULL;
		e->count++;
		return IPCOUNT_HELD;
	}
	/* A full table still serves: its chains only get longer. */
	if (m->count >= m->nbuckets)
		grow(m);
	if ((e = arena_alloc(sizeof(*e))) == NULL)
		return IPCOUNT_NOMEM;
	e->key = *k;
	e->count = 1;
	s = slot(m, k);
	e->next = m->buckets[s];
	m->buckets[s] = e;
	m->count++;
	*ep = e;
	return IPCOUNT_HELD;
}

void
ipcount_release(struct ipcount *m, struct ipcount_entry *e)
{
	struct ipcount_entry **pp;

	if (--e->count > 0)
		return;
	for (pp = &m->buckets[slot(m, &e->key)]; *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			m->count--;
			arena_free(e, sizeof(*e));
			return;
		}
}

unsigned
ipcount_refuse(struct ipcount_entry *e, long long now, int interval)
{
	unsigned n;

	e->refused++;
	if (e->ever_reported && now - e->reported < interval)
		return 0;
	n = e->refused;
	e->refused = 0;
	e->reported = now;
	e->ever_reported = true;
	return n;
}
