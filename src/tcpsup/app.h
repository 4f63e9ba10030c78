/*
 * app.h -- tcp_server, the application: the root supervisor
 * tcp_server_app and its two static children.
 */
#ifndef TCPSUP_APP_H
#define TCPSUP_APP_H

#include "options.h"
#include "privs.h"

/*
 * Run the application in the foreground, dropping to p once the port is
 * bound; returns the exit status.
 */
int	app_run(const struct options *, const struct privs *p);

#endif
