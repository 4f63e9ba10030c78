/*
 * options.h -- tcpsup's command line, parsed into a plain struct. Pure
 * apart from getopt's own state; main() prints and exits.
 */
#ifndef TCPSUP_OPTIONS_H
#define TCPSUP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "frame.h"
#include "report.h"

/* Shutdown specs other than a timeout in milliseconds. */
#define SHUTDOWN_BRUTAL_KILL	(-1)
#define SHUTDOWN_INFINITY	(-2)

/* --idle-timeout infinity, --frame-timeout infinity */
#define IDLE_INFINITY		0

/* --env given at most this many times. */
#define OPTIONS_MAX_ENV		64

/* The limits --rlimit sets on a program, by the names it takes. */
enum options_rlimit {
	OPTIONS_RLIMIT_AS, OPTIONS_RLIMIT_CPU, OPTIONS_RLIMIT_NOFILE,
	OPTIONS_RLIMIT_NPROC, OPTIONS_RLIMIT_CORE, OPTIONS_RLIMITS
};

/* --rlimit NAME=unlimited */
#define OPTIONS_RLIM_INFINITY	(-1LL)
/* The largest value --rlimit takes, after a K, M or G suffix. */
#define OPTIONS_RLIM_MAX	(1LL << 50)

/* as, cpu, nofile, nproc, core */
extern const char *const options_rlimit_names[OPTIONS_RLIMITS];

struct options {
	struct addr		listen;
	enum frame_mode		packet;
	size_t			max_frame;
	int			idle_timeout;	/* seconds, or IDLE_INFINITY */
	int			frame_timeout;	/* seconds from a frame's first byte to its last */
	int			intensity;
	int			period;		/* seconds */
	int			shutdown;	/* ms, or SHUTDOWN_* */
	int			backlog;
	int			spares;		/* idle workers kept forked */
	int			reuse;		/* connections per worker after its first */
	int			max_clients;	/* 0: no limit */
	int			max_per_ip;	/* connections at once per address, 0: no limit */
	int			max_per_ip_prefix6;	/* bits of an IPv6 address that make one address */
	bool			sandbox;	/* confine workers (sandbox.h) */
	bool			sched_batch;	/* --sched batch */
	bool			reuseport;	/* SO_REUSEPORT: trees share a port */
	bool			proxy_protocol;	/* a PROXY header starts each connection */
	enum report_format	log_format;
	const char		*control;	/* socket path, NULL: the default, "" none */
	const char		*report_dir;	/* wrap log of every report, or NULL */
	const char		*user;		/* --user: drop root to it, or NULL */
	const char		*group;		/* --group, or NULL: the user's */
	const char		*pidfile;	/* --pidfile, or NULL */
	int			 syslog_facility;	/* LOG_*, or -1: no --syslog */
	long long		 report_max_bytes;	/* per file */
	int			 report_max_files;
	/*
	 * --exec PROGRAM ARGS...: a program per connection instead of the
	 * echo worker. exec_argv points into argv, NULL-terminated.
	 */
	char *const		*exec_argv;	/* NULL: tcp_echo_fsm */
	int			 exec_argc;
	const char		*exec_path;	/* exec_argv[0] found in PATH, by main() */
	const char		*env[OPTIONS_MAX_ENV];	/* --env NAME=VALUE */
	int			 nenv;
	bool			 keep_env;
	int			 throttle_max;	/* --exec-throttle K/T: K failures */
	int			 throttle_secs;	/* within T seconds */
	long long		 rlimits[OPTIONS_RLIMITS];	/* -2: not set */
	int			 max_connection_time;	/* seconds, or IDLE_INFINITY */
	const char		*chdir;		/* or NULL */
};

/* An --rlimit not given: the program inherits tcp_client_sup's limit. */
#define OPTIONS_RLIM_UNSET	(-2LL)

enum options_result {
	OPTIONS_RUN,
	OPTIONS_HELP,
	OPTIONS_VERSION,
	OPTIONS_ERROR
};

/*
 * The tutorial's values (127.0.0.1:2222, {packet,2}, 120 s, 5 in 60 s),
 * but a backlog deep enough that a burst of connects is queued, not dropped.
 */
void	options_defaults(struct options *);

/*
 * Parse argv into opts (which starts from options_defaults). On
 * OPTIONS_ERROR, err holds one line saying what is wrong.
 */
enum options_result options_parse(int argc, char **argv, struct options *,
	    char *err, size_t errsize);

/* What the program is, in one line: the first of --help. */
extern const char options_summary[];

/* The usage text, for --help and after an error. */
extern const char options_usage[];

#endif
