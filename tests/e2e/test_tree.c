/*
 * test_tree.c -- tcpsupctl tree and top against a live tree with idle and
 * serving workers: every process of the tree with the pid and parent /proc
 * shows, states and peers right, the same as JSON; and top driven in a
 * real terminal (tmux): it draws, drops a killed worker and shows its
 * report, redraws on a resize, quits on q and leaves the terminal sane.
 */
#include <criterion/criterion.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;
static char ctl_dir[] = "/tmp/tcpsup-e2e-tree-XXXXXX";
static char ctl_path[64];
static char tmux_name[64];

static const char *
ctl_bin(void)
{
	const char *bin = getenv("TCPSUPCTL_BIN");

	return bin != NULL ? bin : "build/src/tcpsupctl/tcpsupctl";
}

/* The tmux server this test started, by its socket name, and its pid. */
static void
tmux_kill(void)
{
	char cmd[160], out[64];
	pid_t pid;

	if (tmux_name[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "tmux -L %s display-message -p '#{pid}' "
	    "2>/dev/null", tmux_name);
	pid = ts_capture(cmd, out, sizeof(out)) == 0 ? atoi(out) : 0;
	snprintf(cmd, sizeof(cmd), "tmux -L %s kill-server 2>/dev/null",
	    tmux_name);
	ts_capture(cmd, out, sizeof(out));
	if (pid > 0 && !ts_wait_gone(pid, 2000))
		kill(pid, SIGKILL);
	tmux_name[0] = '\0';
}

static void
teardown(void)
{
	tmux_kill();
	ts_cleanup(&ts);
	if (ctl_path[0] != '\0')
		unlink(ctl_path);
	rmdir(ctl_dir);
}

TestSuite(tree, .fini = teardown, .timeout = 120);

/* The tree of the test: --spares 2 idle workers, two connections served. */
struct live {
	pid_t	listener;
	pid_t	client_sup;
	int	fd[2];
	pid_t	serving[2];
	int	port[2];
};

static size_t
idle_workers(pid_t client_sup)
{
	pid_t all[64];
	size_t n = ts_children(&ts, client_sup, "tcp_echo_fsm", all, 64), k = 0;
	char title[128];

	for (size_t i = 0; i < n; i++)
		k += ts_title(all[i], title, sizeof(title)) &&
		    strcmp(title, "tcpsup: tcp_echo_fsm") == 0;
	return k;
}

static void
start_live(struct live *l)
{
	const char *args[] = { "--spares", "2", "--control", ctl_path, NULL };

	cr_assert_not_null(mkdtemp(ctl_dir));
	snprintf(ctl_path, sizeof(ctl_path), "%s/ctl.sock", ctl_dir);
	ts_start(&ts, args);
	l->listener = ts_wait_child(&ts, ts.pid, "tcp_listener", 0, 5000);
	l->client_sup = ts_wait_child(&ts, ts.pid, "tcp_client_sup", 0, 5000);
	cr_assert(l->listener > 0 && l->client_sup > 0);
	for (int i = 0; i < 2; i++) {
		cr_assert((l->fd[i] = ts_connect_echoed(&ts)) >= 0);
		l->serving[i] = ts_worker_of(&ts, l->client_sup, l->fd[i],
		    5000);
		cr_assert(l->serving[i] > 0);
		l->port[i] = ts_local_port(l->fd[i]);
	}
	for (int i = 0; i < 400 && idle_workers(l->client_sup) != 2; i++)
		poll(NULL, 0, 10);
	cr_assert_eq(idle_workers(l->client_sup), 2, "pool not refilled");
}

static pid_t
proc_ppid(pid_t pid)
{
	char path[64], buf[1024];
	const char *close;
	int ppid = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((close = strrchr(buf, ')')) == NULL ||
	    sscanf(close + 1, " %*c %d", &ppid) != 1)
		return 0;
	return ppid;
}

static int
ctl(const char *args, char *out, size_t size)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "LC_ALL=C %s --control %s %s", ctl_bin(),
	    ctl_path, args);
	return ts_capture(cmd, out, size);
}

/* --- tree ---------------------------------------------------------------- */

struct row {
	pid_t	pid;
	int	depth;
	char	state[32];
	char	peer[64];
};

/* The word of line at the column where heading has label. */
static void
column(const char *heading, const char *line, const char *label, char *buf,
    size_t size)
{
	const char *at = strstr(heading, label);
	size_t off = at != NULL && (size_t)(at - heading) < strlen(line) ?
	    (size_t)(at - heading) : strlen(line);

	size_t len = 0;

	while (line[off] != '\0' && line[off] != ' ' && len + 1 < size)
		buf[len++] = line[off++];
	buf[len] = '\0';
}

/* tree's lines in the C locale: ASCII tree lines, one row per process. */
static size_t
parse_tree(char *text, struct row *rows, size_t max)
{
	char *heading = strtok(text, "\n"), *line;
	size_t n = 0, name;

	cr_assert_not_null(heading);
	cr_assert_not_null(strstr(heading, "PID NAME"), "heading: %s", heading);
	name = (size_t)(strstr(heading, "NAME") - heading);
	while ((line = strtok(NULL, "\n")) != NULL && n < max) {
		struct row *r = &rows[n++];
		const char *p = line + name;
		int pid;

		cr_assert_eq(sscanf(line, "%d", &pid), 1, "row: %s", line);
		r->pid = pid;
		for (r->depth = 0; strncmp(p, "|  ", 3) == 0 ||
		    strncmp(p, "   ", 3) == 0 || strncmp(p, "|- ", 3) == 0 ||
		    strncmp(p, "`- ", 3) == 0; p += 3)
			r->depth++;
		column(heading, line, "STATE", r->state, sizeof(r->state));
		column(heading, line, "PEER", r->peer, sizeof(r->peer));
	}
	return n;
}

/* Rows until the tree shows what the test made: 2 idle, 2 serving. */
static size_t
tree_rows(struct row *rows, size_t max)
{
	static char out[16384];
	size_t n = 0;

	for (int i = 0; i < 100; i++) {
		int idle = 0, busy = 0;

		cr_assert_eq(ctl("tree", out, sizeof(out)), 0, "tree: %s", out);
		n = parse_tree(out, rows, max);
		for (size_t k = 0; k < n; k++) {
			idle += strcmp(rows[k].state, "WAIT_FOR_SOCKET") == 0;
			busy += strcmp(rows[k].state, "WAIT_FOR_DATA") == 0;
		}
		if (n == 7 && idle == 2 && busy == 2)
			break;
		poll(NULL, 0, 50);
	}
	return n;
}

Test(tree, every_process_as_proc_shows_it)
{
	struct live l;
	struct row rows[16];
	pid_t workers[16];
	size_t n, nworkers, idle = 0;
	char peer[64];

	start_live(&l);
	n = tree_rows(rows, 16);
	nworkers = ts_children(&ts, l.client_sup, "tcp_echo_fsm", workers, 16);
	cr_assert_eq(nworkers, 4);
	cr_assert_eq(n, 3 + nworkers, "%zu rows", n);
	cr_assert_eq(rows[0].pid, ts.pid);
	cr_assert_eq(rows[0].depth, 0);
	/* The root's children in start order: listener, then client_sup. */
	cr_assert_eq(rows[1].pid, l.listener);
	cr_assert_eq(rows[1].depth, 1);
	cr_assert_eq(rows[2].pid, l.client_sup);
	cr_assert_eq(rows[2].depth, 1);
	for (size_t i = 3; i < n; i++) {
		size_t k;

		cr_assert_eq(rows[i].depth, 2);
		for (k = 0; k < nworkers && workers[k] != rows[i].pid; k++)
			;
		cr_assert_lt(k, nworkers, "%d is no worker", (int)rows[i].pid);
		if (strcmp(rows[i].state, "WAIT_FOR_SOCKET") == 0) {
			idle++;
			cr_assert_str_eq(rows[i].peer, "-");
			continue;
		}
		cr_assert_str_eq(rows[i].state, "WAIT_FOR_DATA");
		k = rows[i].pid == l.serving[0] ? 0 : 1;
		cr_assert_eq(rows[i].pid, l.serving[k]);
		snprintf(peer, sizeof(peer), "127.0.0.1:%d", l.port[k]);
		cr_assert_str_eq(rows[i].peer, peer);
	}
	cr_assert_eq(idle, 2);
	/* Each row's parent in the drawing is its parent in the kernel. */
	for (size_t i = 1; i < n; i++) {
		size_t up = i;

		while (rows[--up].depth != rows[i].depth - 1)
			;
		cr_assert_eq(proc_ppid(rows[i].pid), rows[up].pid,
		    "%d drawn under %d", (int)rows[i].pid, (int)rows[up].pid);
	}
	close(l.fd[0]);
	close(l.fd[1]);
}

Test(tree, json_nests_every_process)
{
	static char out[16384];
	struct live l;
	struct row rows[16];
	char key[64];
	const char *at[7];

	start_live(&l);
	cr_assert_eq(tree_rows(rows, 16), 7);
	cr_assert_eq(ctl("tree --json", out, sizeof(out)), 0, "%s", out);
	/* Depth first: each process after its parent, before its sibling. */
	for (size_t i = 0; i < 7; i++) {
		snprintf(key, sizeof(key), "{\"pid\":%d,", (int)rows[i].pid);
		cr_assert_not_null(at[i] = strstr(out, key), "%s in %s", key,
		    out);
		cr_assert(i == 0 || at[i] > at[i - 1]);
	}
	cr_assert_eq(strncmp(out, "{\"pid\":", 7), 0);
	cr_assert_not_null(strstr(at[0], "\"name\":\"tcp_server_app\""));
	/* The listener's object closes before client_sup's opens. */
	cr_assert_not_null(strstr(at[1], "},{\"pid\":"));
	cr_assert_lt(strstr(at[1], "},{\"pid\":"), at[2]);
	cr_assert_not_null(strstr(at[2], "\"children\":[{\"pid\":"));
	for (size_t i = 3; i < 7; i++) {
		const char *end = strchr(at[i], '}');
		char state[64], peer[64];

		snprintf(state, sizeof(state), "\"state\":\"%s\"",
		    rows[i].state);
		if (strcmp(rows[i].peer, "-") == 0)
			snprintf(peer, sizeof(peer), "\"peer\":null");
		else
			snprintf(peer, sizeof(peer), "\"peer\":\"%s\"",
			    rows[i].peer);
		cr_assert(strstr(at[i], state) != NULL &&
		    strstr(at[i], state) < end, "%s: %.*s", state,
		    (int)(end - at[i]), at[i]);
		cr_assert(strstr(at[i], peer) != NULL &&
		    strstr(at[i], peer) < end, "%s: %.*s", peer,
		    (int)(end - at[i]), at[i]);
	}
	cr_assert_eq(strcmp(out + strlen(out) - 6, "}]}]}\n"), 0, "%s", out);
	close(l.fd[0]);
	close(l.fd[1]);
}

Test(tree, no_daemon)
{
	char out[1024];
	int rc;

	snprintf(ctl_path, sizeof(ctl_path), "/nonexistent/tcpsup.sock");
	rc = ctl("tree 2>&1", out, sizeof(out));
	cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 69, "%d: %s", rc, out);
	cr_assert_not_null(strstr(out, "/nonexistent/tcpsup.sock"), "%s", out);
	rc = ctl("top 2>&1", out, sizeof(out));
	cr_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 69, "%d: %s", rc, out);
	ctl_path[0] = '\0';
}

/* --- top in a terminal ----------------------------------------------- */

static int
tmux(const char *args, char *out, size_t size)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "tmux -L %s %s", tmux_name, args);
	return ts_capture(cmd, out, size);
}

/* The pane's text, until it contains needle (and not absent, if given). */
static bool
wait_pane(const char *needle, const char *absent, char *out, size_t size)
{
	for (int i = 0; i < 100; i++) {
		if (tmux("capture-pane -p -t tree", out, size) == 0 &&
		    strstr(out, needle) != NULL &&
		    (absent == NULL || strstr(out, absent) == NULL))
			return true;
		poll(NULL, 0, 50);
	}
	return false;
}

/* Screen columns of a line of UTF-8 text without wide characters. */
static size_t
columns(const char *line)
{
	size_t n = 0;

	for (; *line != '\0'; line++)
		n += ((unsigned char)*line & 0xc0) != 0x80;
	return n;
}

/*
 * The pane's text, until its last line, top's "rows FIRST-LAST of N",
 * says that the screen shows the end of the tree but not its start
 * (at_end), or not all of it.
 */
static bool
wait_rows(bool at_end, char *out, size_t size)
{
	for (int i = 0; i < 100; i++) {
		int first, shown, total;
		size_t len;
		char *line;

		if (tmux("capture-pane -p -t tree", out, size) != 0)
			return false;
		for (len = strlen(out); len > 0 && out[len - 1] == '\n'; len--)
			out[len - 1] = '\0';
		line = strrchr(out, '\n');
		line = line != NULL ? line + 1 : out;
		if (sscanf(line, "rows %d-%d of %d", &first, &shown,
		    &total) == 3 && (at_end ? first > 1 && shown == total :
		    shown < total))
			return true;
		poll(NULL, 0, 50);
	}
	return false;
}

/* The pids that start the pane's lines, as top's rows do. */
static size_t
pane_pids(const char *text, pid_t *out, size_t max)
{
	size_t n = 0;

	for (const char *line = text; line != NULL && n < max;
	    line = strchr(line, '\n') != NULL ? strchr(line, '\n') + 1 : NULL) {
		int pid;
		char next;

		if (sscanf(line, "%d%c", &pid, &next) == 2 && next == ' ')
			out[n++] = pid;
	}
	return n;
}

static bool
has_pid(const pid_t *v, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

/* Every word of stty -a: icanon and echo on, not "-icanon", "-echo". */
static bool
has_word(const char *text, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = strstr(text, word); p != NULL;
	    p = strstr(p + 1, word))
		if ((p == text || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[len] == ' ' || p[len] == '\n' || p[len] == ';' ||
		    p[len] == '\0'))
			return true;
	return false;
}

static void
start_tmux(void)
{
	char out[256];

	snprintf(tmux_name, sizeof(tmux_name), "tcpsup-e2e-%d", (int)getpid());
	cr_assert_eq(tmux("-f /dev/null new-session -d -s tree -x 120 -y 30 "
	    "\"env PS1='e2e-prompt\\$ ' sh\"", out, sizeof(out)), 0, "%s", out);
	tmux("set-option -t tree status off", out, sizeof(out));
}

/* tcpsupctl top in the pane, in the locale given. */
static void
run_top(const char *locale)
{
	char cmd[512], out[4096];

	snprintf(cmd, sizeof(cmd), "send-keys -t tree 'LC_ALL=%s %s "
	    "--control %s top -d 0.2' Enter", locale, ctl_bin(), ctl_path);
	cr_assert_eq(tmux(cmd, out, sizeof(out)), 0);
}

/* Back at the prompt, with a terminal a shell can use. */
static void
assert_sane(void)
{
	static char pane[16384];
	char out[64];

	cr_assert(wait_pane("e2e-prompt$", "PID NAME", pane, sizeof(pane)),
	    "no prompt after top:\n%s", pane);
	/* The prompt may come before top's process is gone (LSan's exit). */
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(tmux("display-message -p -t tree "
		    "'#{pane_current_command}'", out, sizeof(out)), 0);
		if (strcmp(out, "sh\n") == 0)
			break;
		usleep(50 * 1000);
	}
	cr_assert_str_eq(out, "sh\n");
	cr_assert_eq(tmux("send-keys -t tree clear Enter 'stty -a' Enter", out,
	    sizeof(out)), 0);
	cr_assert(wait_pane("icanon", NULL, pane, sizeof(pane)), "%s", pane);
	cr_assert(has_word(pane, "icanon"), "%s", pane);
	cr_assert(has_word(pane, "echo"), "%s", pane);
	cr_assert(has_word(pane, "icrnl"), "%s", pane);
	tmux("send-keys -t tree clear Enter", out, sizeof(out));
}

Test(tree, top_in_a_terminal)
{
	static char pane[16384];
	struct live l;
	struct row rows[16];
	pid_t shown[32], gone;
	size_t n;
	char needle[64], root[64];

	if (ts_wrapper() != NULL)
		cr_skip_test("top shows the wrapper's arguments, not titles");
	start_live(&l);
	cr_assert_eq(tree_rows(rows, 16), 7);
	start_tmux();
	cr_assert(wait_pane("e2e-prompt$", NULL, pane, sizeof(pane)), "%s",
	    pane);
	run_top("C.UTF-8");
	/* The whole tree drawn, with its tree lines, pids as /proc has them. */
	snprintf(needle, sizeof(needle), "%d \u2514\u2500 tcp_client_sup",
	    (int)l.client_sup);
	cr_assert(wait_pane(needle, NULL, pane, sizeof(pane)), "%s", pane);
	cr_assert_not_null(strstr(pane, "connections 2 served, 2 now"), "%s",
	    pane);
	n = pane_pids(pane, shown, 32);
	for (size_t i = 0; i < 7; i++)
		cr_assert(has_pid(shown, n, rows[i].pid), "%d not drawn:\n%s",
		    (int)rows[i].pid, pane);

	/* A worker killed: gone from the next frames, its report shown. */
	gone = l.serving[0];
	cr_assert_eq(kill(gone, SIGKILL), 0);
	snprintf(needle, sizeof(needle), "%d", (int)gone);
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(tmux("capture-pane -p -t tree", pane,
		    sizeof(pane)), 0);
		if (strstr(pane, "killed") != NULL &&
		    strstr(pane, "connections 2 served, 1 now") != NULL)
			break;
		poll(NULL, 0, 50);
	}
	cr_assert_not_null(strstr(pane, "killed"), "no report:\n%s", pane);
	cr_assert_not_null(strstr(strstr(pane, "last reports"), needle),
	    "report without %s:\n%s", needle, pane);
	n = pane_pids(pane, shown, 32);
	cr_assert_not(has_pid(shown, n, gone), "%d still drawn:\n%s",
	    (int)gone, pane);
	cr_assert(has_pid(shown, n, l.serving[1]), "%s", pane);

	/* s: workers by pid instead of CPU, said in the header. */
	cr_assert_eq(tmux("send-keys -t tree s", pane, sizeof(pane)), 0);
	cr_assert(wait_pane("workers by pid", NULL, pane, sizeof(pane)), "%s",
	    pane);

	/*
	 * Narrower and shorter: drawn again to the new size, and taller than
	 * the screen now, so that End shows the last worker, Home the root.
	 */
	cr_assert_eq(tmux("resize-window -t tree -x 50 -y 12", pane,
	    sizeof(pane)), 0);
	cr_assert(wait_rows(false, pane, sizeof(pane)), "%s", pane);
	n = 0;
	for (char *line = strtok(pane, "\n"); line != NULL;
	    line = strtok(NULL, "\n"), n++)
		cr_assert_leq(columns(line), 50, "%s", line);
	cr_assert_leq(n, 12);
	snprintf(root, sizeof(root), "\n%d tcp_server_app", (int)ts.pid);
	cr_assert_eq(tmux("send-keys -t tree End", pane, sizeof(pane)), 0);
	cr_assert(wait_rows(true, pane, sizeof(pane)), "%s", pane);
	cr_assert_null(strstr(pane, root), "%s", pane);
	cr_assert_not_null(strstr(pane, "\u2514\u2500 tcp_echo_fsm"), "%s",
	    pane);
	cr_assert_eq(tmux("send-keys -t tree Home", pane, sizeof(pane)), 0);
	cr_assert(wait_pane(root, NULL, pane, sizeof(pane)), "%s", pane);
	tmux("resize-window -t tree -x 120 -y 30", pane, sizeof(pane));

	cr_assert_eq(tmux("send-keys -t tree q", pane, sizeof(pane)), 0);
	assert_sane();
	close(l.fd[0]);
	close(l.fd[1]);
}

Test(tree, top_restores_the_terminal_on_a_signal)
{
	static char pane[16384];
	struct live l;
	char needle[64];

	start_live(&l);
	start_tmux();
	cr_assert(wait_pane("e2e-prompt$", NULL, pane, sizeof(pane)), "%s",
	    pane);
	/* Not UTF-8: the tree lines in ASCII. */
	run_top("C");
	snprintf(needle, sizeof(needle), "%d `- tcp_client_sup",
	    (int)l.client_sup);
	cr_assert(wait_pane(needle, NULL, pane, sizeof(pane)), "%s", pane);
	cr_assert_eq(tmux("send-keys -t tree C-c", pane, sizeof(pane)), 0);
	assert_sane();
	close(l.fd[0]);
	close(l.fd[1]);
}
