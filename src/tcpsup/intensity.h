/*
 * intensity.h -- OTP's restart intensity window (supervisor:add_restart/1).
 *
 * Pure: the caller passes the time (whole seconds of a monotonic clock), so
 * the algorithm can be tested at its boundaries without waiting.
 */
#ifndef TCPSUP_INTENSITY_H
#define TCPSUP_INTENSITY_H

#include <stdbool.h>
#include <stdint.h>

struct intensity {
	int		 max_restarts;	/* MaxR */
	int64_t		 period;	/* MaxT, seconds */
	int64_t		*stamps;	/* newest first, at most max_restarts + 1 */
	int		 count;
};

/* Returns -1 (errno set) if the window cannot be allocated. */
int	intensity_init(struct intensity *, int max_restarts, int64_t period);
void	intensity_free(struct intensity *);

/*
 * Record a restart at now: restarts = [now | those with t >= now - period].
 * Returns true if the supervisor may restart, false if the list is now
 * longer than max_restarts and the supervisor must give up.
 */
bool	intensity_add_restart(struct intensity *, int64_t now);

#endif
