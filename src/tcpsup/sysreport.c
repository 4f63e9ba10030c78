/*
 * sysreport.c -- reports to syslog (see sysreport.h). The facility
 * names, priorities and the datagram's layout are pure; the socket is
 * opened once in the root and shared by every process, which sends with
 * sendto(2) (the only call the workers' filter lets through) so that a
 * syslog daemon restarted meanwhile is found again at its path. It never
 * blocks and never fails the caller.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "sysreport.h"

static int sys_fd = -1;
static int sys_facility = LOG_DAEMON;
static struct sockaddr_un sys_addr = {
	.sun_family = AF_UNIX,
	.sun_path = SYSREPORT_PATH,
};

static const struct {
	const char	*name;
	int		 facility;
} facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "cron", LOG_CRON }, { "daemon", LOG_DAEMON }, { "ftp", LOG_FTP },
	{ "lpr", LOG_LPR }, { "mail", LOG_MAIL }, { "news", LOG_NEWS },
	{ "syslog", LOG_SYSLOG }, { "user", LOG_USER }, { "uucp", LOG_UUCP },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

int
sysreport_facility(const char *name)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcmp(name, facilities[i].name) == 0)
			return facilities[i].facility;
	return -1;
}

int
sysreport_priority(const struct report *r)
{
	switch (r->kind) {
	case REPORT_SUPERVISOR:
	case REPORT_ERROR:
		return LOG_ERR;
	case REPORT_WARNING:
		return LOG_WARNING;
	case REPORT_PROGRESS:
	case REPORT_INFO:
		break;
	}
	return LOG_INFO;
}

size_t
sysreport_format(char *buf, size_t size, int facility, const struct report *r,
    const struct tm *tm, pid_t pid, const char *json, size_t jsonlen)
{
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int n;

	while (jsonlen > 0 && json[jsonlen - 1] == '\n')
		jsonlen--;
	/* RFC 3164: the day of the month space-padded, the time local. */
	n = snprintf(buf, size, "<%d>%s %2d %02d:%02d:%02d tcpsup[%ld]: %.*s",
	    facility | sysreport_priority(r), months[tm->tm_mon % 12],
	    tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec, (long)pid,
	    (int)jsonlen, json);
	if (n < 0)
		return 0;
	return (size_t)n < size ? (size_t)n : size - 1;
}

int
sysreport_open(int facility)
{
	if ((sys_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	sys_facility = facility;
	return 0;
}

bool
sysreport_enabled(void)
{
	return sys_fd != -1;
}

int
sysreport_fd(void)
{
	return sys_fd;
}

void
sysreport_moved(int fd)
{
	sys_fd = fd;
}

void
sysreport_send(const struct report *r, const struct tm *tm, const char *json,
    size_t jsonlen)
{
	char buf[REPORT_BUFSIZE + 64];
	size_t len;

	if (sys_fd == -1)
		return;
	len = sysreport_format(buf, sizeof(buf), sys_facility, r, tm,
	    getpid(), json, jsonlen);
	while (sendto(sys_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&sys_addr, sizeof(sys_addr)) == -1 &&
	    errno == EINTR)
		;
}
