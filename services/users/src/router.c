#include "router.h"

#include "api/api.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const struct route routes[] = {
    {"GET", "/ping", ops_ping, 0},
    {"GET", "/health", ops_health, 0},
    {"GET", "/metrics", ops_metrics, 0},
    {"GET", "/doc", ops_doc, 0},
    {"GET", "/doc/swagger-ui-bundle.js", ops_doc_asset, 0},
    {"GET", "/doc/swagger-ui.css", ops_doc_asset, 0},
    {"GET", "/doc/swagger-ui-init.js", ops_doc_asset, 0},
    {"GET", "/openapi.json", ops_openapi, 0},
    {"GET", "/swagger.json", ops_openapi, 0},
    {"POST", "/auth/register", auth_register, ROUTE_BODY | ROUTE_SLOW},
    {"POST", "/auth/login", auth_login, ROUTE_BODY | ROUTE_SLOW},
    {"POST", "/auth/refresh", auth_refresh, ROUTE_BODY},
    {"POST", "/auth/logout", auth_logout, ROUTE_BODY},
    {"GET", "/auth/status", auth_status, ROUTE_PRELOAD},
    {"PUT", "/auth/password", auth_password, ROUTE_BODY | ROUTE_SLOW},
    /* No read-ahead for the list: its own query is most of its cost, and
     * many lists resumed at once would hold their big bodies at once. */
    {"GET", "/users", users_list, 0},
    {"POST", "/users", users_create, ROUTE_BODY | ROUTE_SLOW},
    {"GET", "/users/{id}", users_get, ROUTE_PRELOAD},
    {"PUT", "/users/{id}", users_update, ROUTE_BODY},
    {"DELETE", "/users/{id}", users_delete, 0},
};

enum { ROUTE_COUNT = sizeof routes / sizeof routes[0] };

size_t router_count(void)
{
    return ROUTE_COUNT;
}

const struct route *router_at(size_t index)
{
    return index < ROUTE_COUNT ? &routes[index] : NULL;
}

size_t router_index(const struct route *route)
{
    return (size_t)(route - routes);
}

bool router_parse_id(const char *text, size_t len, int64_t *out)
{
    if (len == 0 || len > 19) {
        return false;
    }
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return false;
        }
        int d = text[i] - '0';
        if (v > (INT64_MAX - d) / 10) {
            return false;
        }
        v = v * 10 + d;
    }
    if (v < 1) {
        return false;
    }
    *out = v;
    return true;
}

/* Matches pattern against path segment by segment; {id} takes one integer segment. */
static bool pattern_matches(const char *pattern, const char *path, int64_t *id)
{
    while (*pattern != '\0' && *path != '\0') {
        if (strncmp(pattern, "{id}", 4) == 0) {
            size_t seg = strcspn(path, "/");
            if (!router_parse_id(path, seg, id)) {
                return false;
            }
            pattern += 4;
            path += seg;
            continue;
        }
        if (*pattern != *path) {
            return false;
        }
        pattern++;
        path++;
    }
    return *pattern == '\0' && *path == '\0';
}

static bool method_matches(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

static void append_allow(char *allow, size_t allowlen, const char *method)
{
    if (strstr(allow, method) != NULL) {
        return;
    }
    size_t used = strlen(allow);
    snprintf(allow + used, allowlen - used, "%s%s", used > 0 ? ", " : "", method);
}

enum router_result router_match(const char *method, const char *path, const struct route **route,
                                int64_t *id, char *allow, size_t allowlen)
{
    /* "/users/" is "/users": clients and proxies disagree on trailing slashes. */
    char trimmed[256];
    size_t len = strlen(path);
    if (len >= sizeof trimmed) {
        return ROUTER_NOT_FOUND;
    }
    memcpy(trimmed, path, len + 1);
    if (len > 1 && trimmed[len - 1] == '/') {
        trimmed[len - 1] = '\0';
    }

    bool path_known = false;
    allow[0] = '\0';
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        int64_t candidate = 0;
        if (!pattern_matches(routes[i].pattern, trimmed, &candidate)) {
            continue;
        }
        if (method_matches(routes[i].method, method)) {
            *route = &routes[i];
            *id = candidate;
            return ROUTER_FOUND;
        }
        path_known = true;
        append_allow(allow, allowlen, routes[i].method);
        if (strcmp(routes[i].method, "GET") == 0) {
            append_allow(allow, allowlen, "HEAD");
        }
    }
    if (path_known) {
        append_allow(allow, allowlen, "OPTIONS");
        return ROUTER_BAD_METHOD;
    }
    return ROUTER_NOT_FOUND;
}

bool router_is_api_path(const char *path)
{
    static const char *const prefixes[] = {"/auth",    "/users", "/ping",         "/health",
                                           "/metrics", "/doc",   "/openapi.json", "/swagger.json"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(path, prefixes[i], n) == 0 && (path[n] == '\0' || path[n] == '/')) {
            return true;
        }
    }
    return false;
}
