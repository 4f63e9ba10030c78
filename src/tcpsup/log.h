/*
 * log.h -- write reports to stderr, one write(2) each, and with
 * --report-dir into the wrap log that tcpsupctl rb reads.
 *
 * Every process of the tree shares stderr; one write per report keeps their
 * lines from interleaving (a pipe write of up to PIPE_BUF bytes is atomic,
 * and reports are shorter than that). The wrap log is opened by the root
 * before it forks anything, so that every process inherits it.
 *
 * With --syslog, every report also goes to syslog (sysreport.h).
 *
 * No process ever blocks on a report: a report stderr cannot take at once
 * (its reader stalled) is dropped and counted, and the count is reported
 * as soon as stderr takes reports again.
 */
#ifndef TCPSUP_LOG_H
#define TCPSUP_LOG_H

#include "report.h"

void	log_set_format(enum report_format);
void	log_report(const struct report *);

/* A report of one message, formatted as printf(3) does, for pid. */
void	log_say(enum report_kind, pid_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * The root, before its first fork: make writes to stderr never wait for
 * its reader (a description of our own with O_NONBLOCK for a pipe or a
 * terminal, MSG_DONTWAIT for a socket). Returns -1 with errno set if it
 * cannot, and stderr stays as it was.
 */
int	log_stderr_nonblocking(void);

/*
 * warn(3), warnx(3), err(3) and errx(3) as ERROR REPORTs, in the chosen
 * format: once the tree runs, nothing but reports goes to stderr.
 */
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_err(int, const char *, ...)
	    __attribute__((format(printf, 2, 3), noreturn));
void	log_errx(int, const char *, ...)
	    __attribute__((format(printf, 2, 3), noreturn));

/* If reports were dropped since last said, say how many. */
void	log_tell_dropped(void);

/*
 * Also keep every report, in the classic layout whatever the format, in
 * the wrap log in dir (created 0750 if missing). Returns 0, or -1 with
 * errno set if dir cannot be used.
 */
int	log_open_report_dir(const char *dir, long long max_bytes,
	    int max_files);

/* The wrap log's directory as an absolute path, or NULL if none. */
const char *log_report_dir(void);

/*
 * The registered name this process reports under in the wrap log, as a
 * supervisor has one; NULL (the default) for its pid.
 */
void	log_set_process(const char *name);

#endif
