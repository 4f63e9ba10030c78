/*
 * client_sup.h -- tcp_client_sup, the simple_one_for_one supervisor of
 * the echo workers.
 */
#ifndef TCPSUP_CLIENT_SUP_H
#define TCPSUP_CLIENT_SUP_H

void	client_sup_start(void *tree, void *extra) __attribute__((noreturn));

#endif
