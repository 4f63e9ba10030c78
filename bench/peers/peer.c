/*
 * peer.c -- what the two C peers share (see peer.h).
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <err.h>
#include <stdlib.h>

#include "peer.h"

int
peer_listen(const char *port_arg, int extra_type)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	const char *errstr;
	int fd, one = 1;
	long long port;

	port = strtonum(port_arg, 1, 65535, &errstr);
	if (errstr != NULL)
		errx(64, "port %s: %s", port_arg, errstr);
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | extra_type, 0)) == -1)
		err(71, "socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1)
		err(71, "SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(69, "bind 127.0.0.1:%lld", port);
	if (listen(fd, BACKLOG) == -1)
		err(71, "listen");
	return fd;
}

size_t
complete_frames(const uint8_t *buf, size_t len)
{
	size_t pos = 0;

	while (len - pos >= 2) {
		size_t frame = 2 + ((size_t)buf[pos] << 8 | buf[pos + 1]);

		if (len - pos < frame)
			break;
		pos += frame;
	}
	return pos;
}
