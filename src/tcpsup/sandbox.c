/*
 * sandbox.c -- confine a tcp_echo_fsm (see sandbox.h).
 *
 * The table below is every system call a confined worker may make: what
 * its loop, its reports and its hand-offs need, and nothing that makes a
 * process, a socket, a mapping that executes, or (without --report-dir)
 * opens a file. libseccomp turns it into BPF once, in the root, and one
 * process loads it: the spawner (spawner.c), from which every worker is
 * cloned already confined. Loading a filter costs a process some 45 us of
 * kernel time (BENCH.md), as much as the rest of a connection's fork; a
 * filter inherited costs nothing. Anything outside the table must kill
 * the process, never fail softly.
 *
 * The spawner must clone, and a worker must not. Nothing in a system call
 * tells them apart but where it is made from: the filter allows clone(2)
 * from one instruction alone, in a page of its own that every clone
 * unmaps before it reads a byte of input. A worker can map no executable
 * page (mmap with PROT_EXEC, mprotect, mremap and execve are refused), so
 * that instruction is gone from it for good.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

/* When a call is allowed: always, or only for a worker keeping reports. */
enum sandbox_need { ALWAYS, REPORT_DIR };

struct sandbox_rule {
	int			 nr;
	enum sandbox_need	 need;
	unsigned int		 argc;		/* how many of cmp apply */
	struct scmp_arg_cmp	 cmp[2];
};

#define CALL(name, need)	{ SCMP_SYS(name), need, 0, { { 0 } } }
#define CALL_IF(name, need, a, mask, value) \
	{ SCMP_SYS(name), need, 1, \
	    { { a, SCMP_CMP_MASKED_EQ, mask, value } } }
#define CALL_IF2(name, need, a, va, b, vb) \
	{ SCMP_SYS(name), need, 2, \
	    { { a, SCMP_CMP_EQ, va, 0 }, { b, SCMP_CMP_EQ, vb, 0 } } }

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
	/*
	 * A clone's first steps (sandbox_clone): its own death signal, its
	 * parent, and its process limit, which only it could raise again,
	 * in a process that cannot clone.
	 */
	CALL_IF(prctl, ALWAYS, 0, ~0ULL, PR_SET_PDEATHSIG),
	/* Its name, from echo_spawner's to its own (proc_title), once. */
	CALL_IF(prctl, ALWAYS, 0, ~0ULL, PR_SET_NAME),
	CALL(getppid, ALWAYS),
	CALL_IF2(prlimit64, ALWAYS, 0, 0, 1, RLIMIT_NPROC),
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

/* The filter, built once, loaded by the spawner, inherited by every worker. */
static struct sock_filter	filter[BPF_MAXINSNS];
static struct sock_fprog	program;
static rlim_t			address_space;
static const char		*report_dir;	/* --report-dir, or NULL */

/*
 * The clone instruction's page: clone(CLONE_PARENT), so that
 * tcp_client_sup is the parent of every worker, as if it had forked it.
 * No exit signal: with CLONE_PARENT, a clone sends the one its maker
 * sends, and the spawner was forked to send PROC_EXIT_SIGNAL (proc.h).
 * Returns what the system call does: a pid, 0 in the child, or -errno.
 */
#define SANDBOX_CLONE_FLAGS	0x8000
_Static_assert(SANDBOX_CLONE_FLAGS == CLONE_PARENT, "flags");
_Static_assert(__NR_clone == 56, "the page below says 56");

#if !defined(__x86_64__)
#error "the clone page (sandbox.c) is written for x86_64"
#endif

/*
 * The clone starts on sp, with start's five words (the entry, its
 * argument, the parent and the stack's bounds) in registers that clone(2)
 * keeps: the caller writes nothing on the clone's stack, so that a caller
 * whose memory is shared copy-on-write with its last clone copies no page
 * of it to make the next. At sandbox_clone_ret, the instruction after the
 * system call, the parent restores them and returns the pid; the clone
 * calls sandbox_cloned() with them, the stack aligned as for a call, and
 * never comes back (valgrind's fork-like clone, on the caller's stack,
 * takes the same way).
 */
long	sandbox_clone_page(void *sp, const uintptr_t start[5]);
extern const char sandbox_clone_ret[];

__asm__(
"	.pushsection .text.tcpsup_clone, \"ax\", @progbits\n"
"	.balign 4096\n"
"	.globl sandbox_clone_page\n"
"	.type sandbox_clone_page, @function\n"
"sandbox_clone_page:\n"
"	pushq %rbx\n"
"	pushq %rbp\n"
"	pushq %r12\n"
"	pushq %r13\n"
"	pushq %r14\n"
"	movq (%rsi), %rbx\n"
"	movq 8(%rsi), %rbp\n"
"	movq 16(%rsi), %r12\n"
"	movq 24(%rsi), %r13\n"
"	movq 32(%rsi), %r14\n"
"	movq %rdi, %rsi\n"
"	movl $0x8000, %edi\n"
"	xorl %edx, %edx\n"
"	xorl %r10d, %r10d\n"
"	xorl %r8d, %r8d\n"
"	movl $56, %eax\n"
"	syscall\n"
"	.globl sandbox_clone_ret\n"
"sandbox_clone_ret:\n"
"	testq %rax, %rax\n"
"	jz 1f\n"
"	popq %r14\n"
"	popq %r13\n"
"	popq %r12\n"
"	popq %rbp\n"
"	popq %rbx\n"
"	ret\n"
"1:	movq %rbx, %rdi\n"
"	movq %rbp, %rsi\n"
"	movq %r12, %rdx\n"
"	movq %r13, %rcx\n"
"	movq %r14, %r8\n"
"	andq $-16, %rsp\n"
"	call sandbox_cloned\n"
"	ud2\n"
"	.size sandbox_clone_page, . - sandbox_clone_page\n"
"	.balign 4096\n"
"	.popsection\n");

/* Goes on in fn(arg) on another stack, for good. */
void	sandbox_switch_to(void *top, void (*fn)(uintptr_t), uintptr_t arg)
	    __attribute__((noreturn));

__asm__(
"	.text\n"
"	.type sandbox_switch_to, @function\n"
"sandbox_switch_to:\n"
"	movq %rdi, %rsp\n"
"	andq $-16, %rsp\n"
"	movq %rdx, %rdi\n"
"	call *%rsi\n"
"	ud2\n"
"	.size sandbox_switch_to, . - sandbox_switch_to\n");

/*
 * AddressSanitizer must be told which stack a process runs on, or its
 * checks before each call that does not return take it for a stack
 * overrun, say so on stderr and look at /proc, which the filter refuses.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(SANDBOX_ASAN)
#define SANDBOX_ASAN
#endif

#ifdef SANDBOX_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

static void
now_on(const void *bottom, size_t size)
{
#ifdef SANDBOX_ASAN
	__sanitizer_start_switch_fiber(NULL, bottom, size);
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#else
	(void)bottom;
	(void)size;
#endif
}

#define PAGE	4096
#define FIELD(f)	offsetof(struct seccomp_data, f)
#define LO(f)		FIELD(f)
#define HI(f)		(FIELD(f) + 4)
#define LD(off)		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
/* Equal: on to the next test; not: to libseccomp's program, at LIB. */
#define TEST(i, v)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (v), 0, LIB - (i) - 1)

/*
 * Ours, before libseccomp's program: clone from sandbox_clone_ret's
 * instruction, with SANDBOX_CLONE_FLAGS, on x86_64, is allowed; anything
 * else goes on to libseccomp's program, which refuses clone.
 *
 * It begins with a load of the instruction pointer for a second reason.
 * Loading a filter, the kernel runs it once for each system call number
 * (some 450) to find those it always allows and skip the filter for them
 * later: that costs more than all a worker's filtered calls together. A
 * first load of a field other than the call's number or architecture
 * ends each such run at once; what follows loads over it.
 */
enum { LIB = 14 };

static size_t
clone_rule(struct sock_filter *f)
{
	const uint64_t ip = (uintptr_t)sandbox_clone_ret;
	const struct sock_filter rule[LIB] = {
		LD(LO(instruction_pointer)),
		LD(FIELD(arch)),
		TEST(2, AUDIT_ARCH_X86_64),
		LD(FIELD(nr)),
		TEST(4, __NR_clone),
		LD(LO(instruction_pointer)),
		TEST(6, (uint32_t)ip),
		LD(HI(instruction_pointer)),
		TEST(8, (uint32_t)(ip >> 32)),
		LD(LO(args[0])),
		TEST(10, SANDBOX_CLONE_FLAGS),
		LD(HI(args[0])),
		TEST(12, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};

	memcpy(f, rule, sizeof(rule));
	return LIB;
}

/* libseccomp's BPF, read back after our clone rule. */
static int
export_program(scmp_filter_ctx ctx)
{
	size_t ours = clone_rule(filter);
	ssize_t n;
	int fd, rc, e;

	if ((fd = memfd_create("tcpsup-sandbox", MFD_CLOEXEC)) == -1)
		return -1;
	if ((rc = seccomp_export_bpf(ctx, fd)) < 0) {
		close(fd);
		errno = -rc;
		return -1;
	}
	n = pread(fd, filter + ours, sizeof(filter) - ours * sizeof(filter[0]),
	    0);
	e = errno;
	close(fd);
	if (n <= 0 || n % sizeof(filter[0]) != 0) {
		errno = n == -1 ? e : EINVAL;
		return -1;
	}
	program.len = (unsigned short)(n / sizeof(filter[0]) + ours);
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
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW,
			    rules[i].nr, rules[i].argc, rules[i].cmp);
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
	report_dir = o->report_dir;
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

/*
 * What Landlock controls on the filesystem (its first two ABIs: what
 * Debian 12's headers name), and what the wrap log's writer needs beneath
 * its directory: append, create, list, rename within, remove.
 */
#define FS_HANDLED_V1	((LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1)
#define FS_HANDLED_V2	(FS_HANDLED_V1 | LANDLOCK_ACCESS_FS_REFER)
#define FS_WRAPLOG	(LANDLOCK_ACCESS_FS_READ_FILE | \
	LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_DIR | \
	LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE)

/*
 * With --report-dir the filter must let a worker open, create and remove
 * files, and a filter cannot tell one path from another: Landlock confines
 * those calls to files beneath the report directory. Loaded once, in the
 * spawner, as the filter is. A kernel without Landlock is said once and
 * leaves the filter alone to guard.
 */
static int
confine_paths(void)
{
	struct landlock_ruleset_attr attr = { 0 };
	struct landlock_path_beneath_attr beneath = {
		.allowed_access = FS_WRAPLOG,
	};
	int ruleset, rc = -1, e;
	long abi;

	if (report_dir == NULL)
		return 0;
	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		log_warnx("Landlock is not available (%s): workers keeping"
		    " reports can reach files outside %s", strerror(errno),
		    report_dir);
		return 0;
	}
	attr.handled_access_fs = abi >= 2 ? FS_HANDLED_V2 : FS_HANDLED_V1;
	if ((ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof(attr), 0)) == -1)
		return -1;
	if ((beneath.parent_fd = open(report_dir,
	    O_PATH | O_DIRECTORY | O_CLOEXEC)) != -1) {
		if (syscall(SYS_landlock_add_rule, ruleset,
		    LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) == 0)
			rc = (int)syscall(SYS_landlock_restrict_self, ruleset, 0);
		e = errno;
		close(beneath.parent_fd);
		errno = e;
	}
	e = errno;
	close(ruleset);
	errno = e;
	return rc;
}

int
sandbox_enter(void)
{
	if (!sandbox_enabled())
		return 0;
	/* Not RLIMIT_NPROC: the spawner clones; each clone sets its own. */
	if (limit(RLIMIT_CORE, 0) == -1 ||
	    limit(RLIMIT_NOFILE, SANDBOX_NOFILE) == -1)
		return -1;
	if (SANDBOX_LIMIT_AS && limit(RLIMIT_AS, address_space) == -1)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    confine_paths() == -1)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program);
}

/* The clone's first steps, before anything else runs in it. */
void	sandbox_cloned(void (*)(uintptr_t), uintptr_t, pid_t, const void *,
	    size_t) __attribute__((noreturn, used));

void
sandbox_cloned(void (*entry)(uintptr_t), uintptr_t arg, pid_t parent,
    const void *bottom, size_t size)
{
	now_on(bottom, size);
	/* No way back to that instruction. */
	if (munmap((void *)sandbox_clone_page, PAGE) == -1)
		_exit(127);
	/* As proc_fork_linked(): clone(2) left no death signal to inherit. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != parent)
		_exit(127);
	if (sandbox_enabled() && limit(RLIMIT_NPROC, 0) == -1)
		_exit(127);
	entry(arg);
	_exit(127);
}

pid_t
sandbox_clone(pid_t parent, void *bottom, size_t size,
    void (*entry)(uintptr_t), uintptr_t arg)
{
	const uintptr_t start[5] = { (uintptr_t)entry, arg, (uintptr_t)parent,
	    (uintptr_t)bottom, size };
	long pid;

	pid = sandbox_clone_page((void *)(((uintptr_t)bottom + size) &
	    ~(uintptr_t)15), start);
	if (pid < 0) {
		errno = (int)-pid;
		return -1;
	}
	return (pid_t)pid;
}

/* The stack sandbox_run_on() moves to, for its fn to say so first. */
static const void	*run_bottom;
static size_t		 run_size;
static void		(*run_fn)(void);

static void __attribute__((noreturn))
run(uintptr_t unused)
{
	(void)unused;
	now_on(run_bottom, run_size);
	run_fn();
	_exit(127);
}

void
sandbox_run_on(void *bottom, size_t size, void (*fn)(void))
{
	/*
	 * The clone page a mapping of its own (VM_DONTDUMP sets it apart), so
	 * that each clone unmaps it whole instead of splitting the text in
	 * three: 3.7 us instead of 7.1 (BENCH.md). If this fails, clones pay.
	 */
	(void)madvise((void *)sandbox_clone_page, PAGE, MADV_DONTDUMP);
	run_bottom = bottom;
	run_size = size;
	run_fn = fn;
	sandbox_switch_to((char *)bottom + size, run, 0);
}
