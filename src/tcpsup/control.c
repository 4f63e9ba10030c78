/*
 * control.c -- the root's side of the control socket: create it, accept,
 * check credentials, read bounded requests, route (see control.h).
 *
 * The socket is a UNIX stream socket, 0600 in a directory that only the
 * daemon's user can enter, and every peer's credentials are checked again
 * with SO_PEERCRED: the daemon's user and root may steer the tree, nobody
 * else. Requests for the root are answered here; requests for
 * tcp_client_sup go to it over the control channel, which the root keeps
 * across its restarts, together with the connection to answer on.
 *
 * The root supervises: it must never wait on a control client. Every
 * socket here is non-blocking, every connection has a deadline
 * (ctl_conn.h), and a refused peer costs one accept and one short write.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "control.h"
#include "ctl_conn.h"
#include "ctl_path.h"
#include "fdpass.h"
#include "log.h"
#include "proc.h"
#include "reason.h"
#include "report.h"
#include "stats.h"
#include "sup_call.h"

/* How long to stop accepting when descriptors run out. */
#define CONTROL_PAUSE_MS	250
/* A socket path, as a sockaddr_un holds it. */
#define CONTROL_PATH_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)
/* At most one report of refused peers per this long. */
#define CONTROL_REFUSAL_REPORT_MS	1000

struct control {
	struct sup		*root;
	struct tree		*tree;
	struct ctl_conns	*conns;
	int			 fd;		/* the listening socket */
	int			 pause;		/* timerfd: accept again */
	char			 path[CONTROL_PATH_MAX];
	dev_t			 dev;		/* the socket file we made */
	ino_t			 ino;
	int64_t			 refusal_reported;	/* ms, 0: never */
	unsigned		 refusals;	/* since the last report */
};

static int __attribute__((format(printf, 6, 7)))
fail(int e, char *why, size_t whysize, char *reason, size_t reasonsize,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whysize, fmt, ap);
	va_end(ap);
	reason_errno(e, reason, reasonsize);
	return -1;
}

/* --- the socket file ----------------------------------------------------- */

/*
 * The directory holds the socket: create its last level 0700, or accept
 * an existing one only if it is ours and closed to everyone else.
 */
static int
prepare_dir(const char *path, char *why, size_t ws, char *reason, size_t rs)
{
	char dir[CONTROL_PATH_MAX];
	struct stat st;

	if (ctl_path_dir(path, dir, sizeof(dir)) == -1)
		return fail(ENAMETOOLONG, why, ws, reason, rs,
		    "control socket %s: path too long", path);
	if (mkdir(dir, 0700) == 0) {
		/* The umask may have taken bits away, never added any. */
		if (chmod(dir, 0700) == -1)
			return fail(errno, why, ws, reason, rs,
			    "control socket directory %s: chmod: %s", dir,
			    strerror(errno));
	} else if (errno != EEXIST) {
		return fail(errno, why, ws, reason, rs,
		    "control socket directory %s: %s", dir, strerror(errno));
	}
	if (lstat(dir, &st) == -1)
		return fail(errno, why, ws, reason, rs,
		    "control socket directory %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return fail(ENOTDIR, why, ws, reason, rs,
		    "control socket directory %s: not a directory", dir);
	if (st.st_uid != geteuid())
		return fail(EPERM, why, ws, reason, rs,
		    "control socket directory %s: owned by uid %lu, not by "
		    "tcpsup's uid %lu", dir, (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
	if ((st.st_mode & 077) != 0)
		return fail(EPERM, why, ws, reason, rs,
		    "control socket directory %s: mode %04o lets others in "
		    "(make it 0700)", dir, (unsigned)(st.st_mode & 07777));
	return 0;
}

static void
sockaddr_of(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	strlcpy(sun->sun_path, path, sizeof(sun->sun_path));
}

/*
 * A socket file left by a dead daemon is removed; one that a live daemon
 * answers on is not ours to take.
 */
static int
clear_stale(const char *path, char *why, size_t ws, char *reason, size_t rs)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, r, e;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : fail(errno, why, ws, reason, rs,
		    "control socket %s: %s", path, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return fail(EEXIST, why, ws, reason, rs,
		    "control socket %s: exists and is not a socket", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return fail(errno, why, ws, reason, rs, "socket: %s",
		    strerror(errno));
	sockaddr_of(path, &sun);
	r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN)
		return fail(EADDRINUSE, why, ws, reason, rs,
		    "control socket %s: another tcpsup is running there", path);
	if (e != ECONNREFUSED)
		return fail(e, why, ws, reason, rs, "control socket %s: %s",
		    path, strerror(e));
	if (unlink(path) == -1 && errno != ENOENT)
		return fail(errno, why, ws, reason, rs,
		    "control socket %s: stale, and cannot be removed: %s", path,
		    strerror(errno));
	return 0;
}

/* Bind 0600 from the start: the umask, not a chmod after the fact. */
static int
bind_socket(struct control *ctl, char *why, size_t ws, char *reason,
    size_t rs)
{
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int r;

	if ((ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		return fail(errno, why, ws, reason, rs, "socket: %s",
		    strerror(errno));
	sockaddr_of(ctl->path, &sun);
	old = umask(0177);
	r = bind(ctl->fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (r == -1)
		return fail(errno, why, ws, reason, rs, "control socket %s: %s",
		    ctl->path, strerror(errno));
	if (lstat(ctl->path, &st) == -1 || !S_ISSOCK(st.st_mode) ||
	    st.st_uid != geteuid() || (st.st_mode & 0777) != 0600) {
		unlink(ctl->path);
		return fail(EPERM, why, ws, reason, rs,
		    "control socket %s: not created 0600", ctl->path);
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	if (listen(ctl->fd, SOMAXCONN) == -1) {
		unlink(ctl->path);
		return fail(errno, why, ws, reason, rs, "control socket %s: "
		    "listen: %s", ctl->path, strerror(errno));
	}
	return 0;
}

/* Remove the socket file, if it still is the one we made. */
static void
remove_socket(const struct control *ctl)
{
	struct stat st;

	if (lstat(ctl->path, &st) == 0 && st.st_dev == ctl->dev &&
	    st.st_ino == ctl->ino)
		unlink(ctl->path);
}

/* --- answers ------------------------------------------------------------- */

static void
reply_error(struct control *ctl, int fd, const char *term)
{
	struct ctl_reply reply = { 0 };

	ctl_reply_error(&reply, term);
	ctl_reply_end(&reply);
	ctl_conns_reply(ctl->conns, fd, &reply);
}

static void
stat_text(struct ctl_reply *r, const char *key, const char *value)
{
	const char *fields[] = { key, value };

	ctl_reply_record(r, "stat", 2, fields);
}

static void
stat_number(struct ctl_reply *r, const char *key, uint64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRIu64, value);
	stat_text(r, key, text);
}

static void
reply_stats(struct control *ctl, int fd)
{
	static const struct {
		const char		*key;
		enum stats_counter	 c;
	} counters[] = {
		{ "accepted", STATS_ACCEPTED },
		{ "forks", STATS_FORKS },
		{ "clients", STATS_CLIENTS },
		{ "restarts", STATS_RESTARTS },
		{ "reports", STATS_REPORTS },
		{ "reports_dropped", STATS_DROPPED },
	};
	struct stats_report recent[STATS_RING];
	struct ctl_reply reply = { 0 };
	size_t n = stats_recent(recent);

	ctl_reply_ok(&reply);
	stat_number(&reply, "pid", (uint64_t)getpid());
	stat_text(&reply, "version", TCPSUP_VERSION);
	stat_text(&reply, "listen", ctl->tree->bound);
	stat_text(&reply, "control", ctl->path);
	/* Absolute, so that tcpsupctl finds it from any directory. */
	if (log_report_dir() != NULL)
		stat_text(&reply, "report_dir", log_report_dir());
	stat_number(&reply, "started", (uint64_t)stats_started());
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		stat_number(&reply, counters[i].key, stats_get(counters[i].c));
	for (size_t i = 0; i < n; i++) {
		char time[24], pid[24];
		const char *fields[] = { time, report_kind_name(recent[i].kind),
		    pid, recent[i].text };

		snprintf(time, sizeof(time), "%" PRId64, recent[i].time);
		snprintf(pid, sizeof(pid), "%ld", (long)recent[i].pid);
		ctl_reply_record(&reply, "report", 4, fields);
	}
	ctl_reply_end(&reply);
	ctl_conns_reply(ctl->conns, fd, &reply);
}

/* The reply goes out before the stop begins: it fits in a fresh socket. */
static void
stop(struct control *ctl, int fd)
{
	struct ctl_reply reply = { 0 };

	ctl_reply_ok(&reply);
	ctl_reply_end(&reply);
	ctl_conns_reply(ctl->conns, fd, &reply);
	sup_stop(ctl->root);
}

struct lookup {
	const char	*id;
	bool		 found;
	pid_t		 pid;
};

static void
look(void *ctx, const struct sup_child_info *info)
{
	struct lookup *l = ctx;

	if (info->spec->type == CHILD_SUPERVISOR && info->spec->id != NULL &&
	    strcmp(info->spec->id, l->id) == 0) {
		l->found = true;
		l->pid = info->pid;
	}
}

/*
 * A request for tcp_client_sup goes to it with its connection; the root's
 * copy is closed once it is on its way. A full channel means the client
 * supervisor is not reading: the client hears busy, the root goes on.
 */
static void
route(struct control *ctl, int fd, const struct ctl_request *req,
    const char *raw, size_t len)
{
	struct lookup l = { .id = req->sup };

	sup_which_children(ctl->root, look, &l);
	if (!l.found || l.pid == 0) {
		reply_error(ctl, fd, "noproc");
		return;
	}
	if (fdpass_send_data(ctl->tree->control_send, fd, raw, len) == -1) {
		reply_error(ctl, fd, errno == EAGAIN || errno == ENOBUFS ?
		    "busy" : "noproc");
		return;
	}
	ctl_conns_release(ctl->conns, fd);
}

static void
on_request(void *ctx, int fd, const struct ctl_request *req,
    const char *raw, size_t len)
{
	struct control *ctl = ctx;
	struct ctl_reply reply = { 0 };

	switch (req->verb) {
	case CTL_STATS:
		reply_stats(ctl, fd);
		return;
	case CTL_STOP:
		stop(ctl, fd);
		return;
	default:
		break;
	}
	if (strcmp(req->sup, sup_get_flags(ctl->root)->name) != 0) {
		route(ctl, fd, req, raw, len);
		return;
	}
	sup_call(ctl->root, req, &reply);
	ctl_conns_reply(ctl->conns, fd, &reply);
}

/* --- accepting ----------------------------------------------------------- */

/*
 * The refusal is reported with the uid it names, at most once a second
 * however fast a stranger connects, with the count of those not reported.
 */
static void
refuse(struct control *ctl, int fd, uid_t uid)
{
	int64_t now = proc_now_ms();

	ctl_conns_refuse(fd, "eacces");
	ctl->refusals++;
	if (ctl->refusal_reported != 0 &&
	    now - ctl->refusal_reported < CONTROL_REFUSAL_REPORT_MS)
		return;
	log_say(REPORT_ERROR, getpid(), "Control connection from uid %lu"
	    " refused: only tcpsup's own uid (%lu) and root may use it; %u"
	    " refused since the last report.", (unsigned long)uid,
	    (unsigned long)geteuid(), ctl->refusals);
	ctl->refusal_reported = now;
	ctl->refusals = 0;
}

static void on_connect(void *);

static void
on_pause_end(void *ctx)
{
	struct control *ctl = ctx;
	uint64_t expirations;

	if (read(ctl->pause, &expirations, sizeof(expirations)) == -1)
		return;
	sup_unwatch(ctl->root, ctl->pause);
	sup_watch(ctl->root, ctl->fd, on_connect, ctl);
}

/* Out of descriptors: stop watching instead of spinning on the backlog. */
static void
pause_accepting(struct control *ctl)
{
	struct itimerspec once = {
		.it_value = { .tv_nsec = CONTROL_PAUSE_MS * 1000000L },
	};

	if (timerfd_settime(ctl->pause, 0, &once, NULL) == -1) {
		log_warn("%s: timerfd_settime", __func__);
		return;
	}
	sup_unwatch(ctl->root, ctl->fd);
	sup_watch(ctl->root, ctl->pause, on_pause_end, ctl);
}

static void
admit(struct control *ctl, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		close(fd);
		return;
	}
	if (cred.uid != geteuid() && cred.uid != 0)
		refuse(ctl, fd, cred.uid);
	else if (ctl_conns_read(ctl->conns, fd) == -1)
		ctl_conns_refuse(fd, "busy");
}

static void
on_connect(void *ctx)
{
	struct control *ctl = ctx;

	/* A bounded batch, so that SIGCHLD is read between bursts. */
	for (int i = 0; i < 2 * CTL_CONN_MAX; i++) {
		int fd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);

		if (fd != -1) {
			admit(ctl, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM)
			pause_accepting(ctl);
		return;
	}
}

/* --- opening and closing ------------------------------------------------- */

static int
resolve_path(struct control *ctl, char *why, size_t ws, char *reason,
    size_t rs)
{
	const char *path = ctl->tree->opts->control;

	if (path != NULL) {
		strlcpy(ctl->path, path, sizeof(ctl->path));
		return 0;
	}
	if (ctl_path_default(ctl->path, sizeof(ctl->path), ctl->tree->port,
	    getuid(), getenv("XDG_RUNTIME_DIR")) == -1)
		return fail(ENAMETOOLONG, why, ws, reason, rs,
		    "control socket: the default path is too long; "
		    "use --control");
	return 0;
}

int
control_open(struct control **out, struct sup *root, struct tree *t,
    char *why, size_t ws, char *reason, size_t rs)
{
	struct control *ctl;
	struct report r;

	*out = NULL;
	if (t->opts->control != NULL && t->opts->control[0] == '\0')
		return 0;
	if ((ctl = arena_alloc(sizeof(*ctl))) == NULL)
		return fail(errno, why, ws, reason, rs, "control socket: %s",
		    strerror(errno));
	ctl->root = root;
	ctl->tree = t;
	ctl->fd = -1;
	if (resolve_path(ctl, why, ws, reason, rs) == -1 ||
	    prepare_dir(ctl->path, why, ws, reason, rs) == -1 ||
	    clear_stale(ctl->path, why, ws, reason, rs) == -1 ||
	    bind_socket(ctl, why, ws, reason, rs) == -1) {
		if (ctl->fd != -1)
			close(ctl->fd);
		arena_free(ctl, sizeof(*ctl));
		return -1;
	}
	if ((ctl->pause = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
		log_err(1, "%s: timerfd_create", __func__);
	ctl->conns = ctl_conns_create(root, on_request, ctl);
	sup_watch(root, ctl->fd, on_connect, ctl);
	r = report_info("control", ctl->path);
	log_report(&r);
	*out = ctl;
	return 0;
}

void
control_close(struct control *ctl)
{
	if (ctl == NULL)
		return;
	ctl_conns_close_all(ctl->conns);
	remove_socket(ctl);
	close(ctl->fd);
}
