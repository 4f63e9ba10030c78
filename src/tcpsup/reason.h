/*
 * reason.h -- a child's exit reason, in OTP's words, from its wait status;
 * an errno value as the posix atom OTP would give.
 */
#ifndef TCPSUP_REASON_H
#define TCPSUP_REASON_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The status a tcpsup process exits with when it stops with reason
 * shutdown on its own: a supervisor that reached its restart intensity, or
 * one that was told to stop. EX_TEMPFAIL from <sysexits.h>.
 */
#define REASON_SHUTDOWN_STATUS	75

enum reason_kind {
	REASON_NORMAL,		/* exit 0 */
	REASON_SHUTDOWN,	/* our own SIGTERM, or REASON_SHUTDOWN_STATUS */
	REASON_KILLED,		/* SIGKILL */
	REASON_OTHER		/* {signal,...} or {exit_status,N} */
};

struct reason {
	enum reason_kind kind;
	char		 text[48];	/* the term reports print */
};

/*
 * Map a wait(2) status. shutdown_sent says the supervisor itself sent the
 * SIGTERM, which makes a SIGTERM death a clean `shutdown`.
 */
struct reason reason_from_status(int status, bool shutdown_sent);

/* errno as an Erlang posix atom: EADDRINUSE -> eaddrinuse. */
void	reason_errno(int e, char *buf, size_t size);

#endif
