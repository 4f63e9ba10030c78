/*
 * fuzz_frame.c -- libFuzzer target for the {packet,N} decoder (frame.c).
 *
 * The input picks a mode, a payload limit and a byte stream cut into reads
 * of arbitrary sizes. The stream is decoded twice: whole, and read by read
 * into a buffer sized as the echo worker sizes its own (echo_fsm.c), whose
 * unfilled tail is poisoned so that a look past the bytes received is an
 * ASan error. Every answer must be what its mode says; both decodings must
 * find the same frames and end the same way; and the worker's buffer must
 * never fill up around a partial frame, where its next read would ask for
 * 0 bytes and take the 0 it gets for the peer's close.
 */
#include <sanitizer/asan_interface.h>

#include <stdbool.h>

#include "frame.h"
#include "fuzz.h"

/* echo_fsm.c's read size in raw mode. */
#define RAW_CHUNK	65536

static const enum frame_mode modes[] = {
	FRAME_RAW, FRAME_1, FRAME_2, FRAME_4, FRAME_LINE
};

static size_t
header_value(const uint8_t *p, size_t hlen)
{
	size_t n = 0;

	for (size_t i = 0; i < hlen; i++)
		n = n << 8 | p[i];
	return n;
}

static void
check_complete(const struct frame_codec *fc, const uint8_t *buf, size_t len,
    size_t flen)
{
	size_t hlen = frame_header_len(fc->mode);
	uint8_t hdr[4];

	FUZZ_CHECK(flen > 0 && flen <= len);
	switch (fc->mode) {
	case FRAME_RAW:
		FUZZ_CHECK(flen == len);
		break;
	case FRAME_LINE:
		FUZZ_CHECK(buf[flen - 1] == '\n');
		FUZZ_CHECK(memchr(buf, '\n', flen - 1) == NULL);
		FUZZ_CHECK(flen - 1 <= fc->max_payload);
		break;
	default:
		FUZZ_CHECK(flen >= hlen);
		FUZZ_CHECK(header_value(buf, hlen) == flen - hlen);
		FUZZ_CHECK(flen - hlen <= fc->max_payload);
		/* The header the worker would write for it is the one it read. */
		FUZZ_CHECK(frame_encode_header(fc->mode, flen - hlen, hdr) ==
		    (int)hlen);
		FUZZ_CHECK(memcmp(hdr, buf, hlen) == 0);
	}
}

static void
check_incomplete(const struct frame_codec *fc, const uint8_t *buf,
    size_t len, enum frame_status st, size_t flen)
{
	size_t hlen = frame_header_len(fc->mode), scan;

	switch (fc->mode) {
	case FRAME_RAW:
		FUZZ_CHECK(st == FRAME_PARTIAL && len == 0);
		break;
	case FRAME_LINE:
		scan = len <= fc->max_payload ? len : fc->max_payload + 1;
		FUZZ_CHECK(memchr(buf, '\n', scan) == NULL);
		FUZZ_CHECK((st == FRAME_TOO_BIG) == (len > fc->max_payload));
		FUZZ_CHECK(st == FRAME_PARTIAL || flen == 0);
		break;
	default:
		if (st == FRAME_TOO_BIG) {
			FUZZ_CHECK(len >= hlen);
			FUZZ_CHECK(flen == header_value(buf, hlen));
			FUZZ_CHECK(flen > fc->max_payload);
		} else {
			FUZZ_CHECK(len < hlen ||
			    (header_value(buf, hlen) <= fc->max_payload &&
			    len - hlen < header_value(buf, hlen)));
		}
	}
}

/* frame_next, with buf[len..size) poisoned, and its answer checked. */
static enum frame_status
next_checked(const struct frame_codec *fc, const uint8_t *buf, size_t len,
    size_t size, size_t *flen)
{
	enum frame_status st;

	ASAN_POISON_MEMORY_REGION(buf + len, size - len);
	st = frame_next(fc, buf, len, flen);
	ASAN_UNPOISON_MEMORY_REGION(buf + len, size - len);
	FUZZ_CHECK(st == FRAME_COMPLETE || st == FRAME_PARTIAL ||
	    st == FRAME_TOO_BIG);
	if (st == FRAME_COMPLETE)
		check_complete(fc, buf, len, *flen);
	else
		check_incomplete(fc, buf, len, st, *flen);
	return st;
}

/* How a decoding went: frames found, where, and how it stopped. */
struct decoding {
	size_t			*ends;		/* stream offset after each frame */
	size_t			 nframes;
	enum frame_status	 last;		/* PARTIAL or TOO_BIG */
};

static void
add_frame(struct decoding *d, size_t end)
{
	d->ends[d->nframes++] = end;
}

/* The whole stream in one buffer, nothing readable past its end. */
static void
decode_whole(const struct frame_codec *fc, const uint8_t *stream, size_t len,
    struct decoding *d)
{
	uint8_t *buf = malloc(len + 1);
	size_t off = 0, flen;

	FUZZ_CHECK(buf != NULL);
	memcpy(buf, stream, len);
	while ((d->last = next_checked(fc, buf + off, len - off, len + 1 - off,
	    &flen)) == FRAME_COMPLETE) {
		off += flen;
		add_frame(d, off);
	}
	free(buf);
}

/* What echo_fsm.c allocates: a header, the limit, and a line's newline. */
static size_t
worker_capacity(const struct frame_codec *fc)
{
	size_t extra = frame_header_len(fc->mode) + (fc->mode == FRAME_LINE);

	if (fc->mode == FRAME_RAW)
		return RAW_CHUNK;
	return fc->max_payload > SIZE_MAX - extra ? SIZE_MAX :
	    fc->max_payload + extra;
}

/*
 * The worker's loop: read what fits, echo the complete frames at the
 * front, keep the rest, stop at a frame over the limit. The stream's
 * reads come from the input: a length byte, then up to that many bytes.
 */
static void
decode_reads(const struct frame_codec *fc, struct fuzz_input *in,
    struct decoding *d)
{
	size_t cap = worker_capacity(fc), total = 0, len = 0, size;
	uint8_t *buf;

	/* Only the bytes that can arrive need to exist. */
	size = cap < in->left ? cap : in->left;
	FUZZ_CHECK((buf = malloc(size + 1)) != NULL);
	d->last = FRAME_PARTIAL;
	while (in->left > 0 && d->last != FRAME_TOO_BIG) {
		size_t want = fuzz_u8(in), got;
		const uint8_t *chunk = fuzz_bytes(in, want, &got);

		while (got > 0 && d->last != FRAME_TOO_BIG) {
			size_t n = got < cap - len ? got : cap - len, done = 0, flen;

			FUZZ_CHECK(n > 0);	/* never a full buffer, waiting */
			memcpy(buf + len, chunk, n);
			chunk += n;
			got -= n;
			len += n;
			total += n;
			while ((d->last = next_checked(fc, buf + done, len - done,
			    size + 1 - done, &flen)) == FRAME_COMPLETE) {
				done += flen;
				add_frame(d, total - len + done);
			}
			memmove(buf, buf + done, len - done);
			len -= done;
		}
	}
	free(buf);
}

/* The stream: every read's bytes, in order, without their length bytes. */
static size_t
stream_of(struct fuzz_input in, uint8_t *stream)
{
	size_t len = 0;

	while (in.left > 0) {
		size_t want = fuzz_u8(&in), got;
		const uint8_t *chunk = fuzz_bytes(&in, want, &got);

		memcpy(stream + len, chunk, got);
		len += got;
	}
	return len;
}

static size_t
limit_of(struct fuzz_input *in)
{
	/* Mostly small limits, which short streams can reach. */
	switch (fuzz_u8(in) % 4) {
	case 0:
		return fuzz_u8(in);
	case 1:
		return (size_t)fuzz_uint(in, 2);
	case 2:
		return (size_t)fuzz_uint(in, 4);
	default:
		return (size_t)fuzz_uint(in, 8);
	}
}

static void
compare(enum frame_mode mode, const struct decoding *whole,
    const struct decoding *reads, size_t stream_len)
{
	if (mode == FRAME_RAW) {
		/* A frame is whatever one read brought: all of it comes back. */
		FUZZ_CHECK(reads->nframes == 0 ||
		    reads->ends[reads->nframes - 1] == stream_len);
		FUZZ_CHECK(whole->nframes == (stream_len > 0));
		return;
	}
	FUZZ_CHECK(whole->nframes == reads->nframes);
	FUZZ_CHECK(memcmp(whole->ends, reads->ends,
	    whole->nframes * sizeof(whole->ends[0])) == 0);
	FUZZ_CHECK(whole->last == reads->last);
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	enum frame_mode mode = modes[fuzz_u8(&in) % 5];
	size_t limit = limit_of(&in), stream_len;
	struct frame_codec fc = frame_codec(mode, limit);
	uint8_t *stream = malloc(in.left + 1);
	struct decoding whole = { .ends = calloc(in.left + 1, sizeof(size_t)) };
	struct decoding reads = { .ends = calloc(in.left + 1, sizeof(size_t)) };

	FUZZ_CHECK(stream != NULL && whole.ends != NULL && reads.ends != NULL);
	FUZZ_CHECK(fc.mode == mode);
	FUZZ_CHECK(fc.max_payload == (limit < frame_header_capacity(mode) ?
	    limit : frame_header_capacity(mode)));
	stream_len = stream_of(in, stream);
	decode_whole(&fc, stream, stream_len, &whole);
	decode_reads(&fc, &in, &reads);
	compare(mode, &whole, &reads, stream_len);
	free(stream);
	free(whole.ends);
	free(reads.ends);
	return 0;
}
