/*
 * main.c -- tcpsup: the tutorial's TCP echo server as a tree of Unix
 * processes. Parses the command line and runs the application.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "app.h"
#include "options.h"
#include "proc.h"

int
main(int argc, char *argv[], char *envp[])
{
	struct options opts;
	char err[256];

	options_defaults(&opts);
	switch (options_parse(argc, argv, &opts, err, sizeof(err))) {
	case OPTIONS_HELP:
		printf("%s\n%s", options_summary, options_usage);
		return EX_OK;
	case OPTIONS_VERSION:
		printf("tcpsup %s\n", TCPSUP_VERSION);
		return EX_OK;
	case OPTIONS_ERROR:
		fprintf(stderr, "tcpsup: %s\n%s", err, options_usage);
		return EX_USAGE;
	case OPTIONS_RUN:
		break;
	}
	/* After parsing: the title overwrites the memory argv points into. */
	proc_title_init(argc, argv, envp);
	return app_run(&opts);
}
