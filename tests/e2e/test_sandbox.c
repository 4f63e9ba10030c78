/*
 * test_sandbox.c -- workers confined by default: a serving worker has its
 * seccomp filter, no new privileges and its limits, while the supervisors
 * have none; every path of the echo loop (frames through a mapped buffer,
 * an oversized frame and its drain, the idle timeout, line mode, --reuse,
 * the wrap log switching files) runs under the filter without a SIGSYS;
 * a worker dying of SIGSYS is reported so; --no-sandbox confines nothing.
 * Workers are cloned by one confined echo_spawner, which tcp_client_sup
 * replaces, with a report, when it is killed or stops answering.
 */
#include <criterion/criterion.h>

#include <sys/stat.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;
static char tmp[64];

static void
setup(void)
{
	strcpy(tmp, "/tmp/tcpsup-sandbox-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
}

static void
teardown(void)
{
	ts_cleanup(&ts);
	ts_remove_tree(tmp);
}

TestSuite(sandbox, .init = setup, .fini = teardown, .timeout = 60);

/* The line of /proc/pid/file that starts with key, without the key. */
static bool
proc_line(pid_t pid, const char *file, const char *key, char *out,
    size_t size)
{
	char path[64], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0) {
			snprintf(out, size, "%s", line + strlen(key) +
			    strspn(line + strlen(key), " \t"));
			out[strcspn(out, "\n")] = '\0';
			found = true;
		}
	fclose(f);
	return found;
}

static pid_t
serving_worker(int *fd)
{
	pid_t client_sup, worker;

	cr_assert((*fd = ts_connect_echoed(&ts)) >= 0, "connect: %m");
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert(client_sup > 0);
	cr_assert((worker = ts_worker_of(&ts, client_sup, *fd, 2000)) > 0);
	return worker;
}

static void
assert_status(pid_t pid, const char *key, const char *want)
{
	char v[128];

	cr_assert(proc_line(pid, "status", key, v, sizeof(v)), "%d: no %s",
	    (int)pid, key);
	cr_assert_str_eq(v, want, "%d %s %s, not %s", (int)pid, key, v, want);
}

Test(sandbox, serving_worker_is_confined_supervisors_are_not)
{
	char v[128];
	pid_t worker;
	int fd;

	ts_start(&ts, NULL);
	worker = serving_worker(&fd);
	assert_status(worker, "Seccomp:", "2");
	assert_status(worker, "NoNewPrivs:", "1");
	cr_assert(proc_line(worker, "limits", "Max core file size", v, sizeof(v)));
	cr_assert_eq(strncmp(v, "0 ", 2), 0, "core: %s", v);
	cr_assert(proc_line(worker, "limits", "Max processes", v, sizeof(v)));
	cr_assert_eq(strncmp(v, "0 ", 2), 0, "nproc: %s", v);
	cr_assert(proc_line(worker, "limits", "Max open files", v, sizeof(v)));
	cr_assert_eq(strncmp(v, "16 ", 3), 0, "nofile: %s", v);
	/* RLIMIT_AS: in unit-sandbox, which knows whether ASan is built in. */
	/* The supervisors fork, accept and open: never confined. */
	assert_status(ts.pid, "Seccomp:", "0");
	assert_status(ts_child(&ts, ts.pid, "tcp_client_sup"), "Seccomp:", "0");
	assert_status(ts_child(&ts, ts.pid, "tcp_listener"), "Seccomp:", "0");
	close(fd);
}

Test(sandbox, no_sandbox_leaves_workers_unconfined)
{
	const char *args[] = { "--no-sandbox", NULL };
	char v[128];
	pid_t worker;
	int fd;

	ts_start(&ts, args);
	worker = serving_worker(&fd);
	assert_status(worker, "Seccomp:", "0");
	assert_status(worker, "NoNewPrivs:", "0");
	cr_assert(proc_line(worker, "limits", "Max open files", v, sizeof(v)));
	cr_assert_neq(strncmp(v, "16 ", 3), 0, "nofile: %s", v);
	close(fd);
}

static pid_t
spawner_of(pid_t client_sup)
{
	pid_t pid = ts_wait_child(&ts, client_sup, "echo_spawner", 0, 2000);

	cr_assert(pid > 0, "no echo_spawner under %d", (int)client_sup);
	return pid;
}

static void
assert_echoes(int fd)
{
	char buf[8];

	cr_assert_eq(ts_send_frame(fd, "again", 5), 0);
	cr_assert_eq(ts_recv_frame(fd, buf, sizeof(buf)), 5, "no echo: %m");
	cr_assert_arr_eq(buf, "again", 5);
}

Test(sandbox, one_confined_spawner_clones_every_worker)
{
	pid_t client_sup, spawner, w1, w2;
	int fd1, fd2;

	ts_start(&ts, NULL);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	/* ts_worker_of() finds them among tcp_client_sup's own children. */
	w1 = serving_worker(&fd1);
	/* Named before it confines itself, and confined before it clones. */
	spawner = spawner_of(client_sup);
	assert_status(spawner, "Seccomp:", "2");
	assert_status(spawner, "NoNewPrivs:", "1");
	w2 = serving_worker(&fd2);
	cr_assert_neq(w1, w2);
	cr_assert_eq(spawner_of(client_sup), spawner);
	close(fd1);
	close(fd2);
}

/* What /proc/pid/maps says of a process's memory (ownmem.h). */
struct maps {
	bool	 dynamic;	/* a shared object is mapped */
	int	 exe_writable;	/* rw-p mappings of the executable itself */
	int	 exe_one_page_code;	/* r-xp ones of one page: the clone page */
	int	 rw_after_rw;	/* rw-p mappings right after another */
	long	 stack_kib;
};

static struct maps
maps_of(pid_t pid)
{
	struct maps m = { .stack_kib = -1 };
	char path[64], line[512], perms[5], file[256];
	unsigned long lo, hi, rw_end = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	cr_assert_not_null(f = fopen(path, "r"), "%s: %m", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		file[0] = '\0';
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %255s", &lo, &hi,
		    perms, file) < 3)
			continue;
		m.dynamic |= strstr(file, ".so") != NULL;
		if (strcmp(perms, "rw-p") == 0) {
			m.rw_after_rw += lo == rw_end;
			rw_end = hi;
		}
		if (strcmp(file, "[stack]") == 0)
			m.stack_kib = (long)(hi - lo) / 1024;
		if (strstr(file, "/tcpsup") == NULL)
			continue;
		m.exe_writable += strcmp(perms, "rw-p") == 0;
		m.exe_one_page_code += strcmp(perms, "r-xp") == 0 &&
		    hi - lo == 4096;
	}
	fclose(f);
	return m;
}

/*
 * The spawner copies its memory into mappings of its own, data and bss
 * into one, and keeps only the live top of its first stack; the page it
 * clones from is a mapping apart, which a worker unmaps whole. Only the
 * static build does so (ownmem.h): the sanitizers' builds are dynamic.
 */
Test(sandbox, the_spawner_owns_its_memory_and_its_clone_page_apart)
{
	struct maps s, w;
	pid_t spawner, worker;
	int fd;

	ts_start(&ts, NULL);
	spawner = spawner_of(ts_child(&ts, ts.pid, "tcp_client_sup"));
	worker = serving_worker(&fd);
	assert_echoes(fd);
	s = maps_of(spawner);
	w = maps_of(worker);
	if (s.dynamic)
		cr_skip_test("a dynamic build copies nothing");
	cr_assert_eq(s.exe_writable, 0, "the spawner's data is the file's");
	cr_assert_eq(w.exe_writable, 0, "the worker's data is the file's");
	cr_assert_eq(w.rw_after_rw, 0, "the worker's data and bss are apart");
	cr_assert(s.stack_kib > 0 && s.stack_kib <= 64, "[stack] %ld KiB",
	    s.stack_kib);
	cr_assert_eq(s.exe_one_page_code, 1, "no clone page apart");
	cr_assert_eq(w.exe_one_page_code, 0, "the worker kept the clone page");
	close(fd);
}

/*
 * kill -9 of the spawner costs no client: the next one is served by a
 * new spawner, with one report, and the workers already serving go on.
 */
Test(sandbox, a_killed_spawner_is_replaced)
{
	pid_t client_sup, spawner, next;
	char expect[64];
	int served, fd;
	size_t mark;

	ts_start(&ts, NULL);
	serving_worker(&served);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	spawner = spawner_of(client_sup);
	mark = ts.len;
	cr_assert_eq(kill(spawner, SIGKILL), 0);
	/* Reaped by tcp_client_sup, which takes it for a stranger. */
	cr_assert(ts_wait_gone(spawner, 2000));
	cr_assert((fd = ts_connect_echoed(&ts)) >= 0, "connect: %m");
	snprintf(expect, sizeof(expect), "tcp_client_sup: echo_spawner %d: ",
	    (int)spawner);
	cr_assert(ts_wait_log(&ts, mark, expect, 2000), "%s", ts.log + mark);
	cr_assert_not_null(ts_find(&ts, mark, "- starting another."));
	next = spawner_of(client_sup);
	cr_assert_neq(next, spawner);
	assert_status(next, "Seccomp:", "2");
	assert_echoes(served);
	cr_assert_null(ts_find(&ts, mark, "SUPERVISOR REPORT"), "%s",
	    ts.log + mark);
	close(fd);
	close(served);
}

/* A stopped spawner is given a second, then killed and replaced. */
Test(sandbox, a_stopped_spawner_is_replaced_within_a_second)
{
	pid_t client_sup, spawner;
	int64_t t0;
	size_t mark;
	int fd;

	ts_start(&ts, NULL);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	spawner = spawner_of(client_sup);
	mark = ts.len;
	cr_assert_eq(kill(spawner, SIGSTOP), 0);
	t0 = ts_now_ms();
	cr_assert((fd = ts_connect_echoed(&ts)) >= 0, "connect: %m");
	cr_assert_geq(ts_now_ms() - t0, 900);
	cr_assert_leq(ts_now_ms() - t0, 3000);
	cr_assert(ts_wait_log(&ts, mark, ": etimedout (", 2000), "%s",
	    ts.log + mark);
	cr_assert(ts_wait_gone(spawner, 2000));
	cr_assert_neq(spawner_of(client_sup), spawner);
	close(fd);
}

/*
 * A burst of sockets is asked of the spawner all at once, and each pid
 * collected in turn. Hold tcp_client_sup still while clients connect, so
 * that it finds them all in one wake-up, with its spawner killed or
 * stopped meanwhile: every client is still served, with one report.
 */
#define BURST	8

/*
 * The burst, with tcp_client_sup held still and its spawner sent sig
 * (SIGKILL, or SIGSTOP) meanwhile: every client must be echoed, with one
 * report of the spawner replaced, whose text follows mark. The spawner's
 * pid.
 */
static pid_t
burst_with_spawner(int sig, size_t *mark)
{
	pid_t client_sup, spawner;
	char expect[64];
	int fd[BURST];

	ts_start(&ts, NULL);
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	spawner = spawner_of(client_sup);
	*mark = ts.len;
	cr_assert(ts_stop_process(client_sup, 2000));
	if (sig == SIGSTOP)
		cr_assert(ts_stop_process(spawner, 2000));
	else
		cr_assert_eq(kill(spawner, sig), 0);
	for (int i = 0; i < BURST; i++) {
		cr_assert((fd[i] = ts_connect(&ts)) >= 0, "connect: %m");
		cr_assert_eq(ts_send_frame(fd[i], "burst", 5), 0);
	}
	cr_assert_eq(kill(client_sup, SIGCONT), 0);
	for (int i = 0; i < BURST; i++) {
		char buf[8];

		cr_assert_eq(ts_recv_frame(fd[i], buf, sizeof(buf)), 5,
		    "client %d: no echo: %m", i);
		cr_assert_arr_eq(buf, "burst", 5);
		close(fd[i]);
	}
	snprintf(expect, sizeof(expect), "tcp_client_sup: echo_spawner %d: ",
	    (int)spawner);
	cr_assert(ts_wait_log(&ts, *mark, expect, 2000), "%s", ts.log + *mark);
	cr_assert_eq(ts_count(&ts, *mark, "- starting another."), 1, "%s",
	    ts.log + *mark);
	cr_assert_neq(spawner_of(client_sup), spawner);
	return spawner;
}

Test(sandbox, a_burst_finding_its_spawner_killed_is_served)
{
	size_t mark;
	pid_t spawner = burst_with_spawner(SIGKILL, &mark);

	/* Gone: the request meets a closed channel, or its answer never comes. */
	cr_assert_null(ts_find(&ts, mark, ": etimedout ("), "%s",
	    ts.log + mark);
	cr_assert_not(ts_alive(spawner));
}

Test(sandbox, a_burst_finding_its_spawner_stopped_is_served)
{
	size_t mark;
	pid_t spawner = burst_with_spawner(SIGSTOP, &mark);

	cr_assert_not_null(ts_find(&ts, mark, ": etimedout ("), "%s",
	    ts.log + mark);
	cr_assert(ts_wait_gone(spawner, 2000));
}

/* A worker killed by SIGSYS, as the filter kills it: no core, one term. */
Test(sandbox, worker_dead_of_sigsys_is_reported_so)
{
	char expect[64];
	pid_t worker;
	int fd;

	ts_start(&ts, NULL);
	worker = serving_worker(&fd);
	cr_assert_eq(kill(worker, SIGSYS), 0);
	cr_assert(ts_wait_log(&ts, 0, "     Reason:     {signal,'SIGSYS'}\n",
	    5000), "%s", ts.log);
	snprintf(expect, sizeof(expect), "     Offender:   [{pid,%d}", (int)worker);
	cr_assert_not_null(ts_find(&ts, 0, expect), "%s", ts.log);
	cr_assert(ts_closed_by_peer(fd, 2000));
	close(fd);
}

/* Everything the loop does, in one confined worker after another. */
Test(sandbox, every_path_of_the_loop_runs_confined)
{
	char rbdir[96], big[100000 + 4], back[sizeof(big)], path[128];
	const char *args[] = { "--packet", "4", "--max-frame", "150000",
	    "--idle-timeout", "1", "--reuse", "3", "--report-dir", rbdir,
	    "--report-max-bytes", "4096", "--report-max-files", "3", NULL };
	const unsigned char oversized[] = { 0, 0x10, 0, 0, 'x' };
	struct stat st;
	int fd;

	snprintf(rbdir, sizeof(rbdir), "%s/rb", tmp);
	ts_start(&ts, args);
	/* A frame larger than the static buffer: a mapped one, echoed whole. */
	memset(big, 'a', sizeof(big));
	memcpy(big, "\0\x01\x86\xa0", 4);
	for (int i = 0; i < 100; i++) {
		cr_assert((fd = ts_connect(&ts)) >= 0, "connect: %m");
		cr_assert_eq(ts_write(fd, big, sizeof(big)), 0);
		cr_assert_eq(ts_read_exact(fd, back, sizeof(back)),
		    (ssize_t)sizeof(back));
		cr_assert_arr_eq(back, big, sizeof(big));
		close(fd);
	}
	/* An oversized frame: the report, the drain, a clean close. */
	cr_assert((fd = ts_connect(&ts)) >= 0, "connect: %m");
	cr_assert_eq(ts_write(fd, oversized, sizeof(oversized)), 0);
	cr_assert(ts_closed_by_peer(fd, 3000));
	close(fd);
	cr_assert(ts_wait_log(&ts, 0, "(emsgsize) - closing.", 3000), "%s",
	    ts.log);
	/* Idle: the timeout. */
	cr_assert((fd = ts_connect(&ts)) >= 0, "connect: %m");
	cr_assert(ts_closed_by_peer(fd, 3000));
	close(fd);
	cr_assert(ts_wait_log(&ts, 0, "Client connection timeout - closing.",
	    3000), "%s", ts.log);
	cr_assert_null(ts_find(&ts, 0, "SIGSYS"), "%s", ts.log);
	cr_assert_null(ts_find(&ts, 0, "SUPERVISOR REPORT"), "%s", ts.log);
	/* 100 reports of workers switched files: all three exist. */
	for (int k = 1; k <= 3; k++) {
		snprintf(path, sizeof(path), "%s/%d", rbdir, k);
		cr_assert_eq(stat(path, &st), 0, "%s: %m", path);
	}
}

Test(sandbox, line_mode_runs_confined)
{
	const char *args[] = { "--packet", "line", "--max-frame", "8", NULL };
	char buf[16];
	int fd;

	ts_start(&ts, args);
	cr_assert((fd = ts_connect(&ts)) >= 0, "connect: %m");
	cr_assert_eq(ts_write(fd, "one\ntwo\n", 8), 0);
	cr_assert_eq(ts_read_exact(fd, buf, 8), 8);
	cr_assert_arr_eq(buf, "one\ntwo\n", 8);
	cr_assert_eq(ts_write(fd, "a line too long\n", 16), 0);
	cr_assert(ts_closed_by_peer(fd, 3000));
	close(fd);
	cr_assert(ts_wait_log(&ts, 0, "(emsgsize) - closing.", 3000), "%s",
	    ts.log);
	cr_assert_null(ts_find(&ts, 0, "SIGSYS"), "%s", ts.log);
	cr_assert_null(ts_find(&ts, 0, "SUPERVISOR REPORT"), "%s", ts.log);
}
