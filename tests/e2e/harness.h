/*
 * harness.h -- run the real tcpsup binary as a user would, for the
 * end-to-end suites: start it on an ephemeral loopback port, read its
 * reports, talk {packet,N} to it, find its processes in /proc, signal
 * them, and make sure nothing it started outlives the test.
 */
#ifndef TCPSUP_HARNESS_H
#define TCPSUP_HARNESS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TS_MAX_PIDS	256

struct tcpsup {
	pid_t	 pid;		/* the root, tcp_server_app */
	int	 err_fd;	/* its stderr: a file */
	char	*log;		/* everything it wrote to stderr so far */
	size_t	 len;
	size_t	 cap;
	int	 port;
	int	 status;	/* wait status, once it exited */
	bool	 exited;
	pid_t	 seen[TS_MAX_PIDS];	/* every tree member ever looked at */
	unsigned long long seen_start[TS_MAX_PIDS];	/* and when it started */
	size_t	 nseen;
};

/*
 * Start tcpsup -l 127.0.0.1:0 plus args (NULL-terminated) and wait for
 * the application's start report and for its two children to carry their
 * titles. The child dies with the test process.
 */
void	ts_start(struct tcpsup *, const char *const *args);

/* The same, through path, which is also its argv[0]: a copy installed elsewhere. */
void	ts_start_path(struct tcpsup *, const char *path, const char *const *args);

/*
 * If set, run in the child just before exec, stderr already the log file:
 * to start tcpsup as an odd parent would (signals ignored, descriptors
 * closed, stderr a pipe).
 */
extern void	(*ts_before_exec)(void);

/* The binary under test: $TCPSUP_BIN, or the build directory's. */
const char *ts_bin(void);

/*
 * $TS_WRAPPER: a program the daemon runs under (scripts/memcheck's
 * valgrind), given the binary and its arguments; NULL if none. Titles are
 * then made up from each process's name and sockets (ts_title).
 */
const char *ts_wrapper(void);

/*
 * $TS_SLOW (default 1): how many times slower the daemon runs (under
 * valgrind, some 20); every wait of the harness is stretched by it.
 */
int	ts_slow(void);

/* Start without waiting for anything (for failing starts). */
void	ts_spawn(struct tcpsup *, const char *const *args);

/*
 * path args..., without waiting and without -l: a program that runs
 * tcpsup (systemd-socket-activate), killed and reaped as tcpsup would be.
 */
void	ts_spawn_path(struct tcpsup *, const char *path, const char *const *args);

/*
 * After ts_spawn: what ts_start waits for (the start report, the port, the
 * children's titles); false if it did not come within timeout_ms.
 */
bool	ts_started(struct tcpsup *, int timeout_ms);

/* Wait until needle appears in stderr at or after offset from. */
bool	ts_wait_log(struct tcpsup *, size_t from, const char *needle,
	    int timeout_ms);

/* Where needle first appears at or after from, or NULL. */
const char *ts_find(const struct tcpsup *, size_t from, const char *needle);

/* How often needle appears in text. */
size_t	ts_strcount(const char *text, const char *needle);

/* How often needle appears at or after from, in all stderr has so far. */
size_t	ts_count(struct tcpsup *, size_t from, const char *needle);

/* Wait for the root to exit; false on timeout. */
bool	ts_wait_exit(struct tcpsup *, int timeout_ms);

/*
 * SIGKILL the root if it still runs, reap it, check its tree is gone, and
 * remove the control socket it leaves behind.
 */
void	ts_cleanup(struct tcpsup *);

/*
 * The direct children of pid whose title starts with "tcpsup: " prefix,
 * or all of them if prefix is NULL (the programs of --exec).
 */
size_t	ts_children(struct tcpsup *, pid_t parent, const char *prefix,
	    pid_t *out, size_t max);
pid_t	ts_child(struct tcpsup *, pid_t parent, const char *prefix);

/* Wait until parent has a child titled prefix that is not old. */
pid_t	ts_wait_child(struct tcpsup *, pid_t parent, const char *prefix,
	    pid_t old, int timeout_ms);

/* Stop pid (SIGSTOP) and wait until it is stopped; false on timeout. */
bool	ts_stop_process(pid_t, int timeout_ms);

/*
 * The worker of client_sup serving connection fd, found by its title
 * "tcp_echo_fsm 127.0.0.1:<fd's local port>"; 0 if none within timeout_ms.
 */
pid_t	ts_worker_of(struct tcpsup *, pid_t client_sup, int fd, int timeout_ms);

/* Alive and not a zombie. */
bool	ts_alive(pid_t);
bool	ts_wait_gone(pid_t, int timeout_ms);

/* Every process the test has seen in the tree is gone (within timeout). */
bool	ts_all_gone(struct tcpsup *, int timeout_ms);

/* A title as ps shows it. */
bool	ts_title(pid_t, char *buf, size_t size);

/* CLOCK_MONOTONIC in ms, for the tests' own deadlines. */
int64_t	ts_now_ms(void);

/* A loopback port free now, for a daemon whose stderr cannot be read. */
int	ts_free_port(void);

/* A blocking TCP connection to the daemon, with a receive timeout. */
int	ts_connect(const struct tcpsup *);
int	ts_local_port(int fd);

/*
 * Connect and check that a {packet,2} frame comes back: a connection that
 * a worker is serving. Returns the descriptor, or -1.
 */
int	ts_connect_echoed(const struct tcpsup *);

/* Send a {packet,2} frame / read one back; -1 on error or timeout. */
int	ts_send_frame(int fd, const void *payload, size_t len);
ssize_t	ts_recv_frame(int fd, void *payload, size_t size);

/* Write all / read exactly n bytes, with the socket's timeouts. */
int	ts_write(int fd, const void *buf, size_t len);
ssize_t	ts_read_exact(int fd, void *buf, size_t n);

/* True if the peer closed (EOF or reset) within timeout_ms. */
bool	ts_closed_by_peer(int fd, int timeout_ms);

/* The control socket's path, from the "control" INFO REPORT. */
bool	ts_ctl_path(const struct tcpsup *, char *buf, size_t size);

/* A blocking connection to the control socket at path, 5 s timeouts. */
int	ts_ctl_connect(const char *path);

/*
 * Read what the daemon sends on fd until it closes (EOF, or a reset after
 * some data), NUL-terminated; -1 on a timeout or another error.
 */
ssize_t	ts_ctl_read(int fd, char *reply, size_t size);

/*
 * One exchange: connect, send len bytes of request, read the reply (also
 * when the daemon refused the connection before the request was sent).
 */
ssize_t	ts_ctl(const char *path, const char *request, size_t len,
	    char *reply, size_t size);

/* Run a shell command, capture its stdout (NUL-terminated). */
int	ts_capture(const char *cmd, char *out, size_t size);

/* Remove dir and everything below it (a test's temporary directory). */
void	ts_remove_tree(const char *dir);

#endif
