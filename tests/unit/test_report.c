/*
 * test_report.c -- SASL reports, byte for byte against OTP.md section 3's
 * classic layouts with the seed's offender keys ({pid,N}, {name,Id},
 * {mfa,...}, {restart_type,..}, {shutdown,..}, {child_type,..}), the JSON
 * line rendering of the same fields (checked with a small JSON parser),
 * the one-line summary a live view shows, and truncation into short
 * buffers.
 */
#include <criterion/criterion.h>

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "report.h"

/* Continuation indents: one column right of the '[' of a child's list. */
#define SUP_CONT	"                  "		/* 18 spaces */
#define PROG_CONT	"                       "	/* 23 spaces */
_Static_assert(sizeof(SUP_CONT) - 1 == 18, "supervisor indent");
_Static_assert(sizeof(PROG_CONT) - 1 == 23, "progress indent");

static struct tm
tm_at(int year, int mon, int mday, int hour, int min, int sec)
{
	struct tm t;

	memset(&t, 0, sizeof(t));	/* tm_gmtoff 0, tm_isdst 0 */
	t.tm_year = year - 1900;
	t.tm_mon = mon - 1;
	t.tm_mday = mday;
	t.tm_hour = hour;
	t.tm_min = min;
	t.tm_sec = sec;
	return t;
}

/* 31-Jul-2007::14:33:49, the tutorial's supervisor report. */
static struct tm
jul31(void)
{
	return tm_at(2007, 7, 31, 14, 33, 49);
}

/* 1-Aug-2007::04:05:06: day not zero-padded, time zero-padded. */
static struct tm
aug1(void)
{
	return tm_at(2007, 8, 1, 4, 5, 6);
}

static char out[REPORT_BUFSIZE];

static const char *
render(const struct report *r, enum report_format fmt, struct tm when)
{
	size_t n;

	memset(out, 'X', sizeof(out));
	n = report_render(r, fmt, &when, out, sizeof(out));
	cr_assert_lt(n, sizeof(out), "no room left: report cut short");
	cr_assert_eq(out[n], '\0', "not NUL-terminated at the returned length");
	cr_assert_eq(strlen(out), n, "returned length is not strlen");
	return out;
}

/* The tcp_client_sup worker the seed's report shows. */
static const struct report_child echo_worker = {
	.pid = 4242,
	.name = "undefined",
	.mfa = "{tcp_echo_fsm,start_link,[]}",
	.restart_type = "temporary",
	.shutdown = "2000",
	.child_type = "worker",
};

/* The root's first child: the listener, with the tutorial's quirky id. */
static const struct report_child listener = {
	.pid = 4243,
	.name = "tcp_server_sup",
	.mfa = "{tcp_listener,start_link,[2222,tcp_echo_fsm]}",
	.restart_type = "permanent",
	.shutdown = "2000",
	.child_type = "worker",
};

/* --- classic SASL layout -------------------------------------------- */

Test(report_sasl, child_terminated_of_client_worker)
{
	struct report r = report_supervisor("{local,tcp_client_sup}",
	    "child_terminated", "killed", &echo_worker);

	cr_assert_str_eq(render(&r, REPORT_SASL, jul31()),
	    "\n"
	    "=SUPERVISOR REPORT==== 31-Jul-2007::14:33:49 ===\n"
	    "     Supervisor: {local,tcp_client_sup}\n"
	    "     Context:    child_terminated\n"
	    "     Reason:     killed\n"
	    "     Offender:   [{pid,4242},\n"
	    SUP_CONT "{name,undefined},\n"
	    SUP_CONT "{mfa,{tcp_echo_fsm,start_link,[]}},\n"
	    SUP_CONT "{restart_type,temporary},\n"
	    SUP_CONT "{shutdown,2000},\n"
	    SUP_CONT "{child_type,worker}]\n"
	    "\n");
}

Test(report_sasl, reached_max_restart_intensity)
{
	struct report r = report_supervisor("{local,tcp_server_app}",
	    "shutdown", "reached_max_restart_intensity", &listener);

	cr_assert_str_eq(render(&r, REPORT_SASL, jul31()),
	    "\n"
	    "=SUPERVISOR REPORT==== 31-Jul-2007::14:33:49 ===\n"
	    "     Supervisor: {local,tcp_server_app}\n"
	    "     Context:    shutdown\n"
	    "     Reason:     reached_max_restart_intensity\n"
	    "     Offender:   [{pid,4243},\n"
	    SUP_CONT "{name,tcp_server_sup},\n"
	    SUP_CONT "{mfa,{tcp_listener,start_link,[2222,tcp_echo_fsm]}},\n"
	    SUP_CONT "{restart_type,permanent},\n"
	    SUP_CONT "{shutdown,2000},\n"
	    SUP_CONT "{child_type,worker}]\n"
	    "\n");
}

Test(report_sasl, progress_started_child)
{
	struct report r = report_progress_child("{local,tcp_server_app}",
	    &listener);

	cr_assert_str_eq(render(&r, REPORT_SASL, aug1()),
	    "\n"
	    "=PROGRESS REPORT==== 1-Aug-2007::04:05:06 ===\n"
	    "          supervisor: {local,tcp_server_app}\n"
	    "             started: [{pid,4243},\n"
	    PROG_CONT "{name,tcp_server_sup},\n"
	    PROG_CONT "{mfa,{tcp_listener,start_link,[2222,tcp_echo_fsm]}},\n"
	    PROG_CONT "{restart_type,permanent},\n"
	    PROG_CONT "{shutdown,2000},\n"
	    PROG_CONT "{child_type,worker}]\n");
}

Test(report_sasl, progress_started_supervisor_child)
{
	const struct report_child client_sup = {
		.pid = 4244,
		.name = "tcp_client_sup",
		.mfa = "{supervisor,start_link,[{local,tcp_client_sup},"
		    "tcp_server_app,[tcp_echo_fsm]]}",
		.restart_type = "permanent",
		.shutdown = "infinity",
		.child_type = "supervisor",
	};
	struct report r = report_progress_child("{local,tcp_server_app}",
	    &client_sup);

	cr_assert_str_eq(render(&r, REPORT_SASL, aug1()),
	    "\n"
	    "=PROGRESS REPORT==== 1-Aug-2007::04:05:06 ===\n"
	    "          supervisor: {local,tcp_server_app}\n"
	    "             started: [{pid,4244},\n"
	    PROG_CONT "{name,tcp_client_sup},\n"
	    PROG_CONT "{mfa,{supervisor,start_link,[{local,tcp_client_sup},"
	    "tcp_server_app,[tcp_echo_fsm]]}},\n"
	    PROG_CONT "{restart_type,permanent},\n"
	    PROG_CONT "{shutdown,infinity},\n"
	    PROG_CONT "{child_type,supervisor}]\n");
}

Test(report_sasl, progress_application_started)
{
	struct report r = report_progress_app("tcp_server", "nonode@nohost");

	cr_assert_str_eq(render(&r, REPORT_SASL, aug1()),
	    "\n"
	    "=PROGRESS REPORT==== 1-Aug-2007::04:05:06 ===\n"
	    "         application: tcp_server\n"
	    "          started_at: nonode@nohost\n");
}

Test(report_sasl, application_exit_info)
{
	struct report r = report_app_exit("tcp_server", "shutdown",
	    "temporary");

	cr_assert_str_eq(render(&r, REPORT_SASL,
	    tm_at(2026, 11, 23, 19, 11, 0)),
	    "\n"
	    "=INFO REPORT==== 23-Nov-2026::19:11:00 ===\n"
	    "    application: tcp_server\n"
	    "    exited: shutdown\n"
	    "    type: temporary\n");
}

Test(report_sasl, info_message_client_disconnected)
{
	struct report r = report_message(REPORT_INFO, 4242,
	    "Client {127,0,0,1} disconnected.");

	cr_assert_str_eq(render(&r, REPORT_SASL,
	    tm_at(2026, 11, 23, 19, 10, 47)),
	    "\n"
	    "=INFO REPORT==== 23-Nov-2026::19:10:47 ===\n"
	    "4242 Client {127,0,0,1} disconnected.\n");
}

Test(report_sasl, error_message_connection_timeout)
{
	struct report r = report_message(REPORT_ERROR, 4242,
	    "Client connection timeout - closing.");

	cr_assert_str_eq(render(&r, REPORT_SASL,
	    tm_at(2026, 11, 23, 19, 10, 47)),
	    "\n"
	    "=ERROR REPORT==== 23-Nov-2026::19:10:47 ===\n"
	    "4242 Client connection timeout - closing.\n");
}

Test(report_sasl, info_single_field)
{
	struct report r = report_info("accepting", "paused");

	cr_assert_str_eq(render(&r, REPORT_SASL, aug1()),
	    "\n"
	    "=INFO REPORT==== 1-Aug-2007::04:05:06 ===\n"
	    "    accepting: paused\n");
}

Test(report_sasl, nb_children_offender)
{
	struct report_child group = echo_worker;
	struct report r;

	group.pid = 0;
	group.nb_children = 3;
	r = report_supervisor("{local,tcp_client_sup}", "shutdown_error",
	    "killed", &group);
	cr_assert_str_eq(render(&r, REPORT_SASL, jul31()),
	    "\n"
	    "=SUPERVISOR REPORT==== 31-Jul-2007::14:33:49 ===\n"
	    "     Supervisor: {local,tcp_client_sup}\n"
	    "     Context:    shutdown_error\n"
	    "     Reason:     killed\n"
	    "     Offender:   [{nb_children,3},\n"
	    SUP_CONT "{name,undefined},\n"
	    SUP_CONT "{mfa,{tcp_echo_fsm,start_link,[]}},\n"
	    SUP_CONT "{restart_type,temporary},\n"
	    SUP_CONT "{shutdown,2000},\n"
	    SUP_CONT "{child_type,worker}]\n"
	    "\n");
}

Test(report_sasl, pid_0_is_undefined)
{
	struct report_child never = listener;
	struct report r;

	never.pid = 0;
	r = report_supervisor("{local,tcp_server_app}", "start_error",
	    "{exit_status,1}", &never);
	cr_assert_str_eq(render(&r, REPORT_SASL, jul31()),
	    "\n"
	    "=SUPERVISOR REPORT==== 31-Jul-2007::14:33:49 ===\n"
	    "     Supervisor: {local,tcp_server_app}\n"
	    "     Context:    start_error\n"
	    "     Reason:     {exit_status,1}\n"
	    "     Offender:   [{pid,undefined},\n"
	    SUP_CONT "{name,tcp_server_sup},\n"
	    SUP_CONT "{mfa,{tcp_listener,start_link,[2222,tcp_echo_fsm]}},\n"
	    SUP_CONT "{restart_type,permanent},\n"
	    SUP_CONT "{shutdown,2000},\n"
	    SUP_CONT "{child_type,worker}]\n"
	    "\n");
}

Test(report_sasl, header_every_month_and_two_digit_day)
{
	static const char *const mon[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	struct report r = report_message(REPORT_INFO, 1, "x");
	char want[128];

	for (int m = 1; m <= 12; m++) {
		snprintf(want, sizeof(want),
		    "\n=INFO REPORT==== 12-%s-1999::23:59:07 ===\n1 x\n",
		    mon[m - 1]);
		cr_assert_str_eq(render(&r, REPORT_SASL,
		    tm_at(1999, m, 12, 23, 59, 7)), want);
	}
}

/* --- JSON lines ------------------------------------------------------ */

/* A small JSON parser: returns the end of the value at p, or NULL. */
static const char *json_value(const char *p);

static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *
json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if (*p == '\0' || (unsigned char)*p < 0x20)
			return NULL;
		if (*p++ != '\\')
			continue;
		if (*p != '\0' && strchr("\"\\/bfnrt", *p) != NULL) {
			p++;
		} else if (*p == 'u') {
			for (int i = 1; i <= 4; i++)
				if (!isxdigit((unsigned char)p[i]))
					return NULL;
			p += 5;
		} else
			return NULL;
	}
	return p + 1;
}

static const char *
json_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (isdigit((unsigned char)*p))
		while (isdigit((unsigned char)*p))
			p++;
	else
		return NULL;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return NULL;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p;
}

static const char *
json_members(const char *p, char close, bool keyed)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (keyed) {
			if ((p = json_string(p)) == NULL)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if ((p = json_value(json_ws(p))) == NULL)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
		p = json_ws(p);
	}
}

static const char *
json_value(const char *p)
{
	if (*p == '{')
		return json_members(p, '}', true);
	if (*p == '[')
		return json_members(p, ']', false);
	if (*p == '"')
		return json_string(p);
	if (strncmp(p, "true", 4) == 0 || strncmp(p, "null", 4) == 0)
		return p + 4;
	if (strncmp(p, "false", 5) == 0)
		return p + 5;
	return json_number(p);
}

/* One line, one JSON object, nothing after it but the newline. */
static void
assert_json_line(const char *s)
{
	const char *end;
	size_t len = strlen(s);

	cr_assert_gt(len, 2);
	cr_assert_eq(s[0], '{', "not an object: %s", s);
	cr_assert_eq(s[len - 1], '\n', "no final newline: %s", s);
	cr_assert_eq(strchr(s, '\n'), s + len - 1, "more than one line: %s", s);
	end = json_value(s);
	cr_assert_not_null(end, "not valid JSON: %s", s);
	cr_assert_str_eq(end, "\n", "trailing bytes after the object: %s", s);
}

static void
assert_has(const char *s, const char *part)
{
	cr_assert_not_null(strstr(s, part), "'%s' not in %s", part, s);
}

Test(report_json, child_terminated_fields)
{
	struct report r = report_supervisor("{local,tcp_client_sup}",
	    "child_terminated", "killed", &echo_worker);
	const char *s = render(&r, REPORT_JSON, jul31());

	assert_json_line(s);
	assert_has(s, "\"time\":\"2007-07-31T14:33:49");
	assert_has(s, "\"report\":\"supervisor_report\"");
	assert_has(s, "\"supervisor\":\"{local,tcp_client_sup}\"");
	assert_has(s, "\"context\":\"child_terminated\"");
	assert_has(s, "\"reason\":\"killed\"");
	assert_has(s, "\"offender\":{\"pid\":4242,\"name\":\"undefined\","
	    "\"mfa\":\"{tcp_echo_fsm,start_link,[]}\","
	    "\"restart_type\":\"temporary\",\"shutdown\":2000,"
	    "\"child_type\":\"worker\"}");
}

Test(report_json, numbers_are_unquoted)
{
	struct report r = report_supervisor("{local,tcp_server_app}",
	    "shutdown", "reached_max_restart_intensity", &listener);
	const char *s = render(&r, REPORT_JSON, jul31());

	assert_json_line(s);
	assert_has(s, "\"pid\":4243,");
	assert_has(s, "\"shutdown\":2000,");
	cr_assert_null(strstr(s, "\"4243\""), "pid quoted: %s", s);
	cr_assert_null(strstr(s, "\"2000\""), "shutdown quoted: %s", s);
}

Test(report_json, infinity_shutdown_is_a_string)
{
	struct report_child c = listener;
	struct report r;
	const char *s;

	c.shutdown = "infinity";
	r = report_progress_child("{local,tcp_server_app}", &c);
	s = render(&r, REPORT_JSON, aug1());
	assert_json_line(s);
	assert_has(s, "\"report\":\"progress_report\"");
	assert_has(s, "\"supervisor\":\"{local,tcp_server_app}\"");
	assert_has(s, "\"started\":{\"pid\":4243,");
	assert_has(s, "\"shutdown\":\"infinity\"");
}

Test(report_json, application_started)
{
	struct report r = report_progress_app("tcp_server", "nonode@nohost");
	const char *s = render(&r, REPORT_JSON, aug1());

	assert_json_line(s);
	assert_has(s, "\"time\":\"2007-08-01T04:05:06");
	assert_has(s, "\"report\":\"progress_report\"");
	assert_has(s, "\"application\":\"tcp_server\"");
	assert_has(s, "\"started_at\":\"nonode@nohost\"");
}

Test(report_json, application_exit)
{
	struct report r = report_app_exit("tcp_server", "shutdown",
	    "temporary");
	const char *s = render(&r, REPORT_JSON, aug1());

	assert_json_line(s);
	assert_has(s, "\"report\":\"info_report\"");
	assert_has(s, "\"application\":\"tcp_server\"");
	assert_has(s, "\"exited\":\"shutdown\"");
	assert_has(s, "\"type\":\"temporary\"");
}

Test(report_json, info_message)
{
	struct report r = report_message(REPORT_INFO, 4242,
	    "Client {127,0,0,1} disconnected.");
	const char *s = render(&r, REPORT_JSON, aug1());

	assert_json_line(s);
	assert_has(s, "\"report\":\"info_report\"");
	assert_has(s, "\"pid\":4242,");
	assert_has(s, "\"message\":\"Client {127,0,0,1} disconnected.\"");
}

Test(report_json, error_message)
{
	struct report r = report_message(REPORT_ERROR, 4242,
	    "Client connection timeout - closing.");
	const char *s = render(&r, REPORT_JSON, aug1());

	assert_json_line(s);
	assert_has(s, "\"report\":\"error_report\"");
	assert_has(s, "\"message\":\"Client connection timeout - closing.\"");
}

Test(report_json, message_escapes_quote_backslash_newline)
{
	struct report r = report_message(REPORT_ERROR, 7,
	    "say \"hi\"\\ok\nbye\ttab");
	const char *s = render(&r, REPORT_JSON, aug1());

	assert_json_line(s);	/* a raw tab would fail the parser */
	assert_has(s, "\"message\":\"say \\\"hi\\\"\\\\ok\\nbye");
}

Test(report_json, terms_are_escaped_too)
{
	struct report_child c = echo_worker;
	struct report r;
	const char *s;

	c.mfa = "{m,f,[\"a\\b\"]}";
	r = report_supervisor("{local,tcp_client_sup}", "child_terminated",
	    "{bad,\"x\ny\"}", &c);
	s = render(&r, REPORT_JSON, jul31());
	assert_json_line(s);
	assert_has(s, "\"reason\":\"{bad,\\\"x\\ny\\\"}\"");
	assert_has(s, "\"mfa\":\"{m,f,[\\\"a\\\\b\\\"]}\"");
}

Test(report_json, nb_children_and_undefined_pid)
{
	struct report_child group = echo_worker, never = listener;
	struct report r;
	const char *s;

	group.pid = 0;
	group.nb_children = 3;
	r = report_supervisor("{local,tcp_client_sup}", "shutdown_error",
	    "killed", &group);
	s = render(&r, REPORT_JSON, jul31());
	assert_json_line(s);
	assert_has(s, "\"offender\":{\"nb_children\":3,\"name\":\"undefined\"");

	never.pid = 0;
	r = report_supervisor("{local,tcp_server_app}", "start_error",
	    "{exit_status,1}", &never);
	s = render(&r, REPORT_JSON, jul31());
	assert_json_line(s);
	assert_has(s, "\"offender\":{\"pid\":\"undefined\",");
}

/* --- truncation ------------------------------------------------------ */

Test(report_truncation, tiny_buffer_is_cut_and_terminated)
{
	struct report r = report_supervisor("{local,tcp_client_sup}",
	    "child_terminated", "killed", &echo_worker);
	struct tm when = jul31();
	char buf[64];
	size_t n;

	memset(buf, 'X', sizeof(buf));
	n = report_render(&r, REPORT_SASL, &when, buf, 16);
	cr_assert_eq(n, 15);
	cr_assert_eq(buf[15], '\0');
	cr_assert_eq(memcmp(buf, "\n=SUPERVISOR RE", 15), 0);
	for (size_t i = 16; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 'X', "wrote byte %zu of a 16-byte buffer", i);
}

Test(report_truncation, zero_size_writes_nothing)
{
	struct report r = report_message(REPORT_INFO, 1, "x");
	struct tm when = aug1();
	char buf[4] = { 'X', 'X', 'X', 'X' };

	cr_assert_eq(report_render(&r, REPORT_SASL, &when, buf, 0), 0);
	cr_assert_eq(buf[0], 'X');
}

/* Every size from 1 to the full length: a prefix, terminated, in bounds. */
static void
assert_every_size(const struct report *r, enum report_format fmt)
{
	struct tm when = jul31();
	char full[REPORT_BUFSIZE], buf[REPORT_BUFSIZE + 8];
	size_t flen = report_render(r, fmt, &when, full, sizeof(full));

	for (size_t size = 1; size <= flen + 1; size++) {
		size_t n, want = size - 1 < flen ? size - 1 : flen;

		memset(buf, 'X', sizeof(buf));
		n = report_render(r, fmt, &when, buf, size);
		cr_assert_eq(n, want, "size %zu", size);
		cr_assert_eq(buf[n], '\0', "size %zu", size);
		cr_assert_eq(memcmp(buf, full, n), 0, "size %zu", size);
		for (size_t i = size; i < size + 8; i++)
			cr_assert_eq(buf[i], 'X', "size %zu: wrote byte %zu",
			    size, i);
	}
}

Test(report_truncation, every_size_sasl)
{
	struct report r = report_supervisor("{local,tcp_client_sup}",
	    "child_terminated", "killed", &echo_worker);

	assert_every_size(&r, REPORT_SASL);
}

Test(report_truncation, every_size_json)
{
	struct report r = report_supervisor("{local,tcp_client_sup}",
	    "child_terminated", "{bad,\"x\ny\"}", &echo_worker);

	assert_every_size(&r, REPORT_JSON);
}

Test(report_truncation, every_size_message)
{
	struct report r = report_message(REPORT_ERROR, 4242,
	    "Client connection timeout - closing.");

	assert_every_size(&r, REPORT_SASL);
	assert_every_size(&r, REPORT_JSON);
}

Test(report_json, time_is_rfc3339_with_offset)
{
	struct report r = report_message(REPORT_INFO, 1, "x");
	struct tm when = jul31();
	const char *s;

	when.tm_gmtoff = -(5 * 3600 + 30 * 60);
	s = render(&r, REPORT_JSON, when);
	assert_has(s, "\"time\":\"2007-07-31T14:33:49-05:30\"");
	when.tm_gmtoff = 0;
	s = render(&r, REPORT_JSON, when);
	assert_has(s, "\"time\":\"2007-07-31T14:33:49+00:00\"");
}

/* --- one line, for a live view -------------------------------------------- */

static const char *
summary(const struct report *r)
{
	static char buf[160];

	report_summary(r, buf, sizeof(buf));
	return buf;
}

static struct report_child
child(pid_t pid, const char *name)
{
	return (struct report_child){
		.pid = pid,
		.name = name,
		.mfa = "{tcp_echo_fsm,start_link,[]}",
		.restart_type = "temporary",
		.shutdown = "2000",
		.child_type = "worker",
	};
}

Test(summary, supervisor_report_names_supervisor_context_reason_pid)
{
	struct report_child c = child(4242, "undefined");
	struct report r = report_supervisor("{local,tcp_client_sup}",
	    "child_terminated", "killed", &c);

	cr_assert_str_eq(summary(&r), "tcp_client_sup child_terminated killed 4242");
}

Test(summary, a_child_that_never_ran_is_named)
{
	struct report_child c = child(0, "tcp_server_sup");
	struct report r = report_supervisor("{local,tcp_server_app}",
	    "start_error", "eaddrinuse", &c);

	cr_assert_str_eq(summary(&r),
	    "tcp_server_app start_error eaddrinuse tcp_server_sup");
}

Test(summary, a_group_of_children_is_counted)
{
	struct report_child c = child(0, "undefined");
	struct report r;

	c.nb_children = 3;
	r = report_supervisor("{local,tcp_client_sup}", "shutdown_error",
	    "killed", &c);
	cr_assert_str_eq(summary(&r),
	    "tcp_client_sup shutdown_error killed 3 children");
}

Test(summary, started_child)
{
	struct report_child c = child(4241, "tcp_server_sup");
	struct report r = report_progress_child("{local,tcp_server_app}", &c);

	cr_assert_str_eq(summary(&r), "tcp_server_app started tcp_server_sup 4241");
}

Test(summary, field_reports_as_keys_and_terms)
{
	struct report app = report_progress_app("tcp_server", "nonode@nohost");
	struct report info = report_info("listening", "127.0.0.1:2222");
	struct report exit = report_app_exit("tcp_server", "stopped", "temporary");

	cr_assert_str_eq(summary(&app),
	    "application: tcp_server, started_at: nonode@nohost");
	cr_assert_str_eq(summary(&info), "listening: 127.0.0.1:2222");
	cr_assert_str_eq(summary(&exit),
	    "application: tcp_server, exited: stopped, type: temporary");
}

Test(summary, a_supervisor_not_registered_locally_is_printed_as_is)
{
	struct report_child c = child(7, "undefined");
	struct report r = report_supervisor("<0.42.0>", "child_terminated",
	    "normal", &c);

	cr_assert_str_eq(summary(&r), "<0.42.0> child_terminated normal 7");
}

Test(summary, message_on_one_line)
{
	struct report r = report_message(REPORT_ERROR, 12,
	    "Frame too big:\n\tclosing.");

	cr_assert_str_eq(summary(&r), "Frame too big:  closing.");
}

Test(summary, cut_short_to_fit)
{
	struct report r = report_message(REPORT_INFO, 1, "0123456789");
	char buf[5];

	cr_assert_eq(report_summary(&r, buf, sizeof(buf)), 4);
	cr_assert_str_eq(buf, "0123");
	cr_assert_eq(report_summary(&r, buf, 0), 0);
}

Test(summary, kind_names)
{
	cr_assert_str_eq(report_kind_name(REPORT_SUPERVISOR), "supervisor");
	cr_assert_str_eq(report_kind_name(REPORT_PROGRESS), "progress");
	cr_assert_str_eq(report_kind_name(REPORT_INFO), "info");
	cr_assert_str_eq(report_kind_name(REPORT_ERROR), "error");
}
