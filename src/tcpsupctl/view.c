/*
 * view.c -- rows, tree lines, columns and JSON for tree and top. Pure: it
 * formats a snapshot and nothing else; widths are counted in screen
 * columns of the current locale, so that tree lines in UTF-8 and titles in
 * any locale align alike.
 */
#include <inttypes.h>
#include <langinfo.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "view.h"

/* --- order and rows -------------------------------------------------- */

static int
cmp_pid(const void *a, const void *b)
{
	pid_t x = ((const struct snap_proc *)a)->pid;
	pid_t y = ((const struct snap_proc *)b)->pid;

	return x < y ? -1 : x > y;
}

/* Busiest first; equal ones by pid, so that rows do not swap at random. */
static int
cmp_cpu(const void *a, const void *b)
{
	double x = ((const struct snap_proc *)a)->cpu;
	double y = ((const struct snap_proc *)b)->cpu;

	return x > y ? -1 : x < y ? 1 : cmp_pid(a, b);
}

void
view_sort(struct snap_proc *p, enum view_order order)
{
	/* A static supervisor's children stay in the order it gave them. */
	if (strcmp(p->strategy, "simple_one_for_one") == 0)
		qsort(p->children, p->nchildren, sizeof(*p->children),
		    order == VIEW_BY_CPU ? cmp_cpu : cmp_pid);
	for (size_t i = 0; i < p->nchildren; i++)
		view_sort(&p->children[i], order);
}

static size_t
count(const struct snap_proc *p, int depth)
{
	size_t n = 1;

	for (size_t i = 0; depth <= SNAP_DEPTH_MAX && i < p->nchildren; i++)
		n += count(&p->children[i], depth + 1);
	return n;
}

static void
flatten(const struct snap_proc *p, int depth, bool *last,
    struct view_row *rows, size_t *n)
{
	struct view_row *r = &rows[(*n)++];

	r->proc = p;
	r->depth = depth;
	memcpy(r->last, last, sizeof(r->last));
	for (size_t i = 0; depth <= SNAP_DEPTH_MAX && i < p->nchildren; i++) {
		last[depth + 1] = i + 1 == p->nchildren;
		flatten(&p->children[i], depth + 1, last, rows, n);
	}
}

struct view_row *
view_rows(const struct snap_proc *root, size_t *nrows)
{
	bool last[SNAP_DEPTH_MAX + 2] = { true };
	struct view_row *rows;

	*nrows = 0;
	if ((rows = calloc(count(root, 0), sizeof(*rows))) != NULL)
		flatten(root, 0, last, rows, nrows);
	return rows;
}

/* --- cells ----------------------------------------------------------- */

bool
view_locale_utf8(void)
{
	return strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
}

void
view_prefix(const struct view_row *r, bool utf8, char *buf, size_t size)
{
	const char *bar = utf8 ? "\u2502  " : "|  ";
	const char *tee = utf8 ? "\u251c\u2500 " : "|- ";
	const char *elbow = utf8 ? "\u2514\u2500 " : "`- ";

	if (size == 0)
		return;
	buf[0] = '\0';
	for (int d = 1; d < r->depth; d++)
		strlcat(buf, r->last[d] ? "   " : bar, size);
	if (r->depth > 0)
		strlcat(buf, r->last[r->depth] ? elbow : tee, size);
}

/* A worker has no name of its own: it is known by its title. */
static const char *
display_name(const struct snap_proc *p)
{
	static const char tag[] = "tcpsup: ";

	if (strcmp(p->id, "undefined") != 0 || p->title[0] == '\0')
		return p->id;
	if (strncmp(p->title, tag, sizeof(tag) - 1) == 0)
		return p->title + sizeof(tag) - 1;
	return p->title;
}

/* What the process is doing, in a word. */
static const char *
state_word(const struct snap_proc *p)
{
	if (p->sup_error[0] != '\0')
		return "down";
	if (p->pid == 0)
		return strcmp(p->pidword, "restarting") == 0 ? "restarting" :
		    "terminated";
	return p->state;
}

void
view_cells(const struct view_row *r, bool utf8, struct view_cells *c)
{
	const struct snap_proc *p = r->proc;

	memset(c, 0, sizeof(*c));
	if (p->pid > 0)
		snprintf(c->text[VIEW_PID], VIEW_CELL_MAX, "%d", (int)p->pid);
	else
		strlcpy(c->text[VIEW_PID], "-", VIEW_CELL_MAX);
	view_prefix(r, utf8, c->text[VIEW_NAME], VIEW_CELL_MAX);
	strlcat(c->text[VIEW_NAME], display_name(p), VIEW_CELL_MAX);
	strlcpy(c->text[VIEW_RESTART], p->restart, VIEW_CELL_MAX);
	strlcpy(c->text[VIEW_STATE], state_word(p), VIEW_CELL_MAX);
	strlcpy(c->text[VIEW_PEER], p->peer[0] != '\0' ? p->peer : "-",
	    VIEW_CELL_MAX);
	if (p->restarts >= 0)
		snprintf(c->text[VIEW_RESTARTS], VIEW_CELL_MAX, "%ld",
		    p->restarts);
	else
		strlcpy(c->text[VIEW_RESTARTS], "-", VIEW_CELL_MAX);
	if (p->have_proc) {
		view_fmt_uptime(p->uptime, c->text[VIEW_UPTIME], VIEW_CELL_MAX);
		view_fmt_cpu(p->cpu, c->text[VIEW_CPU], VIEW_CELL_MAX);
		view_fmt_rss(p->rss_kib, c->text[VIEW_RSS], VIEW_CELL_MAX);
	} else {
		strlcpy(c->text[VIEW_UPTIME], "-", VIEW_CELL_MAX);
		strlcpy(c->text[VIEW_CPU], "-", VIEW_CELL_MAX);
		strlcpy(c->text[VIEW_RSS], "-", VIEW_CELL_MAX);
	}
}

void
view_heading(struct view_cells *c)
{
	static const char *const names[VIEW_NCOLS] = {
		"PID", "NAME", "RESTART", "STATE", "PEER", "UPTIME",
		"RESTARTS", "CPU", "RSS",
	};

	for (int i = 0; i < VIEW_NCOLS; i++)
		strlcpy(c->text[i], names[i], VIEW_CELL_MAX);
}

/* --- widths and lines ------------------------------------------------ */

/* The next character of s: its length in bytes, and its columns in *cols. */
static size_t
next_char(const char *s, size_t len, mbstate_t *st, int *cols)
{
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, len, st);

	if (n == (size_t)-1 || n == (size_t)-2) {
		/* Not a character here: one byte, one column, start afresh. */
		memset(st, 0, sizeof(*st));
		*cols = 1;
		return 1;
	}
	*cols = wcwidth(wc) < 0 ? 1 : wcwidth(wc);
	return n == 0 ? 1 : n;
}

int
view_width(const char *s)
{
	mbstate_t st = { 0 };
	size_t len = strlen(s), n;
	int width = 0, cols;

	for (; len > 0; s += n, len -= n) {
		n = next_char(s, len, &st, &cols);
		width += cols;
	}
	return width;
}

size_t
view_cut(const char *s, int cols)
{
	mbstate_t st = { 0 };
	size_t len = strlen(s), off = 0, n;
	int used = 0, w;

	while (off < len) {
		n = next_char(s + off, len - off, &st, &w);
		if (used + w > cols)
			break;
		used += w;
		off += n;
	}
	return off;
}

static void
fit(const struct view_cells *c, int widths[VIEW_NCOLS])
{
	for (int i = 0; i < VIEW_NCOLS; i++) {
		int w = view_width(c->text[i]);

		if (w > widths[i])
			widths[i] = w;
	}
}

void
view_widths(const struct view_row *rows, size_t nrows, bool utf8,
    int widths[VIEW_NCOLS])
{
	struct view_cells cells;

	memset(widths, 0, VIEW_NCOLS * sizeof(widths[0]));
	view_heading(&cells);
	fit(&cells, widths);
	for (size_t i = 0; i < nrows; i++) {
		view_cells(&rows[i], utf8, &cells);
		fit(&cells, widths);
	}
}

static bool
right_aligned(enum view_col col)
{
	return col == VIEW_PID || col == VIEW_UPTIME ||
	    col == VIEW_RESTARTS || col == VIEW_CPU || col == VIEW_RSS;
}

static void
pad(char *buf, size_t size, int n)
{
	size_t len = strlen(buf);

	for (; n > 0 && len + 1 < size; n--)
		buf[len++] = ' ';
	buf[len] = '\0';
}

void
view_line(const struct view_cells *c, const int widths[VIEW_NCOLS],
    char *buf, size_t size)
{
	size_t len;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < VIEW_NCOLS; i++) {
		int blank = widths[i] - view_width(c->text[i]);

		if (i > 0)
			pad(buf, size, 1);
		if (right_aligned(i))
			pad(buf, size, blank);
		strlcat(buf, c->text[i], size);
		if (!right_aligned(i))
			pad(buf, size, blank);
	}
	for (len = strlen(buf); len > 0 && buf[len - 1] == ' '; len--)
		buf[len - 1] = '\0';
}

int
view_print(FILE *f, const struct snap_proc *root, bool utf8)
{
	struct view_cells cells;
	struct view_row *rows;
	int widths[VIEW_NCOLS];
	char line[VIEW_NCOLS * (VIEW_CELL_MAX + 1)];
	size_t n;

	if ((rows = view_rows(root, &n)) == NULL)
		return -1;
	view_widths(rows, n, utf8, widths);
	view_heading(&cells);
	view_line(&cells, widths, line, sizeof(line));
	fprintf(f, "%s\n", line);
	for (size_t i = 0; i < n; i++) {
		view_cells(&rows[i], utf8, &cells);
		view_line(&cells, widths, line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	free(rows);
	return 0;
}

/* --- numbers --------------------------------------------------------- */

void
view_fmt_uptime(double seconds, char *buf, size_t size)
{
	long long s = seconds > 0 ? (long long)seconds : 0;
	long long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (d > 0)
		snprintf(buf, size, "%lld-%02lld:%02lld:%02lld", d, h, m,
		    s % 60);
	else if (h > 0)
		snprintf(buf, size, "%02lld:%02lld:%02lld", h, m, s % 60);
	else
		snprintf(buf, size, "%02lld:%02lld", m, s % 60);
}

void
view_fmt_cpu(double seconds, char *buf, size_t size)
{
	long long cs = seconds > 0 ? llround(seconds * 100) : 0;
	long long s = cs / 100;

	if (s < 3600)
		snprintf(buf, size, "%lld:%02lld.%02lld", s / 60, s % 60,
		    cs % 100);
	else
		snprintf(buf, size, "%lld:%02lld:%02lld", s / 3600,
		    s / 60 % 60, s % 60);
}

void
view_fmt_rss(uint64_t kib, char *buf, size_t size)
{
	if (kib < 10 * 1024)
		snprintf(buf, size, "%" PRIu64 "K", kib);
	else if (kib < 10 * 1024 * 1024)
		snprintf(buf, size, "%.1fM", (double)kib / 1024);
	else
		snprintf(buf, size, "%.1fG", (double)kib / (1024 * 1024));
}

void
view_fmt_clock(const char *unix_seconds, char *buf, size_t size)
{
	const char *errstr;
	time_t t = (time_t)strtonum(unix_seconds, 0, LLONG_MAX, &errstr);
	struct tm tm;

	if (errstr != NULL || localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%H:%M:%S", &tm) == 0)
		strlcpy(buf, unix_seconds, size);
}

/* --- JSON ------------------------------------------------------------ */

/* A JSON string; bytes outside ASCII become '?', so it is always UTF-8. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch < 0x7f ? ch : '?', f);
	}
	fputc('"', f);
}

/* key: a string, or null when it says nothing ("" or "-"). */
static void
json_field(FILE *f, const char *key, const char *value)
{
	fprintf(f, ",\"%s\":", key);
	if (value[0] == '\0' || strcmp(value, "-") == 0)
		fputs("null", f);
	else
		json_str(f, value);
}

static void
json_kernel(FILE *f, const struct snap_proc *p)
{
	if (!p->have_proc) {
		fputs(",\"title\":null,\"uptime\":null,\"cpu\":null,"
		    "\"rss_kib\":null", f);
		return;
	}
	json_field(f, "title", p->title);
	fprintf(f, ",\"uptime\":%.2f,\"cpu\":%.2f,\"rss_kib\":%" PRIu64,
	    p->uptime, p->cpu, p->rss_kib);
}

static void
json_proc(FILE *f, const struct snap_proc *p, int depth)
{
	if (p->pid > 0)
		fprintf(f, "{\"pid\":%d", (int)p->pid);
	else
		fputs("{\"pid\":null", f);
	json_field(f, "name", p->id);
	json_field(f, "type", p->type);
	json_field(f, "restart", p->restart);
	json_field(f, "state", state_word(p));
	json_field(f, "peer", p->peer);
	if (p->restarts >= 0)
		fprintf(f, ",\"restarts\":%ld", p->restarts);
	else
		fputs(",\"restarts\":null", f);
	json_kernel(f, p);
	if (p->sup_error[0] != '\0')
		json_field(f, "error", p->sup_error);
	if (p->is_sup) {
		json_field(f, "strategy", p->strategy);
		fprintf(f, ",\"intensity\":%ld,\"period\":%ld,"
		    "\"supervisor_restarts\":%ld,\"children\":[", p->intensity,
		    p->period, p->sup_restarts);
		for (size_t i = 0; depth <= SNAP_DEPTH_MAX &&
		    i < p->nchildren; i++) {
			if (i > 0)
				fputc(',', f);
			json_proc(f, &p->children[i], depth + 1);
		}
		fputc(']', f);
	}
	fputc('}', f);
}

void
view_json(FILE *f, const struct snap_proc *root)
{
	json_proc(f, root, 0);
	fputc('\n', f);
}
