/*
 * summary.c -- what tcpsup-load prints: the human lines, the pieces of the
 * RESULT line every mode shares, and the exit status the counts imply.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "load.h"

static const char *const outcome_names[OUT_COUNT] = {
	[OUT_REFUSED] = "refused",
	[OUT_RESET] = "reset",
	[OUT_TIMEOUT] = "timeout",
	[OUT_MISMATCH] = "mismatch",
	[OUT_CROSSTALK] = "crosstalk",
	[OUT_ERROR] = "errors",
};

double
load_secs(uint64_t ns)
{
	return (double)ns / NS_PER_S;
}

static uint64_t
us(uint64_t ns)
{
	return (ns + 500) / 1000;
}

uint64_t
load_failures(const struct load *l)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < OUT_COUNT; i++)
		sum += l->failed[i];
	return sum;
}

void
summary_latency(const struct load *l, const char *what)
{
	printf("%s: p50 %" PRIu64 " us, p99 %" PRIu64 " us, max %" PRIu64
	    " us (%" PRIu64 " samples)\n", what,
	    us(hist_percentile(&l->latency, 0.50)),
	    us(hist_percentile(&l->latency, 0.99)), us(l->latency.max),
	    l->latency.count);
}

void
summary_errors(const struct load *l)
{
	int i;

	fputs("errors:", stdout);
	for (i = 0; i < OUT_COUNT; i++)
		printf(" %s %" PRIu64 "%s", outcome_names[i], l->failed[i],
		    i + 1 < OUT_COUNT ? "," : "");
	if (l->first_errno != 0)
		printf(" (first: %s)", strerror(l->first_errno));
	putchar('\n');
}

void
result_latency(const struct load *l)
{
	printf(" p50_us=%" PRIu64 " p99_us=%" PRIu64 " max_us=%" PRIu64,
	    us(hist_percentile(&l->latency, 0.50)),
	    us(hist_percentile(&l->latency, 0.99)), us(l->latency.max));
}

/* The RESULT line's tail, and its end. */
void
result_errors(const struct load *l)
{
	int i;

	for (i = 0; i < OUT_COUNT; i++)
		printf(" %s=%" PRIu64, outcome_names[i], l->failed[i]);
	putchar('\n');
	fflush(stdout);
}

/*
 * Exit status: 1 for a byte that came back wrong or to the wrong client,
 * for lost connections, or when nothing succeeded at all; every reason gets
 * its line.
 */
int
load_verdict(const struct load *l, uint64_t lost, const char *what)
{
	int status = 0;

	if (l->failed[OUT_MISMATCH] > 0) {
		warnx("echoes that did not match what was sent: %" PRIu64,
		    l->failed[OUT_MISMATCH]);
		status = 1;
	}
	if (l->failed[OUT_CROSSTALK] > 0) {
		warnx("frames echoed to another client than their sender's: %"
		    PRIu64, l->failed[OUT_CROSSTALK]);
		status = 1;
	}
	if (lost > 0) {
		warnx("lost %" PRIu64 " of %zu connections", lost, l->nconns);
		status = 1;
	}
	if (l->ok == 0) {
		warnx("no %s succeeded", what);
		status = 1;
	}
	return status;
}
