/*
 * sup_call.c -- the engine's calls on the control protocol's wire: turns a
 * parsed request into sup.h calls and their results into reply records
 * (ctl_proto.h). Knows nothing of sockets; control.c and tcp_client_sup
 * send what it writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup_call.h"

static const char *
id_of(const struct child_spec *spec)
{
	return spec->id != NULL ? spec->id : "undefined";
}

static void
pid_text(pid_t pid, char *buf, size_t size)
{
	if (pid == -1)
		strlcpy(buf, "restarting", size);
	else if (pid == 0)
		strlcpy(buf, "undefined", size);
	else
		snprintf(buf, size, "%ld", (long)pid);
}

/* Children as the engine lists them, so that dynamic ones can be sorted. */
struct infos {
	struct sup_child_info	*v;
	size_t			 n, cap;
	bool			 failed;
};

static void
collect(void *ctx, const struct sup_child_info *info)
{
	struct infos *in = ctx;

	if (in->n == in->cap) {
		size_t cap = in->cap * 2 + 16;
		struct sup_child_info *p = realloc(in->v, cap * sizeof(*p));

		if (p == NULL) {
			in->failed = true;
			return;
		}
		in->v = p;
		in->cap = cap;
	}
	in->v[in->n++] = *info;
}

static int
newest_first(const void *a, const void *b)
{
	pid_t pa = ((const struct sup_child_info *)a)->pid;
	pid_t pb = ((const struct sup_child_info *)b)->pid;

	return (pa < pb) - (pa > pb);
}

/*
 * which_children's order: static children newest first (the engine's), a
 * simple_one_for_one's by pid, newest first, as OTP 25 folds them.
 */
static int
children(struct sup *sup, struct infos *in)
{
	sup_which_children(sup, collect, in);
	if (in->failed)
		return -1;
	if (sup_get_flags(sup)->strategy == SUP_SIMPLE_ONE_FOR_ONE && in->n > 1)
		qsort(in->v, in->n, sizeof(*in->v), newest_first);
	return 0;
}

static void
which_children(struct sup *sup, struct ctl_reply *r, bool details)
{
	const struct sup_flags *f = sup_get_flags(sup);
	struct infos in = { 0 };
	char pid[24], restarts[24], a[24], b[24], c[24];

	if (children(sup, &in) == -1) {
		free(in.v);
		ctl_reply_error(r, "enomem");
		return;
	}
	ctl_reply_ok(r);
	if (details) {
		pid_text(getpid(), pid, sizeof(pid));
		snprintf(a, sizeof(a), "%d", f->intensity);
		snprintf(b, sizeof(b), "%d", f->period);
		snprintf(c, sizeof(c), "%u", sup_restarts(sup));
		ctl_reply_record(r, "sup", 6, (const char *const[]){ f->name, pid,
		    f->strategy == SUP_SIMPLE_ONE_FOR_ONE ? "simple_one_for_one" :
		    "one_for_one", a, b, c });
	}
	for (size_t i = 0; i < in.n; i++) {
		const struct sup_child_info *ci = &in.v[i];

		pid_text(ci->restarting ? -1 : ci->pid, pid, sizeof(pid));
		snprintf(restarts, sizeof(restarts), "%u", ci->restarts);
		if (details)
			ctl_reply_record(r, "node", 6, (const char *const[]){
			    id_of(ci->spec), pid, sup_type_name(ci->spec->type),
			    sup_restart_name(ci->spec->restart), restarts,
			    ci->state != NULL ? ci->state : "-" });
		else
			ctl_reply_record(r, "child", 4, (const char *const[]){
			    id_of(ci->spec), pid, sup_type_name(ci->spec->type),
			    ci->spec->modules });
	}
	free(in.v);
}

static void
count_children(struct sup *sup, struct ctl_reply *r)
{
	struct sup_counts n;
	char v[4][24];

	sup_count(sup, &n);
	snprintf(v[0], sizeof(v[0]), "%zu", n.specs);
	snprintf(v[1], sizeof(v[1]), "%zu", n.active);
	snprintf(v[2], sizeof(v[2]), "%zu", n.supervisors);
	snprintf(v[3], sizeof(v[3]), "%zu", n.workers);
	ctl_reply_ok(r);
	ctl_reply_record(r, "count", 4, (const char *const[]){ v[0], v[1], v[2],
	    v[3] });
}

static void
get_childspec(struct sup *sup, const char *child, struct ctl_reply *r)
{
	const struct child_spec *spec;
	const char *error = sup_get_childspec(sup, child, &spec);
	char shut[24];

	if (error != NULL) {
		ctl_reply_error(r, error);
		return;
	}
	sup_shutdown_text(spec->shutdown, shut, sizeof(shut));
	ctl_reply_ok(r);
	ctl_reply_record(r, "spec", 6, (const char *const[]){ id_of(spec),
	    spec->mfa, sup_restart_name(spec->restart), shut,
	    sup_type_name(spec->type), spec->modules });
}

static void
restart_child(struct sup *sup, const char *child, struct ctl_reply *r)
{
	pid_t pid;
	const char *error = sup_restart_child(sup, child, &pid);
	char text[24];

	if (error != NULL) {
		ctl_reply_error(r, error);
		return;
	}
	pid_text(pid, text, sizeof(text));
	ctl_reply_ok(r);
	ctl_reply_record(r, "pid", 1, (const char *const[]){ text });
}

static void
result(const char *error, struct ctl_reply *r)
{
	if (error != NULL)
		ctl_reply_error(r, error);
	else
		ctl_reply_ok(r);
}

void
sup_call(struct sup *sup, const struct ctl_request *req, struct ctl_reply *r)
{
	if (strcmp(req->sup, sup_get_flags(sup)->name) != 0) {
		ctl_reply_error(r, "noproc");
		ctl_reply_end(r);
		return;
	}
	switch (req->verb) {
	case CTL_WHICH_CHILDREN:
		which_children(sup, r, false);
		break;
	case CTL_CHILDREN:
		which_children(sup, r, true);
		break;
	case CTL_COUNT_CHILDREN:
		count_children(sup, r);
		break;
	case CTL_TERMINATE_CHILD:
		result(sup_terminate_child(sup, req->child), r);
		break;
	case CTL_RESTART_CHILD:
		restart_child(sup, req->child, r);
		break;
	case CTL_DELETE_CHILD:
		result(sup_delete_child(sup, req->child), r);
		break;
	case CTL_GET_CHILDSPEC:
		get_childspec(sup, req->child, r);
		break;
	default:
		ctl_reply_error(r, "badrequest");
		break;
	}
	ctl_reply_end(r);
}
