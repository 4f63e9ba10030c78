/*
 * fork_echo.c -- the floor of the process model: a fork-per-connection
 * {packet,2} echo server with no supervision at all.
 *
 *	fork_echo [--raw] PORT
 *
 * Binds 127.0.0.1:PORT. The parent only accepts and forks; each child
 * echoes the frames of its one connection until EOF and exits. The parent
 * reaps in a SIGCHLD handler (waitpid WNOHANG until nothing is left).
 * There are no reports, no restarts, no pool, no idle timeout: whatever
 * tcpsup costs above this server is the price of its supervision tree.
 *
 * A child echoes every complete frame it holds in one send (the bytes
 * are the frames, unchanged); a partial frame waits for the rest, and is
 * dropped if the peer closes. --raw echoes whatever arrives, as cat does.
 * Each child has PR_SET_PDEATHSIG so that stopping the parent stops all.
 *
 * Benchmark peer only (bench/, scripts/bench); not part of tcpsup.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peer.h"


#define FRAME_MAX	(2 + 65535)
#define BUF_SIZE	(2 * FRAME_MAX)

static int raw_mode;

static void
reap(int sig)
{
	int saved = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

static int
send_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The child: echo until EOF or error, then exit. */
static void __attribute__((noreturn))
serve(int fd)
{
	static uint8_t buf[BUF_SIZE];
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);
		size_t done;

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(0);
		len += (size_t)n;
		done = raw_mode ? len : complete_frames(buf, len);
		if (done > 0 && send_all(fd, buf, done) == -1)
			_exit(0);
		/* What remains is less than one frame: it always fits. */
		memmove(buf, buf + done, len - done);
		len -= done;
	}
}

static void
start_child(int lfd, int fd, pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(1);
	signal(SIGCHLD, SIG_DFL);
	close(lfd);
	serve(fd);
}

int
main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_handler = reap,
	    .sa_flags = SA_RESTART | SA_NOCLDSTOP };
	pid_t self = getpid();
	int lfd;

	if (argc == 3 && strcmp(argv[1], "--raw") == 0) {
		raw_mode = 1;
		argv++;
	} else if (argc != 2)
		errx(64, "usage: fork_echo [--raw] PORT");
	lfd = peer_listen(argv[1], 0);
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGCHLD, &sa, NULL) == -1)
		err(71, "sigaction");

	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				warn("accept");
				usleep(100000);	/* let children exit */
			} else if (errno != EINTR && errno != ECONNABORTED)
				warn("accept");
			continue;
		}
		switch (fork()) {
		case -1:
			warn("fork");
			break;
		case 0:
			start_child(lfd, fd, self);
			break;
		}
		close(fd);
	}
}
