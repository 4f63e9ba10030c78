/*
 * proc.c -- linked forks, process titles and descriptor hygiene.
 */
#include <sys/prctl.h>

#include <err.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

pid_t
proc_fork_linked(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		_exit(127);
	/* The parent may have died before prctl: then nobody would kill us. */
	if (getppid() != parent)
		_exit(127);
	return 0;
}

void
proc_block_signals(sigset_t *blocked)
{
	sigemptyset(blocked);
	sigaddset(blocked, SIGCHLD);
	sigaddset(blocked, SIGTERM);
	sigaddset(blocked, SIGINT);
	sigaddset(blocked, SIGHUP);
	if (sigprocmask(SIG_BLOCK, blocked, NULL) == -1)
		err(1, "sigprocmask");
}

void
proc_unblock_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
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
}

void
proc_keep_only(const int *fds, int n)
{
	int tmp[8];

	if (n > 8)
		errx(1, "%s: too many descriptors", __func__);
	/* Above every target first, so that no dup2 clobbers a source. */
	for (int i = 0; i < n; i++)
		if ((tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3 + n)) == -1)
			err(1, "%s: fcntl", __func__);
	for (int i = 0; i < n; i++)
		if (dup2(tmp[i], 3 + i) == -1)
			err(1, "%s: dup2", __func__);
	closefrom(3 + n);
}

int64_t
proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
