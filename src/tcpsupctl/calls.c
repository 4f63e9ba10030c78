/*
 * calls.c -- OTP's supervisor calls and stop, from the command line (see
 * calls.h). Each sends one request and prints the reply; what goes wrong
 * is one line on stderr and an exit status from <sysexits.h>. It never
 * signals the daemon: stop is a request, and the pid is only watched.
 */
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "calls.h"
#include "client.h"
#include "print.h"

#define STOP_POLL_MS	20

int
call_failed(const struct ctlopts *o, int e)
{
	char why[512];
	int rc = client_why(o->path, o->timeout_ms, NULL, e, NULL, why,
	    sizeof(why));

	warnx("%s", why);
	return rc;
}

int
call_refused(const struct ctlopts *o, const struct ctl_request *req,
    const char *error)
{
	char why[512];
	int rc = client_why(o->path, o->timeout_ms, req, 0, error, why,
	    sizeof(why));

	if (rc != 0)
		warnx("%s", why);
	return rc;
}

/* Print the reply as the call's result; the exit status it calls for. */
static int
print_result(const struct ctlopts *o, const struct ctl_request *req,
    struct client_reply *r)
{
	char why[256], line[512], *text;
	int rc;

	if (r->error != NULL && (rc = call_refused(o, req, r->error)) != 0)
		return rc;
	text = print_reply(req->verb, o->json ? PRINT_JSON : PRINT_ERLANG,
	    r->error, r->records, why, sizeof(why));
	if (text == NULL) {
		warnx("%s: malformed reply to %s: %s", o->path,
		    ctl_verb_name(req->verb), why);
		return EX_PROTOCOL;
	}
	fputs(text, stdout);
	free(text);
	if (r->error == NULL)
		return EX_OK;
	print_error_line(req, r->error, line, sizeof(line));
	warnx("%s", line);
	return 1;
}

/* Fill req's arguments from the command line; EX_USAGE if they are bad. */
static int
fill_request(struct ctl_request *req, int argc, char **argv)
{
	static const char *const args[] = { "no arguments", "SUP", "SUP ID" };
	size_t want = (size_t)ctl_verb_args(req->verb);
	char line[CTL_REQUEST_MAX + 1];

	if ((size_t)argc - 1 != want) {
		warnx("%s takes %s", argv[0], args[want]);
		return EX_USAGE;
	}
	if (want >= 1 && strlcpy(req->sup, argv[1], sizeof(req->sup)) >=
	    sizeof(req->sup))
		goto bad;
	if (want == 2 && strlcpy(req->child, argv[2], sizeof(req->child)) >=
	    sizeof(req->child))
		goto bad;
	if (ctl_request_format(req, line, sizeof(line)) == -1)
		goto bad;
	return 0;
bad:
	warnx("%s: a name is at most %zu of A-Z a-z 0-9 _ . : @ -",
	    argv[0], sizeof(req->sup) - 1);
	return EX_USAGE;
}

int
cmd_call(const struct ctlopts *o, int argc, char **argv)
{
	struct ctl_request req = { 0 };
	struct client_reply r;
	int rc;

	if (ctl_verb_parse(argv[0], &req.verb) == -1)
		errx(EX_SOFTWARE, "%s is no supervisor call", argv[0]);
	if ((rc = fill_request(&req, argc, argv)) != 0)
		return rc;
	if (client_call(o->path, &req, &r, o->timeout_ms) == -1)
		return call_failed(o, errno);
	rc = print_result(o, &req, &r);
	client_reply_free(&r);
	return rc;
}

/* The root's pid, from the "stat pid N" record of a stats reply. */
static pid_t
stats_pid(struct client_reply *r)
{
	struct ctl_record rec;
	char *cursor = r->records;
	const char *errstr;
	pid_t pid;

	while (client_next_record(&cursor, &rec)) {
		if (strcmp(rec.tag, "stat") != 0 || rec.nfields != 2 ||
		    strcmp(rec.fields[0], "pid") != 0)
			continue;
		pid = (pid_t)strtonum(rec.fields[1], 1, INT_MAX, &errstr);
		return errstr == NULL ? pid : 0;
	}
	return 0;
}

/*
 * Gone: no such process, or a zombie, which has exited and only waits
 * for its parent to collect its status.
 */
static int
process_gone(pid_t pid)
{
	char path[64], stat[512], *p;
	ssize_t n;
	int fd;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 1;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	stat[n] = '\0';
	/* "pid (comm) S ...": comm may hold anything, even ") ". */
	p = strrchr(stat, ')');
	return p != NULL && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

/* Poll until pid is gone, for at most timeout_ms. */
static int
wait_gone(pid_t pid, int timeout_ms)
{
	const struct timespec tick = { 0, STOP_POLL_MS * 1000000L };

	for (int waited = 0; waited < timeout_ms; waited += STOP_POLL_MS) {
		if (process_gone(pid))
			return 1;
		nanosleep(&tick, NULL);
	}
	return process_gone(pid);
}

/* The daemon's pid, asked of it before it is told to stop. */
static int
root_pid(const struct ctlopts *o, pid_t *pid)
{
	struct ctl_request req = { .verb = CTL_STATS };
	struct client_reply r;
	int rc = 0;

	if (client_call(o->path, &req, &r, o->timeout_ms) == -1)
		return call_failed(o, errno);
	if (r.error != NULL) {
		if ((rc = call_refused(o, &req, r.error)) == 0) {
			warnx("stats: %s", r.error);
			rc = 1;
		}
	} else if ((*pid = stats_pid(&r)) == 0) {
		warnx("%s: malformed reply to stats: no \"stat pid\" record",
		    o->path);
		rc = EX_PROTOCOL;
	}
	client_reply_free(&r);
	return rc;
}

int
cmd_stop(const struct ctlopts *o, int argc, char **argv)
{
	struct ctl_request req = { .verb = CTL_STOP };
	struct client_reply r;
	pid_t pid = 0;
	int rc;

	if ((rc = fill_request(&req, argc, argv)) != 0 ||
	    (rc = root_pid(o, &pid)) != 0)
		return rc;
	if (client_call(o->path, &req, &r, o->timeout_ms) == -1)
		return call_failed(o, errno);
	/*
	 * The reply comes as the stop begins. Watch the pid, not the
	 * socket: the socket may go before the tree has stopped.
	 */
	if (r.error == NULL && !wait_gone(pid, o->timeout_ms)) {
		warnx("tcpsup (pid %ld) still runs %d ms after it was told "
		    "to stop", (long)pid, o->timeout_ms);
		rc = 1;
	} else
		rc = print_result(o, &req, &r);
	client_reply_free(&r);
	return rc;
}
