/*
 * echo_fsm.h -- tcp_echo_fsm, one process per connection.
 */
#ifndef TCPSUP_ECHO_FSM_H
#define TCPSUP_ECHO_FSM_H

#include "options.h"

/* What every worker of a tcp_client_sup shares. */
struct echo_fsm_conf {
	const struct options	*opts;
	int			 ready;	/* --reuse: where to say "idle again" */
};

/*
 * conf is the struct echo_fsm_conf; channel is the descriptor (cast) on
 * which sockets arrive.
 */
void	echo_fsm_start(void *conf, void *channel) __attribute__((noreturn));

#endif
