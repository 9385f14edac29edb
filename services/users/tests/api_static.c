/* STATIC_DIR: the built client served next to the API (own server). */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define INDEX_HTML                                                                                 \
    "<!doctype html><html><head><title>users</title></head><body>SPA-INDEX</body></html>\n"
#define APP_JS "console.log('app-abc123');\n"
#define SECRET "TOP-SECRET-OUTSIDE-STATIC-DIR"

/* Creates ROOT/static/{index.html,assets/app-abc123.js} and ROOT/secret.txt;
 * starts a server with STATIC_DIR=ROOT/static. */
static void start_static(struct server *s, char *root, size_t rootlen)
{
    char name[96], path[1200], env[1300];
    uniq_name(name, sizeof name, "static_");
    snprintf(root, rootlen, "%s/%s", test_tmpdir(), name);
    cr_assert_eq(mkdir(root, 0755), 0, "mkdir %s", root);
    snprintf(path, sizeof path, "%s/static", root);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/static/assets", root);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/static/index.html", root);
    cr_assert_eq(write_file(path, INDEX_HTML), 0);
    snprintf(path, sizeof path, "%s/static/assets/app-abc123.js", root);
    cr_assert_eq(write_file(path, APP_JS), 0);
    snprintf(path, sizeof path, "%s/static/assets/app-abc123.css", root);
    cr_assert_eq(write_file(path, "body{color:red}\n"), 0);
    snprintf(path, sizeof path, "%s/secret.txt", root);
    cr_assert_eq(write_file(path, SECRET "\n"), 0);
    snprintf(env, sizeof env, "STATIC_DIR=%s/static", root);
    SERVER_START(s, env);
    http_use(s);
}

static void expect_index(const struct resp *r, const char *what)
{
    expect_status(r, 200, what);
    const char *ct = resp_header(r, "Content-Type");
    cr_assert(ct && strncasecmp(ct, "text/html", 9) == 0, "%s: Content-Type %s", what,
              ct ? ct : "(none)");
    cr_assert(strstr(r->body, "SPA-INDEX"), "%s: not index.html: %.200s", what, r->body);
    const char *cc = resp_header(r, "Cache-Control");
    cr_assert(cc && strcasestr(cc, "no-cache"),
              "%s: index.html needs Cache-Control no-cache, got %s", what, cc ? cc : "(none)");
}

Test(static, index_assets_and_spa_fallback, .timeout = 60)
{
    struct server s;
    char root[700];
    start_static(&s, root, sizeof root);

    struct resp *r = http("GET", "/");
    expect_index(r, "GET /");
    resp_free(r);
    r = http("GET", "/index.html");
    cr_assert(r->status == 200 || (r->status >= 300 && r->status < 400), "GET /index.html: %ld",
              r->status);
    resp_free(r);

    r = http("GET", "/assets/app-abc123.js");
    expect_status(r, 200, "GET /assets/app-abc123.js");
    const char *ct = resp_header(r, "Content-Type");
    cr_assert(ct && strcasestr(ct, "javascript"), "JS Content-Type, got %s", ct ? ct : "(none)");
    cr_assert_str_eq(r->body, APP_JS);
    const char *cc = resp_header(r, "Cache-Control");
    cr_assert(cc && strcasestr(cc, "immutable") && strcasestr(cc, "max-age="),
              "hashed assets need a long immutable Cache-Control, got %s", cc ? cc : "(none)");
    const char *ma = strcasestr(cc, "max-age=");
    cr_assert(atol(ma + 8) >= 86400 * 30, "max-age too short: %s", cc);
    resp_free(r);

    r = http("GET", "/assets/app-abc123.css");
    expect_status(r, 200, "GET css");
    ct = resp_header(r, "Content-Type");
    cr_assert(ct && strcasestr(ct, "text/css"), "CSS Content-Type, got %s", ct ? ct : "(none)");
    resp_free(r);

    static const char *const spa[] = {"/some/spa/route", "/login", "/users-page", "/profile/7"};
    for (size_t i = 0; i < sizeof spa / sizeof spa[0]; i++) {
        r = http("GET", spa[i]);
        expect_index(r, spa[i]);
        resp_free(r);
    }
    SERVER_STOP(&s);
}

Test(static, api_paths_stay_json, .timeout = 60)
{
    struct server s;
    char root[700];
    start_static(&s, root, sizeof root);
    struct resp *r = http("GET", "/users");
    expect_401(r, "GET /users without a token next to STATIC_DIR");
    resp_free(r);
    r = http("GET", "/ping");
    expect_status(r, 200, "GET /ping");
    cr_assert_str_eq(jstr(r->json, "message"), "pong!");
    resp_free(r);
    r = http("GET", "/users/1");
    expect_401(r, "GET /users/1 without a token");
    resp_free(r);
    r = http("GET", "/auth/nope");
    expect_error(r, 404, "Not found", "an unknown path under /auth is an API 404, not index.html");
    resp_free(r);
    r = http("POST", "/auth/login", NULL, "{\"email\":\"a@b.co\",\"password\":\"12345678\"}");
    expect_error(r, 401, "Invalid email or password.", "POST /auth/login");
    resp_free(r);
    r = http("DELETE", "/ping");
    expect_error(r, 405, NULL, "DELETE /ping");
    resp_free(r);
    r = http("GET", "/assets/missing-xyz.js");
    cr_assert_eq(r->status, 404, "a missing asset is a 404, not index.html: HTTP %ld", r->status);
    resp_free(r);
    r = http("POST", "/some/spa/route", NULL, "{}");
    cr_assert(r->status == 404 || r->status == 405, "POST to a SPA route: HTTP %ld", r->status);
    cr_assert(!strstr(r->body, "SPA-INDEX"), "POST must not get index.html");
    resp_free(r);
    SERVER_STOP(&s);
}

Test(static, no_path_traversal, .timeout = 60)
{
    struct server s;
    char root[700];
    start_static(&s, root, sizeof root);
    static const char *const paths[] = {"/../secret.txt",
                                        "/..%2fsecret.txt",
                                        "/%2e%2e/secret.txt",
                                        "/%2e%2e%2fsecret.txt",
                                        "/assets/../../secret.txt",
                                        "/assets/%2e%2e/%2e%2e/secret.txt",
                                        "/assets/..%5c..%5csecret.txt",
                                        "/%252e%252e/secret.txt",
                                        "/....//secret.txt",
                                        "/../../../../../../etc/passwd",
                                        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                                        "/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                                        "//etc/passwd",
                                        "/assets//etc/passwd",
                                        "/%00/etc/passwd",
                                        "/index.html%00.js"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct resp *r = http_path_as_is("GET", paths[i]);
        cr_assert(r->status != 0, "%s: no response", paths[i]);
        cr_assert(!strstr(r->body, SECRET) && !strstr(r->body, "root:x:0:0"),
                  "%s leaks a file outside STATIC_DIR (HTTP %ld)", paths[i], r->status);
        resp_free(r);
    }
    struct resp *r = http("GET", "/ping");
    expect_status(r, 200, "still alive");
    resp_free(r);
    SERVER_STOP(&s);
}

Test(static, symlink_out_of_root_not_followed, .timeout = 60)
{
    struct server s;
    char root[700], link[800], target[800];
    start_static(&s, root, sizeof root);
    snprintf(link, sizeof link, "%s/static/assets/leak.txt", root);
    snprintf(target, sizeof target, "%s/secret.txt", root);
    cr_assert_eq(symlink(target, link), 0);
    struct resp *r = http("GET", "/assets/leak.txt");
    cr_assert(!strstr(r->body, SECRET), "a symlink inside STATIC_DIR leaks %s (HTTP %ld)", target,
              r->status);
    resp_free(r);
    SERVER_STOP(&s);
}

Test(static, no_static_dir_means_json_404)
{
    struct resp *r = http("GET", "/");
    expect_error(r, 404, "Not found", "GET / without STATIC_DIR");
    resp_free(r);
    r = http("GET", "/some/spa/route");
    expect_error(r, 404, "Not found", "GET /some/spa/route without STATIC_DIR");
    resp_free(r);
}
