/*
 * wraplog.h -- the wrap log of reports that SASL keeps in its
 * error_logger_mf_dir: written by every process of the tree, read by
 * tcpsupctl rb.
 *
 * DIR/index holds the number of the file being written ("3\n"); the
 * records go to DIR/1 .. DIR/N in turn, and when file N is full the next
 * record starts file 1 over, dropping the oldest reports a whole file at a
 * time. A record is one header line, then exactly LEN bytes of report text:
 *
 *   "tcpsup-rb 1 LEN TYPE PROCESS TIME SUM\n" TEXT
 *
 * 1 is the format's version, TYPE is rb's name for the report
 * (supervisor_report, progress, info_report, info_msg, error), PROCESS the
 * reporter's registered name or pid, TIME seconds since the epoch, SUM the
 * FNV-1a hash of TEXT in 8 hex digits. A record is written with one
 * write(2) to a descriptor opened O_APPEND, so that the records of
 * concurrent processes never interleave, and always whole into one file:
 * it starts a new file rather than being split. A file that is left is
 * made read-only ("sealed"), so that a process still holding it notices
 * at its next record and moves on too. Switching files is done under
 * flock(2) on DIR.
 *
 * The reader takes what it can: a record cut short (a crash mid-write) or
 * garbage (a file someone edited) is skipped, and reading goes on at the
 * next header. A writer never waits long for the lock: if it stays taken
 * (a process stopped while switching files), the record goes into the
 * current file over its limit rather than being lost.
 */
#ifndef TCPSUP_WRAPLOG_H
#define TCPSUP_WRAPLOG_H

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>
#include <time.h>

#define WRAPLOG_MAX_FILES	255
#define WRAPLOG_TEXT_MAX	65536	/* bytes of report text in a record */

/* One report: what the writer is given, what the reader gives back. */
struct wraplog_record {
	const char	*type;		/* [a-z_]+ */
	const char	*process;	/* printable, no space */
	time_t		 time;
	const char	*text;		/* not NUL-terminated */
	size_t		 len;
};

/* A process's writer. Forked children share it as it is. */
struct wraplog {
	char		 dir[PATH_MAX];	/* absolute */
	int		 fd;		/* the file appended to, -1: none yet */
	dev_t		 dev;		/* fd's file, to notice that fd was */
	ino_t		 ino;		/* closed or reused behind our back */
	long long	 max_bytes;	/* per file */
	int		 max_files;	/* 1 .. WRAPLOG_MAX_FILES */
};

/*
 * Create dir (0750) if missing, remove the numbered files beyond
 * max_files that an earlier run with more files left, and open the file
 * to append to. Returns 0, or -1 with errno set.
 */
int	wraplog_open(struct wraplog *, const char *dir, long long max_bytes,
	    int max_files);

/*
 * Append one record, switching files first if it would not fit in what
 * is left of the current one (a record larger than a whole file goes
 * alone into an empty one). Works in any process that inherited w, even
 * one that has since closed or reused w's descriptor. Returns 0, or -1
 * with errno set (EINVAL for a bad type or process, EIO for a short
 * write).
 */
int	wraplog_append(struct wraplog *, const struct wraplog_record *);

void	wraplog_close(struct wraplog *);

/* Everything a wrap log holds, oldest first. */
struct wraplog_records {
	struct wraplog_record	*v;
	size_t			 n;
	size_t			 cap;
	size_t			 damaged;	/* stretches of bytes skipped */
	char			**bufs;		/* the files' bytes, v points in */
	size_t			 nbufs;
};

/*
 * Read every record of the wrap log in dir, oldest first: the files
 * after the index's current one, then up to it (by modification time when
 * the index is missing or garbage). Returns 0, or -1 with errno set
 * (ENOENT: no such directory).
 */
int	wraplog_read(const char *dir, struct wraplog_records *);

/*
 * Append to out the records found in one file's bytes, skipping what is
 * damaged. The records point into buf, which is modified (the header's
 * fields are NUL-terminated) and must outlive them. Returns 0, or -1 if
 * out could not grow.
 */
int	wraplog_parse(char *buf, size_t len, struct wraplog_records *out);

void	wraplog_records_free(struct wraplog_records *);

#endif
