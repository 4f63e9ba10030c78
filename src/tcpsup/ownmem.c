/*
 * ownmem.c -- memory of its own, for a process that is cloned for every
 * connection (ownmem.h).
 *
 * Each mapping is copied into a fresh anonymous one elsewhere, which
 * mremap(2) then moves over the original in one step: the old pages are
 * never missing, not even to the code doing the copying.
 */
#include <sys/auxv.h>
#include <sys/mman.h>

#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ownmem.h"

#define PAGE		4096
#define MAX_REGIONS	64
/* /proc/self/smaps of a static tcpsup is some 20 KiB. */
#define SMAPS_MAX	(256 * 1024)

struct region {
	uintptr_t	lo, hi;
	int		prot;
	bool		stack;	/* [stack] */
	bool		mine;	/* private, readable, not the kernel's */
	bool		owned;	/* and data may be in it: to be copied */
};

static bool
is_static(void)
{
	/* No program interpreter: nothing was loaded but the executable. */
	return getauxval(AT_BASE) == 0;
}

static bool
zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)p;

	for (size_t i = 0; i < PAGE / sizeof(*w); i++)
		if (w[i] != 0)
			return false;
	return true;
}

/* [lo, hi) copied to a fresh mapping, moved over it. */
static void
own(uintptr_t lo, uintptr_t hi, int prot)
{
	size_t len = hi - lo;
	uint8_t *fresh;

	fresh = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED)
		return;
	/* A page of zeros is not copied: it stays a hole, as it may be now. */
	for (size_t off = 0; off < len; off += PAGE)
		if (!zero((const uint8_t *)lo + off))
			memcpy(fresh + off, (const uint8_t *)lo + off, PAGE);
	if ((prot != (PROT_READ | PROT_WRITE) &&
	    mprotect(fresh, len, prot) == -1) ||
	    mremap(fresh, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
	    (void *)lo) == MAP_FAILED)
		munmap(fresh, len);
}

static int
parse_prot(const char *perms)
{
	return (perms[0] == 'r' ? PROT_READ : 0) |
	    (perms[1] == 'w' ? PROT_WRITE : 0) |
	    (perms[2] == 'x' ? PROT_EXEC : 0);
}

/*
 * A mapping's header line of smaps: "lo-hi perms offset dev inode path".
 * Readable private mappings of data are candidates; whether data is in
 * one is known from its Anonymous: line (a read-only one written before,
 * as RELRO is) or its being writable.
 */
static bool
parse_header(const char *line, struct region *r)
{
	char perms[5];
	int name = 0;

	if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %4s %*s %*s %*s %n",
	    &r->lo, &r->hi, perms, &name) != 3)
		return false;
	r->prot = parse_prot(perms);
	r->stack = strncmp(line + name, "[stack]", 7) == 0;
	/*
	 * Not code, which stays the file's (a debugger's breakpoints make
	 * private pages there, and profilers name what runs by its file);
	 * nor [vvar], [vdso] and the like: the kernel's own.
	 */
	r->mine = perms[0] == 'r' && perms[2] != 'x' && perms[3] == 'p' &&
	    (line[name] != '[' || r->stack ||
	    strncmp(line + name, "[heap]", 6) == 0);
	r->owned = r->mine && (perms[1] == 'w' || r->stack);
	return true;
}

/* The mappings of this process; -1 if they cannot be read. */
static int
regions(struct region *r, int max)
{
	char *buf, *line, *next;
	size_t len = 0;
	ssize_t n;
	int fd, count = -1;

	if ((fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	buf = mmap(NULL, SMAPS_MAX, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		close(fd);
		return -1;
	}
	while (len < SMAPS_MAX - 1 &&
	    (n = read(fd, buf + len, SMAPS_MAX - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	if (len < SMAPS_MAX - 1) {
		count = 0;
		for (line = buf; line != NULL && *line != '\0'; line = next) {
			unsigned long kb;

			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			if (count < max && parse_header(line, &r[count]))
				count++;
			else if (count > 0 && sscanf(line, "Anonymous: %lu kB",
			    &kb) == 1 && kb > 0)
				r[count - 1].owned |= r[count - 1].mine;
		}
		if (count == max)
			count = -1;
	}
	munmap(buf, SMAPS_MAX);
	return count;
}

void
ownmem_image(void)
{
	struct region r[MAX_REGIONS];
	int n;

	if (!is_static() || (n = regions(r, MAX_REGIONS)) == -1)
		return;
	for (int i = 0, j; i < n; i = j) {
		uintptr_t hi = r[i].hi;

		j = i + 1;
		if (!r[i].owned || r[i].stack)
			continue;
		/*
		 * Neighbours alike (the executable's data and its bss) made
		 * one mapping: one fewer for every clone to copy and link.
		 */
		while (j < n && r[j].owned && !r[j].stack && r[j].lo == hi &&
		    r[j].prot == r[i].prot)
			hi = r[j++].hi;
		own(r[i].lo, hi, r[i].prot);
	}
}

void
ownmem_stack(const void *keep)
{
	struct region r[MAX_REGIONS];
	uintptr_t cut = (uintptr_t)keep & ~(uintptr_t)(PAGE - 1);
	int n;

	if (!is_static() || (n = regions(r, MAX_REGIONS)) == -1)
		return;
	for (int i = 0; i < n; i++) {
		if (!r[i].stack || cut < r[i].lo || r[i].hi <= cut)
			continue;
		if (cut > r[i].lo)
			munmap((void *)r[i].lo, cut - r[i].lo);
		own(cut, r[i].hi, r[i].prot);
	}
}
