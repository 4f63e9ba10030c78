/*
 * exec_env.c -- a program's environment for its connection (exec_env.h).
 * Pure: no allocation, no system call; a forked worker calls it just
 * before execve(2).
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "exec_env.h"

/* Set for every connection, or unset whatever --keep-env brought. */
static const char *const ucspi_names[] = {
	"PROTO", "TCPLOCALIP", "TCPLOCALPORT", "TCPLOCALHOST", "TCPREMOTEIP",
	"TCPREMOTEPORT", "TCPREMOTEHOST", "TCPREMOTEINFO",
};

/* Does the NAME=VALUE entry name the variable name (of len bytes)? */
static bool
names(const char *entry, const char *name, size_t len)
{
	return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

static size_t
name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq == NULL ? strlen(entry) : (size_t)(eq - entry);
}

/* Set later: by tcpsup, or by an --env at or after index from. */
static bool
overridden(const struct options *o, const char *entry, int from)
{
	size_t len = name_len(entry);

	for (size_t i = 0; i < sizeof(ucspi_names) / sizeof(ucspi_names[0]);
	    i++)
		if (strlen(ucspi_names[i]) == len &&
		    strncmp(entry, ucspi_names[i], len) == 0)
			return true;
	for (int i = from; i < o->nenv; i++)
		if (names(o->env[i], entry, len))
			return true;
	return false;
}

void
exec_env_ip(const struct addr *a, char *buf, size_t size)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;

	buf[0] = '\0';
	if (a->ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &s4->sin_addr, buf, (socklen_t)size);
	else if (a->ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], buf,
		    (socklen_t)size);
	else if (a->ss.ss_family == AF_INET6)
		inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)size);
}

/* "NAME=VALUE" into buf at *used; its start. */
static char *
put(char *buf, size_t *used, const char *name, const char *value)
{
	char *s = buf + *used;
	int n = snprintf(s, EXEC_ENV_BUFSIZE - *used, "%s=%s", name, value);

	*used += (size_t)n + 1;
	return s;
}

int
exec_env_build(const struct options *o, char *const *inherited,
    const struct addr *local, const struct addr *remote, char **envp,
    size_t max, char *buf)
{
	char ip[ADDR_STRLEN], port[8];
	size_t n = 0, used = 0;

	for (char *const *e = inherited; o->keep_env && e != NULL && *e != NULL;
	    e++) {
		if (overridden(o, *e, 0))
			continue;
		if (n + 1 >= max)
			return -1;
		envp[n++] = *e;
	}
	for (int i = 0; i < o->nenv; i++) {
		if (overridden(o, o->env[i], i + 1))
			continue;
		if (n + 1 >= max)
			return -1;
		envp[n++] = (char *)o->env[i];
	}
	if (n + 6 > max)
		return -1;
	envp[n++] = put(buf, &used, "PROTO", "TCP");
	exec_env_ip(local, ip, sizeof(ip));
	envp[n++] = put(buf, &used, "TCPLOCALIP", ip);
	snprintf(port, sizeof(port), "%d", addr_port(local));
	envp[n++] = put(buf, &used, "TCPLOCALPORT", port);
	exec_env_ip(remote, ip, sizeof(ip));
	envp[n++] = put(buf, &used, "TCPREMOTEIP", ip);
	snprintf(port, sizeof(port), "%d", addr_port(remote));
	envp[n++] = put(buf, &used, "TCPREMOTEPORT", port);
	envp[n] = NULL;
	return (int)n;
}
