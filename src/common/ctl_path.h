/*
 * ctl_path.h -- where a tcpsup listening on a port keeps its control
 * socket, so that tcpsupctl -p PORT finds the daemon without being told.
 * Pure.
 */
#ifndef TCPSUP_CTL_PATH_H
#define TCPSUP_CTL_PATH_H

#include <sys/types.h>

#include <stddef.h>

/*
 * $XDG_RUNTIME_DIR/tcpsup/PORT.sock when runtime_dir is an absolute path,
 * /run/tcpsup/PORT.sock for root, /tmp/tcpsup-UID/PORT.sock otherwise.
 * Returns -1 if it does not fit in size or in a sockaddr_un.
 */
int	ctl_path_default(char *buf, size_t size, int port, uid_t uid,
	    const char *runtime_dir);

/* The directory part of path, which tcpsup creates 0700. */
int	ctl_path_dir(const char *path, char *buf, size_t size);

#endif
