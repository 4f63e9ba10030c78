/*
 * packet2.h -- {packet,2} framing for the C peers. The peers keep their own
 * few lines rather than tcpsup's frame.c: a floor to measure against must
 * not share tcpsup's code.
 */
#ifndef PEERS_PACKET2_H
#define PEERS_PACKET2_H

#include <stddef.h>
#include <stdint.h>

/* Length of the prefix of buf[0..len) made of complete frames. */
size_t	complete_frames(const uint8_t *buf, size_t len);

#endif
