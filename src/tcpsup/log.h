/*
 * log.h -- write reports to stderr, one write(2) each.
 *
 * Every process of the tree shares stderr; one write per report keeps their
 * lines from interleaving (a pipe write of up to PIPE_BUF bytes is atomic,
 * and reports are shorter than that).
 */
#ifndef TCPSUP_LOG_H
#define TCPSUP_LOG_H

#include "report.h"

void	log_set_format(enum report_format);
void	log_report(const struct report *);

#endif
