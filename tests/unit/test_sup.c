/*
 * test_sup.c -- the supervisor engine with real child processes: OTP's
 * restart table (restart type x exit reason), the intensity give-up, stop
 * order, simple_one_for_one shutdown with its shared timer, start errors.
 * Reports go to a memfd standing in for stderr, and are checked as text.
 */
#include <criterion/criterion.h>

#include <sys/mman.h>
#include <sys/resource.h>

#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "sup.h"

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
		.restart = RESTART_TEMPORARY, .shutdown = 200, .type = CHILD_WORKER,
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
