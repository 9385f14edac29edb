/* libmicrohttpd lifecycle: body assembly and limits, routing, the worker
 * hand-off for slow handlers, and a graceful stop. */
#ifndef SERVER_H
#define SERVER_H

#include "config.h"

struct server;

/* Starts listening on cfg->port (0: any free port); *port gets the bound one. */
struct server *server_start(const struct config *cfg, unsigned *port);
/* Stops accepting, lets in-flight requests finish (bounded), then stops. */
void server_stop(struct server *srv);

#endif
