/*
 * sandbox.h -- the confinement of a tcp_echo_fsm: resource limits, no new
 * privileges, and a seccomp filter allowing only what echoing needs.
 */
#ifndef TCPSUP_SANDBOX_H
#define TCPSUP_SANDBOX_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"

/* Descriptors a confined worker may hold: 0-2, its two channels, a few. */
#define SANDBOX_NOFILE		16

/*
 * Whether RLIMIT_AS is set: not under AddressSanitizer, whose shadow is
 * terabytes of address space (gcc and clang say so differently).
 */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_LIMIT_AS	0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_LIMIT_AS	0
#endif
#endif
#ifndef SANDBOX_LIMIT_AS
#define SANDBOX_LIMIT_AS	1
#endif

/* Address space a confined worker may add, beyond the frame buffer. */
#define SANDBOX_AS_BASE		(64UL * 1024 * 1024)

/*
 * Build the filter for these options, once, before any worker exists: the
 * spawner loads it, and every worker inherits it. Nothing to build with
 * --no-sandbox. -1 with errno if libseccomp cannot build it.
 */
int	sandbox_prepare(const struct options *);

/* Whether sandbox_prepare built a filter, so that workers are confined. */
bool	sandbox_enabled(void);

/*
 * Confine this process for good: limits, no new privileges, the filter.
 * Past this, a forbidden system call kills it with SIGSYS, and
 * sandbox_clone() is the one way it can make a process. Does nothing
 * without a prepared filter. -1 with errno if the kernel refused.
 */
int	sandbox_enter(void);

/*
 * Clone a sibling of this process: a child of parent, the caller's own
 * parent, with the caller's exit signal. The clone runs entry(arg), which
 * must not return, on the stack of size bytes at bottom, once it is
 * confined for good: it can clone no more, it dies with parent, and
 * RLIMIT_NPROC is 0 if the sandbox is on. Nothing is written on that
 * stack here. Returns the clone's pid, or -1 with errno if the kernel
 * refused.
 */
pid_t	sandbox_clone(pid_t parent, void *bottom, size_t size,
	    void (*entry)(uintptr_t), uintptr_t arg);

/*
 * Go on in fn(), for good, on the stack of size bytes at bottom. Readies
 * this process to clone cheaply as well.
 */
void	sandbox_run_on(void *bottom, size_t size, void (*fn)(void))
	    __attribute__((noreturn));

#endif
