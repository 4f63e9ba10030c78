/*
 * spawner.h -- where tcp_client_sup's workers come from: one small process,
 * confined once, that clones each tcp_echo_fsm as tcp_client_sup's own
 * child.
 */
#ifndef TCPSUP_SPAWNER_H
#define TCPSUP_SPAWNER_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>

#include "echo_fsm.h"
#include "sup.h"

struct spawner {
	const struct echo_fsm_conf *conf;
	pid_t	 pid;		/* 0: none running */
	int	 pidfd;	/* -1 where pidfd_open(2) is missing */
	int	 channel;	/* requests out, pids back */
	/* Asked for ahead, not collected yet, oldest at head. */
	void	*ahead[SUP_BATCH_MAX];
	size_t	 head, nahead;
	bool	 ahead_stopped;	/* one was not sent: ask the rest alone */
	/* Answers come a burst to a message: those not taken yet. */
	int32_t	 answers[SUP_BATCH_MAX];
	size_t	 answer, nanswers;
};

/*
 * Fork the spawner and let it confine itself; -1 with errno if it could
 * not be forked. Done first thing, so that its descriptors here are low
 * and lasting; spawner_spawn() starts it again whenever it must.
 */
int	spawner_start(struct spawner *);

/*
 * What a worker starts with, as sup_start_child()'s extra: its channel, on
 * which it waits for sockets (WAIT_FOR_SOCKET), or its socket, which it
 * serves at once, as if handed it on a channel.
 */
#define SPAWNER_CHANNEL(fd)	((void *)((intptr_t)(fd) << 1))
#define SPAWNER_SOCKET(fd)	((void *)((intptr_t)(fd) << 1 | 1))

/*
 * The engine's spawn hook for tcp_echo_fsm (struct child_spec): arg is the
 * struct spawner, extra a SPAWNER_CHANNEL or a SPAWNER_SOCKET. Starts the spawner on first use, and again if it died or
 * stopped answering (an ERROR REPORT says so). Returns the worker's pid,
 * or -1 with errno (EAGAIN or ENOMEM: a shortage).
 */
pid_t	spawner_spawn(void *arg, void *extra);

/*
 * The engine's spawn_ahead hook: send extra's request now, so that a
 * burst's clones are made while tcp_client_sup waits for the first, and
 * their pids are read in one go. Its spawner_spawn() collects it.
 */
void	spawner_ahead(void *arg, void *extra);

/* Kill the spawner, if one runs, and reap it. Its clones live on. */
void	spawner_stop(struct spawner *);

#endif
