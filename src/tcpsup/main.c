/*
 * main.c -- tcpsup: the tutorial's TCP echo server as a tree of Unix
 * processes. Parses the command line and runs the application.
 */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "app.h"
#include "options.h"
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

int
main(int argc, char *argv[], char *envp[])
{
	struct options opts;
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
	/* Once, here: a worker only loads it, and a failure stops us now. */
	if (sandbox_prepare(&opts) == -1)
		err(EX_OSERR, "cannot build the workers' seccomp filter"
		    " (--no-sandbox runs without it)");
	proc_title_init(argc, argv, envp);
	return app_run(&opts);
}
