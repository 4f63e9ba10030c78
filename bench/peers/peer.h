/*
 * peer.h -- what the two C peers share: a listening socket on 127.0.0.1
 * and {packet,2} framing. The peers keep their own few lines rather than
 * tcpsup's code: a floor to measure against must not share tcpsup's code.
 */
#ifndef PEERS_PEER_H
#define PEERS_PEER_H

#include <stddef.h>
#include <stdint.h>

/* Both peers' listen backlog, as socat's backlog=1024: never the limit. */
#define BACKLOG		1024

/*
 * Listen on 127.0.0.1:port_arg; extra_type is or'ed into the socket type
 * (SOCK_NONBLOCK). Exits with a message on any error.
 */
int	peer_listen(const char *port_arg, int extra_type);

/* Length of the prefix of buf[0..len) made of complete frames. */
size_t	complete_frames(const uint8_t *buf, size_t len);

#endif
