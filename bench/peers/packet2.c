/*
 * packet2.c -- {packet,2} framing for the C peers (see packet2.h).
 */
#include "packet2.h"

size_t
complete_frames(const uint8_t *buf, size_t len)
{
	size_t pos = 0;

	while (len - pos >= 2) {
		size_t frame = 2 + ((size_t)buf[pos] << 8 | buf[pos + 1]);

		if (len - pos < frame)
			break;
		pos += frame;
	}
	return pos;
}
