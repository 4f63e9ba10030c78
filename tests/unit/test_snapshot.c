/*
 * test_snapshot.c -- a snapshot built from canned replies of the control
 * protocol (stats, children) and canned /proc text: counters, the last
 * reports, supervisors and their children, pids that OTP prints as words,
 * replies the daemon would not send, and the kernel's columns.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

/* The parsers modify their input: give them a copy. */
static char *
canned(const char *text)
{
	static char buf[8192];

	cr_assert_lt(strlen(text), sizeof(buf));
	strcpy(buf, text);
	return buf;
}

Test(snapshot, stats)
{
	struct snapshot s = { 0 };

	cr_assert_eq(snapshot_parse_stats(&s, canned(
	    "stat\tpid\t17607\n"
	    "stat\tversion\t0.1.0\n"
	    "stat\tlisten\t127.0.0.1:2222\n"
	    "stat\tcontrol\t/run/user/1000/tcpsup/2222.sock\n"
	    "stat\treport_dir\t-\n"
	    "stat\tstarted\t26-Nov-2026::09:03:58\n"
	    "stat\taccepted\t42\n"
	    "stat\tforks\t48\n"
	    "stat\tclients\t2\n"
	    "stat\trestarts\t1\n"
	    "stat\treports\t9\n"
	    "report\t26-Nov-2026::10:34:56\tsupervisor_report\t17613\t"
	    "child_terminated killed\n")), 0);
	cr_assert_str_eq(s.version, "0.1.0");
	cr_assert_str_eq(s.listen, "127.0.0.1:2222");
	cr_assert_eq(s.accepted, 42);
	cr_assert_eq(s.forks, 48);
	cr_assert_eq(s.clients, 2);
	cr_assert_eq(s.restarts, 1);
	cr_assert_eq(s.reports, 9);
	cr_assert_eq(s.nlast, 1);
	cr_assert_str_eq(s.last[0].time, "26-Nov-2026::10:34:56");
	cr_assert_str_eq(s.last[0].kind, "supervisor_report");
	cr_assert_str_eq(s.last[0].pid, "17613");
	cr_assert_str_eq(s.last[0].text, "child_terminated killed");
}

Test(snapshot, stats_keep_the_newest_reports)
{
	struct snapshot s = { 0 };
	char text[4096] = "";

	for (int i = 0; i < SNAP_REPORTS_MAX + 3; i++) {
		char line[128];

		snprintf(line, sizeof(line), "report\tT%d\terror_report\t%d\t"
		    "report %d\n", i, 100 + i, i);
		strcat(text, line);
	}
	cr_assert_eq(snapshot_parse_stats(&s, text), 0);
	cr_assert_eq(s.nlast, SNAP_REPORTS_MAX);
	cr_assert_str_eq(s.last[0].text, "report 3");
	cr_assert_str_eq(s.last[SNAP_REPORTS_MAX - 1].text, "report 18");
}

Test(snapshot, stats_malformed)
{
	struct snapshot s = { 0 };

	cr_assert_eq(snapshot_parse_stats(&s, canned("stat\tpid\n")), -1);
	cr_assert_eq(snapshot_parse_stats(&s, canned(
	    "report\tT\terror_report\t1\n")), -1);
	cr_assert_eq(snapshot_parse_stats(&s, canned("child\tx\t1\tw\t[]\n")),
	    -1);
}

static const char root_reply[] =
    "sup\ttcp_server_app\t17607\tone_for_one\t5\t60\t1\n"
    "node\ttcp_client_sup\t17609\tsupervisor\tpermanent\t0\t-\n"
    "node\ttcp_server_sup\t17650\tworker\tpermanent\t1\t-\n";

Test(snapshot, children_of_the_root)
{
	struct snap_proc root = { 0 };

	cr_assert_eq(snapshot_parse_children(&root, canned(root_reply)), 0);
	cr_assert(root.is_sup);
	cr_assert_str_eq(root.id, "tcp_server_app");
	cr_assert_eq(root.pid, 17607);
	cr_assert_str_eq(root.strategy, "one_for_one");
	cr_assert_eq(root.intensity, 5);
	cr_assert_eq(root.period, 60);
	cr_assert_eq(root.sup_restarts, 1);
	/* Newest first on the wire, in start order here. */
	cr_assert_eq(root.nchildren, 2);
	cr_assert_str_eq(root.children[1].id, "tcp_client_sup");
	cr_assert_eq(root.children[1].pid, 17609);
	cr_assert_str_eq(root.children[1].type, "supervisor");
	cr_assert_str_eq(root.children[1].restart, "permanent");
	cr_assert_eq(root.children[1].restarts, 0);
	cr_assert_str_eq(root.children[0].id, "tcp_server_sup");
	cr_assert_eq(root.children[0].restarts, 1);
	cr_assert_str_eq(root.children[0].state, "-");
	free(root.children);
}

Test(snapshot, children_of_the_client_sup)
{
	struct snap_proc sup = { .id = "tcp_client_sup", .pid = 17609 };

	cr_assert_eq(snapshot_parse_children(&sup, canned(
	    "sup\ttcp_client_sup\t17609\tsimple_one_for_one\t5\t60\t0\n"
	    "node\tundefined\t17613\tworker\ttemporary\t0\tWAIT_FOR_DATA\n"
	    "node\tundefined\t17610\tworker\ttemporary\t0\tWAIT_FOR_SOCKET\n")),
	    0);
	cr_assert_str_eq(sup.id, "tcp_client_sup");
	cr_assert_str_eq(sup.strategy, "simple_one_for_one");
	/* Workers as they came: tree and top sort them. */
	cr_assert_eq(sup.nchildren, 2);
	cr_assert_str_eq(sup.children[0].id, "undefined");
	cr_assert_eq(sup.children[0].pid, 17613);
	cr_assert_str_eq(sup.children[0].restart, "temporary");
	cr_assert_str_eq(sup.children[0].state, "WAIT_FOR_DATA");
	cr_assert_str_eq(sup.children[1].state, "WAIT_FOR_SOCKET");
	free(sup.children);
}

Test(snapshot, children_without_a_pid)
{
	struct snap_proc root = { 0 };

	cr_assert_eq(snapshot_parse_children(&root, canned(
	    "sup\ttcp_server_app\t17607\tone_for_one\t5\t60\t0\n"
	    "node\ttcp_client_sup\trestarting\tsupervisor\tpermanent\t2\t-\n"
	    "node\ttcp_server_sup\tundefined\tworker\tpermanent\t0\t-\n")), 0);
	cr_assert_eq(root.children[1].pid, 0);
	cr_assert_str_eq(root.children[1].pidword, "restarting");
	cr_assert_eq(root.children[0].pid, 0);
	cr_assert_str_eq(root.children[0].pidword, "undefined");
	free(root.children);
}

Test(snapshot, children_malformed)
{
	static const char *const bad[] = {
		"",
		/* no sup record first */
		"node\tundefined\t1\tworker\ttemporary\t0\t-\n",
		"sup\ttcp_server_app\t17607\tone_for_one\t5\t60\n",
		"sup\ttcp_server_app\tnobody\tone_for_one\t5\t60\t0\n",
		"sup\ttcp_server_app\t1\tone_for_one\tfive\t60\t0\n",
		"sup\tx\t1\tone_for_one\t5\t60\t0\n"
		    "node\tundefined\t-3\tworker\ttemporary\t0\t-\n",
		"sup\tx\t1\tone_for_one\t5\t60\t0\nnode\tundefined\t3\tworker\t"
		    "temporary\tmany\t-\n",
		"sup\tx\t1\tone_for_one\t5\t60\t0\n"
		    "node\tundefined\t3\tworker\n",
		"sup\tx\t1\tone_for_one\t5\t60\t0\nstat\tpid\t1\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct snap_proc sup = { 0 };

		cr_expect_eq(snapshot_parse_children(&sup, canned(bad[i])), -1,
		    "accepted: %s", bad[i]);
		free(sup.children);
	}
}

Test(snapshot, proc_fill)
{
	static const char cmdline[] = "tcpsup: tcp_echo_fsm 127.0.0.1:53012";
	const char *stat = "17613 (tcpsup) S 17609 17607 17607 0 -1 4194560 "
	    "120 0 0 0 150 75 0 0 20 0 1 0 100000 12345678 200 0 0 0\n";
	struct snap_proc p = { .pid = 17613 };

	/* 100 Hz: started at 1000 s after boot, now 1234.5 s after. */
	cr_assert_eq(snapshot_proc_fill(&p, stat, cmdline, sizeof(cmdline),
	    1234.5, 100, 4096), 0);
	cr_assert(p.have_proc);
	cr_assert_eq(p.ppid, 17609);
	cr_assert_float_eq(p.cpu, 2.25, 1e-9);
	cr_assert_float_eq(p.uptime, 234.5, 1e-9);
	cr_assert_eq(p.rss_kib, 800);
	cr_assert_str_eq(p.title, cmdline);
}

Test(snapshot, proc_fill_worker_peer_is_the_client_its_title_names)
{
	static const char serving[] = "tcpsup: tcp_echo_fsm 192.0.2.7:56324";
	static const char idle[] = "tcpsup: tcp_echo_fsm";
	static const char program[] = "tcpsup: exec cat [2001:db8::7]:4242";
	static const char spare[] = "tcpsup: exec host:80";
	const char *stat = "17613 (tcpsup) S 17609 17607 17607 0 -1 4194560 "
	    "120 0 0 0 150 75 0 0 20 0 1 0 100000 12345678 200 0 0 0\n";
	struct snap_proc p = { .pid = 17613, .type = "worker" };

	/* Behind a PROXY balancer, not the socket's peer: the title's. */
	cr_assert_eq(snapshot_proc_fill(&p, stat, serving, sizeof(serving),
	    1234.5, 100, 4096), 0);
	cr_assert_str_eq(p.peer, "192.0.2.7:56324");
	/* Waiting for a socket: no client, the socket's peer (none) stands. */
	memset(p.peer, 0, sizeof(p.peer));
	cr_assert_eq(snapshot_proc_fill(&p, stat, idle, sizeof(idle),
	    1234.5, 100, 4096), 0);
	cr_assert_str_eq(p.peer, "");
	/* A program's worker (--exec): the client comes after its name. */
	cr_assert_eq(snapshot_proc_fill(&p, stat, program, sizeof(program),
	    1234.5, 100, 4096), 0);
	cr_assert_str_eq(p.peer, "[2001:db8::7]:4242");
	memset(p.peer, 0, sizeof(p.peer));
	cr_assert_eq(snapshot_proc_fill(&p, stat, spare, sizeof(spare),
	    1234.5, 100, 4096), 0);
	cr_assert_str_eq(p.peer, "", "a program's name is no peer");
	/* A supervisor's title says where it listens: not a peer. */
	strlcpy(p.type, "supervisor", sizeof(p.type));
	cr_assert_eq(snapshot_proc_fill(&p, stat, serving, sizeof(serving),
	    1234.5, 100, 4096), 0);
	cr_assert_str_eq(p.peer, "");
}

Test(snapshot, proc_fill_another_process)
{
	const char *stat = "99 (tcpsup) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 "
	    "0 5 6 7\n";
	struct snap_proc p = { .pid = 17613 };

	/* The pid was reused between the reply and the read. */
	cr_assert_eq(snapshot_proc_fill(&p, stat, "", 0, 10, 100, 4096), -1);
	cr_assert_not(p.have_proc);
}
