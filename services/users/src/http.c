#include "http.h"

#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <strings.h>

const char *http_query(const struct http_request *req, const char *key)
{
    for (size_t i = 0; i < req->query_count; i++) {
        if (strcmp(req->query[i].key, key) == 0) {
            return req->query[i].value;
        }
    }
    return NULL;
}

void http_response_reset(struct http_response *res)
{
    json_decref(res->json);
    free(res->text);
    for (size_t i = 0; i < res->header_count; i++) {
        free(res->headers[i].value);
    }
    if (res->has_fd) {
        close(res->fd);
    }
    memset(res, 0, sizeof *res);
}

void http_set_header(struct http_response *res, const char *name, const char *value)
{
    if (res->header_count >= HTTP_MAX_HEADERS) {
        return;
    }
    char *copy = strdup(value);
    if (copy == NULL) {
        return;
    }
    res->headers[res->header_count].name = name;
    res->headers[res->header_count].value = copy;
    res->header_count++;
}

void http_reply_json(struct http_response *res, unsigned status, json_t *body)
{
    json_decref(res->json);
    res->status = status;
    res->json = body;
}

void http_reply_empty(struct http_response *res, unsigned status)
{
    http_reply_json(res, status, NULL);
}

void http_reply_error(struct http_response *res, unsigned status, const char *message)
{
    http_reply_json(res, status, json_pack("{s:s}", "message", message));
}

void http_reply_validation(struct http_response *res, json_t *errors)
{
    http_reply_json(
        res, 400,
        json_pack("{s:s, s:o}", "message", "Input payload validation failed", "errors", errors));
}

void http_reply_unauthorized(struct http_response *res, const char *message)
{
    http_reply_error(res, 401, message);
    http_set_header(res, "WWW-Authenticate", "Bearer");
}

void http_reply_static(struct http_response *res, const char *content_type, const void *data,
                       size_t len)
{
    res->status = 200;
    res->bytes = data;
    res->bytes_len = len;
    res->content_type = content_type;
}

const char *http_bearer_token(const struct http_request *req)
{
    const char *h = req->authorization;
    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
        return NULL;
    }
    h += 7;
    while (*h == ' ') {
        h++;
    }
    return *h != '\0' ? h : NULL;
}
