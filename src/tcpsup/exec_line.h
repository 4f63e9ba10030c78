/*
 * exec_line.h -- a line a program wrote on its stderr, made fit for a
 * report. Pure.
 */
#ifndef TCPSUP_EXEC_LINE_H
#define TCPSUP_EXEC_LINE_H

#include <stddef.h>

/*
 * Copy len bytes of in (no newline) to out as text that cannot forge a
 * report or upset a terminal or a JSON reader: a backslash as \\, control
 * bytes (but tab) and bytes that are not UTF-8 as \xNN, the rest as it is.
 * NUL-terminated, cut short at a character's boundary to fit size.
 * Returns the length written.
 */
size_t	exec_line_escape(const char *in, size_t len, char *out, size_t size);

#endif
