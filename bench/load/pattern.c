/*
 * pattern.c -- the bytes of every frame tcpsup-load sends. Pure: no I/O,
 * no allocation.
 *
 * Frame seq of connection id is a function of (id, seq), so neither side
 * of a connection stores what was sent: the writer regenerates it, the
 * reader regenerates what it expects. The first payload word is a
 * bijection of (id, seq), so from 8 bytes on no two frames of a run are
 * alike: an echo that lands on the wrong connection, or comes back out of
 * order, fails the check as surely as a flipped bit, and the word names the
 * frame's sender: pattern_owner() inverts it.
 */
#include <sys/param.h>

#include <endian.h>
#include <string.h>

#include "pattern.h"

/* Odd: the words of one payload all differ. */
#define PATTERN_STEP	0x9e3779b97f4a7c15ULL

void
pattern_init(struct pattern *p, size_t header, size_t payload)
{
	p->header = header;
	p->payload = payload;
	p->frame = header + payload;
}

/* splitmix64's finalizer: a bijection, so distinct frames, distinct keys. */
static uint64_t
pattern_key(uint32_t id, uint64_t seq)
{
	uint64_t x = (uint64_t)id << 32 | (uint32_t)seq;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The inverse of pattern_key(): each step of the finalizer undone. */
static uint64_t
pattern_unkey(uint64_t x)
{
	x ^= x >> 31 ^ x >> 62;
	x *= 0x319642b2d24d8ec3ULL;	/* 0x94d049bb133111eb's inverse */
	x ^= x >> 27 ^ x >> 54;
	x *= 0x96de1b173f119089ULL;	/* 0xbf58476d1ce4e5b9's inverse */
	return x ^ x >> 30 ^ x >> 60;
}

/* Who sent a frame, from its first 8 payload bytes: its id and seq. */
void
pattern_owner(const uint8_t *payload, uint32_t *id, uint32_t *seq)
{
	uint64_t word;

	memcpy(&word, payload, sizeof(word));
	word = pattern_unkey(le64toh(word));
	*id = (uint32_t)(word >> 32);
	*seq = (uint32_t)word;
}

/* Payload bytes [from, from + len): word j is key + j * PATTERN_STEP. */
static void
pattern_payload(uint64_t key, size_t from, uint8_t *dst, size_t len)
{
	uint64_t word;
	size_t skip, n;

	while (len > 0) {
		word = htole64(key + (uint64_t)(from / 8) * PATTERN_STEP);
		skip = from % 8;
		n = MIN(8 - skip, len);
		memcpy(dst, (uint8_t *)&word + skip, n);
		dst += n;
		from += n;
		len -= n;
	}
}

/* Bytes [off, off + len) of frame seq of connection id, header included. */
void
pattern_fill(const struct pattern *p, uint32_t id, uint64_t seq, size_t off,
    uint8_t *dst, size_t len)
{
	const uint8_t header[2] = { (uint8_t)(p->payload >> 8),
	    (uint8_t)p->payload };
	size_t n;

	if (off < p->header) {
		n = MIN(p->header - off, len);
		memcpy(dst, header + off, n);
		dst += n;
		off += n;
		len -= n;
	}
	if (len > 0)
		pattern_payload(pattern_key(id, seq), off - p->header, dst, len);
}
