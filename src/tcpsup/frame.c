/*
 * frame.c -- gen_tcp's {packet,N} framing. Pure: no I/O, no allocation.
 */
#include <string.h>

#include "frame.h"

size_t
frame_header_len(enum frame_mode mode)
{
	switch (mode) {
	case FRAME_1:
		return 1;
	case FRAME_2:
		return 2;
	case FRAME_4:
		return 4;
	default:
		return 0;
	}
}

size_t
frame_header_capacity(enum frame_mode mode)
{
	switch (mode) {
	case FRAME_1:
		return UINT8_MAX;
	case FRAME_2:
		return UINT16_MAX;
	case FRAME_4:
		return UINT32_MAX;
	default:
		return SIZE_MAX;
	}
}

struct frame_codec
frame_codec(enum frame_mode mode, size_t max_payload)
{
	size_t cap = frame_header_capacity(mode);

	return (struct frame_codec){
		.mode = mode,
		.max_payload = max_payload < cap ? max_payload : cap,
	};
}

static size_t
header_decode(const uint8_t *p, size_t hlen)
{
	size_t n = 0;

	for (size_t i = 0; i < hlen; i++)
		n = n << 8 | p[i];
	return n;
}

static enum frame_status
line_next(const struct frame_codec *fc, const uint8_t *buf, size_t len,
    size_t *frame_len)
{
	/* The newline belongs to the frame but not to its payload limit. */
	size_t scan = len <= fc->max_payload ? len : fc->max_payload + 1;
	const uint8_t *nl = memchr(buf, '\n', scan);

	if (nl != NULL) {
		*frame_len = (size_t)(nl - buf) + 1;
		return FRAME_COMPLETE;
	}
	*frame_len = 0;
	return len > fc->max_payload ? FRAME_TOO_BIG : FRAME_PARTIAL;
}

enum frame_status
frame_next(const struct frame_codec *fc, const uint8_t *buf, size_t len,
    size_t *frame_len)
{
	size_t hlen, payload;

	switch (fc->mode) {
	case FRAME_RAW:
		*frame_len = len;
		return len > 0 ? FRAME_COMPLETE : FRAME_PARTIAL;
	case FRAME_LINE:
		return line_next(fc, buf, len, frame_len);
	default:
		break;
	}
	hlen = frame_header_len(fc->mode);
	if (len < hlen)
		return FRAME_PARTIAL;
	payload = header_decode(buf, hlen);
	if (payload > fc->max_payload) {
		*frame_len = payload;
		return FRAME_TOO_BIG;
	}
	if (len - hlen < payload)
		return FRAME_PARTIAL;
	*frame_len = hlen + payload;
	return FRAME_COMPLETE;
}

int
frame_encode_header(enum frame_mode mode, size_t len, uint8_t *hdr)
{
	size_t hlen = frame_header_len(mode);

	if (len > frame_header_capacity(mode))
		return -1;
	for (size_t i = hlen; i > 0; i--) {
		hdr[i - 1] = (uint8_t)(len & 0xff);
		len >>= 8;
	}
	return (int)hlen;
}

static const struct {
	const char	*name;
	enum frame_mode	 mode;
} mode_names[] = {
	{ "0", FRAME_RAW }, { "raw", FRAME_RAW }, { "1", FRAME_1 },
	{ "2", FRAME_2 }, { "4", FRAME_4 }, { "line", FRAME_LINE },
};

int
frame_mode_parse(const char *s, enum frame_mode *mode)
{
	for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (strcmp(s, mode_names[i].name) == 0) {
			*mode = mode_names[i].mode;
			return 0;
		}
	}
	return -1;
}

const char *
frame_mode_name(enum frame_mode mode)
{
	switch (mode) {
	case FRAME_RAW:
		return "0";
	case FRAME_1:
		return "1";
	case FRAME_2:
		return "2";
	case FRAME_4:
		return "4";
	case FRAME_LINE:
		return "line";
	}
	return "?";
}
