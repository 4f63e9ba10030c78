/*
 * test_log.c -- reports written to a stderr that stalls, as a pipe whose
 * reader stopped: log_report never blocks, every report the pipe cannot
 * take is counted, and once it drains the next report comes after the
 * count; log_warn is an ERROR REPORT in the chosen format.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "report.h"
#include "stats.h"

static int rd = -1;	/* the pipe's read end; stderr is its write end */
static char got[1 << 17];

static void
stderr_to_pipe(void)
{
	int p[2];

	cr_assert_eq(stats_open(), 0);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	cr_assert_eq(dup2(p[1], STDERR_FILENO), STDERR_FILENO);
	close(p[1]);
	rd = p[0];
	cr_assert_eq(fcntl(rd, F_SETFL, O_NONBLOCK), 0);
	cr_assert_eq(log_stderr_nonblocking(), 0);
	log_set_format(REPORT_JSON);
}

TestSuite(log, .init = stderr_to_pipe, .timeout = 10);

/* Everything in the pipe now, NUL-terminated. */
static const char *
drain(void)
{
	size_t len = 0;
	ssize_t n;

	while (len < sizeof(got) - 1 &&
	    (n = read(rd, got + len, sizeof(got) - 1 - len)) > 0)
		len += (size_t)n;
	got[len] = '\0';
	return got;
}

static void
fill(void)
{
	static const char junk[512];

	for (int i = 0; i < 100000; i++)
		if (write(STDERR_FILENO, junk, sizeof(junk)) == -1)
			break;
	cr_assert_eq(errno, EAGAIN, "stderr does not fill: %s",
	    strerror(errno));
}

Test(log, a_full_pipe_drops_and_counts)
{
	struct report r = report_message(REPORT_INFO, 42, "lost");
	struct report after = report_message(REPORT_INFO, 42, "after");
	const char *out, *count, *next;

	fill();
	for (int i = 0; i < 3; i++)
		log_report(&r);
	cr_assert_eq(stats_get(STATS_DROPPED), 3);
	drain();
	log_report(&after);
	out = drain();
	count = strstr(out, "\"message\":\"3 reports dropped: ");
	next = strstr(out, "\"message\":\"after\"");
	cr_assert_not_null(count, "%s", out);
	cr_assert_not_null(next, "%s", out);
	cr_assert_lt(count, next, "the count comes first: %s", out);
	cr_assert_null(strstr(out, "lost"), "%s", out);
	cr_assert_eq(stats_get(STATS_DROPPED_UNTOLD), 0);
	cr_assert_eq(stats_get(STATS_DROPPED), 3);
}

Test(log, the_count_waits_while_the_pipe_is_full)
{
	struct report r = report_message(REPORT_INFO, 42, "lost");

	fill();
	log_report(&r);
	log_tell_dropped();
	cr_assert_eq(stats_get(STATS_DROPPED_UNTOLD), 1);
	drain();
	log_tell_dropped();
	cr_assert_not_null(strstr(drain(), "\"1 report dropped: "), "%s", got);
	cr_assert_eq(stats_get(STATS_DROPPED_UNTOLD), 0);
}

Test(log, warn_is_a_report_in_the_format)
{
	errno = ENOBUFS;
	log_warn("tcp_client_sup: %s", "hand-off");
	cr_assert_eq(errno, ENOBUFS);
	drain();
	cr_assert_eq(strncmp(got, "{\"time\":\"", 9), 0, "%s", got);
	cr_assert_not_null(strstr(got, "\"report\":\"error_report\""), "%s", got);
	cr_assert_not_null(strstr(got, "\"message\":\"tcp_client_sup: hand-off:"
	    " No buffer space available\"}\n"), "%s", got);
}
