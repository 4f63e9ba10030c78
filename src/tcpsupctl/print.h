/*
 * print.h -- a reply to one of OTP's supervisor calls, as tcpsupctl
 * prints it: the value the call returns in Erlang, written as the shell
 * writes it, or the same facts as JSON. Pure: it writes to no descriptor.
 *
 * JSON: a call that returns a plain value in OTP gives plain JSON
 * (which_children an array of {"id","pid","type","modules"} objects,
 * count_children an object of counts); one that returns ok or {ok,X}
 * gives {"ok":true} with X under a key ("pid", "spec"); {error,Reason}
 * gives {"error":Reason}. Terms inside follow eterm_json().
 */
#ifndef TCPSUPCTL_PRINT_H
#define TCPSUPCTL_PRINT_H

#include <stddef.h>

#include "ctl_proto.h"

enum print_format { PRINT_ERLANG, PRINT_JSON };

/*
 * The text to print for the reply to verb, newline included: error is
 * the reply's error term, NULL for ok; records its record lines (parsed
 * in place). malloc'd; NULL if it is not a reply verb can get, and why
 * says what is wrong with it.
 */
char	*print_reply(enum ctl_verb, enum print_format, const char *error,
	    char *records, char *why, size_t whysize);

/*
 * One line for a person, without the newline, saying what the error term
 * means for the request that got it (not_found: "tcp_client_sup has no
 * child 4242").
 */
void	 print_error_line(const struct ctl_request *, const char *error,
	    char *buf, size_t size);

#endif
