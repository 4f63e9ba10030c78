/*
 * ctl_proto.c -- the control protocol's requests and replies (see
 * ctl_proto.h). Pure: both programs link it, and it never touches a
 * descriptor.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"

#define CTL_MAGIC	"tcpsup"

static const struct {
	const char	*name;
	enum ctl_args	 args;
} verbs[] = {
	[CTL_WHICH_CHILDREN] = { "which_children", CTL_ARGS_SUP },
	[CTL_COUNT_CHILDREN] = { "count_children", CTL_ARGS_SUP },
	[CTL_TERMINATE_CHILD] = { "terminate_child", CTL_ARGS_SUP_CHILD },
	[CTL_RESTART_CHILD] = { "restart_child", CTL_ARGS_SUP_CHILD },
	[CTL_DELETE_CHILD] = { "delete_child", CTL_ARGS_SUP_CHILD },
	[CTL_GET_CHILDSPEC] = { "get_childspec", CTL_ARGS_SUP_CHILD },
	[CTL_CHILDREN] = { "children", CTL_ARGS_SUP },
	[CTL_STATS] = { "stats", CTL_ARGS_NONE },
	[CTL_STOP] = { "stop", CTL_ARGS_NONE },
};

#define NVERBS	(sizeof(verbs) / sizeof(verbs[0]))

const char *
ctl_verb_name(enum ctl_verb v)
{
	return (size_t)v < NVERBS ? verbs[v].name : "unknown";
}

int
ctl_verb_parse(const char *name, enum ctl_verb *v)
{
	for (size_t i = 0; i < NVERBS; i++) {
		if (strcmp(verbs[i].name, name) == 0) {
			*v = (enum ctl_verb)i;
			return 0;
		}
	}
	return -1;
}

enum ctl_args
ctl_verb_args(enum ctl_verb v)
{
	return verbs[v].args;
}

static int
token_char(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || strchr("_.:@-", ch) != NULL;
}

static int
valid_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!token_char((unsigned char)*s))
			return 0;
	return 1;
}

static enum ctl_parse __attribute__((format(printf, 3, 4)))
bad(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return CTL_PARSE_ERROR;
}

/* Split line (NUL-terminated, no newline) at single spaces. */
static size_t
split(char *line, char **tok, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		tok[n++] = p;
		if ((p = strchr(p, ' ')) == NULL)
			break;
		*p++ = '\0';
	}
	return p == NULL ? n : max + 1;
}

static enum ctl_parse
parse_line(char *line, struct ctl_request *req, char *err, size_t errsize)
{
	char *tok[5];
	size_t n = split(line, tok, 5), want;

	for (size_t i = 0; i < n && i < 5; i++)
		if (!valid_token(tok[i]))
			return bad(err, errsize, "bad token");
	if (n < 3 || strcmp(tok[0], CTL_MAGIC) != 0)
		return bad(err, errsize, "not a tcpsup request");
	if (strcmp(tok[1], "1") != 0)
		return bad(err, errsize, "unsupported version %.8s", tok[1]);
	if (ctl_verb_parse(tok[2], &req->verb) == -1)
		return bad(err, errsize, "unknown verb %.32s", tok[2]);
	want = 3 + (size_t)ctl_verb_args(req->verb);
	if (n != want)
		return bad(err, errsize, "%s takes %zu arguments", tok[2],
		    want - 3);
	if ((n > 3 && strlen(tok[3]) >= sizeof(req->sup)) ||
	    (n > 4 && strlen(tok[4]) >= sizeof(req->child)))
		return bad(err, errsize, "argument too long");
	strlcpy(req->sup, n > 3 ? tok[3] : "", sizeof(req->sup));
	strlcpy(req->child, n > 4 ? tok[4] : "", sizeof(req->child));
	return CTL_PARSE_OK;
}

enum ctl_parse
ctl_request_parse(const char *buf, size_t len, struct ctl_request *req,
    char *err, size_t errsize)
{
	char line[CTL_REQUEST_MAX];
	const char *nl = memchr(buf, '\n', len < CTL_REQUEST_MAX ? len :
	    CTL_REQUEST_MAX);

	err[0] = '\0';
	if (nl == NULL)
		return len < CTL_REQUEST_MAX ? CTL_PARSE_INCOMPLETE :
		    bad(err, errsize, "request longer than %d bytes",
		    CTL_REQUEST_MAX);
	if ((size_t)(nl - buf) + 1 != len)
		return bad(err, errsize, "data after the request");
	memcpy(line, buf, (size_t)(nl - buf));
	line[nl - buf] = '\0';
	if (memchr(line, '\0', (size_t)(nl - buf)) != NULL)
		return bad(err, errsize, "bad token");
	memset(req, 0, sizeof(*req));
	return parse_line(line, req, err, errsize);
}

int
ctl_request_format(const struct ctl_request *req, char *buf, size_t size)
{
	enum ctl_args args;
	int n;

	if ((size_t)req->verb >= NVERBS)
		return -1;
	args = ctl_verb_args(req->verb);
	if ((args >= CTL_ARGS_SUP && !valid_token(req->sup)) ||
	    (args == CTL_ARGS_SUP_CHILD && !valid_token(req->child)))
		return -1;
	n = snprintf(buf, size, "%s %d %s%s%s%s%s\n", CTL_MAGIC, CTL_VERSION,
	    ctl_verb_name(req->verb),
	    args >= CTL_ARGS_SUP ? " " : "", args >= CTL_ARGS_SUP ? req->sup : "",
	    args == CTL_ARGS_SUP_CHILD ? " " : "",
	    args == CTL_ARGS_SUP_CHILD ? req->child : "");
	if (n < 0 || (size_t)n >= size || n > CTL_REQUEST_MAX)
		return -1;
	return n;
}

/* --- replies ------------------------------------------------------------- */

static void
put(struct ctl_reply *r, const char *s, size_t len)
{
	if (r->failed)
		return;
	if (r->len + len + 1 > r->cap) {
		size_t cap = r->cap * 2 + len + 256;
		char *p = realloc(r->buf, cap);

		if (p == NULL) {
			r->failed = 1;
			return;
		}
		r->buf = p;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, s, len);
	r->len += len;
	r->buf[r->len] = '\0';
}

/* A field's text with tabs and newlines turned into spaces. */
static void
put_field(struct ctl_reply *r, const char *s)
{
	for (size_t n; *s != '\0'; s += n) {
		n = strcspn(s, "\t\n");
		put(r, s, n);
		if (s[n] != '\0') {
			put(r, " ", 1);
			n++;
		}
	}
}

void
ctl_reply_ok(struct ctl_reply *r)
{
	put(r, "ok\n", 3);
}

void
ctl_reply_error(struct ctl_reply *r, const char *term)
{
	put(r, "error\t", 6);
	put_field(r, term);
	put(r, "\n", 1);
}

void
ctl_reply_record(struct ctl_reply *r, const char *tag, size_t nfields,
    const char *const *fields)
{
	put_field(r, tag);
	for (size_t i = 0; i < nfields && i < CTL_FIELD_MAX; i++) {
		put(r, "\t", 1);
		put_field(r, fields[i]);
	}
	put(r, "\n", 1);
}

void
ctl_reply_end(struct ctl_reply *r)
{
	static char enomem[] = "error\tenomem\nend\n";

	put(r, "end\n", 4);
	if (r->failed) {
		/* Whatever was written is incomplete: say so instead. */
		free(r->buf);
		r->buf = enomem;
		r->len = sizeof(enomem) - 1;
		r->cap = 0;
	}
}

void
ctl_reply_free(struct ctl_reply *r)
{
	if (r->cap > 0)
		free(r->buf);
	*r = (struct ctl_reply){ 0 };
}

int
ctl_record_parse(char *line, struct ctl_record *rec)
{
	char *p;

	if (*line == '\0')
		return -1;
	rec->tag = line;
	rec->nfields = 0;
	for (p = strchr(line, '\t'); p != NULL; p = strchr(p, '\t')) {
		if (rec->nfields == CTL_FIELD_MAX)
			return -1;
		*p++ = '\0';
		rec->fields[rec->nfields++] = p;
	}
	return 0;
}
