/*
 * test_crosstalk.c -- tcpsup-load tells a frame of another client from a
 * corrupted one: its payloads name their sender (pattern_owner), and a
 * stand-in server that crosses two clients' streams is caught as crosstalk,
 * the load failing. It must never leave its server running: the server is
 * killed and reaped by pid, and bounded by alarm(2) besides.
 */
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pattern.h"

Test(pattern, owner_names_every_frame)
{
	struct pattern p;
	uint8_t frame[2 + 24];
	uint32_t id, seq, i;

	pattern_init(&p, 2, 24);
	for (i = 0; i < 100000; i++) {
		pattern_fill(&p, i * 2654435761u, i ^ 0x5a5a5a5au, 0, frame,
		    sizeof(frame));
		pattern_owner(frame + 2, &id, &seq);
		cr_assert_eq(id, i * 2654435761u);
		cr_assert_eq(seq, i ^ 0x5a5a5a5au);
	}
}

/* Relay what a sends to b and back: two clients' echoes crossed. */
static void
cross(int lfd)
{
	struct pollfd pfd[2];
	char buf[4096];
	ssize_t n;
	int i;

	alarm(20);
	pfd[0].fd = accept(lfd, NULL, NULL);
	pfd[1].fd = accept(lfd, NULL, NULL);
	if (pfd[0].fd == -1 || pfd[1].fd == -1)
		_exit(1);
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) == -1)
			_exit(1);
		for (i = 0; i < 2; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if ((n = read(pfd[i].fd, buf, sizeof(buf))) <= 0)
				_exit(0);
			if (write(pfd[1 - i].fd, buf, (size_t)n) != n)
				_exit(0);
		}
	}
}

Test(load, crossed_echoes_are_crosstalk, .timeout = 60)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	const char *load = getenv("TCPSUP_LOAD_BIN");
	char cmd[512], out[512] = "";
	FILE *fp;
	pid_t server;
	int lfd, status;

	cr_assert(load != NULL, "TCPSUP_LOAD_BIN is not set");
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert(lfd != -1);
	cr_assert(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	cr_assert(listen(lfd, 8) == 0);
	cr_assert(getsockname(lfd, (struct sockaddr *)&sin, &len) == 0);
	server = fork();
	cr_assert(server != -1);
	if (server == 0)
		cross(lfd);
	close(lfd);

	snprintf(cmd, sizeof(cmd), "'%s' chaos -c 2 -d 1 -t 1000 -q -p %d "
	    "2>/dev/null", load, ntohs(sin.sin_port));
	fp = popen(cmd, "r");
	cr_assert(fp != NULL);
	while (fgets(out, sizeof(out), fp) != NULL &&
	    strncmp(out, "RESULT", 6) != 0)
		;
	status = pclose(fp);
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);

	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "tcpsup-load: status %#x, not exit 1", status);
	cr_assert(strstr(out, " crosstalk=0") == NULL &&
	    strstr(out, " crosstalk=") != NULL, "no crosstalk seen: %s", out);
	cr_assert(strstr(out, " mismatch=0") != NULL,
	    "a crossed frame taken for a corrupted one: %s", out);
}
