/*
 * fdpass.h -- pass one descriptor per message over a UNIX socket
 * (SCM_RIGHTS): the listener hands accepted sockets to tcp_client_sup, and
 * tcp_client_sup hands each one to its worker (the tutorial's set_socket);
 * the root hands a control connection to tcp_client_sup with the request
 * read from it.
 */
#ifndef TCPSUP_FDPASS_H
#define TCPSUP_FDPASS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Send fd. Returns 0, or -1 with errno set (EAGAIN on a full non-blocking
 * channel). The caller still owns fd and closes it only after success.
 */
int	fdpass_send(int channel, int fd);

/*
 * Receive one descriptor (close-on-exec). Returns it, 0-byte EOF as -1
 * with errno 0, or -1 with errno set. A message that carried no descriptor
 * or more than one is an error (EBADMSG); extra descriptors are closed.
 * EMFILE: a descriptor was sent but this process had no room for it
 * (RLIMIT_NOFILE); the kernel closed it, the message is consumed.
 */
int	fdpass_recv(int channel);

/*
 * The same with a payload of 1 to size bytes in the message (a
 * SOCK_SEQPACKET channel keeps it whole). fdpass_recv_data sets *len; a
 * payload longer than size is an error (EBADMSG), its descriptor closed.
 */
int	fdpass_send_data(int channel, int fd, const void *data, size_t len);
int	fdpass_recv_data(int channel, void *buf, size_t size, size_t *len);

/* Whether a message waits on channel now, without waiting for one. */
bool	fdpass_waiting(int channel);

/*
 * Whether errno e from a send says the peer is gone (it died, or closed
 * its end), as opposed to a shortage (ENOBUFS, ENOMEM) or a full channel,
 * after which the peer is as alive as it was.
 */
bool	fdpass_peer_gone(int e);

#endif
