/*
 * arena.h -- memory a supervisor keeps for itself, apart from the heap.
 *
 * A supervisor writes its bookkeeping (child records, pid tables) between
 * every two forks. Had that lived on the heap, each child would keep a
 * private copy of every heap page the supervisor wrote after its fork, and
 * pay for it. Allocated here instead, it sits in one mapping that a freshly
 * forked child drops at once with arena_release(): a child owns only the
 * pages it writes itself.
 */
#ifndef TCPSUP_ARENA_H
#define TCPSUP_ARENA_H

#include <stddef.h>

/* Zeroed memory of at least size bytes; NULL (errno set) if none is left. */
void	*arena_alloc(size_t size);

/* Give back what arena_alloc(size) returned, with the same size. */
void	 arena_free(void *, size_t size);

/*
 * In a child after fork: unmap the parent's arena, writing nothing. The
 * next arena_alloc() maps a new one, for a child that becomes a supervisor
 * itself.
 */
void	 arena_release(void);

#endif
