/*
 * eterm.c -- Erlang terms: build, read, compare, and write them as the
 * shell and as JSON (see eterm.h). Pure but for exiting when memory runs
 * out.
 *
 * The pretty printer is OTP's io_lib_pretty (print/pp/cind) cut down to
 * these kinds of terms, at depth and character limits -1 as ~p calls it.
 * Its odd corners are kept on purpose, so that the output matches OTP's
 * byte for byte; the names follow OTP's so that the two read side by side.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "eterm.h"

#define LINE_LENGTH	80	/* io_lib_pretty's default, and ~p's */
#define PARSE_DEPTH	64	/* nesting the reader accepts */

/* --- memory and output buffers --------------------------------------- */

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		err(EX_OSERR, NULL);
	return p;
}

struct sbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static void
sb_char(struct sbuf *b, char c)
{
	sb_add(b, &c, 1);
}

static void
sb_spaces(struct sbuf *b, int n)
{
	while (n-- > 0)
		sb_char(b, ' ');
}

static char *
sb_take(struct sbuf *b)
{
	if (b->s == NULL)
		sb_add(b, "", 0);
	return b->s;
}

/* --- building ---------------------------------------------------------- */

static struct eterm *
new_term(enum eterm_kind kind)
{
	struct eterm *t = xrealloc(NULL, sizeof(*t));

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	return t;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

struct eterm *
eterm_integer(long long v)
{
	struct eterm *t = new_term(ETERM_INTEGER);

	t->integer = v;
	return t;
}

struct eterm *
eterm_atom(const char *name)
{
	struct eterm *t = new_term(ETERM_ATOM);

	t->text = xstrdup(name);
	return t;
}

struct eterm *
eterm_string(const char *chars)
{
	struct eterm *t = new_term(ETERM_STRING);

	t->text = xstrdup(chars);
	return t;
}

struct eterm *
eterm_add(struct eterm *t, struct eterm *item)
{
	if (t->nitems == t->cap) {
		t->cap = t->cap * 2 + 4;
		t->items = xrealloc(t->items, t->cap * sizeof(*t->items));
	}
	t->items[t->nitems++] = item;
	return t;
}

static struct eterm *
new_seq(enum eterm_kind kind, size_t n, va_list ap)
{
	struct eterm *t = new_term(kind);

	while (n-- > 0)
		eterm_add(t, va_arg(ap, struct eterm *));
	return t;
}

struct eterm *
eterm_list(size_t n, ...)
{
	struct eterm *t;
	va_list ap;

	va_start(ap, n);
	t = new_seq(ETERM_LIST, n, ap);
	va_end(ap);
	return t;
}

struct eterm *
eterm_tuple(size_t n, ...)
{
	struct eterm *t;
	va_list ap;

	va_start(ap, n);
	t = new_seq(ETERM_TUPLE, n, ap);
	va_end(ap);
	return t;
}

struct eterm *
eterm_map(void)
{
	return new_term(ETERM_MAP);
}

struct eterm *
eterm_put(struct eterm *map, struct eterm *key, struct eterm *value)
{
	eterm_add(map, key);
	return eterm_add(map, value);
}

void
eterm_free(struct eterm *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nitems; i++)
		eterm_free(t->items[i]);
	free(t->items);
	free(t->text);
	free(t);
}

int
eterm_is_atom(const struct eterm *t, const char *name)
{
	return t->kind == ETERM_ATOM && strcmp(t->text, name) == 0;
}

/* --- reading ----------------------------------------------------------- */

struct reader {
	const char	*p;
	int		 depth;
};

static void
skip_spaces(struct reader *r)
{
	while (*r->p == ' ')
		r->p++;
}

/* Characters between quote marks, with the escapes a writer uses. */
static char *
read_quoted(struct reader *r, char quote)
{
	static const char from[] = "nrtvbfe", to[] = "\n\r\t\v\b\f\033";
	struct sbuf b = { 0 };
	const char *e;

	for (r->p++; *r->p != quote; r->p++) {
		char c = *r->p;

		if (c == '\0' || (unsigned char)c < ' ')
			goto bad;
		if (c == '\\') {
			c = *++r->p;
			if (c != '\0' && (e = strchr(from, c)) != NULL)
				c = to[e - from];
			else if (c != '\\' && c != '\'' && c != '"')
				goto bad;
		}
		sb_char(&b, c);
	}
	r->p++;
	return sb_take(&b);
bad:
	free(b.s);
	return NULL;
}

static struct eterm *read_term(struct reader *);

/* Items up to close; a map's keys and values are separated by =>. */
static struct eterm *
read_items(struct reader *r, struct eterm *t, char close)
{
	size_t i = 0;

	skip_spaces(r);
	if (*r->p == close) {
		r->p++;
		return t;
	}
	for (;; i++) {
		struct eterm *item = read_term(r);

		if (item == NULL)
			break;
		eterm_add(t, item);
		skip_spaces(r);
		if (t->kind == ETERM_MAP && i % 2 == 0) {
			if (strncmp(r->p, "=>", 2) != 0)
				break;
			r->p += 2;
			continue;
		}
		if (*r->p == close) {
			r->p++;
			return t;
		}
		if (*r->p++ != ',')
			break;
	}
	eterm_free(t);
	return NULL;
}

static struct eterm *
read_integer(struct reader *r)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(r->p, &end, 10);
	if (errno != 0 || end == r->p || !isdigit((unsigned char)end[-1]))
		return NULL;
	r->p = end;
	return eterm_integer(v);
}

static struct eterm *
read_atom(struct reader *r)
{
	const char *start = r->p;
	struct eterm *t;
	char *name;

	while (isalnum((unsigned char)*r->p) || *r->p == '_' || *r->p == '@')
		r->p++;
	name = xrealloc(NULL, (size_t)(r->p - start) + 1);
	memcpy(name, start, (size_t)(r->p - start));
	name[r->p - start] = '\0';
	t = new_term(ETERM_ATOM);
	t->text = name;
	return t;
}

static struct eterm *
read_text(struct reader *r, enum eterm_kind kind)
{
	char *text = read_quoted(r, kind == ETERM_ATOM ? '\'' : '"');
	struct eterm *t;

	if (text == NULL)
		return NULL;
	if (kind == ETERM_STRING && *text == '\0') {
		free(text);
		return new_term(ETERM_LIST);	/* "" is [] */
	}
	t = new_term(kind);
	t->text = text;
	return t;
}

static struct eterm *
read_term(struct reader *r)
{
	struct eterm *t = NULL;
	char c;

	skip_spaces(r);
	if (++r->depth > PARSE_DEPTH)
		return NULL;
	c = *r->p;
	if (c == '[' || c == '{') {
		r->p++;
		t = read_items(r, new_term(c == '[' ? ETERM_LIST :
		    ETERM_TUPLE), c == '[' ? ']' : '}');
	} else if (c == '#' && r->p[1] == '{') {
		r->p += 2;
		t = read_items(r, eterm_map(), '}');
	} else if (c == '-' || isdigit((unsigned char)c))
		t = read_integer(r);
	else if (islower((unsigned char)c))
		t = read_atom(r);
	else if (c == '\'')
		t = read_text(r, ETERM_ATOM);
	else if (c == '"')
		t = read_text(r, ETERM_STRING);
	r->depth--;
	return t;
}

struct eterm *
eterm_parse(const char *text)
{
	struct reader r = { .p = text };
	struct eterm *t = read_term(&r);

	if (t != NULL) {
		skip_spaces(&r);
		if (*r.p != '\0') {
			eterm_free(t);
			t = NULL;
		}
	}
	return t;
}

/* --- term order -------------------------------------------------------- */

/* number < atom < tuple < map < list, as erlang:'<' ranks them. */
static int
rank(const struct eterm *t)
{
	switch (t->kind) {
	case ETERM_INTEGER:
		return 0;
	case ETERM_ATOM:
		return 1;
	case ETERM_TUPLE:
		return 2;
	case ETERM_MAP:
		return 3;
	case ETERM_LIST:
	case ETERM_STRING:
		break;
	}
	return 4;
}

static size_t
list_length(const struct eterm *t)
{
	return t->kind == ETERM_STRING ? strlen(t->text) : t->nitems;
}

/* Element i of a list; a string's characters are integers. */
static int
compare_list_item(const struct eterm *a, const struct eterm *b, size_t i)
{
	struct eterm ca = { .kind = ETERM_INTEGER }, cb = ca;

	if (a->kind == ETERM_STRING)
		ca.integer = (unsigned char)a->text[i];
	if (b->kind == ETERM_STRING)
		cb.integer = (unsigned char)b->text[i];
	return eterm_compare(a->kind == ETERM_STRING ? &ca : a->items[i],
	    b->kind == ETERM_STRING ? &cb : b->items[i]);
}

static int
compare_sizes(size_t a, size_t b)
{
	return (a > b) - (a < b);
}

/* Sizes, then items from, from + step, ... */
static int
compare_items(const struct eterm *a, const struct eterm *b, size_t from,
    size_t step)
{
	int c;

	if ((c = compare_sizes(a->nitems, b->nitems)) != 0)
		return c;
	for (size_t i = from; i < a->nitems; i += step)
		if ((c = eterm_compare(a->items[i], b->items[i])) != 0)
			return c;
	return 0;
}

int
eterm_compare(const struct eterm *a, const struct eterm *b)
{
	size_t na, nb;
	int c;

	if ((c = rank(a) - rank(b)) != 0)
		return c;
	switch (a->kind) {
	case ETERM_INTEGER:
		return (a->integer > b->integer) - (a->integer < b->integer);
	case ETERM_ATOM:
		return strcmp(a->text, b->text);
	case ETERM_TUPLE:
		return compare_items(a, b, 0, 1);
	case ETERM_MAP:
		/* Sorted maps: all the keys in order, then the values. */
		return (c = compare_items(a, b, 0, 2)) != 0 ? c :
		    compare_items(a, b, 1, 2);
	case ETERM_LIST:
	case ETERM_STRING:
		break;
	}
	na = list_length(a);
	nb = list_length(b);
	for (size_t i = 0; i < na && i < nb; i++)
		if ((c = compare_list_item(a, b, i)) != 0)
			return c;
	return compare_sizes(na, nb);
}

/* --- writing on one line ----------------------------------------------- */

static int
atom_needs_quotes(const char *name)
{
	static const char *const reserved[] = {
		"after", "and", "andalso", "band", "begin", "bnot", "bor",
		"bsl", "bsr", "bxor", "case", "catch", "cond", "div", "end",
		"fun", "if", "let", "not", "of", "or", "orelse", "receive",
		"rem", "try", "when", "xor",
	};

	if (!islower((unsigned char)name[0]))
		return 1;
	for (const char *p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '@')
			return 1;
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcmp(name, reserved[i]) == 0)
			return 1;
	return 0;
}

/* io_lib's string_char: what a character becomes between quotes. */
static void
write_char(struct sbuf *b, unsigned char c, char quote)
{
	static const char from[] = "\n\r\t\v\b\f\033\177", to[] = "nrtvbfed";
	const char *e;
	char oct[5];

	if (c == quote || c == '\\') {
		sb_char(b, '\\');
		sb_char(b, (char)c);
	} else if ((c >= ' ' && c <= '~') || c >= 0xa0) {
		sb_char(b, (char)c);
	} else if (c != '\0' && (e = strchr(from, c)) != NULL) {
		sb_char(b, '\\');
		sb_char(b, to[e - from]);
	} else {
		snprintf(oct, sizeof(oct), "\\%03o", c);
		sb_str(b, oct);
	}
}

static void
write_quoted(struct sbuf *b, const char *s, char quote)
{
	sb_char(b, quote);
	for (; *s != '\0'; s++)
		write_char(b, (unsigned char)*s, quote);
	sb_char(b, quote);
}

static void
write_term(struct sbuf *b, const struct eterm *t)
{
	char num[24];
	const char *open = t->kind == ETERM_LIST ? "[" :
	    t->kind == ETERM_TUPLE ? "{" : "#{";

	switch (t->kind) {
	case ETERM_INTEGER:
		snprintf(num, sizeof(num), "%lld", t->integer);
		sb_str(b, num);
		return;
	case ETERM_ATOM:
		if (atom_needs_quotes(t->text))
			write_quoted(b, t->text, '\'');
		else
			sb_str(b, t->text);
		return;
	case ETERM_STRING:
		write_quoted(b, t->text, '"');
		return;
	case ETERM_LIST:
	case ETERM_TUPLE:
	case ETERM_MAP:
		break;
	}
	sb_str(b, open);
	for (size_t i = 0; i < t->nitems; i++) {
		if (i > 0)
			sb_str(b, t->kind == ETERM_MAP && i % 2 == 1 ?
			    " => " : ",");
		write_term(b, t->items[i]);
	}
	sb_char(b, t->kind == ETERM_LIST ? ']' : '}');
}

/* --- io_lib_pretty ----------------------------------------------------- */

static int
compare_pairs(const void *a, const void *b)
{
	return eterm_compare(*(struct eterm *const *)a,
	    *(struct eterm *const *)b);
}

/* What io_lib_pretty keeps as a plain string: written, never broken. */
static int
atomic(const struct eterm *t)
{
	return t->kind < ETERM_LIST || t->nitems == 0;
}

/* print_length: every term's width on one line; maps sorted by key. */
static void
measure(struct eterm *t)
{
	struct sbuf b = { 0 };
	size_t n = t->nitems;

	if (atomic(t)) {
		write_term(&b, t);
		t->width = b.len;
		free(b.s);
		return;
	}
	/* "[" "]" or "{" "}" and commas; "#{" "}", commas and " => ". */
	t->width = t->kind == ETERM_MAP ? 2 + 5 * n / 2 : 1 + n;
	for (size_t i = 0; i < n; i++) {
		measure(t->items[i]);
		t->width += t->items[i]->width;
	}
	if (t->kind == ETERM_MAP)
		qsort(t->items, n / 2, 2 * sizeof(*t->items), compare_pairs);
}

static int
tagged(const struct eterm *t)
{
	return t->kind == ETERM_TUPLE && t->nitems > 1 &&
	    t->items[0]->kind == ETERM_ATOM;
}

/*
 * One run of pp, or, with dry set, of cind: the same walk without output
 * that tells whether an indentation for tagged tuples (tind) keeps lines
 * short enough; it fails instead of writing.
 */
struct pp {
	struct sbuf	*out;
	int		 ll;	/* line length */
	int		 m;	/* the most characters on a line */
	int		 tind;
	int		 dry;
	int		 failed;
};

static void pp(struct pp *, const struct eterm *, int col, int ind, int ld,
	    int w);

static int
fits(const struct pp *c, int len, int col, int ld, int w)
{
	return len < c->ll - col - ld && len + w + ld <= c->m;
}

/* Room for ",Elem" after col; the last element keeps ld for its closers. */
static int
fits_after(const struct pp *c, int elen, int col, int ld1, int w)
{
	int d = ld1 == 0 ? 1 : ld1;

	return elen < c->ll - col - d && w + elen + d <= c->m;
}

static int
last_depth(size_t i, size_t n, int ld)
{
	return i + 1 < n ? 0 : ld + 1;
}

static void
emit(struct pp *c, const char *s)
{
	if (!c->dry)
		sb_str(c->out, s);
}

static void
emit_term(struct pp *c, const struct eterm *t)
{
	if (!c->dry)
		write_term(c->out, t);
}

static void
emit_newline(struct pp *c, int ind)
{
	if (!c->dry) {
		sb_char(c->out, '\n');
		sb_spaces(c->out, ind);
	}
}

/* pp_element: the width it took, or the line length to force a break. */
static int
pp_element(struct pp *c, const struct eterm *e, int col, int ind, int ld,
    int w)
{
	if (fits(c, (int)e->width, col, ld, w) && atomic(e)) {
		emit_term(c, e);
		return (int)e->width;
	}
	pp(c, e, col, ind, ld, w);
	return c->ll;
}

/* pp_tail: the elements after the first, each on the line if it fits. */
static void
pp_tail(struct pp *c, struct eterm *const *es, size_t n, int col0, int col,
    int ind, int ld, int w)
{
	for (size_t i = 0; i < n && !c->failed; i++) {
		int ld1 = last_depth(i, n, ld), elen = 1 + (int)es[i]->width;

		if (fits_after(c, elen, col, ld1, w) && atomic(es[i])) {
			emit(c, ",");
			emit_term(c, es[i]);
			col += elen;
			w += elen;
		} else {
			emit(c, ",");
			emit_newline(c, ind);
			w = pp_element(c, es[i], col0, ind, ld1, 0);
			col = col0 + w;
		}
	}
}

static void
pp_list(struct pp *c, struct eterm *const *es, size_t n, int col0, int ind,
    int ld, int w)
{
	int we = pp_element(c, es[0], col0, ind, last_depth(0, n, ld), w);

	pp_tail(c, es + 1, n - 1, col0, col0 + we, ind, ld, w + we);
}

static void
pp_tag_tuple(struct pp *c, const struct eterm *t, int col, int ind, int ld,
    int w)
{
	int tlen = (int)t->items[0]->width, tagind = tlen + 2;
	int tcol = col + tagind;

	emit_term(c, t->items[0]);
	if (c->tind > 0 && tagind > c->tind) {
		int col1 = col + c->tind;

		if (c->dry && !(c->m + col1 <= c->ll || col1 <= c->ll / 2))
			c->failed = 1;
		else
			pp_tail(c, t->items + 1, t->nitems - 1, col1, tcol,
			    ind + c->tind, ld, w + tlen);
		return;
	}
	if (c->dry && !(c->m + tcol < c->ll || tcol < c->ll / 2)) {
		c->failed = 1;
		return;
	}
	emit(c, ",");
	pp_list(c, t->items + 1, t->nitems - 1, tcol, ind + tagind, ld,
	    w + tlen + 1);
}

static int
pair_width(const struct eterm *m, size_t i)
{
	return (int)(m->items[2 * i]->width + 4 + m->items[2 * i + 1]->width);
}

static int
pair_atomic(const struct eterm *m, size_t i)
{
	return atomic(m->items[2 * i]) && atomic(m->items[2 * i + 1]);
}

static void
emit_pair(struct pp *c, const struct eterm *m, size_t i)
{
	emit_term(c, m->items[2 * i]);
	emit(c, " => ");
	emit_term(c, m->items[2 * i + 1]);
}

/* pp_pair: key and value on one line, or the value under the key. */
static int
pp_pair(struct pp *c, const struct eterm *m, size_t i, int col, int ind,
    int ld, int w)
{
	int vind = c->tind > 0 ? c->tind : 4;	/* map_value_indent */

	if (fits(c, pair_width(m, i), col, ld, w)) {
		emit_pair(c, m, i);
		return pair_atomic(m, i) ? pair_width(m, i) : c->ll;
	}
	pp(c, m->items[2 * i], col, ind, ld, w);
	emit(c, " =>");
	emit_newline(c, ind + vind);
	pp(c, m->items[2 * i + 1], col + vind, ind + vind, ld, 0);
	return c->ll;
}

static void
pp_map(struct pp *c, const struct eterm *m, int col0, int ind, int ld,
    int w)
{
	size_t n = m->nitems / 2;
	int col, pw = pp_pair(c, m, 0, col0, ind, last_depth(0, n, ld), w);

	/* cind carries the width on into the tail; pp starts it afresh. */
	w = c->dry ? w + pw : pw;
	col = col0 + pw;
	for (size_t i = 1; i < n && !c->failed; i++) {
		int ld1 = last_depth(i, n, ld), elen = 1 + pair_width(m, i);

		emit(c, ",");
		if (fits_after(c, elen, col, ld1, w) && pair_atomic(m, i)) {
			emit_pair(c, m, i);
			col += elen;
			w += elen;
		} else {
			emit_newline(c, ind);
			w = pp_pair(c, m, i, col0, ind, ld1, 0);
			col = col0 + w;
		}
	}
}

static void
pp(struct pp *c, const struct eterm *t, int col, int ind, int ld, int w)
{
	if (c->failed)
		return;
	if (fits(c, (int)t->width, col, ld, w) || atomic(t)) {
		emit_term(c, t);
		return;
	}
	switch (t->kind) {
	case ETERM_LIST:
		emit(c, "[");
		pp_list(c, t->items, t->nitems, col + 1, ind + 1, ld, w + 1);
		emit(c, "]");
		break;
	case ETERM_TUPLE:
		emit(c, "{");
		if (tagged(t))
			pp_tag_tuple(c, t, col, ind, ld, w + 1);
		else
			pp_list(c, t->items, t->nitems, col + 1, ind + 1, ld,
			    w + 1);
		emit(c, "}");
		break;
	case ETERM_MAP:
		/* cind counts both of "#{", pp only one. */
		emit(c, "#{");
		pp_map(c, t, col + 2, ind + 2, ld, w + (c->dry ? 2 : 1));
		emit(c, "}");
		break;
	case ETERM_INTEGER:
	case ETERM_ATOM:
	case ETERM_STRING:
		break;
	}
}

char *
eterm_pretty(struct eterm *t)
{
	static const int tinds[] = { -1, 4 };
	struct sbuf b = { 0 };
	struct pp c = { .out = &b, .ll = LINE_LENGTH, .tind = 1 };
	const int col = 1;

	measure(t);
	c.m = (int)t->width;
	if (atomic(t) || fits(&c, (int)t->width, col, 0, 0)) {
		write_term(&b, t);
		return sb_take(&b);
	}
	/* The indentation for tagged tuples: the first that cind accepts. */
	for (size_t i = 0; i < sizeof(tinds) / sizeof(tinds[0]); i++) {
		struct pp dry = { .ll = c.ll, .m = c.m, .tind = tinds[i],
		    .dry = 1 };

		pp(&dry, t, col, col - 1, 0, 0);
		if (!dry.failed) {
			c.tind = tinds[i];
			break;
		}
	}
	pp(&c, t, col, col - 1, 0, 0);
	return sb_take(&b);
}

/* --- JSON -------------------------------------------------------------- */

static void
json_string(struct sbuf *b, const char *s)
{
	char u[8];

	sb_char(b, '"');
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			sb_char(b, '\\');
			sb_char(b, (char)ch);
		} else if (ch < 0x20) {
			snprintf(u, sizeof(u), "\\u%04x", ch);
			sb_str(b, u);
		} else
			sb_char(b, (char)ch);
	}
	sb_char(b, '"');
}

static void json_term(struct sbuf *, const struct eterm *);

static void
json_key(struct sbuf *b, const struct eterm *k)
{
	struct sbuf text = { 0 };

	if (k->kind == ETERM_ATOM || k->kind == ETERM_STRING) {
		json_string(b, k->text);
		return;
	}
	write_term(&text, k);
	json_string(b, text.s);
	free(text.s);
}

static void
json_term(struct sbuf *b, const struct eterm *t)
{
	char num[24];

	switch (t->kind) {
	case ETERM_INTEGER:
		snprintf(num, sizeof(num), "%lld", t->integer);
		sb_str(b, num);
		return;
	case ETERM_ATOM:
		if (eterm_is_atom(t, "true") || eterm_is_atom(t, "false"))
			sb_str(b, t->text);
		else if (eterm_is_atom(t, "undefined"))
			sb_str(b, "null");
		else
			json_string(b, t->text);
		return;
	case ETERM_STRING:
		json_string(b, t->text);
		return;
	case ETERM_LIST:
	case ETERM_TUPLE:
	case ETERM_MAP:
		break;
	}
	sb_char(b, t->kind == ETERM_MAP ? '{' : '[');
	for (size_t i = 0; i < t->nitems; i++) {
		if (i > 0)
			sb_char(b, t->kind == ETERM_MAP && i % 2 == 1 ?
			    ':' : ',');
		if (t->kind == ETERM_MAP && i % 2 == 0)
			json_key(b, t->items[i]);
		else
			json_term(b, t->items[i]);
	}
	sb_char(b, t->kind == ETERM_MAP ? '}' : ']');
}

char *
eterm_json(const struct eterm *t)
{
	struct sbuf b = { 0 };

	json_term(&b, t);
	return sb_take(&b);
}
