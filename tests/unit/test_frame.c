/*
 * test_frame.c -- the {packet,N} codec (OTP.md section 4): every mode,
 * frames split across reads and packed into one read, zero-length frames,
 * payload limits and their clamping to what a header can hold, line mode's
 * too-long detection, big-endian header encoding, and mode names.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <string.h>

#include "frame.h"

/* frame_next on buf[0..len), returning the status and the frame length. */
static enum frame_status
next(const struct frame_codec *fc, const void *buf, size_t len,
    size_t *frame_len)
{
	*frame_len = (size_t)-1;
	return frame_next(fc, buf, len, frame_len);
}

/*
 * Feed every proper prefix of a frame, as reads would deliver it, and
 * expect FRAME_PARTIAL; then the whole frame, and expect FRAME_COMPLETE.
 */
static void
assert_split_feeds(enum frame_mode mode, const uint8_t *frame, size_t len)
{
	struct frame_codec fc = frame_codec(mode, 65535);
	size_t flen;

	for (size_t i = 0; i < len; i++)
		cr_assert_eq(next(&fc, frame, i, &flen), FRAME_PARTIAL,
		    "mode %s, prefix of %zu of %zu bytes",
		    frame_mode_name(mode), i, len);
	cr_assert_eq(next(&fc, frame, len, &flen), FRAME_COMPLETE,
	    "mode %s, whole frame", frame_mode_name(mode));
	cr_assert_eq(flen, len, "mode %s", frame_mode_name(mode));
}

/* --- header lengths and capacities ---------------------------------- */

Test(frame, header_len_per_mode)
{
	cr_assert_eq(frame_header_len(FRAME_RAW), 0);
	cr_assert_eq(frame_header_len(FRAME_1), 1);
	cr_assert_eq(frame_header_len(FRAME_2), 2);
	cr_assert_eq(frame_header_len(FRAME_4), 4);
	cr_assert_eq(frame_header_len(FRAME_LINE), 0);
}

Test(frame, header_capacity_per_mode)
{
	cr_assert_eq(frame_header_capacity(FRAME_1), 255);
	cr_assert_eq(frame_header_capacity(FRAME_2), 65535);
	cr_assert_eq(frame_header_capacity(FRAME_4), 4294967295u);
}

/* --- one whole frame in each mode ----------------------------------- */

Test(frame, raw_takes_whatever_arrives)
{
	struct frame_codec fc = frame_codec(FRAME_RAW, 65535);
	size_t flen;

	cr_assert_eq(next(&fc, "hello", 5, &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 5);
	cr_assert_eq(next(&fc, "h", 1, &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 1);
}

Test(frame, raw_nothing_is_partial)
{
	struct frame_codec fc = frame_codec(FRAME_RAW, 65535);
	size_t flen;

	cr_assert_eq(next(&fc, "", 0, &flen), FRAME_PARTIAL);
}

Test(frame, packet1_frame)
{
	struct frame_codec fc = frame_codec(FRAME_1, 65535);
	const uint8_t buf[] = { 3, 'a', 'b', 'c' };
	size_t flen;

	cr_assert_eq(next(&fc, buf, sizeof(buf), &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 4);
}

Test(frame, packet2_frame)
{
	struct frame_codec fc = frame_codec(FRAME_2, 65535);
	const uint8_t buf[] = { 0, 3, 'a', 'b', 'c' };
	size_t flen;

	cr_assert_eq(next(&fc, buf, sizeof(buf), &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 5);
}

Test(frame, packet4_frame)
{
	struct frame_codec fc = frame_codec(FRAME_4, 65535);
	const uint8_t buf[] = { 0, 0, 0, 3, 'a', 'b', 'c' };
	size_t flen;

	cr_assert_eq(next(&fc, buf, sizeof(buf), &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 7);
}

Test(frame, line_frame_ends_after_newline)
{
	struct frame_codec fc = frame_codec(FRAME_LINE, 65535);
	size_t flen;

	cr_assert_eq(next(&fc, "hello\nworld", 11, &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 6);
}

Test(frame, line_without_newline_is_partial)
{
	struct frame_codec fc = frame_codec(FRAME_LINE, 65535);
	size_t flen;

	cr_assert_eq(next(&fc, "hello", 5, &flen), FRAME_PARTIAL);
}

Test(frame, packet2_length_is_big_endian)
{
	/* 0x0102 = 258 bytes; little-endian would read 513. */
	struct frame_codec fc = frame_codec(FRAME_2, 65535);
	uint8_t buf[2 + 258] = { 0x01, 0x02 };
	size_t flen;

	cr_assert_eq(next(&fc, buf, sizeof(buf) - 1, &flen), FRAME_PARTIAL);
	cr_assert_eq(next(&fc, buf, sizeof(buf), &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 260);
}

Test(frame, packet4_length_is_big_endian)
{
	/* 0x00000100 = 256 bytes; little-endian would read 65536. */
	struct frame_codec fc = frame_codec(FRAME_4, 65535);
	uint8_t buf[4 + 256] = { 0, 0, 0x01, 0 };
	size_t flen;

	cr_assert_eq(next(&fc, buf, sizeof(buf) - 1, &flen), FRAME_PARTIAL);
	cr_assert_eq(next(&fc, buf, sizeof(buf), &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 260);
}

/* --- a frame split across several reads ------------------------------ */

Test(frame, packet1_split_across_feeds)
{
	const uint8_t f[] = { 4, 'e', 'c', 'h', 'o' };

	assert_split_feeds(FRAME_1, f, sizeof(f));
}

Test(frame, packet2_split_across_feeds_header_included)
{
	const uint8_t f[] = { 0, 4, 'e', 'c', 'h', 'o' };

	assert_split_feeds(FRAME_2, f, sizeof(f));
}

Test(frame, packet4_split_across_feeds_header_included)
{
	const uint8_t f[] = { 0, 0, 0, 4, 'e', 'c', 'h', 'o' };

	assert_split_feeds(FRAME_4, f, sizeof(f));
}

Test(frame, line_split_across_feeds)
{
	const uint8_t f[] = { 'e', 'c', 'h', 'o', '\n' };

	assert_split_feeds(FRAME_LINE, f, sizeof(f));
}

/* --- several frames in one read ------------------------------------- */

Test(frame, packet2_several_frames_in_one_buffer)
{
	struct frame_codec fc = frame_codec(FRAME_2, 65535);
	/* "a", "", "bc", then the first byte of a fourth header. */
	const uint8_t buf[] = { 0, 1, 'a', 0, 0, 0, 2, 'b', 'c', 0 };
	const size_t want[] = { 3, 2, 4 };
	size_t off = 0, flen;

	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(next(&fc, buf + off, sizeof(buf) - off, &flen),
		    FRAME_COMPLETE, "frame %zu", i);
		cr_assert_eq(flen, want[i], "frame %zu", i);
		off += flen;
	}
	cr_assert_eq(off, 9);
	cr_assert_eq(next(&fc, buf + off, sizeof(buf) - off, &flen),
	    FRAME_PARTIAL);
}

Test(frame, packet1_several_frames_in_one_buffer)
{
	struct frame_codec fc = frame_codec(FRAME_1, 255);
	const uint8_t buf[] = { 2, 'h', 'i', 1, '!', 0 };
	const size_t want[] = { 3, 2, 1 };
	size_t off = 0, flen;

	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(next(&fc, buf + off, sizeof(buf) - off, &flen),
		    FRAME_COMPLETE, "frame %zu", i);
		cr_assert_eq(flen, want[i], "frame %zu", i);
		off += flen;
	}
	cr_assert_eq(off, sizeof(buf));
}

Test(frame, packet4_several_frames_in_one_buffer)
{
	struct frame_codec fc = frame_codec(FRAME_4, 65535);
	const uint8_t buf[] = { 0, 0, 0, 1, 'x', 0, 0, 0, 3, 'y', 'y', 'y' };
	size_t flen;

	cr_assert_eq(next(&fc, buf, sizeof(buf), &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 5);
	cr_assert_eq(next(&fc, buf + 5, sizeof(buf) - 5, &flen),
	    FRAME_COMPLETE);
	cr_assert_eq(flen, 7);
}

Test(frame, line_several_frames_in_one_buffer)
{
	struct frame_codec fc = frame_codec(FRAME_LINE, 65535);
	const char buf[] = "a\nbb\n\nccc";
	const size_t want[] = { 2, 3, 1 };
	size_t off = 0, flen, len = sizeof(buf) - 1;

	for (size_t i = 0; i < 3; i++) {
		cr_assert_eq(next(&fc, buf + off, len - off, &flen),
		    FRAME_COMPLETE, "line %zu", i);
		cr_assert_eq(flen, want[i], "line %zu", i);
		off += flen;
	}
	cr_assert_eq(next(&fc, buf + off, len - off, &flen), FRAME_PARTIAL);
}

/* --- zero-length frames are real messages --------------------------- */

Test(frame, packet1_zero_length_frame)
{
	struct frame_codec fc = frame_codec(FRAME_1, 255);
	const uint8_t buf[] = { 0 };
	size_t flen;

	cr_assert_eq(next(&fc, buf, 1, &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 1);
}

Test(frame, packet2_zero_length_frame)
{
	struct frame_codec fc = frame_codec(FRAME_2, 65535);
	const uint8_t buf[] = { 0, 0 };
	size_t flen;

	cr_assert_eq(next(&fc, buf, 1, &flen), FRAME_PARTIAL);
	cr_assert_eq(next(&fc, buf, 2, &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 2);
}

Test(frame, packet4_zero_length_frame)
{
	struct frame_codec fc = frame_codec(FRAME_4, 65535);
	const uint8_t buf[] = { 0, 0, 0, 0 };
	size_t flen;

	cr_assert_eq(next(&fc, buf, 3, &flen), FRAME_PARTIAL);
	cr_assert_eq(next(&fc, buf, 4, &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 4);
}

/* --- payload limits -------------------------------------------------- */

Test(frame, packet2_payload_exactly_at_limit_is_ok)
{
	struct frame_codec fc = frame_codec(FRAME_2, 10);
	uint8_t buf[2 + 10] = { 0, 10 };
	size_t flen;

	cr_assert_eq(next(&fc, buf, 2, &flen), FRAME_PARTIAL);
	cr_assert_eq(next(&fc, buf, sizeof(buf), &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 12);
}

Test(frame, packet2_limit_plus_one_is_too_big_from_the_header)
{
	struct frame_codec fc = frame_codec(FRAME_2, 10);
	const uint8_t buf[] = { 0, 11 };
	size_t flen;

	/* The header alone says it: no need to wait for the payload. */
	cr_assert_eq(next(&fc, buf, sizeof(buf), &flen), FRAME_TOO_BIG);
	cr_assert_eq(flen, 11, "announced payload length");
}

Test(frame, packet1_limit_plus_one_is_too_big)
{
	struct frame_codec fc = frame_codec(FRAME_1, 100);
	const uint8_t ok[] = { 100 }, big[] = { 101 };
	size_t flen;

	cr_assert_eq(next(&fc, ok, 1, &flen), FRAME_PARTIAL);
	cr_assert_eq(next(&fc, big, 1, &flen), FRAME_TOO_BIG);
	cr_assert_eq(flen, 101);
}

Test(frame, packet4_limit_plus_one_is_too_big)
{
	struct frame_codec fc = frame_codec(FRAME_4, 65535);
	const uint8_t ok[] = { 0, 0, 0xff, 0xff }, big[] = { 0, 1, 0, 0 };
	const uint8_t huge[] = { 0xff, 0xff, 0xff, 0xff };
	size_t flen;

	cr_assert_eq(next(&fc, ok, 4, &flen), FRAME_PARTIAL);
	cr_assert_eq(next(&fc, big, 4, &flen), FRAME_TOO_BIG);
	cr_assert_eq(flen, 65536);
	cr_assert_eq(next(&fc, huge, 4, &flen), FRAME_TOO_BIG);
	cr_assert_eq(flen, 4294967295u);
}

Test(frame, packet1_limit_clamps_to_255)
{
	struct frame_codec fc = frame_codec(FRAME_1, 65535);
	uint8_t buf[1 + 255] = { 255 };
	size_t flen;

	cr_assert_eq(fc.max_payload, 255);
	cr_assert_eq(next(&fc, buf, sizeof(buf), &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 256);
}

Test(frame, packet2_limit_clamps_to_65535)
{
	struct frame_codec fc = frame_codec(FRAME_2, 1 << 20);
	const uint8_t buf[] = { 0xff, 0xff };
	size_t flen;

	cr_assert_eq(fc.max_payload, 65535);
	cr_assert_eq(next(&fc, buf, sizeof(buf), &flen), FRAME_PARTIAL);
}

Test(frame, limit_below_capacity_is_kept)
{
	cr_assert_eq(frame_codec(FRAME_1, 10).max_payload, 10);
	cr_assert_eq(frame_codec(FRAME_2, 1000).max_payload, 1000);
	cr_assert_eq(frame_codec(FRAME_4, 1 << 20).max_payload, 1 << 20);
	cr_assert_eq(frame_codec(FRAME_LINE, 80).max_payload, 80);
}

/* --- line mode limits (the newline is not payload) ------------------- */

Test(frame, line_exactly_at_limit_is_ok)
{
	struct frame_codec fc = frame_codec(FRAME_LINE, 5);
	size_t flen;

	cr_assert_eq(next(&fc, "abcde\n", 6, &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 6);
}

Test(frame, line_at_limit_without_newline_is_partial)
{
	struct frame_codec fc = frame_codec(FRAME_LINE, 5);
	size_t flen;

	cr_assert_eq(next(&fc, "abcde", 5, &flen), FRAME_PARTIAL);
}

Test(frame, line_one_past_limit_is_too_big)
{
	struct frame_codec fc = frame_codec(FRAME_LINE, 5);
	size_t flen;

	cr_assert_eq(next(&fc, "abcdef", 6, &flen), FRAME_TOO_BIG);
	cr_assert_eq(flen, 0, "length unknown in line mode");
	cr_assert_eq(next(&fc, "abcdef\n", 7, &flen), FRAME_TOO_BIG);
}

Test(frame, line_newline_past_limit_is_too_big)
{
	struct frame_codec fc = frame_codec(FRAME_LINE, 5);
	size_t flen;

	cr_assert_eq(next(&fc, "abcdefghij\n", 11, &flen), FRAME_TOO_BIG);
}

Test(frame, line_short_line_in_long_buffer_is_complete)
{
	struct frame_codec fc = frame_codec(FRAME_LINE, 5);
	size_t flen;

	cr_assert_eq(next(&fc, "ab\ncdefghijk", 12, &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 3);
}

Test(frame, line_without_a_limit_finds_the_newline)
{
	/* Line mode's header capacity is SIZE_MAX: "no limit" is legal. */
	struct frame_codec fc = frame_codec(FRAME_LINE, SIZE_MAX);
	size_t flen;

	cr_assert_eq(next(&fc, "abc\n", 4, &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 4);
}

Test(frame, line_empty_line)
{
	struct frame_codec fc = frame_codec(FRAME_LINE, 5);
	size_t flen;

	cr_assert_eq(next(&fc, "\n", 1, &flen), FRAME_COMPLETE);
	cr_assert_eq(flen, 1);
}

/* --- header encoding ------------------------------------------------- */

Test(frame, encode_packet1)
{
	uint8_t hdr[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	cr_assert_eq(frame_encode_header(FRAME_1, 255, hdr), 1);
	cr_assert_eq(hdr[0], 0xff);
	cr_assert_eq(hdr[1], 0xaa, "wrote past the header");
}

Test(frame, encode_packet2_big_endian)
{
	uint8_t hdr[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	cr_assert_eq(frame_encode_header(FRAME_2, 0x0102, hdr), 2);
	cr_assert_eq(hdr[0], 0x01);
	cr_assert_eq(hdr[1], 0x02);
	cr_assert_eq(hdr[2], 0xaa, "wrote past the header");
}

Test(frame, encode_packet4_big_endian)
{
	uint8_t hdr[4] = { 0 };

	cr_assert_eq(frame_encode_header(FRAME_4, 0x01020304, hdr), 4);
	cr_assert_eq(hdr[0], 0x01);
	cr_assert_eq(hdr[1], 0x02);
	cr_assert_eq(hdr[2], 0x03);
	cr_assert_eq(hdr[3], 0x04);
}

Test(frame, encode_zero_length)
{
	uint8_t hdr[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	cr_assert_eq(frame_encode_header(FRAME_2, 0, hdr), 2);
	cr_assert_eq(hdr[0], 0);
	cr_assert_eq(hdr[1], 0);
}

Test(frame, encode_headerless_modes_write_nothing)
{
	uint8_t hdr[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	cr_assert_eq(frame_encode_header(FRAME_RAW, 100000, hdr), 0);
	cr_assert_eq(frame_encode_header(FRAME_LINE, 100000, hdr), 0);
	cr_assert_eq(hdr[0], 0xaa);
}

Test(frame, encode_refuses_length_that_does_not_fit)
{
	uint8_t hdr[4];

	cr_assert_eq(frame_encode_header(FRAME_1, 256, hdr), -1);
	cr_assert_eq(frame_encode_header(FRAME_2, 65536, hdr), -1);
	cr_assert_eq(frame_encode_header(FRAME_4, (size_t)UINT32_MAX + 1, hdr),
	    -1);
	cr_assert_eq(frame_encode_header(FRAME_4, UINT32_MAX, hdr), 4);
}

Test(frame, encoded_header_decodes_to_same_frame)
{
	const enum frame_mode modes[] = { FRAME_1, FRAME_2, FRAME_4 };
	uint8_t buf[4 + 200];

	for (size_t m = 0; m < 3; m++) {
		struct frame_codec fc = frame_codec(modes[m], 65535);
		int hlen = frame_encode_header(modes[m], 200, buf);
		size_t flen;

		cr_assert_eq(hlen, (int)frame_header_len(modes[m]));
		memset(buf + hlen, 'z', 200);
		cr_assert_eq(next(&fc, buf, (size_t)hlen + 200, &flen),
		    FRAME_COMPLETE, "mode %s", frame_mode_name(modes[m]));
		cr_assert_eq(flen, (size_t)hlen + 200);
	}
}

/* --- mode names ------------------------------------------------------ */

Test(frame, mode_parse_good_names)
{
	const struct {
		const char	*name;
		enum frame_mode	 mode;
	} good[] = {
		{ "0", FRAME_RAW }, { "raw", FRAME_RAW }, { "1", FRAME_1 },
		{ "2", FRAME_2 }, { "4", FRAME_4 }, { "line", FRAME_LINE },
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		enum frame_mode m = (enum frame_mode)-1;

		cr_assert_eq(frame_mode_parse(good[i].name, &m), 0, "'%s'",
		    good[i].name);
		cr_assert_eq(m, good[i].mode, "'%s'", good[i].name);
	}
}

Test(frame, mode_parse_bad_names)
{
	const char *bad[] = {
		"", "3", "8", "-1", "02", "2 ", " 2", "LINE", "Raw", "packet",
		"lines", "{packet,2}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum frame_mode m = FRAME_4;

		cr_assert_eq(frame_mode_parse(bad[i], &m), -1, "'%s'", bad[i]);
		cr_assert_eq(m, FRAME_4, "'%s' changed the mode", bad[i]);
	}
}

Test(frame, mode_name_round_trips)
{
	const enum frame_mode modes[] = {
		FRAME_RAW, FRAME_1, FRAME_2, FRAME_4, FRAME_LINE,
	};

	for (size_t i = 0; i < 5; i++) {
		enum frame_mode m;

		cr_assert_eq(frame_mode_parse(frame_mode_name(modes[i]), &m), 0);
		cr_assert_eq(m, modes[i]);
	}
	cr_assert_str_eq(frame_mode_name(FRAME_2), "2");
	cr_assert_str_eq(frame_mode_name(FRAME_LINE), "line");
}
