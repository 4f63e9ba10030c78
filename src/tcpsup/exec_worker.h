/*
 * exec_worker.h -- a program per connection (--exec): the worker that
 * becomes the program. tcp_client_sup forks it as it forks an echo
 * worker; it waits for its socket the same way, then execs the program
 * with the connection on descriptors 0 and 1 and a pipe to tcp_client_sup
 * on 2 (exec_sup.h reads it).
 */
#ifndef TCPSUP_EXEC_WORKER_H
#define TCPSUP_EXEC_WORKER_H

#include "options.h"

/* What every exec worker of a tcp_client_sup shares. */
struct exec_conf {
	const struct options	*opts;		/* exec_path, exec_argv, env... */
	char *const		*environ;	/* tcpsup's own, for --keep-env */
	const char		*name;		/* the program's base name, for titles */
};

/* The descriptors one worker is born with: sup_start_child's extra. */
struct exec_fds {
	int	channel;	/* its socket arrives here */
	int	err;		/* the write end of its stderr pipe */
};

/*
 * What failed before the program ran, sent on the channel just before
 * the worker exits: the channel is close-on-exec, so tcp_client_sup reads
 * either this or end of file once execve(2) succeeded.
 */
enum exec_step { EXEC_STEP_SETUP, EXEC_STEP_RLIMIT, EXEC_STEP_CHDIR,
	EXEC_STEP_EXECVE };

struct exec_failure {
	enum exec_step	step;
	int		error;		/* errno */
	int		rlimit;		/* enum options_rlimit, for EXEC_STEP_RLIMIT */
};

/* "setup", "setrlimit", "chdir", "execve" */
const char *exec_step_name(enum exec_step);

/* conf is the struct exec_conf, fds the struct exec_fds. */
void	exec_worker_start(void *conf, void *fds) __attribute__((noreturn));

#endif
