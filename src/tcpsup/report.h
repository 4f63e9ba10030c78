/*
 * report.h -- SASL reports, rendered to a buffer. Pure.
 *
 * A report is a kind and a short list of fields; the classic SASL layout
 * and the JSON layout are two renderings of the same list, so both formats
 * always carry the same facts; a one-line summary is a third, for a live
 * view (tcpsupctl top). Writing the result is log.c's job.
 */
#ifndef TCPSUP_REPORT_H
#define TCPSUP_REPORT_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

enum report_format { REPORT_SASL, REPORT_JSON };

enum report_kind {
	REPORT_SUPERVISOR,	/* "     Label:      value" */
	REPORT_PROGRESS,	/* "             key: value" */
	REPORT_INFO,		/* "    key: value", or "<pid> message" */
	REPORT_ERROR,		/* "<pid> message" */
	REPORT_WARNING		/* "<pid> message", as error_logger:warning_msg */
};

/* A child as an offender or a started child, with the seed's keys. */
struct report_child {
	pid_t		 pid;		/* 0: undefined (it never started) */
	size_t		 nb_children;	/* > 0: a simple_one_for_one group */
	const char	*name;		/* the child id, or "undefined" */
	const char	*mfa;		/* {M,F,Args} */
	const char	*restart_type;
	const char	*shutdown;	/* "2000", "infinity" or "brutal_kill" */
	const char	*child_type;
};

struct report_field {
	const char			*key;	/* as SASL prints it */
	const char			*term;	/* an Erlang term, as text */
	const struct report_child	*child;	/* instead of term */
};

#define REPORT_MAX_FIELDS	4

struct report {
	enum report_kind	 kind;
	pid_t			 pid;		/* who says message */
	const char		*message;	/* free text instead of fields */
	struct report_field	 fields[REPORT_MAX_FIELDS];
	size_t			 nfields;
};

/* Enough for any report tcpsup writes. */
#define REPORT_BUFSIZE		4096

/*
 * Render into buf (size bytes, NUL-terminated). Returns the length, or
 * size - 1 if the report was cut short.
 */
size_t	report_render(const struct report *, enum report_format,
	    const struct tm *when, char *buf, size_t size);

/*
 * A report in one line (pure): "tcp_client_sup child_terminated killed
 * 4242" for a SUPERVISOR REPORT, "tcp_server_app started tcp_server_sup
 * 4241" for a started child, the message for a message report, "key:
 * term, ..." otherwise. Newlines become spaces. Returns the length, cut
 * short to fit size.
 */
size_t	report_summary(const struct report *, char *buf, size_t size);

/* supervisor, progress, info, error */
const char *report_kind_name(enum report_kind);

/* The report constructors tcpsup uses. */
struct report report_supervisor(const char *supervisor, const char *context,
	    const char *reason, const struct report_child *offender);
struct report report_progress_child(const char *supervisor,
	    const struct report_child *started);
struct report report_progress_app(const char *application,
	    const char *started_at);
struct report report_app_exit(const char *application, const char *reason,
	    const char *type);
struct report report_info(const char *key, const char *term);
struct report report_message(enum report_kind, pid_t, const char *message);

#endif
