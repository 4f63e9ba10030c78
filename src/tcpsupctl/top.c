/*
 * top.c -- tcpsupctl top: the live appmon. The tree of `tcpsupctl tree`
 * redrawn every -d SECONDS with ncurses, the application's totals and
 * rates above it, its last reports below, scrollable when it is taller
 * than the screen. Drawing goes through curses only, so that resizes,
 * narrow screens and non-UTF-8 locales are the library's business. It
 * must leave the terminal as it found it however it ends: q, a signal,
 * or exit(3) from anywhere.
 */
#include <curses.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "client.h"
#include "commands.h"
#include "snapshot.h"
#include "view.h"

#define TOP_HEAD	3	/* lines above the tree: totals, headings */
#define TOP_REPORTS	5	/* report lines below it, at most */
#define TOP_TICK_MS	200	/* longest wait before the quit flag is seen */
#define TOP_LOOK_MS	2000	/* longest wait for a reply, so q is heard */

/* Set by SIGINT, SIGTERM, SIGHUP and q: leave the loop, restore, return. */
static volatile sig_atomic_t top_quit;
/* The terminal is in curses mode and must be given back. */
static bool top_curses;

struct top {
	const char	*ctlpath;
	int		 timeout_ms;	/* for each reply */
	int		 interval_ms;
	enum view_order	 order;
	bool		 utf8;
	bool		 have_snap;	/* the last look worked */
	struct snapshot	 snap;
	char		 why[512];	/* why it did not */
	int64_t		 prev_ms;	/* the last rates' start, 0: never */
	uint64_t	 prev_forks;
	uint64_t	 prev_reports;
	double		 forks_rate;	/* per second, < 0 while unknown */
	double		 reports_rate;
	struct view_row	*rows;
	size_t		 nrows;
	int		 scroll;	/* the first row shown */
	int		 page;		/* how many rows the screen showed */
};

/* --- arguments ------------------------------------------------------- */

static int
parse_interval(const char *s, int *ms)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !(d >= 0.1 &&
	    d <= 86400)) {
		warnx("top: -d %s is not a number of seconds from 0.1 to "
		    "86400", s);
		return -1;
	}
	*ms = (int)lround(d * 1000);
	return 0;
}

static int
parse_args(int argc, char **argv, int *ms)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-d") == 0 && i + 1 < argc) {
			if (parse_interval(argv[++i], ms) == -1)
				return -1;
		} else if (strncmp(argv[i], "-d", 2) == 0 &&
		    argv[i][2] != '\0') {
			if (parse_interval(argv[i] + 2, ms) == -1)
				return -1;
		} else {
			warnx("top takes [-d SECONDS], not %s", argv[i]);
			return -1;
		}
	}
	return 0;
}

/* --- looking --------------------------------------------------------- */

/* Flatten the snapshot again, in the order asked for. */
static void
top_arrange(struct top *t)
{
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
	if (!t->have_snap)
		return;
	view_sort(&t->snap.root, t->order);
	t->rows = view_rows(&t->snap.root, &t->nrows);
}

/* Per second since the last look; unknown after a gap or a new daemon. */
static double
rate(uint64_t now, uint64_t before, int64_t ms)
{
	return ms > 0 && now >= before ? (double)(now - before) * 1000 / ms :
	    -1;
}

/* Look at the tree again; 0, or the exit status of a failed look. */
static int
top_look(struct top *t)
{
	int64_t now;
	int rc;

	if (t->have_snap)
		snapshot_free(&t->snap);
	rc = snapshot_take(t->ctlpath, t->timeout_ms, &t->snap, t->why,
	    sizeof(t->why));
	now = client_now_ms();
	t->have_snap = rc == 0;
	if (t->have_snap) {
		t->forks_rate = t->prev_ms == 0 ? -1 :
		    rate(t->snap.forks, t->prev_forks, now - t->prev_ms);
		t->reports_rate = t->prev_ms == 0 ? -1 :
		    rate(t->snap.reports, t->prev_reports, now - t->prev_ms);
		t->prev_forks = t->snap.forks;
		t->prev_reports = t->snap.reports;
		t->prev_ms = now;
	} else {
		snapshot_free(&t->snap);
		t->prev_ms = 0;
	}
	top_arrange(t);
	return rc;
}

/* --- drawing --------------------------------------------------------- */

/* Where the tree and the reports go on a screen of lines lines. */
struct top_layout {
	int	tree_h;		/* rows of the tree shown */
	int	rep_y;		/* the reports' heading */
	int	rep_h;		/* reports shown below it */
};

static struct top_layout
top_layout(int lines, size_t nreports)
{
	struct top_layout l;
	int body = lines - TOP_HEAD - 1;	/* the last line is for keys */
	int rep = nreports < TOP_REPORTS ? (int)nreports : TOP_REPORTS;

	if (body < 0)
		body = 0;
	/* The tree keeps three rows at least; the reports give way first. */
	if (rep > 0 && body - (rep + 1) < 3)
		rep = body - 3 - 1;
	l.rep_h = rep > 0 ? rep : 0;
	l.tree_h = body - (l.rep_h > 0 ? l.rep_h + 1 : 0);
	l.rep_y = TOP_HEAD + l.tree_h;
	return l;
}

/* One screen line, cut to the screen's width; attr fills the line. */
static void
put(int y, chtype attr, const char *text)
{
	if (y < 0 || y >= LINES)
		return;
	if (attr != A_NORMAL)
		mvhline(y, 0, ' ' | attr, COLS);
	attron(attr);
	mvaddnstr(y, 0, text, (int)view_cut(text, COLS));
	attroff(attr);
}

static void
fmt_rate(double r, char *buf, size_t size)
{
	if (r < 0)
		strlcpy(buf, "-", size);
	else
		snprintf(buf, size, "%.1f", r);
}

static void
draw_totals(const struct top *t)
{
	const struct snapshot *s = &t->snap;
	char line[sizeof(t->why) + 128], up[32], forks[32], reports[32];

	if (!t->have_snap) {
		snprintf(line, sizeof(line), "tcpsup is not answering: %s; "
		    "trying again every %gs", t->why, t->interval_ms / 1000.0);
		put(0, A_BOLD, line);
		return;
	}
	if (s->root.have_proc)
		view_fmt_uptime(s->root.uptime, up, sizeof(up));
	else
		strlcpy(up, "-", sizeof(up));
	snprintf(line, sizeof(line), "tcpsup %s on %s, pid %d, up %s; "
	    "every %gs, workers by %s", s->version, s->listen,
	    (int)s->root.pid, up, t->interval_ms / 1000.0,
	    t->order == VIEW_BY_CPU ? "cpu" : "pid");
	put(0, A_NORMAL, line);
	fmt_rate(t->forks_rate, forks, sizeof(forks));
	fmt_rate(t->reports_rate, reports, sizeof(reports));
	snprintf(line, sizeof(line), "connections %llu served, %llu now   "
	    "forks/s %s   restarts %llu   reports/s %s",
	    (unsigned long long)s->accepted, (unsigned long long)s->clients,
	    forks, (unsigned long long)s->restarts, reports);
	put(1, A_NORMAL, line);
}

static void
draw_tree(struct top *t, int height)
{
	struct view_cells cells;
	int widths[VIEW_NCOLS];
	char line[VIEW_NCOLS * (VIEW_CELL_MAX + 1)];
	int last = t->nrows > (size_t)height ? (int)t->nrows - height : 0;

	view_widths(t->rows, t->nrows, t->utf8, widths);
	view_heading(&cells);
	view_line(&cells, widths, line, sizeof(line));
	put(TOP_HEAD - 1, A_REVERSE, line);
	t->scroll = t->scroll < 0 ? 0 : t->scroll > last ? last : t->scroll;
	t->page = height;
	for (int i = 0; i < height && (size_t)(t->scroll + i) < t->nrows; i++) {
		view_cells(&t->rows[t->scroll + i], t->utf8, &cells);
		view_line(&cells, widths, line, sizeof(line));
		put(TOP_HEAD + i, A_NORMAL, line);
	}
}

static void
draw_reports(const struct top *t, const struct top_layout *l)
{
	const struct snapshot *s = &t->snap;
	char line[512];

	if (l->rep_h == 0)
		return;
	snprintf(line, sizeof(line), "last reports (%llu so far)",
	    (unsigned long long)s->reports);
	put(l->rep_y, A_REVERSE, line);
	for (int i = 0; i < l->rep_h; i++) {
		const struct snap_report *r =
		    &s->last[s->nlast - (size_t)l->rep_h + (size_t)i];
		char clock[32];

		view_fmt_clock(r->time, clock, sizeof(clock));
		snprintf(line, sizeof(line), "%s %s %s %s", clock, r->kind,
		    r->pid, r->text);
		put(l->rep_y + 1 + i, A_NORMAL, line);
	}
}

static void
top_draw(struct top *t)
{
	struct top_layout l = top_layout(LINES,
	    t->have_snap ? t->snap.nlast : 0);
	char keys[160];

	erase();
	draw_totals(t);
	draw_tree(t, l.tree_h);
	if (t->have_snap)
		draw_reports(t, &l);
	snprintf(keys, sizeof(keys), "rows %d-%d of %zu   q quit  s sort  "
	    "arrows PgUp PgDn Home End scroll",
	    t->nrows > 0 ? t->scroll + 1 : 0,
	    t->scroll + (t->nrows < (size_t)(t->scroll + l.tree_h) ?
	    (int)t->nrows - t->scroll : l.tree_h), t->nrows);
	put(LINES - 1, A_NORMAL, keys);
	refresh();
}

/* --- the loop -------------------------------------------------------- */

/* A key pressed; true if the screen must be drawn again. */
static bool
top_key(struct top *t, int ch)
{
	switch (ch) {
	case 'q':
	case 'Q':
		top_quit = 1;
		return false;
	case 's':
	case 'S':
		t->order = t->order == VIEW_BY_CPU ? VIEW_BY_PID : VIEW_BY_CPU;
		top_arrange(t);
		return true;
	case KEY_UP:
		t->scroll--;
		return true;
	case KEY_DOWN:
		t->scroll++;
		return true;
	case KEY_PPAGE:
		t->scroll -= t->page;
		return true;
	case KEY_NPAGE:
		t->scroll += t->page;
		return true;
	case KEY_HOME:
		t->scroll = 0;
		return true;
	case KEY_END:
		t->scroll = INT_MAX / 2;
		return true;
	case KEY_RESIZE:
		return true;
	default:
		return false;
	}
}

static void
top_run(struct top *t)
{
	int64_t next = client_now_ms() + t->interval_ms, left;
	int ch;

	top_draw(t);
	while (!top_quit) {
		if ((left = next - client_now_ms()) <= 0) {
			top_look(t);
			top_draw(t);
			next = client_now_ms() + t->interval_ms;
			continue;
		}
		timeout(left < TOP_TICK_MS ? (int)left : TOP_TICK_MS);
		if ((ch = getch()) != ERR && top_key(t, ch))
			top_draw(t);
	}
}

static void
on_signal(int sig)
{
	(void)sig;
	top_quit = 1;
}

/* Without SA_RESTART, so that a wait for a key ends at once. */
static void
catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void
top_restore(void)
{
	if (top_curses) {
		top_curses = false;
		endwin();
	}
}

static int
top_start(void)
{
	const char *term = getenv("TERM");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		warnx("top: needs a terminal; tree prints the tree once");
		return -1;
	}
	/* Ours before curses starts, so that curses leaves them to us. */
	catch_signals();
	if (newterm(NULL, stdout, stdin) == NULL) {
		warnx("top: cannot drive terminal type '%s'",
		    term != NULL ? term : "");
		return -1;
	}
	top_curses = true;
	atexit(top_restore);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	return 0;
}

int
cmd_top(const struct ctlopts *o, int argc, char **argv)
{
	struct top t = { .ctlpath = o->path, .interval_ms = 1000,
	    .timeout_ms = o->timeout_ms < TOP_LOOK_MS ? o->timeout_ms :
	    TOP_LOOK_MS, .order = VIEW_BY_CPU, .forks_rate = -1,
	    .reports_rate = -1 };
	int rc;

	if (parse_args(argc, argv, &t.interval_ms) == -1)
		return EX_USAGE;
	setlocale(LC_ALL, "");
	/* Numbers read the same in every locale. */
	setlocale(LC_NUMERIC, "C");
	t.utf8 = view_locale_utf8();
	/* No daemon at all is an answer, as for every other command. */
	if ((rc = top_look(&t)) != 0) {
		warnx("%s", t.why);
		return rc;
	}
	if (top_start() == -1) {
		snapshot_free(&t.snap);
		free(t.rows);
		return EX_USAGE;
	}
	top_run(&t);
	top_restore();
	if (t.have_snap)
		snapshot_free(&t.snap);
	free(t.rows);
	return 0;
}
