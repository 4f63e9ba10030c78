/*
 * exec_env.h -- the environment of a program run per connection (--exec):
 * what ucspi-tcp's tcpserver sets for a connection, the --env variables,
 * and with --keep-env what tcpsup itself was given. Pure: it only points
 * at strings and formats into the caller's buffer.
 */
#ifndef TCPSUP_EXEC_ENV_H
#define TCPSUP_EXEC_ENV_H

#include <stddef.h>

#include "addr.h"
#include "options.h"

/* Room the connection's five variables need in exec_env_build's buf. */
#define EXEC_ENV_BUFSIZE	256

/* The IP address as tcpserver prints it: an IPv4-mapped one as IPv4. */
void	exec_env_ip(const struct addr *, char *buf, size_t size);

/*
 * Fill envp, NULL-terminated, with at most max pointers: with --keep-env
 * the variables of inherited that neither --env nor tcpsup sets, then the
 * --env variables (the last of a name wins), then PROTO=TCP, TCPLOCALIP,
 * TCPLOCALPORT, TCPREMOTEIP and TCPREMOTEPORT, formatted into buf
 * (EXEC_ENV_BUFSIZE bytes). TCPLOCALHOST, TCPREMOTEHOST and TCPREMOTEINFO
 * are never set, as with tcpserver -H -R without a local name. Returns the
 * number of variables, or -1 if envp is too small.
 */
int	exec_env_build(const struct options *, char *const *inherited,
	    const struct addr *local, const struct addr *remote, char **envp,
	    size_t max, char *buf);

#endif
