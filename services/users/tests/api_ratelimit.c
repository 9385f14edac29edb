/* Login rate limits, each on its own server: per account, per address,
 * X-Forwarded-For with and without TRUSTED_PROXIES, across two servers that
 * share a database, and the window. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

/* A failed login (401) from an optional X-Forwarded-For address. */
static void fail_login(const char *email, const char *xff, const char *what)
{
    char h[128];
    if (xff)
        snprintf(h, sizeof h, "X-Forwarded-For: %s", xff);
    struct resp *r = login_req(email, "wrong-password", xff ? h : NULL);
    expect_error(r, 401, "Invalid email or password.", what);
    resp_free(r);
}

static void expect_429(const struct resp *r, long window, const char *what)
{
    expect_error(r, 429, NULL, what);
    const char *ra = resp_header(r, "Retry-After");
    cr_assert(ra, "%s: 429 needs Retry-After", what);
    char *end;
    long secs = strtol(ra, &end, 10);
    cr_assert(end != ra && *end == '\0' && secs >= 1 && secs <= window,
              "%s: Retry-After \"%s\" must be an integer in 1..%ld", what, ra, window);
    cr_assert(!jstr(r->json, "access_token"), "%s: no tokens with a 429", what);
}

static struct resp *login_from(const struct user *u, const char *xff)
{
    char h[128];
    if (xff)
        snprintf(h, sizeof h, "X-Forwarded-For: %s", xff);
    return login_req(u->email, u->password, xff ? h : NULL);
}

Test(ratelimit, per_account, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "LOGIN_RATE_LIMIT_ACCOUNT=3", "LOGIN_RATE_LIMIT_IP=0");
    http_use(&s);
    struct user u, v;
    struct tokens t;
    user_new(&u);
    user_new(&v);
    for (int i = 0; i < 3; i++)
        fail_login(u.email, NULL, "failed login under the limit");
    struct resp *r = login_from(&u, NULL);
    expect_429(r, 900, "4th attempt with the right password");
    resp_free(r);
    /* the same account spelled differently is the same account */
    char upper[400];
    snprintf(upper, sizeof upper, " %s ", u.email);
    upper[1] = (char)(upper[1] - 'a' + 'A');
    r = login_req(upper, u.password, NULL);
    expect_429(r, 900, "the same account in another case");
    resp_free(r);
    login(v.email, v.password, &t);
    SERVER_STOP(&s);
}

Test(ratelimit, unknown_accounts_limited_alike, .timeout = 60)
{
    /* if only existing accounts were limited, a 429 would reveal which emails exist */
    struct server s;
    SERVER_START(&s, "LOGIN_RATE_LIMIT_ACCOUNT=3", "LOGIN_RATE_LIMIT_IP=0");
    http_use(&s);
    struct user ghost;
    user_make(&ghost);
    for (int i = 0; i < 3; i++)
        fail_login(ghost.email, NULL, "failed login for an unknown email");
    struct resp *r = login_req(ghost.email, "wrong-password", NULL);
    expect_429(r, 900, "4th attempt for an unknown email");
    resp_free(r);
    SERVER_STOP(&s);
}

Test(ratelimit, success_does_not_count, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "LOGIN_RATE_LIMIT_ACCOUNT=3", "LOGIN_RATE_LIMIT_IP=3");
    http_use(&s);
    struct user u;
    struct tokens t;
    user_new(&u);
    for (int i = 0; i < 6; i++)
        login(u.email, u.password, &t);
    SERVER_STOP(&s);
}

Test(ratelimit, per_address, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "LOGIN_RATE_LIMIT_IP=3", "LOGIN_RATE_LIMIT_ACCOUNT=0");
    http_use(&s);
    struct user u;
    user_new(&u);
    for (int i = 0; i < 3; i++) {
        char email[400];
        snprintf(email, sizeof email, "nobody%d.%s", i, u.email);
        fail_login(email, NULL, "failed login from one address");
    }
    struct resp *r = login_from(&u, NULL);
    expect_429(r, 900, "a valid login from the same address");
    resp_free(r);
    SERVER_STOP(&s);
}

Test(ratelimit, trusted_proxy_uses_forwarded_address, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "LOGIN_RATE_LIMIT_IP=3", "LOGIN_RATE_LIMIT_ACCOUNT=0",
                 "TRUSTED_PROXIES=10.9.9.9,127.0.0.1");
    http_use(&s);
    struct user u;
    struct tokens t;
    user_new(&u);
    for (int i = 0; i < 3; i++) {
        char email[400];
        snprintf(email, sizeof email, "nobody%d.%s", i, u.email);
        fail_login(email, "203.0.113.7", "failed login via the proxy for 203.0.113.7");
    }
    struct resp *r = login_from(&u, "203.0.113.7");
    expect_429(r, 900, "203.0.113.7 is over the limit");
    resp_free(r);
    r = login_from(&u, "203.0.113.8");
    expect_status(r, 200, "another client behind the same proxy");
    resp_free(r);
    r = login_from(&u, "198.51.100.1, 203.0.113.9");
    expect_status(r, 200, "a chain ending in a fresh address");
    resp_free(r);
    login(u.email, u.password, &t);
    SERVER_STOP(&s);
}

Test(ratelimit, trusted_proxy_cidr, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "LOGIN_RATE_LIMIT_IP=3", "LOGIN_RATE_LIMIT_ACCOUNT=0",
                 "TRUSTED_PROXIES=127.0.0.0/8");
    http_use(&s);
    struct user u;
    user_new(&u);
    for (int i = 0; i < 3; i++) {
        char email[400];
        snprintf(email, sizeof email, "nobody%d.%s", i, u.email);
        fail_login(email, "203.0.113.7", "failed login via a CIDR-trusted proxy");
    }
    struct resp *r = login_from(&u, "203.0.113.7");
    expect_429(r, 900, "203.0.113.7 is over the limit");
    resp_free(r);
    r = login_from(&u, "203.0.113.8");
    expect_status(r, 200, "another client behind the CIDR-trusted proxy");
    resp_free(r);
    SERVER_STOP(&s);
}

Test(ratelimit, untrusted_forwarded_for_is_ignored, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "LOGIN_RATE_LIMIT_IP=3", "LOGIN_RATE_LIMIT_ACCOUNT=0");
    http_use(&s);
    struct user u;
    user_new(&u);
    for (int i = 0; i < 3; i++) {
        char email[400], xff[32];
        snprintf(email, sizeof email, "nobody%d.%s", i, u.email);
        snprintf(xff, sizeof xff, "203.0.113.%d", 10 + i);
        fail_login(email, xff, "failed login with a spoofed X-Forwarded-For");
    }
    struct resp *r = login_from(&u, "203.0.113.99");
    expect_429(r, 900, "spoofing X-Forwarded-For must not dodge the per-address limit");
    resp_free(r);
    SERVER_STOP(&s);
}

Test(ratelimit, shared_across_servers, .timeout = 90)
{
    struct server a, b;
    SERVER_START(&a, "LOGIN_RATE_LIMIT_ACCOUNT=3", "LOGIN_RATE_LIMIT_IP=0");
    char db[700];
    snprintf(db, sizeof db, "DATABASE_URL=%s", a.db_url);
    SERVER_START(&b, "LOGIN_RATE_LIMIT_ACCOUNT=3", "LOGIN_RATE_LIMIT_IP=0", db);
    http_use(&a);
    struct user u;
    user_new(&u);
    fail_login(u.email, NULL, "failure 1 on server A");
    fail_login(u.email, NULL, "failure 2 on server A");
    http_use(&b);
    fail_login(u.email, NULL, "failure 3 on server B");
    struct resp *r = login_from(&u, NULL);
    expect_429(r, 900, "server B after 3 failures split across A and B");
    resp_free(r);
    http_use(&a);
    r = login_from(&u, NULL);
    expect_429(r, 900, "server A after 3 failures split across A and B");
    resp_free(r);
    SERVER_STOP(&b);
    SERVER_STOP(&a);
}

Test(ratelimit, window_lets_logins_through_again, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "LOGIN_RATE_LIMIT_ACCOUNT=3", "LOGIN_RATE_LIMIT_IP=0",
                 "LOGIN_RATE_LIMIT_WINDOW=2");
    http_use(&s);
    struct user u;
    struct tokens t;
    user_new(&u);
    for (int i = 0; i < 3; i++)
        fail_login(u.email, NULL, "failed login");
    struct resp *r = login_from(&u, NULL);
    expect_429(r, 2, "limited within the 2 s window");
    resp_free(r);
    sleep_ms(3000);
    login(u.email, u.password, &t);
    SERVER_STOP(&s);
}
