/*
 * test_options.c -- tcpsup's command line: the tutorial's defaults, every
 * option in its long and short form, IPv4 and [IPv6] listen addresses, -p
 * overriding the port in any order, each kind of bad value naming the
 * option in its message, --help and --version, and parsing twice.
 */
#include <criterion/criterion.h>

#include <sys/socket.h>

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "options.h"

#define MAX_ARGS	32

static struct options opts;
static char err[256];

/*
 * Parse a NULL-terminated list of arguments after "tcpsup", starting from
 * the defaults. getopt_long permutes argv and may keep pointers into it,
 * so the strings are copied into writable static storage.
 */
static enum options_result
parse_list(const char *const *args)
{
	static char store[MAX_ARGS][128];
	static char *argv[MAX_ARGS + 1];
	int argc = 0;

	strlcpy(store[argc], "tcpsup", sizeof(store[argc]));
	argv[argc] = store[argc];
	argc++;
	for (; *args != NULL; args++) {
		cr_assert_lt(argc, MAX_ARGS, "too many arguments for the test");
		strlcpy(store[argc], *args, sizeof(store[argc]));
		argv[argc] = store[argc];
		argc++;
	}
	argv[argc] = NULL;
	options_defaults(&opts);
	memset(err, 'X', sizeof(err) - 1);
	err[sizeof(err) - 1] = '\0';
	return options_parse(argc, argv, &opts, err, sizeof(err));
}

#define PARSE(...)	parse_list((const char *const[]){ __VA_ARGS__, NULL })

static const char *
listen_text(void)
{
	static char buf[ADDR_STRLEN];

	addr_format(&opts.listen, buf, sizeof(buf));
	return buf;
}

static void
assert_run(enum options_result res)
{
	cr_assert_eq(res, OPTIONS_RUN, "expected OPTIONS_RUN, err '%s'", err);
}

/* OPTIONS_ERROR, with a one-line message that names what is wrong. */
static void
assert_error(enum options_result res, const char *names)
{
	cr_assert_eq(res, OPTIONS_ERROR, "expected OPTIONS_ERROR for %s", names);
	cr_assert_neq(err[0], '\0', "empty message for %s", names);
	cr_assert_null(strchr(err, '\n'), "message is not one line: '%s'", err);
	cr_assert_not_null(strstr(err, names), "message '%s' does not name '%s'",
	    err, names);
}

/* --- defaults -------------------------------------------------------- */

static void
assert_tutorial_defaults(void)
{
	cr_assert_str_eq(listen_text(), "127.0.0.1:2222");
	cr_assert_eq(opts.listen.ss.ss_family, AF_INET);
	cr_assert_eq(opts.packet, FRAME_2);
	cr_assert_eq(opts.max_frame, 65535);
	cr_assert_eq(opts.idle_timeout, 120);
	cr_assert_eq(opts.frame_timeout, 30);
	cr_assert_eq(opts.max_per_ip, 0);
	cr_assert_eq(opts.max_per_ip_prefix6, 64);
	cr_assert_eq(opts.intensity, 5);
	cr_assert_eq(opts.period, 60);
	cr_assert_eq(opts.shutdown, 2000);
	cr_assert_eq(opts.backlog, 1024);
	cr_assert_eq(opts.spares, 0);
	cr_assert_eq(opts.reuse, 0);
	cr_assert_eq(opts.max_clients, 0);
	cr_assert_eq(opts.log_format, REPORT_SASL);
	cr_assert_null(opts.control);
	cr_assert_null(opts.report_dir);
	cr_assert_eq(opts.report_max_bytes, 1048576);
	cr_assert_eq(opts.report_max_files, 10);
	cr_assert(opts.sandbox, "workers confined by default");
	cr_assert_not(opts.reuseport);
	cr_assert_not(opts.proxy_protocol);
}

Test(options, defaults_are_the_tutorials)
{
	options_defaults(&opts);
	assert_tutorial_defaults();
}

Test(options, no_arguments_runs_with_defaults)
{
	const char *const none[] = { NULL };

	assert_run(parse_list(none));
	cr_assert_str_eq(err, "", "err not cleared");
	assert_tutorial_defaults();
}

/* --- each option, long and short -------------------------------------- */

Test(options, listen_short)
{
	assert_run(PARSE("-l", "10.1.2.3:80"));
	cr_assert_str_eq(listen_text(), "10.1.2.3:80");
}

Test(options, listen_long)
{
	assert_run(PARSE("--listen", "10.1.2.3:80"));
	cr_assert_str_eq(listen_text(), "10.1.2.3:80");
}

Test(options, listen_long_with_equals)
{
	assert_run(PARSE("--listen=10.1.2.3:80"));
	cr_assert_str_eq(listen_text(), "10.1.2.3:80");
}

Test(options, listen_short_attached)
{
	assert_run(PARSE("-l10.1.2.3:80"));
	cr_assert_str_eq(listen_text(), "10.1.2.3:80");
}

Test(options, listen_ipv6)
{
	assert_run(PARSE("--listen", "[::1]:2223"));
	cr_assert_eq(opts.listen.ss.ss_family, AF_INET6);
	cr_assert_str_eq(listen_text(), "[::1]:2223");
}

Test(options, listen_any_ipv4)
{
	assert_run(PARSE("-l", "*:2222"));
	cr_assert_str_eq(listen_text(), "0.0.0.0:2222");
}

Test(options, port_short)
{
	assert_run(PARSE("-p", "3000"));
	cr_assert_str_eq(listen_text(), "127.0.0.1:3000");
}

Test(options, port_long)
{
	assert_run(PARSE("--port", "3000"));
	cr_assert_str_eq(listen_text(), "127.0.0.1:3000");
}

Test(options, port_long_with_equals)
{
	assert_run(PARSE("--port=3000"));
	cr_assert_str_eq(listen_text(), "127.0.0.1:3000");
}

Test(options, port_zero_and_max)
{
	assert_run(PARSE("-p", "0"));
	cr_assert_str_eq(listen_text(), "127.0.0.1:0");
	assert_run(PARSE("-p", "65535"));
	cr_assert_str_eq(listen_text(), "127.0.0.1:65535");
}

Test(options, port_after_listen_overrides)
{
	assert_run(PARSE("-l", "10.0.0.1:80", "-p", "3000"));
	cr_assert_str_eq(listen_text(), "10.0.0.1:3000");
}

Test(options, port_before_listen_overrides)
{
	assert_run(PARSE("-p", "3000", "-l", "10.0.0.1:80"));
	cr_assert_str_eq(listen_text(), "10.0.0.1:3000");
}

Test(options, port_overrides_ipv6_listen)
{
	assert_run(PARSE("--port", "3000", "--listen", "[::1]:80"));
	cr_assert_str_eq(listen_text(), "[::1]:3000");
	assert_run(PARSE("--listen", "[::1]:80", "--port", "3000"));
	cr_assert_str_eq(listen_text(), "[::1]:3000");
}

Test(options, packet_every_mode)
{
	const struct {
		const char	*arg;
		enum frame_mode	 mode;
	} modes[] = {
		{ "0", FRAME_RAW }, { "raw", FRAME_RAW }, { "1", FRAME_1 },
		{ "2", FRAME_2 }, { "4", FRAME_4 }, { "line", FRAME_LINE },
	};

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_run(PARSE("--packet", modes[i].arg));
		cr_assert_eq(opts.packet, modes[i].mode, "--packet %s",
		    modes[i].arg);
	}
}

Test(options, max_frame)
{
	assert_run(PARSE("--max-frame", "1000"));
	cr_assert_eq(opts.max_frame, 1000);
	assert_run(PARSE("--max-frame=1"));
	cr_assert_eq(opts.max_frame, 1);
	assert_run(PARSE("--max-frame", "67108864"));
	cr_assert_eq(opts.max_frame, 67108864);
}

Test(options, idle_timeout_seconds_and_infinity)
{
	assert_run(PARSE("--idle-timeout", "30"));
	cr_assert_eq(opts.idle_timeout, 30);
	assert_run(PARSE("--idle-timeout", "infinity"));
	cr_assert_eq(opts.idle_timeout, IDLE_INFINITY);
}

Test(options, frame_timeout_seconds_and_infinity)
{
	assert_run(PARSE("--frame-timeout", "2"));
	cr_assert_eq(opts.frame_timeout, 2);
	assert_run(PARSE("--frame-timeout=infinity"));
	cr_assert_eq(opts.frame_timeout, IDLE_INFINITY);
	cr_assert_eq(opts.idle_timeout, 120);
}

Test(options, max_per_ip_and_its_ipv6_prefix)
{
	assert_run(PARSE("--max-per-ip", "2", "--max-per-ip-prefix6", "48"));
	cr_assert_eq(opts.max_per_ip, 2);
	cr_assert_eq(opts.max_per_ip_prefix6, 48);
	assert_run(PARSE("--max-per-ip=0", "--max-per-ip-prefix6=128"));
	cr_assert_eq(opts.max_per_ip, 0);
	cr_assert_eq(opts.max_per_ip_prefix6, 128);
}

Test(options, intensity_and_period)
{
	assert_run(PARSE("--intensity", "10", "--period", "5"));
	cr_assert_eq(opts.intensity, 10);
	cr_assert_eq(opts.period, 5);
	assert_run(PARSE("--intensity=0"));
	cr_assert_eq(opts.intensity, 0);
}

Test(options, shutdown_timeout_forms)
{
	assert_run(PARSE("--shutdown-timeout", "500"));
	cr_assert_eq(opts.shutdown, 500);
	assert_run(PARSE("--shutdown-timeout", "0"));
	cr_assert_eq(opts.shutdown, 0);
	assert_run(PARSE("--shutdown-timeout", "brutal_kill"));
	cr_assert_eq(opts.shutdown, SHUTDOWN_BRUTAL_KILL);
	assert_run(PARSE("--shutdown-timeout", "infinity"));
	cr_assert_eq(opts.shutdown, SHUTDOWN_INFINITY);
}

Test(options, backlog)
{
	assert_run(PARSE("--backlog", "128"));
	cr_assert_eq(opts.backlog, 128);
}

Test(options, spares)
{
	assert_run(PARSE("--spares", "0"));
	cr_assert_eq(opts.spares, 0);
	assert_run(PARSE("--spares=1024"));
	cr_assert_eq(opts.spares, 1024);
}

Test(options, reuse)
{
	assert_run(PARSE("--reuse", "1000000"));
	cr_assert_eq(opts.reuse, 1000000);
	assert_run(PARSE("--reuse=0"));
	cr_assert_eq(opts.reuse, 0);
}

Test(options, no_sandbox)
{
	assert_run(PARSE("--no-sandbox"));
	cr_assert_not(opts.sandbox);
	cr_assert_eq(PARSE("--no-sandbox=yes"), OPTIONS_ERROR);
	cr_assert_not_null(strstr(err, "--no-sandbox"), "%s", err);
}

Test(options, sched)
{
	assert_run(PARSE("-p", "2222"));
	cr_assert(opts.sched_batch);
	assert_run(PARSE("--sched", "inherit"));
	cr_assert_not(opts.sched_batch);
	assert_run(PARSE("--sched=inherit", "--sched=batch"));
	cr_assert(opts.sched_batch);
	cr_assert_eq(PARSE("--sched", "fifo"), OPTIONS_ERROR);
	cr_assert_not_null(strstr(err, "--sched 'fifo': expected batch or "
	    "inherit"), "%s", err);
	cr_assert_eq(PARSE("--sched"), OPTIONS_ERROR);
}

Test(options, reuseport_and_proxy_protocol)
{
	assert_run(PARSE("--reuseport"));
	cr_assert(opts.reuseport);
	cr_assert_not(opts.proxy_protocol);
	assert_run(PARSE("--proxy-protocol", "--reuseport"));
	cr_assert(opts.proxy_protocol);
	cr_assert(opts.reuseport);
	cr_assert_eq(PARSE("--proxy-protocol=2"), OPTIONS_ERROR);
	cr_assert_not_null(strstr(err, "--proxy-protocol"), "%s", err);
}

Test(options, max_clients)
{
	assert_run(PARSE("--max-clients", "2"));
	cr_assert_eq(opts.max_clients, 2);
	assert_run(PARSE("--max-clients=0"));
	cr_assert_eq(opts.max_clients, 0);
}

Test(options, log_format)
{
	assert_run(PARSE("--log-format", "json"));
	cr_assert_eq(opts.log_format, REPORT_JSON);
	assert_run(PARSE("--log-format", "sasl"));
	cr_assert_eq(opts.log_format, REPORT_SASL);
}

Test(options, control)
{
	assert_run(PARSE("--control", "/tmp/x/ctl.sock"));
	cr_assert_str_eq(opts.control, "/tmp/x/ctl.sock");
	assert_run(PARSE("--control", "none"));
	cr_assert_str_eq(opts.control, "");
	assert_error(PARSE("--control", ""), "--control");
	/* 108 bytes do not fit a sockaddr_un with its NUL. */
	assert_error(PARSE("--control", "/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaa"), "--control");
}

Test(options, report_dir)
{
	assert_run(PARSE("--report-dir", "/var/log/tcpsup",
	    "--report-max-bytes", "65536", "--report-max-files", "3"));
	cr_assert_str_eq(opts.report_dir, "/var/log/tcpsup");
	cr_assert_eq(opts.report_max_bytes, 65536);
	cr_assert_eq(opts.report_max_files, 3);
	assert_error(PARSE("--report-dir", ""), "--report-dir");
	assert_error(PARSE("--report-max-bytes", "100"), "--report-max-bytes");
	assert_error(PARSE("--report-max-files", "0"), "--report-max-files");
	assert_error(PARSE("--report-max-files", "256"), "--report-max-files");
}

Test(options, everything_at_once)
{
	assert_run(PARSE("--packet", "4", "--max-frame", "4096",
	    "--idle-timeout", "9", "--intensity", "3", "--period", "7",
	    "--shutdown-timeout", "100", "--backlog", "10", "--spares", "2",
	    "--reuse", "5", "--log-format", "json", "-l", "[::]:1", "-p", "2"));
	cr_assert_eq(opts.packet, FRAME_4);
	cr_assert_eq(opts.max_frame, 4096);
	cr_assert_eq(opts.idle_timeout, 9);
	cr_assert_eq(opts.intensity, 3);
	cr_assert_eq(opts.period, 7);
	cr_assert_eq(opts.shutdown, 100);
	cr_assert_eq(opts.backlog, 10);
	cr_assert_eq(opts.spares, 2);
	cr_assert_eq(opts.reuse, 5);
	cr_assert_eq(opts.log_format, REPORT_JSON);
	cr_assert_str_eq(listen_text(), "[::]:2");
}

/* --- help and version ------------------------------------------------- */

Test(options, help_short_and_long)
{
	cr_assert_eq(PARSE("-h"), OPTIONS_HELP);
	cr_assert_eq(PARSE("--help"), OPTIONS_HELP);
	cr_assert_eq(PARSE("-p", "3000", "--help"), OPTIONS_HELP);
}

Test(options, version_short_and_long)
{
	cr_assert_eq(PARSE("-V"), OPTIONS_VERSION);
	cr_assert_eq(PARSE("--version"), OPTIONS_VERSION);
}

Test(options, usage_mentions_every_long_option)
{
	const char *names[] = {
		"--listen", "--port", "--packet", "--max-frame",
		"--idle-timeout", "--intensity", "--period",
		"--shutdown-timeout", "--backlog", "--spares", "--reuse",
		"--max-clients", "--frame-timeout", "--max-per-ip",
		"--max-per-ip-prefix6",
		"--log-format", "--help",
		"--version",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_not_null(strstr(options_usage, names[i]), "%s",
		    names[i]);
}

/* --- bad values -------------------------------------------------------- */

Test(options, port_not_a_number)
{
	assert_error(PARSE("-p", "abc"), "port");
	assert_error(PARSE("--port", "22x"), "port");
	assert_error(PARSE("--port", ""), "port");
}

Test(options, port_out_of_range)
{
	assert_error(PARSE("-p", "65536"), "port");
	assert_error(PARSE("--port", "-1"), "port");
}

Test(options, listen_bad_address)
{
	assert_error(PARSE("-l", "localhost:2222"), "--listen");
	assert_error(PARSE("--listen", "10.0.0.1"), "--listen");
	assert_error(PARSE("--listen", "::1:2222"), "--listen");
	assert_error(PARSE("--listen", "10.0.0.1:70000"), "--listen");
}

Test(options, packet_bad_mode)
{
	assert_error(PARSE("--packet", "3"), "--packet");
	assert_error(PARSE("--packet", "lines"), "--packet");
}

Test(options, max_frame_out_of_range)
{
	assert_error(PARSE("--max-frame", "0"), "--max-frame");
	assert_error(PARSE("--max-frame", "67108865"), "--max-frame");
	assert_error(PARSE("--max-frame", "big"), "--max-frame");
}

Test(options, idle_timeout_bad)
{
	assert_error(PARSE("--idle-timeout", "0"), "--idle-timeout");
	assert_error(PARSE("--idle-timeout", "forever"), "--idle-timeout");
}

Test(options, frame_timeout_bad)
{
	assert_error(PARSE("--frame-timeout", "0"), "--frame-timeout");
	assert_error(PARSE("--frame-timeout", "-3"), "--frame-timeout");
	assert_error(PARSE("--frame-timeout", "soon"), "--frame-timeout");
}

Test(options, max_per_ip_bad)
{
	assert_error(PARSE("--max-per-ip", "-1"), "--max-per-ip");
	assert_error(PARSE("--max-per-ip", "two"), "--max-per-ip");
	assert_error(PARSE("--max-per-ip-prefix6", "0"), "--max-per-ip-prefix6");
	assert_error(PARSE("--max-per-ip-prefix6", "129"), "--max-per-ip-prefix6");
}

Test(options, intensity_bad)
{
	assert_error(PARSE("--intensity", "-1"), "--intensity");
	assert_error(PARSE("--intensity", "five"), "--intensity");
}

Test(options, period_bad)
{
	assert_error(PARSE("--period", "0"), "--period");
	assert_error(PARSE("--period", "1m"), "--period");
}

Test(options, shutdown_timeout_bad)
{
	assert_error(PARSE("--shutdown-timeout", "-5"), "--shutdown-timeout");
	assert_error(PARSE("--shutdown-timeout", "soon"), "--shutdown-timeout");
	assert_error(PARSE("--shutdown-timeout", "3600001"),
	    "--shutdown-timeout");
}

Test(options, backlog_bad)
{
	assert_error(PARSE("--backlog", "0"), "--backlog");
	assert_error(PARSE("--backlog", "65536"), "--backlog");
}

Test(options, spares_bad)
{
	assert_error(PARSE("--spares", "-1"), "--spares");
	assert_error(PARSE("--spares", "1025"), "--spares");
	assert_error(PARSE("--spares", "some"), "--spares");
}

Test(options, max_clients_bad)
{
	assert_error(PARSE("--max-clients", "-1"), "--max-clients");
	assert_error(PARSE("--max-clients", "1000001"), "--max-clients");
	assert_error(PARSE("--max-clients", "many"), "--max-clients");
}

Test(options, reuse_bad)
{
	assert_error(PARSE("--reuse", "-1"), "--reuse");
	assert_error(PARSE("--reuse", "1000001"), "--reuse");
	assert_error(PARSE("--reuse", "x"), "--reuse");
}

Test(options, log_format_bad)
{
	assert_error(PARSE("--log-format", "xml"), "--log-format");
	assert_error(PARSE("--log-format", "JSON"), "--log-format");
}

Test(options, unknown_long_option)
{
	assert_error(PARSE("--bogus"), "--bogus");
}

Test(options, unknown_short_option)
{
	assert_error(PARSE("-x"), "-x");
}

Test(options, unknown_short_option_in_a_cluster)
{
	/* getopt has not moved past "-xh" yet when it reports 'x'. */
	assert_error(PARSE("-xh"), "-x");
}

Test(options, unknown_short_option_in_a_cluster_after_a_long_option)
{
	/* Found by fuzz_options: the argument before the cluster was named. */
	assert_error(PARSE("--backlog=5", "-xh"), "-x");
	cr_assert_null(strstr(err, "backlog"), "message '%s'", err);
	/* A letter above 127, which getopt hands back negative. */
	assert_error(PARSE("--backlog=5", "-\xe9h"), "-\xe9");
	cr_assert_null(strstr(err, "backlog"), "message '%s'", err);
}

Test(options, value_given_to_a_long_option_that_takes_none)
{
	assert_error(PARSE("--help=x"), "--help=x");
	assert_error(PARSE("-p", "1", "--vers=1"), "--vers=1");
}

Test(options, missing_value_long)
{
	assert_error(PARSE("--port"), "--port");
	assert_error(PARSE("--packet"), "--packet");
	assert_error(PARSE("-p", "1", "--listen"), "--listen");
}

Test(options, missing_value_short)
{
	assert_error(PARSE("-p"), "-p");
	assert_error(PARSE("-l"), "-l");
}

Test(options, stray_argument)
{
	assert_error(PARSE("foo"), "foo");
	assert_error(PARSE("-p", "3000", "extra"), "extra");
}

Test(options, first_error_wins)
{
	assert_error(PARSE("--backlog", "0", "--packet", "3"), "--backlog");
	cr_assert_null(strstr(err, "--packet"), "'%s'", err);
}

Test(options, error_message_fits_small_buffer)
{
	char small[8], *argv[] = { (char[]){ "tcpsup" }, (char[]){ "-p" },
	    (char[]){ "abcdefghijklmnop" }, NULL };

	options_defaults(&opts);
	memset(small, 'X', sizeof(small));
	cr_assert_eq(options_parse(3, argv, &opts, small, sizeof(small)),
	    OPTIONS_ERROR);
	cr_assert_eq(strlen(small), sizeof(small) - 1);
}

/* --- getopt state ------------------------------------------------------ */

Test(options, parses_twice_in_one_process)
{
	assert_error(PARSE("-p", "3000", "--bogus"), "--bogus");
	assert_run(PARSE("-p", "3001"));
	cr_assert_str_eq(listen_text(), "127.0.0.1:3001");
	assert_run(PARSE("--packet", "line", "-p", "3002"));
	cr_assert_eq(opts.packet, FRAME_LINE);
	cr_assert_str_eq(listen_text(), "127.0.0.1:3002");
}

/* --- --exec and the options of programs ---------------------------------- */

/* The program's argv as parsed, against want (NULL-terminated). */
static void
assert_program(const char *const *want)
{
	int n = 0;

	cr_assert_not_null(opts.exec_argv, "no program");
	for (; want[n] != NULL; n++) {
		cr_assert_not_null(opts.exec_argv[n], "argument %d missing", n);
		cr_assert_str_eq(opts.exec_argv[n], want[n]);
	}
	cr_assert_null(opts.exec_argv[n], "more arguments than %d", n);
	cr_assert_eq(opts.exec_argc, n);
}

Test(options, exec_defaults)
{
	assert_run(PARSE("-p", "0"));
	cr_assert_null(opts.exec_argv, "echo by default");
	cr_assert_eq(opts.throttle_max, 5);
	cr_assert_eq(opts.throttle_secs, 1);
	cr_assert_eq(opts.max_connection_time, IDLE_INFINITY);
	cr_assert_null(opts.chdir);
	cr_assert_eq(opts.nenv, 0);
	cr_assert(!opts.keep_env);
	for (int i = 0; i < OPTIONS_RLIMITS; i++)
		cr_assert_eq(opts.rlimits[i], OPTIONS_RLIM_UNSET);
}

Test(options, exec_takes_the_rest_of_the_line)
{
	assert_run(PARSE("-p", "0", "--exec", "/bin/cat", "-u", "--port", "-",
	    "", "--", "--exec"));
	assert_program((const char *const[]){ "/bin/cat", "-u", "--port", "-",
	    "", "--", "--exec", NULL });
	cr_assert_eq(addr_port(&opts.listen), 0);
}

Test(options, double_dash_starts_the_program)
{
	assert_run(PARSE("--max-connection-time", "5", "--", "cat", "-v"));
	assert_program((const char *const[]){ "cat", "-v", NULL });
	cr_assert_eq(opts.max_connection_time, 5);
}

Test(options, double_dash_as_a_value_is_no_program)
{
	assert_error(PARSE("--control", "--", "cat"), "'cat': unexpected argument");
	assert_run(PARSE("--control", "--", "--exec", "cat"));
	cr_assert_str_eq(opts.control, "--");
	assert_program((const char *const[]){ "cat", NULL });
}

Test(options, exec_needs_a_program)
{
	assert_error(PARSE("--exec"), "--exec: missing program");
	assert_error(PARSE("-p", "1", "--"), "--: missing program");
	assert_error(PARSE("--exec", ""), "--exec: empty program name");
	assert_error(PARSE("--exec=cat"), "--exec=cat");
}

Test(options, env_repeatable_and_checked)
{
	assert_run(PARSE("--env", "A=1", "--env", "B=", "--env", "C=x=y",
	    "--keep-env", "--exec", "prog"));
	cr_assert_eq(opts.nenv, 3);
	cr_assert_str_eq(opts.env[0], "A=1");
	cr_assert_str_eq(opts.env[1], "B=");
	cr_assert_str_eq(opts.env[2], "C=x=y");
	cr_assert(opts.keep_env);
	assert_error(PARSE("--env", "NOVALUE", "--exec", "p"), "--env 'NOVALUE'");
	assert_error(PARSE("--env", "=1", "--exec", "p"), "--env '=1'");
	assert_error(PARSE("--env", "TCPREMOTEIP=1", "--exec", "p"),
	    "TCPREMOTEIP is set by tcpsup");
	assert_error(PARSE("--env", "PROTO=UDP", "--exec", "p"), "PROTO");
}

Test(options, env_at_most_its_maximum)
{
	static char store[OPTIONS_MAX_ENV + 1][16], name[] = "tcpsup",
	    env[] = "--env", exec[] = "--exec", prog[] = "p";
	char *argv[2 * (OPTIONS_MAX_ENV + 1) + 4];
	int argc = 0;

	argv[argc++] = name;
	for (int i = 0; i <= OPTIONS_MAX_ENV; i++) {
		snprintf(store[i], sizeof(store[i]), "V%d=%d", i, i);
		argv[argc++] = env;
		argv[argc++] = store[i];
	}
	argv[argc++] = exec;
	argv[argc++] = prog;
	argv[argc] = NULL;
	options_defaults(&opts);
	assert_error(options_parse(argc, argv, &opts, err, sizeof(err)),
	    "at most 64");
}

Test(options, exec_throttle)
{
	assert_run(PARSE("--exec-throttle", "10/60", "--exec", "p"));
	cr_assert_eq(opts.throttle_max, 10);
	cr_assert_eq(opts.throttle_secs, 60);
	assert_error(PARSE("--exec-throttle", "10", "--exec", "p"),
	    "--exec-throttle '10'");
	assert_error(PARSE("--exec-throttle", "0/1", "--exec", "p"),
	    "--exec-throttle");
	assert_error(PARSE("--exec-throttle", "1/0", "--exec", "p"),
	    "--exec-throttle");
	assert_error(PARSE("--exec-throttle", "1/3601", "--exec", "p"),
	    "--exec-throttle");
	assert_error(PARSE("--exec-throttle", "/1", "--exec", "p"),
	    "--exec-throttle");
}

Test(options, rlimits_by_name_with_suffixes)
{
	assert_run(PARSE("--rlimit", "as=512M", "--rlimit", "cpu=10",
	    "--rlimit", "nofile=64", "--rlimit", "nproc=unlimited",
	    "--rlimit", "core=0", "--rlimit", "cpu=2K", "--exec", "p"));
	cr_assert_eq(opts.rlimits[OPTIONS_RLIMIT_AS], 512LL << 20);
	cr_assert_eq(opts.rlimits[OPTIONS_RLIMIT_CPU], 2048);
	cr_assert_eq(opts.rlimits[OPTIONS_RLIMIT_NOFILE], 64);
	cr_assert_eq(opts.rlimits[OPTIONS_RLIMIT_NPROC], OPTIONS_RLIM_INFINITY);
	cr_assert_eq(opts.rlimits[OPTIONS_RLIMIT_CORE], 0);
	assert_run(PARSE("--rlimit", "as=1G", "--rlimit", "core=infinity",
	    "--exec", "p"));
	cr_assert_eq(opts.rlimits[OPTIONS_RLIMIT_AS], 1LL << 30);
	cr_assert_eq(opts.rlimits[OPTIONS_RLIMIT_CORE], OPTIONS_RLIM_INFINITY);
	assert_error(PARSE("--rlimit", "stack=1", "--exec", "p"),
	    "--rlimit 'stack=1'");
	assert_error(PARSE("--rlimit", "as", "--exec", "p"), "--rlimit 'as'");
	assert_error(PARSE("--rlimit", "as=-1", "--exec", "p"), "--rlimit");
	assert_error(PARSE("--rlimit", "as=1T", "--exec", "p"), "--rlimit");
	assert_error(PARSE("--rlimit", "as=", "--exec", "p"), "--rlimit");
	assert_error(PARSE("--rlimit", "as=2000000G", "--exec", "p"), "--rlimit");
}

Test(options, connection_time_and_chdir)
{
	assert_run(PARSE("--max-connection-time", "30", "--chdir", "/tmp",
	    "--exec", "p"));
	cr_assert_eq(opts.max_connection_time, 30);
	cr_assert_str_eq(opts.chdir, "/tmp");
	assert_run(PARSE("--max-connection-time", "infinity", "--exec", "p"));
	cr_assert_eq(opts.max_connection_time, IDLE_INFINITY);
	assert_error(PARSE("--max-connection-time", "0", "--exec", "p"),
	    "--max-connection-time");
	assert_error(PARSE("--chdir", "", "--exec", "p"), "--chdir");
}

Test(options, program_options_need_a_program)
{
	assert_error(PARSE("--env", "A=1"), "--env: only with --exec");
	assert_error(PARSE("--keep-env"), "--keep-env: only with --exec");
	assert_error(PARSE("--exec-throttle", "3/2"), "--exec-throttle: only");
	assert_error(PARSE("--rlimit", "core=0"), "--rlimit: only");
	assert_error(PARSE("--max-connection-time", "9"),
	    "--max-connection-time: only");
	assert_error(PARSE("--chdir", "/"), "--chdir: only");
}

Test(options, reuse_is_for_echo_only)
{
	assert_error(PARSE("--reuse", "3", "--exec", "p"), "--reuse");
	assert_run(PARSE("--spares", "3", "--exec", "p"));
	cr_assert_eq(opts.spares, 3);
}

Test(options, usage_mentions_the_program_options)
{
	const char *names[] = {
		"--exec", "--env", "--keep-env", "--exec-throttle", "--rlimit",
		"--max-connection-time", "--chdir",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_not_null(strstr(options_usage, names[i]), "%s",
		    names[i]);
}

Test(options, user_group_pidfile)
{
	assert_run(PARSE("--user", "nobody", "--group", "nogroup",
	    "--pidfile", "/run/tcpsup.pid"));
	cr_assert_str_eq(opts.user, "nobody");
	cr_assert_str_eq(opts.group, "nogroup");
	cr_assert_str_eq(opts.pidfile, "/run/tcpsup.pid");
	assert_run(PARSE("-p", "1"));
	cr_assert_null(opts.user);
	cr_assert_null(opts.group);
	cr_assert_null(opts.pidfile);
}

Test(options, user_group_pidfile_refused)
{
	assert_error(PARSE("--user", ""), "--user");
	assert_error(PARSE("--pidfile", ""), "--pidfile");
	/* A group alone would change nothing a user would expect. */
	assert_error(PARSE("--group", "nogroup"), "--group nogroup: needs --user");
	assert_error(PARSE("--user"), "--user");
}

Test(options, syslog_facility)
{
	assert_run(PARSE("-p", "1"));
	cr_assert_eq(opts.syslog_facility, -1);
	assert_run(PARSE("--syslog"));
	cr_assert_eq(opts.syslog_facility, LOG_DAEMON);
	assert_run(PARSE("--syslog=local3"));
	cr_assert_eq(opts.syslog_facility, LOG_LOCAL3);
	assert_error(PARSE("--syslog=kern"), "--syslog=kern");
	assert_error(PARSE("--syslog="), "--syslog=");
	/* The facility is glued on: a word after it is an argument. */
	assert_error(PARSE("--syslog", "local3"), "'local3': unexpected");
}
