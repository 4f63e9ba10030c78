/*
 * sdlisten.h -- systemd socket activation, with sd_listen_fds(3)'s
 * semantics and without libsystemd: $LISTEN_PID must be this process,
 * $LISTEN_FDS descriptors start at 3, $LISTEN_FDNAMES names them
 * (colon-separated). The variables are unset once read, so that no child
 * takes the sockets for its own.
 *
 * tcpsup listens on one socket: the one named "listen" if names are
 * given (FileDescriptorName=listen in tcpsup.socket), or the only one.
 */
#ifndef TCPSUP_SDLISTEN_H
#define TCPSUP_SDLISTEN_H

#include <sys/types.h>

#include <stddef.h>

/* The first descriptor systemd passes, SD_LISTEN_FDS_START. */
#define SDLISTEN_FDS_START	3

/* What we accept: more would be a unit written for another program. */
#define SDLISTEN_MAX_FDS	64

/* The name tcpsup looks for among several sockets. */
#define SDLISTEN_NAME		"listen"

/*
 * From the variables' values (NULL if unset) and our pid: the number of
 * descriptors passed to us (0 if none: LISTEN_PID unset or another's),
 * and in *index which of them to listen on. Returns -1 with why set if
 * they are malformed or none fits. Pure.
 */
int	sdlisten_parse(const char *listen_pid, const char *listen_fds,
	    const char *listen_fdnames, pid_t self, int *index, char *why,
	    size_t whysize);

/*
 * Take the listening socket systemd passed: *fd is it, or -1 if tcpsup
 * was not socket-activated. Every passed descriptor is made close-on-exec,
 * those not used are closed, the variables are unset. Returns -1 with why
 * set if the variables are bad or the socket is no listening TCP socket.
 */
int	sdlisten_take(int *fd, char *why, size_t whysize);

#endif
