/*
 * fuzz.h -- what the libFuzzer targets share: reading typed values off the
 * front of an input, and a check that stays on whatever the build's
 * NDEBUG says. Test code only; never linked into tcpsup.
 */
#ifndef TCPSUP_FUZZ_H
#define TCPSUP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The rest of an input, consumed from the front. */
struct fuzz_input {
	const uint8_t	*p;
	size_t		 left;
};

/* Fails the input: libFuzzer keeps it as a crash to replay. */
#define FUZZ_CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* One byte, 0 once the input is used up. */
static inline uint8_t
fuzz_u8(struct fuzz_input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

/* n bytes (at most 8), big-endian. */
static inline uint64_t
fuzz_uint(struct fuzz_input *in, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | fuzz_u8(in);
	return v;
}

/* Up to want bytes; *len says how many there were. */
static inline const uint8_t *
fuzz_bytes(struct fuzz_input *in, size_t want, size_t *len)
{
	const uint8_t *p = in->p;

	*len = want < in->left ? want : in->left;
	in->p += *len;
	in->left -= *len;
	return p;
}

/* The next string, up to a NUL byte or the end, as a malloc'd copy. */
static inline char *
fuzz_string(struct fuzz_input *in)
{
	const uint8_t *nul = memchr(in->p, '\0', in->left);
	size_t len = nul != NULL ? (size_t)(nul - in->p) : in->left;
	char *s = malloc(len + 1);

	FUZZ_CHECK(s != NULL);
	memcpy(s, in->p, len);
	s[len] = '\0';
	in->p += len + (nul != NULL);
	in->left -= len + (nul != NULL);
	return s;
}

#endif
