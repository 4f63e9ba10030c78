/*
 * fuzz_proxyhdr.c -- libFuzzer target for the PROXY protocol header parser
 * (proxyhdr.c).
 *
 * The input is what a balancer (or anyone) sends first on a connection.
 * It is parsed whole, and every prefix of it as the worker sees it while
 * the bytes arrive, each from a heap copy of its exact size so that a read
 * past the bytes given is an ASan error. A whole header must look like
 * one of its version (a CRLF-ended line of at most 107 bytes; a v2 fixed
 * part whose length field is the rest) and name addresses of one family;
 * a prefix must agree with the whole: shorter than the header found, it
 * asks for more: the rest of a v1 line's 107 bytes, the rest of v2's
 * fixed part, then exactly the rest of the v2 header;
 * once refused, no longer input is accepted.
 */
#include <netinet/in.h>

#include "fuzz.h"
#include "proxyhdr.h"

/* Prefixes checked at most: a v1 line is 107 bytes, a v2 header 64 KiB. */
#define PREFIXES_MAX	1024

static enum proxyhdr_status
parse_copy(const uint8_t *data, size_t n, struct proxyhdr *h)
{
	uint8_t *copy = malloc(n > 0 ? n : 1);
	enum proxyhdr_status st;

	FUZZ_CHECK(copy != NULL);
	memcpy(copy, data, n);
	st = proxyhdr_parse(copy, n, h);
	free(copy);
	return st;
}

static void
check_addr(const struct addr *a, int family)
{
	FUZZ_CHECK(a->ss.ss_family == family);
	FUZZ_CHECK(a->len == (family == AF_INET ?
	    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)));
}

static void
check_one(const uint8_t *data, size_t n, enum proxyhdr_status st,
    const struct proxyhdr *h)
{
	switch (st) {
	case PROXYHDR_DONE:
		FUZZ_CHECK(h->len >= 1 && h->len <= n && h->len <= PROXYHDR_MAX);
		if (h->version == 1) {
			FUZZ_CHECK(h->len <= PROXYHDR_V1_MAX);
			FUZZ_CHECK(memcmp(data, "PROXY ", 6) == 0);
			FUZZ_CHECK(memcmp(data + h->len - 2, "\r\n", 2) == 0);
		} else {
			FUZZ_CHECK(h->version == 2);
			FUZZ_CHECK(h->len == PROXYHDR_V2_FIXED +
			    ((size_t)data[14] << 8 | data[15]));
		}
		if (h->has_addrs) {
			check_addr(&h->src, h->src.ss.ss_family == AF_INET ?
			    AF_INET : AF_INET6);
			check_addr(&h->dst, h->src.ss.ss_family);
		}
		break;
	case PROXYHDR_MORE:
		FUZZ_CHECK(h->more >= 1 && n + h->more <= PROXYHDR_MAX);
		FUZZ_CHECK(h->version != 1 || n + h->more <= PROXYHDR_V1_MAX);
		break;
	case PROXYHDR_BAD:
		FUZZ_CHECK(h->why != NULL && h->why[0] != '\0');
		FUZZ_CHECK(n > 0);
		break;
	default:
		FUZZ_CHECK(!"a status of its own");
	}
}

/*
 * How far into the stream the parser asks to look, given the first n
 * bytes of the whole header h: a v1 line's longest before the version is
 * known and in v1; in v2 its fixed part, then exactly its end. Or, either
 * way, exactly the header's end (v1 asks for 1 byte after a CR).
 */
static size_t
expected_reach(const struct proxyhdr *h, size_t n)
{
	if (n == 0)
		return PROXYHDR_V1_MAX;
	if (h->version == 2)
		return n < PROXYHDR_V2_FIXED ? PROXYHDR_V2_FIXED : h->len;
	return PROXYHDR_V1_MAX;
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proxyhdr whole, part;
	enum proxyhdr_status st, pst;
	size_t last = size < PREFIXES_MAX ? size : PREFIXES_MAX;
	bool refused = false;

	st = parse_copy(data, size, &whole);
	check_one(data, size, st, &whole);
	for (size_t n = 0; n <= last; n++) {
		pst = parse_copy(data, n, &part);
		check_one(data, n, pst, &part);
		FUZZ_CHECK(!refused || pst == PROXYHDR_BAD);
		refused = pst == PROXYHDR_BAD;
		if (pst == PROXYHDR_BAD)
			FUZZ_CHECK(st == PROXYHDR_BAD);
		if (st == PROXYHDR_MORE)
			FUZZ_CHECK(pst == PROXYHDR_MORE);
		if (st != PROXYHDR_DONE)
			continue;
		if (n < whole.len) {
			FUZZ_CHECK(pst == PROXYHDR_MORE);
			FUZZ_CHECK(n + part.more == expected_reach(&whole, n) ||
			    n + part.more == whole.len);
		} else {
			FUZZ_CHECK(pst == PROXYHDR_DONE && part.len == whole.len);
			FUZZ_CHECK(part.has_addrs == whole.has_addrs);
			FUZZ_CHECK(!part.has_addrs ||
			    memcmp(&part.src, &whole.src, sizeof(part.src)) == 0);
		}
	}
	return 0;
}
