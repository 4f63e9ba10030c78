/*
 * sandbox.c -- confine a tcp_echo_fsm (see sandbox.h).
 *
 * The table below is every system call a confined worker may make: what
 * its loop, its reports and its hand-offs need, and nothing that makes a
 * process, a socket, a mapping that executes, or (without --report-dir)
 * opens a file. libseccomp turns it into BPF once, in the root; a worker
 * pays two prctl(2) calls and four setrlimit(2), not a compilation.
 * Anything outside the table must kill the worker, never fail softly.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

/* When a call is allowed: always, or only for a worker keeping reports. */
enum sandbox_need { ALWAYS, REPORT_DIR };

struct sandbox_rule {
	int			 nr;
	enum sandbox_need	 need;
	unsigned int		 argc;		/* 0, or 1 for cmp */
	struct scmp_arg_cmp	 cmp;
};

#define CALL(name, need)	{ SCMP_SYS(name), need, 0, { 0 } }
#define CALL_IF(name, need, a, mask, value) \
	{ SCMP_SYS(name), need, 1, { a, SCMP_CMP_MASKED_EQ, mask, value } }

static const struct sandbox_rule rules[] = {
	/* WAIT_FOR_SOCKET (fdpass_recv), and its socket's set-up. */
	CALL(recvmsg, ALWAYS),
	CALL(getpeername, ALWAYS),
	CALL_IF(setsockopt, ALWAYS, 1, ~0ULL, SOL_SOCKET),
	/* WAIT_FOR_DATA: read(2), send(2) and recv(2), and the close. */
	CALL(read, ALWAYS),
	CALL(recvfrom, ALWAYS),
	CALL(sendto, ALWAYS),
	CALL(shutdown, ALWAYS),
	CALL(close, ALWAYS),
	/* The drain after an oversized frame, and timers of any kind. */
	CALL(poll, ALWAYS),
	CALL(ppoll, ALWAYS),
	CALL(timerfd_create, ALWAYS),
	CALL(timerfd_settime, ALWAYS),
	CALL(timerfd_gettime, ALWAYS),
	CALL(clock_gettime, ALWAYS),
	CALL(gettimeofday, ALWAYS),
	CALL(time, ALWAYS),
	CALL(nanosleep, ALWAYS),
	CALL(clock_nanosleep, ALWAYS),
	CALL(restart_syscall, ALWAYS),
	CALL(rt_sigreturn, ALWAYS),
	/* Reports on stderr, the notices, the exit. */
	CALL(write, ALWAYS),
	CALL(getpid, ALWAYS),
	CALL(exit, ALWAYS),
	CALL(exit_group, ALWAYS),
	CALL(sigaltstack, ALWAYS),	/* -Db_sanitize's _exit(2) */
	/* A larger --max-frame's buffer, and malloc: data, never code. */
	CALL_IF(mmap, ALWAYS, 2, PROT_EXEC, 0),
	CALL(munmap, ALWAYS),
	CALL(brk, ALWAYS),
	/* The wrap log's writer (wraplog.c): append, and switch files. */
	CALL(openat, REPORT_DIR),
	CALL(fstat, REPORT_DIR),
	CALL(newfstatat, REPORT_DIR),
	CALL(writev, REPORT_DIR),
	CALL(flock, REPORT_DIR),
	CALL(fchmod, REPORT_DIR),
	CALL(unlinkat, REPORT_DIR),
	CALL(renameat, REPORT_DIR),
	CALL(renameat2, REPORT_DIR),
	CALL(getdents64, REPORT_DIR),
	CALL_IF(fcntl, REPORT_DIR, 1, ~0ULL, F_GETFL),	/* fdopendir(3) */
	CALL(sysinfo, REPORT_DIR),			/* qsort(3) */
};

/* The filter, built once and inherited by every worker. */
static struct sock_filter	filter[BPF_MAXINSNS];
static struct sock_fprog	program;
static rlim_t			address_space;

/*
 * libseccomp's BPF, read back into filter after one instruction of ours.
 * Loading a filter, the kernel runs it once for each system call number
 * (some 450) to find those it always allows and skip the filter for them
 * later: that costs a worker more than all its filtered calls together.
 * A first load of a field other than the call's number or architecture
 * (here the instruction pointer) ends each such run at once; libseccomp's
 * program begins by loading the architecture over it, so it means the
 * same. Jumps in BPF are relative: nothing else moves.
 */
static int
export_program(scmp_filter_ctx ctx)
{
	const struct sock_filter skip = BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, instruction_pointer));
	ssize_t n;
	int fd, rc, e;

	if ((fd = memfd_create("tcpsup-sandbox", MFD_CLOEXEC)) == -1)
		return -1;
	if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
		close(fd);
		errno = -rc;
		return -1;
	}
	n = pread(fd, filter + 1, sizeof(filter) - sizeof(filter[0]), 0);
	e = errno;
	close(fd);
	if (n <= 0 || n % sizeof(filter[0]) != 0 ||
	    filter[1].code != (BPF_LD | BPF_W | BPF_ABS)) {
		errno = n == -1 ? e : EINVAL;
		return -1;
	}
	filter[0] = skip;
	program.len = (unsigned short)(n / sizeof(filter[0]) + 1);
	program.filter = filter;
	return 0;
}

/*
 * This process's address space, which a worker forked later starts from
 * (less the supervisors' arenas, which no child inherits); 0 if unknown.
 */
static rlim_t
mapped_now(void)
{
	unsigned long pages = 0;
	FILE *f;

	if ((f = fopen("/proc/self/statm", "re")) == NULL)
		return 0;
	if (fscanf(f, "%lu", &pages) != 1)
		pages = 0;
	fclose(f);
	return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
}

int
sandbox_prepare(const struct options *o)
{
	scmp_filter_ctx ctx;
	int rc = 0;

	if (!o->sandbox)
		return 0;
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	/* A binary tree, not a chain: fewer instructions run per call. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; rc == 0 && i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].need == ALWAYS || o->report_dir != NULL)
			rc = rules[i].argc == 0 ?
			    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, rules[i].nr, 0) :
			    seccomp_rule_add(ctx, SCMP_ACT_ALLOW, rules[i].nr, 1,
			    rules[i].cmp);
	if (rc < 0) {
		seccomp_release(ctx);
		errno = -rc;
		return -1;
	}
	rc = export_program(ctx);
	seccomp_release(ctx);
	/*
	 * localtime_r(3) reads the zone file on first use: load it here, so
	 * that a worker's reports need no open(2).
	 */
	tzset();
	address_space = mapped_now() + SANDBOX_AS_BASE + o->max_frame;
	return rc;
}

bool
sandbox_enabled(void)
{
	return program.len > 0;
}

/* Lower a limit to value, never raise one the operator set lower. */
static int
limit(int resource, rlim_t value)
{
	struct rlimit rl;

	if (getrlimit(resource, &rl) == -1)
		return -1;
	if (rl.rlim_cur > value)
		rl.rlim_cur = value;
	if (rl.rlim_max > value)
		rl.rlim_max = value;
	return setrlimit(resource, &rl);
}

int
sandbox_enter(void)
{
	if (!sandbox_enabled())
		return 0;
	if (limit(RLIMIT_CORE, 0) == -1 || limit(RLIMIT_NPROC, 0) == -1 ||
	    limit(RLIMIT_NOFILE, SANDBOX_NOFILE) == -1)
		return -1;
	if (SANDBOX_LIMIT_AS && limit(RLIMIT_AS, address_space) == -1)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program);
}
