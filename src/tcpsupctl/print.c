/*
 * print.c -- replies to OTP's supervisor calls as Erlang terms or JSON
 * (see print.h). Pure: it checks every record against the shape its verb
 * answers with, and never prints a term it could not read.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "eterm.h"
#include "print.h"

#define SHAPE_FIELDS	6

typedef struct eterm *(*build_fn)(struct eterm **fields, enum print_format);

/*
 * What a verb's successful reply holds: records of one tag (any number of
 * them, or exactly one) or none, each field an Erlang term of a kind:
 * a atom, i integer, n integer or atom, l list, t tuple.
 */
struct shape {
	const char	*tag;
	const char	*kinds;
	bool		 many;
	build_fn	 build;
};

static struct eterm *
json_ok(void)
{
	return eterm_put(eterm_map(), eterm_atom("ok"), eterm_atom("true"));
}

/* {Id,Child,Type,Modules} */
static struct eterm *
build_child(struct eterm **f, enum print_format fmt)
{
	if (fmt == PRINT_ERLANG)
		return eterm_tuple(4, f[0], f[1], f[2], f[3]);
	return eterm_put(eterm_put(eterm_put(eterm_put(eterm_map(),
	    eterm_atom("id"), f[0]), eterm_atom("pid"), f[1]),
	    eterm_atom("type"), f[2]), eterm_atom("modules"), f[3]);
}

/* [{specs,N},{active,N},{supervisors,N},{workers,N}] */
static struct eterm *
build_count(struct eterm **f, enum print_format fmt)
{
	static const char *const keys[] = {
		"specs", "active", "supervisors", "workers"
	};
	struct eterm *t = fmt == PRINT_ERLANG ? eterm_list(0) : eterm_map();

	for (size_t i = 0; i < 4; i++) {
		if (fmt == PRINT_ERLANG)
			eterm_add(t, eterm_tuple(2, eterm_atom(keys[i]), f[i]));
		else
			eterm_put(t, eterm_atom(keys[i]), f[i]);
	}
	return t;
}

/* {ok,Pid} */
static struct eterm *
build_pid(struct eterm **f, enum print_format fmt)
{
	if (fmt == PRINT_ERLANG)
		return eterm_tuple(2, eterm_atom("ok"), f[0]);
	return eterm_put(json_ok(), eterm_atom("pid"), f[0]);
}

/* {ok,#{id => ..., start => ..., ...}}, keys in child_spec()'s order. */
static struct eterm *
build_spec(struct eterm **f, enum print_format fmt)
{
	struct eterm *spec = eterm_map();

	eterm_put(spec, eterm_atom("id"), f[0]);
	eterm_put(spec, eterm_atom("start"), f[1]);
	eterm_put(spec, eterm_atom("restart"), f[2]);
	/* tcpsup has no significant children (auto_shutdown is never). */
	eterm_put(spec, eterm_atom("significant"), eterm_atom("false"));
	eterm_put(spec, eterm_atom("shutdown"), f[3]);
	eterm_put(spec, eterm_atom("type"), f[4]);
	eterm_put(spec, eterm_atom("modules"), f[5]);
	if (fmt == PRINT_ERLANG)
		return eterm_tuple(2, eterm_atom("ok"), spec);
	return eterm_put(json_ok(), eterm_atom("spec"), spec);
}

static const struct shape shapes[] = {
	[CTL_WHICH_CHILDREN] = { "child", "anal", true, build_child },
	[CTL_COUNT_CHILDREN] = { "count", "iiii", false, build_count },
	[CTL_TERMINATE_CHILD] = { NULL, "", false, NULL },
	[CTL_RESTART_CHILD] = { "pid", "i", false, build_pid },
	[CTL_DELETE_CHILD] = { NULL, "", false, NULL },
	[CTL_GET_CHILDSPEC] = { "spec", "atanal", false, build_spec },
	[CTL_STOP] = { NULL, "", false, NULL },
};

static void __attribute__((format(printf, 3, 4)))
say(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
}

static bool
kind_ok(const struct eterm *t, char kind)
{
	switch (kind) {
	case 'a':
		return t->kind == ETERM_ATOM;
	case 'i':
		return t->kind == ETERM_INTEGER;
	case 'n':
		return t->kind == ETERM_INTEGER || t->kind == ETERM_ATOM;
	case 'l':
		return t->kind == ETERM_LIST || t->kind == ETERM_STRING;
	case 't':
		return t->kind == ETERM_TUPLE;
	}
	return false;
}

/* One record's fields as terms, each of its kind; NULL entries on error. */
static int
read_fields(const struct ctl_record *rec, const struct shape *s,
    struct eterm **f, char *why, size_t whysize)
{
	size_t n = strlen(s->kinds);

	if (strcmp(rec->tag, s->tag) != 0 || rec->nfields != n) {
		say(why, whysize, "a \"%.32s\" line with %zu fields where a "
		    "\"%s\" record of %zu was due", rec->tag, rec->nfields,
		    s->tag, n);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if ((f[i] = eterm_parse(rec->fields[i])) == NULL ||
		    !kind_ok(f[i], s->kinds[i])) {
			say(why, whysize, "field %zu of a \"%s\" record is "
			    "not what it should be: %.64s", i + 1, s->tag,
			    rec->fields[i]);
			for (size_t j = 0; j <= i; j++)
				eterm_free(f[j]);
			return -1;
		}
	}
	return 0;
}

/* The value of a successful reply, built from its records. */
static struct eterm *
read_result(const struct shape *s, enum print_format fmt, char *records,
    char *why, size_t whysize)
{
	struct eterm *f[SHAPE_FIELDS], *list = NULL, *one = NULL;
	struct ctl_record rec;
	char *cursor = records;

	if (s->tag == NULL) {
		if (!client_next_record(&cursor, &rec))
			return fmt == PRINT_ERLANG ? eterm_atom("ok") :
			    json_ok();
		say(why, whysize, "a \"%.32s\" line where none was due",
		    rec.tag);
		return NULL;
	}
	if (s->many)
		list = eterm_list(0);
	while (client_next_record(&cursor, &rec)) {
		if (one != NULL && !s->many) {
			say(why, whysize, "more than one \"%s\" record",
			    s->tag);
			goto bad;
		}
		if (read_fields(&rec, s, f, why, whysize) == -1)
			goto bad;
		one = s->build(f, fmt);
		if (s->many)
			eterm_add(list, one);
	}
	if (s->many)
		return list;
	if (one == NULL)
		say(why, whysize, "no \"%s\" record", s->tag);
	return one;
bad:
	eterm_free(s->many ? list : one);
	return NULL;
}

/* {error,Reason}: the reason as a term when it reads as one. */
static struct eterm *
read_error(const char *error, enum print_format fmt)
{
	struct eterm *reason = eterm_parse(error);

	if (reason == NULL)
		reason = eterm_atom(error);
	if (fmt == PRINT_ERLANG)
		return eterm_tuple(2, eterm_atom("error"), reason);
	return eterm_put(eterm_map(), eterm_atom("error"), reason);
}

char *
print_reply(enum ctl_verb verb, enum print_format fmt, const char *error,
    char *records, char *why, size_t whysize)
{
	struct eterm *t;
	char *text, *line;
	size_t len;

	if ((size_t)verb >= sizeof(shapes) / sizeof(shapes[0]) ||
	    shapes[verb].kinds == NULL) {
		say(why, whysize, "%s is not a supervisor call",
		    ctl_verb_name(verb));
		return NULL;
	}
	if (error != NULL)
		t = read_error(error, fmt);
	else if ((t = read_result(&shapes[verb], fmt, records, why,
	    whysize)) == NULL)
		return NULL;
	text = fmt == PRINT_ERLANG ? eterm_pretty(t) : eterm_json(t);
	eterm_free(t);
	len = strlen(text);
	if ((line = realloc(text, len + 2)) == NULL) {
		free(text);
		say(why, whysize, "out of memory");
		return NULL;
	}
	memcpy(line + len, "\n", 2);
	return line;
}

void
print_error_line(const struct ctl_request *req, const char *error,
    char *buf, size_t size)
{
	const char *verb = ctl_verb_name(req->verb);

	if (strcmp(error, "not_found") == 0 && req->child[0] != '\0')
		snprintf(buf, size, "%s: %s has no child %s", verb, req->sup,
		    req->child);
	else if (strcmp(error, "noproc") == 0)
		snprintf(buf, size, "%s: no supervisor named %s (tcpsup has "
		    "tcp_server_app and tcp_client_sup)", verb, req->sup);
	else if (strcmp(error, "running") == 0)
		snprintf(buf, size, "%s: %s's child %s is running; "
		    "terminate_child it first", verb, req->sup, req->child);
	else if (strcmp(error, "restarting") == 0)
		snprintf(buf, size, "%s: %s is restarting its child %s", verb,
		    req->sup, req->child);
	else if (strcmp(error, "simple_one_for_one") == 0)
		snprintf(buf, size, "%s: %s is a simple_one_for_one "
		    "supervisor: %s", verb, req->sup,
		    req->verb == CTL_TERMINATE_CHILD ?
		    "name its child by pid" : "its children have no ids");
	else
		snprintf(buf, size, "%s%s%s%s%s: %s", verb,
		    req->sup[0] != '\0' ? " " : "", req->sup,
		    req->child[0] != '\0' ? " " : "", req->child, error);
}
