/*
 * listener.h -- tcp_listener: accepts connections and hands each one to
 * tcp_client_sup. It never serves a client itself.
 */
#ifndef TCPSUP_LISTENER_H
#define TCPSUP_LISTENER_H

#include <stddef.h>

/* In the root, before each start: open the listening socket once. */
int	listener_setup(void *tree, char *reason, size_t size);

/* In the child: the accept loop. */
void	listener_start(void *tree, void *extra) __attribute__((noreturn));

#endif
