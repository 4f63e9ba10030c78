/*
 * wraplog.c -- the wrap log of reports: the writer every process of the
 * tree uses, and the reader behind tcpsupctl rb (see wraplog.h).
 *
 * The writer must never split a record, never interleave one with
 * another process's, and never hold a supervisor up: the common case is
 * one fstat(2) and one writev(2); only switching files takes the lock.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wraplog.h"

#define HEADER_MAX	160	/* bytes of a header line, with its newline */
#define TYPE_MAX	31
#define PROCESS_MAX	63
#define LOCK_TRIES	100	/* 1 ms apart: a lock held longer is given up */

static const char magic[] = "tcpsup-rb";
static const char resync[] = "tcpsup-rb 1 ";

/* A numbered file and when it was last written. */
struct wl_file {
	int		 number;
	struct timespec	 mtime;
};

static uint32_t
fnv1a(const char *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static bool
valid_type(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && len <= TYPE_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz_") == len;
}

static bool
valid_process(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > PROCESS_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!isascii((unsigned char)*s) || !isgraph((unsigned char)*s))
			return false;
	return true;
}

/* A file's number, or 0 if name is not one of "1" .. "255". */
static int
file_number(const char *name)
{
	const char *errstr;
	long long n;

	if (name[0] < '1' || name[0] > '9' ||
	    strspn(name, "0123456789") != strlen(name))
		return 0;
	n = strtonum(name, 1, WRAPLOG_MAX_FILES, &errstr);
	return errstr == NULL ? (int)n : 0;
}

static int
dir_open(const char *dir)
{
	return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* The numbered files in dfd, in no order; how many, or -1. */
static int
scan(int dfd, struct wl_file files[WRAPLOG_MAX_FILES])
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, n = 0;

	if ((fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL && n < WRAPLOG_MAX_FILES) {
		int number = file_number(de->d_name);

		if (number == 0 || fstatat(dfd, de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == -1 || !S_ISREG(st.st_mode))
			continue;
		files[n++] = (struct wl_file){ number, st.st_mtim };
	}
	closedir(d);
	return n;
}

static int
by_mtime(const void *a, const void *b)
{
	const struct wl_file *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return x->number - y->number;
}

/* The index's file number, or 0 if it is missing or garbage. */
static int
index_read(int dfd)
{
	char buf[16];
	ssize_t n;
	int fd;

	if ((fd = openat(dfd, "index", O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 2 || buf[n - 1] != '\n')
		return 0;
	buf[n - 1] = '\0';
	return file_number(buf);
}

/* Replace the index at once: a reader sees the old one or the new one. */
static int
index_write(int dfd, int k)
{
	char buf[16];
	int fd, len = snprintf(buf, sizeof(buf), "%d\n", k), e;

	if ((fd = openat(dfd, "index.tmp", O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0640)) == -1)
		return -1;
	if (write(fd, buf, (size_t)len) != len) {
		e = errno != 0 ? errno : EIO;
		close(fd);
		unlinkat(dfd, "index.tmp", 0);
		errno = e;
		return -1;
	}
	close(fd);
	return renameat(dfd, "index.tmp", dfd, "index");
}

/*
 * The file being written: the index's, else the one written last; 0 if
 * there is none. *indexed says whether the index said so.
 */
static int
current_file(int dfd, bool *indexed)
{
	struct wl_file files[WRAPLOG_MAX_FILES];
	int k = index_read(dfd), n;

	*indexed = k != 0;
	if (k != 0 || (n = scan(dfd, files)) <= 0)
		return k;
	qsort(files, (size_t)n, sizeof(files[0]), by_mtime);
	return files[n - 1].number;
}

static int
next_file(int k, int max_files)
{
	return k < 1 || k >= max_files ? 1 : k + 1;
}

/*
 * Room for need more bytes: not replaced (a later file of that number),
 * not sealed (left for the next one), and either empty or with room.
 */
static bool
fits(const struct wraplog *w, const struct stat *st, size_t need)
{
	if (st->st_nlink == 0 || (st->st_mode & S_IWUSR) == 0)
		return false;
	return st->st_size == 0 || st->st_size + (long long)need <= w->max_bytes;
}

static void
adopt(struct wraplog *w, int fd, const struct stat *st)
{
	if (w->fd != -1)
		close(w->fd);
	w->fd = fd;
	w->dev = st->st_dev;
	w->ino = st->st_ino;
}

/* Open file k to append to; -1 if it cannot be. */
static int
open_append(int dfd, int k, struct stat *st)
{
	char name[12];
	int fd;

	snprintf(name, sizeof(name), "%d", k);
	fd = openat(dfd, name, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
	if (fd != -1 && (fstat(fd, st) == -1 || !S_ISREG(st->st_mode))) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

/* Start file k afresh (under the lock) and make it the index's. */
static int
start_file(struct wraplog *w, int dfd, int k)
{
	char name[12];
	struct stat st;
	int fd, e;

	snprintf(name, sizeof(name), "%d", k);
	if (unlinkat(dfd, name, 0) == -1 && errno != ENOENT)
		return -1;
	if ((fd = openat(dfd, name, O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
	    O_CLOEXEC | O_NOFOLLOW, 0640)) == -1)
		return -1;
	/* Writable by its owner whatever the umask: read-only means sealed. */
	if (fstat(fd, &st) == -1 || fchmod(fd, st.st_mode | S_IWUSR) == -1 ||
	    fstat(fd, &st) == -1 || index_write(dfd, k) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	adopt(w, fd, &st);
	return 0;
}

/* Under the lock: the current file if need fits there, else the next. */
static int
switch_locked(struct wraplog *w, int dfd, size_t need)
{
	struct stat st;
	bool indexed;
	int k = current_file(dfd, &indexed), fd;

	if (k <= w->max_files && k > 0 && (fd = open_append(dfd, k, &st)) != -1) {
		if (fits(w, &st, need)) {
			adopt(w, fd, &st);
			return indexed ? 0 : index_write(dfd, k);
		}
		/* Sealed: whoever still appends to it moves on at once. */
		fchmod(fd, st.st_mode & ~(mode_t)(S_IWUSR | S_IWGRP | S_IWOTH));
		close(fd);
	}
	return start_file(w, dfd, next_file(k, w->max_files));
}

/*
 * Without the lock: the index's file, if need fits there, or whatever its
 * size if !need_fit.
 */
static int
reopen_unlocked(struct wraplog *w, int dfd, size_t need, bool need_fit)
{
	struct stat st;
	int k = index_read(dfd), fd;

	if (k < 1 || k > w->max_files || (fd = open_append(dfd, k, &st)) == -1)
		return -1;
	if (need_fit && !fits(w, &st, need)) {
		close(fd);
		return -1;
	}
	adopt(w, fd, &st);
	return 0;
}

/*
 * Another process may be switching files right now: wait for it, a
 * little. If the lock stays taken (by a process that is stopped, or by
 * someone else's flock), keep the record in the file at hand, over its
 * limit, rather than lose it or hold the caller up.
 */
static int
switch_file(struct wraplog *w, int dfd, size_t need)
{
	const struct timespec ms = { .tv_nsec = 1000000 };

	for (int i = 0; i < LOCK_TRIES; i++) {
		if (reopen_unlocked(w, dfd, need, true) == 0)
			return 0;
		if (flock(dfd, LOCK_EX | LOCK_NB) == 0)
			return switch_locked(w, dfd, need);
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		nanosleep(&ms, NULL);
	}
	return w->fd != -1 ? 0 : reopen_unlocked(w, dfd, need, false);
}

/* Make w->fd a file with room for need bytes. */
static int
ensure_room(struct wraplog *w, size_t need)
{
	struct stat st;
	int dfd, rc, e;

	if (w->fd != -1) {
		if (fstat(w->fd, &st) == -1 || st.st_dev != w->dev ||
		    st.st_ino != w->ino)
			w->fd = -1;	/* closed or reused: not ours to close */
		else if (fits(w, &st, need))
			return 0;
	}
	if ((dfd = dir_open(w->dir)) == -1)
		return -1;
	rc = switch_file(w, dfd, need);
	e = errno;
	close(dfd);	/* and with it the lock */
	errno = e;
	return rc;
}

/* Remove the files beyond max_files that a run with more files left. */
static int
prune(const struct wraplog *w, int dfd)
{
	struct wl_file files[WRAPLOG_MAX_FILES];
	char name[12];
	int n = scan(dfd, files);

	for (int i = 0; i < n; i++) {
		if (files[i].number <= w->max_files)
			continue;
		snprintf(name, sizeof(name), "%d", files[i].number);
		if (unlinkat(dfd, name, 0) == -1)
			return -1;
	}
	return n == -1 ? -1 : 0;
}

int
wraplog_open(struct wraplog *w, const char *dir, long long max_bytes,
    int max_files)
{
	int dfd, rc, e;

	w->fd = -1;
	w->max_bytes = max_bytes;
	w->max_files = max_files;
	if (max_files < 1 || max_files > WRAPLOG_MAX_FILES || max_bytes < 1) {
		errno = EINVAL;
		return -1;
	}
	if (mkdir(dir, 0750) == -1 && errno != EEXIST)
		return -1;
	if (realpath(dir, w->dir) == NULL || (dfd = dir_open(w->dir)) == -1)
		return -1;
	rc = -1;
	if (faccessat(dfd, ".", W_OK | X_OK, AT_EACCESS) == 0 &&
	    flock(dfd, LOCK_EX) == 0 && prune(w, dfd) == 0)
		rc = switch_locked(w, dfd, 0);
	e = errno;
	close(dfd);
	errno = e;
	return rc;
}

int
wraplog_append(struct wraplog *w, const struct wraplog_record *r)
{
	char hdr[HEADER_MAX];
	struct iovec iov[2];
	ssize_t done;
	int n;

	if (!valid_type(r->type) || !valid_process(r->process) || r->time < 0 ||
	    r->len == 0 || r->len > WRAPLOG_TEXT_MAX) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(hdr, sizeof(hdr), "%s 1 %zu %s %s %lld %08" PRIx32 "\n",
	    magic, r->len, r->type, r->process, (long long)r->time,
	    fnv1a(r->text, r->len));
	if (ensure_room(w, (size_t)n + r->len) == -1)
		return -1;
	iov[0] = (struct iovec){ .iov_base = hdr, .iov_len = (size_t)n };
	iov[1] = (struct iovec){ .iov_base = (void *)r->text, .iov_len = r->len };
	/* One write to an O_APPEND file: no other record can land inside. */
	while ((done = writev(w->fd, iov, 2)) == -1 && errno == EINTR)
		;
	if (done == -1)
		return -1;
	if ((size_t)done != (size_t)n + r->len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

void
wraplog_close(struct wraplog *w)
{
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
}

/* --- reading ------------------------------------------------------------ */

/* Split a header line (NUL-terminated) into its 7 fields; false if not 7. */
static bool
split_header(char *line, char *f[7])
{
	int n = 0;
	char *tok;

	while ((tok = strsep(&line, " ")) != NULL) {
		if (n == 7)
			return false;
		f[n++] = tok;
	}
	return n == 7;
}

/* The size of the whole, valid record at p, filling r; else 0. */
static size_t
record_at(char *p, size_t avail, struct wraplog_record *r)
{
	char line[HEADER_MAX], *f[7], *nl;
	const char *errstr;
	size_t hlen, len;
	long long when;
	unsigned long sum;

	if ((nl = memchr(p, '\n', avail < HEADER_MAX ? avail : HEADER_MAX)) == NULL)
		return 0;
	hlen = (size_t)(nl - p);
	memcpy(line, p, hlen);
	line[hlen] = '\0';
	if (!split_header(line, f) || strcmp(f[0], magic) != 0 ||
	    strcmp(f[1], "1") != 0 || !valid_type(f[3]) || !valid_process(f[4]))
		return 0;
	len = (size_t)strtonum(f[2], 1, WRAPLOG_TEXT_MAX, &errstr);
	if (errstr != NULL || f[2][0] == '0')
		return 0;
	when = strtonum(f[5], 0, LLONG_MAX, &errstr);
	if (errstr != NULL || strlen(f[6]) != 8 ||
	    strspn(f[6], "0123456789abcdef") != 8)
		return 0;
	sum = strtoul(f[6], NULL, 16);
	if (hlen + 1 + len > avail || fnv1a(nl + 1, len) != sum)
		return 0;
	/* Whole and intact: end its type and process where they stand. */
	p[f[4] - line - 1] = '\0';
	p[f[5] - line - 1] = '\0';
	*r = (struct wraplog_record){
		.type = p + (f[3] - line),
		.process = p + (f[4] - line),
		.time = (time_t)when,
		.text = nl + 1,
		.len = len,
	};
	return hlen + 1 + len;
}

static int
push(struct wraplog_records *out, const struct wraplog_record *r)
{
	if (out->n == out->cap) {
		size_t cap = out->cap == 0 ? 64 : out->cap * 2;
		struct wraplog_record *v = reallocarray(out->v, cap, sizeof(*v));

		if (v == NULL)
			return -1;
		out->v = v;
		out->cap = cap;
	}
	out->v[out->n++] = *r;
	return 0;
}

int
wraplog_parse(char *buf, size_t len, struct wraplog_records *out)
{
	struct wraplog_record r;
	size_t p = 0, used;
	char *next;

	while (p < len) {
		if ((used = record_at(buf + p, len - p, &r)) > 0) {
			if (push(out, &r) == -1)
				return -1;
			p += used;
			continue;
		}
		/*
		 * Damaged: go on at the next header, wherever it is. A record
		 * appended after a torn one starts in the middle of a line.
		 */
		out->damaged++;
		next = memmem(buf + p + 1, len - p - 1, resync,
		    sizeof(resync) - 1);
		if (next == NULL)
			break;
		p = (size_t)(next - buf);
	}
	return 0;
}

/*
 * Oldest first: the files after the index's current one, then those up
 * to it; without an index, by modification time.
 */
static void
order_files(struct wl_file *files, int n, int current)
{
	if (current == 0) {
		qsort(files, (size_t)n, sizeof(files[0]), by_mtime);
		return;
	}
	/* Rank each number by its distance past current around the ring. */
	for (int i = 0; i < n; i++)
		files[i].mtime = (struct timespec){
			.tv_sec = files[i].number > current ?
			    files[i].number - current :
			    files[i].number + WRAPLOG_MAX_FILES,
		};
	qsort(files, (size_t)n, sizeof(files[0]), by_mtime);
}

/* All of fd's bytes, up to its size when opened; NULL on error. */
static char *
read_file(int fd, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t n;

	*len = 0;
	if (fstat(fd, &st) == -1 || (buf = malloc((size_t)st.st_size + 1)) == NULL)
		return NULL;
	while (*len < (size_t)st.st_size) {
		n = read(fd, buf + *len, (size_t)st.st_size - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	return buf;
}

static int
keep_buf(struct wraplog_records *out, char *buf)
{
	char **bufs = reallocarray(out->bufs, out->nbufs + 1, sizeof(*bufs));

	if (bufs == NULL)
		return -1;
	out->bufs = bufs;
	out->bufs[out->nbufs++] = buf;
	return 0;
}

/* Read and parse the opened files in order, closing each. */
static int
read_all(const int *fds, int n, struct wraplog_records *out)
{
	int rc = 0;
	size_t len;
	char *buf;

	for (int i = 0; i < n; i++) {
		if (rc == 0) {
			if ((buf = read_file(fds[i], &len)) == NULL ||
			    keep_buf(out, buf) == -1) {
				free(buf);
				rc = -1;
			} else if (wraplog_parse(buf, len, out) == -1)
				rc = -1;
		}
		close(fds[i]);
	}
	return rc;
}

int
wraplog_read(const char *dir, struct wraplog_records *out)
{
	struct wl_file files[WRAPLOG_MAX_FILES];
	int fds[WRAPLOG_MAX_FILES];
	char name[12];
	int dfd, n, nfds = 0, e;

	memset(out, 0, sizeof(*out));
	if ((dfd = dir_open(dir)) == -1)
		return -1;
	/* Open the files under the lock, read them after: a snapshot. */
	if (flock(dfd, LOCK_SH) == -1 || (n = scan(dfd, files)) == -1) {
		e = errno;
		close(dfd);
		errno = e;
		return -1;
	}
	order_files(files, n, index_read(dfd));
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%d", files[i].number);
		fds[nfds] = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fds[nfds] != -1)
			nfds++;
	}
	close(dfd);
	if (read_all(fds, nfds, out) == -1) {
		e = errno;
		wraplog_records_free(out);
		errno = e;
		return -1;
	}
	return 0;
}

void
wraplog_records_free(struct wraplog_records *r)
{
	for (size_t i = 0; i < r->nbufs; i++)
		free(r->bufs[i]);
	free(r->bufs);
	free(r->v);
	memset(r, 0, sizeof(*r));
}
