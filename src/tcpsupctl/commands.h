/*
 * commands.h -- tcpsupctl's commands beyond OTP's supervisor calls. Each
 * gets the command line's options and its own arguments (argv[0] is the
 * command's name) and returns tcpsupctl's exit status: 0, 1 for an error
 * reply, 64 for bad usage, 69 when no daemon answers.
 */
#ifndef TCPSUPCTL_COMMANDS_H
#define TCPSUPCTL_COMMANDS_H

#include <stdbool.h>

#include "calls.h"

/* tree [--json]: the whole hierarchy once, drawn or as JSON. */
int	cmd_tree(const struct ctlopts *, int argc, char **argv);

/* top [-d SECONDS]: the tree redrawn live in the terminal (ncurses). */
int	cmd_top(const struct ctlopts *, int argc, char **argv);

/*
 * rb [--dir DIR] list | show [N] | grep REGEX: SASL's report browser over
 * the daemon's --report-dir (asked of the daemon unless --dir is given).
 * Takes the command line's options, as the commands of calls.h do.
 */
int	cmd_rb(const struct ctlopts *, int argc, char **argv);

#endif
