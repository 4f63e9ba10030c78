/*
 * sup.h -- the supervisor engine: OTP's supervisor behaviour for Unix
 * processes.
 *
 * One engine serves every supervisor of the tree, as OTP has one
 * supervisor module: child specs, restart types, the restart intensity
 * window, the shutdown protocol and the reports live here and nowhere else.
 * It knows nothing about TCP; a role gives it a table of child specs and,
 * if it needs to, descriptors to watch in its event loop.
 */
#ifndef TCPSUP_SUP_H
#define TCPSUP_SUP_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "options.h"	/* SHUTDOWN_BRUTAL_KILL, SHUTDOWN_INFINITY */

enum restart_type { RESTART_PERMANENT, RESTART_TRANSIENT, RESTART_TEMPORARY };
enum child_type { CHILD_WORKER, CHILD_SUPERVISOR };
enum sup_strategy { SUP_ONE_FOR_ONE, SUP_SIMPLE_ONE_FOR_ONE };

struct child_spec {
	const char		*id;		/* NULL prints as undefined */
	const char		*mfa;		/* {M,F,Args}, for reports */
	const char		*modules;	/* [Module], for which_children */
	enum restart_type	 restart;
	int			 shutdown;	/* ms, or SHUTDOWN_* */
	enum child_type		 type;
	/*
	 * Runs in the supervisor before each fork; may fail with an atom in
	 * reason (a start_error). NULL if there is nothing to prepare.
	 */
	int			(*setup)(void *arg, char *reason, size_t size);
	/*
	 * Runs in the child and must not return. extra is what
	 * sup_start_child() was given (OTP's extra args of a
	 * simple_one_for_one child), NULL for static children. It starts with
	 * the supervisor's signals still blocked: a nested supervisor keeps
	 * them so, anything else calls proc_unblock_signals().
	 */
	void			(*start)(void *arg, void *extra);
	/*
	 * Instead of fork and start: make the child some other way, as this
	 * supervisor's own child (CLONE_PARENT) that sends PROC_EXIT_SIGNAL
	 * when it exits (proc.h; a SIGCHLD would cost a sweep), and return
	 * its pid, or -1 with errno (EAGAIN, ENOMEM: a shortage). NULL: fork
	 * and start.
	 */
	pid_t			(*spawn)(void *arg, void *extra);
	/*
	 * With spawn and no setup: a child of a burst is about to be
	 * spawned (sup_start_batch()), so that it can be asked for before
	 * the spawn that collects it, which follows for the same extra and
	 * in the same order. NULL: each spawn asks and waits alone.
	 */
	void			(*spawn_ahead)(void *arg, void *extra);
	void			*arg;
};

struct sup_flags {
	const char		*name;		/* registered name */
	enum sup_strategy	 strategy;
	int			 intensity;
	int			 period;	/* seconds */
};

enum sup_exit {
	SUP_STOPPED,	/* told to stop (SIGTERM, SIGINT, SIGHUP) */
	SUP_GAVE_UP	/* reached its restart intensity */
};

struct sup;

/*
 * Create a supervisor in this process: block its signals and open its
 * event loop. For SUP_SIMPLE_ONE_FOR_ONE, specs is the one template.
 * Exits on failure: a supervisor that cannot be built has nothing to save.
 */
struct sup *sup_create(const struct sup_flags *,
	    const struct child_spec *specs, size_t nspecs);

/*
 * Start the static children in order, each with a PROGRESS REPORT. On a
 * failed start: a start_error report, the children already started are
 * stopped, why gets {shutdown,{failed_to_start_child,Id,Reason}}, -1.
 */
int	sup_start_children(struct sup *, char *why, size_t size);

/*
 * simple_one_for_one: start one child from the template, with extra. On
 * failure -1, errno EAGAIN for a shortage of processes or memory (its
 * start_error is reported once, until a start succeeds), else EINVAL.
 */
pid_t	sup_start_child(struct sup *, void *extra);

/*
 * sup_start_child() for each of n extras, in order, with pid[i] its pid
 * or -1 and err[i] its errno. The template's spawn_ahead is told of them
 * all first: one wait for a burst, not one for each child.
 */
#define SUP_BATCH_MAX	64
void	sup_start_batch(struct sup *, void *const extra[], size_t n,
	    pid_t pid[], int err[]);

/*
 * Call on_ready(ctx) from the event loop whenever fd is readable (or, for
 * sup_watch_out, writable), and on a hang-up or an error. on_ready may be
 * called once more after the event it was for has been handled: it must
 * not block. A descriptor watched here belongs to the supervisor: its
 * children close it as they start.
 */
void	sup_watch(struct sup *, int fd, void (*on_ready)(void *), void *ctx);
void	sup_watch_out(struct sup *, int fd, void (*on_ready)(void *), void *ctx);
void	sup_unwatch(struct sup *, int fd);

/*
 * Call on_exit(ctx, pid) after each child's exit has been handled (its
 * report printed, its restart done), so that a role can drop what it kept
 * about that child. Not called while the supervisor stops its children.
 */
void	sup_on_exit(struct sup *, void (*on_exit)(void *, pid_t), void *ctx);

/*
 * Call on_reaped(ctx, pid, reason) as soon as a child's exit is reaped,
 * before anything is reported or restarted: a role may first say what it
 * still has from that child (a program's last lines on stderr). If it
 * returns false for a temporary child, the role has reported the exit in
 * its own words (a program that could not be executed: a start_error),
 * and the engine reports nothing. Called while the supervisor stops its children too,
 * where its answer changes nothing.
 */
struct reason;
void	sup_on_reaped(struct sup *,
	    bool (*on_reaped)(void *, pid_t, const struct reason *), void *ctx);

/*
 * Send sig to a child without waiting for it: the first step of its
 * shutdown when a role stops it on its own (a time limit). A SIGTERM
 * counts as the supervisor's, so that dying of it is a clean shutdown.
 * Returns -1 if pid is not a running child.
 */
int	sup_signal_child(struct sup *, pid_t, int sig);

/* Run until told to stop or until the restart intensity is reached. */
enum sup_exit sup_run(struct sup *);

/* Children alive right now. */
size_t	sup_count_children(const struct sup *);

/*
 * --- OTP's supervisor calls, for this supervisor's own children ---------
 *
 * Each returns NULL for ok, or the atom OTP puts in {error,Atom}
 * ("not_found", "running", "restarting", "simple_one_for_one", or a
 * start_error's reason). A child is named by its id or, as in OTP, by its
 * pid in decimal; simple_one_for_one children have no id.
 */

/* What which_children and a tree view show of one child. */
struct sup_child_info {
	const struct child_spec	*spec;
	pid_t			 pid;		/* 0: undefined, or restarting */
	bool			 restarting;	/* a restart waits to be tried again */
	unsigned		 restarts;	/* by this supervisor, so far */
	const char		*state;		/* the role's word, or NULL */
};

struct sup_counts {
	size_t	specs, active, supervisors, workers;
};

/* which_children: static children newest first, as OTP lists them. */
void	sup_which_children(const struct sup *,
	    void (*fn)(void *ctx, const struct sup_child_info *), void *ctx);
void	sup_count(const struct sup *, struct sup_counts *);

/*
 * Stop the child under its shutdown spec, with reason shutdown, and wait
 * for it (as OTP's supervisor does inside the call). A static child keeps
 * its spec and is not restarted until sup_restart_child().
 */
const char *sup_terminate_child(struct sup *, const char *child);
/* Start a terminated static child again, with a PROGRESS REPORT. */
const char *sup_restart_child(struct sup *, const char *id, pid_t *pid);
/* Forget a terminated static child's spec. */
const char *sup_delete_child(struct sup *, const char *id);
const char *sup_get_childspec(const struct sup *, const char *id,
	    const struct child_spec **);

const struct sup_flags *sup_get_flags(const struct sup *);

/* The atoms OTP prints for a child's restart type, type and shutdown. */
const char *sup_restart_name(enum restart_type);
const char *sup_type_name(enum child_type);
void	sup_shutdown_text(int shutdown, char *buf, size_t size);
/* Restarts this supervisor has made since it started. */
unsigned sup_restarts(const struct sup *);

/*
 * Call on_stopping(ctx) once, as the supervisor begins to stop its
 * children (told to stop, at its restart intensity, or after a failed
 * start), before the first is stopped: systemd hears STOPPING=1 then.
 */
void	sup_on_stopping(struct sup *, void (*on_stopping)(void *), void *ctx);

/*
 * The role's word for a child's state in a tree view (WAIT_FOR_SOCKET,
 * WAIT_FOR_DATA), or NULL.
 */
void	sup_on_describe(struct sup *,
	    const char *(*state)(void *ctx, pid_t), void *ctx);

/*
 * Stop the supervisor as SIGTERM would, from within its event loop: its
 * children are stopped and sup_run() returns SUP_STOPPED.
 */
void	sup_stop(struct sup *);

#endif
