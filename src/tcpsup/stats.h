/*
 * stats.h -- the application's counters and its last reports, in one page
 * that every process of the tree shares: the root maps it before its first
 * fork, whoever knows a fact adds it with an atomic operation, and the
 * root's control socket reads it to answer `stats`.
 *
 * It never takes a lock, so a process killed while writing blocks nobody:
 * at worst the ring slot it was writing is skipped by the reader. Counting
 * a connection costs a relaxed atomic add, no more.
 */
#ifndef TCPSUP_STATS_H
#define TCPSUP_STATS_H

#include <sys/types.h>

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "report.h"

enum stats_counter {
	STATS_ACCEPTED,		/* sockets the listener accepted */
	STATS_FORKS,		/* workers tcp_client_sup started */
	STATS_CLIENTS,		/* workers serving a client now */
	STATS_RESTARTS,		/* restarts any supervisor made */
	STATS_REPORTS,		/* reports any process wrote */
	STATS_DROPPED,		/* reports lost: stderr would have blocked */
	STATS_DROPPED_UNTOLD,	/* of those, not yet counted in a report */
	STATS_NCOUNTERS
};

#define STATS_RING	16	/* reports kept */
#define STATS_TEXT_MAX	160	/* a report's summary, with its NUL */

/* One report as the ring keeps it. */
struct stats_report {
	int64_t		 time;		/* unix seconds */
	enum report_kind kind;
	pid_t		 pid;		/* who wrote it */
	char		 text[STATS_TEXT_MAX];
};

/*
 * The ring, written by every process at once. A writer takes a ticket
 * from next; ticket t goes to slot t % STATS_RING, whose seq is 2t+1 while
 * t is written there and 2t+2 once it is whole. A reader keeps a slot only
 * if seq says 2t+2 before and after its copy.
 */
struct stats_slot {
	_Atomic uint64_t	 seq;
	struct stats_report	 report;
};

struct stats_ring {
	_Atomic uint64_t	 next;
	struct stats_slot	 slots[STATS_RING];
};

/*
 * Map the shared page; until then, and if it fails (-1, errno set),
 * counting and noting reports do nothing.
 */
int	 stats_open(void);

void	 stats_add(enum stats_counter);
void	 stats_add_n(enum stats_counter, uint64_t);
/* Read the counter and set it to 0, at once. */
uint64_t stats_take(enum stats_counter);
void	 stats_set(enum stats_counter, uint64_t);
uint64_t stats_get(enum stats_counter);
/* When stats_open() ran: the application's start, unix seconds. */
int64_t	 stats_started(void);

/* Count a report and keep its summary in the ring: log.c's hook. */
void	 stats_note_report(const struct report *);
/* The ring's whole reports, oldest first; out has room for STATS_RING. */
size_t	 stats_recent(struct stats_report *out);

/* The ring itself, for any memory (the page's, or a test's). */
void	 stats_ring_put(struct stats_ring *, const struct stats_report *);
size_t	 stats_ring_read(struct stats_ring *, struct stats_report *out);

#endif
