/*
 * test_procfs.c -- /proc text as the kernel writes it: /proc/PID/stat
 * (with a comm that has spaces and parentheses), /proc/uptime, cmdline as
 * a title, fd links to sockets, and /proc/net/tcp and tcp6 lines.
 */
#include <criterion/criterion.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string.h>

#include "procfs.h"

/* --- /proc/PID/stat ---------------------------------------------------- */

Test(procfs, stat_fields)
{
	const char *text = "17613 (tcpsup) S 17609 17607 17607 34816 17607 "
	    "4194560 120 0 0 0 12 34 0 0 20 0 1 0 567890 12345678 321 "
	    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
	struct procfs_stat st;

	cr_assert_eq(procfs_stat_parse(text, &st), 0);
	cr_assert_eq(st.pid, 17613);
	cr_assert_eq(st.state, 'S');
	cr_assert_eq(st.ppid, 17609);
	cr_assert_eq(st.utime, 12);
	cr_assert_eq(st.stime, 34);
	cr_assert_eq(st.starttime, 567890);
	cr_assert_eq(st.rss, 321);
}

Test(procfs, stat_comm_with_spaces_and_parentheses)
{
	/* A process may name itself anything, ") R 1 " included. */
	const char *text = "4242 (a (b) c) R 1 2) Z 7 4242 4242 0 -1 "
	    "4194304 5 0 0 0 100 200 0 0 20 0 1 0 999 1000 77 0 0 0\n";
	struct procfs_stat st;

	cr_assert_eq(procfs_stat_parse(text, &st), 0);
	cr_assert_eq(st.pid, 4242);
	cr_assert_eq(st.state, 'Z');
	cr_assert_eq(st.ppid, 7);
	cr_assert_eq(st.utime, 100);
	cr_assert_eq(st.stime, 200);
	cr_assert_eq(st.starttime, 999);
	cr_assert_eq(st.rss, 77);
}

Test(procfs, stat_malformed)
{
	struct procfs_stat st;

	cr_assert_eq(procfs_stat_parse("", &st), -1);
	cr_assert_eq(procfs_stat_parse("12 tcpsup S 1", &st), -1);
	cr_assert_eq(procfs_stat_parse("12 (tcpsup S 1 2 3", &st), -1);
	cr_assert_eq(procfs_stat_parse("x (tcpsup) S 1 1 1 0 1 0 0 0 0 0 1 1 "
	    "0 0 20 0 1 0 5 6 7", &st), -1);
	/* Cut short before rss. */
	cr_assert_eq(procfs_stat_parse("12 (tcpsup) S 1 1 1 0 1 0 0 0 0 0 1 1 "
	    "0 0 20 0 1 0 5 6", &st), -1);
	cr_assert_eq(procfs_stat_parse(") 12 (x S 1 1 1 0 1 0 0 0 0 0 1 1 0 0 "
	    "20 0 1 0 5 6 7", &st), -1);
}

Test(procfs, uptime)
{
	double s;

	cr_assert_eq(procfs_uptime_parse("12345.67 2345.00\n", &s), 0);
	cr_assert_float_eq(s, 12345.67, 1e-9);
	cr_assert_eq(procfs_uptime_parse("", &s), -1);
	cr_assert_eq(procfs_uptime_parse("up", &s), -1);
}

/* --- cmdline ----------------------------------------------------------- */

static const char *
title(const char *cmdline, size_t len, size_t size)
{
	static char buf[256];

	procfs_cmdline_title(cmdline, len, buf, size);
	return buf;
}

Test(procfs, cmdline_title)
{
	static const char set[] = "tcpsup: tcp_echo_fsm 127.0.0.1:53012\0\0\0";
	static const char argv[] = "/usr/sbin/tcpsup\0--port\0002222\0";
	static const char odd[] = "tcpsup: \xe2\x94\x9c\t\x7fx";

	cr_assert_str_eq(title(set, sizeof(set) - 1, 256),
	    "tcpsup: tcp_echo_fsm 127.0.0.1:53012");
	cr_assert_str_eq(title(argv, sizeof(argv) - 1, 256),
	    "/usr/sbin/tcpsup --port 2222");
	/* One column per byte whatever the locale: no UTF-8, no controls. */
	cr_assert_str_eq(title(odd, sizeof(odd) - 1, 256), "tcpsup: ?????x");
	cr_assert_str_eq(title(set, sizeof(set) - 1, 7), "tcpsup");
	cr_assert_str_eq(title("", 0, 256), "");
}

Test(procfs, socket_inode)
{
	cr_assert_eq(procfs_socket_inode("socket:[87654]"), 87654);
	cr_assert_eq(procfs_socket_inode("pipe:[87654]"), 0);
	cr_assert_eq(procfs_socket_inode("socket:[87654"), 0);
	cr_assert_eq(procfs_socket_inode("socket:[87654]x"), 0);
	cr_assert_eq(procfs_socket_inode("/dev/null"), 0);
}

/* --- /proc/net/tcp ----------------------------------------------------- */

Test(procfs, tcp_ipv4_connected)
{
	const char *line = "   3: 0100007F:08AE 0100007F:CF14 01 "
	    "00000000:00000000 00:00000000 00000000     0        0 87654 1 "
	    "0000000000000000 20 4 30 10 -1";
	struct procfs_tcp t;

	cr_assert_eq(procfs_tcp_parse(line, AF_INET, &t), 0);
	cr_assert_str_eq(t.local, "127.0.0.1:2222");
	cr_assert_str_eq(t.remote, "127.0.0.1:53012");
	cr_assert_eq(t.state, TCP_ESTABLISHED);
	cr_assert_eq(t.inode, 87654);
}

Test(procfs, tcp_ipv4_listening)
{
	const char *line = "   0: 0100007F:08AE 00000000:0000 0A "
	    "00000000:00000000 00:00000000 00000000     0        0 12345 1 "
	    "0000000000000000 100 0 0 10 0";
	struct procfs_tcp t;

	cr_assert_eq(procfs_tcp_parse(line, AF_INET, &t), 0);
	cr_assert_str_eq(t.remote, "0.0.0.0:0");
	cr_assert_eq(t.state, TCP_LISTEN);
	cr_assert_eq(t.inode, 12345);
}

Test(procfs, tcp_ipv6)
{
	const char *loop = "   1: 00000000000000000000000001000000:08AE "
	    "00000000000000000000000001000000:CF14 01 00000000:00000000 "
	    "00:00000000 00000000  1000        0 424242 1 0000000000000000 "
	    "20 4 30 10 -1";
	const char *mapped = "   2: 0000000000000000FFFF00000100007F:08AE "
	    "0000000000000000FFFF00000100007F:D1D4 01 00000000:00000000 "
	    "00:00000000 00000000  1000        0 5 1 0000000000000000 "
	    "20 4 30 10 -1";
	struct procfs_tcp t;

	cr_assert_eq(procfs_tcp_parse(loop, AF_INET6, &t), 0);
	cr_assert_str_eq(t.local, "[::1]:2222");
	cr_assert_str_eq(t.remote, "[::1]:53012");
	cr_assert_eq(t.inode, 424242);
	cr_assert_eq(procfs_tcp_parse(mapped, AF_INET6, &t), 0);
	cr_assert_str_eq(t.remote, "[::ffff:127.0.0.1]:53716");
}

Test(procfs, tcp_not_a_socket)
{
	const char *heading = "  sl  local_address rem_address   st tx_queue "
	    "rx_queue tr tm->when retrnsmt   uid  timeout inode";
	const char *v4 = "   3: 0100007F:08AE 0100007F:CF14 01 "
	    "00000000:00000000 00:00000000 00000000     0        0 87654 1";
	struct procfs_tcp t;

	cr_assert_eq(procfs_tcp_parse(heading, AF_INET, &t), -1);
	cr_assert_eq(procfs_tcp_parse("", AF_INET, &t), -1);
	/* An IPv4 line read as IPv6 has the wrong address length. */
	cr_assert_eq(procfs_tcp_parse(v4, AF_INET6, &t), -1);
	cr_assert_eq(procfs_tcp_parse(v4, AF_UNIX, &t), -1);
	cr_assert_eq(procfs_tcp_parse("   3: 0100007F:08AE 0100007F", AF_INET,
	    &t), -1);
	cr_assert_eq(procfs_tcp_parse("   3: 0100007F:08AE 0100007F:1FFFF 01 "
	    "0:0 0:0 0 0 0 87654", AF_INET, &t), -1);
}
