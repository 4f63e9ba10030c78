/*
 * sdnotify.h -- systemd's readiness protocol, spoken without libsystemd:
 * one datagram per state change ("READY=1", "STATUS=...", "STOPPING=1",
 * "WATCHDOG=1") to the AF_UNIX socket named in $NOTIFY_SOCKET, abstract
 * if the name starts with '@' (sd_notify(3), "the protocol is stable").
 *
 * Only the root speaks it: systemd listens to the main pid alone
 * (NotifyAccess=main). Sending never blocks and never fails the caller:
 * a manager that stopped listening costs a lost datagram, not the tree.
 */
#ifndef TCPSUP_SDNOTIFY_H
#define TCPSUP_SDNOTIFY_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <stddef.h>
#include <stdint.h>

/*
 * The address $NOTIFY_SOCKET names: an absolute path, or '@' for the
 * abstract namespace. Returns -1 for anything else (unset, relative, too
 * long). Pure.
 */
int	sdnotify_addr(const char *name, struct sockaddr_un *, socklen_t *);

/*
 * The watchdog interval systemd asks of pid self, in microseconds, from
 * $WATCHDOG_USEC and $WATCHDOG_PID (which, if set, must be self); 0 if
 * there is none or the values are bad. Pure.
 */
uint64_t sdnotify_watchdog_usec(const char *usec, const char *pid, pid_t self);

/*
 * The STATUS= line systemctl status shows: connections served now,
 * restarts so far, where it listens. Pure.
 */
size_t	sdnotify_status(char *buf, size_t size, uint64_t clients,
	    uint64_t restarts, const char *bound);

/*
 * Read and unset $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID, so
 * that no child sees them. Returns 1 if systemd listens (then
 * sdnotify_send() speaks to it), 0 if not; *watchdog_usec as above.
 */
int	sdnotify_open(uint64_t *watchdog_usec);

/* Send one message, e.g. "READY=1"; silently nothing if none listens. */
void	sdnotify_send(const char *message);

#endif
