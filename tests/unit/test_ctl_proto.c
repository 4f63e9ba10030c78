/*
 * test_ctl_proto.c -- the control protocol both programs link
 * (src/common/ctl_proto.c): every verb and every way a request can be
 * wrong, the size limit at its edges, requests cut short, formatting and
 * parsing back, the reply writer, and splitting reply lines into records.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "ctl_proto.h"

#define ALL_VERBS	(CTL_STOP + 1)

static enum ctl_parse
parse_n(const char *buf, size_t len, struct ctl_request *req, char *err)
{
	memset(req, 0x5a, sizeof(*req));
	return ctl_request_parse(buf, len, req, err, 128);
}

static enum ctl_parse
parse(const char *line, struct ctl_request *req, char *err)
{
	return parse_n(line, strlen(line), req, err);
}

/* line must be refused, with an error message containing why. */
static void
assert_refused(const char *line, size_t len, const char *why)
{
	struct ctl_request req;
	char err[128];

	cr_assert_eq(parse_n(line, len, &req, err), CTL_PARSE_ERROR,
	    "accepted: %.*s", (int)len, line);
	cr_assert(strstr(err, why) != NULL, "\"%s\" does not say \"%s\"",
	    err, why);
}

#define REFUSED(line, why)	assert_refused(line, sizeof(line) - 1, why)

/* --- verbs -------------------------------------------------------------- */

Test(ctl_proto, verb_names_round_trip)
{
	enum ctl_verb v;

	for (int i = 0; i < ALL_VERBS; i++) {
		cr_assert_eq(ctl_verb_parse(ctl_verb_name(i), &v), 0);
		cr_assert_eq(v, (enum ctl_verb)i);
	}
	cr_assert_eq(ctl_verb_parse("frobnicate", &v), -1);
	cr_assert_eq(ctl_verb_parse("", &v), -1);
	cr_assert_str_eq(ctl_verb_name(ALL_VERBS), "unknown");
}

Test(ctl_proto, every_verb_parses)
{
	static const struct {
		const char	*line;
		enum ctl_verb	 verb;
		const char	*sup, *child;
	} cases[] = {
		{ "tcpsup 1 which_children tcp_client_sup\n",
		    CTL_WHICH_CHILDREN, "tcp_client_sup", "" },
		{ "tcpsup 1 count_children tcp_server_app\n",
		    CTL_COUNT_CHILDREN, "tcp_server_app", "" },
		{ "tcpsup 1 terminate_child tcp_client_sup 4242\n",
		    CTL_TERMINATE_CHILD, "tcp_client_sup", "4242" },
		{ "tcpsup 1 restart_child tcp_server_app tcp_server_sup\n",
		    CTL_RESTART_CHILD, "tcp_server_app", "tcp_server_sup" },
		{ "tcpsup 1 delete_child tcp_server_app tcp_server_sup\n",
		    CTL_DELETE_CHILD, "tcp_server_app", "tcp_server_sup" },
		{ "tcpsup 1 get_childspec tcp_server_app tcp_client_sup\n",
		    CTL_GET_CHILDSPEC, "tcp_server_app", "tcp_client_sup" },
		{ "tcpsup 1 children tcp_server_app\n",
		    CTL_CHILDREN, "tcp_server_app", "" },
		{ "tcpsup 1 stats\n", CTL_STATS, "", "" },
		{ "tcpsup 1 stop\n", CTL_STOP, "", "" },
		/* Every character a token may hold. */
		{ "tcpsup 1 get_childspec A-Z_a.z:0@9 x\n",
		    CTL_GET_CHILDSPEC, "A-Z_a.z:0@9", "x" },
	};
	struct ctl_request req;
	char err[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(parse(cases[i].line, &req, err), CTL_PARSE_OK,
		    "%s: %s", cases[i].line, err);
		cr_assert_eq(req.verb, cases[i].verb, "%s", cases[i].line);
		cr_assert_str_eq(req.sup, cases[i].sup);
		cr_assert_str_eq(req.child, cases[i].child);
		cr_assert_str_eq(err, "");
	}
}

Test(ctl_proto, verb_arguments)
{
	cr_assert_eq(ctl_verb_args(CTL_WHICH_CHILDREN), CTL_ARGS_SUP);
	cr_assert_eq(ctl_verb_args(CTL_COUNT_CHILDREN), CTL_ARGS_SUP);
	cr_assert_eq(ctl_verb_args(CTL_CHILDREN), CTL_ARGS_SUP);
	cr_assert_eq(ctl_verb_args(CTL_TERMINATE_CHILD), CTL_ARGS_SUP_CHILD);
	cr_assert_eq(ctl_verb_args(CTL_RESTART_CHILD), CTL_ARGS_SUP_CHILD);
	cr_assert_eq(ctl_verb_args(CTL_DELETE_CHILD), CTL_ARGS_SUP_CHILD);
	cr_assert_eq(ctl_verb_args(CTL_GET_CHILDSPEC), CTL_ARGS_SUP_CHILD);
	cr_assert_eq(ctl_verb_args(CTL_STATS), CTL_ARGS_NONE);
	cr_assert_eq(ctl_verb_args(CTL_STOP), CTL_ARGS_NONE);
}

/* --- what a request may not be -------------------------------------- */

Test(ctl_proto, unknown_verb)
{
	REFUSED("tcpsup 1 frobnicate tcp_client_sup\n", "unknown verb");
	REFUSED("tcpsup 1 Which_children tcp_client_sup\n", "unknown verb");
}

Test(ctl_proto, bad_version_or_magic)
{
	REFUSED("tcpsup 2 stop\n", "unsupported version 2");
	REFUSED("tcpsup 01 stop\n", "unsupported version");
	REFUSED("tcpsup 1.0 stop\n", "unsupported version");
	REFUSED("tcpsop 1 stop\n", "not a tcpsup request");
	REFUSED("TCPSUP 1 stop\n", "not a tcpsup request");
	REFUSED("tcpsup 1\n", "not a tcpsup request");
	REFUSED("tcpsup\n", "not a tcpsup request");
	REFUSED("GET / HTTP/1.0\n", "bad token");
}

Test(ctl_proto, missing_argument)
{
	REFUSED("tcpsup 1 which_children\n", "which_children takes 1");
	REFUSED("tcpsup 1 terminate_child tcp_client_sup\n",
	    "terminate_child takes 2");
	REFUSED("tcpsup 1 get_childspec\n", "get_childspec takes 2");
}

Test(ctl_proto, extra_argument)
{
	REFUSED("tcpsup 1 stop now\n", "stop takes 0");
	REFUSED("tcpsup 1 stats tcp_server_app\n", "stats takes 0");
	REFUSED("tcpsup 1 which_children tcp_client_sup x\n",
	    "which_children takes 1");
	REFUSED("tcpsup 1 restart_child a b c\n", "restart_child takes 2");
	REFUSED("tcpsup 1 restart_child a b c d e f g\n",
	    "restart_child takes 2");
}

Test(ctl_proto, bad_characters)
{
	REFUSED("tcpsup 1 which_children tcp/client\n", "bad token");
	REFUSED("tcpsup 1 which_children 'tcp_client_sup'\n", "bad token");
	REFUSED("tcpsup 1 which_children tcp\tclient_sup\n", "bad token");
	REFUSED("tcpsup 1 which_children tcp_client_sup\x80\n", "bad token");
	REFUSED("tcpsup 1 which_children {a,b}\n", "bad token");
	REFUSED("tcpsup 1 get_childspec tcp_server_app tcp_server_sup;\n",
	    "bad token");
}

Test(ctl_proto, nul_byte)
{
	REFUSED("tcpsup 1 stop\0\n", "bad token");
	REFUSED("tcpsup 1 which_children tcp\0client_sup\n", "bad token");
	REFUSED("\0\n", "bad token");
}

Test(ctl_proto, carriage_return)
{
	REFUSED("tcpsup 1 stop\r\n", "bad token");
	REFUSED("tcpsup 1 which_children tcp_client_sup\r\n", "bad token");
}

Test(ctl_proto, spaces)
{
	REFUSED("tcpsup 1  stop\n", "bad token");
	REFUSED("tcpsup  1 stop\n", "bad token");
	REFUSED(" tcpsup 1 stop\n", "bad token");
	REFUSED("tcpsup 1 stop \n", "bad token");
	REFUSED("\n", "bad token");
}

Test(ctl_proto, data_after_newline)
{
	REFUSED("tcpsup 1 stop\nx", "data after the request");
	REFUSED("tcpsup 1 stop\n\n", "data after the request");
	REFUSED("tcpsup 1 stop\ntcpsup 1 stop\n", "data after the request");
}

Test(ctl_proto, argument_longer_than_the_request_holds)
{
	char line[CTL_REQUEST_MAX];
	struct ctl_request req;
	char err[128];

	/* 63 characters fit in sup[64]; 64 do not. */
	snprintf(line, sizeof(line), "tcpsup 1 which_children %.63s\n",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	cr_assert_eq(parse(line, &req, err), CTL_PARSE_OK, "%s", err);
	cr_assert_eq(strlen(req.sup), 63);
	snprintf(line, sizeof(line), "tcpsup 1 which_children %.64s\n",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	cr_assert_eq(parse(line, &req, err), CTL_PARSE_ERROR);
	cr_assert_str_eq(err, "argument too long");
	snprintf(line, sizeof(line), "tcpsup 1 get_childspec a %.64s\n",
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	cr_assert_eq(parse(line, &req, err), CTL_PARSE_ERROR);
	cr_assert_str_eq(err, "argument too long");
}

/* --- the size limit ---------------------------------------------------- */

/* A line of n bytes before its newline: the request and a long argument. */
static size_t
long_line(char *buf, size_t n, int newline)
{
	static const char head[] = "tcpsup 1 which_children ";
	size_t hl = sizeof(head) - 1;

	memcpy(buf, head, hl);
	memset(buf + hl, 'a', n - hl);
	if (newline)
		buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

Test(ctl_proto, size_limit)
{
	char buf[CTL_REQUEST_MAX + 8], err[128];
	struct ctl_request req;
	size_t len;

	/* 255 bytes and the newline: within the limit, judged on content. */
	len = long_line(buf, CTL_REQUEST_MAX - 1, 1);
	cr_assert_eq(len, CTL_REQUEST_MAX);
	cr_assert_eq(parse_n(buf, len, &req, err), CTL_PARSE_ERROR);
	cr_assert_str_eq(err, "argument too long");

	/* 255 bytes, no newline yet: one more byte could be the newline. */
	len = long_line(buf, CTL_REQUEST_MAX - 1, 0);
	cr_assert_eq(parse_n(buf, len, &req, err), CTL_PARSE_INCOMPLETE);

	/* 256 bytes without a newline: it can never end in time. */
	len = long_line(buf, CTL_REQUEST_MAX, 0);
	cr_assert_eq(parse_n(buf, len, &req, err), CTL_PARSE_ERROR);
	cr_assert_str_eq(err, "request longer than 256 bytes");

	/* 256 bytes and the newline: the newline comes too late. */
	len = long_line(buf, CTL_REQUEST_MAX, 1);
	cr_assert_eq(parse_n(buf, len, &req, err), CTL_PARSE_ERROR);
	cr_assert_str_eq(err, "request longer than 256 bytes");
}

Test(ctl_proto, truncated_input_is_incomplete)
{
	static const char line[] =
	    "tcpsup 1 terminate_child tcp_client_sup 4242\n";
	struct ctl_request req;
	char err[128];

	/* Every proper prefix, as reads would deliver them. */
	for (size_t i = 0; i < sizeof(line) - 1; i++) {
		cr_assert_eq(parse_n(line, i, &req, err), CTL_PARSE_INCOMPLETE,
		    "prefix of %zu bytes", i);
		cr_assert_str_eq(err, "");
	}
	cr_assert_eq(parse_n(line, sizeof(line) - 1, &req, err),
	    CTL_PARSE_OK);
}

/* --- formatting --------------------------------------------------------- */

Test(ctl_proto, format_round_trips)
{
	char buf[CTL_REQUEST_MAX + 1], err[128];
	struct ctl_request in, out;
	int n;

	for (int i = 0; i < ALL_VERBS; i++) {
		memset(&in, 0, sizeof(in));
		in.verb = i;
		if (ctl_verb_args(i) >= CTL_ARGS_SUP)
			strcpy(in.sup, "tcp_client_sup");
		if (ctl_verb_args(i) == CTL_ARGS_SUP_CHILD)
			strcpy(in.child, "4242");
		n = ctl_request_format(&in, buf, sizeof(buf));
		cr_assert_gt(n, 0, "%s", ctl_verb_name(i));
		cr_assert_eq((size_t)n, strlen(buf));
		cr_assert_eq(parse_n(buf, (size_t)n, &out, err), CTL_PARSE_OK,
		    "%s: %s", buf, err);
		cr_assert_eq(memcmp(&in, &out, sizeof(in)), 0, "%s", buf);
	}
}

Test(ctl_proto, format_text)
{
	struct ctl_request req = { .verb = CTL_TERMINATE_CHILD,
	    .sup = "tcp_client_sup", .child = "4242" };
	char buf[CTL_REQUEST_MAX + 1];

	cr_assert_eq(ctl_request_format(&req, buf, sizeof(buf)), 45);
	cr_assert_str_eq(buf, "tcpsup 1 terminate_child tcp_client_sup 4242\n");
	/* A verb without arguments ignores what the fields hold. */
	req.verb = CTL_STOP;
	cr_assert_eq(ctl_request_format(&req, buf, sizeof(buf)), 14);
	cr_assert_str_eq(buf, "tcpsup 1 stop\n");
}

Test(ctl_proto, format_refuses_what_would_not_parse)
{
	struct ctl_request req = { .verb = CTL_WHICH_CHILDREN };
	char buf[CTL_REQUEST_MAX + 1];

	cr_assert_eq(ctl_request_format(&req, buf, sizeof(buf)), -1,
	    "no supervisor");
	strcpy(req.sup, "tcp client");
	cr_assert_eq(ctl_request_format(&req, buf, sizeof(buf)), -1,
	    "a space");
	strcpy(req.sup, "tcp_client_sup\n");
	cr_assert_eq(ctl_request_format(&req, buf, sizeof(buf)), -1,
	    "a newline");
	req.verb = CTL_RESTART_CHILD;
	strcpy(req.sup, "tcp_server_app");
	cr_assert_eq(ctl_request_format(&req, buf, sizeof(buf)), -1,
	    "no child");
	req.verb = ALL_VERBS;
	cr_assert_eq(ctl_request_format(&req, buf, sizeof(buf)), -1,
	    "no such verb");
	/* Too small a buffer. */
	req.verb = CTL_STOP;
	cr_assert_eq(ctl_request_format(&req, buf, 14), -1);
	cr_assert_eq(ctl_request_format(&req, buf, 15), 14);
}

/* --- replies ----------------------------------------------------------- */

static void
assert_reply(struct ctl_reply *r, const char *want)
{
	cr_assert_eq(r->len, strlen(want));
	cr_assert_eq(memcmp(r->buf, want, r->len), 0, "got \"%.*s\"",
	    (int)r->len, r->buf);
	ctl_reply_free(r);
	cr_assert_null(r->buf);
	cr_assert_eq(r->len, 0);
}

Test(ctl_proto, reply_ok_with_records)
{
	struct ctl_reply r = { 0 };
	const char *child[] = { "tcp_server_sup", "4242", "worker",
	    "[tcp_listener]" };
	const char *count[] = { "2", "2", "1", "1" };

	ctl_reply_ok(&r);
	ctl_reply_record(&r, "child", 4, child);
	ctl_reply_record(&r, "count", 4, count);
	ctl_reply_record(&r, "empty", 0, NULL);
	ctl_reply_end(&r);
	assert_reply(&r, "ok\n"
	    "child\ttcp_server_sup\t4242\tworker\t[tcp_listener]\n"
	    "count\t2\t2\t1\t1\n"
	    "empty\n"
	    "end\n");
}

Test(ctl_proto, reply_error)
{
	struct ctl_reply r = { 0 };

	ctl_reply_error(&r, "not_found");
	ctl_reply_end(&r);
	assert_reply(&r, "error\tnot_found\nend\n");
}

Test(ctl_proto, reply_fields_lose_tabs_and_newlines)
{
	struct ctl_reply r = { 0 };
	const char *fields[] = { "a\tb", "line\nbreak", "\t\n", "" };

	ctl_reply_ok(&r);
	ctl_reply_record(&r, "ta\tg", 4, fields);
	ctl_reply_end(&r);
	assert_reply(&r, "ok\nta g\ta b\tline break\t  \t\nend\n");

	ctl_reply_error(&r, "bad\nterm\there");
	ctl_reply_end(&r);
	assert_reply(&r, "error\tbad term here\nend\n");
}

Test(ctl_proto, reply_keeps_at_most_the_fields_a_record_has)
{
	struct ctl_reply r = { 0 };
	const char *fields[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9" };

	ctl_reply_ok(&r);
	ctl_reply_record(&r, "stat", 9, fields);
	ctl_reply_end(&r);
	assert_reply(&r, "ok\nstat\t1\t2\t3\t4\t5\t6\t7\t8\nend\n");
}

Test(ctl_proto, reply_grows)
{
	struct ctl_reply r = { 0 };
	const char *child[] = { "undefined", "123456", "worker", "[]" };
	static const char line[] = "child\tundefined\t123456\tworker\t[]\n";

	ctl_reply_ok(&r);
	for (int i = 0; i < 10000; i++)
		ctl_reply_record(&r, "child", 4, child);
	ctl_reply_end(&r);
	cr_assert_eq(r.len, 3 + 10000 * (sizeof(line) - 1) + 4);
	cr_assert_eq(memcmp(r.buf + r.len - 4, "end\n", 4), 0);
	cr_assert_eq(memcmp(r.buf + 3 + 9999 * (sizeof(line) - 1), line,
	    sizeof(line) - 1), 0);
	ctl_reply_free(&r);
}

Test(ctl_proto, reply_that_could_not_grow_says_enomem)
{
	struct ctl_reply r = { 0 };

	ctl_reply_ok(&r);
	r.failed = true;	/* as put() marks it when realloc fails */
	ctl_reply_record(&r, "child", 0, NULL);
	ctl_reply_end(&r);
	assert_reply(&r, "error\tenomem\nend\n");
}

/* --- records ------------------------------------------------------------ */

Test(ctl_proto, record_parse)
{
	char line[] = "child\ttcp_server_sup\t4242\tworker\t[tcp_listener]";
	char bare[] = "end", blanks[] = "spec\t\tx\t";
	struct ctl_record rec;

	cr_assert_eq(ctl_record_parse(line, &rec), 0);
	cr_assert_str_eq(rec.tag, "child");
	cr_assert_eq(rec.nfields, 4);
	cr_assert_str_eq(rec.fields[0], "tcp_server_sup");
	cr_assert_str_eq(rec.fields[1], "4242");
	cr_assert_str_eq(rec.fields[2], "worker");
	cr_assert_str_eq(rec.fields[3], "[tcp_listener]");

	cr_assert_eq(ctl_record_parse(bare, &rec), 0);
	cr_assert_str_eq(rec.tag, "end");
	cr_assert_eq(rec.nfields, 0);

	cr_assert_eq(ctl_record_parse(blanks, &rec), 0);
	cr_assert_eq(rec.nfields, 3);
	cr_assert_str_eq(rec.fields[0], "");
	cr_assert_str_eq(rec.fields[1], "x");
	cr_assert_str_eq(rec.fields[2], "");
}

Test(ctl_proto, record_parse_refuses_empty_and_too_many_fields)
{
	char empty[] = "", eight[] = "t\t1\t2\t3\t4\t5\t6\t7\t8";
	char nine[] = "t\t1\t2\t3\t4\t5\t6\t7\t8\t9";
	struct ctl_record rec;

	cr_assert_eq(ctl_record_parse(empty, &rec), -1);
	cr_assert_eq(ctl_record_parse(eight, &rec), 0);
	cr_assert_eq(rec.nfields, CTL_FIELD_MAX);
	cr_assert_str_eq(rec.fields[7], "8");
	cr_assert_eq(ctl_record_parse(nine, &rec), -1);
}

Test(ctl_proto, writer_and_reader_agree)
{
	struct ctl_reply r = { 0 };
	const char *spec[] = { "tcp_server_sup",
	    "{tcp_listener,start_link,[2222,tcp_echo_fsm]}", "permanent",
	    "2000", "worker", "[tcp_listener]" };
	struct ctl_record rec;
	char *line, *nl;

	ctl_reply_ok(&r);
	ctl_reply_record(&r, "spec", 6, spec);
	ctl_reply_end(&r);
	line = strchr(r.buf, '\n') + 1;
	nl = strchr(line, '\n');
	*nl = '\0';
	cr_assert_eq(ctl_record_parse(line, &rec), 0);
	cr_assert_str_eq(rec.tag, "spec");
	cr_assert_eq(rec.nfields, 6);
	for (size_t i = 0; i < 6; i++)
		cr_assert_str_eq(rec.fields[i], spec[i]);
	ctl_reply_free(&r);
}
