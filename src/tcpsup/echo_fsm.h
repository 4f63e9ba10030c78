/*
 * echo_fsm.h -- tcp_echo_fsm, one process per connection.
 */
#ifndef TCPSUP_ECHO_FSM_H
#define TCPSUP_ECHO_FSM_H

#include <stdint.h>

#include "options.h"

/*
 * What a worker tells tcp_client_sup on the shared notice channel. Who
 * tells it is the sender's pid as the kernel gives it (SCM_CREDENTIALS),
 * never a pid the message carries: any worker can write there.
 */
struct echo_fsm_notice {
	enum { ECHO_FSM_IDLE } what;
};

/*
 * The frame buffer a worker is given: enough for the default --max-frame
 * and for raw mode. A larger --max-frame maps one of its own.
 */
#define ECHO_FSM_BUFSIZE	(65536 + 8)

/* What every worker of a tcp_client_sup shares. */
struct echo_fsm_conf {
	const struct options	*opts;
	/* Where to send struct echo_fsm_notice, with --reuse; else -1. */
	int			 notices;
};

/*
 * Serve the sockets that arrive on channel, one at a time, as the tutorial's
 * FSM does from WAIT_FOR_SOCKET; with --reuse, tell tcp_client_sup on
 * notices when it is idle again. Runs in a process the spawner
 * (spawner.c) has made, confined already.
 */
void	echo_fsm_run(const struct echo_fsm_conf *conf, uint8_t *buf,
	    int channel, int notices) __attribute__((noreturn));

/* Serve fd, a socket handed over already, and exit. */
void	echo_fsm_serve(const struct echo_fsm_conf *conf, uint8_t *buf,
	    int fd) __attribute__((noreturn));

#endif
