/*
 * log.c -- emit reports on stderr in the configured format, and keep them
 * in the wrap log of --report-dir.
 *
 * Writing a report must never stop the tree: a report that cannot be
 * written is lost, and a wrap log that fails says so once per process.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "stats.h"
#include "wraplog.h"

static enum report_format log_format = REPORT_SASL;
static const char *log_process;
static struct wraplog report_log = { .fd = -1 };
static bool report_log_open;
static bool report_log_warned;

void
log_set_format(enum report_format format)
{
	log_format = format;
}

void
log_set_process(const char *name)
{
	log_process = name;
}

int
log_open_report_dir(const char *dir, long long max_bytes, int max_files)
{
	if (wraplog_open(&report_log, dir, max_bytes, max_files) == -1)
		return -1;
	report_log_open = true;
	return 0;
}

const char *
log_report_dir(void)
{
	return report_log_open ? report_log.dir : NULL;
}

static void
write_stderr(const char *buf, size_t len)
{
	ssize_t n;

	do {
		n = write(STDERR_FILENO, buf, len);
	} while (n == -1 && errno == EINTR);
}

/* The report's type as SASL's rb names it. */
static const char *
rb_type(const struct report *r)
{
	switch (r->kind) {
	case REPORT_SUPERVISOR:
		return "supervisor_report";
	case REPORT_PROGRESS:
		return "progress";
	case REPORT_INFO:
		return r->message != NULL ? "info_msg" : "info_report";
	case REPORT_ERROR:
		return r->message != NULL ? "error" : "error_report";
	}
	return "unknown";
}

/* Once per process, on stderr only: the wrap log is not to be trusted. */
static void
warn_report_log(int e)
{
	char msg[PATH_MAX + 128], buf[REPORT_BUFSIZE];
	struct report r;
	struct tm tm;
	time_t now = time(NULL);

	if (report_log_warned)
		return;
	report_log_warned = true;
	snprintf(msg, sizeof(msg), "Cannot keep reports in %s: %s.",
	    report_log.dir, strerror(e));
	r = report_message(REPORT_ERROR, getpid(), msg);
	localtime_r(&now, &tm);
	write_stderr(buf, report_render(&r, log_format, &tm, buf, sizeof(buf)));
}

/* Append r, rendered classic as text (len bytes) unless NULL. */
static void
keep_report(const struct report *r, time_t now, const struct tm *tm,
    const char *text, size_t len)
{
	char buf[REPORT_BUFSIZE], pid[16];
	struct wraplog_record rec = { .type = rb_type(r), .time = now };

	if (text == NULL) {
		len = report_render(r, REPORT_SASL, tm, buf, sizeof(buf));
		text = buf;
	}
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	rec.process = log_process != NULL ? log_process : pid;
	rec.text = text;
	rec.len = len;
	if (wraplog_append(&report_log, &rec) == -1)
		warn_report_log(errno);
}

void
log_report(const struct report *r)
{
	char buf[REPORT_BUFSIZE];
	struct tm tm;
	time_t now = time(NULL);
	size_t len;

	stats_note_report(r);
	localtime_r(&now, &tm);
	len = report_render(r, log_format, &tm, buf, sizeof(buf));
	write_stderr(buf, len);
	if (report_log_open)
		keep_report(r, now, &tm, log_format == REPORT_SASL ? buf : NULL,
		    len);
}
