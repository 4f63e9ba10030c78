/*
 * pidmap.c -- a pid-keyed hash table with intrusive chaining, in the
 * supervisor's arena (its buckets change with every fork and exit).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "arena.h"
#include "pidmap.h"

#define PIDMAP_INITIAL	64

static size_t
slot(const struct pidmap *m, pid_t pid)
{
	/* Fibonacci hashing, high bits folded down: pids spread evenly. */
	uint32_t h = (uint32_t)pid * 2654435769u;

	return (size_t)(h ^ h >> 16) & (m->nbuckets - 1);
}

int
pidmap_init(struct pidmap *m)
{
	m->nbuckets = PIDMAP_INITIAL;
	m->count = 0;
	m->buckets = arena_alloc(m->nbuckets * sizeof(*m->buckets));
	return m->buckets == NULL ? -1 : 0;
}

void
pidmap_free(struct pidmap *m)
{
	arena_free(m->buckets, m->nbuckets * sizeof(*m->buckets));
	m->buckets = NULL;
	m->nbuckets = m->count = 0;
}

static int
grow(struct pidmap *m)
{
	struct pidmap old = *m;
	struct pidmap_entry *e, *next;

	m->nbuckets = old.nbuckets * 2;
	m->buckets = arena_alloc(m->nbuckets * sizeof(*m->buckets));
	if (m->buckets == NULL) {
		*m = old;
		return -1;
	}
	for (size_t i = 0; i < old.nbuckets; i++) {
		for (e = old.buckets[i]; e != NULL; e = next) {
			size_t s = slot(m, e->pid);

			next = e->next;
			e->next = m->buckets[s];
			m->buckets[s] = e;
		}
	}
	arena_free(old.buckets, old.nbuckets * sizeof(*old.buckets));
	return 0;
}

int
pidmap_insert(struct pidmap *m, struct pidmap_entry *e)
{
	size_t s;

	if (m->count >= m->nbuckets && grow(m) == -1)
		return -1;
	s = slot(m, e->pid);
	e->next = m->buckets[s];
	m->buckets[s] = e;
	m->count++;
	return 0;
}

struct pidmap_entry *
pidmap_find(const struct pidmap *m, pid_t pid)
{
	struct pidmap_entry *e;

	for (e = m->buckets[slot(m, pid)]; e != NULL; e = e->next)
		if (e->pid == pid)
			return e;
	return NULL;
}

struct pidmap_entry *
pidmap_remove(struct pidmap *m, pid_t pid)
{
	struct pidmap_entry **pp, *e;

	for (pp = &m->buckets[slot(m, pid)]; (e = *pp) != NULL; pp = &e->next) {
		if (e->pid == pid) {
			*pp = e->next;
			m->count--;
			return e;
		}
	}
	return NULL;
}

void
pidmap_foreach(const struct pidmap *m,
    void (*fn)(struct pidmap_entry *, void *), void *arg)
{
	struct pidmap_entry *e, *next;

	for (size_t i = 0; i < m->nbuckets; i++) {
		for (e = m->buckets[i]; e != NULL; e = next) {
			next = e->next;
			fn(e, arg);
		}
	}
}
