/*
 * stats.c -- the shared counters page and its ring of reports (see
 * stats.h).
 *
 * Each counter has a cache line of its own: the listener counts accepts
 * while tcp_client_sup counts forks, and neither should pull the other's
 * line away on every connection.
 */
#include <sys/mman.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stats.h"

struct stats_page {
	struct {
		_Alignas(64) _Atomic uint64_t value;
	}			 counters[STATS_NCOUNTERS];
	int64_t			 started;
	struct stats_ring	 ring;
};

static struct stats_page *page;

int
stats_open(void)
{
	void *p = mmap(NULL, sizeof(*page), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	page = p;
	page->started = (int64_t)time(NULL);
	return 0;
}

void
stats_add(enum stats_counter c)
{
	stats_add_n(c, 1);
}

void
stats_add_n(enum stats_counter c, uint64_t n)
{
	if (page != NULL)
		atomic_fetch_add_explicit(&page->counters[c].value, n,
		    memory_order_relaxed);
}

uint64_t
stats_take(enum stats_counter c)
{
	return page == NULL ? 0 :
	    atomic_exchange_explicit(&page->counters[c].value, 0,
	    memory_order_relaxed);
}

void
stats_set(enum stats_counter c, uint64_t value)
{
	if (page != NULL)
		atomic_store_explicit(&page->counters[c].value, value,
		    memory_order_relaxed);
}

uint64_t
stats_get(enum stats_counter c)
{
	return page == NULL ? 0 :
	    atomic_load_explicit(&page->counters[c].value, memory_order_relaxed);
}

int64_t
stats_started(void)
{
	return page == NULL ? 0 : page->started;
}

void
stats_note_report(const struct report *r)
{
	struct stats_report sr;

	if (page == NULL)
		return;
	/*
	 * Every byte, the text's tail too: the slot is copied whole into the
	 * page all processes share, and none may leave its stack's garbage
	 * there (nor, to valgrind, bytes it takes for undefined when another
	 * process writes a longer text there later).
	 */
	memset(&sr, 0, sizeof(sr));
	stats_add(STATS_REPORTS);
	sr.time = (int64_t)time(NULL);
	sr.kind = r->kind;
	sr.pid = r->message != NULL ? r->pid : getpid();
	report_summary(r, sr.text, sizeof(sr.text));
	stats_ring_put(&page->ring, &sr);
}

size_t
stats_recent(struct stats_report *out)
{
	return page == NULL ? 0 : stats_ring_read(&page->ring, out);
}

/* --- the ring ------------------------------------------------------------ */

/*
 * Claim the slot for ticket t unless a later ticket holds it: a slot left
 * odd by a writer that was killed is taken over by the next one. Two
 * writers share a slot only if one of them stalls while STATS_RING other
 * reports are written; the stalled one may then blur the newer summary,
 * which is a line of text for people, never something the tree acts on.
 */
void
stats_ring_put(struct stats_ring *ring, const struct stats_report *r)
{
	uint64_t t = atomic_fetch_add_explicit(&ring->next, 1,
	    memory_order_relaxed);
	struct stats_slot *s = &ring->slots[t % STATS_RING];
	uint64_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
	uint64_t writing = 2 * t + 1;

	do {
		if (seq >= writing)
			return;
	} while (!atomic_compare_exchange_weak_explicit(&s->seq, &seq, writing,
	    memory_order_acq_rel, memory_order_relaxed));
	atomic_thread_fence(memory_order_release);
	s->report = *r;
	s->report.text[sizeof(s->report.text) - 1] = '\0';
	atomic_compare_exchange_strong_explicit(&s->seq, &writing, writing + 1,
	    memory_order_release, memory_order_relaxed);
}

size_t
stats_ring_read(struct stats_ring *ring, struct stats_report *out)
{
	uint64_t next = atomic_load_explicit(&ring->next, memory_order_acquire);
	uint64_t t = next > STATS_RING ? next - STATS_RING : 0;
	size_t n = 0;

	for (; t < next; t++) {
		struct stats_slot *s = &ring->slots[t % STATS_RING];
		uint64_t whole = 2 * t + 2;

		if (atomic_load_explicit(&s->seq, memory_order_acquire) != whole)
			continue;	/* being written, torn, or newer */
		out[n] = s->report;
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&s->seq, memory_order_relaxed) != whole)
			continue;
		out[n].text[sizeof(out[n].text) - 1] = '\0';
		n++;
	}
	return n;
}
