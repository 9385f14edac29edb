/* (verb, path) -> handler. 404 and 405 are decided here, in one place. */
#ifndef ROUTER_H
#define ROUTER_H

#include "http.h"

typedef void (*route_handler)(const struct http_request *req, struct http_response *res);

enum route_flags {
    ROUTE_BODY = 1u << 0, /* takes a JSON object body (415/400 checked before the handler) */
    ROUTE_SLOW = 1u << 1, /* runs bcrypt: handled on a worker thread, off the polling threads */
    /* a token-checked one-row read: the caller (and the {id} target) may be
     * read ahead by the preloader (preload.h) before the handler runs */
    ROUTE_PRELOAD = 1u << 2,
};

struct route {
    const char *method;
    const char *pattern; /* "{id}" matches one positive 64-bit integer segment */
    route_handler handler;
    unsigned flags;
};

enum router_result { ROUTER_FOUND, ROUTER_NOT_FOUND, ROUTER_BAD_METHOD };

/* On ROUTER_FOUND sets *route (and *id for {id} routes); on ROUTER_BAD_METHOD
 * writes the Allow header value ("GET, HEAD") to allow. */
enum router_result router_match(const char *method, const char *path, const struct route **route,
                                int64_t *id, char *allow, size_t allowlen);

size_t router_count(void);
const struct route *router_at(size_t index);
size_t router_index(const struct route *route);

/* Whether the path belongs to the API (so it never falls back to the web client's index.html). */
bool router_is_api_path(const char *path);

/* Strict parse of a path id: digits only, 1..INT64_MAX. */
bool router_parse_id(const char *text, size_t len, int64_t *out);

#endif
