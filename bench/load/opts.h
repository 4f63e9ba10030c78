/*
 * opts.h -- tcpsup-load's command line.
 */
#ifndef OPTS_H
#define OPTS_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#define NS_PER_MS	1000000ULL
#define NS_PER_S	1000000000ULL

enum load_mode { MODE_CHURN, MODE_ECHO, MODE_HOLD, MODE_CHAOS };

struct load_opts {
	enum load_mode		 mode;
	struct sockaddr_storage	 addr;		/* loopback, port set */
	socklen_t		 addrlen;
	struct sockaddr_storage	 src;		/* --bind: loopback, port 0 */
	socklen_t		 srclen;	/* 0: no --bind */
	size_t			 conns;		/* churn, chaos: slots; echo, hold:
						   connections */
	uint64_t		 duration;	/* ns; hold: how long to hold */
	size_t			 size;		/* payload bytes */
	size_t			 pipeline;	/* echo, chaos: frames in flight */
	size_t			 header;	/* --packet: 2, or 0 for raw */
	uint64_t		 timeout;	/* ns, per connect or echo */
	uint64_t		 max;		/* churn: connections; 0: no bound */
	int			 quiet;
};

enum opts_result { OPTS_RUN, OPTS_HELP, OPTS_ERROR };

extern const char	opts_usage[];

enum opts_result	opts_parse(int, char **, struct load_opts *, char *,
			    size_t);

#endif
