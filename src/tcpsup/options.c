/*
 * options.c -- parse tcpsup's command line. Numbers go through strtonum(3)
 * so that every bad value gets a clear message instead of a silent 0.
 */
#include <sys/un.h>

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "sysreport.h"
#include "wraplog.h"

#define MAX_FRAME_LIMIT		(64 * 1024 * 1024)

const char options_summary[] =
"tcpsup - TCP echo server supervised as a tree of Unix processes, the OTP way\n";

const char options_usage[] =
"usage: tcpsup [-hV] [-l address:port] [-p port] [--packet 0|1|2|4|line]\n"
"              [--max-frame bytes] [--idle-timeout seconds|infinity]\n"
"              [--frame-timeout seconds|infinity]\n"
"              [--intensity restarts] [--period seconds]\n"
"              [--shutdown-timeout ms|brutal_kill|infinity]\n"
"              [--backlog n] [--spares n] [--reuse n] [--max-clients n]\n"
"              [--max-per-ip n] [--max-per-ip-prefix6 bits]\n"
"              [--log-format sasl|json] [--control path|none]\n"
"              [--report-dir dir] [--report-max-bytes bytes]\n"
"              [--report-max-files n] [--no-sandbox] [--sched batch|inherit]\n"
"              [--reuseport] [--proxy-protocol]\n"
"              [--env name=value] [--keep-env] [--exec-throttle k/t]\n"
"              [--rlimit name=value] [--max-connection-time seconds|infinity]\n"
"              [--chdir dir] [--user user] [--group group] [--pidfile path]\n"
"              [--syslog[=facility]] [--exec program [argument ...]]\n"
"\n"
"  -l, --listen ADDR:PORT     address to listen on (127.0.0.1:2222; [::1]:2222)\n"
"  -p, --port PORT            port to listen on, 0 for any free one (2222)\n"
"      --packet MODE          framing, as gen_tcp's {packet,N} (2)\n"
"      --max-frame BYTES      longest frame a client may send (65535)\n"
"      --idle-timeout SECS    close a connection idle this long (120)\n"
"      --frame-timeout SECS   close a connection whose frame takes longer (30)\n"
"      --intensity N          restarts allowed in a period (5)\n"
"      --period SECS          the restart intensity period (60)\n"
"      --shutdown-timeout MS  grace before a stopped child is killed (2000)\n"
"      --backlog N            listen backlog (1024)\n"
"      --spares N             idle workers kept forked, waiting for a socket:\n"
"                             lower latency, more processes (0)\n"
"      --reuse N              connections a worker serves after its first (0)\n"
"      --max-clients N        connections served at once; more wait (0: no limit)\n"
"      --max-per-ip N         connections at once from one address; more are\n"
"                             closed (0: no limit)\n"
"      --max-per-ip-prefix6 BITS  IPv6 prefix counted as one address (64)\n"
"      --log-format FORMAT    reports as classic SASL text or JSON lines (sasl)\n"
"      --control PATH         control socket for tcpsupctl, or none\n"
"                             ($XDG_RUNTIME_DIR/tcpsup/PORT.sock)\n"
"      --report-dir DIR       also keep every report in a wrap log in DIR\n"
"      --report-max-bytes N   bytes per wrap log file (1048576)\n"
"      --report-max-files N   wrap log files kept (10)\n"
"      --no-sandbox           do not confine workers (seccomp, limits): to\n"
"                             debug one, get its core dump, or run under valgrind\n"
"      --sched POLICY         batch: run the tree as SCHED_BATCH, so that a\n"
"                             wake-up does not preempt the process running;\n"
"                             inherit: keep the policy tcpsup was started\n"
"                             with (batch)\n"
"      --exec PROGRAM [ARGS]  run PROGRAM per connection, the socket on 0 and 1,\n"
"                             instead of the echo worker; takes the rest of\n"
"                             the line (so does --)\n"
"      --env NAME=VALUE       set in the program's environment (repeatable)\n"
"      --keep-env             pass tcpsup's environment on to the program\n"
"      --exec-throttle K/T    after more than K failed starts within T seconds,\n"
"                             new connections wait for a probe (5/1)\n"
"      --rlimit NAME=VALUE    as, cpu, nofile, nproc or core limit of the\n"
"                             program; K, M, G suffixes; unlimited\n"
"      --max-connection-time SECS  stop a program that ran this long (infinity)\n"
"      --chdir DIR            the program's working directory\n"
"      --user NAME            started as root: take the port, then run every\n"
"                             process as NAME (no --user: root, with a warning)\n"
"      --group NAME           with --user: the group instead of NAME's own\n"
"      --pidfile PATH         write the root's pid in PATH, locked; refuse to\n"
"                             start if another tcpsup holds it\n"
"      --syslog[=FACILITY]    also send every report to syslog, as its JSON\n"
"                             line (daemon; local0 to local7, user, ...)\n"
"      --reuseport            share the port with other tcpsup trees\n"
"                             (SO_REUSEPORT): the kernel spreads connections\n"
"      --proxy-protocol       each connection starts with a PROXY header (v1 or\n"
"                             v2, from HAProxy's send-proxy[-v2]) naming the\n"
"                             client; one without it is closed\n"
"  -h, --help                 print this help and exit\n"
"  -V, --version              print the version and exit\n";

enum {
	OPT_PACKET = 256, OPT_MAX_FRAME, OPT_IDLE, OPT_INTENSITY, OPT_PERIOD,
	OPT_SHUTDOWN, OPT_BACKLOG, OPT_SPARES, OPT_REUSE, OPT_MAX_CLIENTS,
	OPT_LOG_FORMAT, OPT_CONTROL, OPT_REPORT_DIR, OPT_REPORT_MAX_BYTES,
	OPT_REPORT_MAX_FILES, OPT_FRAME_TIMEOUT, OPT_MAX_PER_IP,
	OPT_MAX_PER_IP_PREFIX6, OPT_NO_SANDBOX, OPT_EXEC, OPT_ENV, OPT_KEEP_ENV,
	OPT_EXEC_THROTTLE, OPT_RLIMIT, OPT_MAX_CONNECTION_TIME, OPT_CHDIR,
	OPT_USER, OPT_GROUP, OPT_PIDFILE, OPT_SYSLOG,
	OPT_REUSEPORT, OPT_PROXY_PROTOCOL, OPT_SCHED
};

/*
 * '+' first: getopt stops at the first argument that is no option, and
 * never moves one, so that a program's arguments after --exec or -- stay
 * its own however they look. ':' next: a missing value is told apart from
 * an unknown option.
 */
#define SHORTOPTS	"+:hVl:p:"

const char *const options_rlimit_names[OPTIONS_RLIMITS] = {
	[OPTIONS_RLIMIT_AS] = "as",
	[OPTIONS_RLIMIT_CPU] = "cpu",
	[OPTIONS_RLIMIT_NOFILE] = "nofile",
	[OPTIONS_RLIMIT_NPROC] = "nproc",
	[OPTIONS_RLIMIT_CORE] = "core",
};

/* What tcpsup sets for each connection, as ucspi-tcp's tcpserver does. */
static const char *const ucspi_names[] = {
	"PROTO", "TCPLOCALIP", "TCPLOCALPORT", "TCPLOCALHOST", "TCPREMOTEIP",
	"TCPREMOTEPORT", "TCPREMOTEHOST", "TCPREMOTEINFO",
};

static const struct option longopts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "port", required_argument, NULL, 'p' },
	{ "packet", required_argument, NULL, OPT_PACKET },
	{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "frame-timeout", required_argument, NULL, OPT_FRAME_TIMEOUT },
	{ "intensity", required_argument, NULL, OPT_INTENSITY },
	{ "period", required_argument, NULL, OPT_PERIOD },
	{ "shutdown-timeout", required_argument, NULL, OPT_SHUTDOWN },
	{ "backlog", required_argument, NULL, OPT_BACKLOG },
	{ "spares", required_argument, NULL, OPT_SPARES },
	{ "reuse", required_argument, NULL, OPT_REUSE },
	{ "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
	{ "max-per-ip", required_argument, NULL, OPT_MAX_PER_IP },
	{ "max-per-ip-prefix6", required_argument, NULL, OPT_MAX_PER_IP_PREFIX6 },
	{ "log-format", required_argument, NULL, OPT_LOG_FORMAT },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "report-dir", required_argument, NULL, OPT_REPORT_DIR },
	{ "report-max-bytes", required_argument, NULL, OPT_REPORT_MAX_BYTES },
	{ "report-max-files", required_argument, NULL, OPT_REPORT_MAX_FILES },
	{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
	{ "sched", required_argument, NULL, OPT_SCHED },
	{ "exec", no_argument, NULL, OPT_EXEC },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "keep-env", no_argument, NULL, OPT_KEEP_ENV },
	{ "exec-throttle", required_argument, NULL, OPT_EXEC_THROTTLE },
	{ "rlimit", required_argument, NULL, OPT_RLIMIT },
	{ "max-connection-time", required_argument, NULL,
	    OPT_MAX_CONNECTION_TIME },
	{ "chdir", required_argument, NULL, OPT_CHDIR },
	{ "user", required_argument, NULL, OPT_USER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "syslog", optional_argument, NULL, OPT_SYSLOG },
	{ "reuseport", no_argument, NULL, OPT_REUSEPORT },
	{ "proxy-protocol", no_argument, NULL, OPT_PROXY_PROTOCOL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void
options_defaults(struct options *o)
{
	const char *errstr;

	memset(o, 0, sizeof(*o));
	addr_parse("127.0.0.1:2222", &o->listen, &errstr);
	o->packet = FRAME_2;
	o->max_frame = 65535;
	o->idle_timeout = 120;
	o->frame_timeout = 30;
	o->intensity = 5;
	o->period = 60;
	o->shutdown = 2000;
	o->backlog = 1024;
	o->spares = 0;
	o->reuse = 0;
	o->max_per_ip_prefix6 = 64;
	o->sandbox = true;
	o->sched_batch = true;
	o->log_format = REPORT_SASL;
	o->report_max_bytes = 1048576;
	o->report_max_files = 10;
	o->throttle_max = 5;
	o->throttle_secs = 1;
	for (int i = 0; i < OPTIONS_RLIMITS; i++)
		o->rlimits[i] = OPTIONS_RLIM_UNSET;
	o->max_connection_time = IDLE_INFINITY;
	o->syslog_facility = -1;
}

struct parse {
	char	*err;
	size_t	 errsize;
	int	 failed;
};

static void __attribute__((format(printf, 2, 3)))
fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->failed) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errsize, fmt, ap);
		va_end(ap);
	}
	p->failed = 1;
}

static long long
number(struct parse *p, const char *name, const char *arg, long long min,
    long long max)
{
	const char *errstr = NULL;
	long long n = strtonum(arg, min, max, &errstr);

	if (errstr != NULL)
		fail(p, "--%s '%s': %s (%lld to %lld)", name, arg, errstr, min, max);
	return n;
}

/* One of two words: true for the first, false for the second. */
static bool
first_of(struct parse *p, const char *name, const char *arg,
    const char *first, const char *second)
{
	if (strcmp(arg, second) == 0)
		return false;
	if (strcmp(arg, first) != 0)
		fail(p, "--%s '%s': expected %s or %s", name, arg, first,
		    second);
	return true;
}

/* A timeout in seconds, or infinity (IDLE_INFINITY). */
static int
seconds(struct parse *p, const char *name, const char *arg)
{
	if (strcmp(arg, "infinity") == 0)
		return IDLE_INFINITY;
	return (int)number(p, name, arg, 1, 2000000);
}

static void
parse_shutdown(struct parse *p, const char *arg, struct options *o)
{
	if (strcmp(arg, "brutal_kill") == 0)
		o->shutdown = SHUTDOWN_BRUTAL_KILL;
	else if (strcmp(arg, "infinity") == 0)
		o->shutdown = SHUTDOWN_INFINITY;
	else
		o->shutdown = (int)number(p, "shutdown-timeout", arg, 0, 3600000);
}

static void
parse_control(struct parse *p, const char *arg, struct options *o)
{
	struct sockaddr_un sun;

	if (strcmp(arg, "none") == 0)
		o->control = "";
	else if (arg[0] == '\0' || strlen(arg) >= sizeof(sun.sun_path))
		fail(p, "--control '%s': expected a socket path (at most %zu"
		    " bytes) or none", arg, sizeof(sun.sun_path) - 1);
	else
		o->control = arg;
}

/* A name or a path, never empty. */
static void
parse_name(struct parse *p, int ch, const char *arg, struct options *o)
{
	const char *name = ch == OPT_USER ? "user" : ch == OPT_GROUP ?
	    "group" : "pidfile";

	if (arg[0] == '\0') {
		fail(p, "--%s: empty", name);
		return;
	}
	if (ch == OPT_USER)
		o->user = arg;
	else if (ch == OPT_GROUP)
		o->group = arg;
	else
		o->pidfile = arg;
}

static void
parse_env(struct parse *p, const char *arg, struct options *o)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq == NULL ? 0 : (size_t)(eq - arg);

	if (len == 0) {
		fail(p, "--env '%s': expected NAME=VALUE", arg);
		return;
	}
	for (size_t i = 0; i < sizeof(ucspi_names) / sizeof(ucspi_names[0]);
	    i++)
		if (strlen(ucspi_names[i]) == len &&
		    strncmp(arg, ucspi_names[i], len) == 0) {
			fail(p, "--env '%s': %s is set by tcpsup for each"
			    " connection", arg, ucspi_names[i]);
			return;
		}
	if (o->nenv == OPTIONS_MAX_ENV) {
		fail(p, "--env '%s': at most %d of them", arg, OPTIONS_MAX_ENV);
		return;
	}
	o->env[o->nenv++] = arg;
}

static void
parse_throttle(struct parse *p, const char *arg, struct options *o)
{
	char k[16];
	const char *slash = strchr(arg, '/');

	if (slash == NULL || (size_t)(slash - arg) >= sizeof(k)) {
		fail(p, "--exec-throttle '%s': expected K/T, failures/seconds",
		    arg);
		return;
	}
	memcpy(k, arg, (size_t)(slash - arg));
	k[slash - arg] = '\0';
	o->throttle_max = (int)number(p, "exec-throttle", k, 1, 1000000);
	o->throttle_secs = (int)number(p, "exec-throttle", slash + 1, 1, 3600);
}

/* A limit's value: a number with an optional K, M or G, or unlimited. */
static void
parse_rlimit(struct parse *p, const char *arg, struct options *o)
{
	static const char suffixes[] = "KMG";
	const char *eq = strchr(arg, '='), *suffix;
	char value[32];
	size_t len;
	int i, shift = 0;

	for (i = 0; i < OPTIONS_RLIMITS && eq != NULL; i++)
		if (strlen(options_rlimit_names[i]) == (size_t)(eq - arg) &&
		    strncmp(arg, options_rlimit_names[i], (size_t)(eq - arg)) == 0)
			break;
	if (eq == NULL || i == OPTIONS_RLIMITS) {
		fail(p, "--rlimit '%s': expected as, cpu, nofile, nproc or"
		    " core=VALUE", arg);
		return;
	}
	if (strcmp(eq + 1, "unlimited") == 0 || strcmp(eq + 1, "infinity") == 0) {
		o->rlimits[i] = OPTIONS_RLIM_INFINITY;
		return;
	}
	strlcpy(value, eq + 1, sizeof(value));
	len = strlen(value);
	if (len > 0 && (suffix = strchr(suffixes, value[len - 1])) != NULL) {
		shift = 10 * (int)(suffix - suffixes + 1);
		value[len - 1] = '\0';
	}
	o->rlimits[i] = number(p, "rlimit", value, 0, OPTIONS_RLIM_MAX >> shift)
	    << shift;
}

/* An option that means something only with --exec, given without it. */
static const char *
exec_only(const struct options *o)
{
	struct options d;

	options_defaults(&d);
	if (o->nenv > 0)
		return "--env";
	if (o->keep_env)
		return "--keep-env";
	if (o->throttle_max != d.throttle_max ||
	    o->throttle_secs != d.throttle_secs)
		return "--exec-throttle";
	if (memcmp(o->rlimits, d.rlimits, sizeof(d.rlimits)) != 0)
		return "--rlimit";
	if (o->max_connection_time != d.max_connection_time)
		return "--max-connection-time";
	if (o->chdir != NULL)
		return "--chdir";
	return NULL;
}

/* After the options: --exec's program, or -- and the program. */
static void
parse_program(struct parse *p, int argc, char **argv, struct options *o)
{
	const char *only;

	if (optind < argc) {
		if (argv[optind][0] == '\0') {
			fail(p, "--exec: empty program name");
			return;
		}
		o->exec_argv = &argv[optind];
		o->exec_argc = argc - optind;
		if (o->reuse > 0)
			fail(p, "--reuse: only for the echo worker, a program"
			    " serves one connection");
		return;
	}
	if ((only = exec_only(o)) != NULL)
		fail(p, "%s: only with --exec", only);
}

static void
parse_one(struct parse *p, int ch, const char *arg, struct options *o,
    int *port)
{
	const char *errstr;

	switch (ch) {
	case 'l':
		if (addr_parse(arg, &o->listen, &errstr) == -1)
			fail(p, "--listen '%s': %s", arg, errstr);
		break;
	case 'p':
		*port = (int)number(p, "port", arg, 0, 65535);
		break;
	case OPT_PACKET:
		if (frame_mode_parse(arg, &o->packet) == -1)
			fail(p, "--packet '%s': expected 0, 1, 2, 4 or line", arg);
		break;
	case OPT_MAX_FRAME:
		o->max_frame = (size_t)number(p, "max-frame", arg, 1, MAX_FRAME_LIMIT);
		break;
	case OPT_IDLE:
		o->idle_timeout = seconds(p, "idle-timeout", arg);
		break;
	case OPT_FRAME_TIMEOUT:
		o->frame_timeout = seconds(p, "frame-timeout", arg);
		break;
	case OPT_INTENSITY:
		o->intensity = (int)number(p, "intensity", arg, 0, 100000);
		break;
	case OPT_PERIOD:
		o->period = (int)number(p, "period", arg, 1, 100000000);
		break;
	case OPT_SHUTDOWN:
		parse_shutdown(p, arg, o);
		break;
	case OPT_BACKLOG:
		o->backlog = (int)number(p, "backlog", arg, 1, 65535);
		break;
	case OPT_SPARES:
		o->spares = (int)number(p, "spares", arg, 0, 1024);
		break;
	case OPT_REUSE:
		o->reuse = (int)number(p, "reuse", arg, 0, 1000000);
		break;
	case OPT_MAX_CLIENTS:
		o->max_clients = (int)number(p, "max-clients", arg, 0, 1000000);
		break;
	case OPT_MAX_PER_IP:
		o->max_per_ip = (int)number(p, "max-per-ip", arg, 0, 1000000);
		break;
	case OPT_MAX_PER_IP_PREFIX6:
		o->max_per_ip_prefix6 = (int)number(p, "max-per-ip-prefix6",
		    arg, 1, 128);
		break;
	case OPT_LOG_FORMAT:
		o->log_format = first_of(p, "log-format", arg, "sasl", "json") ?
		    REPORT_SASL : REPORT_JSON;
		break;
	case OPT_CONTROL:
		parse_control(p, arg, o);
		break;
	case OPT_REPORT_DIR:
		if (arg[0] == '\0')
			fail(p, "--report-dir: empty directory name");
		o->report_dir = arg;
		break;
	case OPT_REPORT_MAX_BYTES:
		/* Room for the largest report, so that no record is split. */
		o->report_max_bytes = number(p, "report-max-bytes", arg,
		    REPORT_BUFSIZE, 1LL << 40);
		break;
	case OPT_REPORT_MAX_FILES:
		o->report_max_files = (int)number(p, "report-max-files", arg,
		    1, WRAPLOG_MAX_FILES);
		break;
	case OPT_NO_SANDBOX:
		o->sandbox = false;
		break;
	case OPT_SCHED:
		o->sched_batch = first_of(p, "sched", arg, "batch", "inherit");
		break;
	case OPT_ENV:
		parse_env(p, arg, o);
		break;
	case OPT_KEEP_ENV:
		o->keep_env = true;
		break;
	case OPT_EXEC_THROTTLE:
		parse_throttle(p, arg, o);
		break;
	case OPT_RLIMIT:
		parse_rlimit(p, arg, o);
		break;
	case OPT_MAX_CONNECTION_TIME:
		o->max_connection_time = seconds(p, "max-connection-time", arg);
		break;
	case OPT_CHDIR:
		if (arg[0] == '\0')
			fail(p, "--chdir: empty directory name");
		o->chdir = arg;
		break;
	case OPT_USER:
	case OPT_GROUP:
	case OPT_PIDFILE:
		parse_name(p, ch, arg, o);
		break;
	case OPT_SYSLOG:
		if ((o->syslog_facility = sysreport_facility(arg != NULL ?
		    arg : "daemon")) == -1)
			fail(p, "--syslog=%s: expected a facility: daemon, user,"
			    " local0 to local7, ...", arg);
		break;
	case OPT_REUSEPORT:
		o->reuseport = true;
		break;
	case OPT_PROXY_PROTOCOL:
		o->proxy_protocol = true;
		break;
	}
}

/*
 * Is c, as getopt's optopt, a letter that is none of ours? glibc stores a
 * letter from a plain char, negative above 127; a long option's val is 0
 * or one of ours, or above UCHAR_MAX.
 */
static int
unknown_letter(int c)
{
	if (c == 0 || c > UCHAR_MAX)
		return 0;
	return c == ':' || c == '+' || strchr(SHORTOPTS, c) == NULL;
}

enum options_result
options_parse(int argc, char **argv, struct options *o, char *err,
    size_t errsize)
{
	struct parse p = { .err = err, .errsize = errsize };
	int ch, port = -1, before = 1;
	bool program = false;

	err[0] = '\0';
	optind = 0;	/* glibc: start over, so the parser can run twice */
	opterr = 0;
	while (!program &&
	    (ch = getopt_long(argc, argv, SHORTOPTS, longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_EXEC:
			program = true;
			if (optind >= argc) {
				fail(&p, "--exec: missing program");
				return OPTIONS_ERROR;
			}
			break;
		case 'h':
			return OPTIONS_HELP;
		case 'V':
			return OPTIONS_VERSION;
		case ':':
			fail(&p, "%s: missing value", argv[optind - 1]);
			return OPTIONS_ERROR;
		case '?':
			/*
			 * An unknown letter may sit in a cluster like -xh that
			 * optind has not left yet. Otherwise the argument is
			 * at fault: an unknown long option (optopt 0), or one
			 * given a value it does not take (--help=x, optopt
			 * its val).
			 */
			if (unknown_letter(optopt)) {
				char opt[3] = { '-', (char)optopt, '\0' };

				fail(&p, "%s: unknown option", opt);
			} else {
				fail(&p, "%s: unknown option", argv[optind - 1]);
			}
			return OPTIONS_ERROR;
		default:
			parse_one(&p, ch, optarg, o, &port);
			if (p.failed)
				return OPTIONS_ERROR;
		}
		before = optind;
	}
	/* getopt stepped over a "--" of its own, not an option's value. */
	if (!program && optind == before + 1 && optind <= argc &&
	    strcmp(argv[before], "--") == 0) {
		program = true;
		if (optind >= argc) {
			fail(&p, "--: missing program");
			return OPTIONS_ERROR;
		}
	}
	if (program || optind == argc) {
		parse_program(&p, argc, argv, o);
		if (p.failed)
			return OPTIONS_ERROR;
	}
	if (optind < argc && !program) {
		fail(&p, "'%s': unexpected argument", argv[optind]);
		return OPTIONS_ERROR;
	}
	if (port != -1)
		addr_set_port(&o->listen, port);
	if (o->group != NULL && o->user == NULL) {
		fail(&p, "--group %s: needs --user", o->group);
		return OPTIONS_ERROR;
	}
	return OPTIONS_RUN;
}
