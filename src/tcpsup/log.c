/*
 * log.c -- emit reports on stderr in the configured format.
 */
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "stats.h"

static enum report_format log_format = REPORT_SASL;

void
log_set_format(enum report_format format)
{
	log_format = format;
}

void
log_report(const struct report *r)
{
	char buf[REPORT_BUFSIZE];
	struct tm tm;
	time_t now = time(NULL);
	size_t len;
	ssize_t n;

	stats_note_report(r);
	localtime_r(&now, &tm);
	len = report_render(r, log_format, &tm, buf, sizeof(buf));
	/* A report that cannot be written is lost; the tree must go on. */
	do {
		n = write(STDERR_FILENO, buf, len);
	} while (n == -1 && errno == EINTR);
}
