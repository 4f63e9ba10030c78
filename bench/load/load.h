/*
 * load.h -- tcpsup-load's run: its connections, counters and clock, and the
 * seam between the engine (run.c, conn.c) and the modes (churn.c, echo.c,
 * hold.c). The engine moves bytes and checks them; a mode decides what to
 * send, when a connection is done, and when the run is.
 */
#ifndef LOAD_H
#define LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "hist.h"
#include "opts.h"
#include "pattern.h"

#define LOAD_BUFSIZE	65536	/* one read, one write, one expected chunk */
#define LOAD_RAMP	256	/* echo, hold: connections ramping at once */

enum conn_state { CONN_FREE, CONN_CONNECTING, CONN_OPEN };

/* How an operation failed: the error columns of every report. */
enum outcome {
	OUT_REFUSED, OUT_RESET, OUT_TIMEOUT, OUT_MISMATCH, OUT_CROSSTALK,
	OUT_ERROR, OUT_COUNT
};

/*
 * One client connection. Its streams are never stored: what it sends and
 * what it expects back are pattern_fill()'s, from a frame count and an
 * offset into that frame, one pair per direction.
 */
struct conn {
	int		 fd;		/* -1 when free */
	enum conn_state	 state;
	int		 ramping;	/* counted in load.ramp_inflight */
	uint32_t	 id;		/* new for every connection; keys its bytes */
	uint64_t	 started;	/* when connect(2) was called, ns */
	uint64_t	 issued;	/* frames the mode asked to send */
	uint64_t	 written;	/* frames wholly written */
	size_t		 woff;		/* bytes written of frame 'written' */
	uint64_t	 verified;	/* frames wholly echoed and checked */
	size_t		 roff;		/* bytes checked of frame 'verified' */
	uint64_t	*sent_at;	/* issue time of frame n at [n % pipeline] */
};

struct load;

/* A mode: its answers to the events of a connection's life and the run's. */
struct mode {
	void	(*start)(struct load *);
	int	(*tick)(struct load *);		/* after each wakeup; 1: done */
	void	(*connected)(struct load *, struct conn *);
	int	(*echoed)(struct load *, struct conn *, uint64_t); /* 0: close */
	void	(*report)(const struct load *);
	int	(*verdict)(const struct load *);	/* exit status */
};

struct load {
	const struct load_opts	*opts;
	const struct mode	*mode;
	struct pattern		 pattern;
	int			 epfd;
	struct conn		*conns;
	size_t			 nconns;
	uint64_t		*sent_at;	/* nconns rings of opts->pipeline */
	size_t			*free;		/* closed slots, for churn */
	size_t			 nfree;
	size_t			 active;	/* connections not CONN_FREE */
	uint64_t		 outstanding;	/* frames issued, not yet echoed */
	uint64_t		 opened;	/* connect attempts */
	uint32_t		 next_id;
	size_t			 ramp_next;	/* echo, hold: next slot to open */
	size_t			 ramp_inflight;
	size_t			 ramp_left;	/* slots that left the ramp */

	uint64_t		 now;		/* CLOCK_MONOTONIC, ns */
	uint64_t		 started;
	uint64_t		 ended;
	uint64_t		 deadline;	/* hard: the run stops here */
	uint64_t		 wake;		/* the mode's timer; 0: none */
	uint64_t		 sweep_every;	/* timeouts are checked this often */
	uint64_t		 next_sweep;

	int			 phase;		/* the mode's own */
	uint64_t		 phase_start;
	uint64_t		 phase_end;
	uint64_t		 ok;		/* churn: conns; echo: rtts; hold: held;
						   chaos: frames */
	uint64_t		 survived;	/* hold */
	uint64_t		 finished;	/* chaos: clients that lived out */
	uint64_t		 frames;	/* frames wholly checked, all modes */
	uint64_t		 flip;		/* flip a byte of this frame; 0: none */
	uint64_t		 failed[OUT_COUNT];
	int			 first_errno;	/* of the first OUT_ERROR */
	int			 told_mismatch;
	struct hist		 latency;	/* ns */

	uint8_t			 wbuf[LOAD_BUFSIZE];
	uint8_t			 rbuf[LOAD_BUFSIZE];
	uint8_t			 ebuf[LOAD_BUFSIZE];	/* expected bytes */
};

/* run.c */
uint64_t	load_now(void);
void		load_init(struct load *, const struct load_opts *,
		    const struct mode *);
void		load_run(struct load *);
void		load_close_all(struct load *);
void		load_ramp_fill(struct load *);
void		load_ramp_leave(struct load *, struct conn *);
int		load_ramp_over(const struct load *);

/* conn.c */
int		conn_open(struct load *, struct conn *);
void		conn_event(struct load *, struct conn *, uint32_t);
void		conn_issue(struct load *, struct conn *, size_t);
int		conn_flush(struct load *, struct conn *);
void		conn_close(struct load *, struct conn *);
void		conn_fail(struct load *, struct conn *, enum outcome, int);
int		conn_waiting(const struct load *, const struct conn *,
		    uint64_t *);

/* summary.c */
double		load_secs(uint64_t);
uint64_t	load_failures(const struct load *);
void		summary_latency(const struct load *, const char *);
void		summary_errors(const struct load *);
void		result_latency(const struct load *);
void		result_errors(const struct load *);
int		load_verdict(const struct load *, uint64_t, const char *);

extern const struct mode	chaos_mode, churn_mode, echo_mode, hold_mode;

#endif
