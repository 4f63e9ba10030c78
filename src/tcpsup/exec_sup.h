/*
 * exec_sup.h -- tcp_client_sup's side of --exec: what it keeps about each
 * program it runs, apart from the echo workers' bookkeeping.
 *
 * It reads every program's stderr (one pipe each, never blocking) into
 * INFO REPORTs, learns whether each execve(2) succeeded, throttles a
 * program that keeps failing at start (--exec-throttle), and stops
 * programs that run past --max-connection-time under the shutdown spec.
 */
#ifndef TCPSUP_EXEC_SUP_H
#define TCPSUP_EXEC_SUP_H

#include <sys/types.h>

#include <stdbool.h>

#include "exec_worker.h"
#include "reason.h"
#include "sup.h"

struct exec_sup;

/*
 * For sup's template spec. on_change(ctx) is called when
 * exec_sup_admits() may have changed its answer. Exits on failure, as
 * sup_create() does.
 */
struct exec_sup *exec_sup_create(struct sup *, const struct child_spec *,
	    void (*on_change)(void *), void *ctx);

/*
 * Before a worker is forked: its stderr pipe. fds->err is the end the
 * worker gets, *err_read ours. -1 (errno set) if none could be made.
 */
int	exec_sup_prepare(struct exec_fds *fds, int *err_read);

/* The worker pid was forked with fds from exec_sup_prepare(). */
void	exec_sup_spawned(struct exec_sup *, pid_t, int err_read);

/*
 * Worker pid was handed its connection sock on channel, which is now the
 * exec_sup's to watch and close (it tells whether execve succeeded).
 */
void	exec_sup_sent(struct exec_sup *, pid_t, int channel, int sock);

/* May tcp_client_sup take a connection now (not throttled)? */
bool	exec_sup_admits(const struct exec_sup *);

/*
 * sup_on_reaped(): read what is left of the program's stderr, count its
 * failure for the throttle, and report an execve that failed as a
 * start_error (once, until a program starts): false then.
 */
bool	exec_sup_reaped(void *exec_sup, pid_t, const struct reason *);

#endif
