/*
 * test_systemd.c -- tcpsup under systemd's protocols, with the test as
 * the manager: a listening socket handed over as systemd does it
 * (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES, descriptors from 3) serves
 * echo and survives a kill -9 of the listener; a NOTIFY_SOCKET of the
 * test's own hears READY=1, STATUS= lines that follow the tree,
 * WATCHDOG=1 at the interval WATCHDOG_USEC asks (and none while the root
 * is stopped: a wedged root is caught) and STOPPING=1; and the real
 * systemd-socket-activate starts it on the first connection.
 */
#include <criterion/criterion.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "harness.h"

static struct tcpsup ts;
static int listen_fd = -1;		/* the "manager's" socket */
static int notify_fd = -1;
static char dir[64];
static char notify_path[96];
static const char *fdnames;		/* LISTEN_FDNAMES, or NULL */
static const char *watchdog_usec;	/* WATCHDOG_USEC, or NULL */

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tcpsup-sd-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	ts_cleanup(&ts);
	if (listen_fd != -1)
		close(listen_fd);
	if (notify_fd != -1)
		close(notify_fd);
	listen_fd = notify_fd = -1;
	fdnames = watchdog_usec = NULL;
	ts_remove_tree(dir);
}

TestSuite(systemd, .init = setup, .fini = teardown, .timeout = 60);

/* A loopback socket, bound and listening, as a .socket unit makes one. */
static int
manager_socket(int *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert_geq(fd, 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(listen(fd, 128), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* fd at target, inheritable, whatever target held. */
static void
place(int fd, int target)
{
	int copy = dup(fd);	/* without CLOEXEC, and never target itself */

	if (copy == -1 || dup2(copy, target) == -1)
		_exit(126);
	if (copy != target)
		close(copy);
}

/*
 * In the child, before exec: what systemd sets for a service. With names,
 * two descriptors: fd 3 no socket at all (tcpsup must not take it), the
 * socket at fd 4.
 */
static void
as_systemd_would(void)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if (listen_fd != -1) {
		place(listen_fd, fdnames != NULL ? 4 : 3);
		if (fdnames != NULL) {
			place(STDERR_FILENO, 3);
			setenv("LISTEN_FDNAMES", fdnames, 1);
		}
		setenv("LISTEN_PID", pid, 1);
		setenv("LISTEN_FDS", fdnames != NULL ? "2" : "1", 1);
	}
	if (notify_fd != -1)
		setenv("NOTIFY_SOCKET", notify_path, 1);
	if (watchdog_usec != NULL) {
		setenv("WATCHDOG_USEC", watchdog_usec, 1);
		setenv("WATCHDOG_PID", pid, 1);
	}
}

static void
start_activated(int *port)
{
	listen_fd = manager_socket(port);
	ts_before_exec = as_systemd_would;
	ts_start(&ts, (const char *const[]){ "--control", "none", NULL });
	ts_before_exec = NULL;
}

/* One echoed frame on a new connection. */
static void
assert_echo(void)
{
	int fd = ts_connect_echoed(&ts);

	cr_assert_geq(fd, 0, "no echo on %d:\n%s", ts.port, ts.log);
	close(fd);
}

Test(systemd, activated_socket_serves_and_survives_the_listener)
{
	pid_t listener, again;
	int port;

	start_activated(&port);
	/* Its port is the manager's, whatever -l 127.0.0.1:0 said. */
	cr_assert_eq(ts.port, port, "%s", ts.log);
	assert_echo();
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	cr_assert_gt(listener, 0);
	cr_assert_eq(kill(listener, SIGKILL), 0);
	again = ts_wait_child(&ts, ts.pid, "tcp_listener", listener, 5000);
	cr_assert_gt(again, 0, "no new listener:\n%s", ts.log);
	/* The same socket, kept by the root: still served. */
	assert_echo();
	cr_assert_null(ts_find(&ts, 0, "eaddrinuse"), "%s", ts.log);
	cr_assert_eq(kill(ts.pid, SIGTERM), 0);
	cr_assert(ts_wait_exit(&ts, 10000));
	cr_assert(WIFEXITED(ts.status) && WEXITSTATUS(ts.status) == 0);
}

Test(systemd, activated_socket_chosen_by_name)
{
	int port;

	fdnames = "stderr:listen";
	start_activated(&port);
	cr_assert_eq(ts.port, port, "%s", ts.log);
	assert_echo();
}

Test(systemd, activation_without_a_listen_name_refused)
{
	int port;

	listen_fd = manager_socket(&port);
	fdnames = "a:b";
	ts_before_exec = as_systemd_would;
	ts_spawn(&ts, (const char *const[]){ "--control", "none", NULL });
	ts_before_exec = NULL;
	cr_assert(ts_wait_exit(&ts, 10000));
	cr_assert(WIFEXITED(ts.status), "status %#x", ts.status);
	cr_assert_eq(WEXITSTATUS(ts.status), EX_CONFIG, "%s", ts.log);
	cr_assert_not_null(ts_find(&ts, 0, "socket activation: LISTEN_FDS 2:"
	    " several sockets and none named 'listen'"), "%s", ts.log);
}

/* --- the notify socket -------------------------------------------------- */

static void
bind_notify(bool abstract)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = sizeof(sun);

	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(notify_fd, 0);
	if (abstract) {
		snprintf(notify_path, sizeof(notify_path), "@tcpsup-test-%ld",
		    (long)getpid());
		memcpy(sun.sun_path + 1, notify_path + 1, strlen(notify_path));
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    strlen(notify_path));
	} else {
		snprintf(notify_path, sizeof(notify_path), "%s/notify", dir);
		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", notify_path);
	}
	cr_assert_eq(bind(notify_fd, (struct sockaddr *)&sun, len), 0,
	    "%s", strerror(errno));
}

/* The next datagram that contains needle, within timeout_ms; -1 if none. */
static int
wait_message(const char *needle, int timeout_ms, char *got, size_t size)
{
	int64_t deadline = ts_now_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfd = { .fd = notify_fd, .events = POLLIN };
		int64_t left = deadline - ts_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
			return -1;
		if ((n = recv(notify_fd, got, size - 1, MSG_DONTWAIT)) <= 0)
			continue;
		got[n] = '\0';
		if (strstr(got, needle) != NULL)
			return 0;
	}
}

/* WATCHDOG=1 messages arriving within ms. */
static int
count_pings(int ms)
{
	int64_t deadline = ts_now_ms() + ms;
	char got[256];
	int n = 0;

	while (ts_now_ms() < deadline)
		if (wait_message("WATCHDOG=1", (int)(deadline - ts_now_ms()),
		    got, sizeof(got)) == 0)
			n++;
	return n;
}

static void
readiness_status_stopping(bool abstract)
{
	char got[512], expect[128];
	pid_t listener;
	int fd, port;

	bind_notify(abstract);
	start_activated(&port);
	cr_assert_eq(wait_message("READY=1", 5000, got, sizeof(got)), 0,
	    "no READY=1:\n%s", ts.log);
	snprintf(expect, sizeof(expect), "READY=1\nSTATUS=Serving 0 connections"
	    " on 127.0.0.1:%d; 0 restarts so far", port);
	cr_assert_str_eq(got, expect);
	/* The status follows the tree: a connection, then a restart. */
	fd = ts_connect_echoed(&ts);
	cr_assert_geq(fd, 0);
	cr_assert_eq(wait_message("STATUS=Serving 1 connection on", 5000, got,
	    sizeof(got)), 0, "status did not follow");
	listener = ts_child(&ts, ts.pid, "tcp_listener");
	cr_assert_eq(kill(listener, SIGKILL), 0);
	cr_assert_eq(wait_message("; 1 restart so far", 5000, got,
	    sizeof(got)), 0, "no restart in the status");
	close(fd);
	cr_assert_eq(kill(ts.pid, SIGTERM), 0);
	cr_assert_eq(wait_message("STOPPING=1", 5000, got, sizeof(got)), 0);
	cr_assert(ts_wait_exit(&ts, 10000));
	cr_assert(WIFEXITED(ts.status) && WEXITSTATUS(ts.status) == 0);
}

Test(systemd, readiness_status_and_stopping)
{
	readiness_status_stopping(false);
}

Test(systemd, abstract_notify_socket)
{
	readiness_status_stopping(true);
}

Test(systemd, watchdog_pings_from_the_event_loop)
{
	char got[256];
	int port, pings;

	bind_notify(false);
	watchdog_usec = "200000";	/* pings every 100 ms */
	start_activated(&port);
	cr_assert_eq(wait_message("READY=1", 5000, got, sizeof(got)), 0);
	pings = count_pings(1000);
	cr_assert(pings >= 6 && pings <= 14, "%d pings in 1 s", pings);
	/* A root that does not run its loop sends none: systemd would act. */
	cr_assert(ts_stop_process(ts.pid, 2000));
	while (recv(notify_fd, got, sizeof(got), MSG_DONTWAIT) > 0)
		;
	cr_assert_eq(count_pings(500), 0);
	cr_assert_eq(kill(ts.pid, SIGCONT), 0);
	cr_assert_geq(count_pings(500), 2);
}

Test(systemd, no_watchdog_when_it_is_for_another_pid)
{
	char got[256];
	int port;

	bind_notify(false);
	start_activated(&port);
	cr_assert_eq(wait_message("READY=1", 5000, got, sizeof(got)), 0);
	cr_assert_eq(count_pings(600), 0);
}

/* --- the real tool -------------------------------------------------------- */

#define SOCKET_ACTIVATE	"/usr/bin/systemd-socket-activate"

Test(systemd, systemd_socket_activate)
{
	char addr[32];
	int port = ts_free_port(), fd;

	if (access(SOCKET_ACTIVATE, X_OK) != 0)
		cr_skip_test(SOCKET_ACTIVATE " is not installed");
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	ts_spawn_path(&ts, SOCKET_ACTIVATE, (const char *const[]){ "-l", addr,
	    ts_bin(), "--control", "none", NULL });
	ts.port = port;
	cr_assert(ts_wait_log(&ts, 0, " as 3.", 5000), "%s", ts.log);
	/* tcpsup starts on the first connection, which it then serves. */
	fd = ts_connect_echoed(&ts);
	cr_assert_geq(fd, 0, "%s", ts.log);
	close(fd);
	cr_assert(ts_wait_log(&ts, 0, "started_at", 5000), "%s", ts.log);
}
