/*
 * ctl_path.c -- the control socket's default place (see ctl_path.h).
 */
#include <sys/un.h>

#include <stdio.h>
#include <string.h>

#include "ctl_path.h"

int
ctl_path_default(char *buf, size_t size, int port, uid_t uid,
    const char *runtime_dir)
{
	struct sockaddr_un sun;
	int n;

	if (runtime_dir != NULL && runtime_dir[0] == '/')
		n = snprintf(buf, size, "%s/tcpsup/%d.sock", runtime_dir, port);
	else if (uid == 0)
		n = snprintf(buf, size, "/run/tcpsup/%d.sock", port);
	else
		n = snprintf(buf, size, "/tmp/tcpsup-%lu/%d.sock",
		    (unsigned long)uid, port);
	if (n < 0 || (size_t)n >= size || (size_t)n >= sizeof(sun.sun_path))
		return -1;
	return 0;
}

int
ctl_path_dir(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (slash == NULL) {
		if (size < 2)
			return -1;
		strlcpy(buf, ".", size);
		return 0;
	}
	len = slash == path ? 1 : (size_t)(slash - path);
	if (len >= size)
		return -1;
	memcpy(buf, path, len);
	buf[len] = '\0';
	return 0;
}
