/*
 * test_addr.c -- listen addresses as users type them and peers as reports
 * print them: ADDR:PORT and [IPv6]:PORT parsing, format round trips, ports,
 * the inet tuple form ({127,0,0,1}, IPv6 as an 8-tuple), and bad inputs.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <string.h>

#include "addr.h"

static const char *
fmt(const struct addr *a)
{
	static char buf[ADDR_STRLEN];

	addr_format(a, buf, sizeof(buf));
	return buf;
}

static const char *
tuple(const struct addr *a)
{
	static char buf[ADDR_STRLEN];

	addr_format_tuple(a, buf, sizeof(buf));
	return buf;
}

static struct addr
parse_ok(const char *text)
{
	struct addr a;
	const char *errstr = NULL;

	cr_assert_eq(addr_parse(text, &a, &errstr), 0, "'%s': %s", text,
	    errstr != NULL ? errstr : "(no errstr)");
	return a;
}

/* --- parsing ----------------------------------------------------------- */

Test(addr, parse_ipv4)
{
	struct addr a = parse_ok("127.0.0.1:2222");
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&a.ss;

	cr_assert_eq(a.ss.ss_family, AF_INET);
	cr_assert_eq(a.len, sizeof(struct sockaddr_in));
	cr_assert_eq(sin->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	cr_assert_eq(sin->sin_port, htons(2222));
	cr_assert_eq(addr_port(&a), 2222);
}

Test(addr, parse_ipv6)
{
	struct addr a = parse_ok("[::1]:2222");
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a.ss;

	cr_assert_eq(a.ss.ss_family, AF_INET6);
	cr_assert_eq(a.len, sizeof(struct sockaddr_in6));
	cr_assert(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	cr_assert_eq(sin6->sin6_port, htons(2222));
	cr_assert_eq(addr_port(&a), 2222);
}

Test(addr, parse_star_is_any_ipv4)
{
	struct addr a = parse_ok("*:2222");

	cr_assert_eq(a.ss.ss_family, AF_INET);
	cr_assert_eq(((struct sockaddr_in *)&a.ss)->sin_addr.s_addr,
	    htonl(INADDR_ANY));
	cr_assert_str_eq(fmt(&a), "0.0.0.0:2222");
}

Test(addr, parse_port_bounds)
{
	struct addr a = parse_ok("10.0.0.1:0");

	cr_assert_eq(addr_port(&a), 0);
	a = parse_ok("10.0.0.1:65535");
	cr_assert_eq(addr_port(&a), 65535);
	a = parse_ok("[::]:65535");
	cr_assert_eq(addr_port(&a), 65535);
}

/* --- formatting and round trips ----------------------------------------- */

Test(addr, format_round_trips)
{
	const char *texts[] = {
		"127.0.0.1:2222", "0.0.0.0:0", "255.255.255.255:65535",
		"10.1.2.3:80", "[::1]:2222", "[::]:0", "[fe80::1]:1",
		"[2001:db8::ff00:42:8329]:443", "[::ffff:127.0.0.1]:8080",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct addr a = parse_ok(texts[i]);

		cr_assert_str_eq(fmt(&a), texts[i]);
	}
}

Test(addr, format_is_canonical)
{
	struct addr a = parse_ok("[0:0:0:0:0:0:0:1]:2222");

	cr_assert_str_eq(fmt(&a), "[::1]:2222");
	a = parse_ok("[2001:DB8:0:0:0:0:0:1]:9");
	cr_assert_str_eq(fmt(&a), "[2001:db8::1]:9");
}

Test(addr, format_truncates_safely)
{
	struct addr a = parse_ok("127.0.0.1:2222");
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	addr_format(&a, buf, 5);
	cr_assert_str_eq(buf, "127.");
	cr_assert_eq(buf[5], 'X');
}

Test(addr, set_port_ipv4_and_ipv6)
{
	struct addr a = parse_ok("10.0.0.1:80");

	addr_set_port(&a, 3000);
	cr_assert_eq(addr_port(&a), 3000);
	cr_assert_str_eq(fmt(&a), "10.0.0.1:3000");
	a = parse_ok("[::1]:80");
	addr_set_port(&a, 65535);
	cr_assert_eq(addr_port(&a), 65535);
	cr_assert_str_eq(fmt(&a), "[::1]:65535");
}

/* --- the inet tuple form ----------------------------------------------- */

Test(addr, tuple_ipv4_loopback)
{
	struct addr a = parse_ok("127.0.0.1:53012");

	cr_assert_str_eq(tuple(&a), "{127,0,0,1}");
}

Test(addr, tuple_ipv4_byte_order)
{
	struct addr a = parse_ok("192.168.1.254:1");

	cr_assert_str_eq(tuple(&a), "{192,168,1,254}");
}

Test(addr, tuple_ipv6_loopback)
{
	struct addr a = parse_ok("[::1]:53012");

	cr_assert_str_eq(tuple(&a), "{0,0,0,0,0,0,0,1}");
}

Test(addr, tuple_ipv6_groups_are_decimal)
{
	struct addr a = parse_ok("[2001:db8::ff00:42:8329]:1");

	cr_assert_str_eq(tuple(&a), "{8193,3512,0,0,0,65280,66,33577}");
	a = parse_ok("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:1");
	cr_assert_str_eq(tuple(&a),
	    "{65535,65535,65535,65535,65535,65535,65535,65535}");
}

Test(addr, tuple_ipv4_mapped_ipv6)
{
	/* As inet prints a v4-mapped peer on an IPv6 socket. */
	struct addr a = parse_ok("[::ffff:127.0.0.1]:1");

	cr_assert_str_eq(tuple(&a), "{0,0,0,0,0,65535,32512,1}");
}

Test(addr, tuple_from_accepted_sockaddr)
{
	/* What accept(2) fills in, not what addr_parse built. */
	struct addr a;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.ss;

	memset(&a, 0, sizeof(a));
	sin6->sin6_family = AF_INET6;
	cr_assert_eq(inet_pton(AF_INET6, "fe80::1:2", &sin6->sin6_addr), 1);
	a.len = sizeof(*sin6);
	cr_assert_str_eq(tuple(&a), "{65152,0,0,0,0,0,1,2}");
}

/* --- bad inputs -------------------------------------------------------- */

Test(addr, bad_inputs_are_refused)
{
	const char *bad[] = {
		"", ":", "127.0.0.1", "127.0.0.1:", ":2222", "127.0.0.1:abc",
		"127.0.0.1:22x", "127.0.0.1:65536", "127.0.0.1:-1",
		"127.0.0.1:99999999999999999999", "localhost:2222",
		"example.com:80", "1.2.3:80", "256.0.0.1:80", "1.2.3.4.5:80",
		"::1:2222", "::1", "[::1]", "[::1]2222", "[::1:2222", "[]:2222",
		"[::1]:", "[::1]:65536", "[localhost]:80", "[::g]:80",
		"*:", "**:80",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct addr a;
		const char *errstr = NULL;

		cr_assert_eq(addr_parse(bad[i], &a, &errstr), -1, "'%s' accepted",
		    bad[i]);
		cr_assert_not_null(errstr, "'%s': no errstr", bad[i]);
		cr_assert_neq(errstr[0], '\0', "'%s': empty errstr", bad[i]);
	}
}

Test(addr, overlong_host_is_refused)
{
	char text[200];
	struct addr a;
	const char *errstr = NULL;

	memset(text, '1', sizeof(text));
	memcpy(text + 150, ":2222", 6);
	cr_assert_eq(addr_parse(text, &a, &errstr), -1);
	cr_assert_not_null(errstr);
	text[0] = '[';
	memcpy(text + 140, "]:2222", 7);
	cr_assert_eq(addr_parse(text, &a, &errstr), -1);
}
