/*
 * fdpass.h -- pass one descriptor per message over a UNIX socket
 * (SCM_RIGHTS): the listener hands accepted sockets to tcp_client_sup, and
 * tcp_client_sup hands each one to its worker (the tutorial's set_socket).
 */
#ifndef TCPSUP_FDPASS_H
#define TCPSUP_FDPASS_H

/*
 * Send fd. Returns 0, or -1 with errno set (EAGAIN on a full non-blocking
 * channel). The caller still owns fd and closes it only after success.
 */
int	fdpass_send(int channel, int fd);

/*
 * Receive one descriptor (close-on-exec). Returns it, 0-byte EOF as -1
 * with errno 0, or -1 with errno set. A message that carried no descriptor
 * or more than one is an error (EBADMSG); extra descriptors are closed.
 */
int	fdpass_recv(int channel);

#endif
