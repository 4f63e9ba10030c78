/*
 * test_print.c -- replies to OTP's supervisor calls as tcpsupctl prints
 * them (src/tcpsupctl/print.c): every verb's result as the Erlang shell
 * prints it and as JSON, error replies, replies that are not what their
 * verb answers with, and the line a person reads on stderr for an error.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "print.h"

/* The listener and the client supervisor, as the root lists them. */
#define ROOT_CHILDREN \
	"child\ttcp_client_sup\t4243\tsupervisor\t[]\n" \
	"child\ttcp_server_sup\t4242\tworker\t[tcp_listener]\n"
#define LISTENER_SPEC \
	"spec\ttcp_server_sup\t{tcp_listener,start_link,[2222,tcp_echo_fsm]}" \
	"\tpermanent\t2000\tworker\t[tcp_listener]\n"

/* Print a reply (records as the client hands them over) and compare. */
static void
assert_printed(enum ctl_verb verb, enum print_format fmt, const char *error,
    const char *records, const char *want)
{
	char *copy = strdup(records), why[256] = "", *got;

	got = print_reply(verb, fmt, error, copy, why, sizeof(why));
	cr_assert_not_null(got, "%s: %s", ctl_verb_name(verb), why);
	cr_assert_str_eq(got, want, "%s", ctl_verb_name(verb));
	free(got);
	free(copy);
}

#define ERLANG(verb, records, want) \
	assert_printed(verb, PRINT_ERLANG, NULL, records, want)
#define JSON(verb, records, want) \
	assert_printed(verb, PRINT_JSON, NULL, records, want)

/* A reply verb cannot get: NULL, and why names the trouble. */
static void
assert_malformed(enum ctl_verb verb, const char *records, const char *why)
{
	char *copy = strdup(records), got[256] = "";

	for (int fmt = PRINT_ERLANG; fmt <= PRINT_JSON; fmt++) {
		strcpy(copy, records);
		cr_assert_null(print_reply(verb, fmt, NULL, copy, got,
		    sizeof(got)), "%s printed %s", ctl_verb_name(verb),
		    records);
		cr_assert(strstr(got, why) != NULL,
		    "\"%s\" does not say \"%s\"", got, why);
	}
	free(copy);
}

/* --- each verb's result ---------------------------------------------- */

Test(print, which_children_of_the_root)
{
	ERLANG(CTL_WHICH_CHILDREN, ROOT_CHILDREN,
	    "[{tcp_client_sup,4243,supervisor,[]},\n"
	    " {tcp_server_sup,4242,worker,[tcp_listener]}]\n");
	JSON(CTL_WHICH_CHILDREN, ROOT_CHILDREN,
	    "[{\"id\":\"tcp_client_sup\",\"pid\":4243,\"type\":\"supervisor\","
	    "\"modules\":[]},{\"id\":\"tcp_server_sup\",\"pid\":4242,"
	    "\"type\":\"worker\",\"modules\":[\"tcp_listener\"]}]\n");
}

Test(print, which_children_of_the_client_supervisor)
{
	ERLANG(CTL_WHICH_CHILDREN, "child\tundefined\t4242\tworker\t[]\n",
	    "[{undefined,4242,worker,[]}]\n");
	JSON(CTL_WHICH_CHILDREN, "child\tundefined\t4242\tworker\t[]\n",
	    "[{\"id\":null,\"pid\":4242,\"type\":\"worker\","
	    "\"modules\":[]}]\n");
	ERLANG(CTL_WHICH_CHILDREN, "", "[]\n");
	JSON(CTL_WHICH_CHILDREN, "", "[]\n");
}

Test(print, which_children_of_a_terminated_or_restarting_child)
{
	ERLANG(CTL_WHICH_CHILDREN,
	    "child\ttcp_client_sup\t4243\tsupervisor\t[]\n"
	    "child\ttcp_server_sup\tundefined\tworker\t[tcp_listener]\n",
	    "[{tcp_client_sup,4243,supervisor,[]},\n"
	    " {tcp_server_sup,undefined,worker,[tcp_listener]}]\n");
	JSON(CTL_WHICH_CHILDREN,
	    "child\ttcp_server_sup\trestarting\tworker\t[tcp_listener]\n",
	    "[{\"id\":\"tcp_server_sup\",\"pid\":\"restarting\","
	    "\"type\":\"worker\",\"modules\":[\"tcp_listener\"]}]\n");
}

Test(print, count_children)
{
	ERLANG(CTL_COUNT_CHILDREN, "count\t1\t1\t0\t1\n",
	    "[{specs,1},{active,1},{supervisors,0},{workers,1}]\n");
	JSON(CTL_COUNT_CHILDREN, "count\t2\t1\t1\t1\n",
	    "{\"specs\":2,\"active\":1,\"supervisors\":1,\"workers\":1}\n");
}

Test(print, terminate_and_delete_child)
{
	ERLANG(CTL_TERMINATE_CHILD, "", "ok\n");
	JSON(CTL_TERMINATE_CHILD, "", "{\"ok\":true}\n");
	ERLANG(CTL_DELETE_CHILD, "", "ok\n");
	JSON(CTL_DELETE_CHILD, "", "{\"ok\":true}\n");
}

Test(print, restart_child)
{
	ERLANG(CTL_RESTART_CHILD, "pid\t4250\n", "{ok,4250}\n");
	JSON(CTL_RESTART_CHILD, "pid\t4250\n", "{\"ok\":true,\"pid\":4250}\n");
}

Test(print, get_childspec)
{
	ERLANG(CTL_GET_CHILDSPEC, LISTENER_SPEC,
	    "{ok,#{id => tcp_server_sup,\n"
	    "      modules => [tcp_listener],\n"
	    "      restart => permanent,shutdown => 2000,"
	    "significant => false,\n"
	    "      start => {tcp_listener,start_link,[2222,tcp_echo_fsm]},\n"
	    "      type => worker}}\n");
	JSON(CTL_GET_CHILDSPEC, LISTENER_SPEC,
	    "{\"ok\":true,\"spec\":{\"id\":\"tcp_server_sup\",\"start\":"
	    "[\"tcp_listener\",\"start_link\",[2222,\"tcp_echo_fsm\"]],"
	    "\"restart\":\"permanent\",\"significant\":false,"
	    "\"shutdown\":2000,\"type\":\"worker\","
	    "\"modules\":[\"tcp_listener\"]}}\n");
	ERLANG(CTL_GET_CHILDSPEC, "spec\ttcp_client_sup\t{supervisor,"
	    "start_link,[{local,tcp_client_sup},tcp_server_app,"
	    "[tcp_echo_fsm]]}\tpermanent\tinfinity\tsupervisor\t[]\n",
	    "{ok,#{id => tcp_client_sup,modules => [],restart => permanent,\n"
	    "      shutdown => infinity,significant => false,\n"
	    "      start =>\n"
	    "          {supervisor,start_link,\n"
	    "                      [{local,tcp_client_sup},tcp_server_app,"
	    "[tcp_echo_fsm]]},\n"
	    "      type => supervisor}}\n");
}

Test(print, stop)
{
	ERLANG(CTL_STOP, "", "ok\n");
	JSON(CTL_STOP, "", "{\"ok\":true}\n");
}

/* --- error replies ------------------------------------------------------ */

Test(print, error_replies_of_every_verb)
{
	static const enum ctl_verb verbs[] = {
		CTL_WHICH_CHILDREN, CTL_COUNT_CHILDREN, CTL_TERMINATE_CHILD,
		CTL_RESTART_CHILD, CTL_DELETE_CHILD, CTL_GET_CHILDSPEC,
		CTL_STOP,
	};

	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		assert_printed(verbs[i], PRINT_ERLANG, "not_found", "",
		    "{error,not_found}\n");
		assert_printed(verbs[i], PRINT_JSON, "not_found", "",
		    "{\"error\":\"not_found\"}\n");
	}
}

Test(print, error_terms)
{
	assert_printed(CTL_RESTART_CHILD, PRINT_ERLANG, "running", "",
	    "{error,running}\n");
	assert_printed(CTL_RESTART_CHILD, PRINT_ERLANG,
	    "{shutdown,{failed_to_start_child,tcp_server_sup,eaddrinuse}}", "",
	    "{error,{shutdown,{failed_to_start_child,tcp_server_sup,"
	    "eaddrinuse}}}\n");
	assert_printed(CTL_RESTART_CHILD, PRINT_JSON,
	    "{shutdown,{failed_to_start_child,tcp_server_sup,eaddrinuse}}", "",
	    "{\"error\":[\"shutdown\",[\"failed_to_start_child\","
	    "\"tcp_server_sup\",\"eaddrinuse\"]]}\n");
	/* Text that is not a term is kept, as an atom. */
	assert_printed(CTL_TERMINATE_CHILD, PRINT_ERLANG, "no such thing", "",
	    "{error,'no such thing'}\n");
	/* An error reply's records are not the result's. */
	assert_printed(CTL_COUNT_CHILDREN, PRINT_ERLANG, "noproc",
	    "count\t1\t1\t0\t1\n", "{error,noproc}\n");
}

/* --- replies that are not what the verb answers with --------------------- */

Test(print, malformed_replies)
{
	assert_malformed(CTL_WHICH_CHILDREN, "count\t1\t1\t0\t1\n",
	    "a \"count\" line with 4 fields where a \"child\" record of 4 "
	    "was due");
	assert_malformed(CTL_WHICH_CHILDREN,
	    "child\ttcp_server_sup\t4242\tworker\n", "with 3 fields");
	assert_malformed(CTL_WHICH_CHILDREN, ROOT_CHILDREN
	    "child\tundefined\t42x\tworker\t[]\n", "field 2 of a \"child\"");
	assert_malformed(CTL_WHICH_CHILDREN,
	    "child\tundefined\t42\tworker\tnot_a_list\n",
	    "field 4 of a \"child\" record is not what it should be: "
	    "not_a_list");
	assert_malformed(CTL_COUNT_CHILDREN, "", "no \"count\" record");
	assert_malformed(CTL_COUNT_CHILDREN,
	    "count\t1\t1\t0\t1\ncount\t1\t1\t0\t1\n", "more than one");
	assert_malformed(CTL_COUNT_CHILDREN, "count\t1\tone\t0\t1\n",
	    "field 2");
	assert_malformed(CTL_RESTART_CHILD, "", "no \"pid\" record");
	assert_malformed(CTL_RESTART_CHILD, "pid\tundefined\n", "field 1");
	assert_malformed(CTL_GET_CHILDSPEC,
	    "spec\ttcp_server_sup\ttcp_listener\tpermanent\t2000\tworker"
	    "\t[tcp_listener]\n", "field 2 of a \"spec\"");
	assert_malformed(CTL_GET_CHILDSPEC,
	    "spec\ttcp_server_sup\t{tcp_listener,start_link,[2222,tcp_echo_fsm]"
	    "\tpermanent\t2000\tworker\t[tcp_listener]\n",
	    "field 2 of a \"spec\"");
	assert_malformed(CTL_TERMINATE_CHILD, "pid\t4250\n",
	    "a \"pid\" line where none was due");
	assert_malformed(CTL_STOP, "stat\tpid\t1\n",
	    "a \"stat\" line where none was due");
	assert_malformed(CTL_CHILDREN, "", "children is not a supervisor call");
	assert_malformed(CTL_STATS, "", "stats is not a supervisor call");
}

/* --- the line on stderr ----------------------------------------------- */

static void
assert_error_line(enum ctl_verb verb, const char *sup, const char *child,
    const char *error, const char *want)
{
	struct ctl_request req = { .verb = verb };
	char buf[256];

	strcpy(req.sup, sup);
	strcpy(req.child, child);
	print_error_line(&req, error, buf, sizeof(buf));
	cr_assert_str_eq(buf, want);
}

Test(print, error_lines)
{
	assert_error_line(CTL_TERMINATE_CHILD, "tcp_client_sup", "4242",
	    "not_found", "terminate_child: tcp_client_sup has no child 4242");
	assert_error_line(CTL_WHICH_CHILDREN, "tcp_other_sup", "", "noproc",
	    "which_children: no supervisor named tcp_other_sup (tcpsup has "
	    "tcp_server_app and tcp_client_sup)");
	assert_error_line(CTL_DELETE_CHILD, "tcp_server_app",
	    "tcp_server_sup", "running", "delete_child: tcp_server_app's "
	    "child tcp_server_sup is running; terminate_child it first");
	assert_error_line(CTL_RESTART_CHILD, "tcp_server_app",
	    "tcp_server_sup", "restarting",
	    "restart_child: tcp_server_app is restarting its child "
	    "tcp_server_sup");
	assert_error_line(CTL_TERMINATE_CHILD, "tcp_client_sup",
	    "tcp_echo_fsm", "simple_one_for_one",
	    "terminate_child: tcp_client_sup is a simple_one_for_one "
	    "supervisor: name its child by pid");
	assert_error_line(CTL_RESTART_CHILD, "tcp_client_sup", "4242",
	    "simple_one_for_one", "restart_child: tcp_client_sup is a "
	    "simple_one_for_one supervisor: its children have no ids");
	assert_error_line(CTL_RESTART_CHILD, "tcp_server_app",
	    "tcp_server_sup", "{shutdown,eaddrinuse}",
	    "restart_child tcp_server_app tcp_server_sup: "
	    "{shutdown,eaddrinuse}");
	assert_error_line(CTL_STOP, "", "", "badarg", "stop: badarg");
}
