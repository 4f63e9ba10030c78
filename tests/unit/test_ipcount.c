/*
 * test_ipcount.c -- the per-address connection counts behind --max-per-ip:
 * keys (IPv4, IPv4-mapped IPv6, IPv6 cut to a prefix, other families),
 * the limit, release down to a freed entry, growth to thousands of
 * addresses, and the rate limit of the refusal reports.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <stdio.h>
#include <string.h>

#include "ipcount.h"

static struct ipcount map;

static void
setup(void)
{
	cr_assert_eq(ipcount_init(&map), 0);
}

TestSuite(ipcount, .init = setup);

static struct ipcount_key
key4(const char *text)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct ipcount_key k;

	cr_assert_eq(inet_pton(AF_INET, text, &sin.sin_addr), 1);
	cr_assert(ipcount_key((struct sockaddr *)&sin, 64, &k));
	return k;
}

static struct ipcount_key
key6(const char *text, int prefix)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct ipcount_key k;

	cr_assert_eq(inet_pton(AF_INET6, text, &sin6.sin6_addr), 1);
	cr_assert(ipcount_key((struct sockaddr *)&sin6, prefix, &k));
	return k;
}

static bool
same(struct ipcount_key a, struct ipcount_key b)
{
	return memcmp(&a, &b, sizeof(a)) == 0;
}

Test(ipcount, ipv4_keys_are_the_address)
{
	cr_assert(same(key4("127.0.0.1"), key4("127.0.0.1")));
	cr_assert_not(same(key4("127.0.0.1"), key4("127.0.0.2")));
}

Test(ipcount, ipv4_mapped_ipv6_counts_as_ipv4)
{
	cr_assert(same(key6("::ffff:10.1.2.3", 64), key4("10.1.2.3")));
	cr_assert(same(key6("::ffff:10.1.2.3", 8), key4("10.1.2.3")));
	cr_assert_not(same(key6("::ffff:10.1.2.4", 64), key4("10.1.2.3")));
}

Test(ipcount, ipv6_keys_are_cut_to_the_prefix)
{
	cr_assert(same(key6("2001:db8:1:2:aaaa::1", 64),
	    key6("2001:db8:1:2:bbbb::9", 64)));
	cr_assert_not(same(key6("2001:db8:1:2::1", 64),
	    key6("2001:db8:1:3::1", 64)));
	cr_assert(same(key6("2001:db8:1:2::1", 63), key6("2001:db8:1:3::1", 63)));
	cr_assert(same(key6("2001:db8:ff00::", 40), key6("2001:db8:ff7f::", 41)));
	cr_assert_not(same(key6("2001:db8:ff00::", 41),
	    key6("2001:db8:ff80::", 41)));
	cr_assert(same(key6("::1", 128), key6("::1", 128)));
	cr_assert_not(same(key6("::1", 128), key6("::2", 128)));
	cr_assert(same(key6("::1", 127), key6("::0", 127)));
}

Test(ipcount, other_families_have_no_key)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ipcount_key k;

	cr_assert_not(ipcount_key((struct sockaddr *)&sun, 64, &k));
}

Test(ipcount, the_limit_holds_per_address)
{
	struct ipcount_key a = key4("192.0.2.1"), b = key4("192.0.2.2");
	struct ipcount_entry *e1, *e2, *e3, *eb;

	cr_assert_eq(ipcount_acquire(&map, &a, 2, &e1), IPCOUNT_HELD);
	cr_assert_eq(ipcount_acquire(&map, &a, 2, &e2), IPCOUNT_HELD);
	cr_assert_eq(e1, e2);
	cr_assert_eq(ipcount_acquire(&map, &a, 2, &e3), IPCOUNT_FULL);
	cr_assert_eq(e3, e1);
	cr_assert_eq(e1->count, 2);
	cr_assert_eq(ipcount_acquire(&map, &b, 2, &eb), IPCOUNT_HELD);
	cr_assert_neq(eb, e1);
	cr_assert_eq(map.count, 2);
	/* One leaves: one more may come. */
	ipcount_release(&map, e1);
	cr_assert_eq(ipcount_acquire(&map, &a, 2, &e3), IPCOUNT_HELD);
	cr_assert_eq(ipcount_acquire(&map, &a, 2, &e3), IPCOUNT_FULL);
}

Test(ipcount, an_address_is_forgotten_with_its_last_connection)
{
	struct ipcount_key a = key4("198.51.100.7");
	struct ipcount_entry *e;

	cr_assert_eq(ipcount_acquire(&map, &a, 5, &e), IPCOUNT_HELD);
	cr_assert_eq(ipcount_acquire(&map, &a, 5, &e), IPCOUNT_HELD);
	ipcount_release(&map, e);
	cr_assert_eq(map.count, 1);
	ipcount_release(&map, e);
	cr_assert_eq(map.count, 0);
	cr_assert_eq(ipcount_acquire(&map, &a, 1, &e), IPCOUNT_HELD);
	cr_assert_eq(e->count, 1);
	cr_assert_eq(e->refused, 0);
}

Test(ipcount, thousands_of_addresses_grow_the_table)
{
	static struct ipcount_entry *held[5000];
	char text[32];

	for (int i = 0; i < 5000; i++) {
		struct ipcount_key k;

		snprintf(text, sizeof(text), "10.0.%d.%d", i / 256, i % 256);
		k = key4(text);
		cr_assert_eq(ipcount_acquire(&map, &k, 1, &held[i]), IPCOUNT_HELD);
	}
	cr_assert_eq(map.count, 5000);
	cr_assert_geq(map.nbuckets, 4096);
	for (int i = 0; i < 5000; i++) {
		struct ipcount_entry *e;
		struct ipcount_key k;

		snprintf(text, sizeof(text), "10.0.%d.%d", i / 256, i % 256);
		k = key4(text);
		cr_assert_eq(ipcount_acquire(&map, &k, 1, &e), IPCOUNT_FULL);
		cr_assert_eq(e, held[i]);
	}
	for (int i = 0; i < 5000; i++)
		ipcount_release(&map, held[i]);
	cr_assert_eq(map.count, 0);
}

Test(ipcount, refusals_are_reported_once_per_interval_with_a_count)
{
	struct ipcount_key a = key4("203.0.113.9");
	struct ipcount_entry *e;

	cr_assert_eq(ipcount_acquire(&map, &a, 1, &e), IPCOUNT_HELD);
	/* The first refusal is said at once. */
	cr_assert_eq(ipcount_refuse(e, 100, 5), 1);
	/* The next ones within the interval are counted, not said. */
	cr_assert_eq(ipcount_refuse(e, 101, 5), 0);
	cr_assert_eq(ipcount_refuse(e, 104, 5), 0);
	cr_assert_eq(ipcount_refuse(e, 104, 5), 0);
	/* The first after it says them all, itself included. */
	cr_assert_eq(ipcount_refuse(e, 105, 5), 4);
	cr_assert_eq(ipcount_refuse(e, 106, 5), 0);
	cr_assert_eq(ipcount_refuse(e, 200, 5), 2);
}
