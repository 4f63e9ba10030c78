/*
 * intensity.c -- OTP's restart intensity window.
 *
 * Keeps at most max_restarts + 1 time stamps, newest first: once there are
 * more than max_restarts in the period the supervisor gives up, so older
 * stamps can never matter. The stamps live in the arena, with the rest of
 * the supervisor's bookkeeping: held only from there, a heap block would
 * look leaked to LeakSanitizer, which does not scan the arena.
 */
#include <string.h>

#include "arena.h"
#include "intensity.h"

static size_t
stamps_size(int max_restarts)
{
	return ((size_t)max_restarts + 1) * sizeof(int64_t);
}

int
intensity_init(struct intensity *in, int max_restarts, int64_t period)
{
	in->max_restarts = max_restarts;
	in->period = period;
	in->count = 0;
	in->stamps = arena_alloc(stamps_size(max_restarts));
	return in->stamps == NULL ? -1 : 0;
}

void
intensity_free(struct intensity *in)
{
	arena_free(in->stamps, stamps_size(in->max_restarts));
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
