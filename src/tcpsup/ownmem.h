/*
 * ownmem.h -- memory of its own, for a process that is cloned for every
 * connection (the echo_spawner).
 *
 * A forked process's private pages stay linked to those of each ancestor
 * they came from (the kernel's anon_vma chain): the spawner's to the
 * root's, tcp_client_sup's and its own. Every clone adds each of its
 * mappings to every tree on that chain, and every exit takes them out;
 * each tree holds every live worker, so each step costs O(log n). Copied
 * into mappings made afresh, the spawner's memory chains to itself alone,
 * and a worker's mappings join one tree each instead of three (BENCH.md).
 *
 * Only a static executable does this: there every mapping is tcpsup's own.
 * The dynamic builds are those of the sanitizers and of valgrind, whose
 * runtimes keep mappings of their own; there both calls do nothing.
 */
#ifndef TCPSUP_OWNMEM_H
#define TCPSUP_OWNMEM_H

/*
 * Copy every private mapping that holds or may hold data of this process
 * (the executable's data and bss, the heap), except the stack it runs on,
 * into one made afresh at the same place, with the same protection;
 * neighbours with the same protection into one. Pages that hold only
 * zeros are left out. A mapping that cannot be copied stays as it was.
 */
void	ownmem_image(void);

/*
 * The same for [stack], once this process has moved to another stack for
 * good (sandbox_run_on()): only its part from keep's page up is kept,
 * where main()'s frame and the argument strings are; the dead frames
 * below are unmapped. Nothing happens if keep is not on [stack].
 */
void	ownmem_stack(const void *keep);

#endif
