/* Serving the built client: types, caching, SPA fallback, no escape from the directory. */
#include "static.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static void write_file(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/static-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char assets[128];
    snprintf(assets, sizeof assets, "%s/assets", dir);
    mkdir(assets, 0755);
    write_file("index.html", "<html>app</html>");
    write_file("assets/app-abc123.js", "console.log(1)");
    write_file("favicon.svg", "<svg/>");
    char secret[128];
    snprintf(secret, sizeof secret, "%s.secret", dir);
    FILE *f = fopen(secret, "w");
    fputs("outside", f);
    fclose(f);
}

static void teardown(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s.secret'", dir, dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(static_files, .init = setup, .fini = teardown);

static const char *header(const struct http_response *res, const char *name)
{
    for (size_t i = 0; i < res->header_count; i++) {
        if (strcmp(res->headers[i].name, name) == 0) {
            return res->headers[i].value;
        }
    }
    return NULL;
}

Test(static_files, hashed_asset_is_immutable)
{
    struct http_response res = {0};
    cr_assert_eq(static_lookup(dir, "/assets/app-abc123.js", &res), 0);
    cr_expect(res.has_fd);
    cr_expect_eq(res.fd_size, strlen("console.log(1)"));
    cr_expect_str_eq(res.content_type, "text/javascript; charset=utf-8");
    cr_expect_not_null(strstr(header(&res, "Cache-Control"), "immutable"));
    http_response_reset(&res);
}

Test(static_files, index_and_spa_fallback_not_cached)
{
    const char *paths[] = {"/", "/index.html", "/login", "/account/settings"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct http_response res = {0};
        cr_assert_eq(static_lookup(dir, paths[i], &res), 0, "%s", paths[i]);
        cr_expect_eq(res.fd_size, strlen("<html>app</html>"));
        cr_expect_str_eq(res.content_type, "text/html; charset=utf-8");
        cr_expect_str_eq(header(&res, "Cache-Control"), "no-cache");
        cr_expect_not_null(strstr(header(&res, "Content-Security-Policy"), "script-src 'self'"));
        cr_expect_str_eq(header(&res, "X-Frame-Options"), "DENY");
        http_response_reset(&res);
    }
}

Test(static_files, missing_files_and_escapes_are_refused)
{
    const char *paths[] = {
        "/assets/missing.js", "/../static-test.secret", "/assets/../../x", "/.hidden", "/a\\b",
        "//etc/passwd"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct http_response res = {0};
        cr_expect_eq(static_lookup(dir, paths[i], &res), -1, "%s served", paths[i]);
        http_response_reset(&res);
    }
}

Test(static_files, symlink_out_of_the_directory_is_refused)
{
    char link[128], target[128];
    snprintf(link, sizeof link, "%s/leak", dir);
    snprintf(target, sizeof target, "%s.secret", dir);
    cr_assert_eq(symlink(target, link), 0);
    struct http_response res = {0};
    /* "leak" has no extension, so it would fall back to index.html: check what is served */
    if (static_lookup(dir, "/leak", &res) == 0) {
        cr_expect_eq(res.fd_size, strlen("<html>app</html>"), "served the file behind the link");
    }
    http_response_reset(&res);
}
