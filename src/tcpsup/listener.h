/*
 * listener.h -- tcp_listener: accepts connections and hands each one to
 * tcp_client_sup. It never serves a client itself.
 */
#ifndef TCPSUP_LISTENER_H
#define TCPSUP_LISTENER_H

#include <stddef.h>

#include "tree.h"

/*
 * In the root, once, before anything is forked: listen on fd (a socket
 * systemd passed) or, if fd is -1, open the socket --listen names. On
 * failure, -1 and the reason kept for listener_setup().
 */
int	listener_open(struct tree *, int fd);

/* In the root, before each start: fails with listener_open()'s reason. */
int	listener_setup(void *tree, char *reason, size_t size);

/* In the child: the accept loop. */
void	listener_start(void *tree, void *extra) __attribute__((noreturn));

#endif
