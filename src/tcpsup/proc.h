/*
 * proc.h -- process plumbing shared by every role: linked forks, titles,
 * signal masks, descriptor hygiene.
 */
#ifndef TCPSUP_PROC_H
#define TCPSUP_PROC_H

#include <sys/types.h>

#include <signal.h>
#include <stdint.h>

/*
 * The signal a supervisor's child sends it when it exits, in place of
 * SIGCHLD: a real-time signal, so that each exit is queued with its own
 * pid and none is lost to another that shares it, as SIGCHLDs are. A
 * supervisor then reaps every exit by its pid, never with waitpid(-1),
 * which walks every child in the kernel. A clone made with CLONE_PARENT
 * (a worker, sandbox.c) sends what the process that made it sends.
 */
#define PROC_EXIT_SIGNAL	SIGRTMIN

/*
 * fork(2) a child linked to the caller: the child gets SIGKILL when the
 * caller dies (PR_SET_PDEATHSIG, with the race against an already dead
 * parent checked), and the caller gets PROC_EXIT_SIGNAL when the child
 * exits; waitpid(2) must then be given __WALL. The child starts with the
 * caller's signal mask, which it must restore with proc_unblock_signals()
 * or replace. Supervisors install no signal handlers (their signals arrive
 * on a signalfd) and ignore only SIGPIPE, so there are no dispositions to
 * reset. Returns as fork(2) does.
 */
pid_t	proc_fork_linked(void);

/*
 * First thing in main(): open /dev/null on whichever of descriptors 0, 1
 * and 2 is closed, as OpenBSD's daemons do. Otherwise the first socket
 * tcpsup opens would become one of them, and reports written to stderr,
 * or a program's output, would go into it.
 */
void	proc_std_open(void);

/*
 * First thing in main(): the default disposition for every signal the tree
 * relies on, and an empty mask. An ignored signal stays ignored across
 * exec: with SIGCHLD ignored the kernel reaps every child and tells nobody,
 * with SIGTERM ignored workers would not obey their shutdown. Interval
 * timers survive exec as well: they are cancelled.
 */
void	proc_reset_signals(void);

/* Block the signals a supervisor reads from its signalfd. */
void	proc_block_signals(sigset_t *blocked);

/* Unblock everything: what a worker does first. */
void	proc_unblock_signals(void);

/*
 * Once, from main(), after the last look at argv: proc_title() writes over
 * the memory argv points into (libbsd's setproctitle_init(3) moves it).
 */
void	proc_title_init(int argc, char *argv[], char *envp[]);

/*
 * Name this process in ps(1): exactly "tcpsup: <fmt>", whatever path and
 * arguments the program was started with; and, for top(1) and ps -o comm,
 * its kernel name the title's first word ("tcp_client_sup").
 */
void	proc_title(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/*
 * Keep only stdin, stdout, stderr and fds[0..n), which become descriptors
 * 3, 4, ... in that order. For a forked child that must not hold its
 * parent's sockets.
 */
void	proc_keep_only(const int *fds, int n);

/*
 * Stop the kernel from writing this thread's restartable-sequence area,
 * which glibc registers in every thread's TLS: a process that forks many
 * children should not have that page copied on write after each fork,
 * in itself and for each child. Nothing in tcpsup uses rseq; glibc's
 * sched_getcpu() falls back to the system call. Its children inherit it.
 */
void	proc_rseq_off(void);

/*
 * Run this process, and every one it forks after, under SCHED_BATCH
 * (sched(7)) if it runs under SCHED_OTHER: a process woken by data, a
 * socket or a signal then waits for the running one to block or use up
 * its slice instead of preempting it, so that under load each process
 * does more per wake-up, the load generator or HAProxy in front
 * included. A policy tcpsup was started with on purpose (chrt(1),
 * systemd's CPUSchedulingPolicy=) is left alone. Returns 0, or -1 with
 * errno set.
 */
int	proc_sched_batch(void);

/* CLOCK_MONOTONIC in milliseconds: deadlines that no clock change moves. */
int64_t	proc_now_ms(void);

#endif
