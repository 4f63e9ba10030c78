/*
 * control.h -- the daemon's side of the control socket, served by the
 * root: create it, accept, check credentials, read bounded requests and
 * route each to the supervisor it names.
 */
#ifndef TCPSUP_CONTROL_H
#define TCPSUP_CONTROL_H

#include <stddef.h>

#include "sup.h"
#include "tree.h"

struct control;

/*
 * Open the control socket (--control, or the default place for the bound
 * port) and serve it from root's event loop. *ctl is NULL when it is off.
 * -1 when it cannot be opened safely: why says so in one line, reason as
 * an atom.
 */
int	control_open(struct control **ctl, struct sup *root, struct tree *,
	    char *why, size_t whysize, char *reason, size_t reasonsize);

/* Close every control connection and remove the socket file. */
void	control_close(struct control *);

#endif
