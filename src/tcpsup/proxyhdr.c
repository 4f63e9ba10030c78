/*
 * proxyhdr.c -- parse a PROXY protocol header, v1 or v2. Pure: no I/O, no
 * allocation, no resolver; it reads only the bytes it is given and never
 * past the header's end, whatever the header claims.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>

#include "proxyhdr.h"

static const char v1_prefix[] = "PROXY ";
#define V1_PREFIX_LEN	(sizeof(v1_prefix) - 1)

static const uint8_t v2_sig[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

/* v2's fourth byte pairs: family high, transport low. */
enum { V2_UNSPEC = 0, V2_INET = 1, V2_INET6 = 2, V2_UNIX = 3 };
enum { V2_STREAM = 1, V2_DGRAM = 2 };
enum { V2_LOCAL = 0, V2_PROXY = 1 };

/* Address block sizes of v2 (addresses, then ports). */
#define V2_INET_LEN	12
#define V2_INET6_LEN	36

static enum proxyhdr_status
bad(struct proxyhdr *h, const char *why)
{
	h->why = why;
	return PROXYHDR_BAD;
}

static enum proxyhdr_status
more(struct proxyhdr *h, size_t n)
{
	h->more = n;
	return PROXYHDR_MORE;
}

static enum proxyhdr_status
done(struct proxyhdr *h, size_t len)
{
	h->len = len;
	return PROXYHDR_DONE;
}

static void
set_addr(struct addr *a, int family, const void *host, uint16_t port_be)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof(*a));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, host, sizeof(sin->sin_addr));
		sin->sin_port = port_be;
		a->len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, host, sizeof(sin6->sin6_addr));
		sin6->sin6_port = port_be;
		a->len = sizeof(*sin6);
	}
}

/* --- v1: "PROXY TCP4 1.2.3.4 5.6.7.8 1234 80\r\n" ---------------------- */

/* Decimal, 0 to 65535, at most five digits. */
static int
v1_port(const char *s, uint16_t *port_be)
{
	unsigned long n = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i == 5 || s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0 || n > 65535)
		return -1;
	*port_be = htons((uint16_t)n);
	return 0;
}

/* The words of line, split at single spaces; -1 if more than max. */
static int
v1_words(char *line, char **word, int max)
{
	int n = 0;
	char *w;

	while ((w = strsep(&line, " ")) != NULL) {
		if (n == max || *w == '\0')
			return -1;
		word[n++] = w;
	}
	return n;
}

/* line: what lies between "PROXY " and the CRLF, NUL-terminated. */
static enum proxyhdr_status
v1_line(char *line, size_t total, struct proxyhdr *h)
{
	char *word[5];
	uint8_t host[2][sizeof(struct in6_addr)];
	uint16_t port[2];
	int family;

	/* The balancer does not know: anything may follow, and is ignored. */
	if (strncmp(line, "UNKNOWN", 7) == 0 &&
	    (line[7] == '\0' || line[7] == ' '))
		return done(h, total);
	if (v1_words(line, word, 5) != 5)
		return bad(h, "v1: not five fields");
	if (strcmp(word[0], "TCP4") == 0)
		family = AF_INET;
	else if (strcmp(word[0], "TCP6") == 0)
		family = AF_INET6;
	else
		return bad(h, "v1: unknown protocol");
	if (inet_pton(family, word[1], host[0]) != 1 ||
	    inet_pton(family, word[2], host[1]) != 1)
		return bad(h, "v1: bad address");
	if (v1_port(word[3], &port[0]) == -1 || v1_port(word[4], &port[1]) == -1)
		return bad(h, "v1: bad port");
	set_addr(&h->src, family, host[0], port[0]);
	set_addr(&h->dst, family, host[1], port[1]);
	h->has_addrs = true;
	return done(h, total);
}

static enum proxyhdr_status
v1_parse(const uint8_t *buf, size_t len, struct proxyhdr *h)
{
	char line[PROXYHDR_V1_MAX];
	size_t n = len < PROXYHDR_V1_MAX ? len : PROXYHDR_V1_MAX, i;

	h->version = 1;
	if (memcmp(buf, v1_prefix, n < V1_PREFIX_LEN ? n : V1_PREFIX_LEN) != 0)
		return bad(h, "v1: no PROXY signature");
	for (i = 0; i < n && buf[i] != '\r' && buf[i] != '\n'; i++)
		if (buf[i] == '\0')
			return bad(h, "v1: NUL byte");
	if (i == n)
		return n == PROXYHDR_V1_MAX ? bad(h, "v1: no CRLF in 107 bytes") :
		    more(h, PROXYHDR_V1_MAX - len);
	if (buf[i] == '\n')
		return bad(h, "v1: LF without CR");
	if (i + 2 > PROXYHDR_V1_MAX)
		return bad(h, "v1: longer than 107 bytes");
	if (i + 1 == len)
		return more(h, 1);
	if (buf[i + 1] != '\n')
		return bad(h, "v1: CR without LF");
	/* The signature matched, and holds no CR: i is past it. */
	memcpy(line, buf + V1_PREFIX_LEN, i - V1_PREFIX_LEN);
	line[i - V1_PREFIX_LEN] = '\0';
	return v1_line(line, i + 2, h);
}

/* --- v2: signature, ver_cmd, fam, len, addresses, TLVs ------------------ */

/* The TLVs after the addresses: each must fit, none is used. */
static int
v2_tlvs(const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t tlen;

		if (n < 3)
			return -1;
		tlen = (size_t)p[1] << 8 | p[2];
		if (tlen > n - 3)
			return -1;
		p += 3 + tlen;
		n -= 3 + tlen;
	}
	return 0;
}

/* fam: the fourth byte; block: the n bytes after the fixed part. */
static enum proxyhdr_status
v2_addrs(uint8_t fam, const uint8_t *block, size_t n, size_t total,
    struct proxyhdr *h)
{
	int family = fam >> 4, transport = fam & 0x0f;
	size_t need;
	uint16_t port[2];

	if (family == V2_UNSPEC || family == V2_UNIX || transport == 0)
		return done(h, total);	/* the connection's own addresses */
	if (transport != V2_STREAM)
		return bad(h, "v2: not a stream");
	need = family == V2_INET ? V2_INET_LEN : V2_INET6_LEN;
	if (n < need)
		return bad(h, "v2: address block too short");
	if (v2_tlvs(block + need, n - need) == -1)
		return bad(h, "v2: truncated TLV");
	memcpy(port, block + need - 4, sizeof(port));
	set_addr(&h->src, family == V2_INET ? AF_INET : AF_INET6, block,
	    port[0]);
	set_addr(&h->dst, family == V2_INET ? AF_INET : AF_INET6,
	    block + (need - 4) / 2, port[1]);
	h->has_addrs = true;
	return done(h, total);
}

static enum proxyhdr_status
v2_parse(const uint8_t *buf, size_t len, struct proxyhdr *h)
{
	size_t n = len < sizeof(v2_sig) ? len : sizeof(v2_sig), total;

	h->version = 2;
	if (memcmp(buf, v2_sig, n) != 0)
		return bad(h, "v2: no PROXY signature");
	if (len > 12 && buf[12] >> 4 != 2)
		return bad(h, "v2: version not 2");
	if (len > 12 && (buf[12] & 0x0f) > V2_PROXY)
		return bad(h, "v2: unknown command");
	if (len > 13 && (buf[13] >> 4 > V2_UNIX || (buf[13] & 0x0f) > V2_DGRAM))
		return bad(h, "v2: unknown family");
	if (len < PROXYHDR_V2_FIXED)
		return more(h, PROXYHDR_V2_FIXED - len);
	total = PROXYHDR_V2_FIXED + ((size_t)buf[14] << 8 | buf[15]);
	if (len < total)
		return more(h, total - len);
	/* LOCAL: the balancer speaks for itself; the block is skipped. */
	if ((buf[12] & 0x0f) == V2_LOCAL)
		return done(h, total);
	return v2_addrs(buf[13], buf + PROXYHDR_V2_FIXED,
	    total - PROXYHDR_V2_FIXED, total, h);
}

enum proxyhdr_status
proxyhdr_parse(const uint8_t *buf, size_t len, struct proxyhdr *h)
{
	memset(h, 0, sizeof(*h));
	if (len == 0)
		return more(h, PROXYHDR_V1_MAX);
	if (buf[0] == v1_prefix[0])
		return v1_parse(buf, len, h);
	if (buf[0] == v2_sig[0])
		return v2_parse(buf, len, h);
	return bad(h, "neither v1 nor v2 signature");
}
