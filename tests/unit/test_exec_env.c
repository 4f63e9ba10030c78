/*
 * test_exec_env.c -- a program's environment: exactly the five UCSPI
 * variables for IPv4, IPv6 and IPv4-mapped peers; --env after them in
 * order, the last of a name winning; --keep-env passing tcpsup's
 * variables but never a stale UCSPI one or one --env sets; a too small
 * array refused.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "exec_env.h"
#include "exec_line.h"

static struct options opts;
static char *envp[32];
static char buf[EXEC_ENV_BUFSIZE];

static struct addr
parse(const char *text)
{
	struct addr a;
	const char *errstr;

	cr_assert_eq(addr_parse(text, &a, &errstr), 0, "%s", text);
	return a;
}

static int
build(const char *local, const char *remote, char *const *inherited)
{
	struct addr l = parse(local), r = parse(remote);

	return exec_env_build(&opts, inherited, &l, &r, envp,
	    sizeof(envp) / sizeof(envp[0]), buf);
}

static void
assert_env(int n, const char *const *want)
{
	int i = 0;

	for (; want[i] != NULL; i++) {
		cr_assert_lt(i, n, "only %d variables, want %s", n, want[i]);
		cr_assert_str_eq(envp[i], want[i]);
	}
	cr_assert_eq(n, i, "%d variables, want %d", n, i);
	cr_assert_null(envp[n]);
}

#define ENV(...)	((const char *const[]){ __VA_ARGS__, NULL })

Test(exec_env, ipv4_exactly_the_ucspi_five)
{
	options_defaults(&opts);
	assert_env(build("127.0.0.1:2222", "127.0.0.1:53012", NULL),
	    ENV("PROTO=TCP", "TCPLOCALIP=127.0.0.1", "TCPLOCALPORT=2222",
	    "TCPREMOTEIP=127.0.0.1", "TCPREMOTEPORT=53012"));
}

Test(exec_env, ipv6_compact_and_mapped_as_ipv4)
{
	options_defaults(&opts);
	assert_env(build("[::1]:7", "[2001:db8:0:0:0:0:0:1]:65535", NULL),
	    ENV("PROTO=TCP", "TCPLOCALIP=::1", "TCPLOCALPORT=7",
	    "TCPREMOTEIP=2001:db8::1", "TCPREMOTEPORT=65535"));
	assert_env(build("[::ffff:10.0.0.1]:80", "[::ffff:192.0.2.9]:1", NULL),
	    ENV("PROTO=TCP", "TCPLOCALIP=10.0.0.1", "TCPLOCALPORT=80",
	    "TCPREMOTEIP=192.0.2.9", "TCPREMOTEPORT=1"));
}

Test(exec_env, env_options_before_ucspi_last_of_a_name_wins)
{
	options_defaults(&opts);
	opts.env[opts.nenv++] = "A=1";
	opts.env[opts.nenv++] = "B= two words ";
	opts.env[opts.nenv++] = "A=3";
	opts.env[opts.nenv++] = "E=";
	assert_env(build("127.0.0.1:1", "127.0.0.1:2", NULL),
	    ENV("B= two words ", "A=3", "E=", "PROTO=TCP", "TCPLOCALIP=127.0.0.1",
	    "TCPLOCALPORT=1", "TCPREMOTEIP=127.0.0.1", "TCPREMOTEPORT=2"));
}

Test(exec_env, inherited_only_with_keep_env)
{
	char *const inherited[] = { "PATH=/bin", "TCPREMOTEHOST=stale",
	    "TCPREMOTEIP=1.2.3.4", "A=old", "HOME=/root", "PROTOCOL=x", NULL };

	options_defaults(&opts);
	opts.env[opts.nenv++] = "A=new";
	assert_env(build("127.0.0.1:1", "127.0.0.1:2", inherited),
	    ENV("A=new", "PROTO=TCP", "TCPLOCALIP=127.0.0.1", "TCPLOCALPORT=1",
	    "TCPREMOTEIP=127.0.0.1", "TCPREMOTEPORT=2"));
	opts.keep_env = true;
	assert_env(build("127.0.0.1:1", "127.0.0.1:2", inherited),
	    ENV("PATH=/bin", "HOME=/root", "PROTOCOL=x", "A=new", "PROTO=TCP",
	    "TCPLOCALIP=127.0.0.1", "TCPLOCALPORT=1", "TCPREMOTEIP=127.0.0.1",
	    "TCPREMOTEPORT=2"));
}

Test(exec_env, too_small_an_array)
{
	struct addr l = parse("127.0.0.1:1"), r = parse("127.0.0.1:2");

	options_defaults(&opts);
	cr_assert_eq(exec_env_build(&opts, NULL, &l, &r, envp, 6, buf), 5);
	cr_assert_eq(exec_env_build(&opts, NULL, &l, &r, envp, 5, buf), -1);
	opts.env[opts.nenv++] = "A=1";
	cr_assert_eq(exec_env_build(&opts, NULL, &l, &r, envp, 6, buf), -1);
}

/* --- exec_line: a stderr line made fit for a report ---------------------- */

static char out[64];

static const char *
escape(const char *in, size_t len, size_t size)
{
	exec_line_escape(in, len, out, size);
	return out;
}

Test(exec_line, text_and_utf8_as_they_are)
{
	cr_assert_str_eq(escape("plain\ttext", 10, sizeof(out)), "plain\ttext");
	cr_assert_str_eq(escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
	    sizeof(out)), "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

Test(exec_line, controls_backslash_and_bad_bytes_escaped)
{
	cr_assert_str_eq(escape("a\rb\x1b[2Jc\\d\x7f", 11, sizeof(out)),
	    "a\\x0db\\x1b[2Jc\\\\d\\x7f");
	cr_assert_str_eq(escape("\xff\xc3(\xed\xa0\x80\xc0\xaf", 8, sizeof(out)),
	    "\\xff\\xc3(\\xed\\xa0\\x80\\xc0\\xaf");
	cr_assert_str_eq(escape("nul\0byte", 8, sizeof(out)), "nul\\x00byte");
	cr_assert_str_eq(escape("\xe2\x82", 2, sizeof(out)), "\\xe2\\x82");
}

Test(exec_line, cut_at_a_boundary)
{
	cr_assert_eq(exec_line_escape("abcdef", 6, out, 4), 3);
	cr_assert_str_eq(out, "abc");
	cr_assert_eq(exec_line_escape("ab\x01", 3, out, 6), 2);
	cr_assert_str_eq(out, "ab");
	cr_assert_eq(exec_line_escape("a\xc3\xa9", 3, out, 3), 1);
	cr_assert_str_eq(out, "a");
}
