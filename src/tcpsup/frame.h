/*
 * frame.h -- gen_tcp's {packet,N} framing, as pure functions.
 *
 * The echo worker feeds whatever bytes it has read and gets back where the
 * next complete frame ends; it never allocates and never does I/O, so every
 * mode can be unit-tested byte by byte.
 */
#ifndef TCPSUP_FRAME_H
#define TCPSUP_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum frame_mode {
	FRAME_RAW,	/* {packet,0}: whatever arrives is a frame */
	FRAME_1,	/* 1-byte length header */
	FRAME_2,	/* 2-byte big-endian length header */
	FRAME_4,	/* 4-byte big-endian length header */
	FRAME_LINE	/* ends at '\n' */
};

enum frame_status {
	FRAME_COMPLETE,	/* a whole frame is at the start of the buffer */
	FRAME_PARTIAL,	/* need more bytes */
	FRAME_TOO_BIG	/* the frame's payload exceeds the limit */
};

struct frame_codec {
	enum frame_mode	mode;
	size_t		max_payload;	/* already clamped to what the header holds */
};

/* Header length of a mode: 0, 1, 2 or 4. */
size_t	frame_header_len(enum frame_mode);

/* Largest payload a header of this mode can describe. */
size_t	frame_header_capacity(enum frame_mode);

/* A codec whose limit is min(max_payload, header capacity). */
struct frame_codec frame_codec(enum frame_mode, size_t max_payload);

/*
 * Look at buf[0..len) for the next frame. On FRAME_COMPLETE, *frame_len is
 * the bytes it spans, header included. On FRAME_TOO_BIG, *frame_len is the
 * payload length the header announced (0 in line mode, where it is unknown).
 */
enum frame_status frame_next(const struct frame_codec *, const uint8_t *buf,
	    size_t len, size_t *frame_len);

/*
 * Write the header for a payload of len bytes into hdr (at least 4 bytes).
 * Returns the header length, or -1 if len does not fit the header: a frame
 * whose length does not fit is never written.
 */
int	frame_encode_header(enum frame_mode, size_t len, uint8_t *hdr);

/* Parse "0", "raw", "1", "2", "4" or "line"; -1 if none of those. */
int	frame_mode_parse(const char *, enum frame_mode *);

/* The name --packet takes for a mode. */
const char *frame_mode_name(enum frame_mode);

#endif
