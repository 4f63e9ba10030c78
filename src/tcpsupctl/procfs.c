/*
 * procfs.c -- /proc/PID/stat, /proc/uptime, /proc/PID/cmdline and
 * /proc/net/tcp{,6} taken apart. Pure: no file is opened here, and no
 * input, however odd, is trusted to be well formed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"

int
procfs_stat_parse(const char *text, struct procfs_stat *st)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	char *end;
	long pid;
	int ppid;

	/* comm is whatever the process named itself: only its ends are sure. */
	if (open == NULL || close == NULL || close < open)
		return -1;
	pid = strtol(text, &end, 10);
	if (end == text || *end != ' ' || end + 1 != open || pid <= 0)
		return -1;
	memset(st, 0, sizeof(*st));
	st->pid = (pid_t)pid;
	/*
	 * After comm: state ppid pgrp session tty_nr tpgid flags minflt
	 * cminflt majflt cmajflt utime stime cutime cstime priority nice
	 * num_threads itrealvalue starttime vsize rss.
	 */
	if (sscanf(close + 1, " %c %d %*s %*s %*s %*s %*s %*s %*s %*s %*s"
	    " %" SCNu64 " %" SCNu64 " %*s %*s %*s %*s %*s %*s %" SCNu64
	    " %*s %" SCNu64, &st->state, &ppid, &st->utime, &st->stime,
	    &st->starttime, &st->rss) != 6)
		return -1;
	st->ppid = ppid;
	return 0;
}

int
procfs_uptime_parse(const char *text, double *seconds)
{
	char *end;

	*seconds = strtod(text, &end);
	return end != text && *seconds >= 0 ? 0 : -1;
}

void
procfs_cmdline_title(const char *cmdline, size_t len, char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return;
	while (len > 0 && (cmdline[len - 1] == '\0' || cmdline[len - 1] == ' '))
		len--;
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		unsigned char c = (unsigned char)cmdline[i];

		buf[n++] = c == '\0' ? ' ' : c >= 0x20 && c < 0x7f ? (char)c :
		    '?';
	}
	buf[n] = '\0';
}

uint64_t
procfs_socket_inode(const char *link)
{
	uint64_t inode;
	int end = 0;

	if (sscanf(link, "socket:[%" SCNu64 "]%n", &inode, &end) != 1 ||
	    link[end] != '\0')
		return 0;
	return inode;
}

/*
 * The kernel prints an address as the 32-bit words it holds, each with
 * %08X: read each word back as a number and store it as it was stored.
 */
static int
hex_words(const char *hex, void *out, size_t nwords)
{
	char word[9];
	uint32_t w;

	if (strlen(hex) != nwords * 8)
		return -1;
	for (size_t i = 0; i < nwords; i++) {
		memcpy(word, hex + i * 8, 8);
		word[8] = '\0';
		w = (uint32_t)strtoul(word, NULL, 16);
		memcpy((char *)out + i * 4, &w, 4);
	}
	return 0;
}

static int
format_endpoint(const char *hex, unsigned port, int family, char *buf,
    size_t size)
{
	struct in6_addr a6;
	struct in_addr a4;
	char host[INET6_ADDRSTRLEN];

	if (port > 65535)
		return -1;
	if (family == AF_INET) {
		if (hex_words(hex, &a4, 1) == -1 ||
		    inet_ntop(AF_INET, &a4, host, sizeof(host)) == NULL)
			return -1;
		snprintf(buf, size, "%s:%u", host, port);
	} else {
		if (hex_words(hex, &a6, 4) == -1 ||
		    inet_ntop(AF_INET6, &a6, host, sizeof(host)) == NULL)
			return -1;
		snprintf(buf, size, "[%s]:%u", host, port);
	}
	return 0;
}

int
procfs_tcp_parse(const char *line, int family, struct procfs_tcp *t)
{
	char local[33], remote[33];
	unsigned lport, rport;

	if (family != AF_INET && family != AF_INET6)
		return -1;
	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (sscanf(line, " %*u: %32[0-9A-Fa-f]:%x %32[0-9A-Fa-f]:%x %x %*s"
	    " %*s %*s %*s %*s %" SCNu64, local, &lport, remote, &rport,
	    &t->state, &t->inode) != 6)
		return -1;
	if (format_endpoint(local, lport, family, t->local,
	    sizeof(t->local)) == -1 ||
	    format_endpoint(remote, rport, family, t->remote,
	    sizeof(t->remote)) == -1)
		return -1;
	return 0;
}
