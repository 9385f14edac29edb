/* Bad input: wrong content types, oversized and malformed bodies, unknown
 * routes, wrong verbs, huge paths and headers. Every case must get a JSON
 * error, leave the data unchanged and leave the server answering.
 *
 * No test in this file creates users, so the user count of the shared server
 * stays constant while these tests run in parallel. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define VALIDATION_MSG "Input payload validation failed"

struct guard {
    struct tokens admin;
    long long users;
};

static void guard_begin(struct guard *g)
{
    login_admin(&g->admin);
    g->users = user_count(g->admin.access);
    cr_assert_geq(g->users, 1, "GET /users X-Total-Count");
}

/* The server still answers and no user was created. */
static void guard_end(const struct guard *g, const char *what)
{
    struct resp *r = http("GET", "/ping");
    expect_status(r, 200, what);
    resp_free(r);
    long long now = user_count(g->admin.access);
    cr_assert_eq(now, g->users, "%s: the user count changed from %lld to %lld", what, g->users,
                 now);
}

static void expect_json_error(const struct resp *r, long status, const char *what)
{
    expect_error(r, status, NULL, what);
}

/* A valid registration body for a user that must not get created. */
static void reg_body(char *out, size_t outlen)
{
    struct user u;
    user_make(&u);
    snprintf(out, outlen, "{\"username\":\"%s\",\"email\":\"%s\",\"password\":\"%s\"}", u.username,
             u.email, u.password);
}

Test(input, wrong_content_type)
{
    struct guard g;
    guard_begin(&g);
    char body[600];
    reg_body(body, sizeof body);
    static const char *const types[] = {"text/plain", "application/x-www-form-urlencoded",
                                        "multipart/form-data; boundary=x", "application/xml"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        struct resp *r = http_raw("POST", "/auth/register", NULL, types[i], body, strlen(body));
        expect_json_error(r, 415, types[i]);
        resp_free(r);
    }
    struct resp *r = http_raw("PUT", "/users/1", g.admin.access, "text/plain", "{}", 2);
    expect_json_error(r, 415, "PUT text/plain");
    resp_free(r);
    r = http_raw("POST", "/auth/login", NULL, "text/plain", "{}", 2);
    expect_json_error(r, 415, "login text/plain");
    resp_free(r);
    guard_end(&g, "415");
}

Test(input, body_too_large)
{
    struct guard g;
    guard_begin(&g);
    struct user u;
    user_make(&u);
    size_t n = 70 * 1024;
    char *body = malloc(n + 512);
    int k =
        snprintf(body, 512, "{\"username\":\"%s\",\"email\":\"%s\",\"password\":\"%s\",\"pad\":\"",
                 u.username, u.email, u.password);
    memset(body + k, 'x', n);
    strcpy(body + k + n, "\"}");
    struct resp *r = http("POST", "/auth/register", NULL, body);
    expect_json_error(r, 413, "70 KiB body");
    resp_free(r);
    /* far beyond the limit too */
    char *huge = malloc(2 * 1024 * 1024 + 1);
    memset(huge, ' ', 2 * 1024 * 1024);
    huge[0] = '{';
    huge[2 * 1024 * 1024 - 1] = '}';
    huge[2 * 1024 * 1024] = '\0';
    r = http("POST", "/auth/login", NULL, huge);
    cr_assert(r->status == 413 || r->status == 0, "2 MiB body: HTTP %ld", r->status);
    resp_free(r);
    free(huge);
    free(body);
    guard_end(&g, "413");
}

/* Connects to the shared server, sends `head`, and reads what comes back
 * within 3 s (until the server closes). Returns the bytes read, -1 on a
 * timeout with the connection still open. */
static ssize_t raw_exchange(const char *head, char *out, size_t outlen)
{
    int port = 0;
    sscanf(http_base(), "http://127.0.0.1:%d", &port);
    cr_assert_gt(port, 0);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {.tv_sec = 3};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    cr_assert_eq(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    size_t got = 0;
    out[0] = '\0';
    for (;;) {
        ssize_t n = read(fd, out + got, outlen - 1 - got);
        if (n < 0) {
            close(fd);
            return -1;
        }
        if (n == 0 || (got += (size_t)n) == outlen - 1) {
            break;
        }
    }
    out[got] = '\0';
    close(fd);
    return (ssize_t)got;
}

Test(input, declared_large_body_refused_before_upload, .timeout = 30)
{
    struct guard g;
    guard_begin(&g);
    /* headers promising 100 MB, and not one byte of it: the answer must come
     * without waiting for (or reading) the body */
    char reply[4096];
    ssize_t n = raw_exchange("POST /auth/register HTTP/1.1\r\nHost: x\r\n"
                             "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n",
                             reply, sizeof reply);
    cr_assert_geq(n, 0, "no answer within 3 s: the server waits for a body it will refuse");
    cr_assert(strncmp(reply, "HTTP/1.1 413", 12) == 0, "want 413, got: %.200s", reply);
    cr_assert(strcasestr(reply, "\r\nContent-Type: application/json"), "JSON error: %s", reply);
    cr_assert(strstr(reply, "\"message\":\"The request body is larger than 64 KiB.\""), "%s",
              reply);
    /* a Content-Length too big for any integer is the same */
    n = raw_exchange("PUT /auth/password HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: 99999999999999999999999999\r\n\r\n",
                     reply, sizeof reply);
    cr_assert(n > 0 && (strncmp(reply, "HTTP/1.1 413", 12) == 0 ||
                        strncmp(reply, "HTTP/1.1 400", 12) == 0),
              "want 413 (or libmicrohttpd's 400 for an unparsable length), got: %.200s", reply);
    /* and at the limit, the server waits for the body as usual */
    n = raw_exchange("POST /auth/login HTTP/1.1\r\nHost: x\r\n"
                     "Content-Type: application/json\r\nContent-Length: 65536\r\n\r\n",
                     reply, sizeof reply);
    cr_assert_eq(n, -1, "a 64 KiB body is allowed: the server must wait for it, got: %.200s",
                 reply);
    guard_end(&g, "413 before upload");
}

Test(input, body_too_large_chunked)
{
    struct guard g;
    guard_begin(&g);
    size_t n = 70 * 1024;
    char *body = malloc(n + 64);
    int k = snprintf(body, 64, "{\"pad\":\"");
    memset(body + k, 'x', n);
    strcpy(body + k + n, "\"}");
    /* no Content-Length: the limit must hold while reading */
    struct resp *r = http("POST", "/auth/login", NULL, body, "Transfer-Encoding: chunked");
    expect_json_error(r, 413, "70 KiB chunked body");
    resp_free(r);
    free(body);
    guard_end(&g, "413 chunked");
}

Test(input, body_just_under_limit_is_parsed)
{
    struct guard g;
    guard_begin(&g);
    /* 60 KiB of valid JSON with an invalid username: a 400, not a 413 */
    size_t n = 60 * 1024;
    char *body = malloc(n + 256);
    int k =
        snprintf(body, 256, "{\"username\":\"x\",\"email\":\"bad\",\"password\":\"1\",\"pad\":\"");
    memset(body + k, 'y', n);
    strcpy(body + k + n, "\"}");
    struct resp *r = http("POST", "/auth/register", NULL, body);
    expect_error(r, 400, VALIDATION_MSG, "60 KiB body");
    resp_free(r);
    free(body);
    guard_end(&g, "60 KiB");
}

Test(input, malformed_json)
{
    struct guard g;
    guard_begin(&g);
    static const char *const bodies[] = {
        "{\"email\":", "{", "nope", "{\"a\":1,}", "{'a':1}", "{\"email\":\"a@b.co\"} trailing", ""};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct resp *r = http("POST", "/auth/login", NULL, bodies[i]);
        char what[80];
        snprintf(what, sizeof what, "body \"%s\"", bodies[i]);
        expect_error(r, 400, VALIDATION_MSG, what);
        cr_assert(has_field_error(r, "body"), "%s: errors.body expected: %s", what, r->body);
        resp_free(r);
    }
    guard_end(&g, "malformed JSON");
}

Test(input, json_not_an_object)
{
    struct guard g;
    guard_begin(&g);
    static const char *const bodies[] = {"[]", "\"x\"", "42", "null", "true", "[{}]"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct resp *r = http("POST", "/auth/register", NULL, bodies[i]);
        char what[80];
        snprintf(what, sizeof what, "body %s", bodies[i]);
        expect_error(r, 400, VALIDATION_MSG, what);
        resp_free(r);
    }
    guard_end(&g, "non-object JSON");
}

Test(input, deep_nesting)
{
    struct guard g;
    guard_begin(&g);
    /* 60000 x "[": under the 64 KiB limit, so the JSON parser must refuse it */
    size_t n = 60000;
    char *body = malloc(100000 + 1);
    memset(body, '[', n);
    body[n] = '\0';
    struct resp *r = http("POST", "/auth/register", NULL, body);
    expect_error(r, 400, VALIDATION_MSG, "60000 x [");
    resp_free(r);
    /* 100000 x "[" is also over 64 KiB: either refusal is right */
    memset(body, '[', 100000);
    body[100000] = '\0';
    r = http("POST", "/auth/register", NULL, body);
    cr_assert(r->status == 400 || r->status == 413, "100000 x [: HTTP %ld", r->status);
    cr_assert(jstr(r->json, "message"), "100000 x [: JSON message");
    resp_free(r);
    /* deep but balanced, inside an object field, under 64 KiB */
    size_t d = 20000;
    char *b2 = malloc(2 * d + 64);
    int k = snprintf(b2, 64, "{\"username\":");
    memset(b2 + k, '[', d);
    memset(b2 + k + d, ']', d);
    strcpy(b2 + k + 2 * d, "}");
    r = http("POST", "/auth/register", NULL, b2);
    expect_json_error(r, 400, "20000 balanced [ ] in a field");
    resp_free(r);
    free(b2);
    free(body);
    guard_end(&g, "deep nesting");
}

static void post_bytes(const char *path, const char *bytes, size_t len, const char *what)
{
    struct resp *r = http_raw("POST", path, NULL, "application/json", bytes, len);
    expect_json_error(r, 400, what);
    resp_free(r);
}

Test(input, invalid_utf8)
{
    struct guard g;
    guard_begin(&g);
    struct user u;
    user_make(&u);
    static const char *const bad[] = {"\xff\xfe", "\xc0\xaf", "\xe2\x82", "\xed\xa0\x80",
                                      "\xf8\x88\x80\x80\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[600];
        int n = snprintf(body, sizeof body,
                         "{\"username\":\"%s%s\",\"email\":\"%s\",\"password\":\"%s\"}", u.username,
                         bad[i], u.email, u.password);
        post_bytes("/auth/register", body, (size_t)n, "invalid UTF-8 in username");
        n = snprintf(body, sizeof body,
                     "{\"username\":\"%s\",\"email\":\"%s\",\"password\":\"pw%sxxxxxxxx\"}",
                     u.username, u.email, bad[i]);
        post_bytes("/auth/register", body, (size_t)n, "invalid UTF-8 in password");
    }
    guard_end(&g, "invalid UTF-8");
}

Test(input, nul_bytes)
{
    struct guard g;
    guard_begin(&g);
    struct user u;
    user_make(&u);
    char body[600];
    int n =
        snprintf(body, sizeof body, "{\"username\":\"%s\",\"email\":\"%s\",\"password\":\"%s\"}",
                 u.username, u.email, u.password);
    /* a raw NUL inside the password string */
    char raw[600];
    memcpy(raw, body, (size_t)n);
    char *pw = strstr(raw, u.password);
    pw[3] = '\0';
    post_bytes("/auth/register", raw, (size_t)n, "raw NUL byte in a string");
    /* a raw NUL after the object */
    memcpy(raw, body, (size_t)n);
    raw[n] = '\0';
    raw[n + 1] = ' ';
    post_bytes("/auth/register", raw, (size_t)n + 2, "raw NUL byte after the JSON");
    /* \u0000 escapes */
    n = snprintf(body, sizeof body,
                 "{\"username\":\"%s\",\"email\":\"%s\",\"password\":\"abc\\u0000defgh\"}",
                 u.username, u.email);
    post_bytes("/auth/register", body, (size_t)n, "\\u0000 in the password");
    n = snprintf(body, sizeof body,
                 "{\"username\":\"%s\\u0000x\",\"email\":\"%s\",\"password\":\"%s\"}", u.username,
                 u.email, u.password);
    post_bytes("/auth/register", body, (size_t)n, "\\u0000 in the username");
    n = snprintf(body, sizeof body, "{\"email\":\"%s\\u0000\",\"password\":\"%s\"}", u.email,
                 u.password);
    post_bytes("/auth/login", body, (size_t)n, "\\u0000 in the login email");
    guard_end(&g, "NUL bytes");
}

Test(input, unknown_routes)
{
    static const char *const paths[] = {"/nope",      "/users/1/extra", "/auth",  "/auth/",
                                        "/auth/nope", "/ping/x",        "/USERS", "/api/users"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct resp *r = http("GET", paths[i]);
        expect_error(r, 404, "Not found", paths[i]);
        resp_free(r);
    }
    struct resp *r = http("POST", "/nope", NULL, "{}");
    expect_error(r, 404, "Not found", "POST /nope");
    resp_free(r);
}

static void expect_405(const char *method, const char *path, const char *const allowed[])
{
    char what[128];
    snprintf(what, sizeof what, "%s %s", method, path);
    struct resp *r = http(method, path);
    expect_json_error(r, 405, what);
    const char *allow = resp_header(r, "Allow");
    cr_assert(allow, "%s: 405 needs an Allow header", what);
    for (size_t i = 0; allowed[i]; i++)
        cr_assert(strstr(allow, allowed[i]), "%s: Allow \"%s\" lacks %s", what, allow, allowed[i]);
    resp_free(r);
}

Test(input, wrong_verbs)
{
    expect_405("DELETE", "/ping", (const char *const[]){"GET", NULL});
    expect_405("POST", "/ping", (const char *const[]){"GET", NULL});
    expect_405("GET", "/auth/login", (const char *const[]){"POST", NULL});
    expect_405("GET", "/auth/register", (const char *const[]){"POST", NULL});
    expect_405("PUT", "/auth/status", (const char *const[]){"GET", NULL});
    expect_405("GET", "/auth/password", (const char *const[]){"PUT", NULL});
    expect_405("DELETE", "/users", (const char *const[]){"GET", "POST", NULL});
    expect_405("PATCH", "/users/1", (const char *const[]){"GET", "PUT", "DELETE", NULL});
    expect_405("POST", "/users/1", (const char *const[]){"GET", "PUT", "DELETE", NULL});
}

Test(input, very_long_path)
{
    struct guard g;
    guard_begin(&g);
    size_t n = 20 * 1024;
    char *path = malloc(n + 8);
    path[0] = '/';
    memset(path + 1, 'a', n);
    /* 10 KB: past the service's own path limit, inside the connection buffer: JSON 414 */
    path[10 * 1024 + 1] = '\0';
    struct resp *r = http("GET", path);
    cr_assert_eq(r->status, 414, "10 KB path: HTTP %ld", r->status);
    cr_assert(jstr(r->json, "message"), "10 KB path: the 414 needs a JSON message: %.200s",
              r->body);
    resp_free(r);
    /* 20 KB: past the 16 KiB per-connection buffer; libmicrohttpd itself refuses it */
    path[10 * 1024 + 1] = 'a';
    path[n + 1] = '\0';
    r = http("GET", path);
    cr_assert(r->status == 0 || (r->status >= 400 && r->status < 500), "20 KB path: HTTP %ld",
              r->status);
    resp_free(r);
    /* a long query string on a real route */
    memcpy(path, "/users?limit=1&x=", 17);
    r = http("GET", path, g.admin.access);
    cr_assert(r->status >= 200 && r->status < 500, "20 KB query: HTTP %ld", r->status);
    resp_free(r);
    free(path);
    guard_end(&g, "long path");
}

Test(input, huge_headers)
{
    struct guard g;
    guard_begin(&g);
    size_t n = 100 * 1024;
    char *h = malloc(n + 32);
    memcpy(h, "X-Big: ", 7);
    memset(h + 7, 'b', n);
    h[7 + n] = '\0';
    struct resp *r = http("GET", "/ping", NULL, NULL, h);
    cr_assert(r->status >= 400 && r->status < 500, "100 KB header: HTTP %ld", r->status);
    resp_free(r);
    char bearer[1200];
    memset(bearer, 'A', sizeof bearer - 1);
    bearer[sizeof bearer - 1] = '\0';
    r = http("GET", "/auth/status", bearer);
    expect_401(r, "a 1 KB garbage bearer token");
    resp_free(r);
    free(h);
    guard_end(&g, "huge headers");
}

Test(input, errors_are_json_everywhere)
{
    /* 401, 403, 404, 405, 415 all carry application/json and a message */
    struct user u;
    user_make(&u);
    struct resp *r = http("GET", "/users");
    expect_401(r, "401");
    resp_free(r);
    r = http("GET", "/nope");
    expect_error(r, 404, "Not found", "404");
    resp_free(r);
    r = http("DELETE", "/ping");
    expect_json_error(r, 405, "405");
    resp_free(r);
}

Test(input, idle_connections_do_not_block, .timeout = 60)
{
    /* 50 clients that connect and send half a request line, then stall */
    enum { IDLE = 50 };
    int fds[IDLE];
    int port = 0;
    sscanf(http_base(), "http://127.0.0.1:%d", &port);
    cr_assert_gt(port, 0);
    for (int i = 0; i < IDLE; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        cr_assert_eq(connect(fds[i], (struct sockaddr *)&a, sizeof a), 0);
        const char *part = "GET /ping HTTP/1.1\r\nHost: x\r\n";
        cr_assert_gt(write(fds[i], part, strlen(part)), 0);
    }
    for (int i = 0; i < 5; i++) {
        struct resp *r = http("GET", "/ping");
        expect_status(r, 200, "/ping with 50 stalled connections open");
        cr_assert(r->seconds < 1.0, "/ping took %.0f ms", r->seconds * 1000);
        resp_free(r);
    }
    for (int i = 0; i < IDLE; i++)
        close(fds[i]);
}

Test(input, many_query_parameters)
{
    struct guard g;
    guard_begin(&g);
    size_t cap = 40000, off = 0;
    char *path = malloc(cap);
    off += (size_t)snprintf(path, cap, "/users?limit=1");
    for (int i = 0; off + 32 < cap && i < 3000; i++)
        off += (size_t)snprintf(path + off, cap - off, "&p%d=%d", i, i);
    struct resp *r = http("GET", path, g.admin.access);
    /* ~30 KB of request line: answered, refused with a 4xx, or (libmicrohttpd
     * answering 431 while the client still sends) the connection is dropped;
     * the point is that nothing breaks */
    cr_assert(r->status == 0 || r->status == 200 || (r->status >= 400 && r->status < 500),
              "3000 query parameters: HTTP %ld", r->status);
    resp_free(r);
    free(path);
    guard_end(&g, "many query parameters");
}

Test(input, odd_request_ids)
{
    char big[1100] = "X-Request-Id: ";
    memset(big + 14, 'r', 1024);
    big[14 + 1024] = '\0';
    static const char *const odd[] = {"X-Request-Id: has space", "X-Request-Id: quote\"d",
                                      "X-Request-Id: \xc3\xa9t\xc3\xa9", "X-Request-Id: {json}"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        struct resp *r = http("GET", "/ping", NULL, NULL, odd[i]);
        expect_status(r, 200, odd[i]);
        resp_free(r);
    }
    struct resp *r = http("GET", "/ping", NULL, NULL, big);
    expect_status(r, 200, "a 1 KiB X-Request-Id");
    const char *id = resp_header(r, "X-Request-Id");
    cr_assert(strlen(id) <= 1024, "request id echoed in full or bounded");
    resp_free(r);
}
