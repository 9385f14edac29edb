/* Operations endpoints: /ping, /health, /metrics, /doc, /openapi.json,
 * X-Request-Id and CORS. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

Test(ops, ping)
{
    struct resp *r = http("GET", "/ping");
    expect_status(r, 200, "GET /ping");
    cr_assert(json_is_object(r->json) && json_object_size(r->json) == 2, "body: %s", r->body);
    cr_assert_str_eq(jstr(r->json, "status"), "success");
    cr_assert_str_eq(jstr(r->json, "message"), "pong!");
    const char *ct = resp_header(r, "Content-Type");
    cr_assert(ct && strncasecmp(ct, "application/json", 16) == 0, "Content-Type: %s", ct);
    resp_free(r);
}

Test(ops, health)
{
    struct resp *r = http("GET", "/health");
    expect_status(r, 200, "GET /health");
    cr_assert_str_eq(jstr(r->json, "status"), "ok", "body: %s", r->body);
    cr_assert_str_eq(jstr(r->json, "database"), "ok", "body: %s", r->body);
    resp_free(r);
}

/* The value of the first sample line that starts with `name{` and contains
 * every label in labels (NULL-terminated); -1 if none. */
static double metric_value(const char *text, const char *name, const char *const labels[])
{
    size_t nl = strlen(name);
    const char *line = text;
    while (line && *line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[2048];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), line);
        bool ok = strncmp(buf, name, nl) == 0 && buf[nl] == '{';
        for (size_t i = 0; ok && labels[i]; i++)
            ok = strstr(buf, labels[i]) != NULL;
        const char *close = ok ? strrchr(buf, '}') : NULL;
        if (close)
            return strtod(close + 1, NULL);
        line = end ? end + 1 : NULL;
    }
    return -1;
}

/* Metrics are recorded when a response completes, which may be a moment after
 * the client has it: poll /metrics until the sample reaches min (up to 2 s).
 * Returns the last value seen and, if body is not NULL, the last page. */
static double metric_wait(const char *name, const char *const labels[], double min, char **body)
{
    double v = -1;
    for (int i = 0; i < 40; i++) {
        struct resp *r = http("GET", "/metrics");
        expect_status(r, 200, "GET /metrics");
        v = metric_value(r->body, name, labels);
        if (v >= min || i == 39) {
            if (body)
                *body = strdup(r->body);
            resp_free(r);
            break;
        }
        resp_free(r);
        sleep_ms(50);
    }
    return v;
}

static const char *const PING_LABELS[] = {"route=\"/ping\"", "method=\"GET\"", "status=\"200\"",
                                          NULL};

Test(ops, metrics_format_and_names)
{
    struct tokens t;
    login_admin(&t);
    struct resp *u = http("GET", "/users/1", t.access, NULL);
    resp_free(u);
    struct resp *r = http("GET", "/metrics");
    expect_status(r, 200, "GET /metrics");
    const char *ct = resp_header(r, "Content-Type");
    cr_assert(ct && strncasecmp(ct, "text/plain", 10) == 0, "Prometheus text format, got %s", ct);
    static const char *const names[] = {
        "users_api_http_requests_total{",  "users_api_http_request_duration_seconds_bucket",
        "users_api_bcrypt_queue_depth",    "users_api_db_errors_total",
        "users_api_preload_queries_total", "users_api_preload_requests_total"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_assert(strstr(r->body, names[i]), "/metrics lacks %s:\n%.2000s", names[i], r->body);
    static const char *const labels[] = {"route=\"/users/{id}\"", "method=\"GET\"",
                                         "status=", NULL};
    char *page = NULL;
    double v = metric_wait("users_api_http_requests_total", labels, 1, &page);
    cr_assert(v >= 1,
              "no users_api_http_requests_total sample with route=\"/users/{id}\" (the route "
              "pattern, not the raw path):\n%.3000s",
              page);
    free(page);
    cr_assert(!strstr(r->body, "route=\"/users/1\""), "route label must be the pattern");
    resp_free(r);
}

Test(ops, metrics_histogram_complete)
{
    struct resp *r = http("GET", "/metrics");
    expect_status(r, 200, "GET /metrics");
    cr_assert(strstr(r->body, "users_api_http_request_duration_seconds_bucket{") &&
                  strstr(r->body, "le=\"+Inf\"") &&
                  strstr(r->body, "users_api_http_request_duration_seconds_sum") &&
                  strstr(r->body, "users_api_http_request_duration_seconds_count"),
              "histogram needs buckets with le=\"+Inf\", _sum and _count");
    cr_assert(strstr(r->body, "# TYPE users_api_http_requests_total counter"),
              "# TYPE line for the counter");
    cr_assert(strstr(r->body, "# TYPE users_api_http_request_duration_seconds histogram"),
              "# TYPE line for the histogram");
    resp_free(r);
}

Test(ops, metrics_unknown_paths_do_not_create_series)
{
    char path[128], name[64];
    uniq_name(name, sizeof name, "/no-such-route-");
    snprintf(path, sizeof path, "%s", name);
    struct resp *r = http("GET", path);
    expect_status(r, 404, path);
    resp_free(r);
    struct tokens t;
    login_admin(&t);
    r = http("GET", "/users/987654" /* any id */, t.access);
    resp_free(r);
    r = http("GET", "/metrics");
    expect_status(r, 200, "GET /metrics");
    cr_assert(!strstr(r->body, name + 1),
              "an unknown path became a metrics label (unbounded series): %s", name);
    cr_assert(!strstr(r->body, "987654"), "a raw id became a metrics label");
    resp_free(r);
}

Test(ops, metrics_ping_counter_increases)
{
    resp_free(http("GET", "/ping"));
    double before = metric_wait("users_api_http_requests_total", PING_LABELS, 1, NULL);
    cr_assert(before >= 1, "no requests_total sample for GET /ping 200 (labels route, method, "
                           "status)");
    for (int i = 0; i < 3; i++)
        resp_free(http("GET", "/ping"));
    double after = metric_wait("users_api_http_requests_total", PING_LABELS, before + 3, NULL);
    cr_assert(after >= before + 3, "ping counter %g -> %g after 3 pings", before, after);
}

/* Next src="..." / href="..." value after *p; advances *p. */
static bool next_asset(const char **p, char *out, size_t outlen)
{
    for (;;) {
        const char *s = strstr(*p, "src=\"");
        const char *h = strstr(*p, "href=\"");
        const char *a = !s ? h : !h ? s : (s < h ? s : h);
        if (!a)
            return false;
        a = strchr(a, '"') + 1;
        const char *e = strchr(a, '"');
        if (!e)
            return false;
        *p = e + 1;
        snprintf(out, outlen, "%.*s", (int)(e - a), a);
        if (strstr(out, ".js") || strstr(out, ".css"))
            return true;
    }
}

static void asset_path(const char *ref, char *out, size_t outlen)
{
    if (strncmp(ref, "http://", 7) == 0) {
        const char *slash = strchr(ref + 7, '/');
        snprintf(out, outlen, "%s", slash ? slash : "/");
    } else if (ref[0] == '/') {
        snprintf(out, outlen, "%s", ref);
    } else {
        /* relative to /doc, i.e. to "/" */
        snprintf(out, outlen, "/%s", strncmp(ref, "./", 2) == 0 ? ref + 2 : ref);
    }
}

Test(ops, doc_page_and_assets)
{
    struct resp *r = http("GET", "/doc");
    expect_status(r, 200, "GET /doc");
    const char *ct = resp_header(r, "Content-Type");
    cr_assert(ct && strncasecmp(ct, "text/html", 9) == 0, "Content-Type %s", ct);
    cr_assert(strcasestr(r->body, "swagger-ui"), "/doc does not mention swagger-ui");
    const char *p = r->body;
    char ref[1024], path[1040];
    int js = 0, css = 0;
    while (next_asset(&p, ref, sizeof ref)) {
        cr_assert(strncmp(ref, "https://", 8) != 0 && strncmp(ref, "//", 2) != 0,
                  "/doc loads %s from the internet; assets must be served locally", ref);
        asset_path(ref, path, sizeof path);
        struct resp *a = http("GET", path);
        expect_status(a, 200, path);
        const char *act = resp_header(a, "Content-Type");
        bool is_css = strstr(path, ".css") != NULL;
        cr_assert(act && (is_css ? strcasestr(act, "text/css") != NULL
                                 : strcasestr(act, "javascript") != NULL),
                  "%s: Content-Type %s", path, act ? act : "(none)");
        cr_assert(a->body_len > 0, "%s: empty", path);
        js += !is_css;
        css += is_css;
        resp_free(a);
    }
    cr_assert(js >= 1 && css >= 1, "/doc should load swagger-ui JS and CSS (js %d, css %d)", js,
              css);
    resp_free(r);
}

static void check_openapi(const char *path)
{
    static const char *const paths[] = {
        "/ping",         "/health",      "/metrics",     "/auth/register", "/auth/login",
        "/auth/refresh", "/auth/logout", "/auth/status", "/auth/password", "/users"};
    struct resp *r = http("GET", path);
    expect_status(r, 200, path);
    const char *v = jstr(r->json, "openapi");
    cr_assert(v && strncmp(v, "3.", 2) == 0, "%s: \"openapi\" must start with 3.", path);
    json_t *ps = json_object_get(r->json, "paths");
    cr_assert(json_is_object(ps), "%s: no paths object", path);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        cr_assert(json_object_get(ps, paths[i]), "%s: paths lacks %s", path, paths[i]);
    const char *key;
    json_t *val;
    bool by_id = false;
    json_object_foreach(ps, key, val)
    {
        if (strncmp(key, "/users/{", 8) == 0 && key[strlen(key) - 1] == '}')
            by_id = true;
    }
    cr_assert(by_id, "%s: paths lacks /users/{id}", path);
    resp_free(r);
}

Test(ops, openapi_json)
{
    check_openapi("/openapi.json");
}

Test(ops, swagger_json_alias)
{
    check_openapi("/swagger.json");
}

Test(ops, openapi_verbs_match_contract)
{
    static const char *const ops[][2] = {
        {"/ping", "get"},           {"/health", "get"},      {"/metrics", "get"},
        {"/auth/register", "post"}, {"/auth/login", "post"}, {"/auth/refresh", "post"},
        {"/auth/logout", "post"},   {"/auth/status", "get"}, {"/auth/password", "put"},
        {"/users", "get"},          {"/users", "post"}};
    struct resp *r = http("GET", "/openapi.json");
    expect_status(r, 200, "GET /openapi.json");
    json_t *ps = json_object_get(r->json, "paths");
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        json_t *item = json_object_get(ps, ops[i][0]);
        cr_assert(json_object_get(item, ops[i][1]), "openapi: %s lacks %s", ops[i][0], ops[i][1]);
    }
    const char *key;
    json_t *val, *byid = NULL;
    json_object_foreach(ps, key, val)
    {
        if (strncmp(key, "/users/{", 8) == 0)
            byid = val;
    }
    cr_assert(byid && json_object_get(byid, "get") && json_object_get(byid, "put") &&
                  json_object_get(byid, "delete"),
              "openapi: /users/{id} needs get, put and delete");
    resp_free(r);
}

Test(ops, request_id_generated_on_every_response)
{
    static const char *const cases[][2] = {
        {"GET", "/ping"}, {"GET", "/nope"}, {"DELETE", "/ping"}, {"GET", "/auth/status"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct resp *r = http(cases[i][0], cases[i][1]);
        const char *id = resp_header(r, "X-Request-Id");
        cr_assert(id && *id, "%s %s (HTTP %ld) lacks X-Request-Id", cases[i][0], cases[i][1],
                  r->status);
        resp_free(r);
    }
    struct resp *a = http("GET", "/ping");
    struct resp *b = http("GET", "/ping");
    const char *ia = resp_header(a, "X-Request-Id"), *ib = resp_header(b, "X-Request-Id");
    cr_assert(ia && ib && strcmp(ia, ib) != 0, "request ids must differ per request");
    resp_free(a);
    resp_free(b);
}

Test(ops, request_id_echoed)
{
    static const char *const paths[] = {"/ping", "/nope", "/auth/status"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct resp *r = http("GET", paths[i], NULL, NULL, "X-Request-Id: test-req-4711");
        const char *id = resp_header(r, "X-Request-Id");
        cr_assert(id && strcmp(id, "test-req-4711") == 0, "GET %s: X-Request-Id %s, expected echo",
                  paths[i], id ? id : "(none)");
        resp_free(r);
    }
}

Test(ops, cors)
{
    struct server s;
    SERVER_START(&s, "CORS_ORIGINS=http://a.example,http://c.example");
    http_use(&s);

    struct resp *r = http("GET", "/ping", NULL, NULL, "Origin: http://a.example");
    expect_status(r, 200, "GET /ping with Origin");
    const char *acao = resp_header(r, "Access-Control-Allow-Origin");
    cr_assert(acao && strcmp(acao, "http://a.example") == 0, "ACAO %s", acao ? acao : "(none)");
    const char *vary = resp_header(r, "Vary");
    cr_assert(vary && strcasestr(vary, "Origin"),
              "a per-origin ACAO needs Vary: Origin (shared caches), got %s",
              vary ? vary : "(none)");
    resp_free(r);

    r = http("GET", "/ping", NULL, NULL, "Origin: http://c.example");
    acao = resp_header(r, "Access-Control-Allow-Origin");
    cr_assert(acao && strcmp(acao, "http://c.example") == 0, "second origin: ACAO %s",
              acao ? acao : "(none)");
    resp_free(r);

    r = http("OPTIONS", "/auth/login", NULL, NULL, "Origin: http://a.example",
             "Access-Control-Request-Method: POST",
             "Access-Control-Request-Headers: content-type, authorization");
    expect_status(r, 204, "OPTIONS preflight");
    acao = resp_header(r, "Access-Control-Allow-Origin");
    cr_assert(acao && strcmp(acao, "http://a.example") == 0, "preflight ACAO %s",
              acao ? acao : "(none)");
    const char *m = resp_header(r, "Access-Control-Allow-Methods");
    const char *h = resp_header(r, "Access-Control-Allow-Headers");
    cr_assert(m && strcasestr(m, "POST"), "Access-Control-Allow-Methods %s", m ? m : "(none)");
    cr_assert(h && strcasestr(h, "authorization") && strcasestr(h, "content-type"),
              "Access-Control-Allow-Headers %s", h ? h : "(none)");
    resp_free(r);

    r = http("GET", "/ping", NULL, NULL, "Origin: http://b.example");
    expect_status(r, 200, "GET /ping other origin");
    cr_assert_null(resp_header(r, "Access-Control-Allow-Origin"),
                   "an unlisted origin must get no ACAO, got %s",
                   resp_header(r, "Access-Control-Allow-Origin"));
    resp_free(r);

    r = http("OPTIONS", "/auth/login", NULL, NULL, "Origin: http://b.example",
             "Access-Control-Request-Method: POST");
    cr_assert_null(resp_header(r, "Access-Control-Allow-Origin"),
                   "preflight from an unlisted origin must get no ACAO");
    resp_free(r);
    SERVER_STOP(&s);
}

Test(ops, no_cors_headers_by_default)
{
    struct resp *r = http("GET", "/ping", NULL, NULL, "Origin: http://a.example");
    cr_assert_null(resp_header(r, "Access-Control-Allow-Origin"),
                   "without CORS_ORIGINS no origin is allowed, got ACAO %s",
                   resp_header(r, "Access-Control-Allow-Origin"));
    resp_free(r);
}
