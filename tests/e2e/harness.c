/*
 * harness.c -- drive the real tcpsup binary for the end-to-end suites.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

void	(*ts_before_exec)(void);

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
ts_now_ms(void)
{
	return now_ms();
}

int
ts_slow(void)
{
	const char *s = getenv("TS_SLOW");
	int n = s != NULL ? atoi(s) : 1;

	return n > 1 ? n : 1;
}

/* A test's wait, stretched for a daemon that runs ts_slow() times slower. */
static int
slow_ms(int timeout_ms)
{
	return timeout_ms * ts_slow();
}

const char *
ts_wrapper(void)
{
	const char *w = getenv("TS_WRAPPER");

	return w != NULL && *w != '\0' ? w : NULL;
}

static void
die(const char *what)
{
	perror(what);
	abort();
}

/* When pid started, in clock ticks after boot (/proc/PID/stat); 0: gone. */
static unsigned long long
start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	/* Field 22; the name before it may hold spaces, so skip past ")". */
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u"
	    " %*d %*d %*d %*d %*d %*d %llu", &start) != 1)
		start = 0;
	fclose(f);
	return start;
}

static void
remember(struct tcpsup *ts, pid_t pid)
{
	for (size_t i = 0; i < ts->nseen; i++)
		if (ts->seen[i] == pid)
			return;
	if (ts->nseen < TS_MAX_PIDS) {
		ts->seen_start[ts->nseen] = start_time(pid);
		ts->seen[ts->nseen++] = pid;
	}
}

/*
 * Run bin as argv0 -l 127.0.0.1:0 args... (or argv0 args... if not
 * any_port), stderr to a file of ts's.
 */
static void
spawn(struct tcpsup *ts, const char *bin, const char *argv0,
    const char *const *args, bool any_port)
{
	const char *argv[64] = { argv0, "-l", "127.0.0.1:0" };
	const char *wrapper = ts_wrapper();
	size_t n = any_port ? 3 : 1;
	pid_t parent = getpid();
	char path[] = "/tmp/tcpsup-e2e-XXXXXX";
	int logfd;

	/* tcpsup through the wrapper, given the binary first: wrapper bin ... */
	if (wrapper != NULL && any_port) {
		memmove(argv + 1, argv, n * sizeof(*argv));
		argv[0] = wrapper;
		argv[1] = bin;
		bin = wrapper;
		n++;
	}
	for (; args != NULL && *args != NULL && n < 63; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	memset(ts, 0, sizeof(*ts));
	/*
	 * A file, not a pipe: the daemon's reports must never block on a test
	 * that is busy elsewhere. O_APPEND keeps each report's write whole.
	 */
	if ((logfd = mkostemp(path, O_APPEND | O_CLOEXEC)) == -1)
		die("mkostemp");
	unlink(path);
	if ((ts->pid = fork()) == -1)
		die("fork");
	if (ts->pid == 0) {
		/* If the test dies, so does its daemon, and with it the tree. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		dup2(logfd, STDERR_FILENO);
		if (ts_before_exec != NULL)
			ts_before_exec();
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	ts->err_fd = logfd;
	remember(ts, ts->pid);
}

const char *
ts_bin(void)
{
	const char *bin = getenv("TCPSUP_BIN");

	return bin != NULL ? bin : "build/src/tcpsup/tcpsup";
}

void
ts_spawn(struct tcpsup *ts, const char *const *args)
{
	spawn(ts, ts_bin(), "tcpsup", args, true);
}

void
ts_spawn_path(struct tcpsup *ts, const char *path, const char *const *args)
{
	spawn(ts, path, path, args, false);
}

/*
 * Wait for the application's start report, read the port it names, and
 * wait until both children have titled themselves: the root reports a
 * child started once fork returns, which may be before the child ran.
 */
bool
ts_started(struct tcpsup *ts, int timeout_ms)
{
	const char *p;

	/* The application's start report, in either format. */
	if (!ts_wait_log(ts, 0, "started_at", timeout_ms) ||
	    (p = ts_find(ts, 0, "127.0.0.1:")) == NULL)
		return false;
	ts->port = atoi(p + strlen("127.0.0.1:"));
	return ts_wait_child(ts, ts->pid, "tcp_listener", 0, timeout_ms) != 0 &&
	    ts_wait_child(ts, ts->pid, "tcp_client_sup", 0, timeout_ms) != 0;
}

static void
wait_started(struct tcpsup *ts)
{
	if (!ts_started(ts, 5000)) {
		fprintf(stderr, "tcpsup did not start, or its children have"
		    " no titles:\n%s\n", ts->log);
		abort();
	}
}

void
ts_start(struct tcpsup *ts, const char *const *args)
{
	ts_spawn(ts, args);
	wait_started(ts);
}

void
ts_start_path(struct tcpsup *ts, const char *path, const char *const *args)
{
	spawn(ts, path, path, args, true);
	wait_started(ts);
}

/* Take in what the daemon wrote since; if nothing, wait up to timeout_ms. */
static bool
read_some(struct tcpsup *ts, int timeout_ms)
{
	ssize_t n;

	if (ts->cap - ts->len < 4096) {
		ts->cap = ts->cap * 2 + 8192;
		if ((ts->log = realloc(ts->log, ts->cap)) == NULL)
			die("realloc");
		/* A fresh buffer may hold a previous daemon's log. */
		ts->log[ts->len] = '\0';
	}
	n = pread(ts->err_fd, ts->log + ts->len, ts->cap - ts->len - 1,
	    (off_t)ts->len);
	if (n <= 0) {
		poll(NULL, 0, timeout_ms < 5 ? timeout_ms : 5);
		return false;
	}
	ts->len += (size_t)n;
	ts->log[ts->len] = '\0';
	return true;
}

const char *
ts_find(const struct tcpsup *ts, size_t from, const char *needle)
{
	if (ts->log == NULL || from > ts->len)
		return NULL;
	return strstr(ts->log + from, needle);
}

size_t
ts_strcount(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

size_t
ts_count(struct tcpsup *ts, size_t from, const char *needle)
{
	/* Read all there is: a byte that never comes, for 20 ms. */
	ts_wait_log(ts, from, "\x01", 20);
	if (ts->log == NULL || from > ts->len)
		return 0;
	return ts_strcount(ts->log + from, needle);
}

bool
ts_wait_log(struct tcpsup *ts, size_t from, const char *needle, int timeout_ms)
{
	int64_t deadline = now_ms() + slow_ms(timeout_ms);

	for (;;) {
		int64_t left = deadline - now_ms();

		if (ts_find(ts, from, needle) != NULL)
			return true;
		if (left <= 0)
			return false;
		read_some(ts, (int)left);
	}
}

bool
ts_wait_exit(struct tcpsup *ts, int timeout_ms)
{
	int64_t deadline = now_ms() + slow_ms(timeout_ms);

	while (!ts->exited) {
		pid_t r = waitpid(ts->pid, &ts->status, WNOHANG);

		if (r == ts->pid) {
			ts->exited = true;
			break;
		}
		if (now_ms() >= deadline)
			return false;
		read_some(ts, 20);
	}
	while (read_some(ts, 0))
		;
	return true;
}

static size_t
walk(struct tcpsup *ts, pid_t pid)
{
	pid_t kids[TS_MAX_PIDS];
	size_t n = ts_children(ts, pid, "", kids, TS_MAX_PIDS), total = n;

	for (size_t i = 0; i < n; i++)
		total += walk(ts, kids[i]);
	return total;
}

void
ts_cleanup(struct tcpsup *ts)
{
	char path[128];
	struct stat st;

	if (ts->pid <= 0)
		return;
	if (!ts->exited) {
		walk(ts, ts->pid);
		/* A wrapper checking at exit (valgrind) needs an exit. */
		if (ts_wrapper() != NULL && kill(ts->pid, SIGTERM) == 0)
			ts_wait_exit(ts, 5000);
		if (!ts->exited) {
			kill(ts->pid, SIGKILL);
			ts_wait_exit(ts, 5000);
		}
	}
	/* A daemon killed leaves its control socket behind: take it away. */
	if (ts_ctl_path(ts, path, sizeof(path)) && lstat(path, &st) == 0 &&
	    S_ISSOCK(st.st_mode))
		unlink(path);
	/* Belt and braces: the links should already have done this. */
	for (size_t i = 0; i < ts->nseen; i++) {
		char title[256];

		/* The same process, not another that got its pid since. */
		if (ts_title(ts->seen[i], title, sizeof(title)) &&
		    strncmp(title, "tcpsup: ", 8) == 0 &&
		    ts->seen_start[i] != 0 &&
		    start_time(ts->seen[i]) == ts->seen_start[i])
			kill(ts->seen[i], SIGKILL);
	}
	if (ts->err_fd > 0)
		close(ts->err_fd);
	free(ts->log);
	ts->log = NULL;
	ts->pid = 0;
}

/* A small /proc file, NUL-terminated; false if it cannot be read. */
static bool
read_proc(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

/*
 * The address of the TCP socket with that inode, from the table of
 * /proc/PID/net/tcp (IPv4) or tcp6, as tcpsup writes it: its peer's, or
 * with local, its own; and whether it is listening. False if not found.
 */
static bool
tcp_addr(pid_t pid, const char *table, unsigned long inode, bool local,
    char *out, size_t size, bool *listening)
{
	char path[64], line[512], hex[2][40], host[INET6_ADDRSTRLEN];
	unsigned int port[2], state;
	unsigned long ino;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, table);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		uint32_t words[4];
		int i = local ? 0 : 1;

		if (sscanf(line, " %*s %39[0-9A-F]:%x %39[0-9A-F]:%x %x %*s %*s"
		    " %*s %*u %*u %lu", hex[0], &port[0], hex[1], &port[1],
		    &state, &ino) != 6 || ino != inode)
			continue;
		/* Each 32-bit word of the address in the kernel's own order. */
		for (size_t w = 0; w < strlen(hex[i]) / 8 && w < 4; w++)
			sscanf(hex[i] + 8 * w, "%8x", &words[w]);
		if (strlen(hex[i]) == 8) {
			inet_ntop(AF_INET, words, host, sizeof(host));
			snprintf(out, size, "%s:%u", host, port[i]);
		} else {
			inet_ntop(AF_INET6, words, host, sizeof(host));
			snprintf(out, size, "[%s]:%u", host, port[i]);
		}
		*listening = state == 0x0A;
		found = true;
	}
	fclose(f);
	return found;
}

/*
 * The address a title names: of a worker, its client's (the socket that
 * is not listening); of the listener, its own. False if pid holds none.
 */
static bool
title_addr(pid_t pid, bool listener, char *out, size_t size)
{
	char path[64], link[64];
	struct dirent *d;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((dir = opendir(path)) == NULL)
		return false;
	while (!found && (d = readdir(dir)) != NULL) {
		unsigned long inode;
		char fdpath[384];
		bool listening;
		ssize_t n;

		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, d->d_name);
		if ((n = readlink(fdpath, link, sizeof(link) - 1)) <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%lu]", &inode) != 1)
			continue;
		found = (tcp_addr(pid, "tcp", inode, listener, out, size,
		    &listening) || tcp_addr(pid, "tcp6", inode, listener, out,
		    size, &listening)) && listening == listener;
	}
	closedir(dir);
	return found;
}

/*
 * Under a wrapper (valgrind), the title tcpsup writes over its arguments
 * lies in memory the kernel does not show: /proc/PID/cmdline is the
 * wrapper's. Make it up again from what the kernel shows: the name tcpsup
 * gives the process (comm, the title's first word) and the address the
 * title would name. Leaves buf alone for a process tcpsup has not named.
 */
static void
made_up_title(pid_t pid, char *buf, size_t size)
{
	char comm[32], addr[80];

	if (!read_proc(pid, "comm", comm, sizeof(comm)))
		return;
	comm[strcspn(comm, "\n")] = '\0';
	if (strncmp(comm, "tcp_", 4) != 0 && strcmp(comm, "echo_spawner") != 0)
		return;
	if ((strcmp(comm, "tcp_echo_fsm") == 0 &&
	    title_addr(pid, false, addr, sizeof(addr))) ||
	    (strcmp(comm, "tcp_listener") == 0 &&
	    title_addr(pid, true, addr, sizeof(addr))))
		snprintf(buf, size, "tcpsup: %s %s", comm, addr);
	else
		snprintf(buf, size, "tcpsup: %s", comm);
}

bool
ts_title(pid_t pid, char *buf, size_t size)
{
	if (!read_proc(pid, "cmdline", buf, size))
		return false;
	if (ts_wrapper() != NULL && strncmp(buf, "tcpsup: ", 8) != 0)
		made_up_title(pid, buf, size);
	return true;
}

size_t
ts_children(struct tcpsup *ts, pid_t parent, const char *prefix, pid_t *out,
    size_t max)
{
	char path[96], title[256];
	size_t n = 0;
	int pid;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)parent,
	    (int)parent);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (n < max && fscanf(f, "%d", &pid) == 1) {
		/* NULL: any child, titled or a program --exec runs. */
		if (prefix != NULL && (!ts_title(pid, title, sizeof(title)) ||
		    strncmp(title, "tcpsup: ", 8) != 0 ||
		    strncmp(title + 8, prefix, strlen(prefix)) != 0))
			continue;
		remember(ts, pid);
		out[n++] = pid;
	}
	fclose(f);
	return n;
}

pid_t
ts_child(struct tcpsup *ts, pid_t parent, const char *prefix)
{
	pid_t pid;

	return ts_children(ts, parent, prefix, &pid, 1) == 1 ? pid : 0;
}

pid_t
ts_wait_child(struct tcpsup *ts, pid_t parent, const char *prefix, pid_t old,
    int timeout_ms)
{
	int64_t deadline = now_ms() + slow_ms(timeout_ms);

	do {
		pid_t pid = ts_child(ts, parent, prefix);

		if (pid != 0 && pid != old)
			return pid;
		poll(NULL, 0, 5);
	} while (now_ms() < deadline);
	return 0;
}

pid_t
ts_worker_of(struct tcpsup *ts, pid_t client_sup, int fd, int timeout_ms)
{
	char title[64];

	snprintf(title, sizeof(title), "tcp_echo_fsm 127.0.0.1:%d",
	    ts_local_port(fd));
	return ts_wait_child(ts, client_sup, title, 0, timeout_ms);
}

/* The state letter of /proc/PID/stat, or 0 if there is no such process. */
static char
proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The state follows the last ')' of the command name. */
	if ((p = strrchr(buf, ')')) == NULL || p[1] == '\0')
		return 0;
	return p[2];
}

bool
ts_alive(pid_t pid)
{
	char state = proc_state(pid);

	return state != 0 && state != 'Z' && state != 'X';
}

bool
ts_stop_process(pid_t pid, int timeout_ms)
{
	int64_t deadline = now_ms() + slow_ms(timeout_ms);

	/* SIGSTOP is acted on when the target next runs: wait for it. */
	if (kill(pid, SIGSTOP) == -1)
		return false;
	while (proc_state(pid) != 'T') {
		if (now_ms() >= deadline)
			return false;
		poll(NULL, 0, 1);
	}
	return true;
}

bool
ts_wait_gone(pid_t pid, int timeout_ms)
{
	int64_t deadline = now_ms() + slow_ms(timeout_ms);

	while (ts_alive(pid)) {
		if (now_ms() >= deadline)
			return false;
		poll(NULL, 0, 5);
	}
	return true;
}

bool
ts_all_gone(struct tcpsup *ts, int timeout_ms)
{
	for (size_t i = 0; i < ts->nseen; i++)
		if (ts->seen[i] != ts->pid && !ts_wait_gone(ts->seen[i], timeout_ms))
			return false;
	return true;
}

int
ts_connect(const struct tcpsup *ts)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)ts->port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct timeval tv = { .tv_sec = 5 * ts_slow() };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
ts_connect_echoed(const struct tcpsup *ts)
{
	char buf[8];
	int fd = ts_connect(ts);

	if (fd == -1)
		return -1;
	if (ts_send_frame(fd, "hello", 5) == -1 ||
	    ts_recv_frame(fd, buf, sizeof(buf)) != 5 || memcmp(buf, "hello", 5)) {
		close(fd);
		return -1;
	}
	return fd;
}

int
ts_free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1)
		die("socket");
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

int
ts_local_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		return -1;
	return ntohs(sin.sin_port);
}

int
ts_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t
ts_read_exact(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = recv(fd, p + got, n - got, 0);

		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int
ts_send_frame(int fd, const void *payload, size_t len)
{
	unsigned char hdr[2] = { (unsigned char)(len >> 8), (unsigned char)len };

	if (len > 0xffff || ts_write(fd, hdr, 2) == -1)
		return -1;
	return ts_write(fd, payload, len);
}

ssize_t
ts_recv_frame(int fd, void *payload, size_t size)
{
	unsigned char hdr[2];
	size_t len;

	if (ts_read_exact(fd, hdr, 2) == -1)
		return -1;
	len = (size_t)hdr[0] << 8 | hdr[1];
	if (len > size)
		return -1;
	if (len > 0 && ts_read_exact(fd, payload, len) == -1)
		return -1;
	return (ssize_t)len;
}

bool
ts_closed_by_peer(int fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&pfd, 1, slow_ms(timeout_ms)) <= 0)
		return false;
	return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

int
ts_capture(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (p == NULL)
		return -1;
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	return pclose(p);
}

bool
ts_ctl_path(const struct tcpsup *ts, char *buf, size_t size)
{
	static const char sasl[] = "    control: ", json[] = "\"control\":\"";
	const char *p;
	size_t len;

	if ((p = ts_find(ts, 0, sasl)) != NULL)
		p += strlen(sasl);
	else if ((p = ts_find(ts, 0, json)) != NULL)
		p += strlen(json);
	else
		return false;
	len = strcspn(p, "\"\n");
	if (len >= size)
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return true;
}

int
ts_ctl_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 5 * ts_slow() };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1 || strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

ssize_t
ts_ctl_read(int fd, char *reply, size_t size)
{
	size_t got = 0;

	for (;;) {
		ssize_t n;

		if (got + 1 >= size)
			return -1;
		n = recv(fd, reply + got, size - got - 1, 0);
		if (n > 0) {
			got += (size_t)n;
			continue;
		}
		/* The daemon closes with our unread bytes: a reset after data. */
		if (n == 0 || (errno == ECONNRESET && got > 0))
			break;
		return -1;
	}
	reply[got] = '\0';
	return (ssize_t)got;
}

ssize_t
ts_ctl(const char *path, const char *request, size_t len, char *reply,
    size_t size)
{
	int fd = ts_ctl_connect(path);
	ssize_t n;

	if (fd == -1)
		return -1;
	/* A refusal may come, and the socket close, before the request went. */
	ts_write(fd, request, len);
	n = ts_ctl_read(fd, reply, size);
	close(fd);
	return n;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void
ts_remove_tree(const char *dir)
{
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}
