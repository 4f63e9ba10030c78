/*
 * test_proxyhdr.c -- the PROXY protocol header parser: v1 TCP4, TCP6 and
 * UNKNOWN; v2 PROXY and LOCAL over IPv4 and IPv6, UNSPEC and AF_UNIX, TLVs
 * skipped; every prefix of a good header asks for more and never for more
 * than the header holds; and each malformed or truncated form is refused.
 * Every input is parsed from a heap copy of its exact size, so that a
 * sanitizer build catches a read past it.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "proxyhdr.h"

static struct proxyhdr h;

static enum proxyhdr_status
parse(const void *bytes, size_t len)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	enum proxyhdr_status st;

	cr_assert_not_null(copy);
	memcpy(copy, bytes, len);
	st = proxyhdr_parse(copy, len, &h);
	free(copy);
	return st;
}

static enum proxyhdr_status
parse_str(const char *s)
{
	return parse(s, strlen(s));
}

static const char *
text(const struct addr *a)
{
	static char buf[2][ADDR_STRLEN];
	static int i;

	i = !i;
	addr_format(a, buf[i], sizeof(buf[i]));
	return buf[i];
}

static void
assert_bad(const void *bytes, size_t len, const char *why)
{
	cr_assert_eq(parse(bytes, len), PROXYHDR_BAD, "expected BAD (%s)", why);
	cr_assert_not_null(h.why);
	cr_assert_not_null(strstr(h.why, why), "why: '%s', expected '%s'",
	    h.why, why);
}

static void
assert_bad_str(const char *s, const char *why)
{
	assert_bad(s, strlen(s), why);
}

/*
 * Every proper prefix of a good header of len bytes is MORE, asking for
 * at least one byte and, once the header's length is known, exactly the
 * rest of it; the header is DONE on its last byte.
 */
static void
assert_prefixes(const uint8_t *hdr, size_t len, size_t known_from)
{
	for (size_t n = 0; n < len; n++) {
		cr_assert_eq(parse(hdr, n), PROXYHDR_MORE, "prefix of %zu", n);
		cr_assert_geq(h.more, 1);
		if (n >= known_from)
			cr_assert_eq(h.more, len - n, "prefix of %zu", n);
		else
			cr_assert_leq(n + h.more, PROXYHDR_V1_MAX > len ?
			    PROXYHDR_V1_MAX : len, "prefix of %zu", n);
	}
	cr_assert_eq(parse(hdr, len), PROXYHDR_DONE);
	cr_assert_eq(h.len, len);
}

/* --- v1 ------------------------------------------------------------- */

Test(proxyhdr, v1_tcp4_and_what_follows_is_not_header)
{
	const char *s = "PROXY TCP4 192.0.2.7 198.51.100.1 56324 2222\r\n"
	    "\0\2hi";

	cr_assert_eq(parse(s, strlen(s) + 4), PROXYHDR_DONE);
	cr_assert_eq(h.version, 1);
	cr_assert_eq(h.len, strlen(s));
	cr_assert(h.has_addrs);
	cr_assert_str_eq(text(&h.src), "192.0.2.7:56324");
	cr_assert_str_eq(text(&h.dst), "198.51.100.1:2222");
	cr_assert_eq(h.src.len, sizeof(struct sockaddr_in));
}

Test(proxyhdr, v1_tcp6)
{
	cr_assert_eq(parse_str("PROXY TCP6 2001:db8::1 ::1 65535 0\r\n"),
	    PROXYHDR_DONE);
	cr_assert(h.has_addrs);
	cr_assert_str_eq(text(&h.src), "[2001:db8::1]:65535");
	cr_assert_str_eq(text(&h.dst), "[::1]:0");
	cr_assert_eq(h.src.ss.ss_family, AF_INET6);
}

Test(proxyhdr, v1_unknown_uses_the_connections_addresses)
{
	cr_assert_eq(parse_str("PROXY UNKNOWN\r\n"), PROXYHDR_DONE);
	cr_assert_eq(h.len, 15);
	cr_assert_not(h.has_addrs);
	/* What follows UNKNOWN is ignored, as the spec says. */
	cr_assert_eq(parse_str("PROXY UNKNOWN ffff::1 whatever 1 2\r\n"),
	    PROXYHDR_DONE);
	cr_assert_not(h.has_addrs);
	assert_bad_str("PROXY UNKNOWNX\r\n", "five fields");
}

Test(proxyhdr, v1_longest_line_is_107_bytes)
{
	/* The spec's worst case: UNKNOWN with the longest addresses. */
	const char *longest = "PROXY UNKNOWN "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
	char over[PROXYHDR_V1_MAX + 2];

	cr_assert_eq(strlen(longest), PROXYHDR_V1_MAX);
	cr_assert_eq(parse_str(longest), PROXYHDR_DONE);
	cr_assert_eq(h.len, PROXYHDR_V1_MAX);
	cr_assert_eq(parse_str("PROXY TCP6 "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
	    PROXYHDR_DONE);
	cr_assert(h.has_addrs);
	/* A longer line, with or without its CRLF in reach. */
	memset(over, 'x', sizeof(over));
	memcpy(over, "PROXY UNKNOWN ", 14);
	memcpy(over + PROXYHDR_V1_MAX - 1, "\r\n", 2);
	assert_bad(over, PROXYHDR_V1_MAX + 1, "longer than 107");
	memset(over + 14, 'x', sizeof(over) - 14);
	assert_bad(over, sizeof(over), "no CRLF in 107");
}

Test(proxyhdr, v1_every_prefix_asks_for_more)
{
	const char *s = "PROXY TCP4 10.0.0.1 10.0.0.2 1 2\r\n";

	assert_prefixes((const uint8_t *)s, strlen(s), strlen(s) - 1);
}

Test(proxyhdr, v1_malformed)
{
	assert_bad_str("PROXY TCP4 10.0.0.1 10.0.0.2 1 2\n", "LF without CR");
	assert_bad_str("PROXY TCP4 10.0.0.1 10.0.0.2 1 2\rX", "CR without LF");
	assert_bad_str("PROXY TCP4 10.0.0.1 10.0.0.2 1\r\n", "five fields");
	assert_bad_str("PROXY TCP4 10.0.0.1 10.0.0.2 1 2 3\r\n", "five fields");
	assert_bad_str("PROXY TCP4  10.0.0.1 10.0.0.2 1 2\r\n", "five fields");
	assert_bad_str("PROXY TCP4 10.0.0.1 10.0.0.2 1 2 \r\n", "five fields");
	assert_bad_str("PROXY \r\n", "five fields");
	assert_bad_str("PROXY UDP4 10.0.0.1 10.0.0.2 1 2\r\n", "protocol");
	assert_bad_str("PROXY tcp4 10.0.0.1 10.0.0.2 1 2\r\n", "protocol");
	assert_bad_str("PROXY TCP4 ::1 10.0.0.2 1 2\r\n", "address");
	assert_bad_str("PROXY TCP6 10.0.0.1 ::1 1 2\r\n", "address");
	assert_bad_str("PROXY TCP4 10.0.0.1 10.0.0.256 1 2\r\n", "address");
	assert_bad_str("PROXY TCP4 localhost 10.0.0.2 1 2\r\n", "address");
	assert_bad_str("PROXY TCP4 10.0.0.1 10.0.0.2 65536 2\r\n", "port");
	assert_bad_str("PROXY TCP4 10.0.0.1 10.0.0.2 1 -2\r\n", "port");
	assert_bad_str("PROXY TCP4 10.0.0.1 10.0.0.2 1 000002\r\n", "port");
	assert_bad_str("PROXY TCP4 10.0.0.1 10.0.0.2 0x1 2\r\n", "port");
	assert_bad_str("PROXY\tTCP4 10.0.0.1 10.0.0.2 1 2\r\n", "signature");
	assert_bad_str("proxy TCP4 10.0.0.1 10.0.0.2 1 2\r\n", "signature");
	assert_bad_str("PROX\r\n", "signature");
	assert_bad("PROXY TCP4 10.0.0.1\0 10.0.0.2 1 2\r\n", 35, "NUL");
}

Test(proxyhdr, v1_truncated_prefix_is_refused_as_soon_as_it_differs)
{
	cr_assert_eq(parse_str("PRO"), PROXYHDR_MORE);
	assert_bad_str("PRX", "signature");
}

/* --- v2 ------------------------------------------------------------- */

static const uint8_t sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* A v2 header: the fixed part, then the block of len bytes. */
static size_t
v2(uint8_t *out, uint8_t ver_cmd, uint8_t fam, const void *block, size_t len)
{
	memcpy(out, sig, sizeof(sig));
	out[12] = ver_cmd;
	out[13] = fam;
	out[14] = (uint8_t)(len >> 8);
	out[15] = (uint8_t)len;
	if (len > 0)
		memcpy(out + 16, block, len);
	return 16 + len;
}

static const uint8_t inet_block[] = {
	192, 0, 2, 7,  198, 51, 100, 1,  0xdc, 0x04,  0x08, 0xae,
};

Test(proxyhdr, v2_proxy_ipv4)
{
	uint8_t buf[64];
	size_t n = v2(buf, 0x21, 0x11, inet_block, sizeof(inet_block));

	/* The client's first frame right after: not part of the header. */
	memcpy(buf + n, "\0\2hi", 4);
	cr_assert_eq(parse(buf, n + 4), PROXYHDR_DONE);
	cr_assert_eq(h.version, 2);
	cr_assert_eq(h.len, 28);
	cr_assert(h.has_addrs);
	cr_assert_str_eq(text(&h.src), "192.0.2.7:56324");
	cr_assert_str_eq(text(&h.dst), "198.51.100.1:2222");
}

Test(proxyhdr, v2_proxy_ipv6)
{
	uint8_t block[36] = { 0x20, 0x01, 0x0d, 0xb8 }, buf[64];
	size_t n;

	block[15] = 1;		/* 2001:db8::1 */
	block[31] = 1;		/* ::1 */
	block[32] = 0xff, block[33] = 0xff;
	block[34] = 0x08, block[35] = 0xae;
	n = v2(buf, 0x21, 0x21, block, sizeof(block));
	cr_assert_eq(parse(buf, n), PROXYHDR_DONE);
	cr_assert(h.has_addrs);
	cr_assert_str_eq(text(&h.src), "[2001:db8::1]:65535");
	cr_assert_str_eq(text(&h.dst), "[::1]:2222");
}

Test(proxyhdr, v2_tlvs_are_skipped)
{
	uint8_t block[64], buf[96];
	size_t n = sizeof(inet_block);

	memcpy(block, inet_block, n);
	/* PP2_TYPE_AUTHORITY "ab", PP2_TYPE_NOOP empty, a vendor's 5 bytes. */
	memcpy(block + n, "\x02\x00\x02" "ab" "\x04\x00\x00"
	    "\xe0\x00\x05" "12345", 16);
	n = v2(buf, 0x21, 0x11, block, n + 16);
	cr_assert_eq(parse(buf, n), PROXYHDR_DONE);
	cr_assert_eq(h.len, n);
	cr_assert_str_eq(text(&h.src), "192.0.2.7:56324");
}

Test(proxyhdr, v2_local_ignores_its_block)
{
	uint8_t buf[64];
	size_t n = v2(buf, 0x20, 0x11, inet_block, sizeof(inet_block));

	cr_assert_eq(parse(buf, n), PROXYHDR_DONE);
	cr_assert_eq(h.len, n);
	cr_assert_not(h.has_addrs);
	/* Even an odd block and family: LOCAL discards them. */
	n = v2(buf, 0x20, 0x00, NULL, 0);
	cr_assert_eq(parse(buf, n), PROXYHDR_DONE);
	cr_assert_not(h.has_addrs);
	n = v2(buf, 0x20, 0x11, "\x01", 1);
	cr_assert_eq(parse(buf, n), PROXYHDR_DONE);
	cr_assert_not(h.has_addrs);
}

Test(proxyhdr, v2_unspec_and_unix_use_the_connections_addresses)
{
	uint8_t block[216] = { 0 }, buf[256];
	size_t n = v2(buf, 0x21, 0x00, NULL, 0);

	cr_assert_eq(parse(buf, n), PROXYHDR_DONE);
	cr_assert_not(h.has_addrs);
	n = v2(buf, 0x21, 0x10, inet_block, sizeof(inet_block));
	cr_assert_eq(parse(buf, n), PROXYHDR_DONE);
	cr_assert_not(h.has_addrs, "UNSPEC transport");
	n = v2(buf, 0x21, 0x31, block, sizeof(block));
	cr_assert_eq(parse(buf, n), PROXYHDR_DONE);
	cr_assert_not(h.has_addrs);
}

Test(proxyhdr, v2_every_prefix_asks_for_more)
{
	uint8_t block[40], buf[96];
	size_t n = sizeof(inet_block);

	memcpy(block, inet_block, n);
	memcpy(block + n, "\x02\x00\x02" "ab", 5);
	n = v2(buf, 0x21, 0x11, block, n + 5);
	assert_prefixes(buf, n, PROXYHDR_V2_FIXED);
	/* Before the length is known, only the fixed part is certain. */
	cr_assert_eq(parse(buf, 1), PROXYHDR_MORE);
	cr_assert_eq(h.more, PROXYHDR_V2_FIXED - 1);
}

Test(proxyhdr, v2_longest_length_is_asked_for_not_read)
{
	uint8_t buf[16];

	v2(buf, 0x21, 0x11, NULL, 0);
	buf[14] = 0xff, buf[15] = 0xff;
	cr_assert_eq(parse(buf, sizeof(buf)), PROXYHDR_MORE);
	cr_assert_eq(h.more, 65535);
	cr_assert_eq(PROXYHDR_V2_FIXED + h.more, PROXYHDR_MAX);
}

Test(proxyhdr, v2_malformed)
{
	uint8_t buf[96], block[40];
	size_t n;

	n = v2(buf, 0x21, 0x11, inet_block, sizeof(inet_block));
	buf[7] = 'q';
	assert_bad(buf, n, "signature");
	assert_bad(buf, 8, "signature");
	n = v2(buf, 0x11, 0x11, inet_block, sizeof(inet_block));
	assert_bad(buf, n, "version");
	assert_bad(buf, 13, "version");
	n = v2(buf, 0x31, 0x11, inet_block, sizeof(inet_block));
	assert_bad(buf, n, "version");
	n = v2(buf, 0x22, 0x11, inet_block, sizeof(inet_block));
	assert_bad(buf, n, "command");
	n = v2(buf, 0x21, 0x41, inet_block, sizeof(inet_block));
	assert_bad(buf, n, "family");
	assert_bad(buf, 14, "family");
	n = v2(buf, 0x21, 0x13, inet_block, sizeof(inet_block));
	assert_bad(buf, n, "family");
	n = v2(buf, 0x21, 0x12, inet_block, sizeof(inet_block));
	assert_bad(buf, n, "not a stream");
	n = v2(buf, 0x21, 0x11, inet_block, sizeof(inet_block) - 1);
	assert_bad(buf, n, "too short");
	n = v2(buf, 0x21, 0x21, inet_block, sizeof(inet_block));
	assert_bad(buf, n, "too short");
	/* A TLV cut short, and a TLV's header cut short. */
	memcpy(block, inet_block, sizeof(inet_block));
	memcpy(block + sizeof(inet_block), "\x02\x00\x03" "ab", 5);
	n = v2(buf, 0x21, 0x11, block, sizeof(inet_block) + 5);
	assert_bad(buf, n, "truncated TLV");
	n = v2(buf, 0x21, 0x11, block, sizeof(inet_block) + 2);
	assert_bad(buf, n, "truncated TLV");
}

/* --- neither -------------------------------------------------------- */

Test(proxyhdr, other_protocols_are_refused_at_the_first_byte)
{
	cr_assert_eq(parse("", 0), PROXYHDR_MORE);
	cr_assert_eq(h.more, PROXYHDR_V1_MAX);
	assert_bad_str("G", "neither");
	assert_bad("\0\2hi", 4, "neither");
	assert_bad_str("\n", "neither");
}
