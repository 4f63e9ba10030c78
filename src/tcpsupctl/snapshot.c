/*
 * snapshot.c -- one look at a running tree. It asks the tree only for what
 * the tree knows (who supervises whom, restart types, states, counters,
 * reports) and reads /proc for what the kernel knows (titles, CPU time,
 * RSS, uptime, and each worker's peer, from its socket's inode in the
 * tree's own /proc/PID/net/tcp). It never writes to the tree and never
 * asks it anything /proc can answer.
 */
#include <sys/socket.h>

#include <netinet/tcp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "client.h"
#include "procfs.h"
#include "snapshot.h"

/* The root's registered name, as in the tutorial. */
#define ROOT_NAME	"tcp_server_app"
/* What every call of one snapshot goes to. */
struct target {
	const char	*path;
	int		 timeout_ms;
};

/* --- the tree's replies (pure) --------------------------------------- */

static int
parse_num(const char *s, long min, long max, long *out)
{
	const char *errstr;

	*out = (long)strtonum(s, min, max, &errstr);
	return errstr == NULL ? 0 : -1;
}

static int
parse_u64(const char *s, uint64_t *out)
{
	long n;

	if (parse_num(s, 0, LONG_MAX, &n) == -1)
		return -1;
	*out = (uint64_t)n;
	return 0;
}

/* A PID field: a number, or the word OTP prints for a child without one. */
static int
parse_pid(const char *s, struct snap_proc *p)
{
	long pid;

	p->pid = 0;
	p->pidword[0] = '\0';
	if (strcmp(s, "undefined") == 0 || strcmp(s, "restarting") == 0) {
		strlcpy(p->pidword, s, sizeof(p->pidword));
		return 0;
	}
	if (parse_num(s, 1, INT_MAX, &pid) == -1)
		return -1;
	p->pid = (pid_t)pid;
	return 0;
}

static void
set_stat(struct snapshot *s, const char *key, const char *value)
{
	const struct {
		const char	*key;
		uint64_t	*value;
	} counters[] = {
		{ "accepted", &s->accepted },
		{ "forks", &s->forks },
		{ "clients", &s->clients },
		{ "restarts", &s->restarts },
		{ "reports", &s->reports },
	};

	if (strcmp(key, "listen") == 0)
		strlcpy(s->listen, value, sizeof(s->listen));
	else if (strcmp(key, "version") == 0)
		strlcpy(s->version, value, sizeof(s->version));
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (strcmp(key, counters[i].key) == 0)
			parse_u64(value, counters[i].value);
}

static void
add_report(struct snapshot *s, const struct ctl_record *rec)
{
	struct snap_report *r;

	if (s->nlast == SNAP_REPORTS_MAX) {
		memmove(s->last, s->last + 1, sizeof(s->last) -
		    sizeof(s->last[0]));
		s->nlast--;
	}
	r = &s->last[s->nlast++];
	strlcpy(r->time, rec->fields[0], sizeof(r->time));
	strlcpy(r->kind, rec->fields[1], sizeof(r->kind));
	strlcpy(r->pid, rec->fields[2], sizeof(r->pid));
	strlcpy(r->text, rec->fields[3], sizeof(r->text));
}

int
snapshot_parse_stats(struct snapshot *s, char *records)
{
	struct ctl_record rec;
	char *cursor = records;

	while (client_next_record(&cursor, &rec)) {
		if (strcmp(rec.tag, "stat") == 0 && rec.nfields == 2)
			set_stat(s, rec.fields[0], rec.fields[1]);
		else if (strcmp(rec.tag, "report") == 0 && rec.nfields == 4)
			add_report(s, &rec);
		else
			return -1;
	}
	return 0;
}

static int
parse_sup(struct snap_proc *sup, const struct ctl_record *rec)
{
	if (rec->nfields != 6 || parse_num(rec->fields[3], 0, LONG_MAX,
	    &sup->intensity) == -1 || parse_num(rec->fields[4], 0, LONG_MAX,
	    &sup->period) == -1 || parse_num(rec->fields[5], 0, LONG_MAX,
	    &sup->sup_restarts) == -1)
		return -1;
	/* The root: nobody above it says who it is. */
	if (sup->id[0] == '\0')
		strlcpy(sup->id, rec->fields[0], sizeof(sup->id));
	if (parse_pid(rec->fields[1], sup) == -1)
		return -1;
	strlcpy(sup->strategy, rec->fields[2], sizeof(sup->strategy));
	sup->is_sup = true;
	return 0;
}

static int
parse_node(struct snap_proc *sup, const struct ctl_record *rec)
{
	struct snap_proc *c, *children;

	if (rec->nfields != 6)
		return -1;
	children = reallocarray(sup->children, sup->nchildren + 1,
	    sizeof(*children));
	if (children == NULL)
		return -1;
	sup->children = children;
	c = &children[sup->nchildren];
	memset(c, 0, sizeof(*c));
	strlcpy(c->id, rec->fields[0], sizeof(c->id));
	strlcpy(c->type, rec->fields[2], sizeof(c->type));
	strlcpy(c->restart, rec->fields[3], sizeof(c->restart));
	strlcpy(c->state, rec->fields[5], sizeof(c->state));
	if (parse_pid(rec->fields[1], c) == -1 ||
	    parse_num(rec->fields[4], 0, LONG_MAX, &c->restarts) == -1)
		return -1;
	sup->nchildren++;
	return 0;
}

int
snapshot_parse_children(struct snap_proc *sup, char *records)
{
	struct ctl_record rec;
	char *cursor = records;

	if (!client_next_record(&cursor, &rec) ||
	    strcmp(rec.tag, "sup") != 0 || parse_sup(sup, &rec) == -1)
		return -1;
	while (client_next_record(&cursor, &rec))
		if (strcmp(rec.tag, "node") != 0 || parse_node(sup, &rec) == -1)
			return -1;
	/* OTP lists static children newest first; a tree shows them in
	 * the order they start and stop in. */
	if (strcmp(sup->strategy, "simple_one_for_one") != 0)
		for (size_t i = 0, j = sup->nchildren; i + 1 < j; i++, j--) {
			struct snap_proc c = sup->children[i];

			sup->children[i] = sup->children[j - 1];
			sup->children[j - 1] = c;
		}
	return 0;
}

/* "192.0.2.7:56324" or "[2001:db8::7]:56324", as the daemon prints them. */
static bool
is_endpoint(const char *w)
{
	const char *colon = strrchr(w, ':'), *p;
	size_t digits = colon == NULL ? 0 : strlen(colon + 1);

	if (digits == 0 || digits > 5 ||
	    strspn(colon + 1, "0123456789") != digits)
		return false;
	if (w[0] == '[')
		return colon > w + 1 && colon[-1] == ']';
	for (p = w; p < colon; p++)
		if (*p != '.' && (*p < '0' || *p > '9'))
			return false;
	return colon > w;
}

/*
 * A worker serving a connection names its client last in its title
 * ("tcpsup: tcp_echo_fsm 192.0.2.7:56324", "tcpsup: exec cat
 * 192.0.2.7:56324"), as it knows it: behind a balancer speaking the PROXY
 * protocol, the client the header named, where the socket's peer is the
 * balancer. A worker waiting for a socket names none.
 */
static void
title_peer(struct snap_proc *p)
{
	static const char tag[] = "tcpsup: ";
	const char *name, *last;

	if (strcmp(p->type, "worker") != 0 ||
	    strncmp(p->title, tag, sizeof(tag) - 1) != 0)
		return;
	name = p->title + sizeof(tag) - 1;
	if ((last = strrchr(name, ' ')) != NULL && is_endpoint(last + 1))
		strlcpy(p->peer, last + 1, sizeof(p->peer));
}

int
snapshot_proc_fill(struct snap_proc *p, const char *stat, const char *cmdline,
    size_t cmdlen, double sys_uptime, long hz, long pagesize)
{
	struct procfs_stat st;

	if (procfs_stat_parse(stat, &st) == -1 || st.pid != p->pid || hz <= 0)
		return -1;
	p->ppid = st.ppid;
	p->cpu = (double)(st.utime + st.stime) / (double)hz;
	p->uptime = sys_uptime - (double)st.starttime / (double)hz;
	if (p->uptime < 0)
		p->uptime = 0;
	p->rss_kib = st.rss * (uint64_t)pagesize / 1024;
	procfs_cmdline_title(cmdline, cmdlen, p->title, sizeof(p->title));
	title_peer(p);
	p->have_proc = true;
	return 0;
}

/* --- asking the tree ------------------------------------------------- */

/*
 * Ask; 0 with the reply, or the exit status with why. An error reply that
 * is a supervisor's answer is left in the reply for the caller.
 */
static int
call(const struct target *to, enum ctl_verb verb, const char *sup,
    struct client_reply *reply, char *why, size_t whysize)
{
	struct ctl_request req = { .verb = verb };
	int rc;

	strlcpy(req.sup, sup != NULL ? sup : "", sizeof(req.sup));
	if (client_call(to->path, &req, reply, to->timeout_ms) == -1)
		return client_why(to->path, to->timeout_ms, &req, errno, NULL,
		    why, whysize);
	if (reply->error == NULL)
		return 0;
	if ((rc = client_why(to->path, to->timeout_ms, &req, 0, reply->error,
	    why, whysize)) != 0) {
		client_reply_free(reply);
		return rc;
	}
	snprintf(why, whysize, "%s%s%s: %s", ctl_verb_name(verb),
	    sup != NULL ? " " : "", sup != NULL ? sup : "", reply->error);
	return 1;
}

static int
bad_reply(struct client_reply *reply, const char *ctlpath, const char *what,
    char *why, size_t whysize)
{
	client_reply_free(reply);
	snprintf(why, whysize, "%s: malformed reply to %s", ctlpath, what);
	return EX_PROTOCOL;
}

/*
 * Ask sup for its children, then each child supervisor that runs for its
 * own. A supervisor below the root that does not answer (it may be
 * restarting) is kept, with the reason, and no children.
 */
static int
ask_children(const struct target *to, struct snap_proc *sup, int depth,
    char *why, size_t whysize)
{
	struct client_reply reply;
	int rc;

	rc = call(to, CTL_CHILDREN, sup->id, &reply, why, whysize);
	if (rc == 1) {
		strlcpy(sup->sup_error, reply.error, sizeof(sup->sup_error));
		client_reply_free(&reply);
		return depth > 0 ? 0 : rc;
	}
	if (rc != 0)
		return rc;
	if (snapshot_parse_children(sup, reply.records) == -1)
		return bad_reply(&reply, to->path, "children", why, whysize);
	client_reply_free(&reply);
	for (size_t i = 0; i < sup->nchildren && depth < SNAP_DEPTH_MAX; i++) {
		struct snap_proc *c = &sup->children[i];

		if (strcmp(c->type, "supervisor") == 0 && c->pid > 0 &&
		    (rc = ask_children(to, c, depth + 1, why, whysize)) != 0)
			return rc;
	}
	return 0;
}

/* --- reading /proc --------------------------------------------------- */

/* A whole file, NUL-terminated, malloc'd; NULL if it cannot be read. */
static char *
slurp(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 4096;
	char *buf, *grown;
	ssize_t n = -1;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if ((buf = malloc(cap)) == NULL) {
		close(fd);
		return NULL;
	}
	for (;;) {
		if (len + 1 == cap) {
			if ((grown = realloc(buf, cap * 2)) == NULL)
				break;
			buf = grown;
			cap *= 2;
		}
		if ((n = read(fd, buf + len, cap - len - 1)) > 0)
			len += (size_t)n;
		else if (n == 0 || errno != EINTR)
			break;
	}
	close(fd);
	if (len + 1 == cap || n != 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

/* Connected TCP sockets of the tree's network namespace, by inode. */
struct peers {
	struct procfs_tcp	*sock;
	size_t			 n;
};

static void
peers_add_file(struct peers *peers, pid_t root, const char *name, int family)
{
	char path[64], *text, *line, *next;
	struct procfs_tcp t, *grown;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)root, name);
	if ((text = slurp(path, NULL)) == NULL)
		return;
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (procfs_tcp_parse(line, family, &t) == -1 ||
		    t.state == TCP_LISTEN || t.inode == 0)
			continue;
		if ((grown = reallocarray(peers->sock, peers->n + 1,
		    sizeof(t))) == NULL)
			break;
		peers->sock = grown;
		peers->sock[peers->n++] = t;
	}
	free(text);
}

static int
by_inode(const void *a, const void *b)
{
	uint64_t x = ((const struct procfs_tcp *)a)->inode;
	uint64_t y = ((const struct procfs_tcp *)b)->inode;

	return x < y ? -1 : x > y;
}

/* The peer of the first connected TCP socket pid holds, or "". */
static void
find_peer(const struct peers *peers, struct snap_proc *p)
{
	char path[64], link[64];
	struct procfs_tcp key, *hit;
	struct dirent *d;
	DIR *dir;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)p->pid);
	if (peers->n == 0 || (dir = opendir(path)) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if ((n = readlinkat(dirfd(dir), d->d_name, link,
		    sizeof(link) - 1)) <= 0)
			continue;
		link[n] = '\0';
		if ((key.inode = procfs_socket_inode(link)) != 0 &&
		    (hit = bsearch(&key, peers->sock, peers->n, sizeof(key),
		    by_inode)) != NULL) {
			strlcpy(p->peer, hit->remote, sizeof(p->peer));
			break;
		}
	}
	closedir(dir);
}

struct sysinfo_proc {
	double		uptime;
	long		hz;
	long		pagesize;
	struct peers	peers;
};

static void
read_proc(struct snap_proc *p, const struct sysinfo_proc *sys)
{
	char path[64], *stat, *cmdline;
	size_t cmdlen = 0;

	if (p->pid > 0) {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)p->pid);
		stat = slurp(path, NULL);
		snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)p->pid);
		cmdline = slurp(path, &cmdlen);
		if (stat != NULL && cmdline != NULL &&
		    snapshot_proc_fill(p, stat, cmdline, cmdlen, sys->uptime,
		    sys->hz, sys->pagesize) == 0 &&
		    strcmp(p->type, "worker") == 0 && p->peer[0] == '\0')
			find_peer(&sys->peers, p);
		free(stat);
		free(cmdline);
	}
	for (size_t i = 0; i < p->nchildren; i++)
		read_proc(&p->children[i], sys);
}

static void
read_kernel(struct snapshot *s)
{
	struct sysinfo_proc sys = { .hz = sysconf(_SC_CLK_TCK),
	    .pagesize = sysconf(_SC_PAGESIZE) };
	char *text;

	if ((text = slurp("/proc/uptime", NULL)) == NULL ||
	    procfs_uptime_parse(text, &sys.uptime) == -1) {
		free(text);
		return;
	}
	free(text);
	/* The tree's namespace, which need not be ours. */
	peers_add_file(&sys.peers, s->root.pid, "tcp", AF_INET);
	peers_add_file(&sys.peers, s->root.pid, "tcp6", AF_INET6);
	qsort(sys.peers.sock, sys.peers.n, sizeof(*sys.peers.sock), by_inode);
	read_proc(&s->root, &sys);
	free(sys.peers.sock);
}

int
snapshot_take(const char *ctlpath, int timeout_ms, struct snapshot *s,
    char *why, size_t whysize)
{
	const struct target to = { ctlpath, timeout_ms };
	struct client_reply reply;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = call(&to, CTL_STATS, NULL, &reply, why, whysize)) != 0) {
		if (rc == 1)
			client_reply_free(&reply);
		return rc;
	}
	if (snapshot_parse_stats(s, reply.records) == -1)
		return bad_reply(&reply, to.path, "stats", why, whysize);
	client_reply_free(&reply);
	strlcpy(s->root.id, ROOT_NAME, sizeof(s->root.id));
	if ((rc = ask_children(&to, &s->root, 0, why, whysize)) != 0)
		return rc;
	strlcpy(s->root.type, "supervisor", sizeof(s->root.type));
	strlcpy(s->root.restart, "-", sizeof(s->root.restart));
	strlcpy(s->root.state, "-", sizeof(s->root.state));
	s->root.restarts = -1;
	read_kernel(s);
	return 0;
}

static void
free_children(struct snap_proc *p)
{
	for (size_t i = 0; i < p->nchildren; i++)
		free_children(&p->children[i]);
	free(p->children);
	p->children = NULL;
	p->nchildren = 0;
}

void
snapshot_free(struct snapshot *s)
{
	free_children(&s->root);
}
