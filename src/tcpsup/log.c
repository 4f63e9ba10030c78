/*
 * log.c -- emit reports on stderr in the configured format, and keep them
 * in the wrap log of --report-dir.
 *
 * Writing a report must never stop the tree: stderr is written without
 * blocking, and a report that cannot be written at once is dropped and
 * counted in the shared stats page. The next report written, or the
 * root's tick, says how many were dropped. A wrap log that fails says so
 * once per process, and its lost reports are counted the same way.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "stats.h"
#include "sysreport.h"
#include "wraplog.h"

static enum report_format log_format = REPORT_SASL;
static const char *log_process;
static struct wraplog report_log = { .fd = -1 };
static bool report_log_open;
static bool report_log_warned;
static bool stderr_socket;	/* send(2) it with MSG_DONTWAIT */

/* How long a report begun may take to finish: the rest of it, not a new one. */
#define LOG_FINISH_MS	1000

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

int
log_stderr_nonblocking(void)
{
	struct stat st;
	int fd;

	if (fstat(STDERR_FILENO, &st) == -1 || S_ISREG(st.st_mode))
		return 0;	/* closed, or a file: no reader to wait on */
	if (S_ISSOCK(st.st_mode)) {
		stderr_socket = true;
		return 0;
	}
	/*
	 * A pipe, a FIFO, a terminal: a description of its own, so that
	 * O_NONBLOCK is not forced on the other writers that share ours.
	 */
	if ((fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1)
		return -1;
	if (dup2(fd, STDERR_FILENO) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static ssize_t
write_some(const char *buf, size_t len)
{
	if (stderr_socket)
		return send(STDERR_FILENO, buf, len, MSG_DONTWAIT |
		    MSG_NOSIGNAL);
	return write(STDERR_FILENO, buf, len);
}

/*
 * True if all of buf was written. Nothing written yet and the reader
 * stalled: drop it. A pipe takes a report (at most PIPE_BUF bytes) whole
 * or not at all; a socket or a terminal may take part of one, and then the
 * rest is waited for, a bounded while, so that the report is not torn.
 */
static bool
write_stderr(const char *buf, size_t len)
{
	int64_t deadline = -1;
	ssize_t n;

	while (len > 0) {
		struct pollfd pfd = { .fd = STDERR_FILENO, .events = POLLOUT };
		int64_t left;

		if ((n = write_some(buf, len)) > 0) {
			buf += n;
			len -= (size_t)n;
			if (deadline == -1)
				deadline = proc_now_ms() + LOG_FINISH_MS;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) ||
		    deadline == -1 || (left = deadline - proc_now_ms()) <= 0)
			return false;
		poll(&pfd, 1, (int)left);
	}
	return true;
}

static void
count_drop(void)
{
	stats_add(STATS_DROPPED);
	stats_add(STATS_DROPPED_UNTOLD);
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
	case REPORT_WARNING:
		return "warning_msg";
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
	if (!write_stderr(buf, report_render(&r, log_format, &tm, buf,
	    sizeof(buf))))
		count_drop();
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
	if (wraplog_append(&report_log, &rec) == -1) {
		count_drop();
		warn_report_log(errno);
	}
}

/* Send r to syslog as its JSON line (json, len bytes) unless NULL. */
static void
tell_syslog(const struct report *r, const struct tm *tm, const char *json,
    size_t len)
{
	char buf[REPORT_BUFSIZE];

	if (json == NULL) {
		len = report_render(r, REPORT_JSON, tm, buf, sizeof(buf));
		json = buf;
	}
	sysreport_send(r, tm, json, len);
}

/*
 * Render r, write it to stderr, keep it, tell syslog; false if stderr did
 * not take it.
 */
static bool
emit(const struct report *r)
{
	char buf[REPORT_BUFSIZE];
	struct tm tm;
	time_t now = time(NULL);
	size_t len;
	bool written;

	stats_note_report(r);
	localtime_r(&now, &tm);
	len = report_render(r, log_format, &tm, buf, sizeof(buf));
	written = write_stderr(buf, len);
	if (report_log_open)
		keep_report(r, now, &tm, log_format == REPORT_SASL ? buf : NULL,
		    len);
	if (sysreport_enabled())
		tell_syslog(r, &tm, log_format == REPORT_JSON ? buf : NULL, len);
	return written;
}

void
log_tell_dropped(void)
{
	uint64_t n = stats_take(STATS_DROPPED_UNTOLD);
	char msg[160];
	struct report r;

	if (n == 0)
		return;
	snprintf(msg, sizeof(msg), "%" PRIu64 " report%s dropped: stderr would"
	    " have blocked the tree, or the report dir failed.", n,
	    n == 1 ? "" : "s");
	r = report_message(REPORT_ERROR, getpid(), msg);
	/* Still stalled: the count waits for the next chance. */
	if (!emit(&r))
		stats_add_n(STATS_DROPPED_UNTOLD, n);
}

void
log_report(const struct report *r)
{
	log_tell_dropped();
	if (!emit(r))
		count_drop();
}

void
log_say(enum report_kind kind, pid_t pid, const char *fmt, ...)
{
	char msg[512];
	struct report r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r = report_message(kind, pid, msg);
	log_report(&r);
}

/* An ERROR REPORT of fmt, with ": strerror(e)" unless e is 0. */
static void
say_error(int e, const char *fmt, va_list ap)
{
	char msg[512];
	struct report r;
	int len = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (e != 0 && len >= 0 && (size_t)len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - (size_t)len, ": %s",
		    strerror(e));
	r = report_message(REPORT_ERROR, getpid(), msg);
	log_report(&r);
}

void
log_warn(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	say_error(e, fmt, ap);
	va_end(ap);
	errno = e;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_error(0, fmt, ap);
	va_end(ap);
}

void
log_err(int status, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	say_error(e, fmt, ap);
	va_end(ap);
	exit(status);
}

void
log_errx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_error(0, fmt, ap);
	va_end(ap);
	exit(status);
}
