/*
 * proc.c -- linked forks, process titles, descriptor hygiene, and what a
 * process that forks all the time gives up: rseq.
 */
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include <err.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "log.h"
#include "proc.h"

/* The argument area /proc/PID/cmdline shows: argv's strings, end to end. */
static char	*args_start, *args_end;

pid_t
proc_fork_linked(void)
{
	pid_t parent = getpid();
	/*
	 * Not fork(): glibc's cannot choose the exit signal. A clone of our
	 * own runs no fork handlers, and the one this child needs is called
	 * by hand: glibc's others reset locks a single thread never holds.
	 */
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)PROC_EXIT_SIGNAL,
	    NULL, NULL, NULL, 0UL);

	if (pid != 0)
		return pid;
	arena_forget();
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		_exit(127);
	/* The parent may have died before prctl: then nobody would kill us. */
	if (getppid() != parent)
		_exit(127);
	return 0;
}

void
proc_std_open(void)
{
	int fd;

	for (int want = 0; want <= 2; want++) {
		if (fcntl(want, F_GETFD) != -1)
			continue;
		if ((fd = open("/dev/null", O_RDWR)) == -1)
			err(EX_OSERR, "/dev/null");
		/* The lowest free descriptor: want itself, as 0..want-1 are open. */
		if (fd != want)
			errx(EX_OSERR, "/dev/null opened as %d, not %d", fd, want);
	}
}

void
proc_reset_signals(void)
{
	const int relied_on[] = {
		SIGCHLD, PROC_EXIT_SIGNAL, SIGTERM, SIGINT, SIGHUP,
	};
	const int timers[] = { ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF };
	const struct itimerval off = { 0 };

	for (size_t i = 0; i < sizeof(relied_on) / sizeof(relied_on[0]); i++)
		signal(relied_on[i], SIG_DFL);
	/* An alarm set before exec would still come, and kill the root. */
	for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
		setitimer(timers[i], &off, NULL);
	proc_unblock_signals();
}

void
proc_block_signals(sigset_t *blocked)
{
	sigemptyset(blocked);
	sigaddset(blocked, SIGCHLD);
	sigaddset(blocked, PROC_EXIT_SIGNAL);
	sigaddset(blocked, SIGTERM);
	sigaddset(blocked, SIGINT);
	sigaddset(blocked, SIGHUP);
	if (sigprocmask(SIG_BLOCK, blocked, NULL) == -1)
		log_err(1, "sigprocmask");
}

void
proc_unblock_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void
proc_title_init(int argc, char *argv[], char *envp[])
{
	if (argc > 0) {
		args_start = argv[0];
		args_end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
	}
	setproctitle_init(argc, argv, envp);
}

/*
 * Name the process after the first word of its title, as top(1), pgrep
 * without -f, the OOM killer's messages and valgrind's children (whose
 * titles nobody sees) show it. Each time, with no copy of the name kept
 * to compare: a worker would have to write that copy into a page it
 * shares with its spawner, and pay for a private one (BENCH.md).
 */
static void
proc_name(const char *title)
{
	char name[16];
	size_t len = strcspn(title, " ");

	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, title, len);
	name[len] = '\0';
	prctl(PR_SET_NAME, name);
}

/*
 * libbsd writes the title over the arguments, zeroes what follows, and
 * marks where argv[0] ended with a '.' (or, for a title exactly that long,
 * appends a blank). While the last byte of the argument area is NUL, the
 * kernel shows the whole area, which ps(1) prints with blanks for NULs:
 * "title      ." after a long path or several arguments. Once that byte is
 * not NUL, it shows the title up to its first NUL (fs/proc/base.c,
 * get_mm_cmdline). So: end the title with a NUL, and make the last byte of
 * the area anything else. A title that reaches past the area ends it with
 * one of its own bytes already.
 */
static void
title_fit(size_t len)
{
	if (args_start == NULL || len >= (size_t)(args_end - args_start))
		return;
	args_start[len] = '\0';
	/* Test first: that byte may sit in a page this process never wrote. */
	if (args_start + len + 1 < args_end && args_end[-1] == '\0')
		args_end[-1] = '.';
}

void
proc_title(const char *fmt, ...)
{
	char title[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(title, sizeof(title), fmt, ap);
	va_end(ap);
	setproctitle("-tcpsup: %s", title);
	title_fit(strlen("tcpsup: ") + strlen(title));
	proc_name(title);
}

void
proc_keep_only(const int *fds, int n)
{
	int tmp[8];

	if (n > 8)
		log_errx(1, "%s: too many descriptors", __func__);
	/* Above every target first, so that no dup2 clobbers a source. */
	for (int i = 0; i < n; i++)
		if ((tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3 + n)) == -1)
			log_err(1, "%s: fcntl", __func__);
	for (int i = 0; i < n; i++)
		if (dup2(tmp[i], 3 + i) == -1)
			log_err(1, "%s: dup2", __func__);
	closefrom(3 + n);
}

void
proc_rseq_off(void)
{
	/*
	 * glibc registers the area with this signature, and with a length
	 * of at least the original 32 bytes even where __rseq_size, the part
	 * the kernel fills in, is less (20 on Linux 6.x).
	 */
	const unsigned int orig = 32;

	if (__rseq_size > 0)
		syscall(SYS_rseq, (char *)__builtin_thread_pointer() +
		    __rseq_offset, __rseq_size < orig ? orig : __rseq_size,
		    RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
}

int
proc_sched_batch(void)
{
	const struct sched_param param = { .sched_priority = 0 };
	int policy;

	if ((policy = sched_getscheduler(0)) == -1)
		return -1;
	if ((policy & ~SCHED_RESET_ON_FORK) != SCHED_OTHER)
		return 0;
	return sched_setscheduler(0, SCHED_BATCH |
	    (policy & SCHED_RESET_ON_FORK), &param);
}

int64_t
proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
