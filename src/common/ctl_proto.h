/*
 * ctl_proto.h -- the control protocol between tcpsup and tcpsupctl. Pure.
 *
 * One request per connection, one reply, then the daemon closes. Both are
 * text, so that a person can speak it with socat, and both are bounded:
 *
 *   request   "tcpsup 1 VERB [SUP [ARG]]\n", at most CTL_REQUEST_MAX bytes
 *             with the newline; tokens are separated by one space and are
 *             made of [A-Za-z0-9_.:@-]. 1 is the protocol version.
 *   reply     "ok\n" or "error\tTERM\n", then records, then "end\n". A
 *             record is a tag and fields separated by tabs, one per line;
 *             a reply without its "end" line was cut short.
 *
 * Records, by tag (fields in order; "undefined" where OTP prints it):
 *
 *   child   ID PID TYPE MODULES      which_children: one per child, in the
 *                                    order OTP gives them. PID is a number,
 *                                    "undefined" or "restarting".
 *   count   SPECS ACTIVE SUPERVISORS WORKERS          count_children
 *   spec    ID MFA RESTART SHUTDOWN TYPE MODULES      get_childspec
 *   pid     PID                      restart_child's {ok,Pid}
 *   sup     NAME PID STRATEGY INTENSITY PERIOD RESTARTS
 *                                    children: the supervisor itself
 *   node    ID PID TYPE RESTART RESTARTS STATE
 *                                    children: one per child, STATE the
 *                                    role's word for it ("-" if none)
 *   stat    KEY VALUE                stats: one per counter or fact
 *   report  TIME KIND PID TEXT       stats: the last reports, oldest first
 *
 * The error TERM is an Erlang term as OTP's supervisor returns it
 * (not_found, running, restarting, simple_one_for_one) or one of
 * tcpsup's own (badarg, badrequest, noproc, eacces, busy).
 */
#ifndef TCPSUP_CTL_PROTO_H
#define TCPSUP_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_VERSION		1
#define CTL_REQUEST_MAX		256	/* bytes, with the newline */
#define CTL_FIELD_MAX		8	/* fields in a record, after the tag */
#define CTL_LINE_MAX		1024	/* bytes in a reply line */

enum ctl_verb {
	CTL_WHICH_CHILDREN,
	CTL_COUNT_CHILDREN,
	CTL_TERMINATE_CHILD,
	CTL_RESTART_CHILD,
	CTL_DELETE_CHILD,
	CTL_GET_CHILDSPEC,
	CTL_CHILDREN,		/* which_children with what a tree view needs */
	CTL_STATS,		/* the application's counters; no SUP */
	CTL_STOP,		/* stop the application, as SIGTERM; no SUP */
};

/* What each verb takes after it. */
enum ctl_args { CTL_ARGS_NONE, CTL_ARGS_SUP, CTL_ARGS_SUP_CHILD };

struct ctl_request {
	enum ctl_verb	verb;
	char		sup[64];	/* registered name, "" if none */
	char		child[64];	/* id or pid, "" if none */
};

enum ctl_parse { CTL_PARSE_OK, CTL_PARSE_INCOMPLETE, CTL_PARSE_ERROR };

/* The verb's name as on the wire and on tcpsupctl's command line. */
const char	*ctl_verb_name(enum ctl_verb);
/* -1 if name is no verb. */
int		 ctl_verb_parse(const char *name, enum ctl_verb *);
enum ctl_args	 ctl_verb_args(enum ctl_verb);

/*
 * Parse the first len bytes received so far. INCOMPLETE: no newline yet,
 * and there is still room for one; ERROR: err says why (too long, bad
 * version, unknown verb, wrong number of arguments, a bad character).
 */
enum ctl_parse	 ctl_request_parse(const char *buf, size_t len,
		    struct ctl_request *, char *err, size_t errsize);

/* Render a request with its newline; -1 if it does not fit or is invalid. */
int		 ctl_request_format(const struct ctl_request *, char *buf,
		    size_t size);

/*
 * A reply being written: a growing buffer (malloc'd) that the daemon then
 * sends without blocking. Field text with a tab or a newline has them
 * replaced by spaces; a reply that cannot grow is marked failed and ends
 * as "error\tenomem".
 */
struct ctl_reply {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	bool	 failed;
};

void	ctl_reply_ok(struct ctl_reply *);
void	ctl_reply_error(struct ctl_reply *, const char *term);
void	ctl_reply_record(struct ctl_reply *, const char *tag, size_t nfields,
	    const char *const *fields);
/* Append the "end" line; after it, buf and len are what to send. */
void	ctl_reply_end(struct ctl_reply *);
void	ctl_reply_free(struct ctl_reply *);

/* One line of a reply, parsed in place (the line is modified). */
struct ctl_record {
	const char	*tag;
	const char	*fields[CTL_FIELD_MAX];
	size_t		 nfields;
};

/*
 * Split one line (without its newline) into a record. -1 if it has more
 * fields than CTL_FIELD_MAX or is empty.
 */
int	ctl_record_parse(char *line, struct ctl_record *);

#endif
