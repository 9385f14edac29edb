/* Serves the built web client from STATIC_DIR, with the single-page-app
 * fallback: an unknown path without a file extension gets index.html. */
#ifndef STATIC_H
#define STATIC_H

#include "http.h"

/* Fills res with the file for path (open fd, type, cache headers). Returns 0,
 * or -1 when nothing should be served (the caller replies 404). */
int static_lookup(const char *dir, const char *path, struct http_response *res);

#endif
