/*
 * test_wraplog.c -- the wrap log of reports, on real files in a temporary
 * directory: records read back as written; wrapping drops the oldest
 * reports a whole file at a time and keeps the rest in order; a record
 * never straddles two files; torn records and garbage are skipped;
 * a missing or garbage index; descriptors closed behind the writer's
 * back; files of an earlier, larger log removed; and 8 processes writing
 * at once, with and without wrapping, losing and mixing nothing.
 */
#include <criterion/criterion.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wraplog.h"

#define WHEN		1700000000
/* "tcpsup-rb 1 100 info_msg 4242 1700000000 xxxxxxxx\n" */
#define HEADER_LEN	50
#define TEXT_LEN	100
#define RECORD_LEN	(HEADER_LEN + TEXT_LEN)
#define STARTS(s, lit)	(strncmp((s), (lit), strlen(lit)) == 0)

static char dir[64];
static struct wraplog wl;
static struct wraplog_records recs;

static void
setup(void)
{
	strcpy(dir, "/tmp/test_wraplog.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	wl.fd = -1;
}

static void
teardown(void)
{
	struct dirent *de;
	DIR *d;

	wraplog_close(&wl);
	wraplog_records_free(&recs);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(dir);
}

TestSuite(wraplog, .init = setup, .fini = teardown);

static void
open_log(long long max_bytes, int max_files)
{
	cr_assert_eq(wraplog_open(&wl, dir, max_bytes, max_files), 0,
	    "wraplog_open: %s", strerror(errno));
}

/* TEXT_LEN bytes that say which record they are. */
static void
text_of(int seq, char text[TEXT_LEN])
{
	int n = snprintf(text, TEXT_LEN, "\n=INFO REPORT==== record %d ===\n",
	    seq);

	memset(text + n, 'a' + seq % 26, TEXT_LEN - n - 1);
	text[TEXT_LEN - 1] = '\n';
}

static void
append_seq(int seq)
{
	char text[TEXT_LEN];
	struct wraplog_record r = { .type = "info_msg", .process = "4242",
	    .time = WHEN, .text = text, .len = TEXT_LEN };

	text_of(seq, text);
	cr_assert_eq(wraplog_append(&wl, &r), 0, "append %d: %s", seq,
	    strerror(errno));
}

static void
append_text(const char *text, size_t len)
{
	struct wraplog_record r = { .type = "error", .process = "tcp_client_sup",
	    .time = WHEN, .text = text, .len = len };

	cr_assert_eq(wraplog_append(&wl, &r), 0, "append: %s", strerror(errno));
}

static void
read_log(void)
{
	wraplog_records_free(&recs);
	cr_assert_eq(wraplog_read(dir, &recs), 0, "read: %s", strerror(errno));
}

/* The records read are seq first .. last, in order, intact. */
static void
assert_seqs(int first, int last)
{
	char text[TEXT_LEN];

	cr_assert_eq(recs.n, (size_t)(last - first + 1), "%zu records", recs.n);
	for (int s = first; s <= last; s++) {
		const struct wraplog_record *r = &recs.v[s - first];

		text_of(s, text);
		cr_assert_eq(r->len, TEXT_LEN);
		cr_assert(memcmp(r->text, text, TEXT_LEN) == 0, "record %d", s);
		cr_assert_str_eq(r->type, "info_msg");
		cr_assert_str_eq(r->process, "4242");
		cr_assert_eq(r->time, WHEN);
	}
}

static char *
path_of(const char *name)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static off_t
file_size(const char *name)
{
	struct stat st;

	return stat(path_of(name), &st) == 0 ? st.st_size : -1;
}

static void
write_file(const char *name, const char *content, size_t len)
{
	int fd = open(path_of(name), O_WRONLY | O_CREAT | O_TRUNC, 0640);

	cr_assert_neq(fd, -1);
	cr_assert_eq(write(fd, content, len), (ssize_t)len);
	close(fd);
}

static size_t
read_whole(const char *name, char *buf, size_t size)
{
	int fd = open(path_of(name), O_RDONLY);
	ssize_t n;

	cr_assert_neq(fd, -1, "%s", name);
	n = read(fd, buf, size);
	close(fd);
	cr_assert_geq(n, 0);
	return (size_t)n;
}

Test(wraplog, round_trip)
{
	static const char *const types[] = { "supervisor_report", "progress",
	    "info_report", "info_msg", "error" };
	static const char *const procs[] = { "tcp_client_sup", "tcp_server_app",
	    "4242", "17", "99999" };
	char texts[5][32];

	open_log(1048576, 10);
	for (int i = 0; i < 5; i++) {
		struct wraplog_record r = { .type = types[i],
		    .process = procs[i], .time = WHEN + i, .text = texts[i] };

		r.len = (size_t)snprintf(texts[i], sizeof(texts[i]),
		    "\n=REPORT %d ===\nline\n", i);
		cr_assert_eq(wraplog_append(&wl, &r), 0);
	}
	read_log();
	cr_assert_eq(recs.n, 5);
	cr_assert_eq(recs.damaged, 0);
	for (int i = 0; i < 5; i++) {
		cr_assert_str_eq(recs.v[i].type, types[i]);
		cr_assert_str_eq(recs.v[i].process, procs[i]);
		cr_assert_eq(recs.v[i].time, WHEN + i);
		cr_assert_eq(recs.v[i].len, strlen(texts[i]));
		cr_assert(memcmp(recs.v[i].text, texts[i], recs.v[i].len) == 0);
	}
	cr_assert_eq(file_size("index"), 2);
}

Test(wraplog, header_layout)
{
	char buf[RECORD_LEN + 1];

	open_log(1048576, 10);
	append_seq(0);
	cr_assert_eq(read_whole("1", buf, sizeof(buf)), RECORD_LEN);
	buf[HEADER_LEN] = '\0';
	cr_assert(STARTS(buf, "tcpsup-rb 1 100 info_msg 4242 1700000000 "),
	    "%s", buf);
	cr_assert_eq(buf[HEADER_LEN - 1], '\n');
}

Test(wraplog, bad_fields_refused)
{
	struct wraplog_record r = { .type = "info_msg", .process = "4242",
	    .time = WHEN, .text = "x\n", .len = 2 };

	open_log(1048576, 10);
	r.type = "Info";
	cr_assert_eq(wraplog_append(&wl, &r), -1);
	cr_assert_eq(errno, EINVAL);
	r.type = "info_msg";
	r.process = "two words";
	cr_assert_eq(wraplog_append(&wl, &r), -1);
	r.process = "";
	cr_assert_eq(wraplog_append(&wl, &r), -1);
	r.process = "4242";
	r.len = 0;
	cr_assert_eq(wraplog_append(&wl, &r), -1);
	r.len = WRAPLOG_TEXT_MAX + 1;
	cr_assert_eq(wraplog_append(&wl, &r), -1);
	read_log();
	cr_assert_eq(recs.n, 0);
}

Test(wraplog, unusable_dir_refused)
{
	char file[96];

	snprintf(file, sizeof(file), "%s/plain", dir);
	write_file("plain", "x", 1);
	cr_assert_eq(wraplog_open(&wl, file, 4096, 3), -1);
	cr_assert_eq(errno, ENOTDIR);
	snprintf(file, sizeof(file), "%s/no/such", dir);
	cr_assert_eq(wraplog_open(&wl, file, 4096, 3), -1);
	cr_assert_eq(errno, ENOENT);
	cr_assert_eq(wraplog_read(file, &recs), -1);
	cr_assert_eq(errno, ENOENT);
}

Test(wraplog, creates_dir_0750)
{
	char sub[96];
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/rb", dir);
	cr_assert_eq(wraplog_open(&wl, sub, 4096, 3), 0);
	cr_assert_eq(stat(sub, &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(st.st_mode & 0027, 0);	/* at most 0750 */
	append_seq(1);
	wraplog_close(&wl);
	cr_assert_eq(wraplog_read(sub, &recs), 0);
	cr_assert_eq(recs.n, 1);
	unlinkat(AT_FDCWD, path_of("rb/1"), 0);
	unlinkat(AT_FDCWD, path_of("rb/index"), 0);
	rmdir(sub);
}

Test(wraplog, wrap_drops_oldest_whole_files)
{
	open_log(3 * RECORD_LEN, 3);
	for (int s = 0; s < 20; s++)
		append_seq(s);
	/* 1: 18-19, 2: 12-14, 3: 15-17; 0-11 went with whole files. */
	cr_assert_eq(file_size("1"), 2 * RECORD_LEN);
	cr_assert_eq(file_size("2"), 3 * RECORD_LEN);
	cr_assert_eq(file_size("3"), 3 * RECORD_LEN);
	cr_assert_eq(file_size("4"), -1);
	read_log();
	assert_seqs(12, 19);
	cr_assert_eq(recs.damaged, 0);
}

Test(wraplog, record_never_split)
{
	char big[600], buf[1024];

	memset(big, 'B', sizeof(big));
	open_log(3 * RECORD_LEN, 5);
	append_seq(0);
	append_seq(1);
	/* 250 bytes do not fit in the 150 left: all of them go to file 2. */
	append_text(big, 200);
	cr_assert_eq(file_size("1"), 2 * RECORD_LEN);
	cr_assert_eq(read_whole("2", buf, sizeof(buf)), 200 + 57);
	cr_assert(STARTS(buf, "tcpsup-rb 1 200 error tcp_client_sup 1700000000 "));
	/* Larger than a whole file: alone, whole, in the next one. */
	append_text(big, sizeof(big));
	cr_assert_eq(file_size("2"), 200 + 57);
	cr_assert_eq(file_size("3"), sizeof(big) + 57);
	append_seq(2);
	cr_assert_eq(file_size("4"), RECORD_LEN);
	read_log();
	cr_assert_eq(recs.n, 5);
	cr_assert_eq(recs.v[2].len, 200);
	cr_assert_eq(recs.v[3].len, sizeof(big));
	cr_assert(memcmp(recs.v[3].text, big, sizeof(big)) == 0);
	cr_assert_eq(recs.v[4].len, TEXT_LEN);
}

Test(wraplog, torn_record_at_end_skipped)
{
	open_log(1048576, 3);
	for (int s = 0; s < 3; s++)
		append_seq(s);
	/* A crash in the middle of the last write. */
	cr_assert_eq(truncate(path_of("1"), 2 * RECORD_LEN + 70), 0);
	read_log();
	assert_seqs(0, 1);
	cr_assert_eq(recs.damaged, 1);
	/* The next record starts mid-line, after the torn one: still read. */
	append_seq(3);
	read_log();
	cr_assert_eq(recs.n, 3);
	cr_assert(strstr(recs.v[2].text, "record 3 ") != NULL);
	/* A header cut short too. */
	cr_assert_eq(truncate(path_of("1"), file_size("1") - RECORD_LEN + 20), 0);
	read_log();
	cr_assert_eq(recs.n, 2);
}

Test(wraplog, garbage_in_the_middle_skipped)
{
	char orig[3 * RECORD_LEN], edited[4 * RECORD_LEN];
	static const char junk[] = "someone typed this\nand this\n";
	static const char huge[] = "tcpsup-rb 1 99999999 error 1 0 00000000\n";
	size_t len = 0;

	open_log(1048576, 3);
	for (int s = 0; s < 3; s++)
		append_seq(s);
	cr_assert_eq(read_whole("1", orig, sizeof(orig)), sizeof(orig));
	/* record 0, junk, record 1 with one byte changed, a lying header, 2 */
	memcpy(edited, orig, RECORD_LEN);
	len += RECORD_LEN;
	memcpy(edited + len, junk, sizeof(junk) - 1);
	len += sizeof(junk) - 1;
	memcpy(edited + len, orig + RECORD_LEN, RECORD_LEN);
	edited[len + HEADER_LEN + 40] ^= 1;
	len += RECORD_LEN;
	memcpy(edited + len, huge, sizeof(huge) - 1);
	len += sizeof(huge) - 1;
	memcpy(edited + len, orig + 2 * RECORD_LEN, RECORD_LEN);
	len += RECORD_LEN;
	write_file("1", edited, len);
	read_log();
	cr_assert_eq(recs.n, 2);
	cr_assert(strstr(recs.v[0].text, "record 0 ") != NULL);
	cr_assert(strstr(recs.v[1].text, "record 2 ") != NULL);
	cr_assert_eq(recs.damaged, 3);
}

Test(wraplog, parse_in_memory)
{
	char buf[] = "junk\ntcpsup-rb 1 3 info_msg 7 5 00000000\nabc";
	struct wraplog_records out = { 0 };

	/* A wrong sum: nothing but damage. */
	cr_assert_eq(wraplog_parse(buf, strlen(buf), &out), 0);
	cr_assert_eq(out.n, 0);
	cr_assert_geq(out.damaged, 1);
	wraplog_records_free(&out);
	cr_assert_eq(wraplog_parse(buf, 0, &out), 0);
	cr_assert_eq(out.n, 0);
	cr_assert_eq(out.damaged, 0);
}

/* Give the numbered files mtimes in the order they were filled. */
static void
age_files(const int *order, int n)
{
	for (int i = 0; i < n; i++) {
		char name[8];
		struct timespec t[2] = {
			{ .tv_sec = WHEN + i }, { .tv_sec = WHEN + i },
		};

		snprintf(name, sizeof(name), "%d", order[i]);
		cr_assert_eq(utimensat(AT_FDCWD, path_of(name), t, 0), 0);
	}
}

Test(wraplog, missing_index_ordered_by_mtime)
{
	static const int filled[] = { 2, 3, 1 };

	open_log(3 * RECORD_LEN, 3);
	for (int s = 0; s < 20; s++)
		append_seq(s);
	age_files(filled, 3);
	cr_assert_eq(unlink(path_of("index")), 0);
	read_log();
	assert_seqs(12, 19);
	/* A writer without an index goes on in the newest file, indexed. */
	wraplog_close(&wl);
	open_log(3 * RECORD_LEN, 3);
	cr_assert_eq(file_size("index"), 2);
	append_seq(20);
	cr_assert_eq(file_size("1"), 3 * RECORD_LEN);
	read_log();
	assert_seqs(12, 20);
}

Test(wraplog, garbage_index)
{
	static const int filled[] = { 2, 3, 1 };
	static const char *const garbage[] = { "abc\n", "0\n", "256\n", "2",
	    "" };

	open_log(3 * RECORD_LEN, 3);
	for (int s = 0; s < 20; s++)
		append_seq(s);
	age_files(filled, 3);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		write_file("index", garbage[i], strlen(garbage[i]));
		read_log();
		assert_seqs(12, 19);
	}
	/* An index that is wrong but well-formed is believed. */
	write_file("index", "3\n", 2);
	read_log();
	cr_assert_eq(recs.n, 8);
	cr_assert(strstr(recs.v[0].text, "record 18 ") != NULL);
}

Test(wraplog, descriptor_reused_behind_its_back)
{
	int null;

	open_log(1048576, 3);
	append_seq(0);
	/* What proc_keep_only does to a worker: the number now means another file. */
	null = open("/dev/null", O_WRONLY);
	cr_assert_neq(null, -1);
	cr_assert_eq(dup2(null, wl.fd), wl.fd);
	close(null);
	append_seq(1);
	/* And closed outright. */
	close(wl.fd);
	append_seq(2);
	read_log();
	assert_seqs(0, 2);
}

Test(wraplog, sealed_file_left_by_a_late_writer)
{
	struct wraplog late;

	/* Room for the late writer's record, but not for record 3. */
	open_log(3 * RECORD_LEN + 100, 3);
	append_seq(0);
	late = wl;
	late.fd = dup(wl.fd);	/* another process, still on file 1 */
	append_seq(1);
	append_seq(2);
	append_seq(3);		/* file 2, file 1 sealed */
	cr_assert_eq(wraplog_append(&late, &(struct wraplog_record){
	    .type = "error", .process = "late", .time = WHEN,
	    .text = "late\n", .len = 5 }), 0);
	wraplog_close(&late);
	cr_assert_eq(file_size("1"), 3 * RECORD_LEN);
	read_log();
	cr_assert_eq(recs.n, 5);
	cr_assert_str_eq(recs.v[4].process, "late");
}

Test(wraplog, files_beyond_max_removed)
{
	open_log(RECORD_LEN, 5);
	for (int s = 0; s < 5; s++)
		append_seq(s);
	cr_assert_eq(file_size("5"), RECORD_LEN);
	wraplog_close(&wl);
	open_log(RECORD_LEN, 2);
	cr_assert_eq(file_size("3"), -1);
	cr_assert_eq(file_size("5"), -1);
	/* File 1 started over; file 2 is now the oldest. */
	append_seq(5);
	read_log();
	cr_assert_eq(recs.n, 2);
	cr_assert(strstr(recs.v[0].text, "record 1 ") != NULL);
	cr_assert(strstr(recs.v[1].text, "record 5 ") != NULL);
}

/* --- concurrent writers ------------------------------------------------- */

#define WRITERS		8
#define PER_WRITER	300

/* The text of writer w's record s: its length varies, 40 to 439 bytes. */
static size_t
writer_text(int w, int s, char *buf)
{
	size_t len = 40 + (size_t)((w * 37 + s * 11) % 400);
	int n = snprintf(buf, len, "\n=INFO REPORT==== w%d s%d ===\n", w, s);

	for (size_t i = (size_t)n; i < len - 1; i++)
		buf[i] = (char)('a' + (w + s + (int)i) % 26);
	buf[len - 1] = '\n';
	return len;
}

static void
run_writers(void)
{
	pid_t pids[WRITERS];
	int status;

	for (int w = 0; w < WRITERS; w++) {
		cr_assert_neq(pids[w] = fork(), -1);
		if (pids[w] != 0)
			continue;
		char text[512], proc[8];
		int failed = 0;

		snprintf(proc, sizeof(proc), "w%d", w);
		for (int s = 0; s < PER_WRITER; s++) {
			struct wraplog_record r = { .type = "info_msg",
			    .process = proc, .time = WHEN + s, .text = text };

			r.len = writer_text(w, s, text);
			failed += wraplog_append(&wl, &r) == -1;
		}
		_exit(failed > 0);
	}
	for (int w = 0; w < WRITERS; w++) {
		cr_assert_eq(waitpid(pids[w], &status, 0), pids[w]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "writer %d failed", w);
	}
}

/*
 * Every record is exactly one writer's text; each writer's records come
 * in its order and are the last ones it wrote. Returns how many.
 */
static size_t
check_writers(void)
{
	int next[WRITERS];
	char text[512];

	for (int w = 0; w < WRITERS; w++)
		next[w] = -1;
	cr_assert_eq(recs.damaged, 0);
	for (size_t i = 0; i < recs.n; i++) {
		const struct wraplog_record *r = &recs.v[i];
		int w, s;

		cr_assert_eq(sscanf(r->process, "w%d", &w), 1);
		cr_assert(w >= 0 && w < WRITERS);
		cr_assert_eq(sscanf(r->text, "\n=INFO REPORT==== w%*d s%d", &s), 1);
		cr_assert(next[w] == -1 || s == next[w],
		    "writer %d: record %d after %d", w, s, next[w] - 1);
		cr_assert_eq(r->len, writer_text(w, s, text));
		cr_assert(memcmp(r->text, text, r->len) == 0, "w%d s%d", w, s);
		cr_assert_eq(r->time, WHEN + s);
		next[w] = s + 1;
	}
	for (int w = 0; w < WRITERS; w++)
		cr_assert(next[w] == -1 || next[w] == PER_WRITER,
		    "writer %d's last record is missing", w);
	return recs.n;
}

Test(wraplog, concurrent_writers_lose_nothing)
{
	open_log(1048576, 10);
	run_writers();
	read_log();
	cr_assert_eq(check_writers(), WRITERS * PER_WRITER);
}

Test(wraplog, concurrent_writers_with_wrapping)
{
	struct dirent *de;
	int files = 0;
	DIR *d;

	open_log(8192, 4);
	run_writers();
	read_log();
	cr_assert_gt(check_writers(), 0);
	cr_assert_lt(recs.n, WRITERS * PER_WRITER);
	cr_assert_not_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		files++;
		/* Full, give or take the records of writers racing to fill it. */
		cr_assert_leq(file_size(de->d_name), 8192 + WRITERS * 512);
	}
	closedir(d);
	cr_assert_leq(files, 4);
}
