/*
 * test_view.c -- a snapshot as tree and top show it: rows in tree order,
 * tree lines in UTF-8 and in ASCII, workers sorted by pid or CPU, widths
 * in screen columns, aligned lines, uptime/CPU/RSS columns, states of
 * children without a pid or a supervisor that did not answer, and JSON.
 */
#include <criterion/criterion.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "snapshot.h"
#include "view.h"

/* --- a canned tree ----------------------------------------------------- */

static struct snapshot snap;

static void
kernel(struct snap_proc *p, const char *title, double uptime, double cpu,
    uint64_t rss_kib)
{
	p->have_proc = true;
	strcpy(p->title, title);
	p->uptime = uptime;
	p->cpu = cpu;
	p->rss_kib = rss_kib;
}

/* The tree of the README: the listener, two workers, one serving. */
static void
canned_tree(void)
{
	char root[] =
	    "sup\ttcp_server_app\t17607\tone_for_one\t5\t60\t1\n"
	    "node\ttcp_client_sup\t17609\tsupervisor\tpermanent\t0\t-\n"
	    "node\ttcp_server_sup\t17608\tworker\tpermanent\t1\t-\n";
	char client_sup[] =
	    "sup\ttcp_client_sup\t17609\tsimple_one_for_one\t5\t60\t0\n"
	    "node\tundefined\t17613\tworker\ttemporary\t0\tWAIT_FOR_DATA\n"
	    "node\tundefined\t17610\tworker\ttemporary\t0\tWAIT_FOR_SOCKET\n";
	struct snap_proc *r = &snap.root, *cs;

	memset(&snap, 0, sizeof(snap));
	cr_assert_eq(snapshot_parse_children(r, root), 0);
	strcpy(r->restart, "-");
	strcpy(r->state, "-");
	strcpy(r->type, "supervisor");
	r->restarts = -1;
	cs = &r->children[1];
	cr_assert_eq(snapshot_parse_children(cs, client_sup), 0);
	kernel(r, "tcpsup: tcp_server_app", 3723, 0.5, 1200);
	kernel(&r->children[0], "tcpsup: tcp_listener 127.0.0.1:2222", 3723,
	    0.02, 980);
	kernel(cs, "tcpsup: tcp_client_sup", 3723, 0.01, 1100);
	kernel(&cs->children[0], "tcpsup: tcp_echo_fsm 127.0.0.1:53012", 65,
	    0.12, 36);
	strcpy(cs->children[0].peer, "127.0.0.1:53012");
	kernel(&cs->children[1], "tcpsup: tcp_echo_fsm", 5, 0, 32);
}

static void
teardown(void)
{
	snapshot_free(&snap);
}

TestSuite(view, .fini = teardown);

/* Every line of the table for the canned tree, as tree prints it. */
static char *
table(bool utf8)
{
	static char *out;
	size_t len;
	FILE *f;

	free(out);
	cr_assert_not_null(f = open_memstream(&out, &len));
	cr_assert_eq(view_print(f, &snap.root, utf8), 0);
	fclose(f);
	return out;
}

/* --- rows and tree lines ----------------------------------------------- */

static const char *
prefix(const struct view_row *r, bool utf8)
{
	static char buf[128];

	view_prefix(r, utf8, buf, sizeof(buf));
	return buf;
}

Test(view, prefixes_in_both_charsets)
{
	struct view_row root = { .depth = 0 };
	struct view_row mid = { .depth = 1, .last = { true, false } };
	struct view_row end = { .depth = 1, .last = { true, true } };
	/* Below a child that has a sibling after it, and one that has not. */
	struct view_row deep = { .depth = 3,
	    .last = { true, false, true, false } };
	struct view_row deep_last = { .depth = 3,
	    .last = { true, true, false, true } };

	cr_assert_str_eq(prefix(&root, true), "");
	cr_assert_str_eq(prefix(&mid, true), "\u251c\u2500 ");
	cr_assert_str_eq(prefix(&end, true), "\u2514\u2500 ");
	cr_assert_str_eq(prefix(&deep, true), "\u2502     \u251c\u2500 ");
	cr_assert_str_eq(prefix(&deep_last, true), "   \u2502  \u2514\u2500 ");
	cr_assert_str_eq(prefix(&root, false), "");
	cr_assert_str_eq(prefix(&mid, false), "|- ");
	cr_assert_str_eq(prefix(&end, false), "`- ");
	cr_assert_str_eq(prefix(&deep, false), "|     |- ");
	cr_assert_str_eq(prefix(&deep_last, false), "   |  `- ");
}

Test(view, rows_depth_first_with_their_ancestors_lines)
{
	struct view_row *rows;
	size_t n;

	canned_tree();
	rows = view_rows(&snap.root, &n);
	cr_assert_eq(n, 5);
	cr_assert_eq(rows[0].proc->pid, 17607);
	cr_assert_eq(rows[1].proc->pid, 17608);
	cr_assert_eq(rows[2].proc->pid, 17609);
	cr_assert_eq(rows[3].proc->pid, 17613);
	cr_assert_eq(rows[4].proc->pid, 17610);
	cr_assert_str_eq(prefix(&rows[1], false), "|- ");
	cr_assert_str_eq(prefix(&rows[2], false), "`- ");
	cr_assert_str_eq(prefix(&rows[3], false), "   |- ");
	cr_assert_str_eq(prefix(&rows[4], false), "   `- ");
	free(rows);
}

Test(view, sort_workers_only)
{
	struct snap_proc *cs;

	canned_tree();
	cs = &snap.root.children[1];
	view_sort(&snap.root, VIEW_BY_PID);
	/* Static children keep the order their supervisor gave. */
	cr_assert_eq(snap.root.children[0].pid, 17608);
	cr_assert_eq(cs->children[0].pid, 17610);
	cr_assert_eq(cs->children[1].pid, 17613);
	view_sort(&snap.root, VIEW_BY_CPU);
	cr_assert_eq(snap.root.children[0].pid, 17608);
	cr_assert_eq(cs->children[0].pid, 17613);
	cr_assert_eq(cs->children[1].pid, 17610);
	/* Equal CPU: by pid, so that rows do not swap between frames. */
	cs->children[0].cpu = cs->children[1].cpu = 1;
	view_sort(&snap.root, VIEW_BY_CPU);
	cr_assert_eq(cs->children[0].pid, 17610);
}

/* --- columns ----------------------------------------------------------- */

static const char *
uptime(double s)
{
	static char buf[32];

	view_fmt_uptime(s, buf, sizeof(buf));
	return buf;
}

static const char *
cpu(double s)
{
	static char buf[32];

	view_fmt_cpu(s, buf, sizeof(buf));
	return buf;
}

static const char *
rss(uint64_t kib)
{
	static char buf[32];

	view_fmt_rss(kib, buf, sizeof(buf));
	return buf;
}

Test(view, uptime_as_ps_prints_it)
{
	cr_assert_str_eq(uptime(0), "00:00");
	cr_assert_str_eq(uptime(-1), "00:00");
	cr_assert_str_eq(uptime(59.9), "00:59");
	cr_assert_str_eq(uptime(309), "05:09");
	cr_assert_str_eq(uptime(3599), "59:59");
	cr_assert_str_eq(uptime(3723), "01:02:03");
	cr_assert_str_eq(uptime(86399), "23:59:59");
	cr_assert_str_eq(uptime(3 * 86400 + 4 * 3600 + 5 * 60 + 6),
	    "3-04:05:06");
}

Test(view, cpu_time)
{
	cr_assert_str_eq(cpu(0), "0:00.00");
	cr_assert_str_eq(cpu(0.12), "0:00.12");
	cr_assert_str_eq(cpu(0.005), "0:00.01");
	cr_assert_str_eq(cpu(61.5), "1:01.50");
	cr_assert_str_eq(cpu(3599.99), "59:59.99");
	cr_assert_str_eq(cpu(3723), "1:02:03");
	cr_assert_str_eq(cpu(100 * 3600), "100:00:00");
}

Test(view, rss)
{
	cr_assert_str_eq(rss(0), "0K");
	cr_assert_str_eq(rss(980), "980K");
	cr_assert_str_eq(rss(10239), "10239K");
	cr_assert_str_eq(rss(10240), "10.0M");
	cr_assert_str_eq(rss(12698), "12.4M");
	cr_assert_str_eq(rss(1258291), "1228.8M");
	cr_assert_str_eq(rss(12582912), "12.0G");
}

Test(view, report_clock)
{
	char buf[32];

	setenv("TZ", "UTC", 1);
	tzset();
	view_fmt_clock("1795945302", buf, sizeof(buf));
	cr_assert_str_eq(buf, "09:41:42");
	view_fmt_clock("0", buf, sizeof(buf));
	cr_assert_str_eq(buf, "00:00:00");
	view_fmt_clock("26-Nov-2026::09:41:42", buf, sizeof(buf));
	cr_assert_str_eq(buf, "26-Nov-2026::09:41:42");
	view_fmt_clock("-5", buf, sizeof(buf));
	cr_assert_str_eq(buf, "-5");
}

Test(view, widths_in_screen_columns)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"));
	cr_assert(view_locale_utf8());
	cr_assert_eq(view_width("\u2514\u2500 tcp"), 6);
	cr_assert_eq(view_cut("\u2514\u2500 tcp", 2), 6);
	cr_assert_eq(view_cut("\u2514\u2500 tcp", 1), 3);
	cr_assert_eq(view_cut("\u2514\u2500 tcp", 99), 10);
	/* A byte that is no character takes one column and is never lost. */
	cr_assert_eq(view_width("a\xff" "b"), 3);
	cr_assert_eq(view_cut("a\xff" "b", 2), 2);
	cr_assert_not_null(setlocale(LC_CTYPE, "C"));
	cr_assert_not(view_locale_utf8());
	cr_assert_eq(view_width("\u2514\u2500 tcp"), 10);
	cr_assert_eq(view_cut("tcpsup", 3), 3);
	cr_assert_eq(view_cut("", 3), 0);
}

Test(view, table_ascii)
{
	canned_tree();
	view_sort(&snap.root, VIEW_BY_PID);
	cr_assert_str_eq(table(false),
	    "  PID NAME                               "
	    "RESTART   STATE           PEER            "
	    "  UPTIME RESTARTS     CPU   RSS\n"
	    "17607 tcp_server_app                     "
	    "-         -               -               "
	    "01:02:03        - 0:00.50 1200K\n"
	    "17608 |- tcp_server_sup                  "
	    "permanent -               -               "
	    "01:02:03        1 0:00.02  980K\n"
	    "17609 `- tcp_client_sup                  "
	    "permanent -               -               "
	    "01:02:03        0 0:00.01 1100K\n"
	    "17610    |- tcp_echo_fsm                 "
	    "temporary WAIT_FOR_SOCKET -               "
	    "   00:05        0 0:00.00   32K\n"
	    "17613    `- tcp_echo_fsm 127.0.0.1:53012 "
	    "temporary WAIT_FOR_DATA   127.0.0.1:53012 "
	    "   01:05        0 0:00.12   36K\n");
}

Test(view, table_utf8)
{
	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"));
	canned_tree();
	view_sort(&snap.root, VIEW_BY_PID);
	cr_assert_str_eq(table(true),
	    "  PID NAME                               "
	    "RESTART   STATE           PEER            "
	    "  UPTIME RESTARTS     CPU   RSS\n"
	    "17607 tcp_server_app                     "
	    "-         -               -               "
	    "01:02:03        - 0:00.50 1200K\n"
	    "17608 \u251c\u2500 tcp_server_sup                  "
	    "permanent -               -               "
	    "01:02:03        1 0:00.02  980K\n"
	    "17609 \u2514\u2500 tcp_client_sup                  "
	    "permanent -               -               "
	    "01:02:03        0 0:00.01 1100K\n"
	    "17610    \u251c\u2500 tcp_echo_fsm                 "
	    "temporary WAIT_FOR_SOCKET -               "
	    "   00:05        0 0:00.00   32K\n"
	    "17613    \u2514\u2500 tcp_echo_fsm 127.0.0.1:53012 "
	    "temporary WAIT_FOR_DATA   127.0.0.1:53012 "
	    "   01:05        0 0:00.12   36K\n");
	setlocale(LC_CTYPE, "C");
}

Test(view, states_without_a_pid_and_a_supervisor_down)
{
	struct view_cells cells;
	struct view_row *rows;
	size_t n;

	canned_tree();
	/* The listener terminated, the client supervisor not answering. */
	snap.root.children[0].pid = 0;
	strcpy(snap.root.children[0].pidword, "undefined");
	snap.root.children[0].have_proc = false;
	strcpy(snap.root.children[1].sup_error, "noproc");
	rows = view_rows(&snap.root, &n);
	view_cells(&rows[1], false, &cells);
	cr_assert_str_eq(cells.text[VIEW_PID], "-");
	cr_assert_str_eq(cells.text[VIEW_STATE], "terminated");
	cr_assert_str_eq(cells.text[VIEW_CPU], "-");
	cr_assert_str_eq(cells.text[VIEW_UPTIME], "-");
	view_cells(&rows[2], false, &cells);
	cr_assert_str_eq(cells.text[VIEW_STATE], "down");
	strcpy(snap.root.children[0].pidword, "restarting");
	view_cells(&rows[1], false, &cells);
	cr_assert_str_eq(cells.text[VIEW_STATE], "restarting");
	free(rows);
}

Test(view, json)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	canned_tree();
	view_sort(&snap.root, VIEW_BY_PID);
	snap.root.children[1].children[0].title[8] = '"';
	view_json(f, &snap.root);
	fclose(f);
	cr_assert_str_eq(out,
	    "{\"pid\":17607,\"name\":\"tcp_server_app\","
	    "\"type\":\"supervisor\","
	    "\"restart\":null,\"state\":null,\"peer\":null,\"restarts\":null,"
	    "\"title\":\"tcpsup: tcp_server_app\",\"uptime\":3723.00,"
	    "\"cpu\":0.50,\"rss_kib\":1200,\"strategy\":\"one_for_one\","
	    "\"intensity\":5,\"period\":60,\"supervisor_restarts\":1,"
	    "\"children\":["
	    "{\"pid\":17608,\"name\":\"tcp_server_sup\",\"type\":\"worker\","
	    "\"restart\":\"permanent\",\"state\":null,\"peer\":null,"
	    "\"restarts\":1,\"title\":\"tcpsup: tcp_listener 127.0.0.1:2222\","
	    "\"uptime\":3723.00,\"cpu\":0.02,\"rss_kib\":980},"
	    "{\"pid\":17609,\"name\":\"tcp_client_sup\","
	    "\"type\":\"supervisor\","
	    "\"restart\":\"permanent\",\"state\":null,\"peer\":null,"
	    "\"restarts\":0,\"title\":\"tcpsup: tcp_client_sup\","
	    "\"uptime\":3723.00,\"cpu\":0.01,\"rss_kib\":1100,"
	    "\"strategy\":\"simple_one_for_one\",\"intensity\":5,\"period\":60,"
	    "\"supervisor_restarts\":0,\"children\":["
	    "{\"pid\":17610,\"name\":\"undefined\",\"type\":\"worker\","
	    "\"restart\":\"temporary\",\"state\":\"WAIT_FOR_SOCKET\","
	    "\"peer\":null,\"restarts\":0,"
	    "\"title\":\"tcpsup: \\\"cp_echo_fsm\","
	    "\"uptime\":5.00,\"cpu\":0.00,\"rss_kib\":32},"
	    "{\"pid\":17613,\"name\":\"undefined\",\"type\":\"worker\","
	    "\"restart\":\"temporary\",\"state\":\"WAIT_FOR_DATA\","
	    "\"peer\":\"127.0.0.1:53012\",\"restarts\":0,"
	    "\"title\":\"tcpsup: tcp_echo_fsm 127.0.0.1:53012\","
	    "\"uptime\":65.00,\"cpu\":0.12,\"rss_kib\":36}]}]}\n");
	free(out);
}
