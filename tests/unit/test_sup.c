/*
 * test_sup.c -- the supervisor engine with real child processes: OTP's
 * restart table (restart type x exit reason), the intensity give-up, stop
 * order, simple_one_for_one shutdown with its shared timer, start errors,
 * a role reporting a child's exit itself or signalling one, and many
 * children's exits at once, each reaped by its pid or swept up.
 * Reports go to a memfd standing in for stderr, and are checked as text.
 */
#include <criterion/criterion.h>

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "reason.h"
#include "sup.h"
#include "sup_call.h"

static int logfd = -1;
static char logbuf[65536];

static void
capture_reports(void)
{
	logfd = memfd_create("reports", 0);
	cr_assert(logfd >= 0);
	/* Children write at once: without O_APPEND one would overwrite another. */
	cr_assert_eq(fcntl(logfd, F_SETFL, O_APPEND), 0);
	cr_assert_eq(dup2(logfd, STDERR_FILENO), STDERR_FILENO);
	log_set_format(REPORT_SASL);
}

static const char *
reports(void)
{
	ssize_t n = pread(logfd, logbuf, sizeof(logbuf) - 1, 0);

	logbuf[n > 0 ? n : 0] = '\0';
	return logbuf;
}

static int
count(const char *needle)
{
	int n = 0;

	for (const char *p = reports(); (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

TestSuite(sup, .init = capture_reports, .timeout = 30);

/* --- child bodies -------------------------------------------------------- */

static void
exit_with(void *arg, void *extra)
{
	(void)extra;
	_exit((int)(intptr_t)arg);
}

static void
raise_signal(void *arg, void *extra)
{
	struct rlimit no_core = { 0, 0 };

	(void)extra;
	setrlimit(RLIMIT_CORE, &no_core);
	proc_unblock_signals();
	raise((int)(intptr_t)arg);
	_exit(99);
}

/* Waits to be stopped; says so on stderr when SIGTERM comes. */
static const char *stopping_name;

static void
say_stopped(int sig)
{
	char line[64];
	int n = snprintf(line, sizeof(line), "%s stopped\n", stopping_name);

	write(STDERR_FILENO, line, (size_t)n);
	/* Die of the SIGTERM, as a child that stops cleanly does. */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
wait_for_stop(void *arg, void *extra)
{
	(void)extra;
	stopping_name = arg;
	signal(SIGTERM, say_stopped);
	proc_unblock_signals();
	for (;;)
		pause();
}

static void
exit_0_on_term(int sig)
{
	(void)sig;
	_exit(0);
}

/* A permanent child should stop with reason shutdown; this one says normal. */
static void
normal_on_stop(void *arg, void *extra)
{
	(void)arg, (void)extra;
	signal(SIGTERM, exit_0_on_term);
	proc_unblock_signals();
	for (;;)
		pause();
}

static void
ignore_term(void *arg, void *extra)
{
	(void)arg, (void)extra;
	signal(SIGTERM, SIG_IGN);
	proc_unblock_signals();
	for (;;)
		pause();
}

/* Stops its supervisor after a while, as a user's kill would. */
static void
stopper(void *arg, void *extra)
{
	(void)extra;
	proc_unblock_signals();
	usleep((useconds_t)(intptr_t)arg * 1000);
	kill(getppid(), SIGTERM);
	for (;;)
		pause();
}

#define CHILD(ident, rst, fn, a) { .id = ident, .mfa = "{t," ident ",[]}", \
	.modules = "[t]", .restart = rst, .shutdown = 1000, .type = CHILD_WORKER, \
	.start = fn, .arg = (void *)(intptr_t)(a) }
#define STOPPER(ms) CHILD("stopper", RESTART_TEMPORARY, stopper, ms)

static enum sup_exit
run_tree(const struct child_spec *specs, size_t n, int intensity)
{
	const struct sup_flags flags = { .name = "test_sup",
	    .strategy = SUP_ONE_FOR_ONE, .intensity = intensity, .period = 60 };
	struct sup *sup = sup_create(&flags, specs, n);
	char why[128];

	cr_assert_eq(sup_start_children(sup, why, sizeof(why)), 0, "%s", why);
	return sup_run(sup);
}

/* --- the restart table (OTP.md section 2) -------------------------------- */

Test(sup, permanent_normal_exit_is_reported_and_restarted)
{
	const struct child_spec specs[] = {
		CHILD("p", RESTART_PERMANENT, exit_with, 0),
	};

	cr_assert_eq(run_tree(specs, 1, 2), SUP_GAVE_UP);
	cr_assert_eq(count("     Context:    child_terminated\n"
	    "     Reason:     normal\n"), 3, "%s", reports());
	cr_assert_eq(count("             started: [{pid,"), 3);
	cr_assert_eq(count("     Context:    shutdown\n"
	    "     Reason:     reached_max_restart_intensity\n"), 1);
}

Test(sup, transient_normal_exit_is_silent_and_not_restarted)
{
	const struct child_spec specs[] = {
		CHILD("t", RESTART_TRANSIENT, exit_with, 0),
		STOPPER(300),
	};

	cr_assert_eq(run_tree(specs, 2, 5), SUP_STOPPED);
	cr_assert_eq(count("{name,t}"), 1, "%s", reports());	/* its start */
	cr_assert_eq(count("child_terminated"), 0);
}

Test(sup, transient_shutdown_exit_is_silent_and_not_restarted)
{
	const struct child_spec specs[] = {
		CHILD("t", RESTART_TRANSIENT, exit_with, 75),
		STOPPER(300),
	};

	cr_assert_eq(run_tree(specs, 2, 5), SUP_STOPPED);
	cr_assert_eq(count("{name,t}"), 1, "%s", reports());
}

Test(sup, transient_killed_is_reported_and_restarted)
{
	const struct child_spec specs[] = {
		CHILD("t", RESTART_TRANSIENT, raise_signal, SIGKILL),
	};

	cr_assert_eq(run_tree(specs, 1, 1), SUP_GAVE_UP);
	cr_assert_eq(count("     Reason:     killed\n"), 2, "%s", reports());
	cr_assert_eq(count("             started: [{pid,"), 2);
}

Test(sup, temporary_abnormal_exit_is_reported_and_forgotten)
{
	const struct child_spec specs[] = {
		CHILD("tmp", RESTART_TEMPORARY, exit_with, 3),
		STOPPER(300),
	};

	cr_assert_eq(run_tree(specs, 2, 5), SUP_STOPPED);
	cr_assert_eq(count("     Reason:     {exit_status,3}\n"
	    "     Offender:   [{pid,"), 1, "%s", reports());
	cr_assert_eq(count("{name,tmp}"), 2);	/* start + report, no restart */
}

Test(sup, temporary_normal_exit_is_silent)
{
	const struct child_spec specs[] = {
		CHILD("tmp", RESTART_TEMPORARY, exit_with, 0),
		STOPPER(300),
	};

	cr_assert_eq(run_tree(specs, 2, 5), SUP_STOPPED);
	cr_assert_eq(count("SUPERVISOR REPORT"), 0, "%s", reports());
}

Test(sup, signal_reason_names_the_signal)
{
	const struct child_spec specs[] = {
		CHILD("seg", RESTART_TEMPORARY, raise_signal, SIGSEGV),
		STOPPER(300),
	};

	cr_assert_eq(run_tree(specs, 2, 5), SUP_STOPPED);
	cr_assert_eq(count("     Reason:     {signal,'SIGSEGV'}\n"), 1, "%s",
	    reports());
}

/* --- intensity and stopping ----------------------------------------------- */

Test(sup, sixth_restart_in_the_period_gives_up_and_stops_the_others)
{
	const struct child_spec specs[] = {
		CHILD("a", RESTART_PERMANENT, wait_for_stop, "a"),
		CHILD("crash", RESTART_PERMANENT, exit_with, 1),
		CHILD("c", RESTART_PERMANENT, wait_for_stop, "c"),
	};
	const char *log, *gave_up, *a, *c;

	cr_assert_eq(run_tree(specs, 3, 5), SUP_GAVE_UP);
	log = reports();
	cr_assert_eq(count("     Reason:     {exit_status,1}\n"), 6, "%s", log);
	gave_up = strstr(log, "reached_max_restart_intensity");
	a = strstr(log, "a stopped\n");
	c = strstr(log, "c stopped\n");
	cr_assert(gave_up != NULL && a != NULL && c != NULL, "%s", log);
	/* Report first, then the others in reverse start order, cleanly. */
	cr_assert(gave_up < c && c < a, "%s", log);
	cr_assert_eq(count("shutdown_error"), 0);
}

Test(sup, stop_goes_in_reverse_start_order)
{
	const struct child_spec specs[] = {
		CHILD("first", RESTART_PERMANENT, wait_for_stop, "first"),
		CHILD("second", RESTART_PERMANENT, wait_for_stop, "second"),
		STOPPER(200),
	};
	const char *first, *second;

	cr_assert_eq(run_tree(specs, 3, 5), SUP_STOPPED);
	first = strstr(reports(), "first stopped\n");
	second = strstr(reports(), "second stopped\n");
	cr_assert(first != NULL && second != NULL && second < first, "%s",
	    reports());
	cr_assert_eq(count("SUPERVISOR REPORT"), 0, "%s", reports());
}

Test(sup, child_ignoring_sigterm_is_killed_after_its_timeout)
{
	struct child_spec specs[] = {
		CHILD("stubborn", RESTART_PERMANENT, ignore_term, 0),
		STOPPER(200),
	};

	specs[0].shutdown = 100;
	cr_assert_eq(run_tree(specs, 2, 5), SUP_STOPPED);
	cr_assert_eq(count("     Context:    shutdown_error\n"
	    "     Reason:     killed\n"), 1, "%s", reports());
	cr_assert_eq(count("{shutdown,100}"), 2);	/* started, then killed */
}

Test(sup, permanent_child_stopping_normal_is_a_shutdown_error)
{
	const struct child_spec specs[] = {
		CHILD("perm", RESTART_PERMANENT, normal_on_stop, 0),
		CHILD("trans", RESTART_TRANSIENT, normal_on_stop, 0),
		STOPPER(200),
	};

	cr_assert_eq(run_tree(specs, 3, 5), SUP_STOPPED);
	/* OTP: {error,normal} is fine only for a child that is not permanent. */
	cr_assert_eq(count("     Context:    shutdown_error\n"
	    "     Reason:     normal\n"
	    "     Offender:   [{pid,"), 1, "%s", reports());
	cr_assert_eq(count("{name,perm}"), 2);
	cr_assert_eq(count("{name,trans}"), 1);
}

/* --- start errors -------------------------------------------------------- */

static int
fail_setup(void *arg, char *reason, size_t size)
{
	(void)arg;
	snprintf(reason, size, "eaddrinuse");
	return -1;
}

Test(sup, failed_setup_is_a_start_error)
{
	struct child_spec specs[] = {
		CHILD("ok", RESTART_PERMANENT, wait_for_stop, "ok"),
		CHILD("bad", RESTART_PERMANENT, exit_with, 0),
	};
	const struct sup_flags flags = { .name = "test_sup",
	    .strategy = SUP_ONE_FOR_ONE, .intensity = 5, .period = 60 };
	struct sup *sup;
	char why[128];

	specs[1].setup = fail_setup;
	sup = sup_create(&flags, specs, 2);
	cr_assert_eq(sup_start_children(sup, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "{shutdown,{failed_to_start_child,bad,eaddrinuse}}");
	cr_assert_eq(count("     Context:    start_error\n"
	    "     Reason:     eaddrinuse\n"
	    "     Offender:   [{pid,undefined},\n"
	    "                  {name,bad},\n"), 1, "%s", reports());
	/* What had started is stopped again. */
	cr_assert_eq(count("ok stopped\n"), 1, "%s", reports());
	cr_assert_eq(sup_count_children(sup), 0);
}

/* --- simple_one_for_one --------------------------------------------------- */

static void
dynamic_body(void *arg, void *extra)
{
	(void)arg;
	if ((intptr_t)extra == 1)
		ignore_term(NULL, NULL);
	wait_for_stop("dynamic", NULL);
}

static void
stop_me(void *ctx)
{
	(void)ctx;
	kill(getpid(), SIGTERM);
}

Test(sup, simple_one_for_one_stops_all_children_under_one_timer)
{
	const struct child_spec tmpl = {
		.mfa = "{w,start_link,[]}", .modules = "[]",
		.restart = RESTART_TEMPORARY, .shutdown = 1000, .type = CHILD_WORKER,
		.start = dynamic_body,
	};
	const struct sup_flags flags = { .name = "dyn",
	    .strategy = SUP_SIMPLE_ONE_FOR_ONE, .intensity = 5, .period = 60 };
	struct sup *sup = sup_create(&flags, &tmpl, 1);
	int pipefd[2];

	for (intptr_t i = 0; i < 5; i++)
		cr_assert(sup_start_child(sup, (void *)(intptr_t)(i < 2)) > 0);
	cr_assert_eq(sup_count_children(sup), 5);
	/* No PROGRESS REPORT for dynamic children. */
	cr_assert_eq(count("PROGRESS REPORT"), 0, "%s", reports());

	cr_assert_eq(pipe(pipefd), 0);
	cr_assert_eq(write(pipefd[1], "x", 1), 1);
	sup_watch(sup, pipefd[0], stop_me, NULL);
	cr_assert_eq(sup_run(sup), SUP_STOPPED);
	cr_assert_eq(sup_count_children(sup), 0);
	cr_assert_eq(count("dynamic stopped\n"), 3, "%s", reports());
	cr_assert_eq(count("     Supervisor: {local,dyn}\n"
	    "     Context:    shutdown_error\n"
	    "     Reason:     killed\n"
	    "     Offender:   [{nb_children,2},\n"
	    "                  {name,undefined},\n"), 1, "%s", reports());
}

/*
 * A burst: every child is announced to spawn_ahead before the first spawn,
 * then spawned in the same order; one that cannot be spawned fails alone.
 */
static char burst_calls[64];

static void
burst_ahead(void *arg, void *extra)
{
	(void)arg;
	strlcat(burst_calls, (intptr_t)extra == 3 ? "A3" : "a",
	    sizeof(burst_calls));
}

static pid_t
burst_spawn(void *arg, void *extra)
{
	pid_t pid;

	(void)arg;
	strlcat(burst_calls, (intptr_t)extra == 3 ? "S3" : "s",
	    sizeof(burst_calls));
	if ((intptr_t)extra == 2) {
		errno = EAGAIN;
		return -1;
	}
	/* Linked: a failed test leaves none of them behind. */
	if ((pid = proc_fork_linked()) == 0)
		wait_for_stop("burst", NULL);
	return pid;
}

Test(sup, a_burst_is_announced_ahead_then_spawned_in_order)
{
	const struct child_spec tmpl = {
		.mfa = "{w,start_link,[]}", .modules = "[]",
		.restart = RESTART_TEMPORARY, .shutdown = 1000, .type = CHILD_WORKER,
		.spawn = burst_spawn, .spawn_ahead = burst_ahead,
	};
	const struct sup_flags flags = { .name = "dyn",
	    .strategy = SUP_SIMPLE_ONE_FOR_ONE, .intensity = 5, .period = 60 };
	struct sup *sup = sup_create(&flags, &tmpl, 1);
	void *extra[5] = { (void *)0, (void *)1, (void *)2, (void *)3,
	    (void *)4 };
	pid_t pid[5];
	int err[5], pipefd[2];

	sup_start_batch(sup, extra, 5, pid, err);
	cr_assert_str_eq(burst_calls, "aaaA3asssS3s");
	cr_assert_eq(pid[2], -1);
	cr_assert_eq(err[2], EAGAIN);
	for (int i = 0; i < 5; i++)
		cr_assert(i == 2 || pid[i] > 0, "child %d: %d", i, (int)pid[i]);
	cr_assert_eq(sup_count_children(sup), 4);
	/* One start_error for the one that failed, as sup_start_child. */
	cr_assert_eq(count("start_error"), 1, "%s", reports());
	cr_assert_eq(count("{fork,EAGAIN}"), 1, "%s", reports());
	cr_assert_eq(pipe(pipefd), 0);
	cr_assert_eq(write(pipefd[1], "x", 1), 1);
	sup_watch(sup, pipefd[0], stop_me, NULL);
	cr_assert_eq(sup_run(sup), SUP_STOPPED);
	cr_assert_eq(count("burst stopped\n"), 4, "%s", reports());
}

/* --- stopping, as OTP reports it (supervisor.erl, OTP 25) ---------------- */

static void
exit_3_on_term(int sig)
{
	(void)sig;
	_exit(3);
}

/*
 * extra: on SIGTERM, 0 dies of it (shutdown), 3 exits 3, 4 exits 0 (normal:
 * clean enough for a temporary child).
 */
static void
dynamic_exit_on_stop(void *arg, void *extra)
{
	(void)arg;
	if ((intptr_t)extra == 3)
		signal(SIGTERM, exit_3_on_term);
	else if ((intptr_t)extra == 4)
		signal(SIGTERM, exit_0_on_term);
	proc_unblock_signals();
	for (;;)
		pause();
}

static struct sup *
dynamic_sup(const struct child_spec *tmpl)
{
	const struct sup_flags flags = { .name = "dyn",
	    .strategy = SUP_SIMPLE_ONE_FOR_ONE, .intensity = 5, .period = 60 };

	return sup_create(&flags, tmpl, 1);
}

static enum sup_exit
run_until_stopped(struct sup *sup, void (*script)(void *), void *ctx)
{
	int pipefd[2];

	cr_assert_eq(pipe(pipefd), 0);
	cr_assert_eq(write(pipefd[1], "x", 1), 1);
	sup_watch(sup, pipefd[0], script, ctx);
	return sup_run(sup);
}

Test(sup, brutal_kill_of_dynamic_children_is_no_shutdown_error)
{
	const struct child_spec tmpl = {
		.mfa = "{w,start_link,[]}", .modules = "[]",
		.restart = RESTART_TEMPORARY, .shutdown = SHUTDOWN_BRUTAL_KILL,
		.type = CHILD_WORKER, .start = dynamic_exit_on_stop,
	};
	struct sup *sup = dynamic_sup(&tmpl);

	for (int i = 0; i < 3; i++)
		cr_assert(sup_start_child(sup, NULL) > 0);
	cr_assert_eq(run_until_stopped(sup, stop_me, NULL), SUP_STOPPED);
	cr_assert_eq(sup_count_children(sup), 0);
	/* Killed is what brutal_kill asks for (wait_dynamic_children/5). */
	cr_assert_eq(count("SUPERVISOR REPORT"), 0, "%s", reports());
}

Test(sup, dynamic_children_dying_badly_when_stopped_are_reported_by_reason)
{
	const struct child_spec tmpl = {
		.mfa = "{w,start_link,[]}", .modules = "[]",
		.restart = RESTART_TEMPORARY, .shutdown = 2000,
		.type = CHILD_WORKER, .start = dynamic_exit_on_stop,
	};
	struct sup *sup = dynamic_sup(&tmpl);
	const intptr_t how[] = { 0, 3, 3, 0, 3, 4 };

	for (size_t i = 0; i < sizeof(how) / sizeof(how[0]); i++)
		cr_assert(sup_start_child(sup, (void *)how[i]) > 0);
	cr_assert_eq(run_until_stopped(sup, stop_me, NULL), SUP_STOPPED);
	/* Three exit 3, one exits normal (temporary: fine), two stop. */
	cr_assert_eq(count("     Context:    shutdown_error\n"
	    "     Reason:     {exit_status,3}\n"
	    "     Offender:   [{nb_children,3},\n"
	    "                  {name,undefined},\n"), 1, "%s", reports());
	cr_assert_eq(count("SUPERVISOR REPORT"), 1, "%s", reports());
}

static void
exit_3_later(void *arg, void *extra)
{
	(void)extra;
	proc_unblock_signals();
	usleep((useconds_t)(intptr_t)arg * 1000);
	_exit(3);
}

static void
slow_stop_handler(int sig)
{
	usleep(1500 * 1000);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
slow_to_stop(void *arg, void *extra)
{
	(void)arg, (void)extra;
	signal(SIGTERM, slow_stop_handler);
	proc_unblock_signals();
	for (;;)
		pause();
}

Test(sup, static_child_dying_while_a_sibling_stops_is_reported)
{
	struct child_spec specs[] = {
		CHILD("early", RESTART_PERMANENT, exit_3_later, 600),
		CHILD("slow", RESTART_PERMANENT, slow_to_stop, 0),
		STOPPER(100),
	};

	specs[1].shutdown = 5000;
	cr_assert_eq(run_tree(specs, 3, 5), SUP_STOPPED);
	/* "early" exits 3 while "slow" is stopped; OTP reports that exit. */
	cr_assert_eq(count("     Context:    shutdown_error\n"
	    "     Reason:     {exit_status,3}\n"
	    "     Offender:   [{pid,"), 1, "%s", reports());
	cr_assert_eq(count("{name,early}"), 2, "%s", reports());
	cr_assert_eq(count("child_terminated"), 0, "%s", reports());
}

/* --- OTP's supervisor calls (OTP.md section 2) ---------------------------- */

/* sup_call's reply for verb on sup, as text (static buffer). */
static const char *
call(struct sup *sup, enum ctl_verb verb, const char *name, const char *child)
{
	static char text[4096];
	struct ctl_request req = { .verb = verb };
	struct ctl_reply r = { 0 };

	strlcpy(req.sup, name, sizeof(req.sup));
	strlcpy(req.child, child, sizeof(req.child));
	sup_call(sup, &req, &r);
	strlcpy(text, r.buf, sizeof(text));
	ctl_reply_free(&r);
	return text;
}

static pid_t
pid_in(const char *reply, const char *before)
{
	const char *p = strstr(reply, before);

	cr_assert_not_null(p, "%s not in %s", before, reply);
	return (pid_t)atol(p + strlen(before));
}

static void
static_calls(void *ctx)
{
	struct sup *sup = ctx;
	char want[512];
	const char *r = call(sup, CTL_WHICH_CHILDREN, "test_sup", "");
	pid_t a = pid_in(r, "child\ta\t"), b = pid_in(r, "child\tb\t");

	/* Newest first, as OTP lists static children. */
	snprintf(want, sizeof(want), "ok\nchild\tb\t%d\tworker\t[t]\n"
	    "child\ta\t%d\tworker\t[t]\nend\n", b, a);
	cr_assert_str_eq(r, want);
	cr_assert_str_eq(call(sup, CTL_COUNT_CHILDREN, "test_sup", ""),
	    "ok\ncount\t2\t2\t0\t2\nend\n");

	cr_assert_str_eq(call(sup, CTL_TERMINATE_CHILD, "test_sup", "b"),
	    "ok\nend\n");
	cr_assert_eq(count("b stopped\n"), 1, "%s", reports());
	cr_assert_str_eq(call(sup, CTL_COUNT_CHILDREN, "test_sup", ""),
	    "ok\ncount\t2\t1\t0\t2\nend\n");
	snprintf(want, sizeof(want), "ok\nchild\tb\tundefined\tworker\t[t]\n"
	    "child\ta\t%d\tworker\t[t]\nend\n", a);
	cr_assert_str_eq(call(sup, CTL_WHICH_CHILDREN, "test_sup", ""), want);
	/* Terminated already: ok again; not restarted meanwhile. */
	cr_assert_str_eq(call(sup, CTL_TERMINATE_CHILD, "test_sup", "b"),
	    "ok\nend\n");
	cr_assert_str_eq(call(sup, CTL_TERMINATE_CHILD, "test_sup", "nope"),
	    "error\tnot_found\nend\n");
	cr_assert_str_eq(call(sup, CTL_DELETE_CHILD, "test_sup", "a"),
	    "error\trunning\nend\n");
	cr_assert_str_eq(call(sup, CTL_RESTART_CHILD, "test_sup", "a"),
	    "error\trunning\nend\n");

	r = call(sup, CTL_RESTART_CHILD, "test_sup", "b");
	cr_assert(pid_in(r, "ok\npid\t") > 0, "%s", r);
	cr_assert_eq(count("{name,b}"), 2, "%s", reports());	/* 2 starts */

	/* By pid, as OTP allows on any supervisor. */
	snprintf(want, sizeof(want), "%d", a);
	cr_assert_str_eq(call(sup, CTL_TERMINATE_CHILD, "test_sup", want),
	    "ok\nend\n");
	cr_assert_str_eq(call(sup, CTL_DELETE_CHILD, "test_sup", "a"),
	    "ok\nend\n");
	cr_assert_str_eq(call(sup, CTL_COUNT_CHILDREN, "test_sup", ""),
	    "ok\ncount\t1\t1\t0\t1\nend\n");
	cr_assert_str_eq(call(sup, CTL_RESTART_CHILD, "test_sup", "a"),
	    "error\tnot_found\nend\n");
	cr_assert_str_eq(call(sup, CTL_GET_CHILDSPEC, "test_sup", "a"),
	    "error\tnot_found\nend\n");
	cr_assert_str_eq(call(sup, CTL_GET_CHILDSPEC, "test_sup", "b"),
	    "ok\nspec\tb\t{t,b,[]}\tpermanent\t1000\tworker\t[t]\nend\n");
	cr_assert_str_eq(call(sup, CTL_COUNT_CHILDREN, "other", ""),
	    "error\tnoproc\nend\n");
	sup_stop(sup);
}

Test(sup, calls_on_static_children)
{
	const struct child_spec specs[] = {
		CHILD("a", RESTART_PERMANENT, wait_for_stop, "a"),
		CHILD("b", RESTART_PERMANENT, wait_for_stop, "b"),
	};
	const struct sup_flags flags = { .name = "test_sup",
	    .strategy = SUP_ONE_FOR_ONE, .intensity = 5, .period = 60 };
	struct sup *sup = sup_create(&flags, specs, 2);
	char why[128];

	cr_assert_eq(sup_start_children(sup, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(run_until_stopped(sup, static_calls, sup), SUP_STOPPED);
	/* Terminated on request: shutdown, no report, no restart. */
	cr_assert_eq(count("SUPERVISOR REPORT"), 0, "%s", reports());
	cr_assert_eq(count("b stopped\n"), 2, "%s", reports());
	cr_assert_eq(count("a stopped\n"), 1, "%s", reports());
}

static pid_t exited_pid;

static void
note_exit(void *ctx, pid_t pid)
{
	(void)ctx;
	exited_pid = pid;
}

static const char *
say_busy(void *ctx, pid_t pid)
{
	(void)ctx, (void)pid;
	return "WAIT_FOR_DATA";
}

static void
dynamic_calls(void *ctx)
{
	struct sup *sup = ctx;
	const char *r = call(sup, CTL_WHICH_CHILDREN, "dyn", "");
	pid_t newest = pid_in(r, "ok\nchild\tundefined\t");
	char pid[24], want[256];

	for (const char *p = r; (p = strstr(p, "child\t")) != NULL; p++)
		cr_assert(pid_in(p, "child\tundefined\t") <= newest, "%s", r);
	cr_assert_str_eq(call(sup, CTL_COUNT_CHILDREN, "dyn", ""),
	    "ok\ncount\t1\t3\t0\t3\nend\n");
	snprintf(pid, sizeof(pid), "%d", newest);
	snprintf(want, sizeof(want), "ok\nsup\tdyn\t%d\tsimple_one_for_one\t5\t60"
	    "\t0\nnode\tundefined\t%d\tworker\ttemporary\t0\tWAIT_FOR_DATA\n",
	    getpid(), newest);
	cr_assert(strncmp(call(sup, CTL_CHILDREN, "dyn", ""), want,
	    strlen(want)) == 0, "%s", call(sup, CTL_CHILDREN, "dyn", ""));

	cr_assert_str_eq(call(sup, CTL_TERMINATE_CHILD, "dyn", pid), "ok\nend\n");
	cr_assert_eq(exited_pid, newest);
	cr_assert_str_eq(call(sup, CTL_COUNT_CHILDREN, "dyn", ""),
	    "ok\ncount\t1\t2\t0\t2\nend\n");
	cr_assert_str_eq(call(sup, CTL_TERMINATE_CHILD, "dyn", pid),
	    "error\tnot_found\nend\n");
	cr_assert_str_eq(call(sup, CTL_TERMINATE_CHILD, "dyn", "undefined"),
	    "error\tsimple_one_for_one\nend\n");
	cr_assert_str_eq(call(sup, CTL_RESTART_CHILD, "dyn", "undefined"),
	    "error\tsimple_one_for_one\nend\n");
	cr_assert_str_eq(call(sup, CTL_DELETE_CHILD, "dyn", "undefined"),
	    "error\tsimple_one_for_one\nend\n");
	cr_assert_str_eq(call(sup, CTL_GET_CHILDSPEC, "dyn", "undefined"),
	    "ok\nspec\tundefined\t{w,start_link,[]}\ttemporary\t1000\tworker\t[]"
	    "\nend\n");
	cr_assert_str_eq(call(sup, CTL_GET_CHILDSPEC, "dyn", pid),
	    "error\tnot_found\nend\n");
	sup_stop(sup);
}

Test(sup, calls_on_simple_one_for_one_children)
{
	const struct child_spec tmpl = {
		.mfa = "{w,start_link,[]}", .modules = "[]",
		.restart = RESTART_TEMPORARY, .shutdown = 1000, .type = CHILD_WORKER,
		.start = dynamic_body,
	};
	struct sup *sup = dynamic_sup(&tmpl);

	for (int i = 0; i < 3; i++)
		cr_assert(sup_start_child(sup, NULL) > 0);
	sup_on_exit(sup, note_exit, NULL);
	sup_on_describe(sup, say_busy, NULL);
	cr_assert_eq(run_until_stopped(sup, dynamic_calls, sup), SUP_STOPPED);
	cr_assert_eq(count("dynamic stopped\n"), 3, "%s", reports());
	cr_assert_eq(count("SUPERVISOR REPORT"), 0, "%s", reports());
}

static void
stop_during_terminate(void *ctx)
{
	struct sup *sup = ctx;

	/* Arrives while terminate_child waits for the stubborn child. */
	kill(getpid(), SIGTERM);
	cr_assert_str_eq(call(sup, CTL_TERMINATE_CHILD, "test_sup", "stubborn"),
	    "ok\nend\n");
	cr_assert_eq(count("     Reason:     killed\n"), 1, "%s", reports());
}

Test(sup, stop_during_a_call_waits_for_it)
{
	struct child_spec specs[] = {
		CHILD("stubborn", RESTART_PERMANENT, ignore_term, 0),
		CHILD("other", RESTART_PERMANENT, wait_for_stop, "other"),
	};
	const struct sup_flags flags = { .name = "test_sup",
	    .strategy = SUP_ONE_FOR_ONE, .intensity = 5, .period = 60 };
	struct sup *sup;
	char why[128];

	specs[0].shutdown = 300;
	sup = sup_create(&flags, specs, 2);
	cr_assert_eq(sup_start_children(sup, why, sizeof(why)), 0, "%s", why);
	cr_assert_eq(run_until_stopped(sup, stop_during_terminate, sup),
	    SUP_STOPPED);
	cr_assert_eq(count("other stopped\n"), 1, "%s", reports());
	cr_assert_eq(sup_count_children(sup), 0);
}

/* --- restarts under a process shortage ------------------------------------ */

static void
wait_forever(void *arg, void *extra)
{
	(void)arg, (void)extra;
	proc_unblock_signals();
	for (;;)
		pause();
}

/* As nobody, so that RLIMIT_NPROC applies: supervise one permanent child. */
static void __attribute__((noreturn))
supervise_as_nobody(void)
{
	const struct child_spec specs[] = {
		CHILD("c", RESTART_PERMANENT, wait_forever, 0),
	};

	if (setgroups(0, NULL) == -1 || setresgid(65534, 65534, 65534) == -1 ||
	    setresuid(65534, 65534, 65534) == -1)
		_exit(2);
	/* Dies with the test, even when an assertion ends it early. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() == 1)
		_exit(2);
	_exit(run_tree(specs, 1, 1) == SUP_STOPPED ? 0 : 1);
}

static pid_t
child_of_pid(pid_t parent)
{
	char path[64], buf[64];
	FILE *f;
	long pid = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", parent, parent);
	if ((f = fopen(path, "r")) != NULL) {
		if (fgets(buf, sizeof(buf), f) != NULL)
			pid = atol(buf);
		fclose(f);
	}
	return (pid_t)pid;
}

/*
 * Set pid's soft RLIMIT_NPROC from a process of its own uid: root here
 * may lack CAP_SYS_RESOURCE, which prlimit(2) of another user's process
 * needs. Lowering or raising up to the hard limit needs nothing.
 */
static void
set_nproc(pid_t pid, rlim_t soft)
{
	pid_t setter = fork();
	int status;

	if (setter == 0) {
		struct rlimit rl;

		if (setresgid(65534, 65534, 65534) == -1 ||
		    setresuid(65534, 65534, 65534) == -1 ||
		    prlimit(pid, RLIMIT_NPROC, NULL, &rl) == -1)
			_exit(1);
		rl.rlim_cur = soft < rl.rlim_max ? soft : rl.rlim_max;
		_exit(prlimit(pid, RLIMIT_NPROC, &rl, NULL) == -1);
	}
	cr_assert(setter > 0);
	cr_assert_eq(waitpid(setter, &status, 0), setter);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(sup, restart_waits_out_a_process_shortage)
{
	pid_t sup, c = 0;
	int status;

	if (geteuid() != 0)
		cr_skip_test("needs root to run the supervisor as nobody");
	if ((sup = fork()) == 0)
		supervise_as_nobody();
	cr_assert(sup > 0);
	for (int i = 0; i < 200 && (c = child_of_pid(sup)) == 0; i++)
		usleep(10000);
	cr_assert(c > 0, "no child started");
	/* No process more for nobody; then its child dies. */
	set_nproc(sup, 1);
	cr_assert_eq(kill(c, SIGKILL), 0);
	usleep(800 * 1000);
	/* Tried at once, then after 100, 200 and 400 ms: all failed, none counted. */
	cr_assert_geq(count("     Context:    start_error\n"
	    "     Reason:     {fork,EAGAIN}\n"), 3, "%s", reports());
	cr_assert_eq(count("reached_max_restart_intensity"), 0, "%s", reports());
	set_nproc(sup, RLIM_INFINITY);
	for (int i = 0; i < 300 && count("             started: [{pid,") < 2; i++)
		usleep(10000);
	/* Started, killed (child_terminated), started again. */
	cr_assert_eq(count("             started: [{pid,"), 2, "%s", reports());
	cr_assert_eq(count("child_terminated"), 1, "%s", reports());
	cr_assert_eq(kill(sup, SIGTERM), 0);
	cr_assert_eq(waitpid(sup, &status, 0), sup);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", reports());
}

/* --- roles that report a child's exit themselves, or stop one -------------- */

/* extra 0: exit 3 at once; otherwise wait, and die of a SIGTERM. */
static void
exit_3_or_wait(void *arg, void *extra)
{
	if ((intptr_t)extra == 0)
		_exit(3);
	dynamic_exit_on_stop(arg, NULL);
}

struct hooked {
	struct sup	*sup;
	pid_t		 quiet, term, killed;
	int		 reaped, step;
};

/* The role reports its quiet child itself: the engine must say nothing. */
static bool
hush(void *ctx, pid_t pid, const struct reason *r)
{
	struct hooked *h = ctx;

	h->reaped++;
	if (pid == h->quiet)
		cr_assert_str_eq(r->text, "{exit_status,3}");
	return pid != h->quiet;
}

/* Busy-called from the loop: one step per state the children reach. */
static void
hooked_script(void *ctx)
{
	struct hooked *h = ctx;

	if (h->step == 0 && h->reaped == 1) {
		cr_assert_eq(sup_signal_child(h->sup, h->term, SIGTERM), 0);
		h->step++;
	} else if (h->step == 1 && h->reaped == 2) {
		cr_assert_eq(sup_signal_child(h->sup, h->killed, SIGKILL), 0);
		h->step++;
	} else if (h->step == 2 && h->reaped == 3) {
		cr_assert_eq(sup_signal_child(h->sup, h->killed, SIGKILL), -1);
		h->step++;
		kill(getpid(), SIGTERM);
	}
}

Test(sup, role_reports_an_exit_or_signals_a_child_itself)
{
	const struct child_spec tmpl = {
		.mfa = "{w,start_link,[]}", .modules = "[]",
		.restart = RESTART_TEMPORARY, .shutdown = 1000, .type = CHILD_WORKER,
		.start = exit_3_or_wait,
	};
	struct hooked h = { .sup = dynamic_sup(&tmpl) };

	sup_on_reaped(h.sup, hush, &h);
	cr_assert((h.term = sup_start_child(h.sup, (void *)1)) > 0);
	cr_assert((h.killed = sup_start_child(h.sup, (void *)1)) > 0);
	cr_assert((h.quiet = sup_start_child(h.sup, (void *)0)) > 0);
	cr_assert_eq(run_until_stopped(h.sup, hooked_script, &h), SUP_STOPPED);
	cr_assert_eq(h.step, 3);
	/* Exit 3 said by the role, a SIGTERM of its own a clean shutdown. */
	cr_assert_eq(count("{exit_status,3}"), 0, "%s", reports());
	cr_assert_eq(count("Context:    child_terminated"), 1, "%s", reports());
	cr_assert_eq(count("Reason:     killed"), 1, "%s", reports());
}

/* --- many children exiting at once -------------------------------------- */

/*
 * Exits that happen together, among more children: each is reaped by the
 * pid its exit signal carries, and the sweep reaps those no signal named.
 */
#define MANY_STAYING	80
#define MANY_EXITING	40

struct many_run {
	struct sup	*sup;
	int		 reaped;
	int64_t		 exit_at;	/* ms, proc_now_ms(): when all exit */
	int64_t		 all_reaped;	/* ms, when the last was reaped */
	unsigned	 busy_ms;	/* how long each turn of the loop takes */
	bool		 busy_once;	/* only the first turn */
	int		 busy_fd;
};

/* extra: when to exit, so that all exit together; 0: wait to be stopped. */
static void
exit_0_at(void *arg, void *extra)
{
	int64_t left;

	(void)arg;
	proc_unblock_signals();
	if (extra == NULL)
		for (;;)
			pause();
	while ((left = (int64_t)(intptr_t)extra - proc_now_ms()) > 0)
		usleep((useconds_t)left * 1000);
	_exit(0);
}

/* Made by fork(): it sends SIGCHLD when it exits, not PROC_EXIT_SIGNAL. */
static pid_t
fork_exit_0_at(void *arg, void *extra)
{
	pid_t pid = fork();

	if (pid == 0)
		exit_0_at(arg, extra);
	return pid;
}

static void
count_reaped(void *ctx, pid_t pid)
{
	struct many_run *r = ctx;

	(void)pid;
	if (++r->reaped < MANY_EXITING)
		return;
	r->all_reaped = proc_now_ms();
	kill(getpid(), SIGTERM);
}

static void
give_up(void *ctx)
{
	(void)ctx;
	kill(getpid(), SIGTERM);
}

/* Never idle while it is watched, unless once: then it drains its pipe. */
static void
busy(void *ctx)
{
	struct many_run *r = ctx;
	char c;

	usleep(r->busy_ms * 1000);
	if (r->busy_once)
		cr_assert_eq(read(r->busy_fd, &c, 1), 1);
}

/* Starts the children, runs until all are reaped or 5 s have passed. */
static void
run_many(struct many_run *r, pid_t (*spawn)(void *, void *))
{
	const struct child_spec tmpl = {
		.mfa = "{w,start_link,[]}", .modules = "[]",
		.restart = RESTART_TEMPORARY, .shutdown = 1000,
		.type = CHILD_WORKER, .start = exit_0_at, .spawn = spawn,
	};
	const struct itimerspec limit = { .it_value = { .tv_sec = 5 } };
	int pipefd[2], tfd;

	r->sup = dynamic_sup(&tmpl);
	sup_on_exit(r->sup, count_reaped, r);
	r->exit_at = proc_now_ms() + 500;
	for (int i = 0; i < MANY_STAYING; i++)
		cr_assert(sup_start_child(r->sup, NULL) > 0);
	for (int i = 0; i < MANY_EXITING; i++)
		cr_assert(sup_start_child(r->sup, (void *)(intptr_t)r->exit_at)
		    > 0);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	cr_assert(tfd >= 0);
	cr_assert_eq(timerfd_settime(tfd, 0, &limit, NULL), 0);
	sup_watch(r->sup, tfd, give_up, NULL);
	if (r->busy_ms > 0) {
		cr_assert_eq(pipe(pipefd), 0);
		cr_assert_eq(write(pipefd[1], "x", 1), 1);
		r->busy_fd = pipefd[0];
		sup_watch(r->sup, pipefd[0], busy, r);
	}
	cr_assert_eq(sup_run(r->sup), SUP_STOPPED);
	close(tfd);
	if (r->busy_ms > 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
	cr_assert_eq(r->reaped, MANY_EXITING);
	/* Stopped since: those that stayed were shut down. */
	cr_assert_eq(sup_count_children(r->sup), 0);
}

/*
 * The loop is never idle, and a sweep that is never idle reaps one exit
 * each 200 ms, 8 s for all: only their own signals reap them this soon.
 */
Test(sup, exits_at_once_are_each_reaped_by_their_own_signal)
{
	struct many_run r = { .busy_ms = 20 };

	run_many(&r, NULL);
	cr_assert_lt(r.all_reaped - r.exit_at, 1000, "%lld ms",
	    (long long)(r.all_reaped - r.exit_at));
}

/* SIGCHLD is not queued: exits share a few, and the sweep finds them. */
Test(sup, exits_that_share_a_sigchld_are_reaped_by_the_sweep)
{
	struct many_run r = { 0 };

	run_many(&r, fork_exit_0_at);
	cr_assert_lt(r.all_reaped - r.exit_at, 2000, "%lld ms",
	    (long long)(r.all_reaped - r.exit_at));
}

/*
 * Pending signals are limited, and the kernel drops an exit signal that
 * does not fit. With room for 8, and the loop held while 40 children
 * exit, most of them come unsignalled: the drain that finds the queue
 * half full or more sweeps for them. The limit counts the signals
 * pending for every process of the uid: under a uid of its own, this
 * test's are the only ones. Each test runs in a process of its own, so
 * neither the uid nor the limit needs to be restored.
 */
Test(sup, exit_signals_the_queue_could_not_hold_are_swept_up)
{
	const uid_t uid = 2000000000u + (uid_t)getpid();
	struct many_run r = { .busy_ms = 1000, .busy_once = true };
	struct rlimit rl;

	if (geteuid() != 0)
		cr_skip_test("root is needed to take a uid of its own");
	cr_assert_eq(setgroups(0, NULL), 0);
	cr_assert_eq(setresgid(uid, uid, uid), 0);
	cr_assert_eq(setresuid(uid, uid, uid), 0);
	cr_assert_eq(getrlimit(RLIMIT_SIGPENDING, &rl), 0);
	rl.rlim_cur = 8;
	cr_assert_eq(setrlimit(RLIMIT_SIGPENDING, &rl), 0);
	run_many(&r, NULL);
}
