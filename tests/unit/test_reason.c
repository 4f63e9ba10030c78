/*
 * test_reason.c -- wait(2) statuses mapped to OTP exit reasons (DESIGN.md
 * "Semantics"): exit 0 normal, SIGKILL killed, our SIGTERM shutdown, other
 * signals {signal,'SIGx'} (core_dumped when it did), exit 75 shutdown,
 * other codes {exit_status,N}. Statuses come from real children reaped
 * with waitpid, and from the W* encoding where a real one is impractical
 * (a core dump depends on the system's core_pattern and limits). Also errno
 * values as the posix atoms reports print (eaddrinuse).
 */
#include <criterion/criterion.h>

#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "reason.h"

/* The W* encoding of Linux wait statuses. */
#define EXITED(code)		((code) << 8)
#define SIGNALED(sig)		(sig)
#define SIGNALED_CORE(sig)	((sig) | 0x80)

/* A real child that exits with code. */
static int
status_of_exit(int code)
{
	pid_t pid = fork();
	int status;

	cr_assert_neq(pid, -1, "fork");
	if (pid == 0)
		_exit(code);
	cr_assert_eq(waitpid(pid, &status, 0), pid, "waitpid");
	return status;
}

/* A real child that dies of sig, without dumping core. */
static int
status_of_signal(int sig)
{
	pid_t pid = fork();
	int status;

	cr_assert_neq(pid, -1, "fork");
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		sigset_t none;

		setrlimit(RLIMIT_CORE, &nocore);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(sig, SIG_DFL);
		raise(sig);
		_exit(99);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid, "waitpid");
	cr_assert(WIFSIGNALED(status), "child did not die of signal %d", sig);
	return status;
}

static void
assert_reason(struct reason r, enum reason_kind kind, const char *text)
{
	cr_assert_str_eq(r.text, text);
	cr_assert_eq(r.kind, kind, "kind of '%s'", text);
}

Test(reason, encoding_matches_real_statuses)
{
	cr_assert_eq(status_of_exit(3), EXITED(3));
	cr_assert_eq(status_of_signal(SIGTERM), SIGNALED(SIGTERM));
}

Test(reason, exit_0_is_normal)
{
	assert_reason(reason_from_status(status_of_exit(0), false),
	    REASON_NORMAL, "normal");
	assert_reason(reason_from_status(status_of_exit(0), true),
	    REASON_NORMAL, "normal");
}

Test(reason, sigkill_is_killed)
{
	assert_reason(reason_from_status(status_of_signal(SIGKILL), false),
	    REASON_KILLED, "killed");
}

Test(reason, sigkill_after_shutdown_is_still_killed)
{
	/* The shutdown timer ran out and the supervisor killed it. */
	assert_reason(reason_from_status(status_of_signal(SIGKILL), true),
	    REASON_KILLED, "killed");
}

Test(reason, our_sigterm_is_shutdown)
{
	assert_reason(reason_from_status(status_of_signal(SIGTERM), true),
	    REASON_SHUTDOWN, "shutdown");
}

Test(reason, foreign_sigterm_is_a_signal)
{
	assert_reason(reason_from_status(status_of_signal(SIGTERM), false),
	    REASON_OTHER, "{signal,'SIGTERM'}");
}

Test(reason, sigsegv_without_core)
{
	assert_reason(reason_from_status(status_of_signal(SIGSEGV), false),
	    REASON_OTHER, "{signal,'SIGSEGV'}");
}

Test(reason, sigsegv_with_core_dumped)
{
	assert_reason(reason_from_status(SIGNALED_CORE(SIGSEGV), false),
	    REASON_OTHER, "{signal,'SIGSEGV',core_dumped}");
}

Test(reason, sigabrt_with_core_dumped_even_after_shutdown)
{
	assert_reason(reason_from_status(SIGNALED_CORE(SIGABRT), true),
	    REASON_OTHER, "{signal,'SIGABRT',core_dumped}");
}

Test(reason, other_signals_by_name)
{
	assert_reason(reason_from_status(status_of_signal(SIGINT), false),
	    REASON_OTHER, "{signal,'SIGINT'}");
	assert_reason(reason_from_status(status_of_signal(SIGHUP), true),
	    REASON_OTHER, "{signal,'SIGHUP'}");
	assert_reason(reason_from_status(SIGNALED(SIGPIPE), false),
	    REASON_OTHER, "{signal,'SIGPIPE'}");
}

Test(reason, realtime_signal_has_a_term)
{
	struct reason r = reason_from_status(SIGNALED(SIGRTMIN + 1), false);

	cr_assert_eq(r.kind, REASON_OTHER);
	cr_assert_eq(strncmp(r.text, "{signal,", 8), 0, "'%s'", r.text);
	cr_assert_null(strstr(r.text, "null"), "'%s'", r.text);
	cr_assert_eq(r.text[strlen(r.text) - 1], '}', "'%s'", r.text);
}

Test(reason, exit_3_is_exit_status)
{
	assert_reason(reason_from_status(status_of_exit(3), false),
	    REASON_OTHER, "{exit_status,3}");
}

Test(reason, exit_255_is_exit_status)
{
	assert_reason(reason_from_status(status_of_exit(255), true),
	    REASON_OTHER, "{exit_status,255}");
}

Test(reason, exit_75_is_shutdown)
{
	cr_assert_eq(REASON_SHUTDOWN_STATUS, 75);
	assert_reason(reason_from_status(status_of_exit(75), false),
	    REASON_SHUTDOWN, "shutdown");
}

Test(reason, encoded_statuses)
{
	assert_reason(reason_from_status(EXITED(0), false), REASON_NORMAL,
	    "normal");
	assert_reason(reason_from_status(EXITED(1), false), REASON_OTHER,
	    "{exit_status,1}");
	assert_reason(reason_from_status(EXITED(75), false), REASON_SHUTDOWN,
	    "shutdown");
	assert_reason(reason_from_status(SIGNALED(SIGKILL), false),
	    REASON_KILLED, "killed");
	assert_reason(reason_from_status(SIGNALED(SIGTERM), true),
	    REASON_SHUTDOWN, "shutdown");
	assert_reason(reason_from_status(SIGNALED(SIGTERM), false),
	    REASON_OTHER, "{signal,'SIGTERM'}");
}

Test(reason, errno_as_a_posix_atom)
{
	char atom[32];

	reason_errno(EADDRINUSE, atom, sizeof(atom));
	cr_assert_str_eq(atom, "eaddrinuse");
	reason_errno(EACCES, atom, sizeof(atom));
	cr_assert_str_eq(atom, "eacces");
	/* Cut to fit, still terminated. */
	reason_errno(EADDRINUSE, atom, 5);
	cr_assert_str_eq(atom, "eadd");
	reason_errno(99999, atom, sizeof(atom));
	cr_assert_str_eq(atom, "unknown");
}
