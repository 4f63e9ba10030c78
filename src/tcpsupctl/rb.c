/*
 * rb.c -- tcpsupctl rb: SASL's report browser over the wrap log that
 * tcpsup keeps with --report-dir (see wraplog.h).
 *
 * Like SASL's rb, it numbers the reports from the newest (1) back, lists
 * them oldest first, shows them in the classic layout as they were
 * written, and greps them. It reads the files itself and asks the daemon
 * only where they are; it never writes to them.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "client.h"
#include "commands.h"
#include "wraplog.h"

static int
rb_usage(void)
{
	warnx("rb takes [--dir DIR] list | show [N] | grep REGEX");
	return EX_USAGE;
}

/* The daemon's --report-dir, from the "stat report_dir DIR" of stats. */
static int
ask_report_dir(const struct ctlopts *o, char *dir, size_t size)
{
	struct ctl_request req = { .verb = CTL_STATS };
	struct client_reply reply;
	struct ctl_record rec;
	char *cursor;
	int rc = 1;

	if (client_call(o->path, &req, &reply, o->timeout_ms) == -1)
		return call_failed(o, errno);
	cursor = reply.records;
	while (reply.error == NULL && client_next_record(&cursor, &rec)) {
		if (strcmp(rec.tag, "stat") == 0 && rec.nfields == 2 &&
		    strcmp(rec.fields[0], "report_dir") == 0) {
			rc = strlcpy(dir, rec.fields[1], size) < size ? 0 : 1;
			break;
		}
	}
	if (reply.error != NULL) {
		if ((rc = call_refused(o, &req, reply.error)) == 0) {
			warnx("tcpsup at %s: stats: %s", o->path, reply.error);
			rc = 1;
		}
	} else if (rc != 0)
		warnx("tcpsup at %s keeps no reports: it runs without "
		    "--report-dir", o->path);
	client_reply_free(&reply);
	return rc;
}

static void
format_date(time_t t, char *buf, size_t size)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

/* Report i (oldest 0) is number n - i: the newest is 1. */
static size_t
number_of(const struct wraplog_records *r, size_t i)
{
	return r->n - i;
}

/* rb:list(): columns as rb sizes them, the Process one to fit. */
static void
rb_list(const struct wraplog_records *r)
{
	char date[32];
	int width = 7;

	for (size_t i = 0; i < r->n; i++)
		if ((int)strlen(r->v[i].process) > width)
			width = (int)strlen(r->v[i].process);
	width++;
	printf("%4s%20s %*s%20s\n", "No", "Type", width, "Process",
	    "Date     Time");
	printf("%4s%20s %*s%20s\n", "==", "====", width, "=======",
	    "====     ====");
	for (size_t i = 0; i < r->n; i++) {
		format_date(r->v[i].time, date, sizeof(date));
		printf("%4zu%20s %*s%20s\n", number_of(r, i), r->v[i].type,
		    width, r->v[i].process, date);
	}
}

static void
json_string(const char *s, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* One report as a JSON object, with its text if asked. */
static void
json_report(const struct wraplog_records *r, size_t i, bool text)
{
	const struct wraplog_record *rec = &r->v[i];

	printf("{\"number\":%zu,\"type\":", number_of(r, i));
	json_string(rec->type, strlen(rec->type));
	fputs(",\"process\":", stdout);
	json_string(rec->process, strlen(rec->process));
	printf(",\"time\":%lld", (long long)rec->time);
	if (text) {
		fputs(",\"text\":", stdout);
		json_string(rec->text, rec->len);
	}
	putchar('}');
}

static void
show_one(const struct wraplog_records *r, size_t i, bool json, bool *first)
{
	if (json) {
		fputs(*first ? "[" : ",", stdout);
		json_report(r, i, true);
	} else
		fwrite(r->v[i].text, 1, r->v[i].len, stdout);
	*first = false;
}

static void
json_end(bool first)
{
	puts(first ? "[]" : "]");
}

static void
rb_list_json(const struct wraplog_records *r)
{
	putchar('[');
	for (size_t i = 0; i < r->n; i++) {
		if (i > 0)
			putchar(',');
		json_report(r, i, false);
	}
	puts("]");
}

/* rb:show(N), or rb:show() for all of them, oldest first. */
static int
rb_show(const struct wraplog_records *r, const char *arg, bool json)
{
	bool first = true;
	const char *errstr;
	long long n;

	if (arg == NULL) {
		for (size_t i = 0; i < r->n; i++)
			show_one(r, i, json, &first);
		if (json)
			json_end(first);
		return 0;
	}
	n = strtonum(arg, 0, LLONG_MAX, &errstr);
	if (errstr != NULL) {
		warnx("rb show: report number %s is %s", arg, errstr);
		return EX_USAGE;
	}
	if (n == 0 || (unsigned long long)n > r->n) {
		warnx("there is no report with number %lld (%zu reports)", n,
		    r->n);
		return 1;
	}
	show_one(r, r->n - (size_t)n, json, &first);
	if (json)
		json_end(first);
	return 0;
}

/* rb:grep(RegExp): every report whose text matches, oldest first. */
static int
rb_grep(const struct wraplog_records *r, const char *pattern, bool json)
{
	regex_t re;
	bool first = true;
	char why[256];
	int e;

	if ((e = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(e, &re, why, sizeof(why));
		warnx("rb grep: %s: %s", pattern, why);
		return EX_USAGE;
	}
	for (size_t i = 0; i < r->n; i++) {
		/* NUL-terminated: REG_STARTEND is glibc's, not POSIX's. */
		char *text = strndup(r->v[i].text, r->v[i].len);

		if (text == NULL) {
			regfree(&re);
			warn("rb grep");
			return EX_OSERR;
		}
		e = regexec(&re, text, 0, NULL, 0);
		free(text);
		if (e != 0)
			continue;
		if (!json)
			printf("Found match in report number %zu\n",
			    number_of(r, i));
		show_one(r, i, json, &first);
	}
	if (json)
		json_end(first);
	regfree(&re);
	return 0;
}

static int
rb_run(const char *dir, const char *what, const char *arg, bool json)
{
	struct wraplog_records r;
	int rc;

	if (wraplog_read(dir, &r) == -1) {
		warn("%s", dir);
		return 1;
	}
	if (r.damaged > 0)
		warnx("%s: %zu damaged stretches of the wrap log skipped", dir,
		    r.damaged);
	rc = 0;
	if (strcmp(what, "list") == 0 && json)
		rb_list_json(&r);
	else if (strcmp(what, "list") == 0)
		rb_list(&r);
	else if (strcmp(what, "show") == 0)
		rc = rb_show(&r, arg, json);
	else
		rc = rb_grep(&r, arg, json);
	wraplog_records_free(&r);
	return rc;
}

int
cmd_rb(const struct ctlopts *o, int argc, char **argv)
{
	char asked[PATH_MAX];
	const char *dir = NULL, *what, *arg;
	int i = 1, rc;

	if (argc > 2 && strcmp(argv[1], "--dir") == 0) {
		dir = argv[2];
		i = 3;
	}
	if (i >= argc)
		return rb_usage();
	what = argv[i];
	arg = i + 1 < argc ? argv[i + 1] : NULL;
	if (argc - i > 2 ||
	    (strcmp(what, "list") == 0 && arg != NULL) ||
	    (strcmp(what, "grep") == 0 && arg == NULL) ||
	    (strcmp(what, "list") != 0 && strcmp(what, "show") != 0 &&
	    strcmp(what, "grep") != 0))
		return rb_usage();
	if (dir == NULL) {
		if ((rc = ask_report_dir(o, asked, sizeof(asked))) != 0)
			return rc;
		dir = asked;
	}
	return rb_run(dir, what, arg, o->json);
}
