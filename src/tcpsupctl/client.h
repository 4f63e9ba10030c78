/*
 * client.h -- one request to a running tcpsup over its control socket.
 */
#ifndef TCPSUPCTL_CLIENT_H
#define TCPSUPCTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_proto.h"

/* A reply as received: its lines, NUL-terminated, status parsed. */
struct client_reply {
	char		*text;		/* malloc'd, every line of the reply */
	size_t		 len;
	const char	*error;		/* NULL for ok, else the error term */
	char		*records;	/* the lines after the status line */
};

/*
 * Send req to the daemon listening on path and read the whole reply,
 * within timeout_ms in all. Returns 0, or -1 with errno set: ENOENT or
 * ECONNREFUSED (no daemon there), EACCES, ETIMEDOUT, EPROTO (a reply cut
 * short or malformed), ENOMEM.
 */
int	client_call(const char *path, const struct ctl_request *,
	    struct client_reply *, int timeout_ms);

/*
 * The next record of the reply, parsed in place; 0 at the end. Call with
 * *cursor = reply->records first.
 */
int	client_next_record(char **cursor, struct ctl_record *);

void	client_reply_free(struct client_reply *);

/* The monotonic clock in ms: deadlines here, and top's refreshes. */
int64_t	client_now_ms(void);

/*
 * Why a request to the daemon at path got no usable answer: one line for
 * a person in buf, without a newline, and the exit status that says so
 * (<sysexits.h>). Either client_call failed with errno e (error NULL), or
 * the reply to req is one of tcpsup's own refusals (eacces, busy,
 * badrequest). 0 when error is a supervisor's answer, OTP's, which the
 * command prints its own way.
 */
int	client_why(const char *path, int timeout_ms,
	    const struct ctl_request *req, int e, const char *error, char *buf,
	    size_t size);

#endif
