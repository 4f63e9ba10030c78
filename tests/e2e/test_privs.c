/*
 * test_privs.c -- the daemon's plumbing on the host: --user nobody runs
 * every process of the tree as nobody (the kernel's word, /proc/PID/status)
 * with the port bound by root before the drop and served after it, and a
 * control socket that nobody owns and root may still use; unknown users
 * and groups refused before anything starts; running as root without
 * --user warned about; --pidfile holding the root's pid, refusing a second
 * tcpsup and naming the first, and gone after a clean stop.
 */
#include <criterion/criterion.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts, other;
static char dir[64];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tcpsup-privs-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	ts_cleanup(&other);
	ts_cleanup(&ts);
	ts_remove_tree(dir);
}

TestSuite(privs, .init = setup, .fini = teardown, .timeout = 60);

static void
need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
}

/* The real, effective, saved and filesystem ids of pid, as one line. */
static void
ids(pid_t pid, const char *key, char *out, size_t size)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	out[0] = '\0';
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			snprintf(out, size, "%s", line);
	fclose(f);
}

static void
assert_nobody(pid_t pid)
{
	char uid[256], gid[256], groups[256];

	ids(pid, "Uid:", uid, sizeof(uid));
	ids(pid, "Gid:", gid, sizeof(gid));
	ids(pid, "Groups:", groups, sizeof(groups));
	cr_assert_str_eq(uid, "Uid:\t65534\t65534\t65534\t65534\n", "pid %ld",
	    (long)pid);
	cr_assert_str_eq(gid, "Gid:\t65534\t65534\t65534\t65534\n", "pid %ld",
	    (long)pid);
	cr_assert_str_eq(groups, "Groups:\t65534 \n", "pid %ld", (long)pid);
}

Test(privs, user_nobody_runs_the_whole_tree)
{
	pid_t listener, client_sup, worker;
	char path[128], reply[512];
	struct stat st;
	int fd;

	need_root();
	ts_start(&ts, (const char *const[]){ "--user", "nobody", NULL });
	fd = ts_connect_echoed(&ts);
	cr_assert_geq(fd, 0, "the port is not served:\n%s", ts.log);
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	worker = ts_worker_of(&ts, client_sup, fd, 2000);
	cr_assert(listener > 0 && client_sup > 0 && worker > 0);
	assert_nobody(ts.pid);
	assert_nobody(listener);
	assert_nobody(client_sup);
	assert_nobody(worker);
	/* No warning: root was given away. */
	cr_assert_null(ts_find(&ts, 0, "WARNING REPORT"), "%s", ts.log);
	/* A restarted listener is nobody too, and the port is still bound. */
	cr_assert_eq(kill(listener, SIGKILL), 0);
	listener = ts_wait_child(&ts, ts.pid, "tcp_listener", listener, 5000);
	cr_assert_gt(listener, 0);
	assert_nobody(listener);
	close(fd);
	fd = ts_connect_echoed(&ts);
	cr_assert_geq(fd, 0);
	close(fd);
	/* The control socket is nobody's own; root may still use it. */
	cr_assert(ts_ctl_path(&ts, path, sizeof(path)), "%s", ts.log);
	cr_assert(strncmp(path, "/tmp/tcpsup-65534/", 18) == 0, "%s", path);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_uid, 65534);
	cr_assert_gt(ts_ctl(path, "tcpsup 1 count_children tcp_server_app\n",
	    39, reply, sizeof(reply)), 0);
	cr_assert_str_eq(reply, "ok\ncount\t2\t2\t1\t1\nend\n");
	cr_assert_eq(kill(ts.pid, SIGTERM), 0);
	cr_assert(ts_wait_exit(&ts, 10000));
	cr_assert(WIFEXITED(ts.status) && WEXITSTATUS(ts.status) == 0,
	    "%s", ts.log);
}

static void
assert_refused(const char *const *args, int status, const char *why)
{
	ts_spawn(&ts, args);
	cr_assert(ts_wait_exit(&ts, 10000));
	cr_assert(WIFEXITED(ts.status), "status %#x", ts.status);
	cr_assert_eq(WEXITSTATUS(ts.status), status, "%s", ts.log);
	cr_assert_not_null(ts_find(&ts, 0, why), "%s", ts.log);
	/* Refused before anything was bound or forked. */
	cr_assert_null(ts_find(&ts, 0, "REPORT"), "%s", ts.log);
}

Test(privs, unknown_user_refused)
{
	assert_refused((const char *const[]){ "--user", "tcpsup-no-such-user",
	    NULL }, EX_NOUSER, "tcpsup: --user tcpsup-no-such-user: no such"
	    " user in /etc/passwd\n");
}

Test(privs, unknown_group_refused)
{
	assert_refused((const char *const[]){ "--user", "nobody", "--group",
	    "tcpsup-no-such-group", NULL }, EX_NOUSER, "tcpsup: --group"
	    " tcpsup-no-such-group: no such group in /etc/group\n");
}

Test(privs, group_without_user_refused)
{
	assert_refused((const char *const[]){ "--group", "nogroup", NULL },
	    EX_USAGE, "--group nogroup: needs --user");
}

Test(privs, root_without_user_is_warned)
{
	need_root();
	ts_start(&ts, NULL);
	cr_assert(ts_wait_log(&ts, 0, "=WARNING REPORT==== ", 2000), "%s",
	    ts.log);
	cr_assert_not_null(ts_find(&ts, 0, " Running as root: every worker"
	    " serves its client as root."), "%s", ts.log);
}

/* --- the pidfile --------------------------------------------------------- */

static long
read_pid(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	return atol(buf);
}

/* Does pid hold path open? */
static bool
holds(pid_t pid, const char *path)
{
	char fd_dir[64], link[PATH_MAX + 64], target[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(fd_dir, sizeof(fd_dir), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(fd_dir)) == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		ssize_t n;

		snprintf(link, sizeof(link), "%s/%s", fd_dir, e->d_name);
		if ((n = readlink(link, target, sizeof(target) - 1)) <= 0)
			continue;
		target[n] = '\0';
		found = strcmp(target, path) == 0;
	}
	closedir(d);
	return found;
}

Test(privs, pidfile_refuses_a_second_and_goes_on_stop)
{
	char pidfile[128], why[256];
	pid_t listener, client_sup;

	snprintf(pidfile, sizeof(pidfile), "%s/tcpsup.pid", dir);
	ts_start(&ts, (const char *const[]){ "--pidfile", pidfile, NULL });
	cr_assert_eq(read_pid(pidfile), (long)ts.pid);
	/* The root alone holds its lock: a child left behind would keep it. */
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	client_sup = ts_child(&ts, ts.pid, "tcp_client_sup");
	cr_assert(holds(ts.pid, pidfile));
	cr_assert(!holds(listener, pidfile));
	cr_assert(!holds(client_sup, pidfile));
	/* The second is refused, names the first, and leaves its file. */
	ts_spawn(&other, (const char *const[]){ "--pidfile", pidfile, NULL });
	cr_assert(ts_wait_exit(&other, 10000));
	cr_assert(WIFEXITED(other.status), "status %#x", other.status);
	cr_assert_eq(WEXITSTATUS(other.status), EX_UNAVAILABLE, "%s", other.log);
	snprintf(why, sizeof(why), "--pidfile %s: tcpsup already runs as pid"
	    " %ld", pidfile, (long)ts.pid);
	cr_assert_not_null(ts_find(&other, 0, why), "%s", other.log);
	cr_assert_null(ts_find(&other, 0, "PROGRESS REPORT"), "%s", other.log);
	cr_assert_eq(read_pid(pidfile), (long)ts.pid);
	cr_assert_eq(kill(ts.pid, SIGTERM), 0);
	cr_assert(ts_wait_exit(&ts, 10000));
	cr_assert(WIFEXITED(ts.status) && WEXITSTATUS(ts.status) == 0);
	cr_assert_neq(access(pidfile, F_OK), 0, "%s is still there", pidfile);
}

Test(privs, pidfile_left_by_a_killed_tcpsup_is_no_obstacle)
{
	char pidfile[128];

	snprintf(pidfile, sizeof(pidfile), "%s/tcpsup.pid", dir);
	ts_start(&other, (const char *const[]){ "--pidfile", pidfile, NULL });
	/* SIGKILL: the file stays, its lock goes. */
	cr_assert_eq(kill(other.pid, SIGKILL), 0);
	cr_assert(ts_wait_exit(&other, 5000));
	ts_cleanup(&other);
	cr_assert_eq(access(pidfile, F_OK), 0);
	ts_start(&ts, (const char *const[]){ "--pidfile", pidfile, NULL });
	cr_assert_eq(read_pid(pidfile), (long)ts.pid);
}
