/*
 * arena.c -- a supervisor's own memory: one lazily reserved mapping, carved
 * into power-of-two blocks with a free list per size. Untouched pages of
 * the reservation cost nothing.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"

/*
 * Under valgrind (-Dstatic=false, scripts/memcheck), each block is a chunk
 * of a memory pool that memcheck checks as it checks malloc's: reads of
 * freed or never allocated blocks, and blocks nobody points to (leaks).
 * Elsewhere those requests are nothing.
 */
#ifdef TCPSUP_MEMCHECK
#include <valgrind/memcheck.h>
#else
#define VALGRIND_CREATE_MEMPOOL(pool, redzone, zeroed)	((void)0)
#define VALGRIND_DESTROY_MEMPOOL(pool)			((void)0)
#define VALGRIND_MEMPOOL_ALLOC(pool, addr, size)		((void)0)
#define VALGRIND_MEMPOOL_FREE(pool, addr)		((void)0)
#define VALGRIND_MAKE_MEM_DEFINED(addr, len)		((void)0)
#define VALGRIND_MAKE_MEM_NOACCESS(addr, len)		((void)0)
#endif

#define ARENA_RESERVE	((size_t)1 << 30)	/* address space, not memory */
#define ARENA_MIN_SHIFT	4			/* 16-byte blocks */
#define ARENA_CLASSES	27			/* up to 1 GiB */

struct block {
	struct block	*next;
};

/* At the start of the mapping, so that its writes are dropped with it. */
struct arena {
	size_t		 used;
	struct block	*free[ARENA_CLASSES];
};

/*
 * The only static state: written when a process maps its arena, never
 * after, so a child forked later does not pay for a page of it. A child
 * has no arena mapped (MADV_DONTFORK): the owner's pid tells it so.
 */
static struct arena	*arena;
static pid_t		 arena_owner;

void
arena_forget(void)
{
	if (arena != NULL) {
		VALGRIND_DESTROY_MEMPOOL(arena);
		munmap(arena, ARENA_RESERVE);
	}
}

/* This process's arena, mapped on first use (after a fork, anew). */
static struct arena *
arena_get(void)
{
	void *base;

	if (arena != NULL && arena_owner == getpid())
		return arena;
	base = mmap(NULL, ARENA_RESERVE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (madvise(base, ARENA_RESERVE, MADV_DONTFORK) == -1) {
		munmap(base, ARENA_RESERVE);
		return NULL;
	}
	arena = base;
	arena_owner = getpid();
	arena->used = sizeof(*arena);
	VALGRIND_CREATE_MEMPOOL(arena, 0, 1);
	VALGRIND_MAKE_MEM_NOACCESS((uint8_t *)arena + arena->used,
	    ARENA_RESERVE - arena->used);
	return arena;
}

static int
class_of(size_t size)
{
	int c = 0;

	while (((size_t)1 << (c + ARENA_MIN_SHIFT)) < size)
		c++;
	return c;
}

void *
arena_alloc(size_t size)
{
	int c = class_of(size);
	size_t bytes = (size_t)1 << (c + ARENA_MIN_SHIFT);
	struct arena *a = arena_get();
	struct block *b;

	if (a == NULL)
		return NULL;
	if (c >= ARENA_CLASSES) {
		errno = ENOMEM;
		return NULL;
	}
	if ((b = a->free[c]) != NULL) {
		VALGRIND_MAKE_MEM_DEFINED(b, sizeof(*b));
		a->free[c] = b->next;
		VALGRIND_MEMPOOL_ALLOC(a, b, size);
		memset(b, 0, size);
		return b;
	}
	/* Aligned to their size: no block straddles more pages than it must. */
	a->used = (a->used + bytes - 1) & ~(bytes - 1);
	if (a->used + bytes > ARENA_RESERVE) {
		errno = ENOMEM;
		return NULL;
	}
	b = (struct block *)((uint8_t *)a + a->used);
	a->used += bytes;
	VALGRIND_MEMPOOL_ALLOC(a, b, size);
	return b;	/* fresh pages of the mapping are zero */
}

void
arena_free(void *p, size_t size)
{
	int c = class_of(size);
	struct block *b = p;

	if (p == NULL)
		return;
	VALGRIND_MEMPOOL_FREE(arena, b);
	/* The link alone, written and hidden again: the rest stays freed. */
	VALGRIND_MAKE_MEM_DEFINED(b, sizeof(*b));
	b->next = arena->free[c];
	VALGRIND_MAKE_MEM_NOACCESS(b, sizeof(*b));
	arena->free[c] = b;
}
