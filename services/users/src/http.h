/* The request/response model handlers see. Handlers never touch
 * libmicrohttpd: server.c fills a http_request and turns the http_response
 * into bytes, so a handler can run on a worker thread while its connection
 * is suspended. */
#ifndef HTTP_H
#define HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    HTTP_MAX_BODY = 64 * 1024,
    HTTP_MAX_QUERY = 16,
    HTTP_MAX_HEADERS = 8,
    HTTP_IP_MAX = 46,
    HTTP_REQUEST_ID_MAX = 64,
};

struct preload;

struct http_query_arg {
    char *key, *value; /* owned by the request */
};

struct http_request {
    const char *method;
    const char *path;    /* decoded, without the query string */
    char *authorization; /* owned copy of the Authorization header, or NULL */
    json_t *body;        /* the parsed JSON object for routes that take a body, else NULL */
    int64_t id;          /* the {id} path parameter, when the route has one */
    struct http_query_arg query[HTTP_MAX_QUERY];
    size_t query_count;
    char client_ip[HTTP_IP_MAX];
    char request_id[HTTP_REQUEST_ID_MAX + 1];
    const struct preload *preload; /* the caller (and target) read ahead (preload.h), or NULL */
};

struct http_header {
    const char *name; /* static string */
    char *value;      /* owned */
};

struct http_response {
    unsigned status;
    json_t *json; /* owned; serialised as application/json */
    char *text;   /* owned alternative to json */
    size_t text_len;
    const void *bytes; /* borrowed static alternative (embedded assets) */
    size_t bytes_len;
    const char *content_type; /* for text/bytes/fd */
    bool has_fd;              /* a file to send (static client files); the server closes it */
    int fd;
    size_t fd_size;
    struct http_header headers[HTTP_MAX_HEADERS];
    size_t header_count;
};

const char *http_query(const struct http_request *req, const char *key);

void http_response_reset(struct http_response *res);
/* Adds a header (value copied). */
void http_set_header(struct http_response *res, const char *name, const char *value);

/* Replies. `json_reply` steals `body`. */
void http_reply_json(struct http_response *res, unsigned status, json_t *body);
void http_reply_empty(struct http_response *res, unsigned status);
void http_reply_error(struct http_response *res, unsigned status, const char *message);
/* 400 {"message":"Input payload validation failed","errors":errors}; steals errors. */
void http_reply_validation(struct http_response *res, json_t *errors);
/* 401 with WWW-Authenticate: Bearer. */
void http_reply_unauthorized(struct http_response *res, const char *message);
void http_reply_static(struct http_response *res, const char *content_type, const void *data,
                       size_t len);

/* "Bearer <token>" -> token (borrowed from req), or NULL. */
const char *http_bearer_token(const struct http_request *req);

#endif
