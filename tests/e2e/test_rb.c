/*
 * test_rb.c -- the report browser against a live tree: tcpsup with
 * --report-dir and small files serves a few hundred connections and loses
 * two workers to kill -9; tcpsupctl rb then lists the reports the wrap
 * log kept (numbered from the newest, oldest first, old files dropped),
 * shows the last one exactly as the daemon printed it, and greps the
 * kills. Also: the wrap log is classic whatever --log-format says, an
 * unusable directory stops the start, and rb's errors.
 */
#include <criterion/criterion.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define CONNECTIONS	300
#define MAX_BYTES	8192
#define MAX_FILES	3
#define OUT_MAX		(1024 * 1024)

static struct tcpsup ts;
static char tmp[64], rbdir[96];
static char *out;

static void
setup(void)
{
	strcpy(tmp, "/tmp/tcpsup-rb-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	snprintf(rbdir, sizeof(rbdir), "%s/rb", tmp);
	cr_assert_not_null(out = malloc(OUT_MAX));
}

static void
teardown(void)
{
	ts_cleanup(&ts);
	ts_remove_tree(tmp);
	free(out);
}

TestSuite(rb, .init = setup, .fini = teardown, .timeout = 120);

/* Run tcpsupctl with args (a shell fragment); its exit status. */
static int
ctl(const char *args)
{
	const char *bin = getenv("TCPSUPCTL_BIN");
	char cmd[512];
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s",
	    bin != NULL ? bin : "build/src/tcpsupctl/tcpsupctl", args);
	status = ts_capture(cmd, out, OUT_MAX);
	cr_assert(status != -1 && WIFEXITED(status), "%s", cmd);
	return WEXITSTATUS(status);
}

static int
rb(const char *what)
{
	char args[256];

	snprintf(args, sizeof(args), "rb --dir %s %s", rbdir, what);
	return ctl(args);
}

/* Wait until the daemon has printed needle n times. */
static void
wait_count(const char *needle, size_t n)
{
	for (int i = 0; i < 500 && ts_strcount(ts.log, needle) < n; i++)
		ts_wait_log(&ts, ts.len, "\n", 10);
	cr_assert_geq(ts_strcount(ts.log, needle), n, "%zu of %zu '%s'",
	    ts_strcount(ts.log, needle), n, needle);
}

/* The last report the daemon printed: from its "\n=TITLE REPORT====". */
static const char *
last_report(void)
{
	regex_t re;
	const char *last = NULL;

	cr_assert_eq(regcomp(&re, "^=[A-Z]+ REPORT==== ", REG_EXTENDED |
	    REG_NOSUB | REG_NEWLINE), 0);
	for (const char *p = ts.log; (p = strstr(p, "\n=")) != NULL; p++)
		if (regexec(&re, p + 1, 0, NULL, 0) == 0)
			last = p;
	regfree(&re);
	cr_assert_not_null(last);
	return last;
}

/* Hold a connection open, and kill its worker. */
static pid_t
kill_a_worker(pid_t client_sup, int *fd)
{
	pid_t w;

	cr_assert_geq(*fd = ts_connect_echoed(&ts), 0);
	cr_assert_gt(w = ts_worker_of(&ts, client_sup, *fd, 2000), 0);
	cr_assert_eq(kill(w, SIGKILL), 0);
	return w;
}

/* The numbered files in the wrap log, each within its size. */
static int
count_files(void)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int n = 0;

	cr_assert_not_null(d = opendir(rbdir));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		cr_assert_eq(fstatat(dirfd(d), de->d_name, &st, 0), 0);
		cr_assert_leq(st.st_size, MAX_BYTES + 4096, "%s", de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

/* Check one row of rb list: number, type, process, date. */
static void
check_row(const char *line, size_t want_no)
{
	char type[32], proc[32], date[16], time[16], needle[96];
	size_t no;

	cr_assert_eq(sscanf(line, "%zu %31s %31s %15s %15s", &no, type, proc,
	    date, time), 5, "%s", line);
	cr_assert_eq(no, want_no, "%s", line);
	cr_assert_eq(strlen(date), 10);
	cr_assert_eq(strlen(time), 8);
	if (strcmp(type, "supervisor_report") == 0) {
		cr_assert_str_eq(proc, "tcp_client_sup");
		return;
	}
	/* A worker's INFO REPORT, by its pid, as the daemon printed it. */
	cr_assert_str_eq(type, "info_msg", "%s", line);
	snprintf(needle, sizeof(needle), "\n%s Client {127,0,0,1} disconnected.",
	    proc);
	cr_assert_not_null(strstr(ts.log, needle), "%s", line);
}

Test(rb, wraps_lists_shows_greps)
{
	const char *args[] = { "--report-dir", rbdir, "--report-max-bytes",
	    "8192", "--report-max-files", "3", NULL };
	pid_t client_sup, killed[2];
	int fds[2], rows = 0;
	size_t total;
	char *line, *save, want[64], json[160];

	ts_start(&ts, args);
	cr_assert_gt(client_sup = ts_child(&ts, ts.pid, "tcp_client_sup"), 0);
	for (int i = 0; i < CONNECTIONS; i++) {
		int fd = ts_connect_echoed(&ts);

		cr_assert_geq(fd, 0, "connection %d", i);
		close(fd);
	}
	wait_count(" disconnected.", CONNECTIONS);
	for (int i = 0; i < 2; i++) {
		killed[i] = kill_a_worker(client_sup, &fds[i]);
		snprintf(want, sizeof(want), "{pid,%ld}", (long)killed[i]);
		cr_assert(ts_wait_log(&ts, 0, want, 5000), "no report of %s", want);
		close(fds[i]);
	}
	wait_count("Reason:     killed", 2);
	total = ts_strcount(ts.log, " REPORT==== ");

	cr_assert_eq(rb("list"), 0);
	line = strtok_r(out, "\n", &save);
	cr_assert_str_eq(line, "  No                Type         Process"
	    "       Date     Time");
	line = strtok_r(NULL, "\n", &save);
	cr_assert_str_eq(line, "  ==                ====         ======="
	    "       ====     ====");
	/* Oldest first; the newest, the second kill, is number 1. */
	while ((line = strtok_r(NULL, "\n", &save)) != NULL)
		rows++;
	cr_assert_gt(rows, 100);
	cr_assert_lt((size_t)rows, total, "the wrap dropped nothing");
	cr_assert_eq(rb("list"), 0);
	line = strtok_r(out, "\n", &save);
	line = strtok_r(NULL, "\n", &save);
	for (int no = rows; no >= 1; no--)
		check_row(strtok_r(NULL, "\n", &save), (size_t)no);
	cr_assert_leq(count_files(), MAX_FILES);

	/* rb show 1 is the daemon's last report, byte for byte. */
	cr_assert_eq(rb("show 1"), 0);
	cr_assert_str_eq(out, last_report());
	cr_assert(strstr(out, "Reason:     killed") != NULL);

	cr_assert_eq(rb("grep killed"), 0);
	cr_assert_eq(ts_strcount(out, "Found match in report number "), 2,
	    "%s", out);
	cr_assert_eq(ts_strcount(out, "=SUPERVISOR REPORT==== "), 2);
	for (int i = 0; i < 2; i++) {
		snprintf(want, sizeof(want), "{pid,%ld}", (long)killed[i]);
		cr_assert(strstr(out, want) != NULL, "%s not in\n%s", want, out);
	}

	snprintf(json, sizeof(json), "--json rb --dir %s list", rbdir);
	cr_assert_eq(ctl(json), 0);
	cr_assert_eq(ts_strcount(out, "{\"number\":"), (size_t)rows);
	cr_assert(strstr(out, "{\"number\":1,\"type\":\"supervisor_report\","
	    "\"process\":\"tcp_client_sup\",\"time\":") != NULL, "%s", out);
}

Test(rb, classic_whatever_the_log_format)
{
	const char *args[] = { "--report-dir", rbdir, "--log-format", "json",
	    NULL };
	int fd;

	ts_start(&ts, args);
	cr_assert_geq(fd = ts_connect_echoed(&ts), 0);
	close(fd);
	cr_assert(ts_wait_log(&ts, 0, "disconnected.", 5000));
	cr_assert_null(ts_find(&ts, 0, "=INFO REPORT===="));
	/* The worker writes stderr first, then the wrap log. */
	for (int i = 0; i < 100 * ts_slow(); i++) {
		cr_assert_eq(rb("show 1"), 0);
		if (strncmp(out, "\n=INFO REPORT==== ", 18) == 0)
			break;
		poll(NULL, 0, 10);
	}
	cr_assert(strncmp(out, "\n=INFO REPORT==== ", 18) == 0, "%s", out);
	cr_assert(strstr(out, " Client {127,0,0,1} disconnected.\n") != NULL);
	cr_assert_eq(rb("list"), 0);
	cr_assert(strstr(out, "   progress  tcp_server_app ") != NULL, "%s", out);
}

Test(rb, unusable_report_dir_stops_the_start)
{
	char file[96];
	const char *args[] = { "--report-dir", file, NULL };
	FILE *f;

	snprintf(file, sizeof(file), "%s/plain", tmp);
	cr_assert_not_null(f = fopen(file, "w"));
	fclose(f);
	ts_spawn(&ts, args);
	cr_assert(ts_wait_exit(&ts, 5000));
	cr_assert(WIFEXITED(ts.status) && WEXITSTATUS(ts.status) == 73);
	cr_assert(ts_wait_log(&ts, 0, "--report-dir ", 1000));
	cr_assert_not_null(ts_find(&ts, 0, "plain: Not a directory"), "%s",
	    ts.log);
}

Test(rb, errors)
{
	cr_assert_eq(rb("list 2>&1"), 1);
	cr_assert(strstr(out, "No such file or directory") != NULL, "%s", out);
	cr_assert_eq(mkdir(rbdir, 0750), 0);
	cr_assert_eq(rb("list"), 0);
	cr_assert_eq(ts_strcount(out, "\n"), 2,
	    "an empty log: the header alone");
	cr_assert_eq(rb("show 1 2>&1"), 1);
	cr_assert(strstr(out, "there is no report with number 1") != NULL, "%s",
	    out);
	cr_assert_eq(rb("show 0 2>/dev/null"), 1);
	cr_assert_eq(rb("show x 2>/dev/null"), 64);
	cr_assert_eq(rb("grep '(' 2>/dev/null"), 64);
	cr_assert_eq(rb("grep 2>/dev/null"), 64);
	cr_assert_eq(rb("list extra 2>/dev/null"), 64);
	cr_assert_eq(rb("browse 2>/dev/null"), 64);
	cr_assert_eq(ctl("--control /nonexistent/ctl.sock rb list 2>&1"), 69);
}
