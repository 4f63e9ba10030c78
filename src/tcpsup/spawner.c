/*
 * spawner.c -- the process tcp_client_sup's workers are cloned from.
 *
 * A worker must be confined before it reads a byte, and loading a seccomp
 * filter costs a process as much kernel time as the rest of its fork
 * (BENCH.md). So tcp_client_sup forks one spawner, which confines itself
 * once and then, for each worker, receives that worker's channel and
 * clones itself with CLONE_PARENT (sandbox_clone()): the worker is
 * tcp_client_sup's child as if forked by it, supervised, reaped and
 * reported as before, and starts confined, inheriting the filter. Without
 * a pool of idle workers, the spawner is given the client's socket
 * itself, and the worker inherits it: one hand-off fewer.
 *
 * The spawner reads nothing from the network and answers only its
 * supervisor: a worker's channel or socket in, the worker's pid (or
 * -errno) back, in order. A burst of sockets is sent in one go; the
 * spawner clones a worker for each and sends their pids back in one
 * message, so that tcp_client_sup wakes once for the burst.
 * tcp_client_sup waits for each answer at most SPAWNER_REPLY_MS; a
 * spawner that died or stopped answering is killed, reaped by the engine
 * as a stranger, and replaced, with an ERROR REPORT.
 */
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fdpass.h"
#include "log.h"
#include "ownmem.h"
#include "proc.h"
#include "reason.h"
#include "report.h"
#include "sandbox.h"
#include "spawner.h"
#include "sysreport.h"

/* How long tcp_client_sup waits for a clone's pid: a clone takes ~50 us. */
#define SPAWNER_REPLY_MS	1000

/*
 * Answers wait for the rest of a burst at most this long: however slow
 * clones are (under a sanitizer, or on a loaded machine), the first
 * comes well within SPAWNER_REPLY_MS.
 */
#define SPAWNER_BURST_MS	50

/* A request's one byte: what its descriptor is. */
#define KIND_CHANNEL	'C'
#define KIND_SOCKET	'S'

/*
 * In .bss: the stack each worker starts on, with its frame buffer right
 * above its top, so that a worker's frames and the first HEAD bytes of a
 * frame share one page. With the title in its argv, a worker holding a
 * client owns two pages; each page of the spawner's that a worker wrote
 * would be one more (BENCH.md). Below it, the stack the spawner loops on,
 * which clones do not get (MADV_DONTFORK): the spawner writes its frames
 * there without first copying a page it shares with its last clone, and
 * nothing it writes lands in a worker's memory. A guard page below both
 * stops the spawner's overrun; a worker's runs into the hole the two
 * leave in it.
 */
#define PAGE		4096
#define HEAD		256
#define STACK_SIZE	(64 * 1024)

struct area {
	uint8_t	guard[PAGE];
	uint8_t	loop[STACK_SIZE];
	uint8_t	stack[STACK_SIZE - HEAD];
	uint8_t	buf[ECHO_FSM_BUFSIZE];
};
_Static_assert(offsetof(struct area, buf) % PAGE == PAGE - HEAD, "HEAD");

static struct area area __attribute__((aligned(PAGE)));

/* What the loop on that stack needs: set once, before it starts. */
static const struct echo_fsm_conf *conf;
static pid_t supervisor;
static int notices = -1;	/* with --reuse: where it was moved */

/* A request's descriptor and kind, as one argument for the clone. */
#define REQUEST(fd, kind)	((uintptr_t)(fd) << 8 | (uint8_t)(kind))

/* In the clone: close what only the spawner needs, and serve. */
static void __attribute__((noreturn))
worker(uintptr_t request)
{
	const int requests = 3;
	int fd = (int)(request >> 8);

	close(requests);
	if ((char)(request & 0xff) == KIND_SOCKET)
		echo_fsm_serve(conf, area.buf, fd);
	echo_fsm_run(conf, area.buf, fd, notices);
}

/*
 * The spawner's loop, on its own stack; requests is descriptor 3, the
 * notices (--reuse) and syslog's socket follow. What the first stack held
 * below main()'s frame, where the options are, is dead now: given back, so
 * that no clone copies it; the rest made its own, as the rest of its
 * memory is.
 */
static void __attribute__((noreturn))
serve_requests(void)
{
	const int requests = 3;

	ownmem_stack(conf->opts);
	if (sandbox_enter() == -1) {
		log_say(REPORT_ERROR, getpid(), "Cannot confine tcp_echo_fsm:"
		    " %s.", strerror(errno));
		_exit(1);
	}
	for (;;) {
		int32_t answer[SUP_BATCH_MAX];
		size_t n = 0;
		int gone = -1;	/* the exit status, once they are out */
		int64_t since = 0;

		/* Every request waiting, and their answers in one message. */
		do {
			char kind;
			size_t len;
			int fd = fdpass_recv_data(requests, &kind, sizeof(kind),
			    &len);
			pid_t pid;

			/* EOF: tcp_client_sup is done with us. */
			if (fd == -1) {
				gone = errno == 0 ? 0 : 1;
				break;
			}
			pid = sandbox_clone(supervisor, area.stack,
			    sizeof(area.stack), worker, REQUEST(fd, kind));
			answer[n++] = pid == -1 ? -errno : pid;
			close(fd);
			if (n == 1)
				since = proc_now_ms();
		} while (n < SUP_BATCH_MAX && fdpass_waiting(requests) &&
		    proc_now_ms() - since < SPAWNER_BURST_MS);
		if (n > 0 && write(requests, answer, n * sizeof(answer[0])) !=
		    (ssize_t)(n * sizeof(answer[0])))
			_exit(1);
		if (gone != -1)
			_exit(gone);
	}
}

static void __attribute__((noreturn))
spawner_main(const struct echo_fsm_conf *c, int requests, pid_t sup)
{
	int keep[3], n = 0, syslog = -1;

	/* proc_keep_only() moves keep[i] to descriptor 3 + i. */
	keep[n++] = requests;
	if (c->notices != -1) {
		notices = 3 + n;
		keep[n++] = c->notices;
	}
	/* --syslog's socket too: a worker cannot make one (sandbox.h). */
	if (sysreport_fd() != -1) {
		syslog = 3 + n;
		keep[n++] = sysreport_fd();
	}
	proc_keep_only(keep, n);
	if (syslog != -1)
		sysreport_moved(syslog);
	/* Its clones start with its mask: a worker's, everything unblocked. */
	proc_unblock_signals();
	proc_rseq_off();
	log_set_process(NULL);
	proc_title("echo_spawner");
	ownmem_image();
	/* Not copied: in a clone, the hole they leave guards as well. */
	if (mprotect(area.guard, PAGE, PROT_NONE) == -1 ||
	    madvise(area.guard, sizeof(area.guard) + sizeof(area.loop),
	    MADV_DONTFORK) == -1)
		log_err(1, "echo_spawner: guard page");
	conf = c;
	supervisor = sup;
	sandbox_run_on(area.loop, sizeof(area.loop), serve_requests);
}

int
spawner_start(struct spawner *s)
{
	pid_t sup = getpid();
	int pair[2], e;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == -1)
		return -1;
	if ((s->pid = proc_fork_linked()) == 0)
		spawner_main(s->conf, pair[1], sup);
	e = errno;
	/* First: the pidfd takes its number, and leaves no gap below. */
	close(pair[1]);
	/* Linux before 5.3, valgrind 3.19: no pidfd (see spawner_stop). */
	if (s->pid == -1 || ((s->pidfd = pidfd_open(s->pid, 0)) == -1 &&
	    errno != ENOSYS)) {
		e = s->pid == -1 ? e : errno;
		if (s->pid > 0)
			kill(s->pid, SIGKILL);	/* not reaped: the pid is still its */
		close(pair[0]);
		s->pid = 0;
		errno = e;
		return -1;
	}
	s->channel = pair[0];
	return 0;
}

void
spawner_stop(struct spawner *s)
{
	if (s->pid == 0)
		return;
	if (s->pidfd != -1)
		pidfd_send_signal(s->pidfd, SIGKILL, NULL, 0);
	/* Without a pidfd: a child not reaped yet still owns its pid. */
	else if (waitpid(s->pid, NULL, WNOHANG | __WALL) == 0)
		kill(s->pid, SIGKILL);
	/* ECHILD if the engine reaped it already, as a stranger. */
	waitpid(s->pid, NULL, __WALL);
	if (s->pidfd != -1)
		close(s->pidfd);
	close(s->channel);
	s->pid = 0;
	/* What was asked of it is lost with it: ask again, one by one. */
	s->head = s->nahead = 0;
	s->answer = s->nanswers = 0;
	s->ahead_stopped = false;
}

static int
send_request(struct spawner *s, void *what)
{
	const char kind = (intptr_t)what & 1 ? KIND_SOCKET : KIND_CHANNEL;

	return fdpass_send_data(s->channel, (int)((intptr_t)what >> 1), &kind,
	    sizeof(kind));
}

/*
 * Answers come in the order of the requests, so a burst is asked for
 * ahead only up to its first request that could not be sent: the rest
 * are asked for one by one, after the answers already on their way.
 */
void
spawner_ahead(void *arg, void *extra)
{
	struct spawner *s = arg;

	if (s->ahead_stopped || s->pid == 0 || s->nahead == SUP_BATCH_MAX ||
	    send_request(s, extra) == -1) {
		s->ahead_stopped = true;
		return;
	}
	s->ahead[s->nahead++] = extra;
}

/* Sent ahead, its answer the next due; or send it now. -1 with errno. */
static int
request(struct spawner *s, void *what)
{
	if (s->nahead == 0) {
		s->ahead_stopped = false;
		return send_request(s, what);
	}
	/* Out of order would pair an answer with the wrong socket. */
	if (s->ahead[s->head] != what) {
		errno = EPROTO;
		return -1;
	}
	if (++s->head == s->nahead)
		s->head = s->nahead = 0;
	return 0;
}

/*
 * The next answer: kept from the last message, or the next message,
 * waited for at most SPAWNER_REPLY_MS. 0, or -1 with errno if none came.
 */
static int
next_answer(struct spawner *s, int32_t *answer)
{
	struct pollfd pfd = { .fd = s->channel, .events = POLLIN };
	ssize_t n;
	int r;

	if (s->answer == s->nanswers) {
		while ((r = poll(&pfd, 1, SPAWNER_REPLY_MS)) == -1 &&
		    errno == EINTR)
			continue;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = recv(s->channel, s->answers, sizeof(s->answers),
		    MSG_DONTWAIT);
		if (n <= 0 || n % (ssize_t)sizeof(s->answers[0]) != 0) {
			errno = n == 0 ? EPIPE : n == -1 ? errno : EBADMSG;
			return -1;
		}
		s->answer = 0;
		s->nanswers = (size_t)n / sizeof(s->answers[0]);
	}
	*answer = s->answers[s->answer++];
	return 0;
}

/*
 * One request. Returns the pid; -1 with errno if the spawner could not
 * clone (it is well); 0 with errno if it is gone or did not answer.
 */
static pid_t
ask(struct spawner *s, void *what)
{
	int32_t answer;

	if (request(s, what) == -1 || next_answer(s, &answer) == -1)
		return 0;
	if (answer > 0)
		return answer;
	errno = -answer;
	return -1;
}

pid_t
spawner_spawn(void *arg, void *extra)
{
	struct spawner *s = arg;
	char atom[32];
	pid_t pid;

	for (int tries = 0; tries < 2; tries++) {
		if (s->pid == 0 && spawner_start(s) == -1)
			return -1;
		if ((pid = ask(s, extra)) != 0)
			return pid;
		reason_errno(errno, atom, sizeof(atom));
		log_say(REPORT_ERROR, getpid(), "tcp_client_sup: echo_spawner"
		    " %d: %s (%s) - starting another.", (int)s->pid, atom,
		    strerror(errno));
		spawner_stop(s);
	}
	/* Started twice and gone twice: a shortage, which may pass. */
	errno = EAGAIN;
	return -1;
}
