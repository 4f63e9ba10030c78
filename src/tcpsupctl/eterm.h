/*
 * eterm.h -- Erlang terms as tcpsupctl prints them. Pure.
 *
 * A small model of the terms OTP's supervisor calls return (integers,
 * atoms, strings, lists, tuples, maps), read from the text the daemon
 * sends and written two ways: as io:format("~p~n") writes them, which is
 * how the Erlang shell prints a result (io_lib_pretty: one line when the
 * term fits in 80 columns, else broken the way OTP breaks it), and as
 * JSON. It never prints anything itself; it exits only when out of
 * memory, as a command-line program may.
 */
#ifndef TCPSUPCTL_ETERM_H
#define TCPSUPCTL_ETERM_H

#include <stddef.h>

enum eterm_kind {
	ETERM_INTEGER,
	ETERM_ATOM,
	ETERM_STRING,		/* a list of printable characters: "abc" */
	ETERM_LIST,
	ETERM_TUPLE,
	ETERM_MAP		/* items are keys and values, alternating */
};

struct eterm {
	enum eterm_kind	  kind;
	long long	  integer;
	char		 *text;		/* an atom's name, a string's chars */
	struct eterm	**items;
	size_t		  nitems;
	size_t		  cap;
	size_t		  width;	/* on one line; the printer's */
};

struct eterm	*eterm_integer(long long);
struct eterm	*eterm_atom(const char *name);
struct eterm	*eterm_string(const char *chars);
/* A list or tuple of n terms, given as arguments; eterm_add adds more. */
struct eterm	*eterm_list(size_t n, ...);
struct eterm	*eterm_tuple(size_t n, ...);
struct eterm	*eterm_map(void);
/* Append item to a list or tuple; returns the list or tuple. */
struct eterm	*eterm_add(struct eterm *, struct eterm *item);
/* Add key => value to a map, keeping the order of insertion (for JSON). */
struct eterm	*eterm_put(struct eterm *map, struct eterm *key,
		    struct eterm *value);
void		 eterm_free(struct eterm *);

/*
 * Read a term written in Erlang syntax (no spaces needed, improper lists
 * and floats unsupported). NULL if text is not exactly one such term.
 */
struct eterm	*eterm_parse(const char *text);

/* True if t is the atom name. */
int		 eterm_is_atom(const struct eterm *t, const char *name);

/* Erlang's term order: <0, 0 or >0, as strcmp. */
int		 eterm_compare(const struct eterm *, const struct eterm *);

/*
 * The term as ~p writes it from column 1, lines at most 80 wide where OTP
 * manages, without a final newline; a map's keys in term order, as OTP
 * keeps small maps. malloc'd.
 */
char		*eterm_pretty(struct eterm *);

/*
 * The term as JSON on one line: integers as numbers, atoms as strings
 * except true and false (booleans) and undefined (null), strings as
 * strings, lists and tuples as arrays, maps as objects in insertion order
 * (a key that is not an atom or a string is written as a string of its
 * Erlang text). malloc'd.
 */
char		*eterm_json(const struct eterm *);

#endif
