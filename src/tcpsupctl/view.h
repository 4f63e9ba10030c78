/*
 * view.h -- a snapshot as a person reads it: the tree flattened into rows
 * with their tree lines, each row's columns formatted and aligned, and the
 * nested JSON object of every process. Pure: tree and top print what
 * these functions make, and nothing here reads, writes or draws.
 */
#ifndef TCPSUPCTL_VIEW_H
#define TCPSUPCTL_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "snapshot.h"

/* How the workers of a simple_one_for_one supervisor are ordered. */
enum view_order { VIEW_BY_PID, VIEW_BY_CPU };

/* One process on one line, with what its tree lines need. */
struct view_row {
	const struct snap_proc	*proc;
	int			 depth;		/* 0 for the root */
	/* last[d]: the row's ancestor at depth d (itself at depth) is the
	 * last child of its parent, so no line continues below it. */
	bool			 last[SNAP_DEPTH_MAX + 2];
};

enum view_col {
	VIEW_PID, VIEW_NAME, VIEW_RESTART, VIEW_STATE, VIEW_PEER,
	VIEW_UPTIME, VIEW_RESTARTS, VIEW_CPU, VIEW_RSS,
	VIEW_NCOLS
};

#define VIEW_CELL_MAX	192

/* A row's columns as text; NAME carries the tree lines before it. */
struct view_cells {
	char	text[VIEW_NCOLS][VIEW_CELL_MAX];
};

/* Sort the workers of every simple_one_for_one supervisor under root. */
void	view_sort(struct snap_proc *root, enum view_order);

/* Every process under root, root first, depth first; malloc'd. */
struct view_row *view_rows(const struct snap_proc *root, size_t *nrows);

/* Box-drawing tree lines only where the locale's codeset has them. */
bool	view_locale_utf8(void);

/* The tree lines before a row's name: "├─ ", "│  └─ " or ASCII "|- ". */
void	view_prefix(const struct view_row *, bool utf8, char *buf, size_t size);

void	view_cells(const struct view_row *, bool utf8, struct view_cells *);

/* The columns' headings. */
void	view_heading(struct view_cells *);

/*
 * The columns' widths on the screen that fit the heading and every one
 * of the rows, so that a scrolled screen keeps them.
 */
void	view_widths(const struct view_row *, size_t nrows, bool utf8,
	    int widths[VIEW_NCOLS]);

/* One line, columns aligned to widths, without trailing blanks. */
void	view_line(const struct view_cells *, const int widths[VIEW_NCOLS],
	    char *buf, size_t size);

/*
 * Screen columns that s takes in the current locale (a byte that is no
 * character takes one), and how many of its bytes fit in cols columns.
 */
int	view_width(const char *s);
size_t	view_cut(const char *s, int cols);

/* Elapsed time as ps prints it: "05:09", "1:02:03", "3-04:05:06". */
void	view_fmt_uptime(double seconds, char *buf, size_t size);
/* CPU time: "0:00.12" up to an hour, then "1:02:03". */
void	view_fmt_cpu(double seconds, char *buf, size_t size);
/* Resident memory: "980K", "12.4M", "1.2G". */
void	view_fmt_rss(uint64_t kib, char *buf, size_t size);

/* A report's time, unix seconds on the wire, as the local clock reads
 * it ("09:41:42"); text that is no such time is shown as it is. */
void	view_fmt_clock(const char *unix_seconds, char *buf, size_t size);

/* The tree as tree prints it: headings, then a line per row; -1 if out
 * of memory. */
int	view_print(FILE *, const struct snap_proc *root, bool utf8);

/* The tree as one nested JSON object per process, and a newline. */
void	view_json(FILE *, const struct snap_proc *root);

#endif
