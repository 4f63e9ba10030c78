/*
 * echo_fsm.h -- tcp_echo_fsm, one process per connection.
 */
#ifndef TCPSUP_ECHO_FSM_H
#define TCPSUP_ECHO_FSM_H

/*
 * opts is the struct options; channel is the descriptor (cast) on which
 * the socket will arrive.
 */
void	echo_fsm_start(void *opts, void *channel) __attribute__((noreturn));

#endif
