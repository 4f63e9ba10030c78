/*
 * sup_call.h -- a control request for one supervisor, answered from the
 * engine's calls (sup.h) as OTP's supervisor module answers them.
 */
#ifndef TCPSUP_SUP_CALL_H
#define TCPSUP_SUP_CALL_H

#include "ctl_proto.h"
#include "sup.h"

/*
 * Answer req (which_children, count_children, terminate_child,
 * restart_child, delete_child, get_childspec, children) for sup's own
 * children into reply, ended. Other verbs, or another supervisor's name,
 * get an error reply. terminate_child waits for the child to stop, as
 * OTP's does.
 */
void	sup_call(struct sup *, const struct ctl_request *, struct ctl_reply *);

#endif
