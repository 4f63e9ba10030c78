/*
 * arena.h -- memory a supervisor keeps for itself, apart from the heap.
 *
 * A supervisor writes its bookkeeping (child records, pid tables) between
 * every two forks. On the heap, that would cost twice: fork would copy the
 * page tables of all of it and write-protect it, so that the supervisor's
 * next writes fault and copy, and each child would keep a private copy of
 * every page written after its fork. The arena is one mapping marked
 * MADV_DONTFORK: children do not get it at all. A child must therefore not
 * touch anything allocated here; what it needs is copied before fork.
 */
#ifndef TCPSUP_ARENA_H
#define TCPSUP_ARENA_H

#include <stddef.h>

/*
 * Zeroed memory of at least size bytes; NULL (errno set) if none is left.
 * In a child that becomes a supervisor itself, the first call maps an
 * arena of its own.
 */
void	*arena_alloc(size_t size);

/* Give back what arena_alloc(size) returned, with the same size. */
void	 arena_free(void *, size_t size);

/*
 * In a child, first thing after the fork: the kernel left the parent's
 * arena out (MADV_DONTFORK), but a process that keeps its own map of the
 * address space believes it is still there: valgrind, whose leak check at
 * the child's exit then reads the whole reservation, faulting on every
 * page (minutes per worker). Unmapping the absent range tells it; to the
 * kernel it is a no-op. Nothing is written, so no page gets copied.
 */
void	 arena_forget(void);

#endif
