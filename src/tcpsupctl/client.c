/*
 * client.c -- tcpsupctl's side of the control socket: connect, send one
 * request, read the reply to its "end" line, all under one deadline.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

/* A reply larger than this is not from tcpsup. */
#define CLIENT_REPLY_MAX	(64 * 1024 * 1024)

int64_t
client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until deadline; -1 with ETIMEDOUT past it. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = events };
	int64_t left = deadline - client_now_ms();
	int n;

	if (left <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	while ((n = poll(&pfd, 1, (int)left)) == -1 && errno == EINTR)
		;
	if (n == 0)
		errno = ETIMEDOUT;
	return n == 1 ? 0 : -1;
}

static int
connect_to(const char *path, int64_t deadline)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, e;

	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	/* A full backlog: a busy daemon, which may still answer in time. */
	if (errno == EAGAIN && wait_fd(fd, POLLOUT, deadline) == 0 &&
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		return fd;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static int
send_all(int fd, const char *p, size_t len, int64_t deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n == -1 && errno == EAGAIN) {
			if (wait_fd(fd, POLLOUT, deadline) == -1)
				return -1;
		} else if (n == -1 && errno != EINTR) {
			return -1;
		}
	}
	return 0;
}

static int
read_all(int fd, struct client_reply *r, int64_t deadline)
{
	size_t cap = 4096;

	if ((r->text = malloc(cap)) == NULL)
		return -1;
	for (;;) {
		ssize_t n;

		if (r->len + 1 == cap) {
			char *p = cap >= CLIENT_REPLY_MAX ? NULL :
			    realloc(r->text, cap * 2);

			if (p == NULL) {
				errno = cap >= CLIENT_REPLY_MAX ? EPROTO : ENOMEM;
				return -1;
			}
			r->text = p;
			cap *= 2;
		}
		n = read(fd, r->text + r->len, cap - r->len - 1);
		if (n > 0)
			r->len += (size_t)n;
		else if (n == 0)
			break;
		else if (errno == EAGAIN) {
			if (wait_fd(fd, POLLIN, deadline) == -1)
				return -1;
		} else if (errno != EINTR) {
			return -1;
		}
	}
	r->text[r->len] = '\0';
	return 0;
}

/* Every record line has a tag and at most CTL_FIELD_MAX fields. */
static bool
records_well_formed(const char *p)
{
	while (*p != '\0') {
		size_t len = strcspn(p, "\n"), tabs = 0;

		if (len == 0 || p[0] == '\t')
			return false;
		for (size_t i = 0; i < len; i++)
			tabs += p[i] == '\t';
		if (tabs > CTL_FIELD_MAX)
			return false;
		p += len + (p[len] == '\n');
	}
	return true;
}

/*
 * Check the status line, every record and the "end" line; split off the
 * records. A reply with one malformed line is malformed as a whole, so
 * that nothing is dropped without a word.
 */
static int
parse_reply(struct client_reply *r)
{
	char *nl;

	if (r->len < 4 || memchr(r->text, '\0', r->len) != NULL ||
	    strcmp(r->text + r->len - 4, "end\n") != 0 ||
	    (r->len > 4 && r->text[r->len - 5] != '\n') ||
	    (nl = strchr(r->text, '\n')) == r->text + r->len - 1) {
		errno = EPROTO;
		return -1;
	}
	*nl = '\0';
	r->records = nl + 1;
	r->text[r->len - 4] = '\0';	/* drop "end\n" */
	if (!records_well_formed(r->records)) {
		errno = EPROTO;
		return -1;
	}
	if (strcmp(r->text, "ok") == 0)
		r->error = NULL;
	else if (strncmp(r->text, "error\t", 6) == 0 && r->text[6] != '\0')
		r->error = r->text + 6;
	else {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int
client_call(const char *path, const struct ctl_request *req,
    struct client_reply *r, int timeout_ms)
{
	char line[CTL_REQUEST_MAX + 1];
	int64_t deadline = client_now_ms() + timeout_ms;
	int fd, len, e;

	memset(r, 0, sizeof(*r));
	if ((len = ctl_request_format(req, line, sizeof(line))) == -1) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = connect_to(path, deadline)) == -1)
		return -1;
	if (send_all(fd, line, (size_t)len, deadline) == -1 ||
	    read_all(fd, r, deadline) == -1 || parse_reply(r) == -1) {
		e = errno;
		close(fd);
		client_reply_free(r);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

int
client_next_record(char **cursor, struct ctl_record *rec)
{
	char *line = *cursor, *nl;

	while (line != NULL && *line != '\0') {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		*cursor = nl;
		if (ctl_record_parse(line, rec) == 0)
			return 1;
		line = nl;
	}
	*cursor = NULL;
	return 0;
}

void
client_reply_free(struct client_reply *r)
{
	free(r->text);
	memset(r, 0, sizeof(*r));
}

/* client_call failed with errno e. */
static int
call_failed(const char *path, int timeout_ms, int e, char *buf, size_t size)
{
	switch (e) {
	case ETIMEDOUT:
		snprintf(buf, size, "no answer from %s within %d ms", path,
		    timeout_ms);
		return EX_UNAVAILABLE;
	case EACCES:
	case EPERM:
		snprintf(buf, size, "%s: %s", path, strerror(e));
		return EX_NOPERM;
	case EPROTO:
		snprintf(buf, size, "%s: the reply was cut short or malformed",
		    path);
		return EX_PROTOCOL;
	case ENOMEM:
		snprintf(buf, size, "%s", strerror(e));
		return EX_OSERR;
	}
	snprintf(buf, size, "no tcpsup answers at %s: %s", path, strerror(e));
	return EX_UNAVAILABLE;
}

int
client_why(const char *path, int timeout_ms, const struct ctl_request *req,
    int e, const char *error, char *buf, size_t size)
{
	buf[0] = '\0';
	if (error == NULL)
		return call_failed(path, timeout_ms, e, buf, size);
	/* The request never reached a supervisor. */
	if (strcmp(error, "eacces") == 0) {
		snprintf(buf, size, "tcpsup at %s refuses uid %lu", path,
		    (unsigned long)getuid());
		return EX_NOPERM;
	}
	if (strcmp(error, "busy") == 0) {
		snprintf(buf, size, "tcpsup at %s is too busy to answer; "
		    "try again", path);
		return EX_UNAVAILABLE;
	}
	if (strcmp(error, "badrequest") == 0) {
		snprintf(buf, size, "tcpsup at %s does not understand %s "
		    "(protocol %d)", path, ctl_verb_name(req->verb), CTL_VERSION);
		return EX_PROTOCOL;
	}
	return 0;
}
