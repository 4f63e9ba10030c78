/*
 * intensity.c -- OTP's restart intensity window.
 *
 * Keeps at most max_restarts + 1 time stamps, newest first: once there are
 * more than max_restarts in the period the supervisor gives up, so older
 * stamps can never matter.
 */
#include <stdlib.h>
#include <string.h>

#include "intensity.h"

int
intensity_init(struct intensity *in, int max_restarts, int64_t period)
{
	in->max_restarts = max_restarts;
	in->period = period;
	in->count = 0;
	in->stamps = calloc((size_t)max_restarts + 1, sizeof(*in->stamps));
	return in->stamps == NULL ? -1 : 0;
}

void
intensity_free(struct intensity *in)
{
	free(in->stamps);
	in->stamps = NULL;
	in->count = 0;
}

bool
intensity_add_restart(struct intensity *in, int64_t now)
{
	int64_t threshold = now - in->period;
	int kept = 0;

	/* Stamps are newest first: the first one too old ends the window. */
	while (kept < in->count && in->stamps[kept] >= threshold)
		kept++;
	if (kept > in->max_restarts)
		kept = in->max_restarts;
	memmove(in->stamps + 1, in->stamps, (size_t)kept * sizeof(*in->stamps));
	in->stamps[0] = now;
	in->count = kept + 1;
	return in->count <= in->max_restarts;
}
