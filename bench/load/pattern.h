/*
 * pattern.h -- the bytes of every frame tcpsup-load sends, as a function of
 * the connection and the frame's number.
 */
#ifndef PATTERN_H
#define PATTERN_H

#include <stddef.h>
#include <stdint.h>

struct pattern {
	size_t	header;		/* 2 for {packet,2}, 0 for raw */
	size_t	payload;
	size_t	frame;		/* header + payload */
};

void	pattern_init(struct pattern *, size_t, size_t);
void	pattern_fill(const struct pattern *, uint32_t, uint64_t, size_t,
	    uint8_t *, size_t);
void	pattern_owner(const uint8_t *, uint32_t *, uint32_t *);

#endif
