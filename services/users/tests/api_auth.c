/* /auth/register, /auth/login, /auth/status, /auth/password. */
#include "harness.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define VALIDATION_MSG "Input payload validation failed"

static void expect_validation(const struct resp *r, const char *field, const char *what)
{
    expect_error(r, 400, VALIDATION_MSG, what);
    cr_assert(has_field_error(r, field), "%s: 400 body lacks errors.%s: %s", what, field, r->body);
}

static struct resp *register_req(const char *username, const char *email, const char *password)
{
    return http_json(
        "POST", "/auth/register", NULL,
        json_pack("{s:s, s:s, s:s}", "username", username, "email", email, "password", password));
}

static void no_secrets_in(const struct resp *r, const char *password, const char *what)
{
    cr_assert(!strstr(r->body, "$2b$") && !strstr(r->body, "$2a$") && !strstr(r->body, "$2y$"),
              "%s: a bcrypt hash leaked: %s", what, r->body);
    cr_assert(!strcasestr(r->body, "password"), "%s: body mentions a password: %s", what, r->body);
    if (password)
        cr_assert(!strstr(r->body, password), "%s: the password leaked", what);
}

/* ---- register ---- */

Test(register, returns_user_object)
{
    struct user u;
    user_make(&u);
    struct resp *r = register_req(u.username, u.email, u.password);
    expect_status(r, 201, "register");
    expect_user_object(r->json, "register");
    cr_assert_str_eq(jstr(r->json, "username"), u.username);
    cr_assert_str_eq(jstr(r->json, "email"), u.email);
    cr_assert(json_is_true(json_object_get(r->json, "active")), "a new user is active");
    cr_assert(json_is_false(json_object_get(r->json, "admin")), "a new user is not admin");
    const char *ct = resp_header(r, "Content-Type");
    cr_assert(ct && strncasecmp(ct, "application/json", 16) == 0, "Content-Type %s", ct);
    no_secrets_in(r, u.password, "register");
    resp_free(r);
}

Test(register, email_trimmed_and_lowercased)
{
    struct user u;
    user_make(&u);
    char sent[400], upper[400];
    snprintf(sent, sizeof sent, "  MiXeD.%s@Example.COM \t", u.username);
    snprintf(u.email, sizeof u.email, "mixed.%s@example.com", u.username);
    struct resp *r = register_req(u.username, sent, u.password);
    expect_status(r, 201, "register with padded mixed-case email");
    cr_assert_str_eq(jstr(r->json, "email"), u.email, "email must be stored trimmed, lower-case");
    resp_free(r);
    /* login matches the email case-insensitively and trimmed */
    snprintf(upper, sizeof upper, " MIXED.%s@EXAMPLE.com ", u.username);
    struct tokens t;
    login(upper, u.password, &t);
    login(u.email, u.password, &t);
}

Test(register, ignores_unknown_fields_and_admin_flag)
{
    struct user u;
    user_make(&u);
    struct resp *r =
        http_json("POST", "/auth/register", NULL,
                  json_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:i}", "username", u.username, "email",
                            u.email, "password", u.password, "admin", 1, "active", 0,
                            "favourite_colour", "blue", "id", 1));
    expect_status(r, 201, "register with extra fields");
    expect_user_object(r->json, "register");
    cr_assert(json_is_false(json_object_get(r->json, "admin")),
              "self-registration must never create an admin");
    cr_assert(json_is_true(json_object_get(r->json, "active")), "active is not settable here");
    cr_assert_neq(jint(r->json, "id"), 1, "id must not be settable");
    resp_free(r);
}

Test(register, accepts_json_with_charset)
{
    struct user u;
    user_make(&u);
    char body[600];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"email\":\"%s\",\"password\":\"%s\"}",
             u.username, u.email, u.password);
    struct resp *r =
        http("POST", "/auth/register", NULL, body, "Content-Type: application/json; charset=utf-8");
    expect_status(r, 201, "Content-Type: application/json; charset=utf-8");
    resp_free(r);
}

Test(register, username_rules)
{
    static const char *const bad[] = {
        "ab",
        "",
        "a b c",
        "abc!",
        "ab/c",
        "ab@c",
        "J\xc3\xbcrgen",
        "tab\tname",
        "x1234567890123456789012345678901234567890123456789012345678901234",
        "<script>"};
    struct user u;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        user_make(&u);
        struct resp *r = register_req(bad[i], u.email, u.password);
        char what[160];
        snprintf(what, sizeof what, "username \"%s\"", bad[i]);
        expect_validation(r, "username", what);
        resp_free(r);
        /* nothing was stored: the email is still free */
        user_register(&u);
    }
}

/* Registers a username of exactly n characters (retrying on the rare clash). */
static void register_username_len(size_t n, const char *alphabet)
{
    for (int attempt = 0; attempt < 8; attempt++) {
        struct user u;
        user_make(&u);
        char name[80];
        unsigned long long seed = (unsigned long long)getpid() * 7919u + (unsigned)attempt * 131u +
                                  (unsigned long long)strlen(u.email) * 31u +
                                  (unsigned long long)u.username[strlen(u.username) - 1];
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            name[i] = alphabet[(seed >> 33) % strlen(alphabet)];
        }
        name[n] = '\0';
        struct resp *r = register_req(name, u.email, u.password);
        long st = r->status;
        if (st == 409) {
            resp_free(r);
            continue;
        }
        char what[120];
        snprintf(what, sizeof what, "username of %zu chars \"%s\"", n, name);
        expect_status(r, 201, what);
        cr_assert_str_eq(jstr(r->json, "username"), name);
        resp_free(r);
        return;
    }
    cr_assert_fail("could not register a %zu-char username (always 409)", n);
}

Test(register, username_bounds_accepted)
{
    register_username_len(3, "abcdefghijklmnopqrstuvwxyz0123456789");
    register_username_len(64, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
    register_username_len(5, "_.-");
}

/* local@ + labels of at most 50 letters + ".com", exactly total bytes long. */
static void long_email(char *out, size_t outlen, const char *local, size_t total)
{
    size_t n = (size_t)snprintf(out, outlen, "%s@", local);
    while (n + 4 < total && n < outlen - 8) {
        size_t room = total - 4 - n; /* bytes left before ".com" */
        size_t label = room > 51 ? 50 : room;
        if (room - label == 1) /* never leave a lone dot */
            label--;
        if (out[n - 1] != '@' && label > 0)
            out[n++] = '.', label--;
        for (size_t i = 0; i < label; i++)
            out[n++] = 'a' + (char)(i % 26);
    }
    snprintf(out + n, outlen - n, ".com");
}

Test(register, email_rules)
{
    char too_long[300];
    long_email(too_long, sizeof too_long, "toolong", 255);
    cr_assert_eq(strlen(too_long), 255, "test bug: %zu", strlen(too_long));
    const char *const bad[] = {"plainaddress",
                               "two@@example.com",
                               "a@b@example.com",
                               "@example.com",
                               "user@localhost",
                               "",
                               "   ",
                               too_long};
    struct user u;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        user_make(&u);
        struct resp *r = register_req(u.username, bad[i], u.password);
        char what[400];
        snprintf(what, sizeof what, "email \"%.300s\"", bad[i]);
        expect_validation(r, "email", what);
        resp_free(r);
        user_register(&u);
    }
}

Test(register, email_254_bytes_accepted)
{
    struct user u;
    user_make(&u);
    char email[300];
    long_email(email, sizeof email, u.username, 254);
    cr_assert_eq(strlen(email), 254, "test bug: %zu %s", strlen(email), email);
    struct resp *r = register_req(u.username, email, u.password);
    expect_status(r, 201, "254-byte email");
    cr_assert_str_eq(jstr(r->json, "email"), email);
    resp_free(r);
}

Test(register, password_length_in_bytes)
{
    struct user u;
    char pw[200];
    /* 7 bytes: too short */
    user_make(&u);
    struct resp *r = register_req(u.username, u.email, "1234567");
    expect_validation(r, "password", "7-byte password");
    resp_free(r);
    /* 73 bytes: too long (bcrypt would silently cut it) */
    memset(pw, 'p', 73);
    pw[73] = '\0';
    r = register_req(u.username, u.email, pw);
    expect_validation(r, "password", "73-byte password");
    resp_free(r);
    /* 37 two-byte characters = 74 bytes: counted in bytes, not characters */
    pw[0] = '\0';
    for (int i = 0; i < 37; i++)
        strcat(pw, "\xc3\xa9");
    r = register_req(u.username, u.email, pw);
    expect_validation(r, "password", "74-byte (37-character) password");
    resp_free(r);
    /* 8 and 72 bytes: fine */
    r = register_req(u.username, u.email, "12345678");
    expect_status(r, 201, "8-byte password");
    resp_free(r);
    struct tokens t;
    login(u.email, "12345678", &t);

    user_make(&u);
    memset(pw, 'q', 72);
    pw[72] = '\0';
    snprintf(u.password, sizeof u.password, "%.72s", pw);
    user_register(&u);
    login(u.email, u.password, &t);
    /* the 72 bytes all count: a different last byte fails */
    pw[71] = 'r';
    struct resp *bad = login_req(u.email, pw, NULL);
    expect_error(bad, 401, "Invalid email or password.", "login with the last byte changed");
    resp_free(bad);
}

Test(register, missing_fields)
{
    struct user u;
    user_make(&u);
    struct resp *r = http_json("POST", "/auth/register", NULL, json_object());
    expect_validation(r, "username", "empty object");
    cr_assert(has_field_error(r, "email") && has_field_error(r, "password"),
              "every missing field is listed: %s", r->body);
    resp_free(r);
    r = http_json("POST", "/auth/register", NULL,
                  json_pack("{s:s, s:s}", "username", u.username, "email", u.email));
    expect_validation(r, "password", "no password");
    resp_free(r);
    r = http_json("POST", "/auth/register", NULL,
                  json_pack("{s:s, s:s}", "username", u.username, "password", u.password));
    expect_validation(r, "email", "no email");
    resp_free(r);
    r = http_json("POST", "/auth/register", NULL,
                  json_pack("{s:s, s:s}", "email", u.email, "password", u.password));
    expect_validation(r, "username", "no username");
    resp_free(r);
    user_register(&u);
}

Test(register, wrong_json_types)
{
    struct user u;
    user_make(&u);
    struct resp *r = http_json(
        "POST", "/auth/register", NULL,
        json_pack("{s:i, s:s, s:s}", "username", 12345, "email", u.email, "password", u.password));
    expect_validation(r, "username", "numeric username");
    resp_free(r);
    r = http_json(
        "POST", "/auth/register", NULL,
        json_pack("{s:s, s:b, s:s}", "username", u.username, "email", 1, "password", u.password));
    expect_validation(r, "email", "boolean email");
    resp_free(r);
    r = http_json("POST", "/auth/register", NULL,
                  json_pack("{s:s, s:s, s:i}", "username", u.username, "email", u.email, "password",
                            12345678));
    expect_validation(r, "password", "numeric password");
    resp_free(r);
    r = http_json(
        "POST", "/auth/register", NULL,
        json_pack("{s:n, s:s, s:s}", "username", "email", u.email, "password", u.password));
    expect_validation(r, "username", "null username");
    resp_free(r);
    r = http_json("POST", "/auth/register", NULL,
                  json_pack("{s:[s], s:s, s:s}", "username", u.username, "email", u.email,
                            "password", u.password));
    expect_validation(r, "username", "array username");
    resp_free(r);
    user_register(&u);
}

Test(register, duplicate_username_case_insensitive)
{
    struct user a, b;
    user_new(&a);
    user_make(&b);
    char upper[80];
    snprintf(upper, sizeof upper, "%s", a.username);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    struct resp *r = register_req(a.username, b.email, b.password);
    expect_error(r, 409, "Sorry. That username already exists.", "same username");
    resp_free(r);
    r = register_req(upper, b.email, b.password);
    expect_error(r, 409, "Sorry. That username already exists.", "same username, other case");
    resp_free(r);
    user_register(&b);
}

Test(register, duplicate_email)
{
    struct user a, b;
    user_new(&a);
    user_make(&b);
    char upper[400];
    snprintf(upper, sizeof upper, " %s ", a.email);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    struct resp *r = register_req(b.username, a.email, b.password);
    expect_error(r, 409, "Sorry. That email already exists.", "same email");
    resp_free(r);
    r = register_req(b.username, upper, b.password);
    expect_error(r, 409, "Sorry. That email already exists.", "same email, other case + blanks");
    resp_free(r);
}

enum { RACERS = 8 };

struct racer {
    char body[600];
    pthread_barrier_t *start;
    long status;
};

static void *race_register(void *arg)
{
    struct racer *rc = arg;
    pthread_barrier_wait(rc->start);
    struct resp *r = http("POST", "/auth/register", NULL, rc->body);
    rc->status = r->status;
    resp_free(r);
    return NULL;
}

static void race(bool same_username)
{
    struct user base;
    user_make(&base);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, RACERS);
    struct racer rs[RACERS];
    pthread_t th[RACERS];
    for (int i = 0; i < RACERS; i++) {
        char name[100], email[340];
        snprintf(name, sizeof name, "%s%s%d", base.username, same_username ? "" : "_", i);
        if (same_username) {
            snprintf(name, sizeof name, "%s", base.username);
            snprintf(email, sizeof email, "r%d.%s", i, base.email);
        } else {
            snprintf(email, sizeof email, "%s", base.email);
        }
        snprintf(rs[i].body, sizeof rs[i].body,
                 "{\"username\":\"%s\",\"email\":\"%s\",\"password\":\"%s\"}", name, email,
                 base.password);
        rs[i].start = &start;
        rs[i].status = 0;
        pthread_create(&th[i], NULL, race_register, &rs[i]);
    }
    int created = 0, conflicts = 0;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(th[i], NULL);
        created += rs[i].status == 201;
        conflicts += rs[i].status == 409;
    }
    pthread_barrier_destroy(&start);
    cr_assert(created == 1 && conflicts == RACERS - 1,
              "%d simultaneous registrations of one %s: %d x 201, %d x 409 (want 1 and %d); "
              "statuses %ld %ld %ld %ld %ld %ld %ld %ld",
              RACERS, same_username ? "username" : "email", created, conflicts, RACERS - 1,
              rs[0].status, rs[1].status, rs[2].status, rs[3].status, rs[4].status, rs[5].status,
              rs[6].status, rs[7].status);
}

Test(register, concurrent_same_email)
{
    race(false);
}

Test(register, concurrent_same_username)
{
    race(true);
}

/* ---- login ---- */

Test(login, returns_token_pair)
{
    struct user u;
    user_new(&u);
    struct resp *r = login_req(u.email, u.password, NULL);
    expect_status(r, 200, "login");
    cr_assert_eq(json_object_size(r->json), 4,
                 "exactly access_token, refresh_token, token_type, "
                 "expires_in: %s",
                 r->body);
    cr_assert(jstr(r->json, "access_token") && *jstr(r->json, "access_token"));
    cr_assert(jstr(r->json, "refresh_token") && *jstr(r->json, "refresh_token"));
    cr_assert_str_eq(jstr(r->json, "token_type"), "Bearer");
    const char *cc = resp_header(r, "Cache-Control");
    cr_assert(cc && strcasestr(cc, "no-store"),
              "token responses need Cache-Control: no-store, got %s", cc ? cc : "(none)");
    cr_assert_eq(jint(r->json, "expires_in"), 900, "expires_in defaults to 900: %s", r->body);
    cr_assert_str_neq(jstr(r->json, "access_token"), jstr(r->json, "refresh_token"));
    no_secrets_in(r, u.password, "login");
    resp_free(r);
}

Test(login, two_logins_give_different_tokens)
{
    struct user u;
    struct tokens a, b;
    user_new(&u);
    login(u.email, u.password, &a);
    login(u.email, u.password, &b);
    cr_assert_str_neq(a.refresh, b.refresh, "refresh tokens must be unique per login");
}

Test(login, failures_look_alike)
{
    struct user u, inactive;
    struct tokens admin;
    user_new(&u);
    user_new(&inactive);
    login_admin(&admin);
    char path[64];
    snprintf(path, sizeof path, "/users/%lld", inactive.id);
    struct resp *r = http_json("PUT", path, admin.access,
                               json_pack("{s:s, s:s, s:b}", "username", inactive.username, "email",
                                         inactive.email, "active", 0));
    expect_status(r, 200, "admin deactivates a user");
    resp_free(r);

    char unknown[400];
    snprintf(unknown, sizeof unknown, "nobody.%s", u.email);
    struct resp *a = login_req(unknown, u.password, NULL);
    struct resp *b = login_req(u.email, "wrong-password", NULL);
    struct resp *c = login_req(inactive.email, inactive.password, NULL);
    expect_error(a, 401, "Invalid email or password.", "unknown email");
    expect_error(b, 401, "Invalid email or password.", "wrong password");
    expect_error(c, 401, "Invalid email or password.", "inactive account");
    cr_assert_str_eq(a->body, b->body, "unknown email and wrong password must look the same");
    cr_assert_str_eq(b->body, c->body, "wrong password and inactive must look the same");
    resp_free(a);
    resp_free(b);
    resp_free(c);
}

Test(login, validation)
{
    struct resp *r = http_json("POST", "/auth/login", NULL, json_pack("{s:s}", "email", "a@b.co"));
    expect_validation(r, "password", "login without password");
    resp_free(r);
    r = http_json("POST", "/auth/login", NULL, json_pack("{s:s}", "password", "12345678"));
    expect_validation(r, "email", "login without email");
    resp_free(r);
    r = http_json("POST", "/auth/login", NULL,
                  json_pack("{s:i, s:s}", "email", 5, "password", "12345678"));
    expect_validation(r, "email", "login with a numeric email");
    resp_free(r);
    r = http_json("POST", "/auth/login", NULL,
                  json_pack("{s:s, s:b}", "email", "a@b.co", "password", 1));
    expect_validation(r, "password", "login with a boolean password");
    resp_free(r);
}

static double median3(double a, double b, double c)
{
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    if (b > c)
        b = c;
    return a > b ? a : b;
}

Test(login, unknown_email_takes_about_as_long_as_wrong_password, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "BCRYPT_LOG_ROUNDS=10", "LOGIN_RATE_LIMIT_IP=0", "LOGIN_RATE_LIMIT_ACCOUNT=0",
                 "ADMIN_EMAIL=" TEST_ADMIN_EMAIL, "ADMIN_PASSWORD=" TEST_ADMIN_PASSWORD);
    http_use(&s);
    struct user u, inactive;
    struct tokens admin;
    user_new(&u);
    user_new(&inactive);
    login_admin(&admin);
    char path[64];
    snprintf(path, sizeof path, "/users/%lld", inactive.id);
    struct resp *r = http_json("PUT", path, admin.access,
                               json_pack("{s:s, s:s, s:b}", "username", inactive.username, "email",
                                         inactive.email, "active", 0));
    expect_status(r, 200, "deactivate");
    resp_free(r);
    double unknown[3], wrong[3], off[3];
    char email[400];
    for (int i = 0; i < 3; i++) {
        snprintf(email, sizeof email, "x%d.%s", i, u.email);
        struct resp *a = login_req(email, u.password, NULL);
        struct resp *b = login_req(u.email, "wrong-password", NULL);
        struct resp *c = login_req(inactive.email, inactive.password, NULL);
        expect_status(a, 401, "unknown email");
        expect_status(b, 401, "wrong password");
        expect_status(c, 401, "inactive account");
        unknown[i] = a->seconds;
        wrong[i] = b->seconds;
        off[i] = c->seconds;
        resp_free(a);
        resp_free(b);
        resp_free(c);
    }
    double mu = median3(unknown[0], unknown[1], unknown[2]);
    double mw = median3(wrong[0], wrong[1], wrong[2]);
    double mi = median3(off[0], off[1], off[2]);
    cr_assert(mu >= 0.5 * mw,
              "an unknown email answers in %.1f ms, a wrong password in %.1f ms: the difference "
              "tells which emails exist (hash a dummy password)",
              mu * 1000, mw * 1000);
    cr_assert(mi >= 0.5 * mw,
              "an inactive account answers in %.1f ms, a wrong password in %.1f ms: the "
              "difference tells which accounts are disabled",
              mi * 1000, mw * 1000);
    SERVER_STOP(&s);
}

/* ---- status ---- */

Test(status, returns_caller)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    struct resp *r = http("GET", "/auth/status", t.access);
    expect_status(r, 200, "GET /auth/status");
    expect_user_object(r->json, "status");
    cr_assert_eq(jint(r->json, "id"), u.id);
    cr_assert_str_eq(jstr(r->json, "email"), u.email);
    cr_assert_str_eq(jstr(r->json, "username"), u.username);
    no_secrets_in(r, u.password, "status");
    resp_free(r);
}

Test(status, admin_flag)
{
    struct tokens t;
    login_admin(&t);
    struct resp *r = http("GET", "/auth/status", t.access);
    expect_status(r, 200, "admin status");
    cr_assert(json_is_true(json_object_get(r->json, "admin")), "the first admin is admin");
    cr_assert_str_eq(jstr(r->json, "email"), TEST_ADMIN_EMAIL);
    cr_assert_str_eq(jstr(r->json, "username"), TEST_ADMIN_USERNAME);
    resp_free(r);
}

Test(status, requires_token)
{
    struct resp *r = http("GET", "/auth/status");
    expect_401(r, "GET /auth/status without a token");
    resp_free(r);
}

/* ---- password ---- */

static struct resp *password_req(const char *access, const char *current, const char *next)
{
    return http_json("PUT", "/auth/password", access,
                     json_pack("{s:s, s:s}", "current_password", current, "new_password", next));
}

Test(password, change_revokes_refresh_tokens)
{
    struct user u;
    struct tokens t, other;
    user_new_session(&u, &t);
    login(u.email, u.password, &other);
    struct resp *r = password_req(t.access, u.password, "a-brand-new-password");
    expect_status(r, 204, "PUT /auth/password");
    cr_assert_eq(r->body_len, 0, "204 has no body: %s", r->body);
    resp_free(r);

    r = refresh_req(t.refresh);
    expect_status(r, 401, "refresh of this session after a password change");
    resp_free(r);
    r = refresh_req(other.refresh);
    expect_status(r, 401, "refresh of another session after a password change");
    resp_free(r);

    r = login_req(u.email, u.password, NULL);
    expect_error(r, 401, "Invalid email or password.", "old password");
    resp_free(r);
    struct tokens n;
    login(u.email, "a-brand-new-password", &n);
    r = refresh_req(n.refresh);
    expect_status(r, 200, "a session started after the change refreshes");
    resp_free(r);
}

Test(password, wrong_current)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    struct resp *r = password_req(t.access, "not-the-password", "a-brand-new-password");
    expect_401(r, "wrong current password");
    resp_free(r);
    login(u.email, u.password, &t);
    r = refresh_req(t.refresh);
    expect_status(r, 200, "tokens survive a failed change");
    resp_free(r);
}

Test(password, invalid_new)
{
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    char long_pw[80];
    memset(long_pw, 'z', 73);
    long_pw[73] = '\0';
    struct resp *r = password_req(t.access, u.password, "short");
    expect_validation(r, "new_password", "7-char new password");
    resp_free(r);
    r = password_req(t.access, u.password, long_pw);
    expect_validation(r, "new_password", "73-byte new password");
    resp_free(r);
    r = http_json("PUT", "/auth/password", t.access,
                  json_pack("{s:s}", "new_password", "a-brand-new-password"));
    expect_validation(r, "current_password", "no current password");
    resp_free(r);
    r = http_json(
        "PUT", "/auth/password", t.access,
        json_pack("{s:s, s:i}", "current_password", u.password, "new_password", 12345678));
    expect_validation(r, "new_password", "numeric new password");
    resp_free(r);
    login(u.email, u.password, &t);
}

Test(login, overlong_password_never_truncated)
{
    /* a 72-byte password: bcrypt would accept the same 72 bytes plus anything */
    struct user u;
    struct tokens t;
    user_make(&u);
    memset(u.password, 'k', 72);
    u.password[72] = '\0';
    user_register(&u);
    char longer[120];
    snprintf(longer, sizeof longer, "%sEXTRA", u.password);
    struct resp *r = login_req(u.email, longer, NULL);
    cr_assert(r->status == 401 || r->status == 400,
              "login with the 72-byte password + 5 bytes must fail, got HTTP %ld", r->status);
    resp_free(r);
    login(u.email, u.password, &t);
    r = http_json(
        "PUT", "/auth/password", t.access,
        json_pack("{s:s, s:s}", "current_password", longer, "new_password", "another-password"));
    cr_assert(r->status == 401 || r->status == 400,
              "PUT /auth/password with an over-long current password must fail, got HTTP %ld",
              r->status);
    resp_free(r);
    login(u.email, u.password, &t);
}

Test(password, grace_reuse_cannot_resurrect_revoked_tokens)
{
    struct user u;
    struct tokens t, n;
    user_new_session(&u, &t);
    struct resp *r = refresh_req(t.refresh);
    expect_status(r, 200, "rotate");
    snprintf(n.access, sizeof n.access, "%s", jstr(r->json, "access_token"));
    resp_free(r);
    r = password_req(n.access, u.password, "a-brand-new-password");
    expect_status(r, 204, "password change");
    resp_free(r);
    r = refresh_req(t.refresh);
    expect_status(r, 401,
                  "a rotated token reused within the grace interval after a password "
                  "change");
    resp_free(r);
}

Test(password, requires_token)
{
    struct resp *r = password_req(NULL, "whatever-1", "whatever-2");
    expect_401(r, "PUT /auth/password without a token");
    resp_free(r);
}
