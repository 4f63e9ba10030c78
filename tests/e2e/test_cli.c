/*
 * test_cli.c -- the command line as a user meets it: --help, --version,
 * and every kind of bad option exiting EX_USAGE with a usage message.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>

#include "harness.h"

static int
run(const char *args, char *out, size_t size)
{
	char cmd[512];
	int status;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1 </dev/null", ts_bin(), args);
	status = ts_capture(cmd, out, size);
	cr_assert(WIFEXITED(status), "%s did not exit", cmd);
	return WEXITSTATUS(status);
}

Test(cli, help_says_what_it_is_then_usage_and_exits_0)
{
	const char what[] = "tcpsup - TCP echo server supervised as a tree of"
	    " Unix processes, the OTP way\n\nusage: tcpsup ";
	char out[8192];	/* all of --help: a reader gone early is a SIGPIPE */

	cr_assert_eq(run("--help", out, sizeof(out)), 0);
	cr_assert(strncmp(out, what, strlen(what)) == 0, "%s", out);
	cr_assert(strstr(out, "--idle-timeout") != NULL);
	cr_assert_eq(run("-h", out, sizeof(out)), 0);
}

Test(cli, version)
{
	char out[256];

	cr_assert_eq(run("--version", out, sizeof(out)), 0);
	cr_assert(strncmp(out, "tcpsup ", 7) == 0, "%s", out);
}

struct bad_option {
	char	args[64];
	char	message[96];
};

ParameterizedTestParameters(cli, bad_option_exits_ex_usage)
{
	static struct bad_option cases[] = {
		{ "--port 70000", "tcpsup: --port '70000': too large" },
		{ "--port http", "tcpsup: --port 'http': invalid" },
		{ "-l 127.0.0.1", "tcpsup: --listen '127.0.0.1': expected ADDRESS:PORT" },
		{ "-l localhost:22", "tcpsup: --listen 'localhost:22': address must be" },
		{ "--packet 3", "tcpsup: --packet '3': expected 0, 1, 2, 4 or line" },
		{ "--max-frame 0", "tcpsup: --max-frame '0': too small" },
		{ "--idle-timeout -1", "tcpsup: --idle-timeout '-1': too small" },
		{ "--intensity x", "tcpsup: --intensity 'x': invalid" },
		{ "--period 0", "tcpsup: --period '0': too small" },
		{ "--shutdown-timeout soon", "tcpsup: --shutdown-timeout 'soon': invalid" },
		{ "--backlog 0", "tcpsup: --backlog '0': too small" },
		{ "--log-format xml", "tcpsup: --log-format 'xml': expected sasl or json" },
		{ "--frobnicate", "tcpsup: --frobnicate: unknown option" },
		{ "--port", "tcpsup: --port: missing value" },
		{ "extra", "tcpsup: 'extra': unexpected argument" },
	};

	return cr_make_param_array(struct bad_option, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_option *c, cli, bad_option_exits_ex_usage)
{
	char out[4096];

	cr_assert_eq(run(c->args, out, sizeof(out)), EX_USAGE, "%s: %s", c->args, out);
	cr_assert(strncmp(out, c->message, strlen(c->message)) == 0,
	    "%s printed:\n%s", c->args, out);
	cr_assert(strstr(out, "\nusage: tcpsup") != NULL, "no usage after error");
}
