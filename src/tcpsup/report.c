/*
 * report.c -- render SASL reports in the classic layout or as JSON lines,
 * or summed up in one line.
 *
 * The classic layout is OTP's, byte for byte (OTP.md section 3): an empty
 * line, the =TITLE REPORT==== header, then the fields; SUPERVISOR REPORT
 * values start in column 17 and end with an extra empty line, PROGRESS
 * REPORT keys are right-aligned in 16 columns after 4 spaces, and a child's
 * property list wraps one column right of its opening bracket.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "report.h"

struct out {
	char	*buf;
	size_t	 size;
	size_t	 len;
};

static void
out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len + 1 >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	o->len += (size_t)n;
	if (o->len >= o->size)
		o->len = o->size - 1;
}

static void
out_spaces(struct out *o, size_t n)
{
	out_printf(o, "%*s", (int)n, "");
}

static const char *const kind_titles[] = {
	[REPORT_SUPERVISOR] = "SUPERVISOR",
	[REPORT_PROGRESS] = "PROGRESS",
	[REPORT_INFO] = "INFO",
	[REPORT_ERROR] = "ERROR",
	[REPORT_WARNING] = "WARNING",
};

static const char *const months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* --- classic SASL layout ------------------------------------------------ */

/* The child's properties in the seed's order, as key and term text. */
static size_t
child_props(const struct report_child *c, char pidbuf[32],
    const char *keys[6], const char *vals[6])
{
	if (c->nb_children > 0) {
		keys[0] = "nb_children";
		snprintf(pidbuf, 32, "%zu", c->nb_children);
	} else {
		keys[0] = "pid";
		if (c->pid > 0)
			snprintf(pidbuf, 32, "%ld", (long)c->pid);
		else
			strlcpy(pidbuf, "undefined", 32);
	}
	vals[0] = pidbuf;
	keys[1] = "name", vals[1] = c->name;
	keys[2] = "mfa", vals[2] = c->mfa;
	keys[3] = "restart_type", vals[3] = c->restart_type;
	keys[4] = "shutdown", vals[4] = c->shutdown;
	keys[5] = "child_type", vals[5] = c->child_type;
	return 6;
}

static void
sasl_child(struct out *o, const struct report_child *c, size_t column)
{
	const char *keys[6], *vals[6];
	char pidbuf[32];
	size_t n = child_props(c, pidbuf, keys, vals);

	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			out_spaces(o, column + 1);
		out_printf(o, "%s{%s,%s}%s\n", i == 0 ? "[" : "", keys[i],
		    vals[i], i + 1 < n ? "," : "]");
	}
}

static void
sasl_value(struct out *o, const struct report_field *f, size_t column)
{
	if (f->child != NULL)
		sasl_child(o, f->child, column);
	else
		out_printf(o, "%s\n", f->term);
}

static void
sasl_fields(struct out *o, const struct report *r)
{
	for (size_t i = 0; i < r->nfields; i++) {
		const struct report_field *f = &r->fields[i];
		size_t column, used;

		switch (r->kind) {
		case REPORT_SUPERVISOR:
			/* "     Offender:   ": values start in column 17. */
			used = 5 + strlen(f->key) + 1;
			column = used < 17 ? 17 : used + 1;
			out_printf(o, "     %s:", f->key);
			out_spaces(o, column - used);
			break;
		case REPORT_PROGRESS:
			out_printf(o, "    %16s: ", f->key);
			column = 4 + (strlen(f->key) > 16 ? strlen(f->key) : 16) + 2;
			break;
		default:
			out_printf(o, "    %s: ", f->key);
			column = 4 + strlen(f->key) + 2;
			break;
		}
		sasl_value(o, f, column);
	}
	if (r->kind == REPORT_SUPERVISOR)
		out_printf(o, "\n");
}

static void
render_sasl(struct out *o, const struct report *r, const struct tm *t)
{
	out_printf(o, "\n=%s REPORT==== %d-%s-%d::%02d:%02d:%02d ===\n",
	    kind_titles[r->kind], t->tm_mday, months[t->tm_mon],
	    t->tm_year + 1900, t->tm_hour, t->tm_min, t->tm_sec);
	if (r->message != NULL)
		out_printf(o, "%ld %s\n", (long)r->pid, r->message);
	else
		sasl_fields(o, r);
}

/* --- JSON lines --------------------------------------------------------- */

static void
json_string(struct out *o, const char *s)
{
	out_printf(o, "\"");
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			out_printf(o, "\\%c", ch);
		else if (ch == '\n')
			out_printf(o, "\\n");
		else if (ch < 0x20)
			out_printf(o, "\\u%04x", ch);
		else
			out_printf(o, "%c", ch);
	}
	out_printf(o, "\"");
}

static void
json_key(struct out *o, const char *key)
{
	out_printf(o, ",\"");
	for (; *key != '\0'; key++)
		out_printf(o, "%c", tolower((unsigned char)*key));
	out_printf(o, "\":");
}

/* Numbers stay numbers; every other term is a string. */
static void
json_term(struct out *o, const char *term)
{
	size_t digits = strspn(term, "0123456789");

	if (digits > 0 && term[digits] == '\0')
		out_printf(o, "%s", term);
	else
		json_string(o, term);
}

static void
json_child(struct out *o, const struct report_child *c)
{
	const char *keys[6], *vals[6];
	char pidbuf[32];
	size_t n = child_props(c, pidbuf, keys, vals);

	for (size_t i = 0; i < n; i++) {
		out_printf(o, "%s\"%s\":", i == 0 ? "{" : ",", keys[i]);
		json_term(o, vals[i]);
	}
	out_printf(o, "}");
}

static void
render_json(struct out *o, const struct report *r, const struct tm *t)
{
	char stamp[64];
	size_t len;

	/* RFC 3339: the offset is +hh:mm, strftime's %z gives +hhmm. */
	len = strftime(stamp, sizeof(stamp) - 1, "%Y-%m-%dT%H:%M:%S%z", t);
	if (len >= 5) {
		memmove(stamp + len - 1, stamp + len - 2, 3);
		stamp[len - 2] = ':';
	}
	out_printf(o, "{\"time\":\"%s\",\"report\":\"%s\"", stamp,
	    r->kind == REPORT_SUPERVISOR ? "supervisor_report" :
	    r->kind == REPORT_PROGRESS ? "progress_report" :
	    r->kind == REPORT_INFO ? "info_report" :
	    r->kind == REPORT_WARNING ? "warning_report" : "error_report");
	if (r->message != NULL) {
		out_printf(o, ",\"pid\":%ld,\"message\":", (long)r->pid);
		json_string(o, r->message);
	}
	for (size_t i = 0; r->message == NULL && i < r->nfields; i++) {
		json_key(o, r->fields[i].key);
		if (r->fields[i].child != NULL)
			json_child(o, r->fields[i].child);
		else
			json_term(o, r->fields[i].term);
	}
	out_printf(o, "}\n");
}

size_t
report_render(const struct report *r, enum report_format format,
    const struct tm *when, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (format == REPORT_JSON)
		render_json(&o, r, when);
	else
		render_sasl(&o, r, when);
	return o.len;
}

/* --- one line, for a live view -------------------------------------------- */

/* {local,Name} as Name. */
static void
line_supervisor(struct out *l, const char *term)
{
	size_t len = strlen(term);

	if (strncmp(term, "{local,", 7) == 0 && len > 8 && term[len - 1] == '}')
		out_printf(l, "%.*s", (int)(len - 8), term + 7);
	else
		out_printf(l, "%s", term);
}

/* A child as its pid, or for a group or a child that never ran, more. */
static void
line_child(struct out *l, const struct report_child *c)
{
	if (c->nb_children > 0)
		out_printf(l, "%zu children", c->nb_children);
	else if (c->pid > 0)
		out_printf(l, "%ld", (long)c->pid);
	else
		out_printf(l, "%s", c->name);
}

static void
line_fields(struct out *l, const struct report *r)
{
	bool sup = r->nfields > 0 && r->fields[0].child == NULL &&
	    strcasecmp(r->fields[0].key, "supervisor") == 0;

	for (size_t i = 0; i < r->nfields; i++) {
		const struct report_field *f = &r->fields[i];

		if (sup && i == 0) {
			line_supervisor(l, f->term);
			continue;
		}
		if (sup && f->child != NULL && r->kind == REPORT_PROGRESS)
			out_printf(l, " %s %s ", f->key, f->child->name);
		else if (sup)
			out_printf(l, " ");
		else
			out_printf(l, "%s%s: ", i > 0 ? ", " : "", f->key);
		if (f->child != NULL)
			line_child(l, f->child);
		else
			out_printf(l, "%s", f->term);
	}
}

size_t
report_summary(const struct report *r, char *buf, size_t size)
{
	struct out l = { .buf = buf, .size = size };

	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (r->message != NULL)
		out_printf(&l, "%s", r->message);
	else
		line_fields(&l, r);
	for (char *p = buf; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	return l.len;
}

const char *
report_kind_name(enum report_kind kind)
{
	static const char *const names[] = {
		[REPORT_SUPERVISOR] = "supervisor",
		[REPORT_PROGRESS] = "progress",
		[REPORT_INFO] = "info",
		[REPORT_ERROR] = "error",
		[REPORT_WARNING] = "warning",
	};

	return (size_t)kind < sizeof(names) / sizeof(names[0]) ?
	    names[kind] : "info";
}

/* --- constructors ------------------------------------------------------- */

struct report
report_supervisor(const char *supervisor, const char *context,
    const char *reason, const struct report_child *offender)
{
	return (struct report){
		.kind = REPORT_SUPERVISOR,
		.fields = {
			{ .key = "Supervisor", .term = supervisor },
			{ .key = "Context", .term = context },
			{ .key = "Reason", .term = reason },
			{ .key = "Offender", .child = offender },
		},
		.nfields = 4,
	};
}

struct report
report_progress_child(const char *supervisor,
    const struct report_child *started)
{
	return (struct report){
		.kind = REPORT_PROGRESS,
		.fields = {
			{ .key = "supervisor", .term = supervisor },
			{ .key = "started", .child = started },
		},
		.nfields = 2,
	};
}

struct report
report_progress_app(const char *application, const char *started_at)
{
	return (struct report){
		.kind = REPORT_PROGRESS,
		.fields = {
			{ .key = "application", .term = application },
			{ .key = "started_at", .term = started_at },
		},
		.nfields = 2,
	};
}

struct report
report_app_exit(const char *application, const char *reason,
    const char *type)
{
	return (struct report){
		.kind = REPORT_INFO,
		.fields = {
			{ .key = "application", .term = application },
			{ .key = "exited", .term = reason },
			{ .key = "type", .term = type },
		},
		.nfields = 3,
	};
}

struct report
report_info(const char *key, const char *term)
{
	return (struct report){
		.kind = REPORT_INFO,
		.fields = { { .key = key, .term = term } },
		.nfields = 1,
	};
}

struct report
report_message(enum report_kind kind, pid_t pid, const char *message)
{
	return (struct report){
		.kind = kind,
		.pid = pid,
		.message = message,
	};
}
