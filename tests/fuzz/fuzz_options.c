/*
 * fuzz_options.c -- libFuzzer target for tcpsup's command line (options.c,
 * and addr.c through --listen).
 *
 * The input's first byte sizes the error buffer (1 to 256 bytes); the rest
 * is the arguments after argv[0], separated by NUL bytes, each in a
 * allocation of its own so that reading past one is an ASan error. Every
 * parse must end in one of its four results; an accepted command line must
 * hold only values inside the documented ranges, with a --listen address
 * that prints and parses back to itself; an error must say something, in
 * the room it was given, and an unknown option or a missing value must be
 * named as it was typed; the arguments must come out unchanged; and
 * parsing the same command line again (getopt's state is global) must give
 * the same answer.
 */
#include <sys/un.h>

#include <netinet/in.h>

#include <stdbool.h>
#include <syslog.h>

#include "fuzz.h"
#include "options.h"

#define MAX_ARGS	64

struct command_line {
	int	 argc;
	char	**argv;		/* what options_parse gets */
	char	**own;		/* the strings, as getopt may reorder argv */
};

static void
command_line(struct fuzz_input in, struct command_line *cl)
{
	cl->own = calloc(MAX_ARGS + 1, sizeof(char *));
	FUZZ_CHECK(cl->own != NULL);
	cl->own[0] = strdup("tcpsup");
	FUZZ_CHECK(cl->own[0] != NULL);
	for (cl->argc = 1; in.left > 0 && cl->argc <= MAX_ARGS; cl->argc++)
		cl->own[cl->argc] = fuzz_string(&in);
	/* Exactly argc + 1 pointers: a look past the NULL is an ASan error. */
	cl->argv = calloc((size_t)cl->argc + 1, sizeof(char *));
	FUZZ_CHECK(cl->argv != NULL);
	memcpy(cl->argv, cl->own, (size_t)cl->argc * sizeof(char *));
}

static void
command_line_free(struct command_line *cl)
{
	for (int i = 0; i < cl->argc; i++)
		free(cl->own[i]);
	free(cl->own);
	free(cl->argv);
}

/* Does p point into one of the argument strings? */
static bool
in_args(const struct command_line *cl, const char *p)
{
	for (int i = 0; i < cl->argc; i++)
		if (p >= cl->own[i] && p <= cl->own[i] + strlen(cl->own[i]))
			return true;
	return false;
}

/*
 * Does an argument start with prefix? A flag's shortest name getopt_long
 * takes ("--pr" for --proxy-protocol) is enough to set it.
 */
static bool
has_arg(const struct command_line *cl, const char *prefix)
{
	for (int i = 1; i < cl->argc; i++)
		if (strncmp(cl->own[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

static void
check_listen(const struct addr *a)
{
	char text[ADDR_STRLEN];
	struct addr back;
	const char *errstr = NULL;

	FUZZ_CHECK((a->ss.ss_family == AF_INET &&
	    a->len == sizeof(struct sockaddr_in)) ||
	    (a->ss.ss_family == AF_INET6 &&
	    a->len == sizeof(struct sockaddr_in6)));
	addr_format(a, text, sizeof(text));
	FUZZ_CHECK(addr_parse(text, &back, &errstr) == 0);
	FUZZ_CHECK(back.len == a->len && memcmp(&back.ss, &a->ss, a->len) == 0);
}

/*
 * --exec's program and the options of programs: the program is the
 * unchanged tail of the arguments, and the others stay in their ranges.
 */
static void
check_program(const struct command_line *cl, const struct options *o)
{
	FUZZ_CHECK(o->nenv >= 0 && o->nenv <= OPTIONS_MAX_ENV);
	for (int i = 0; i < o->nenv; i++)
		FUZZ_CHECK(in_args(cl, o->env[i]) && o->env[i][0] != '=' &&
		    strchr(o->env[i], '=') != NULL);
	FUZZ_CHECK(o->throttle_max >= 1 && o->throttle_max <= 1000000);
	FUZZ_CHECK(o->throttle_secs >= 1 && o->throttle_secs <= 3600);
	for (int i = 0; i < OPTIONS_RLIMITS; i++)
		FUZZ_CHECK(o->rlimits[i] == OPTIONS_RLIM_UNSET ||
		    o->rlimits[i] == OPTIONS_RLIM_INFINITY ||
		    (o->rlimits[i] >= 0 && o->rlimits[i] <= OPTIONS_RLIM_MAX));
	FUZZ_CHECK(o->max_connection_time == IDLE_INFINITY ||
	    (o->max_connection_time >= 1 &&
	    o->max_connection_time <= 2000000));
	FUZZ_CHECK(o->chdir == NULL || (in_args(cl, o->chdir) &&
	    o->chdir[0] != '\0'));
	if (o->exec_argv == NULL) {
		FUZZ_CHECK(o->exec_argc == 0 && o->nenv == 0 && !o->keep_env &&
		    o->chdir == NULL);
		return;
	}
	FUZZ_CHECK(o->exec_argc >= 1 && o->exec_argc < cl->argc);
	FUZZ_CHECK(o->exec_argv == cl->argv + cl->argc - o->exec_argc);
	FUZZ_CHECK(o->exec_argv[o->exec_argc] == NULL);
	FUZZ_CHECK(o->exec_argv[0][0] != '\0' && o->reuse == 0);
}

/* The ranges options.c and the man page promise. */
static void
check_accepted(const struct command_line *cl, const struct options *o)
{
	struct sockaddr_un sun;

	check_listen(&o->listen);
	FUZZ_CHECK(frame_mode_name(o->packet)[0] != '?');
	FUZZ_CHECK(o->max_frame >= 1 && o->max_frame <= 64 * 1024 * 1024);
	FUZZ_CHECK(o->idle_timeout == IDLE_INFINITY ||
	    (o->idle_timeout >= 1 && o->idle_timeout <= 2000000));
	FUZZ_CHECK(o->intensity >= 0 && o->intensity <= 100000);
	FUZZ_CHECK(o->period >= 1 && o->period <= 100000000);
	FUZZ_CHECK(o->shutdown == SHUTDOWN_BRUTAL_KILL ||
	    o->shutdown == SHUTDOWN_INFINITY ||
	    (o->shutdown >= 0 && o->shutdown <= 3600000));
	FUZZ_CHECK(o->backlog >= 1 && o->backlog <= 65535);
	FUZZ_CHECK(o->spares >= 0 && o->spares <= 1024);
	FUZZ_CHECK(o->reuse >= 0 && o->reuse <= 1000000);
	FUZZ_CHECK(o->max_clients >= 0 && o->max_clients <= 1000000);
	FUZZ_CHECK(o->frame_timeout == IDLE_INFINITY ||
	    (o->frame_timeout >= 1 && o->frame_timeout <= 2000000));
	FUZZ_CHECK(o->max_per_ip >= 0 && o->max_per_ip <= 1000000);
	FUZZ_CHECK(o->max_per_ip_prefix6 >= 1 && o->max_per_ip_prefix6 <= 128);
	FUZZ_CHECK(o->log_format == REPORT_SASL || o->log_format == REPORT_JSON);
	FUZZ_CHECK(o->control == NULL || o->control[0] == '\0' ||
	    (in_args(cl, o->control) &&
	    strlen(o->control) < sizeof(sun.sun_path)));
	FUZZ_CHECK(o->report_dir == NULL ||
	    (in_args(cl, o->report_dir) && o->report_dir[0] != '\0'));
	FUZZ_CHECK(o->report_max_bytes >= REPORT_BUFSIZE &&
	    o->report_max_bytes <= 1LL << 40);
	FUZZ_CHECK(o->report_max_files >= 1 && o->report_max_files <= 255);
	check_program(cl, o);
	FUZZ_CHECK(o->user == NULL || (in_args(cl, o->user) && o->user[0]));
	FUZZ_CHECK(o->group == NULL || (in_args(cl, o->group) &&
	    o->group[0] && o->user != NULL));
	FUZZ_CHECK(o->pidfile == NULL || (in_args(cl, o->pidfile) &&
	    o->pidfile[0]));
	FUZZ_CHECK(o->syslog_facility == -1 ||
	    (o->syslog_facility & ~LOG_FACMASK) == 0);
	/* Flags default off and come on only when named. */
	FUZZ_CHECK(!o->reuseport || has_arg(cl, "--reusep"));
	FUZZ_CHECK(!o->proxy_protocol || has_arg(cl, "--pr"));
}

/* The options that point into the arguments, one by one; NULL after. */
static const char **
strings(struct options *o, size_t i)
{
	const char **s[] = { &o->control, &o->report_dir, &o->chdir,
	    &o->user, &o->group, &o->pidfile };

	return i < sizeof(s) / sizeof(s[0]) ? s[i] : NULL;
}

struct outcome {
	enum options_result	 result;
	struct options		 opts;
	char			*err;
	char			*program;	/* exec_argv[0], copied */
};

static void
parse(struct fuzz_input in, size_t errsize, struct outcome *out)
{
	struct command_line cl;
	size_t i = 0;

	command_line(in, &cl);
	out->err = malloc(errsize);
	FUZZ_CHECK(out->err != NULL);
	options_defaults(&out->opts);
	out->result = options_parse(cl.argc, cl.argv, &out->opts, out->err,
	    errsize);
	FUZZ_CHECK(strlen(out->err) < errsize);
	FUZZ_CHECK((out->result == OPTIONS_ERROR && errsize > 1) ==
	    (out->err[0] != '\0'));
	switch (out->result) {
	case OPTIONS_RUN:
		check_accepted(&cl, &out->opts);
		break;
	case OPTIONS_HELP:
	case OPTIONS_VERSION:
	case OPTIONS_ERROR:
		break;
	default:
		FUZZ_CHECK(!"a result options.h does not name");
	}
	/* The strings, not their order, are getopt's to leave alone. */
	for (int i = 1; i < cl.argc; i++) {
		struct fuzz_input arg = in;
		char *expect = fuzz_string(&arg);

		FUZZ_CHECK(strcmp(cl.own[i], expect) == 0);
		free(expect);
		in = arg;
	}
	/* What points into the arguments is compared as text, then dropped. */
	for (const char **s; (s = strings(&out->opts, i)) != NULL; i++)
		*s = *s == NULL ? NULL : strdup(*s);
	out->program = out->opts.exec_argv == NULL ? NULL :
	    strdup(out->opts.exec_argv[0]);
	out->opts.exec_argv = NULL;
	for (int i = 0; i < out->opts.nenv; i++)
		out->opts.env[i] = strdup(out->opts.env[i]);
	command_line_free(&cl);
}

static bool
same_string(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void
outcome_free(struct outcome *out)
{
	size_t n = 0;

	for (const char **s; (s = strings(&out->opts, n)) != NULL; n++) {
		free((char *)*s);
		*s = NULL;
	}
	for (int i = 0; i < out->opts.nenv; i++)
		free((char *)out->opts.env[i]);
	free(out->program);
	free(out->err);
}

/*
 * "ARG: unknown option" and "ARG: missing value" must name the argument
 * at fault: given alone, it must fail the same way.
 */
static void
check_named(const char *err, size_t errsize)
{
	static const char *const kinds[] = {
		": unknown option", ": missing value"
	};
	size_t len = strlen(err);

	if (len + 1 == errsize)
		return;		/* cut short: the name may be too */
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t klen = strlen(kinds[i]);
		uint8_t alone[256];
		struct outcome out;

		if (len < klen || strcmp(err + len - klen, kinds[i]) != 0)
			continue;
		memcpy(alone, err, len - klen);
		parse((struct fuzz_input){ alone, len - klen }, errsize, &out);
		FUZZ_CHECK(out.result == OPTIONS_ERROR);
		FUZZ_CHECK(strcmp(out.err, err) == 0);
		outcome_free(&out);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_input in = { data, size };
	size_t errsize = (size_t)fuzz_u8(&in) + 1;
	struct outcome first, again;
	const char **a, **b;

	parse(in, errsize, &first);
	parse(in, errsize, &again);
	FUZZ_CHECK(first.result == again.result);
	FUZZ_CHECK(strcmp(first.err, again.err) == 0);
	for (size_t i = 0; (a = strings(&first.opts, i)) != NULL &&
	    (b = strings(&again.opts, i)) != NULL; i++)
		FUZZ_CHECK(same_string(*a, *b));
	FUZZ_CHECK(same_string(first.program, again.program));
	FUZZ_CHECK(first.opts.nenv == again.opts.nenv);
	for (int i = 0; i < first.opts.nenv; i++)
		FUZZ_CHECK(strcmp(first.opts.env[i], again.opts.env[i]) == 0);
	if (first.result == OPTIONS_ERROR)
		check_named(first.err, errsize);
	outcome_free(&first);
	outcome_free(&again);
	memset(first.opts.env, 0, sizeof(first.opts.env));
	memset(again.opts.env, 0, sizeof(again.opts.env));
	FUZZ_CHECK(memcmp(&first.opts, &again.opts, sizeof(first.opts)) == 0);
	return 0;
}
