/*
 * exec_worker.c -- the worker of --exec, from its fork to execve(2).
 *
 * Born in WAIT_FOR_SOCKET like an echo worker, it is handed its socket by
 * tcp_client_sup, then becomes the program: the socket on 0 and 1, its
 * stderr pipe on 2, every other descriptor closed on exec, the signals as
 * a fresh process has them, its limits and directory, the UCSPI
 * environment, and execve with the arguments exactly as given (no shell).
 * It stays the supervised process: its pid, its exit, its parent.
 *
 * It must never report anything once 2 is the program's stderr: a failure
 * goes to tcp_client_sup on the channel instead, which reports it once.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "exec_env.h"
#include "exec_worker.h"
#include "fdpass.h"
#include "proc.h"
#include "proxy.h"

static const int rlimit_resources[OPTIONS_RLIMITS] = {
	[OPTIONS_RLIMIT_AS] = RLIMIT_AS,
	[OPTIONS_RLIMIT_CPU] = RLIMIT_CPU,
	[OPTIONS_RLIMIT_NOFILE] = RLIMIT_NOFILE,
	[OPTIONS_RLIMIT_NPROC] = RLIMIT_NPROC,
	[OPTIONS_RLIMIT_CORE] = RLIMIT_CORE,
};

const char *
exec_step_name(enum exec_step step)
{
	switch (step) {
	case EXEC_STEP_RLIMIT:
		return "setrlimit";
	case EXEC_STEP_CHDIR:
		return "chdir";
	case EXEC_STEP_EXECVE:
		return "execve";
	default:
		return "setup";
	}
}

/* Tell tcp_client_sup why, on the channel (descriptor 3), and exit. */
static void __attribute__((noreturn))
fail_rlimit(enum exec_step step, int error, int rlimit)
{
	const struct exec_failure f = { .step = step, .error = error,
	    .rlimit = rlimit };

	send(3, &f, sizeof(f), MSG_NOSIGNAL | MSG_DONTWAIT);
	_exit(127);
}

static void __attribute__((noreturn))
fail(enum exec_step step, int error)
{
	fail_rlimit(step, error, 0);
}

/*
 * The connection on 0 and 1, the stderr pipe on 2, everything else
 * closed but the channel on 3, which closes on exec. The socket blocks,
 * as a program expects of its standard input.
 */
static void
set_descriptors(int sock, int err)
{
	int fl;

	if (dup2(sock, 0) == -1 || dup2(sock, 1) == -1 || dup2(err, 2) == -1)
		fail(EXEC_STEP_SETUP, errno);
	if ((fl = fcntl(0, F_GETFL)) == -1 ||
	    fcntl(0, F_SETFL, fl & ~O_NONBLOCK) == -1 ||
	    fcntl(3, F_SETFD, FD_CLOEXEC) == -1)
		fail(EXEC_STEP_SETUP, errno);
	closefrom(4);
}

static void
set_limits(const struct options *o)
{
	for (int i = 0; i < OPTIONS_RLIMITS; i++) {
		struct rlimit rl;

		if (o->rlimits[i] == OPTIONS_RLIM_UNSET)
			continue;
		rl.rlim_cur = rl.rlim_max = o->rlimits[i] ==
		    OPTIONS_RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)o->rlimits[i];
		if (setrlimit(rlimit_resources[i], &rl) == -1)
			fail_rlimit(EXEC_STEP_RLIMIT, errno, i);
	}
	if (o->chdir != NULL && chdir(o->chdir) == -1)
		fail(EXEC_STEP_CHDIR, errno);
}

/*
 * The connection's two ends, for the title and the environment: behind a
 * balancer, those its PROXY header names, read here so that the program
 * never sees it (proxy.h). A client gone already, or one whose header
 * fails (reported here, before 2 is the program's), has nothing left to
 * be served: exit 0, which is no failed start.
 */
static void
endpoints(const struct exec_conf *conf, int sock, struct endpoints *ends)
{
	char client[PROXY_CLIENT_STRLEN];
	enum proxy_result r;
	const char *why;

	if ((r = proxy_endpoints(sock, conf->opts, ends, &why)) != PROXY_OK) {
		if (r != PROXY_CLOSED) {
			proxy_client(conf->opts, &ends->peer, client,
			    sizeof(client));
			proxy_report(conf->opts, r, client, why);
		}
		_exit(0);
	}
	if (ends->peer.ss.ss_family == AF_UNSPEC)
		_exit(0);
	ends->local.len = sizeof(ends->local.ss);
	if (ends->local.ss.ss_family == AF_UNSPEC &&
	    getsockname(sock, (struct sockaddr *)&ends->local.ss,
	    &ends->local.len) == -1)
		fail(EXEC_STEP_SETUP, errno);
}

/* The environment, in memory of this process's own: it is about to exec. */
static char **
environment(const struct exec_conf *conf, const struct addr *local,
    const struct addr *remote)
{
	static char buf[EXEC_ENV_BUFSIZE];
	/* Static too: a failed execve(2) exits with it still referenced. */
	static char **envp;
	size_t max = (size_t)conf->opts->nenv + 8;

	for (char *const *e = conf->environ; conf->opts->keep_env && *e != NULL;
	    e++)
		max++;
	if ((envp = calloc(max, sizeof(*envp))) == NULL)
		fail(EXEC_STEP_SETUP, errno);
	if (exec_env_build(conf->opts, conf->environ, local, remote, envp, max,
	    buf) == -1)
		fail(EXEC_STEP_SETUP, E2BIG);
	return envp;
}

void
exec_worker_start(void *arg, void *extra)
{
	const struct exec_conf *conf = arg;
	const struct exec_fds *fds = extra;
	const int keep[] = { fds->channel, fds->err };
	struct endpoints ends;
	char text[ADDR_STRLEN];
	char **envp;
	int sock;

	proc_keep_only(keep, 2);	/* the channel on 3, the pipe on 4 */
	proc_unblock_signals();
	proc_title("exec %s", conf->name);
	/* WAIT_FOR_SOCKET; end of file: tcp_client_sup let this spare go. */
	if ((sock = fdpass_recv(3)) == -1)
		_exit(errno == 0 ? 0 : 1);
	endpoints(conf, sock, &ends);
	addr_format(&ends.peer, text, sizeof(text));
	proc_title("exec %s %s", conf->name, text);
	envp = environment(conf, &ends.local, &ends.peer);
	set_descriptors(sock, 4);
	/* The supervisors ignore SIGPIPE; a program expects the default. */
	signal(SIGPIPE, SIG_DFL);
	set_limits(conf->opts);
	execve(conf->opts->exec_path, conf->opts->exec_argv, envp);
	fail(EXEC_STEP_EXECVE, errno);
}
