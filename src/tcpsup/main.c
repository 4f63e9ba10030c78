/*
 * main.c -- tcpsup: the tutorial's TCP echo server as a tree of Unix
 * processes. Parses the command line and runs the application.
 */
#include <err.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "app.h"
#include "options.h"
#include "privs.h"
#include "proc.h"
#include "sandbox.h"

/*
 * The options keep pointers to their strings (--control, --report-dir),
 * and process titles overwrite the memory argv points into: parse a copy,
 * which lives as long as the process.
 */
static char **args;

static char **
copy_args(int argc, char *argv[])
{
	if ((args = calloc((size_t)argc + 1, sizeof(*args))) == NULL)
		err(EX_OSERR, "calloc");
	for (int i = 0; i < argc; i++)
		if ((args[i] = strdup(argv[i])) == NULL)
			err(EX_OSERR, "strdup");
	return args;
}

/*
 * --exec's program as execve(2) needs it: a name without a slash is
 * looked up in PATH once, here, as a shell would, since the program's
 * environment may have no PATH at all; a relative path is made absolute,
 * since --chdir moves the program elsewhere before it execs. Exits if
 * there is no such program in PATH.
 */
static void
find_program(struct options *o)
{
	/* Lives as long as tcpsup: the options point into it. */
	static char found[PATH_MAX];
	const char *name = o->exec_argv[0], *path = getenv("PATH");
	char *dirs, *dir, *saveptr, cwd[PATH_MAX];

	if (name[0] == '/') {
		o->exec_path = name;
		return;
	}
	if (strchr(name, '/') != NULL) {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			err(EX_OSERR, "getcwd");
		if ((size_t)snprintf(found, sizeof(found), "%s/%s", cwd,
		    name) >= sizeof(found))
			errx(EX_USAGE, "--exec %s: path too long", name);
		o->exec_path = found;
		return;
	}
	if ((dirs = strdup(path != NULL ? path : "/usr/bin:/bin")) == NULL)
		err(EX_OSERR, "strdup");
	for (dir = strtok_r(dirs, ":", &saveptr); dir != NULL;
	    dir = strtok_r(NULL, ":", &saveptr)) {
		if ((size_t)snprintf(found, sizeof(found), "%s/%s", dir,
		    name) < sizeof(found) && access(found, X_OK) == 0) {
			o->exec_path = found;
			free(dirs);
			return;
		}
	}
	errx(EX_USAGE, "--exec %s: no such program in PATH", name);
}

int
main(int argc, char *argv[], char *envp[])
{
	struct options opts;
	struct privs privs;
	char why[256];

	proc_std_open();
	proc_reset_signals();
	options_defaults(&opts);
	switch (options_parse(argc, copy_args(argc, argv), &opts, why,
	    sizeof(why))) {
	case OPTIONS_HELP:
		printf("%s\n%s", options_summary, options_usage);
		return EX_OK;
	case OPTIONS_VERSION:
		printf("tcpsup %s\n", TCPSUP_VERSION);
		return EX_OK;
	case OPTIONS_ERROR:
		fprintf(stderr, "tcpsup: %s\n%s", why, options_usage);
		return EX_USAGE;
	case OPTIONS_RUN:
		break;
	}
	if (opts.exec_argv != NULL)
		find_program(&opts);
	switch (privs_lookup(opts.user, opts.group, &privs, why, sizeof(why))) {
	case PRIVS_OK:
		break;
	case PRIVS_NO_USER:
	case PRIVS_NO_GROUP:
		errx(EX_NOUSER, "%s", why);
	case PRIVS_NOT_ROOT:
		errx(EX_NOPERM, "%s", why);
	}
	/* Once, here: a worker only loads it, and a failure stops us now. */
	if (sandbox_prepare(&opts) == -1)
		err(EX_OSERR, "cannot build the workers' seccomp filter"
		    " (--no-sandbox runs without it)");
	if (opts.sched_batch && proc_sched_batch() == -1)
		warn("cannot run under SCHED_BATCH (--sched inherit keeps the"
		    " policy it was started with)");
	proc_title_init(argc, argv, envp);
	return app_run(&opts, &privs);
}
