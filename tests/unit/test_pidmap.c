/*
 * test_pidmap.c -- the pid hash table supervisors reap through: insert,
 * find, remove (also of absent pids), chains with collisions, growth past
 * the initial 64 buckets to 10000 children, and foreach visiting each
 * entry exactly once.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "pidmap.h"

#define MANY	10000

static struct pidmap map;

/* An entry embedded in a child, as sup.c does, with a visit counter. */
struct child {
	struct pidmap_entry	entry;
	int			visits;
};

static struct child children[MANY];

static void
setup(void)
{
	cr_assert_eq(pidmap_init(&map), 0);
	memset(children, 0, sizeof(children));
}

static void
teardown(void)
{
	pidmap_free(&map);
}

TestSuite(pidmap, .init = setup, .fini = teardown);

static void
insert(size_t i, pid_t pid)
{
	children[i].entry.pid = pid;
	cr_assert_eq(pidmap_insert(&map, &children[i].entry), 0, "pid %d",
	    (int)pid);
}

static void
count_visit(struct pidmap_entry *e, void *arg)
{
	struct child *c = (struct child *)e;	/* entry is the first member */

	c->visits++;
	(*(size_t *)arg)++;
}

Test(pidmap, init_is_empty)
{
	cr_assert_eq(map.count, 0);
	cr_assert_eq(map.nbuckets, 64);
	cr_assert_null(pidmap_find(&map, 1));
}

Test(pidmap, insert_then_find)
{
	insert(0, 4242);
	cr_assert_eq(map.count, 1);
	cr_assert_eq(pidmap_find(&map, 4242), &children[0].entry);
	cr_assert_null(pidmap_find(&map, 4243));
}

Test(pidmap, remove_returns_the_entry)
{
	insert(0, 4242);
	insert(1, 4243);
	cr_assert_eq(pidmap_remove(&map, 4242), &children[0].entry);
	cr_assert_eq(map.count, 1);
	cr_assert_null(pidmap_find(&map, 4242));
	cr_assert_eq(pidmap_find(&map, 4243), &children[1].entry);
}

Test(pidmap, remove_absent_returns_null)
{
	cr_assert_null(pidmap_remove(&map, 4242), "from an empty map");
	insert(0, 4242);
	cr_assert_null(pidmap_remove(&map, 4243));
	cr_assert_eq(map.count, 1, "count changed by a failed remove");
	cr_assert_not_null(pidmap_remove(&map, 4242));
	cr_assert_null(pidmap_remove(&map, 4242), "removed twice");
	cr_assert_eq(map.count, 0);
}

Test(pidmap, reinsert_after_remove)
{
	insert(0, 4242);
	cr_assert_not_null(pidmap_remove(&map, 4242));
	insert(1, 4242);	/* the kernel reused the pid */
	cr_assert_eq(pidmap_find(&map, 4242), &children[1].entry);
	cr_assert_eq(map.count, 1);
}

Test(pidmap, removal_from_the_middle_of_chains)
{
	/* 200 entries in 64 buckets: chains are inevitable. */
	for (size_t i = 0; i < 200; i++)
		insert(i, (pid_t)(i + 1));
	for (pid_t pid = 2; pid <= 200; pid += 2)
		cr_assert_eq(pidmap_remove(&map, pid),
		    &children[pid - 1].entry, "pid %d", (int)pid);
	cr_assert_eq(map.count, 100);
	for (pid_t pid = 1; pid <= 200; pid++) {
		if (pid % 2 == 1)
			cr_assert_eq(pidmap_find(&map, pid),
			    &children[pid - 1].entry, "pid %d", (int)pid);
		else
			cr_assert_null(pidmap_find(&map, pid), "pid %d",
			    (int)pid);
	}
}

Test(pidmap, grows_past_64_buckets_to_10000)
{
	for (size_t i = 0; i < MANY; i++)
		insert(i, (pid_t)(300 + i * 7));
	cr_assert_eq(map.count, MANY);
	cr_assert_gt(map.nbuckets, 64);
	cr_assert_eq(map.nbuckets & (map.nbuckets - 1), 0,
	    "%zu buckets is not a power of two", map.nbuckets);
	for (size_t i = 0; i < MANY; i++)
		cr_assert_eq(pidmap_find(&map, (pid_t)(300 + i * 7)),
		    &children[i].entry, "entry %zu", i);
	cr_assert_null(pidmap_find(&map, 301));
	cr_assert_null(pidmap_find(&map, (pid_t)(300 + MANY * 7)));
}

Test(pidmap, high_pids_near_pid_max)
{
	/* Linux pid_max is at most 4194304 (2^22). */
	for (size_t i = 0; i < MANY; i++)
		insert(i, (pid_t)(4194303 - i));
	for (size_t i = 0; i < MANY; i++)
		cr_assert_eq(pidmap_find(&map, (pid_t)(4194303 - i)),
		    &children[i].entry, "entry %zu", i);
}

Test(pidmap, remove_all_after_growth)
{
	for (size_t i = 0; i < MANY; i++)
		insert(i, (pid_t)(i + 2));
	for (size_t i = 0; i < MANY; i++)
		cr_assert_eq(pidmap_remove(&map, (pid_t)(i + 2)),
		    &children[i].entry, "entry %zu", i);
	cr_assert_eq(map.count, 0);
	for (size_t i = 0; i < MANY; i++)
		cr_assert_null(pidmap_find(&map, (pid_t)(i + 2)));
}

Test(pidmap, foreach_visits_each_once)
{
	size_t calls = 0;

	for (size_t i = 0; i < MANY; i++)
		insert(i, (pid_t)(1000 + i * 3));
	pidmap_foreach(&map, count_visit, &calls);
	cr_assert_eq(calls, MANY);
	for (size_t i = 0; i < MANY; i++)
		cr_assert_eq(children[i].visits, 1, "entry %zu visited %d times",
		    i, children[i].visits);
}

Test(pidmap, foreach_skips_removed)
{
	size_t calls = 0;

	for (size_t i = 0; i < 100; i++)
		insert(i, (pid_t)(i + 1));
	for (pid_t pid = 1; pid <= 100; pid += 3)
		cr_assert_not_null(pidmap_remove(&map, pid));
	pidmap_foreach(&map, count_visit, &calls);
	cr_assert_eq(calls, map.count);
	for (size_t i = 0; i < 100; i++)
		cr_assert_eq(children[i].visits, i % 3 == 0 ? 0 : 1,
		    "entry %zu", i);
}

Test(pidmap, foreach_on_empty_map)
{
	size_t calls = 0;

	pidmap_foreach(&map, count_visit, &calls);
	cr_assert_eq(calls, 0);
}

Test(pidmap, free_resets)
{
	insert(0, 1);
	pidmap_free(&map);
	cr_assert_null(map.buckets);
	cr_assert_eq(map.count, 0);
	cr_assert_eq(map.nbuckets, 0);
}
