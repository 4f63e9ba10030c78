/*
 * tree.h -- what the root keeps for the whole life of the application and
 * hands to each of its children: the listening socket, both ends of the
 * hand-off channel and both ends of the control channel (and the pidfile's
 * lock, which its children close). Because the root
 * holds them, a restarted listener or client supervisor picks up exactly
 * where the dead one stopped.
 */
#ifndef TCPSUP_TREE_H
#define TCPSUP_TREE_H

#include "addr.h"
#include "options.h"

struct tree {
	const struct options	*opts;
	int			 listen_fd;	/* -1 until the listener's setup */
	int			 handoff_send;	/* the listener's end */
	int			 handoff_recv;	/* tcp_client_sup's end */
	/* Control requests for tcp_client_sup, each with its connection. */
	int			 control_send;	/* the root's end */
	int			 control_recv;	/* tcp_client_sup's end */
	/* The lock on --pidfile, or -1: a child holding it would keep it. */
	int			 pidfile_fd;
	char			 bound[ADDR_STRLEN];	/* what listen_fd is bound to */
	char			 listen_error[32];	/* why it could not be */
	int			 port;		/* listen_fd's, once bound */
	char			 listener_mfa[96];
	char			 client_sup_mfa[112];
};

#endif
