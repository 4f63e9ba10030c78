/*
 * calls.h -- tcpsupctl's commands for OTP's supervisor calls and for
 * stop: one request each to the daemon, the reply printed as the Erlang
 * shell prints the result.
 */
#ifndef TCPSUPCTL_CALLS_H
#define TCPSUPCTL_CALLS_H

#include <stdbool.h>

/* What the command line says about every command. */
struct ctlopts {
	const char	*path;		/* the control socket */
	int		 timeout_ms;	/* for the whole command */
	bool		 json;
};

/*
 * which_children SUP, count_children SUP, terminate_child SUP ID|PID,
 * restart_child SUP ID, delete_child SUP ID, get_childspec SUP ID:
 * argv[0] names the call. Returns tcpsupctl's exit status.
 */
int	cmd_call(const struct ctlopts *, int argc, char **argv);

/* stop: ask the application to stop, then wait until the daemon is gone. */
int	cmd_stop(const struct ctlopts *, int argc, char **argv);

struct ctl_request;

/* No reply came (errno e): say why in one line; the exit status for it. */
int	call_failed(const struct ctlopts *, int e);

/*
 * The errors tcpsup gives of its own rather than as OTP's answer (eacces,
 * busy, badrequest): the request never reached a supervisor. Says so in
 * one line and returns the exit status for it; 0 for any other error.
 */
int	call_refused(const struct ctlopts *, const struct ctl_request *,
	    const char *error);

#endif
