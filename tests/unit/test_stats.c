/*
 * test_stats.c -- the shared counters page and its ring of reports: the
 * ring's order and wrap, slots that a dead or stalled writer left behind,
 * and several processes counting and writing reports into one page at
 * once.
 */
#include <criterion/criterion.h>

#include <sys/wait.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stats.h"

/* --- the ring ------------------------------------------------------------ */

static struct stats_ring ring;
static struct stats_report out[STATS_RING];

static void
put(int n)
{
	struct stats_report r = { .time = 1000 + n, .kind = REPORT_INFO,
	    .pid = 100 + n };

	snprintf(r.text, sizeof(r.text), "report %d", n);
	stats_ring_put(&ring, &r);
}

Test(ring, empty)
{
	cr_assert_eq(stats_ring_read(&ring, out), 0);
}

Test(ring, oldest_first)
{
	for (int i = 0; i < 3; i++)
		put(i);
	cr_assert_eq(stats_ring_read(&ring, out), 3);
	for (int i = 0; i < 3; i++) {
		char text[32];

		snprintf(text, sizeof(text), "report %d", i);
		cr_assert_str_eq(out[i].text, text);
		cr_assert_eq(out[i].time, 1000 + i);
		cr_assert_eq(out[i].pid, 100 + i);
		cr_assert_eq(out[i].kind, REPORT_INFO);
	}
}

Test(ring, keeps_the_last_sixteen)
{
	for (int i = 0; i < 20; i++)
		put(i);
	cr_assert_eq(stats_ring_read(&ring, out), STATS_RING);
	for (int i = 0; i < STATS_RING; i++) {
		char text[32];

		snprintf(text, sizeof(text), "report %d", i + 4);
		cr_assert_str_eq(out[i].text, text);
	}
}

Test(ring, a_slot_being_written_is_skipped)
{
	for (int i = 0; i < 3; i++)
		put(i);
	/* Ticket 1 half written: its seq is odd. */
	atomic_store(&ring.slots[1].seq, 2 * 1 + 1);
	cr_assert_eq(stats_ring_read(&ring, out), 2);
	cr_assert_str_eq(out[0].text, "report 0");
	cr_assert_str_eq(out[1].text, "report 2");
}

Test(ring, a_dead_writers_slot_is_taken_over)
{
	put(0);
	/* Its writer was killed after claiming it: odd for ever. */
	atomic_store(&ring.slots[0].seq, 1);
	for (int i = 1; i <= STATS_RING; i++)
		put(i);
	cr_assert_eq(stats_ring_read(&ring, out), STATS_RING);
	cr_assert_str_eq(out[0].text, "report 1");
	cr_assert_str_eq(out[STATS_RING - 1].text, "report 16");
}

Test(ring, a_stalled_writer_leaves_a_newer_report_alone)
{
	struct stats_report newer = { .text = "newer" };

	/* Ticket 16 took slot 0 while the writer of ticket 0 stalled. */
	ring.slots[0].report = newer;
	atomic_store(&ring.slots[0].seq, 2 * 16 + 2);
	put(0);
	cr_assert_str_eq(ring.slots[0].report.text, "newer");
	cr_assert_eq(atomic_load(&ring.slots[0].seq), 2 * 16 + 2);
	/* And the reader, at ticket 0, does not take it for report 0. */
	cr_assert_eq(stats_ring_read(&ring, out), 0);
}

Test(ring, text_is_always_terminated)
{
	struct stats_report r;

	memset(&r, 'x', sizeof(r));
	stats_ring_put(&ring, &r);
	cr_assert_eq(stats_ring_read(&ring, out), 1);
	cr_assert_eq(strlen(out[0].text), STATS_TEXT_MAX - 1);
}

/* --- the shared page ----------------------------------------------------- */

Test(page, nothing_counts_before_it_is_mapped)
{
	struct report r = report_message(REPORT_INFO, 1, "lost");
	struct stats_report recent[STATS_RING];

	stats_add(STATS_ACCEPTED);
	stats_note_report(&r);
	cr_assert_eq(stats_get(STATS_ACCEPTED), 0);
	cr_assert_eq(stats_get(STATS_REPORTS), 0);
	cr_assert_eq(stats_recent(recent), 0);
	cr_assert_eq(stats_started(), 0);
}

Test(page, counters)
{
	time_t before = time(NULL);

	cr_assert_eq(stats_open(), 0);
	cr_assert(stats_started() >= before && stats_started() <= time(NULL));
	stats_add(STATS_FORKS);
	stats_add(STATS_FORKS);
	stats_set(STATS_CLIENTS, 7);
	cr_assert_eq(stats_get(STATS_FORKS), 2);
	cr_assert_eq(stats_get(STATS_CLIENTS), 7);
	stats_set(STATS_CLIENTS, 0);
	cr_assert_eq(stats_get(STATS_CLIENTS), 0);
	cr_assert_eq(stats_get(STATS_ACCEPTED), 0);
}

Test(page, take_reads_and_clears)
{
	cr_assert_eq(stats_open(), 0);
	stats_add_n(STATS_DROPPED_UNTOLD, 5);
	stats_add(STATS_DROPPED_UNTOLD);
	cr_assert_eq(stats_take(STATS_DROPPED_UNTOLD), 6);
	cr_assert_eq(stats_take(STATS_DROPPED_UNTOLD), 0);
	cr_assert_eq(stats_get(STATS_DROPPED_UNTOLD), 0);
}

/* Leave 0xaa where the next call's locals will be. */
static void __attribute__((noinline))
dirty_stack(void)
{
	volatile char junk[4096];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (char)0xaa;
}

/*
 * A slot is copied whole into the page every process shares: nothing of
 * the writer's stack after its text (which valgrind also took for bytes
 * never written when another process wrote a longer text there).
 */
Test(page, a_report_leaves_nothing_after_its_text)
{
	struct report r = report_message(REPORT_INFO, 1, "short");
	struct stats_report recent[STATS_RING];
	size_t n, len;

	cr_assert_eq(stats_open(), 0);
	dirty_stack();
	stats_note_report(&r);
	cr_assert_eq(n = stats_recent(recent), 1);
	cr_assert_str_eq(recent[0].text, "short");
	len = strlen(recent[0].text);
	for (size_t i = len; i < sizeof(recent[0].text); i++)
		cr_assert_eq(recent[0].text[i], '\0', "byte %zu: %#x", i,
		    (unsigned char)recent[0].text[i]);
}

#define WRITERS		4
#define PER_WRITER	2000

static void
writer(void)
{
	for (int i = 0; i < PER_WRITER; i++) {
		char msg[64];
		struct report r;

		snprintf(msg, sizeof(msg), "writer %d says %d", (int)getpid(), i);
		r = report_message(REPORT_ERROR, getpid(), msg);
		stats_add(STATS_ACCEPTED);
		stats_note_report(&r);
	}
	_exit(0);
}

Test(page, processes_write_at_once_and_nothing_is_torn)
{
	struct stats_report recent[STATS_RING];
	pid_t pids[WRITERS];
	size_t n;

	cr_assert_eq(stats_open(), 0);
	for (int i = 0; i < WRITERS; i++) {
		cr_assert_neq(pids[i] = fork(), -1);
		if (pids[i] == 0)
			writer();
	}
	/* Read while they write: every slot kept must be whole. */
	for (int round = 0; round < 2000; round++) {
		n = stats_recent(recent);
		for (size_t i = 0; i < n; i++) {
			int pid, seq;

			cr_assert_eq(sscanf(recent[i].text, "writer %d says %d",
			    &pid, &seq), 2, "torn: %s", recent[i].text);
			cr_assert_eq(pid, recent[i].pid, "torn: %s", recent[i].text);
		}
	}
	for (int i = 0; i < WRITERS; i++) {
		int status;

		cr_assert_eq(waitpid(pids[i], &status, 0), pids[i]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	cr_assert_eq(stats_get(STATS_ACCEPTED), WRITERS * PER_WRITER);
	cr_assert_eq(stats_get(STATS_REPORTS), WRITERS * PER_WRITER);
	cr_assert_eq(stats_recent(recent), STATS_RING);
	for (size_t i = 0; i < STATS_RING; i++)
		cr_assert_eq(recent[i].kind, REPORT_ERROR);
}
