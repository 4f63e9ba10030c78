/*
 * sdnotify.c -- systemd's readiness protocol (see sdnotify.h). The
 * parsing is pure; sdnotify_open() and sdnotify_send() are the thin I/O.
 * It must never block the root: the socket is non-blocking, and a
 * datagram the manager cannot take is dropped.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdnotify.h"

static int notify_fd = -1;
static struct sockaddr_un notify_addr;
static socklen_t notify_len;

int
sdnotify_addr(const char *name, struct sockaddr_un *sun, socklen_t *len)
{
	size_t n;

	if (name == NULL || (name[0] != '/' && name[0] != '@'))
		return -1;
	n = strlen(name);
	if (n < 2 || n > sizeof(sun->sun_path))
		return -1;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, name, n);
	/* An abstract name is as long as it is: no NUL ends it. */
	if (name[0] == '@') {
		sun->sun_path[0] = '\0';
	} else if (n == sizeof(sun->sun_path)) {
		return -1;	/* no room for the path's NUL */
	}
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (name[0] == '/'));
	return 0;
}

/* A decimal without sign or junk, in [1, max]; 0 if not. */
static unsigned long long
positive(const char *s, unsigned long long max)
{
	unsigned long long v;
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return 0;
	return v;
}

uint64_t
sdnotify_watchdog_usec(const char *usec, const char *pid, pid_t self)
{
	if (pid != NULL && positive(pid, INT32_MAX) != (unsigned long long)self)
		return 0;
	return positive(usec, UINT64_MAX);
}

size_t
sdnotify_status(char *buf, size_t size, uint64_t clients, uint64_t restarts,
    const char *bound)
{
	int n = snprintf(buf, size, "STATUS=Serving %" PRIu64 " connection%s"
	    " on %s; %" PRIu64 " restart%s so far", clients,
	    clients == 1 ? "" : "s", bound, restarts, restarts == 1 ? "" : "s");

	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

int
sdnotify_open(uint64_t *watchdog_usec)
{
	const char *name = getenv("NOTIFY_SOCKET");

	*watchdog_usec = sdnotify_watchdog_usec(getenv("WATCHDOG_USEC"),
	    getenv("WATCHDOG_PID"), getpid());
	if (sdnotify_addr(name, &notify_addr, &notify_len) == 0)
		notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (notify_fd == -1)
		*watchdog_usec = 0;
	return notify_fd != -1;
}

void
sdnotify_send(const char *message)
{
	if (notify_fd == -1)
		return;
	while (sendto(notify_fd, message, strlen(message), MSG_NOSIGNAL,
	    (struct sockaddr *)&notify_addr, notify_len) == -1 &&
	    errno == EINTR)
		;
}
