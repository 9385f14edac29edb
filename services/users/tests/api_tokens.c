/* Access tokens (JWT checks), refresh rotation, reuse detection, expiry, logout. */
#include "harness.h"

#include <jwt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INVALID_TOKEN "Invalid token. Please log in again."
#define EXPIRED_TOKEN "Signature expired. Please log in again."
#define WRONG_KEY "another-secret-key-0123456789abcdef0123456789abc"

static void expect_status_ok(const char *access, const char *what)
{
    struct resp *r = http("GET", "/auth/status", access);
    expect_status(r, 200, what);
    resp_free(r);
}

static void expect_refused(const char *access, const char *what)
{
    struct resp *r = http("GET", "/auth/status", access);
    expect_401(r, what);
    resp_free(r);
}

/* Claims for user id with overrides: exp_delta (seconds from now; 0 = no exp),
 * type (NULL = none). */
static char *claims(long long id, long exp_delta, const char *type)
{
    long now = (long)time(NULL);
    json_t *o = json_object();
    char sub[32];
    snprintf(sub, sizeof sub, "%lld", id);
    json_object_set_new(o, "sub", json_string(sub));
    json_object_set_new(o, "iat", json_integer(now - 5));
    if (exp_delta)
        json_object_set_new(o, "exp", json_integer(now + exp_delta));
    if (type)
        json_object_set_new(o, "type", json_string(type));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

static char *forge(int alg, const char *key, long long id, long exp_delta, const char *type)
{
    char *c = claims(id, exp_delta, type);
    char *t = jwt_forge(alg, key, c);
    free(c);
    cr_assert(t, "test bug: could not forge a token");
    return t;
}

static void refresh_ok(const char *refresh, struct tokens *out, const char *what)
{
    struct resp *r = refresh_req(refresh);
    expect_status(r, 200, what);
    const char *a = jstr(r->json, "access_token"), *f = jstr(r->json, "refresh_token");
    cr_assert(a && f, "%s: no token pair: %s", what, r->body);
    cr_assert_str_eq(jstr(r->json, "token_type"), "Bearer", "%s: token_type", what);
    cr_assert(jint(r->json, "expires_in") > 0, "%s: expires_in", what);
    snprintf(out->access, sizeof out->access, "%s", a);
    snprintf(out->refresh, sizeof out->refresh, "%s", f);
    resp_free(r);
}

static void refresh_refused(const char *refresh, const char *message, const char *what)
{
    struct resp *r = refresh_req(refresh);
    expect_error(r, 401, message, what);
    resp_free(r);
}

/* ---- access tokens ---- */

Test(access, claims_and_signature)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    json_t *h = jwt_header(t.access), *p = jwt_payload(t.access);
    cr_assert(h && p, "access token is not a JWT: %s", t.access);
    cr_assert_str_eq(jstr(h, "alg"), "HS256");
    char sub[32];
    snprintf(sub, sizeof sub, "%lld", u.id);
    cr_assert(jstr(p, "sub"), "sub must be a string (the user id)");
    cr_assert_str_eq(jstr(p, "sub"), sub);
    long long iat = jint(p, "iat"), exp = jint(p, "exp");
    long long now = (long long)time(NULL);
    cr_assert(iat > 0 && iat <= now + 2 && iat >= now - 60, "iat %lld (now %lld)", iat, now);
    cr_assert_eq(exp - iat, 900, "exp - iat = %lld, ACCESS_TOKEN_EXPIRATION defaults to 900",
                 exp - iat);
    cr_assert_str_eq(jstr(p, "type"), "access", "\"type\":\"access\" claim");
    jwt_t *j = NULL;
    cr_assert_eq(jwt_decode(&j, t.access, (const unsigned char *)TEST_SECRET_KEY,
                            (int)strlen(TEST_SECRET_KEY)),
                 0, "signature must verify with SECRET_KEY");
    jwt_free(j);
    json_decref(h);
    json_decref(p);
}

Test(access, refresh_token_is_opaque)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    int dots = 0;
    for (const char *c = t.refresh; *c; c++)
        dots += *c == '.';
    json_t *p = jwt_payload(t.refresh);
    cr_assert(dots != 2 || !p, "refresh token should be an opaque random string, not a JWT");
    json_decref(p);
    cr_assert_geq(strlen(t.refresh), 32, "refresh token too short to be a secret: %s", t.refresh);
}

Test(access, forged_hs256_with_the_key_is_accepted)
{
    /* positive control: the forging below is right, so the refusals mean something */
    struct user u;
    user_new(&u);
    char *t = forge(JWT_ALG_HS256, TEST_SECRET_KEY, u.id, 600, "access");
    expect_status_ok(t, "a well-formed HS256 access token");
    free(t);
}

Test(access, missing_or_malformed_header)
{
    struct resp *r = http("GET", "/auth/status");
    expect_401(r, "no Authorization header");
    resp_free(r);
    static const char *const headers[] = {"Authorization: Bearer",
                                          "Authorization: Bearer ",
                                          "Authorization: Bearer  ",
                                          "Authorization: Basic YTpi",
                                          "Authorization: bearerxyz",
                                          "Authorization: Bearer a.b.c",
                                          "Authorization: Bearer garbage-garbage-garbage"};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        r = http("GET", "/auth/status", NULL, NULL, headers[i]);
        expect_401(r, headers[i]);
        resp_free(r);
    }
}

Test(access, other_algorithms_refused)
{
    struct user u;
    user_new(&u);
    static const int algs[] = {JWT_ALG_HS384, JWT_ALG_HS512};
    for (size_t i = 0; i < 2; i++) {
        char *t = forge(algs[i], TEST_SECRET_KEY, u.id, 600, "access");
        expect_refused(t, i == 0 ? "HS384 with the right key" : "HS512 with the right key");
        free(t);
    }
}

Test(access, alg_none_refused)
{
    struct user u;
    user_new(&u);
    char *t = forge(JWT_ALG_NONE, NULL, u.id, 600, "access");
    expect_refused(t, "alg none");
    /* the same, with a stray signature appended */
    char buf[2048];
    snprintf(buf, sizeof buf, "%sAAAA", t);
    expect_refused(buf, "alg none with a signature");
    free(t);
}

Test(access, wrong_key_refused)
{
    struct user u;
    user_new(&u);
    char *t = forge(JWT_ALG_HS256, WRONG_KEY, u.id, 600, "access");
    expect_refused(t, "HS256 with another key");
    free(t);
}

Test(access, tampered_payload_refused)
{
    struct user u, other;
    struct tokens t;
    user_new_session(&u, &t);
    user_new(&other);
    /* keep header and signature, swap in a payload naming another user */
    char *forged = forge(JWT_ALG_HS256, WRONG_KEY, other.id, 600, "access");
    const char *p1 = strchr(t.access, '.'), *p2 = strrchr(t.access, '.');
    const char *f1 = strchr(forged, '.'), *f2 = strrchr(forged, '.');
    char buf[4096];
    snprintf(buf, sizeof buf, "%.*s%.*s%s", (int)(p1 - t.access), t.access, (int)(f2 - f1), f1, p2);
    expect_refused(buf, "original signature over another payload");
    free(forged);
}

Test(access, expired_refused)
{
    struct user u;
    user_new(&u);
    char *t = forge(JWT_ALG_HS256, TEST_SECRET_KEY, u.id, -10, "access");
    expect_refused(t, "exp in the past");
    free(t);
}

Test(access, missing_exp_refused)
{
    struct user u;
    user_new(&u);
    char *t = forge(JWT_ALG_HS256, TEST_SECRET_KEY, u.id, 0, "access");
    expect_refused(t, "no exp claim");
    free(t);
}

Test(access, non_integer_exp_refused)
{
    struct user u;
    user_new(&u);
    char c[256];
    snprintf(c, sizeof c,
             "{\"sub\":\"%lld\",\"iat\":%ld,\"exp\":\"9999999999\",\"type\":\"access\"}", u.id,
             (long)time(NULL));
    char *t = jwt_forge(JWT_ALG_HS256, TEST_SECRET_KEY, c);
    expect_refused(t, "exp as a string");
    free(t);
}

Test(access, wrong_type_refused)
{
    struct user u;
    user_new(&u);
    char *t = forge(JWT_ALG_HS256, TEST_SECRET_KEY, u.id, 600, "refresh");
    expect_refused(t, "type refresh");
    free(t);
    t = forge(JWT_ALG_HS256, TEST_SECRET_KEY, u.id, 600, NULL);
    expect_refused(t, "no type claim");
    free(t);
}

Test(access, bad_sub_refused)
{
    char *t = forge(JWT_ALG_HS256, TEST_SECRET_KEY, 987654321, 600, "access");
    expect_refused(t, "sub of a user that does not exist");
    free(t);
    char c[256];
    snprintf(c, sizeof c, "{\"sub\":\"abc\",\"iat\":%ld,\"exp\":%ld,\"type\":\"access\"}",
             (long)time(NULL), (long)time(NULL) + 600);
    t = jwt_forge(JWT_ALG_HS256, TEST_SECRET_KEY, c);
    expect_refused(t, "non-numeric sub");
    free(t);
}

Test(access, refresh_token_as_bearer_refused)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    expect_refused(t.refresh, "the refresh token used as an access token");
}

Test(access, deleted_user_refused)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    char path[64];
    snprintf(path, sizeof path, "/users/%lld", u.id);
    struct resp *r = http("DELETE", path, t.access);
    expect_status(r, 200, "self-delete");
    resp_free(r);
    expect_refused(t.access, "access token of a deleted user");
    refresh_refused(t.refresh, NULL, "refresh token of a deleted user");
}

Test(access, deactivated_user_rotated_token_refused)
{
    struct user u;
    struct tokens t, n, admin;
    user_new_session(&u, &t);
    refresh_ok(t.refresh, &n, "rotate before the deactivation");
    login_admin(&admin);
    char path[64];
    snprintf(path, sizeof path, "/users/%lld", u.id);
    struct resp *r = http_json(
        "PUT", path, admin.access,
        json_pack("{s:s, s:s, s:b}", "username", u.username, "email", u.email, "active", 0));
    expect_status(r, 200, "admin deactivates");
    resp_free(r);
    refresh_refused(t.refresh, NULL, "grace reuse of a deactivated user's rotated token");
    refresh_refused(n.refresh, NULL, "a deactivated user's newest token");
}

Test(access, deactivated_user_refused)
{
    struct user u;
    struct tokens t, admin;
    user_new_session(&u, &t);
    login_admin(&admin);
    char path[64];
    snprintf(path, sizeof path, "/users/%lld", u.id);
    struct resp *r = http_json(
        "PUT", path, admin.access,
        json_pack("{s:s, s:s, s:b}", "username", u.username, "email", u.email, "active", 0));
    expect_status(r, 200, "admin deactivates");
    resp_free(r);
    expect_refused(t.access, "access token of a deactivated user");
    refresh_refused(t.refresh, NULL, "refresh token of a deactivated user");
}

Test(access, expiry_follows_config, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "ACCESS_TOKEN_EXPIRATION=1");
    http_use(&s);
    struct user u;
    user_new(&u);
    struct resp *r = login_req(u.email, u.password, NULL);
    expect_status(r, 200, "login");
    cr_assert_eq(jint(r->json, "expires_in"), 1, "expires_in must follow ACCESS_TOKEN_EXPIRATION");
    char access[2048];
    snprintf(access, sizeof access, "%s", jstr(r->json, "access_token"));
    resp_free(r);
    sleep_ms(2100);
    expect_refused(access, "access token past ACCESS_TOKEN_EXPIRATION");
    SERVER_STOP(&s);
}

/* ---- refresh ---- */

Test(refresh, rotates)
{
    struct user u;
    struct tokens t, n;
    user_new_session(&u, &t);
    refresh_ok(t.refresh, &n, "refresh");
    cr_assert_str_neq(n.refresh, t.refresh, "a new refresh token each time");
    expect_status_ok(n.access, "the new access token");
    json_t *p = jwt_payload(n.access);
    char sub[32];
    snprintf(sub, sizeof sub, "%lld", u.id);
    cr_assert_str_eq(jstr(p, "sub"), sub);
    json_decref(p);
    struct tokens n2;
    refresh_ok(n.refresh, &n2, "refresh the rotated token");
}

Test(refresh, reuse_within_interval_gets_a_valid_pair)
{
    struct user u;
    struct tokens t, a, b, c;
    user_new_session(&u, &t);
    refresh_ok(t.refresh, &a, "first refresh");
    refresh_ok(t.refresh, &b, "the same token again within REFRESH_TOKEN_REUSE_INTERVAL (10 s)");
    expect_status_ok(b.access, "access token from the grace refresh");
    refresh_ok(b.refresh, &c, "refresh token from the grace refresh");
    expect_status_ok(c.access, "after the grace refresh");
}

Test(refresh, grace_pair_belongs_to_the_same_login)
{
    struct user u;
    struct tokens t, a, b, other, x;
    user_new_session(&u, &t);
    login(u.email, u.password, &other);
    refresh_ok(t.refresh, &a, "tab A refreshes");
    refresh_ok(t.refresh, &b, "tab B refreshes the same token within the interval");
    struct resp *r =
        http_json("POST", "/auth/logout", NULL, json_pack("{s:s}", "refresh_token", b.refresh));
    expect_status(r, 204, "tab B logs out");
    resp_free(r);
    refresh_refused(a.refresh, NULL, "tab A's token belongs to the logged-out login");
    refresh_ok(other.refresh, &x, "another login is unaffected");
}

Test(refresh, garbage_refused)
{
    refresh_refused("not-a-token", INVALID_TOKEN, "garbage refresh token");
    refresh_refused("", INVALID_TOKEN, "empty refresh token");
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    refresh_refused(t.access, INVALID_TOKEN, "an access token as refresh token");
    char mangled[1024];
    snprintf(mangled, sizeof mangled, "%s", t.refresh);
    mangled[strlen(mangled) / 2] ^= 1;
    refresh_refused(mangled, INVALID_TOKEN, "a refresh token with one bit flipped");
    /* the real one is unaffected by the failed attempts */
    struct tokens n;
    refresh_ok(t.refresh, &n, "the real refresh token");
}

Test(refresh, reuse_revokes_the_login_when_interval_is_zero, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "REFRESH_TOKEN_REUSE_INTERVAL=0");
    http_use(&s);
    struct user u;
    struct tokens a1, b1, a2, a3;
    user_new(&u);
    login(u.email, u.password, &a1);
    login(u.email, u.password, &b1);
    refresh_ok(a1.refresh, &a2, "rotate");
    refresh_refused(a1.refresh, INVALID_TOKEN, "reuse of a rotated token (interval 0)");
    refresh_refused(a2.refresh, NULL, "the newest token of the login after a reuse");
    refresh_ok(b1.refresh, &a3, "another login of the same user is unaffected");
    SERVER_STOP(&s);
}

Test(refresh, reuse_after_interval_revokes_the_login, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "REFRESH_TOKEN_REUSE_INTERVAL=1");
    http_use(&s);
    struct user u;
    struct tokens a1, b1, a2, x;
    user_new(&u);
    login(u.email, u.password, &a1);
    login(u.email, u.password, &b1);
    refresh_ok(a1.refresh, &a2, "rotate");
    sleep_ms(2100);
    refresh_refused(a1.refresh, INVALID_TOKEN, "reuse 2 s after rotation (interval 1 s)");
    refresh_refused(a2.refresh, NULL, "the newest token of the login after a late reuse");
    refresh_ok(b1.refresh, &x, "another login of the same user is unaffected");
    SERVER_STOP(&s);
}

Test(refresh, expired_refused, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "REFRESH_TOKEN_EXPIRATION=1");
    http_use(&s);
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    sleep_ms(2100);
    refresh_refused(t.refresh, EXPIRED_TOKEN, "refresh token past REFRESH_TOKEN_EXPIRATION");
    SERVER_STOP(&s);
}

/* ---- logout ---- */

static struct resp *logout_req(const char *refresh)
{
    return http_json("POST", "/auth/logout", NULL, json_pack("{s:s}", "refresh_token", refresh));
}

Test(logout, revokes_the_token)
{
    struct user u;
    struct tokens t, other, x;
    user_new_session(&u, &t);
    login(u.email, u.password, &other);
    struct resp *r = logout_req(t.refresh);
    expect_status(r, 204, "logout");
    cr_assert_eq(r->body_len, 0, "204 has no body");
    resp_free(r);
    refresh_refused(t.refresh, NULL, "refresh after logout");
    refresh_ok(other.refresh, &x, "another session survives the logout");
}

Test(logout, revokes_rotations)
{
    struct user u;
    struct tokens t, a, b;
    user_new_session(&u, &t);
    refresh_ok(t.refresh, &a, "rotate");
    refresh_ok(a.refresh, &b, "rotate again");
    struct resp *r = logout_req(b.refresh);
    expect_status(r, 204, "logout with the newest token");
    resp_free(r);
    refresh_refused(b.refresh, NULL, "the logged-out token");
    refresh_refused(a.refresh, NULL, "an earlier token of the logged-out login (within grace)");
    refresh_refused(t.refresh, NULL, "the first token of the logged-out login");
}

Test(logout, invalid_token)
{
    struct resp *r = logout_req("not-a-token");
    expect_status(r, 401, "logout with garbage");
    cr_assert(jstr(r->json, "message"), "JSON message");
    resp_free(r);
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    r = logout_req(t.access);
    expect_status(r, 401, "logout with an access token");
    resp_free(r);
}

/* ---- concurrency and id reuse ---- */

enum { TABS = 6 };

struct tab {
    const char *refresh;
    pthread_barrier_t *start;
    long status;
    char new_refresh[1024];
};

static void *tab_refresh(void *arg)
{
    struct tab *t = arg;
    pthread_barrier_wait(t->start);
    struct resp *r = refresh_req(t->refresh);
    t->status = r->status;
    const char *f = jstr(r->json, "refresh_token");
    snprintf(t->new_refresh, sizeof t->new_refresh, "%s", f ? f : "");
    resp_free(r);
    return NULL;
}

/* TABS threads refresh the same token at once; returns how many got 200. */
static int refresh_race(const char *refresh, struct tab tabs[TABS])
{
    pthread_barrier_t start;
    pthread_t th[TABS];
    pthread_barrier_init(&start, NULL, TABS);
    for (int i = 0; i < TABS; i++) {
        tabs[i] = (struct tab){.refresh = refresh, .start = &start};
        pthread_create(&th[i], NULL, tab_refresh, &tabs[i]);
    }
    int ok = 0;
    for (int i = 0; i < TABS; i++) {
        pthread_join(th[i], NULL);
        ok += tabs[i].status == 200;
    }
    pthread_barrier_destroy(&start);
    return ok;
}

Test(refresh, concurrent_tabs_within_interval_all_succeed)
{
    struct user u;
    struct tokens t, x;
    struct tab tabs[TABS];
    user_new_session(&u, &t);
    int ok = refresh_race(t.refresh, tabs);
    cr_assert_eq(ok, TABS,
                 "%d tabs refreshing one token at once: %d got 200 (statuses %ld %ld %ld "
                 "%ld %ld %ld)",
                 TABS, ok, tabs[0].status, tabs[1].status, tabs[2].status, tabs[3].status,
                 tabs[4].status, tabs[5].status);
    for (int i = 0; i < TABS; i++)
        refresh_ok(tabs[i].new_refresh, &x, "every tab's new refresh token works");
}

Test(refresh, concurrent_reuse_without_interval_single_winner, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "REFRESH_TOKEN_REUSE_INTERVAL=0");
    http_use(&s);
    struct user u;
    struct tokens t;
    struct tab tabs[TABS];
    user_new_session(&u, &t);
    int ok = refresh_race(t.refresh, tabs);
    cr_assert_eq(ok, 1,
                 "with REFRESH_TOKEN_REUSE_INTERVAL=0 one token refreshed %d times at once must "
                 "rotate exactly once, %d got 200 (statuses %ld %ld %ld %ld %ld %ld)",
                 TABS, ok, tabs[0].status, tabs[1].status, tabs[2].status, tabs[3].status,
                 tabs[4].status, tabs[5].status);
    SERVER_STOP(&s);
}

Test(access, deleted_users_id_not_reused, .timeout = 60)
{
    /* own server: the deleted user holds the highest id when the next one registers */
    struct server s;
    SERVER_START(&s, "LOG_LEVEL=info");
    http_use(&s);
    struct user a, b;
    struct tokens ta;
    user_new_session(&a, &ta);
    char path[64];
    snprintf(path, sizeof path, "/users/%lld", a.id);
    struct resp *r = http("DELETE", path, ta.access);
    expect_status(r, 200, "self-delete");
    resp_free(r);
    user_new(&b);
    cr_assert_neq(b.id, a.id, "a deleted user's id was given to a new user");
    r = http("GET", "/auth/status", ta.access);
    cr_assert(r->status == 401, "the deleted user's token must not authenticate (as %s): HTTP %ld",
              jstr(r->json, "email") ? jstr(r->json, "email") : "?", r->status);
    resp_free(r);
    SERVER_STOP(&s);
}
