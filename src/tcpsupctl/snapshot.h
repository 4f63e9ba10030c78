/*
 * snapshot.h -- one look at a running tree, for tree and top: what the
 * tree knows (its supervisors, their children, restart types, states,
 * counters, last reports) asked over the control socket, and what the
 * kernel knows (titles, CPU time, RSS, uptime, peers) read from /proc.
 */
#ifndef TCPSUPCTL_SNAPSHOT_H
#define TCPSUPCTL_SNAPSHOT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Supervisors below the root asked for their children, at most. */
#define SNAP_DEPTH_MAX	8
/* Reports kept from the stats reply, the newest ones. */
#define SNAP_REPORTS_MAX	16

struct snap_proc {
	/* What the tree says. */
	char		 id[64];	/* child id; the root's name */
	char		 pidword[16];	/* undefined, restarting: no pid */
	pid_t		 pid;		/* 0 when not running */
	char		 type[16];	/* worker, supervisor */
	char		 restart[16];	/* permanent ... temporary, "-" */
	long		 restarts;	/* times restarted; -1 for the root */
	char		 state[32];	/* the role's word, or "-" */

	/* What the kernel says, when have_proc. */
	bool		 have_proc;
	pid_t		 ppid;
	char		 title[128];	/* the cmdline as ps shows it */
	char		 peer[64];	/* a worker's client, or "" */
	double		 cpu;		/* user + system seconds */
	double		 uptime;	/* seconds since it started */
	uint64_t	 rss_kib;

	/* A supervisor that answered `children` (is_sup), or why not. */
	bool		 is_sup;
	char		 sup_error[32];	/* the error term, or "" */
	char		 strategy[24];
	long		 intensity;
	long		 period;
	long		 sup_restarts;	/* restarts it made, in its window */
	struct snap_proc *children;	/* static ones in start order */
	size_t		 nchildren;
};

struct snap_report {
	char	time[32];
	char	kind[32];
	char	pid[16];
	char	text[256];
};

struct snapshot {
	struct snap_proc	 root;
	char			 listen[64];
	char			 version[32];
	uint64_t		 accepted;	/* connections so far */
	uint64_t		 forks;		/* processes started so far */
	uint64_t		 clients;	/* connections being served */
	uint64_t		 restarts;	/* restarts made so far */
	uint64_t		 reports;	/* reports written so far */
	struct snap_report	 last[SNAP_REPORTS_MAX]; /* oldest first */
	size_t			 nlast;
};

/*
 * Take a snapshot: ask `stats`, the root's `children`, and the children of
 * every supervisor below it that runs (one that does not answer is kept
 * with sup_error set), each within timeout_ms, then read /proc. Returns
 * 0, or tcpsupctl's exit status with why saying what went wrong in one
 * line: 1 for an error reply, EX_UNAVAILABLE when no daemon answers, and
 * the others of client_why(). Free with snapshot_free, also after a
 * failure.
 */
int	snapshot_take(const char *ctlpath, int timeout_ms, struct snapshot *,
	    char *why, size_t whysize);
void	snapshot_free(struct snapshot *);

/*
 * The pure parts, for the unit suite: fill a snapshot from the records
 * of a `stats` reply, and a supervisor from the records of its `children`
 * reply. Both take the reply's records text and modify it in place; -1
 * on a record that is not what the protocol says.
 */
int	snapshot_parse_stats(struct snapshot *, char *records);
int	snapshot_parse_children(struct snap_proc *sup, char *records);

/*
 * Fill one process's kernel fields from the text of its /proc/PID/stat
 * and cmdline, given the system's uptime, clock ticks per second and page
 * size; -1 if stat is not for proc->pid. A worker's peer is the client its
 * title names, if it names one.
 */
int	snapshot_proc_fill(struct snap_proc *, const char *stat,
	    const char *cmdline, size_t cmdlen, double sys_uptime, long hz,
	    long pagesize);

#endif
