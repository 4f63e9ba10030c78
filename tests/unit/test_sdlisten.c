/*
 * test_sdlisten.c -- socket activation as sd_listen_fds(3) defines it:
 * LISTEN_PID for us or another, LISTEN_FDS counts, LISTEN_FDNAMES
 * choosing among several, and every malformed value refused with a
 * message that names it.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "sdlisten.h"

static char why[256];

static int
parse(const char *pid, const char *fds, const char *names, int *index)
{
	why[0] = '\0';
	return sdlisten_parse(pid, fds, names, 42, index, why, sizeof(why));
}

Test(sdlisten, not_activated)
{
	int index;

	cr_assert_eq(parse(NULL, NULL, NULL, &index), 0);
	cr_assert_eq(index, -1);
	cr_assert_eq(parse(NULL, "1", "listen", &index), 0);
	/* Meant for the process that exec'd us, not for us. */
	cr_assert_eq(parse("41", "1", NULL, &index), 0);
	cr_assert_eq(index, -1);
}

Test(sdlisten, one_socket)
{
	int index;

	cr_assert_eq(parse("42", "1", NULL, &index), 1);
	cr_assert_eq(index, 0);
	/* One socket is the one, whatever its name. */
	cr_assert_eq(parse("42", "1", "tcpsup.socket", &index), 1);
	cr_assert_eq(index, 0);
}

Test(sdlisten, several_sockets_by_name)
{
	int index;

	cr_assert_eq(parse("42", "3", "control:listen:other", &index), 3);
	cr_assert_eq(index, 1);
	cr_assert_eq(parse("42", "2", "listen:listen", &index), 2);
	cr_assert_eq(index, 0);
	/* Names past the count are not ours to look at. */
	cr_assert_eq(parse("42", "2", "a:b:listen", &index), -1);
	cr_assert_not_null(strstr(why, "none named 'listen'"), "%s", why);
	cr_assert_eq(parse("42", "2", "listening:listen2", &index), -1);
	cr_assert_eq(parse("42", "2", NULL, &index), -1);
	cr_assert_not_null(strstr(why, "LISTEN_FDS 2"), "%s", why);
}

Test(sdlisten, malformed)
{
	int index;

	cr_assert_eq(parse("x42", "1", NULL, &index), -1);
	cr_assert_not_null(strstr(why, "LISTEN_PID 'x42'"), "%s", why);
	cr_assert_eq(parse("0", "1", NULL, &index), -1);
	cr_assert_eq(parse("42", NULL, NULL, &index), -1);
	cr_assert_not_null(strstr(why, "LISTEN_FDS ''"), "%s", why);
	cr_assert_eq(parse("42", "-1", NULL, &index), -1);
	cr_assert_eq(parse("42", "1x", NULL, &index), -1);
	cr_assert_eq(parse("42", "65", NULL, &index), -1);
	cr_assert_eq(parse("42", "0", NULL, &index), -1);
	cr_assert_not_null(strstr(why, "no socket"), "%s", why);
}
