/*
 * reason.c -- OTP exit reasons from wait(2) statuses, posix atoms from
 * errno values. Pure.
 */
#include <sys/wait.h>

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "reason.h"

static struct reason
reason_of(enum reason_kind kind, const char *text)
{
	struct reason r = { .kind = kind };

	strlcpy(r.text, text, sizeof(r.text));
	return r;
}

static struct reason
reason_signal(int sig, bool core)
{
	struct reason r = { .kind = REASON_OTHER };
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev != NULL)
		snprintf(r.text, sizeof(r.text), "{signal,'SIG%s'%s}", abbrev,
		    core ? ",core_dumped" : "");
	else
		snprintf(r.text, sizeof(r.text), "{signal,%d%s}", sig,
		    core ? ",core_dumped" : "");
	return r;
}

struct reason
reason_from_status(int status, bool shutdown_sent)
{
	struct reason r;

	if (WIFEXITED(status)) {
		switch (WEXITSTATUS(status)) {
		case 0:
			return reason_of(REASON_NORMAL, "normal");
		case REASON_SHUTDOWN_STATUS:
			return reason_of(REASON_SHUTDOWN, "shutdown");
		}
		r.kind = REASON_OTHER;
		snprintf(r.text, sizeof(r.text), "{exit_status,%d}",
		    WEXITSTATUS(status));
		return r;
	}
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGKILL)
			return reason_of(REASON_KILLED, "killed");
		if (WTERMSIG(status) == SIGTERM && shutdown_sent)
			return reason_of(REASON_SHUTDOWN, "shutdown");
		return reason_signal(WTERMSIG(status), WCOREDUMP(status));
	}
	return reason_of(REASON_OTHER, "unknown");
}

void
reason_errno(int e, char *buf, size_t size)
{
	const char *name = strerrorname_np(e);
	size_t i;

	if (name == NULL)
		name = "unknown";
	for (i = 0; name[i] != '\0' && i + 1 < size; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[i] = '\0';
}
