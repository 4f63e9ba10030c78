/*
 * procfs.h -- what the kernel knows about a process and its sockets, parsed
 * from the text of /proc files. Pure: the callers read the files, these
 * functions only take their text apart, so that every odd case (a comm
 * with spaces and parentheses, an IPv6 peer) is unit-tested.
 */
#ifndef TCPSUPCTL_PROCFS_H
#define TCPSUPCTL_PROCFS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* The fields of /proc/PID/stat a tree view needs, in the kernel's units. */
struct procfs_stat {
	pid_t		pid;
	pid_t		ppid;
	char		state;		/* R, S, Z, ... */
	uint64_t	utime;		/* clock ticks */
	uint64_t	stime;		/* clock ticks */
	uint64_t	starttime;	/* clock ticks after boot */
	uint64_t	rss;		/* pages */
};

/* Parse /proc/PID/stat; -1 if text is not one. */
int	procfs_stat_parse(const char *text, struct procfs_stat *);

/* The first field of /proc/uptime, in seconds; -1 if text is not one. */
int	procfs_uptime_parse(const char *text, double *seconds);

/*
 * /proc/PID/cmdline (len bytes, NUL-separated arguments) as ps shows it:
 * arguments joined by spaces, trailing NULs dropped, and every byte that
 * is not printable ASCII shown as '?', so that the title is as many
 * columns wide as it is bytes long in any locale.
 */
void	procfs_cmdline_title(const char *cmdline, size_t len, char *buf,
	    size_t size);

/* The inode of a /proc/PID/fd/N link text "socket:[N]"; 0 if not one. */
uint64_t procfs_socket_inode(const char *link);

/* One socket of /proc/net/tcp or /proc/net/tcp6. */
struct procfs_tcp {
	uint64_t	inode;
	unsigned	state;		/* TCP_ESTABLISHED, TCP_LISTEN, ... */
	char		local[64];	/* "127.0.0.1:2222", "[::1]:2222" */
	char		remote[64];
};

/*
 * Parse one line of /proc/net/tcp (family AF_INET) or /proc/net/tcp6
 * (AF_INET6). -1 for the heading line and anything else that is not a
 * socket.
 */
int	procfs_tcp_parse(const char *line, int family, struct procfs_tcp *);

#endif
