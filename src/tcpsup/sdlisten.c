/*
 * sdlisten.c -- systemd socket activation (see sdlisten.h). Parsing is
 * pure; sdlisten_take() checks and keeps the descriptor. It never binds:
 * with activation, the socket is systemd's, whatever --listen says.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdlisten.h"

static long
decimal(const char *s, long min, long max)
{
	const char *errstr;
	long long v;

	if (s == NULL)
		return -1;
	v = strtonum(s, min, max, &errstr);
	return errstr != NULL ? -1 : (long)v;
}

/* Which of n colon-separated names is SDLISTEN_NAME; -1 if none. */
static int
find_name(const char *names, int n)
{
	size_t want = strlen(SDLISTEN_NAME);
	const char *p = names;

	for (int i = 0; i < n && p != NULL; i++) {
		const char *colon = strchr(p, ':');
		size_t len = colon != NULL ? (size_t)(colon - p) : strlen(p);

		if (len == want && strncmp(p, SDLISTEN_NAME, want) == 0)
			return i;
		p = colon != NULL ? colon + 1 : NULL;
	}
	return -1;
}

int
sdlisten_parse(const char *listen_pid, const char *listen_fds,
    const char *listen_fdnames, pid_t self, int *index, char *why,
    size_t whysize)
{
	long pid, n;

	*index = -1;
	if (listen_pid == NULL)
		return 0;
	if ((pid = decimal(listen_pid, 1, INT32_MAX)) == -1) {
		snprintf(why, whysize, "LISTEN_PID '%s': not a pid", listen_pid);
		return -1;
	}
	if (pid != (long)self)
		return 0;	/* meant for a process we descend from */
	if ((n = decimal(listen_fds, 0, SDLISTEN_MAX_FDS)) == -1) {
		snprintf(why, whysize, "LISTEN_FDS '%s': expected 0 to %d",
		    listen_fds != NULL ? listen_fds : "", SDLISTEN_MAX_FDS);
		return -1;
	}
	if (n == 0) {
		snprintf(why, whysize, "LISTEN_FDS 0: no socket passed");
		return -1;
	}
	if (listen_fdnames != NULL && (*index = find_name(listen_fdnames,
	    (int)n)) != -1)
		return (int)n;
	if (n > 1) {
		snprintf(why, whysize, "LISTEN_FDS %ld: several sockets and none"
		    " named '%s' in LISTEN_FDNAMES '%s'", n, SDLISTEN_NAME,
		    listen_fdnames != NULL ? listen_fdnames : "");
		return -1;
	}
	*index = 0;
	return 1;
}

/* A TCP socket, listening: what --listen would have bound. */
static int
check_socket(int fd, char *why, size_t whysize)
{
	int type = 0, listening = 0;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(type), alen = sizeof(ss);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &alen) == -1) {
		snprintf(why, whysize, "socket %d from systemd: %s", fd,
		    strerror(errno));
		return -1;
	}
	len = sizeof(listening);
	if (type != SOCK_STREAM || (ss.ss_family != AF_INET &&
	    ss.ss_family != AF_INET6) || getsockopt(fd, SOL_SOCKET,
	    SO_ACCEPTCONN, &listening, &len) == -1 || !listening) {
		snprintf(why, whysize, "socket %d from systemd: not a listening"
		    " TCP socket (ListenStream= an address or a port)", fd);
		return -1;
	}
	return 0;
}

/* The listener's accept loop drains until EAGAIN; workers keep alive. */
static int
prepare_socket(int fd, char *why, size_t whysize)
{
	int flags, one = 1;

	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) == -1) {
		snprintf(why, whysize, "socket %d from systemd: %s", fd,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
sdlisten_take(int *fd, char *why, size_t whysize)
{
	int n, index;

	*fd = -1;
	n = sdlisten_parse(getenv("LISTEN_PID"), getenv("LISTEN_FDS"),
	    getenv("LISTEN_FDNAMES"), getpid(), &index, why, whysize);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	for (int i = 0; i < n; i++) {
		int passed = SDLISTEN_FDS_START + i;

		if (i == index)
			*fd = passed;
		else
			close(passed);
	}
	if (n <= 0)
		return n;
	if (fcntl(*fd, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(why, whysize, "socket %d from systemd: %s", *fd,
		    strerror(errno));
		return -1;
	}
	if (check_socket(*fd, why, whysize) == -1 ||
	    prepare_socket(*fd, why, whysize) == -1) {
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 1;
}
