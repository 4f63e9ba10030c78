/*
 * pidmap.h -- children by pid in O(1): a chained hash table whose links
 * live in the children themselves, so adding a child never allocates
 * except when the table doubles.
 */
#ifndef TCPSUP_PIDMAP_H
#define TCPSUP_PIDMAP_H

#include <sys/types.h>

#include <stddef.h>

struct pidmap_entry {
	pid_t			 pid;
	struct pidmap_entry	*next;
};

struct pidmap {
	struct pidmap_entry	**buckets;
	size_t			  nbuckets;	/* a power of two */
	size_t			  count;
};

int	pidmap_init(struct pidmap *);
void	pidmap_free(struct pidmap *);

/* Returns -1 if the table had to grow and could not; e->pid is the key. */
int	pidmap_insert(struct pidmap *, struct pidmap_entry *);
struct pidmap_entry *pidmap_find(const struct pidmap *, pid_t);
struct pidmap_entry *pidmap_remove(struct pidmap *, pid_t);

/* Call fn on every entry; fn must not change the map. */
void	pidmap_foreach(const struct pidmap *,
	    void (*fn)(struct pidmap_entry *, void *), void *);

#endif
