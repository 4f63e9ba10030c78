/*
 * sysreport.h -- --syslog: every report also goes to the local syslog
 * socket, /dev/log, one datagram per report: RFC 3164's
 * "<PRI>Mmm dd hh:mm:ss tcpsup[PID]: " and the report's JSON line, which
 * holds all its fields in one line. journald and rsyslog both read it.
 *
 * Written by hand rather than with syslog(3), which blocks when the
 * syslog daemon does not read: no process of the tree may wait on a
 * report. A datagram the socket cannot take at once is dropped.
 */
#ifndef TCPSUP_SYSREPORT_H
#define TCPSUP_SYSREPORT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "report.h"

#define SYSREPORT_PATH		"/dev/log"

/* The facility a name means (daemon, local0...), as LOG_*; -1 if none. Pure. */
int	sysreport_facility(const char *name);

/* errors and supervisor reports LOG_ERR, warnings, the rest LOG_INFO. Pure. */
int	sysreport_priority(const struct report *);

/*
 * The datagram for r, whose JSON line (its newline left out) is json,
 * at tm, from pid. Returns its length. Pure.
 */
size_t	sysreport_format(char *buf, size_t size, int facility,
	    const struct report *r, const struct tm *tm, pid_t pid,
	    const char *json, size_t jsonlen);

/*
 * The root, before it forks: send reports to SYSREPORT_PATH with facility
 * from now on, in every process of the tree. -1 with errno set if no
 * socket can be made.
 */
int	sysreport_open(int facility);

bool	sysreport_enabled(void);

/*
 * The socket's descriptor, or -1: a process that closes all but what it
 * names (proc_keep_only) keeps it, and says where it went with
 * sysreport_moved(). A number it no longer owns must never be sent to:
 * it may be a client's socket by then.
 */
int	sysreport_fd(void);
void	sysreport_moved(int fd);

/* Send r (its JSON line json) without waiting; dropped if not taken. */
void	sysreport_send(const struct report *r, const struct tm *tm,
	    const char *json, size_t jsonlen);

#endif
