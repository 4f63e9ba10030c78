/*
 * opts.c -- parse tcpsup-load's command line. Numbers go through
 * strtonum(3), so a bad value gets a clear message rather than a silent 0,
 * and the address must be loopback: a typo must not aim load at a host.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

#define MAX_CONNS	1000000
#define MAX_SECONDS	86400
#define MAX_PIPELINE	1024
#define MAX_PACKET2	65535		/* what a 2-byte length can say */
#define MAX_RAW		(1 << 20)

const char opts_usage[] =
"usage: tcpsup-load churn|echo|hold|chaos -p port [-hq] [-a address]\n"
"                   [-b address] [-c n] [-d secs] [-s bytes] [-P k]\n"
"                   [--packet 2|0] [-t ms] [-n max]\n"
"\n"
"  -a, --address ADDR      server address, loopback only (127.0.0.1; ::1)\n"
"  -b, --bind ADDR         connect from this loopback address, the port\n"
"                          chosen by the kernel (any)\n"
"  -p, --port PORT         server port (required)\n"
"  -c, --concurrency N     churn: slots (32); chaos: slots, echo, hold:\n"
"                          connections (100)\n"
"  -d, --duration SECS     churn, echo, chaos: run time; hold: hold time (5; 2)\n"
"  -s, --size BYTES        payload bytes per frame (16)\n"
"  -P, --pipeline K        echo, chaos: frames in flight per connection (1)\n"
"      --packet 2|0        framing: {packet,2}, or 0 for raw (2)\n"
"  -t, --timeout MS        timeout of each connect and echo (5000)\n"
"  -n, --max N             churn: stop after N connections\n"
"  -q, --quiet             print only the RESULT line\n"
"  -h, --help              print this help and exit\n"
"TCPSUP_LOAD_FLIP=N: expect one byte of the Nth frame wrong (a check's test)\n";

enum { OPT_PACKET = 256 };

static const struct option longopts[] = {
	{ "address", required_argument, NULL, 'a' },
	{ "bind", required_argument, NULL, 'b' },
	{ "port", required_argument, NULL, 'p' },
	{ "concurrency", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, 'd' },
	{ "size", required_argument, NULL, 's' },
	{ "pipeline", required_argument, NULL, 'P' },
	{ "packet", required_argument, NULL, OPT_PACKET },
	{ "timeout", required_argument, NULL, 't' },
	{ "max", required_argument, NULL, 'n' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *const mode_names[] = {
	[MODE_CHURN] = "churn",
	[MODE_ECHO] = "echo",
	[MODE_HOLD] = "hold",
	[MODE_CHAOS] = "chaos",
};

struct parse {
	char		*err;
	size_t		 errsize;
	int		 failed;
	long long	 port;		/* -1 until given */
	int		 timed;		/* --duration given */
};

static void __attribute__((format(printf, 2, 3)))
fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errsize, fmt, ap);
	va_end(ap);
	p->failed = 1;
}

static long long
number(struct parse *p, const char *name, const char *arg, long long min,
    long long max)
{
	const char *errstr;
	long long n;

	n = strtonum(arg, min, max, &errstr);
	if (errstr != NULL)
		fail(p, "--%s '%s': %s (%lld to %lld)", name, arg, errstr,
		    min, max);
	return n;
}

/* SECS with at most three decimals, in nanoseconds. */
static uint64_t
seconds(struct parse *p, const char *name, const char *arg)
{
	char whole[32], millis[4] = "000";
	char *dot;
	size_t decimals;
	long long s, ms;

	strlcpy(whole, arg, sizeof(whole));
	if ((dot = strchr(whole, '.')) != NULL) {
		*dot++ = '\0';
		decimals = strlen(dot);
		if (decimals == 0 || decimals > 3 ||
		    strspn(dot, "0123456789") != decimals) {
			fail(p, "--%s '%s': expected seconds with at most "
			    "three decimals", name, arg);
			return 0;
		}
		memcpy(millis, dot, decimals);
	}
	s = number(p, name, whole, 0, MAX_SECONDS);
	ms = number(p, name, millis, 0, 999);
	return (uint64_t)(s * 1000 + ms) * NS_PER_MS;
}

/* Loopback only, 127.0.0.0/8 or ::1, into *ss: --address or --bind. */
static void
address(struct parse *p, const char *name, const char *arg,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, arg, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		*len = sizeof(*sin);
		if (ntohl(sin->sin_addr.s_addr) >> 24 != 127)
			fail(p, "--%s '%s': not loopback (127.0.0.0/8 "
			    "or ::1); load goes to loopback only", name, arg);
	} else if (inet_pton(AF_INET6, arg, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		*len = sizeof(*sin6);
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			fail(p, "--%s '%s': not loopback (127.0.0.0/8 "
			    "or ::1); load goes to loopback only", name, arg);
	} else
		fail(p, "--%s '%s': not a numeric IPv4 or IPv6 address",
		    name, arg);
}

static void
parse_one(struct parse *p, int ch, const char *arg, struct load_opts *o)
{
	switch (ch) {
	case 'a':
		address(p, "address", arg, &o->addr, &o->addrlen);
		break;
	case 'b':
		address(p, "bind", arg, &o->src, &o->srclen);
		break;
	case 'p':
		p->port = number(p, "port", arg, 1, 65535);
		break;
	case 'c':
		o->conns = (size_t)number(p, "concurrency", arg, 1, MAX_CONNS);
		break;
	case 'd':
		o->duration = seconds(p, "duration", arg);
		p->timed = 1;
		break;
	case 's':
		o->size = (size_t)number(p, "size", arg, 1, MAX_RAW);
		break;
	case 'P':
		o->pipeline = (size_t)number(p, "pipeline", arg, 1,
		    MAX_PIPELINE);
		break;
	case OPT_PACKET:
		if (strcmp(arg, "2") == 0 || strcmp(arg, "0") == 0)
			o->header = (size_t)(arg[0] - '0');
		else
			fail(p, "--packet '%s': expected 2 or 0", arg);
		break;
	case 't':
		o->timeout = (uint64_t)number(p, "timeout", arg, 1, 3600000) *
		    NS_PER_MS;
		break;
	case 'n':
		o->max = (uint64_t)number(p, "max", arg, 1, LLONG_MAX);
		break;
	case 'q':
		o->quiet = 1;
		break;
	}
}

static void
parse_mode(struct parse *p, int argc, char **argv, struct load_opts *o)
{
	size_t i;

	if (optind >= argc) {
		fail(p, "missing mode: churn, echo, hold or chaos");
		return;
	}
	if (optind + 1 < argc) {
		fail(p, "'%s': unexpected argument", argv[optind + 1]);
		return;
	}
	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (strcmp(argv[optind], mode_names[i]) == 0) {
			o->mode = (enum load_mode)i;
			return;
		}
	fail(p, "'%s': unknown mode, expected churn, echo, hold or chaos",
	    argv[optind]);
}

/* What depends on the mode or on several options, once all are read. */
static void
parse_finish(struct parse *p, struct load_opts *o)
{
	if (p->port == -1)
		fail(p, "--port is required");
	else if (o->addr.ss_family == AF_INET)
		((struct sockaddr_in *)&o->addr)->sin_port = htons((uint16_t)p->port);
	else
		((struct sockaddr_in6 *)&o->addr)->sin6_port = htons((uint16_t)p->port);
	if (o->srclen != 0 && o->src.ss_family != o->addr.ss_family)
		fail(p, "--bind: not the family of --address");
	if (o->header == 2 && o->size > MAX_PACKET2)
		fail(p, "--size %zu: a {packet,2} frame holds %d bytes at most",
		    o->size, MAX_PACKET2);
	if (o->conns == 0)
		o->conns = o->mode == MODE_CHURN ? 32 : 100;
	if (!p->timed)
		o->duration = (o->mode == MODE_HOLD ? 2 : 5) * NS_PER_S;
}

static void
opts_defaults(struct load_opts *o)
{
	struct parse cannot_fail = { .port = -1 };

	memset(o, 0, sizeof(*o));
	address(&cannot_fail, "address", "127.0.0.1", &o->addr, &o->addrlen);
	o->size = 16;
	o->pipeline = 1;
	o->header = 2;
	o->timeout = 5000 * NS_PER_MS;
}

enum opts_result
opts_parse(int argc, char **argv, struct load_opts *o, char *err,
    size_t errsize)
{
	struct parse p = { .err = err, .errsize = errsize, .port = -1 };
	int ch;

	opts_defaults(o);
	err[0] = '\0';
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":a:b:p:c:d:s:P:t:n:qh", longopts,
	    NULL)) != -1) {
		if (ch == 'h')
			return OPTS_HELP;
		if (ch == ':')
			fail(&p, "%s: missing value", argv[optind - 1]);
		else if (ch == '?' && optopt != 0)
			fail(&p, "-%c: unknown option", optopt);
		else if (ch == '?')
			fail(&p, "%s: unknown option", argv[optind - 1]);
		else
			parse_one(&p, ch, optarg, o);
		if (p.failed)
			return OPTS_ERROR;
	}
	parse_mode(&p, argc, argv, o);
	if (!p.failed)
		parse_finish(&p, o);
	return p.failed ? OPTS_ERROR : OPTS_RUN;
}
