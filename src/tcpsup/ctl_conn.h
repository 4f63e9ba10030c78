/*
 * ctl_conn.h -- control connections served without ever blocking, for the
 * root (which reads requests and writes replies) and tcp_client_sup (which
 * writes the replies to requests the root routed to it).
 *
 * Each process keeps a bounded table of them in its supervisor's event
 * loop, each under a deadline: a client has CTL_CONN_READ_MS to send its
 * request and CTL_CONN_WRITE_MS to take its reply, then it is closed. A
 * slow or silent client costs one slot until then; it never makes the
 * supervisor wait.
 */
#ifndef TCPSUP_CTL_CONN_H
#define TCPSUP_CTL_CONN_H

#include <stddef.h>

#include "ctl_proto.h"
#include "sup.h"

#define CTL_CONN_MAX		16	/* connections at once, per process */
#define CTL_CONN_READ_MS	2000
#define CTL_CONN_WRITE_MS	5000

struct ctl_conns;

/*
 * A whole request arrived on fd; raw is its bytes, newline included. The
 * callback answers with ctl_conns_reply() or, once it has handed fd on,
 * lets it go with ctl_conns_release().
 */
typedef void	ctl_conns_on_request(void *ctx, int fd,
		    const struct ctl_request *, const char *raw, size_t len);

/* A table in sup's event loop; on_request is NULL if it only replies. */
struct ctl_conns *ctl_conns_create(struct sup *, ctl_conns_on_request *,
		    void *ctx);

/*
 * Read a request from fd, a non-blocking socket that is now the table's.
 * -1 if the table is full: fd is still the caller's.
 */
int	ctl_conns_read(struct ctl_conns *, int fd);

/*
 * Send reply (ended) on fd, then close it; both are the table's now, and a
 * reply that does not fit in the socket is sent as the client reads. With
 * the table full, the client gets error busy instead.
 */
void	ctl_conns_reply(struct ctl_conns *, int fd, struct ctl_reply *);

/* Close fd, read here and handed on since. */
void	ctl_conns_release(struct ctl_conns *, int fd);

/* Close every connection: the process is leaving. */
void	ctl_conns_close_all(struct ctl_conns *);

/*
 * Answer a connection that gets no slot: "error\tTERM" and "end", sent at
 * once (a fresh socket has room for it), then a close.
 */
void	ctl_conns_refuse(int fd, const char *term);

#endif
