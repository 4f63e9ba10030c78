/*
 * hist.c -- the log-linear latency histogram. Pure: no I/O, no allocation.
 *
 * A value below 2 * HIST_HALF is its own bucket. Above, it is shifted right
 * until HIST_SUB_BITS significant bits are left, and the shift picks a row
 * of HIST_HALF buckets: bucket width over value stays under 1/HIST_HALF.
 */
#include "hist.h"

static unsigned int
hist_index(uint64_t v)
{
	int shift;

	if (v < 2 * HIST_HALF)
		return (unsigned int)v;
	shift = 63 - __builtin_clzll(v) - (HIST_SUB_BITS - 1);
	return HIST_HALF * shift + (unsigned int)(v >> shift);
}

/* The middle of a bucket: its values are off by half a width at most. */
static uint64_t
hist_middle(unsigned int index)
{
	unsigned int shift;

	if (index < 2 * HIST_HALF)
		return index;
	shift = index / HIST_HALF - 1;
	return ((uint64_t)(index - HIST_HALF * shift) << shift) +
	    ((uint64_t)1 << shift) / 2;
}

void
hist_add(struct hist *h, uint64_t v)
{
	h->buckets[hist_index(v)]++;
	h->count++;
	if (v > h->max)
		h->max = v;
}

/* The smallest value that q of the samples do not exceed; 0 if none. */
uint64_t
hist_percentile(const struct hist *h, double q)
{
	uint64_t rank, seen = 0;
	unsigned int i;

	if (h->count == 0)
		return 0;
	rank = (uint64_t)(q * (double)h->count + 0.999999);
	if (rank < 1)
		rank = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= rank)
			break;
	}
	return hist_middle(i) < h->max ? hist_middle(i) : h->max;
}
