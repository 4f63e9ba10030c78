/*
 * test_sdnotify.c -- systemd's notify protocol without libsystemd: the
 * addresses $NOTIFY_SOCKET may name (paths, abstract names, junk), the
 * watchdog interval and whose it is, the STATUS= line, and one real
 * datagram to a socket of the test's own.
 */
#include <criterion/criterion.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdnotify.h"

#define BASE	offsetof(struct sockaddr_un, sun_path)

Test(sdnotify, path_address)
{
	struct sockaddr_un sun;
	socklen_t len;

	cr_assert_eq(sdnotify_addr("/run/systemd/notify", &sun, &len), 0);
	cr_assert_eq(sun.sun_family, AF_UNIX);
	cr_assert_str_eq(sun.sun_path, "/run/systemd/notify");
	cr_assert_eq(len, BASE + strlen("/run/systemd/notify") + 1);
}

Test(sdnotify, abstract_address)
{
	struct sockaddr_un sun;
	socklen_t len;

	cr_assert_eq(sdnotify_addr("@tcpsup/notify", &sun, &len), 0);
	cr_assert_eq(sun.sun_path[0], '\0');
	cr_assert_eq(memcmp(sun.sun_path + 1, "tcpsup/notify", 13), 0);
	/* No NUL counted: the name is exactly its bytes. */
	cr_assert_eq(len, BASE + 14);
}

Test(sdnotify, bad_addresses)
{
	char longest[sizeof(((struct sockaddr_un *)0)->sun_path) + 2];
	struct sockaddr_un sun;
	socklen_t len;

	cr_assert_eq(sdnotify_addr(NULL, &sun, &len), -1);
	cr_assert_eq(sdnotify_addr("", &sun, &len), -1);
	cr_assert_eq(sdnotify_addr("relative/notify", &sun, &len), -1);
	cr_assert_eq(sdnotify_addr("@", &sun, &len), -1);
	cr_assert_eq(sdnotify_addr("/", &sun, &len), -1);
	/* A path must leave room for its NUL; an abstract name need not. */
	memset(longest, 'x', sizeof(longest));
	longest[0] = '/';
	longest[sizeof(sun.sun_path)] = '\0';
	cr_assert_eq(sdnotify_addr(longest, &sun, &len), -1);
	longest[0] = '@';
	cr_assert_eq(sdnotify_addr(longest, &sun, &len), 0);
	cr_assert_eq(len, sizeof(sun));
	longest[sizeof(sun.sun_path)] = 'x';
	longest[sizeof(sun.sun_path) + 1] = '\0';
	cr_assert_eq(sdnotify_addr(longest, &sun, &len), -1);
}

Test(sdnotify, watchdog_interval)
{
	cr_assert_eq(sdnotify_watchdog_usec("3000000", NULL, 42), 3000000);
	cr_assert_eq(sdnotify_watchdog_usec("3000000", "42", 42), 3000000);
	/* Meant for another process: not ours to ping. */
	cr_assert_eq(sdnotify_watchdog_usec("3000000", "41", 42), 0);
	cr_assert_eq(sdnotify_watchdog_usec(NULL, "42", 42), 0);
	cr_assert_eq(sdnotify_watchdog_usec("0", NULL, 42), 0);
	cr_assert_eq(sdnotify_watchdog_usec("-5", NULL, 42), 0);
	cr_assert_eq(sdnotify_watchdog_usec("5s", NULL, 42), 0);
	cr_assert_eq(sdnotify_watchdog_usec("", NULL, 42), 0);
	cr_assert_eq(sdnotify_watchdog_usec("99999999999999999999", NULL, 42), 0);
	cr_assert_eq(sdnotify_watchdog_usec("1000", "x", 42), 0);
}

Test(sdnotify, status_line)
{
	char buf[160], tiny[16];

	sdnotify_status(buf, sizeof(buf), 0, 0, "127.0.0.1:2222");
	cr_assert_str_eq(buf, "STATUS=Serving 0 connections on 127.0.0.1:2222;"
	    " 0 restarts so far");
	sdnotify_status(buf, sizeof(buf), 1, 1, "[::1]:2222");
	cr_assert_str_eq(buf, "STATUS=Serving 1 connection on [::1]:2222;"
	    " 1 restart so far");
	cr_assert_eq(sdnotify_status(tiny, sizeof(tiny), 12345, 7, "x"),
	    sizeof(tiny) - 1);
	cr_assert_eq(strlen(tiny), sizeof(tiny) - 1);
}

/* The variables are read once and hidden; READY=1 arrives whole. */
Test(sdnotify, open_and_send)
{
	char path[] = "/tmp/tcpsup-sdnotify-XXXXXX", sock[64], got[64];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	uint64_t usec;
	char pid[16];
	ssize_t n;
	int fd;

	cr_assert_not_null(mkdtemp(path));
	snprintf(sock, sizeof(sock), "%s/notify", path);
	strlcpy(sun.sun_path, sock, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("NOTIFY_SOCKET", sock, 1);
	setenv("WATCHDOG_USEC", "500000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	cr_assert_eq(sdnotify_open(&usec), 1);
	cr_assert_eq(usec, 500000);
	cr_assert_null(getenv("NOTIFY_SOCKET"));
	cr_assert_null(getenv("WATCHDOG_USEC"));
	cr_assert_null(getenv("WATCHDOG_PID"));
	sdnotify_send("READY=1\nSTATUS=up");
	n = recv(fd, got, sizeof(got) - 1, MSG_DONTWAIT);
	cr_assert_eq(n, 17);
	got[n] = '\0';
	cr_assert_str_eq(got, "READY=1\nSTATUS=up");
	close(fd);
	unlink(sock);
	rmdir(path);
}
