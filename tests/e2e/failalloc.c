/*
 * failalloc.c -- an LD_PRELOAD shim for the allocation-failure suite
 * (test_failalloc.c): in the process named $FAILALLOC_NAME, the
 * $FAILALLOC_NTH call to malloc, calloc, realloc, reallocarray or mmap
 * fails with ENOMEM, once for the whole tree: the first process to fail
 * one creates $FAILALLOC_MARK, and no call fails while it exists. It must
 * never fail a call of any other process, nor allocate itself.
 *
 * "Named" is the kernel's name (comm), which tcpsup sets to the first word
 * of each title; a child forked by the target carries its name until it
 * takes its own, so a process whose parent has the same name is not the
 * target. Each process counts its own calls from its start.
 */
/* Both names of mmap are defined below, the 64-bit one as an alias. */
#undef _FILE_OFFSET_BITS

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void	*__libc_malloc(size_t);
void	*__libc_calloc(size_t, size_t);
void	*__libc_realloc(void *, size_t);

static pid_t		counting;	/* the process whose calls count */
static unsigned long	calls;

/* The kernel's name of pid (0: this process) is name. */
static int
named(pid_t pid, const char *name)
{
	char comm[32] = "", path[64];
	ssize_t n;
	int fd;

	if (pid == 0) {
		if (prctl(PR_GET_NAME, comm) == -1)
			return 0;
	} else {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return 0;
		n = read(fd, comm, sizeof(comm) - 1);
		close(fd);
		comm[n > 0 ? n - 1 : 0] = '\0';	/* the newline */
	}
	return strcmp(comm, name) == 0;
}

/* Whether this call is the one to fail; errno is ENOMEM if so. */
static int
must_fail(void)
{
	const char *name = getenv("FAILALLOC_NAME");
	const char *nth = getenv("FAILALLOC_NTH");
	const char *mark = getenv("FAILALLOC_MARK");
	int saved = errno, fd;

	if (name == NULL || nth == NULL || mark == NULL || !named(0, name) ||
	    named(getppid(), name))
		return 0;
	if (counting != getpid()) {
		counting = getpid();
		calls = 0;
	}
	if (++calls != strtoul(nth, NULL, 10))
		return 0;
	if ((fd = open(mark, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1) {
		errno = saved;
		return 0;
	}
	close(fd);
	errno = ENOMEM;
	return 1;
}

void *
malloc(size_t size)
{
	return must_fail() ? NULL : __libc_malloc(size);
}

void *
calloc(size_t n, size_t size)
{
	return must_fail() ? NULL : __libc_calloc(n, size);
}

void *
realloc(void *p, size_t size)
{
	return must_fail() ? NULL : __libc_realloc(p, size);
}

void *
reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > (size_t)-1 / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (must_fail())
		return MAP_FAILED;
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

extern __typeof(mmap) mmap64 __attribute__((alias("mmap")));
