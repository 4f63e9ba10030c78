/*
 * exec_line.c -- escape a program's stderr line for a report
 * (exec_line.h). Pure.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "exec_line.h"

/*
 * The length of the well-formed UTF-8 sequence at p (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0.
 */
static size_t
utf8_len(const uint8_t *p, size_t left)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t n;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n > left || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

size_t
exec_line_escape(const char *in, size_t len, char *out, size_t size)
{
	const uint8_t *p = (const uint8_t *)in;
	size_t o = 0, i = 0;

	if (size == 0)
		return 0;
	while (i < len) {
		char piece[8];
		size_t n = 1, plen;

		if (p[i] == '\\') {
			memcpy(piece, "\\\\", plen = 2);
		} else if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) {
			plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", p[i]);
		} else if (p[i] < 0x80) {
			piece[0] = (char)p[i];
			plen = 1;
		} else if ((n = utf8_len(p + i, len - i)) > 0) {
			memcpy(piece, p + i, plen = n);
		} else {
			n = 1;
			plen = (size_t)snprintf(piece, sizeof(piece), "\\x%02x", p[i]);
		}
		if (o + plen + 1 > size)
			break;
		memcpy(out + o, piece, plen);
		o += plen;
		i += n;
	}
	out[o] = '\0';
	return o;
}
