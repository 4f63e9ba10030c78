/*
 * client_sup.c -- tcp_client_sup, the root's second child.
 *
 * A simple_one_for_one supervisor run by the generic engine, with one
 * temporary tcp_echo_fsm per connection. It reads accepted sockets from the
 * hand-off channel, which the root keeps open across its restarts, starts a
 * worker and gives it the socket over a private UNIX socket: the worker is
 * born in WAIT_FOR_SOCKET and the socket is its set_socket message.
 */
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "client_sup.h"
#include "echo_fsm.h"
#include "fdpass.h"
#include "proc.h"
#include "reason.h"
#include "sup.h"
#include "tree.h"

/* Sockets taken per wake-up, so that SIGCHLD is read between bursts. */
#define HANDOFF_BATCH	64

struct client_sup {
	struct sup	*sup;
	int		 handoff;
};

/* Start a worker and give it fd. The caller closes fd. */
static void
serve(struct client_sup *cs, int fd)
{
	int pair[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == -1) {
		warn("tcp_client_sup: socketpair");
		return;
	}
	if (sup_start_child(cs->sup, (void *)(intptr_t)pair[1]) != -1 &&
	    fdpass_send(pair[0], fd) == -1)
		warn("tcp_client_sup: set_socket");
	close(pair[0]);
	close(pair[1]);
}

static void
on_handoff(void *ctx)
{
	struct client_sup *cs = ctx;

	for (int i = 0; i < HANDOFF_BATCH; i++) {
		int fd = fdpass_recv(cs->handoff);

		if (fd == -1) {
			if (errno == EBADMSG)
				continue;
			if (errno != EAGAIN && errno != EINTR)
				warn("tcp_client_sup: hand-off");
			return;
		}
		serve(cs, fd);
		close(fd);
	}
}

void
client_sup_start(void *arg, void *extra)
{
	const struct tree *t = arg;
	const struct child_spec worker = {
		.id = NULL,
		.mfa = "{tcp_echo_fsm,start_link,[]}",
		.modules = "[]",
		.restart = RESTART_TEMPORARY,
		.shutdown = t->opts->shutdown,
		.type = CHILD_WORKER,
		.start = echo_fsm_start,
		.arg = (void *)t->opts,
	};
	const struct sup_flags flags = {
		.name = "tcp_client_sup",
		.strategy = SUP_SIMPLE_ONE_FOR_ONE,
		.intensity = t->opts->intensity,
		.period = t->opts->period,
	};
	struct client_sup cs = { .handoff = t->handoff_recv };

	(void)extra;
	setpgid(0, 0);	/* the terminal's ^C is for the root alone */
	close(t->listen_fd);
	close(t->handoff_send);
	proc_title("tcp_client_sup");
	cs.sup = sup_create(&flags, &worker, 1);
	sup_watch(cs.sup, cs.handoff, on_handoff, &cs);
	sup_run(cs.sup);
	/* Stopped or gave up, OTP says shutdown either way. */
	_exit(REASON_SHUTDOWN_STATUS);
}
