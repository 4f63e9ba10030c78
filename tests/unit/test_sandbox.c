/*
 * test_sandbox.c -- the worker's confinement, applied by the module's own
 * functions in workers cloned as tcpsup clones them: what echoing needs
 * still works, anything else kills with SIGSYS (reported as
 * {signal,'SIGSYS'}), a worker cannot clone again, the limits hold,
 * the wrap log still switches files, and --no-sandbox confines nothing.
 * The forbidden calls live here only: no production path makes them.
 */
#include <criterion/criterion.h>

#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "options.h"
#include "proc.h"
#include "reason.h"
#include "report.h"
#include "sandbox.h"

static struct options opts;
static int pair[2];	/* [1] stands in for a worker's connection */

static void
setup(void)
{
	options_defaults(&opts);
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
}

TestSuite(sandbox, .init = setup, .timeout = 30);

/* The stack a worker starts on. */
static uint8_t stack[64 * 1024] __attribute__((aligned(16)));

static void __attribute__((noreturn))
run(uintptr_t fn)
{
	close(4);
	((void (*)(void))fn)();
	_exit(0);
}

/*
 * A worker running fn, made as tcpsup makes one: a spawner forked and
 * confined with opts clones it (sandbox_clone), then exits. The worker
 * is this process's child; its pid.
 */
static pid_t
spawn_worker(void (*fn)(void))
{
	int pids[2], status;
	pid_t spawner, worker = -1;

	cr_assert_eq(sandbox_prepare(&opts), 0, "sandbox_prepare: %m");
	cr_assert_eq(sandbox_enabled(), opts.sandbox);
	cr_assert_eq(pipe(pids), 0);
	cr_assert_neq(spawner = fork(), -1);
	if (spawner == 0) {
		/* A worker's descriptors: 0-2 and its own (here, pair[1]). */
		const int keep[] = { pair[1], pids[1] };
		pid_t pid;

		proc_keep_only(keep, 2);
		pair[1] = 3;
		if (sandbox_enter() == -1)
			_exit(100);
		pid = sandbox_clone(getppid(), stack, sizeof(stack), run,
		    (uintptr_t)fn);
		_exit(write(4, &pid, sizeof(pid)) == sizeof(pid) && pid > 0 ?
		    0 : 101);
	}
	close(pids[1]);
	cr_assert_eq(read(pids[0], &worker, sizeof(worker)), sizeof(worker));
	close(pids[0]);
	cr_assert_eq(waitpid(spawner, &status, 0), spawner);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "spawner: status %#x", status);
	return worker;
}

/* Run fn in a confined worker; its wait status. */
static int
confined(void (*fn)(void))
{
	pid_t pid = spawn_worker(fn);
	int status;

	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static void
assert_sigsys(int status)
{
	struct reason r = reason_from_status(status, false);

	cr_assert(WIFSIGNALED(status), "status %#x", status);
	cr_assert_eq(WTERMSIG(status), SIGSYS);
	/* RLIMIT_CORE 0: no core dump, so the bare term. */
	cr_assert_str_eq(r.text, "{signal,'SIGSYS'}");
}

static void
assert_exit_0(int status)
{
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "status %#x", status);
}

static void
serve_pair(void)
{
	struct timeval tv = { .tv_sec = 1 };
	char buf[16];
	struct timespec ts;
	void *p;
	ssize_t n;

	if (setsockopt(pair[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(pair[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		_exit(1);
	if ((n = read(pair[1], buf, sizeof(buf))) <= 0 ||
	    send(pair[1], buf, (size_t)n, MSG_NOSIGNAL) != n)
		_exit(2);
	if (recv(pair[1], buf, sizeof(buf), MSG_DONTWAIT) != -1 || errno != EAGAIN)
		_exit(3);
	if (clock_gettime(CLOCK_REALTIME, &ts) == -1 || getpid() <= 0)
		_exit(4);
	/* A larger --max-frame's buffer. */
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED || munmap(p, 1 << 20) == -1)
		_exit(5);
	if (shutdown(pair[1], SHUT_WR) == -1 || close(pair[1]) == -1)
		_exit(6);
	if (write(STDERR_FILENO, "", 0) == -1)
		_exit(7);
}

Test(sandbox, what_echoing_needs_still_works)
{
	int status;

	cr_assert_eq(write(pair[0], "ping", 4), 4);
	status = confined(serve_pair);
	assert_exit_0(status);
	close(pair[1]);
	cr_assert_eq(read(pair[0], (char[8]){ 0 }, 8), 4);
	close(pair[0]);
}

static void
make_socket(void)
{
	socket(AF_INET, SOCK_STREAM, 0);
}

static void
exec_shell(void)
{
	char *const argv[] = { "sh", "-c", "exit 0", NULL };

	execve("/bin/sh", argv, NULL);
}

static void
do_fork(void)
{
	fork();
}

static void
open_file(void)
{
	open("/etc/passwd", O_RDONLY);
}

static void
map_code(void)
{
	mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
}

static void
make_code(void)
{
	static char page[4096] __attribute__((aligned(4096)));

	mprotect(page, sizeof(page), PROT_READ | PROT_EXEC);
}

/* The spawner's own clone, from libc's instruction instead of the page. */
static void
clone_sibling(void)
{
	syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
}

static void
dup_descriptor(void)
{
	dup(STDERR_FILENO);
}

static void
raw_setsockopt(void)
{
	int one = 1;

	setsockopt(pair[1], IPPROTO_TCP, 1, &one, sizeof(one));
}

Test(sandbox, anything_else_dies_of_sigsys)
{
	void (*forbidden[])(void) = { make_socket, exec_shell, do_fork,
	    clone_sibling, open_file, map_code, make_code, dup_descriptor,
	    raw_setsockopt };

	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		assert_sigsys(confined(forbidden[i]));
}

/*
 * A worker cannot clone as its spawner does: the page the spawner clones
 * from is gone from it, and no call can map code there again.
 */
static void
clone_from_the_page(void)
{
	sandbox_clone(getppid(), stack, sizeof(stack), run, 0);
	_exit(1);
}

Test(sandbox, a_worker_cannot_clone)
{
	int status = confined(clone_from_the_page);

	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
	    "status %#x", status);
}

/* The limits, from /proc while the confined child waits on pair. */
static void
wait_on_pair(void)
{
	char c;

	if (read(pair[1], &c, 1) != 1)
		_exit(1);
}

static bool
limit_is(pid_t pid, const char *name, const char *value)
{
	char path[64], line[256];
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	cr_assert_not_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, strlen(name)) == 0)
			ok = strncmp(line + strspn(line + strlen(name), " ") +
			    strlen(name), value, strlen(value)) == 0;
	fclose(f);
	return ok;
}

Test(sandbox, limits_are_set)
{
	int status;
	pid_t pid = spawn_worker(wait_on_pair);

	/* The worker is confined once it waits: its limits are set by then. */
	for (int i = 0; i < 200 && !limit_is(pid, "Max processes", "0 "); i++)
		usleep(10000);
	cr_assert(limit_is(pid, "Max core file size", "0 "));
	cr_assert(limit_is(pid, "Max processes", "0 "));
	cr_assert(limit_is(pid, "Max open files", "16 "));
	if (SANDBOX_LIMIT_AS)
		cr_assert(!limit_is(pid, "Max address space", "unlimited"));
	cr_assert_eq(write(pair[0], "x", 1), 1);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	assert_exit_0(status);
}

/* A runaway worker gets ENOMEM and EMFILE, not the machine's memory. */
static void
run_away(void)
{
	int n = 0;

	if (SANDBOX_LIMIT_AS && (mmap(NULL, 2 * SANDBOX_AS_BASE,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	    -1, 0) != MAP_FAILED || errno != ENOMEM))
		_exit(1);
	while (timerfd_create(CLOCK_MONOTONIC, 0) != -1)
		n++;
	if (errno != EMFILE || n >= SANDBOX_NOFILE)
		_exit(2);
}

Test(sandbox, limits_bound_a_runaway)
{
	assert_exit_0(confined(run_away));
}

/* An operator's lower limit stays: confinement never loosens one. */
Test(sandbox, lower_limits_are_kept)
{
	const struct rlimit eight = { 8, 8 };
	int status, n = 0;
	pid_t pid;

	cr_assert_eq(sandbox_prepare(&opts), 0);
	cr_assert_neq(pid = fork(), -1);
	if (pid == 0) {
		proc_keep_only(&pair[1], 1);
		if (setrlimit(RLIMIT_NOFILE, &eight) == -1 || sandbox_enter() == -1)
			_exit(100);
		while (timerfd_create(CLOCK_MONOTONIC, 0) != -1)
			n++;
		_exit(n == 4 ? 0 : 1);	/* 0-3 taken, 4-7 left */
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	assert_exit_0(status);
}

static char dir[64];
static int nrecords;

static void
report_many(void)
{
	char msg[64];

	for (int i = 0; i < nrecords; i++) {
		struct report r;

		snprintf(msg, sizeof(msg), "confined report %d", i);
		r = report_message(REPORT_INFO, getpid(), msg);
		log_report(&r);
	}
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* --report-dir: a confined worker appends and switches files. */
Test(sandbox, wrap_log_switches_files_confined)
{
	char path[128];
	struct stat st;
	int saved, devnull;

	strcpy(dir, "/tmp/tcpsup-sandbox-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	opts.report_dir = dir;
	cr_assert_eq(log_open_report_dir(dir, 4096, 3), 0, "%m");
	nrecords = 200;
	/* The reports on stderr would flood the test's output. */
	saved = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, STDERR_FILENO);
	assert_exit_0(confined(report_many));
	dup2(saved, STDERR_FILENO);
	for (int k = 1; k <= 3; k++) {
		snprintf(path, sizeof(path), "%s/%d", dir, k);
		cr_assert_eq(stat(path, &st), 0, "%s: %m", path);
	}
	/* Without --report-dir, the same writer may not open a file. */
	opts.report_dir = NULL;
	nrecords = 1;
	dup2(devnull, STDERR_FILENO);
	assert_sigsys(confined(report_many));
	dup2(saved, STDERR_FILENO);
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

/*
 * --report-dir: files beneath it can be made, elsewhere not even read
 * (Landlock), although the filter lets openat(2) through.
 */
static char outside[64];

static void
touch_both_sides(void)
{
	char inside[128];
	int fd;

	snprintf(inside, sizeof(inside), "%s/made-inside", dir);
	if ((fd = open(inside, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		_exit(1);
	close(fd);
	if (open(outside, O_WRONLY | O_CREAT | O_EXCL, 0600) != -1 ||
	    errno != EACCES)
		_exit(2);
	if (open("/etc/hostname", O_RDONLY) != -1 || errno != EACCES)
		_exit(3);
}

Test(sandbox, report_dir_is_the_only_place_files_are_reachable)
{
	struct stat st;
	char path[128];

	strcpy(dir, "/tmp/tcpsup-sandbox-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(outside, sizeof(outside), "%s-outside", dir);
	opts.report_dir = dir;
	assert_exit_0(confined(touch_both_sides));
	snprintf(path, sizeof(path), "%s/made-inside", dir);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_neq(stat(outside, &st), 0);
	unlink(outside);
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

Test(sandbox, no_sandbox_confines_nothing)
{
	opts.sandbox = false;
	assert_exit_0(confined(make_socket));
	assert_exit_0(confined(exec_shell));
}

Test(sandbox, a_seccomp_kill_is_reported_as_sigsys)
{
	int status;

	status = confined(make_socket);
	assert_sigsys(status);
	cr_assert_str_eq(reason_from_status(status, false).text,
	    "{signal,'SIGSYS'}");
}
