/*
 * main.c -- tcpsupctl: look inside and steer a running tcpsup over its
 * control socket. Parses the command line, finds the socket the daemon
 * on that port uses, and runs one command.
 */
#include <sys/un.h>

#include <err.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "calls.h"
#include "commands.h"
#include "ctl_path.h"

#define DEFAULT_PORT		2222	/* tcpsup's, the tutorial's */
#define DEFAULT_TIMEOUT_MS	30000
#define MAX_TIMEOUT_MS		86400000

static const char usage_text[] =
"tcpsupctl: look inside and steer a running tcpsup, as OTP's supervisor calls\n"
"usage: tcpsupctl [-hV] [--json] [-p port | --control path] [-t ms]\n"
"                 command [args]\n"
"\n"
"commands (SUP is tcp_server_app or tcp_client_sup):\n"
"  which_children SUP          its children: [{Id,Pid,Type,Modules}]\n"
"  count_children SUP          how many children, of which type\n"
"  terminate_child SUP ID|PID  stop a child under its shutdown spec\n"
"  restart_child SUP ID        start a terminated child again\n"
"  delete_child SUP ID         forget a terminated child's spec\n"
"  get_childspec SUP ID        a child's spec\n"
"  tree                        every process: pid, state, peer, CPU, memory\n"
"  top [-d SECONDS]            the tree live in the terminal, q quits\n"
"  stop                        stop the application; wait until it is gone\n"
"  rb [--dir DIR] list         the reports kept with --report-dir (SASL's rb)\n"
"  rb [--dir DIR] show [N]     report N (1: the newest), or all of them\n"
"  rb [--dir DIR] grep REGEX   the reports that match\n"
"\n"
"  -p, --port PORT      the tcpsup listening on PORT (2222)\n"
"      --control PATH   its control socket, instead of PORT's default\n"
"  -t, --timeout MS     wait this long for each reply, and for stop (30000)\n"
"      --json           print JSON instead of Erlang terms\n"
"  -h, --help           print this help and exit\n"
"  -V, --version        print the version and exit\n";

static const struct command {
	const char	*name;
	int		(*run)(const struct ctlopts *, int, char **);
} commands[] = {
	{ "which_children", cmd_call },
	{ "count_children", cmd_call },
	{ "terminate_child", cmd_call },
	{ "restart_child", cmd_call },
	{ "delete_child", cmd_call },
	{ "get_childspec", cmd_call },
	{ "tree", cmd_tree },
	{ "top", cmd_top },
	{ "stop", cmd_stop },
	{ "rb", cmd_rb },
};

enum { OPT_JSON = 256, OPT_CONTROL };

static const struct option longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "port", required_argument, NULL, 'p' },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* One line saying what is wrong, then the usage. */
static int __attribute__((format(printf, 1, 2)))
usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	fputs(usage_text, stderr);
	return EX_USAGE;
}

static const struct command *
find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un sun;
	static char path[sizeof(sun.sun_path)];
	struct ctlopts o = { .path = path, .timeout_ms = DEFAULT_TIMEOUT_MS };
	const struct command *cmd;
	const char *control = NULL, *errstr;
	int ch, rc, port = 0;

	opterr = 0;	/* say it as the other messages do, without a path */
	while ((ch = getopt_long(argc, argv, "+:hVp:t:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(usage_text, stdout);
			return EX_OK;
		case 'V':
			printf("tcpsupctl %s\n", TCPSUPCTL_VERSION);
			return EX_OK;
		case 'p':
			port = (int)strtonum(optarg, 1, 65535, &errstr);
			if (errstr != NULL)
				return usage("port %s is %s", optarg, errstr);
			break;
		case 't':
			o.timeout_ms = (int)strtonum(optarg, 1, MAX_TIMEOUT_MS,
			    &errstr);
			if (errstr != NULL)
				return usage("timeout %s ms is %s", optarg,
				    errstr);
			break;
		case OPT_JSON:
			o.json = true;
			break;
		case OPT_CONTROL:
			control = optarg;
			break;
		case ':':
			return usage("%s needs an argument", argv[optind - 1]);
		default:
			if (optopt != 0)
				return usage("unknown option -%c", optopt);
			return usage("unknown option %s", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (control != NULL && port != 0)
		return usage("-p and --control both name the daemon; give one");
	if (argc == 0)
		return usage("no command");
	if ((cmd = find_command(argv[0])) == NULL)
		return usage("unknown command %s", argv[0]);
	if (control != NULL ? strlcpy(path, control, sizeof(path)) >=
	    sizeof(path) : ctl_path_default(path, sizeof(path),
	    port != 0 ? port : DEFAULT_PORT, getuid(),
	    getenv("XDG_RUNTIME_DIR")) == -1)
		return usage("the control socket's path is longer than %zu "
		    "bytes", sizeof(path) - 1);
	if ((rc = cmd->run(&o, argc, argv)) == EX_USAGE)
		fputs(usage_text, stderr);
	if (fflush(stdout) == EOF)
		err(EX_IOERR, "stdout");
	return rc;
}
