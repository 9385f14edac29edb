/* The binary as operators use it: commands, production settings, the first
 * admin, logs, SIGTERM with a request in flight, a PostgreSQL outage. */
#include "harness.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static const char *const ADMIN_ENV_EMAIL = "ADMIN_EMAIL=first.admin@example.test";
static const char *const ADMIN_ENV_PASSWORD = "ADMIN_PASSWORD=first-admin-pw";
static const char *const ADMIN_ENV_USERNAME = "ADMIN_USERNAME=firstadmin";

/* A cheap DATABASE_URL=... for runs that never get as far as the database. */
static const char *scratch_db(void)
{
    static char kv[700];
    snprintf(kv, sizeof kv, "DATABASE_URL=sqlite://%s/scratch_%d.db", test_tmpdir(), (int)getpid());
    return kv;
}

/* ---- commands ---- */

Test(command, version)
{
    char *out = NULL;
    int rc = run_users_api((const char *const[]){"version", NULL},
                           (const char *const[]){scratch_db(), NULL}, 10000, &out);
    cr_assert_eq(rc, 0, "users-api version: exit %d (%s); output:\n%s", rc, harness_err,
                 out ? out : "");
    cr_assert(out && strlen(out) > 0, "version prints something");
    free(out);
}

Test(command, help_mentions_every_setting)
{
    static const char *const vars[] = {"PORT",
                                       "DATABASE_URL",
                                       "SECRET_KEY",
                                       "APP_ENV",
                                       "ACCESS_TOKEN_EXPIRATION",
                                       "REFRESH_TOKEN_EXPIRATION",
                                       "REFRESH_TOKEN_REUSE_INTERVAL",
                                       "BCRYPT_LOG_ROUNDS",
                                       "LOGIN_RATE_LIMIT_IP",
                                       "LOGIN_RATE_LIMIT_ACCOUNT",
                                       "LOGIN_RATE_LIMIT_WINDOW",
                                       "TRUSTED_PROXIES",
                                       "CORS_ORIGINS",
                                       "LOG_LEVEL",
                                       "ADMIN_EMAIL",
                                       "ADMIN_PASSWORD",
                                       "ADMIN_USERNAME",
                                       "STATIC_DIR",
                                       "migrate",
                                       "create-admin",
                                       "version"};
    char *out = NULL;
    int rc = run_users_api((const char *const[]){"--help", NULL},
                           (const char *const[]){scratch_db(), NULL}, 10000, &out);
    cr_assert_eq(rc, 0, "users-api --help: exit %d; output:\n%s", rc, out ? out : "");
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        cr_assert(strstr(out, vars[i]), "--help does not mention %s:\n%s", vars[i], out);
    free(out);
}

Test(command, unknown_command_fails)
{
    char *out = NULL;
    int rc = run_users_api((const char *const[]){"frobnicate", NULL},
                           (const char *const[]){scratch_db(), NULL}, 10000, &out);
    cr_assert(rc > 0, "users-api frobnicate: exit %d, expected a failure; output:\n%s", rc,
              out ? out : "");
    free(out);
}

Test(command, migrate_twice, .timeout = 60)
{
    char url[600], kv[700];
    cr_assert_eq(db_url_new(url, sizeof url), 0, "%s", harness_err);
    snprintf(kv, sizeof kv, "DATABASE_URL=%s", url);
    for (int i = 0; i < 2; i++) {
        char *out = NULL;
        int rc = run_users_api((const char *const[]){"migrate", NULL},
                               (const char *const[]){kv, NULL}, 20000, &out);
        cr_assert_eq(rc, 0, "users-api migrate (run %d): exit %d; output:\n%s", i + 1, rc,
                     out ? out : "");
        free(out);
    }
    struct server s;
    SERVER_START(&s, kv);
    http_use(&s);
    struct user u;
    user_new(&u);
    SERVER_STOP(&s);
}

static void expect_admin_login(const char *email, const char *password, long long want_total)
{
    struct tokens t;
    login(email, password, &t);
    struct resp *r = http("GET", "/auth/status", t.access);
    expect_status(r, 200, "admin status");
    cr_assert(json_is_true(json_object_get(r->json, "admin")), "%s must be admin: %s", email,
              r->body);
    resp_free(r);
    if (want_total >= 0) {
        long long n = user_count(t.access);
        cr_assert_eq(n, want_total, "expected %lld users, X-Total-Count says %lld", want_total, n);
    }
}

Test(command, create_admin, .timeout = 60)
{
    char url[600], kv[700];
    cr_assert_eq(db_url_new(url, sizeof url), 0, "%s", harness_err);
    snprintf(kv, sizeof kv, "DATABASE_URL=%s", url);
    for (int i = 0; i < 2; i++) {
        char *out = NULL;
        int rc = run_users_api((const char *const[]){"create-admin", NULL},
                               (const char *const[]){kv, ADMIN_ENV_EMAIL, ADMIN_ENV_PASSWORD,
                                                     ADMIN_ENV_USERNAME, NULL},
                               20000, &out);
        cr_assert_eq(rc, 0, "users-api create-admin (run %d): exit %d; output:\n%s", i + 1, rc,
                     out ? out : "");
        cr_assert(!strstr(out, "first-admin-pw"), "create-admin printed the password");
        free(out);
    }
    struct server s;
    SERVER_START(&s, kv);
    http_use(&s);
    expect_admin_login("first.admin@example.test", "first-admin-pw", 1);
    SERVER_STOP(&s);
}

Test(command, create_admin_promotes_existing_user, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "LOG_LEVEL=info");
    http_use(&s);
    struct user u;
    user_new(&u);
    SERVER_STOP(&s);
    char kv[700], e[400], p[200], n[200];
    snprintf(kv, sizeof kv, "DATABASE_URL=%s", s.db_url);
    snprintf(e, sizeof e, "ADMIN_EMAIL=%s", u.email);
    snprintf(p, sizeof p, "ADMIN_PASSWORD=%s", u.password);
    snprintf(n, sizeof n, "ADMIN_USERNAME=%s", u.username);
    char *out = NULL;
    int rc = run_users_api((const char *const[]){"create-admin", NULL},
                           (const char *const[]){kv, e, p, n, NULL}, 20000, &out);
    cr_assert_eq(rc, 0, "create-admin for an existing user: exit %d; output:\n%s", rc,
                 out ? out : "");
    free(out);
    struct server s2;
    SERVER_START(&s2, kv);
    http_use(&s2);
    expect_admin_login(u.email, u.password, 1);
    SERVER_STOP(&s2);
}

Test(command, create_admin_needs_valid_settings, .timeout = 60)
{
    char *out = NULL;
    int rc =
        run_users_api((const char *const[]){"create-admin", NULL},
                      (const char *const[]){"ADMIN_EMAIL", "ADMIN_PASSWORD", NULL}, 20000, &out);
    cr_assert(rc > 0, "create-admin without ADMIN_EMAIL/ADMIN_PASSWORD: exit %d; output:\n%s", rc,
              out ? out : "");
    free(out);
    rc = run_users_api(
        (const char *const[]){"create-admin", NULL},
        (const char *const[]){"ADMIN_EMAIL=weak.admin@example.test", "ADMIN_PASSWORD=short", NULL},
        20000, &out);
    cr_assert(rc > 0, "create-admin with a 5-byte password: exit %d; output:\n%s", rc,
              out ? out : "");
    free(out);
    rc = run_users_api(
        (const char *const[]){"create-admin", NULL},
        (const char *const[]){"ADMIN_EMAIL=not-an-email", "ADMIN_PASSWORD=long-enough-pw", NULL},
        20000, &out);
    cr_assert(rc > 0, "create-admin with an invalid email: exit %d; output:\n%s", rc,
              out ? out : "");
    free(out);
}

struct concurrent_cmd {
    const char *db_kv;
    int rc;
    char *out;
};

static void *run_migrate(void *arg)
{
    struct concurrent_cmd *c = arg;
    c->rc = run_users_api((const char *const[]){"migrate", NULL},
                          (const char *const[]){c->db_kv, NULL}, 30000, &c->out);
    return NULL;
}

Test(command, concurrent_migrations_on_a_fresh_database, .timeout = 90)
{
    enum { TASKS = 4 };
    char url[600], kv[700];
    cr_assert_eq(db_url_new(url, sizeof url), 0, "%s", harness_err);
    snprintf(kv, sizeof kv, "DATABASE_URL=%s", url);
    struct concurrent_cmd c[TASKS];
    pthread_t th[TASKS];
    for (int i = 0; i < TASKS; i++) {
        c[i] = (struct concurrent_cmd){.db_kv = kv};
        pthread_create(&th[i], NULL, run_migrate, &c[i]);
    }
    for (int i = 0; i < TASKS; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < TASKS; i++) {
        cr_assert_eq(c[i].rc, 0, "migrate #%d of %d started at once: exit %d; output:\n%s", i,
                     TASKS, c[i].rc, c[i].out ? c[i].out : "");
        free(c[i].out);
    }
    struct server s;
    SERVER_START(&s, kv);
    http_use(&s);
    struct user u;
    user_new(&u);
    SERVER_STOP(&s);
}

Test(command, concurrent_server_starts_on_a_fresh_database, .timeout = 90)
{
    struct server a, b, c;
    char url[600], kv[700];
    cr_assert_eq(db_url_new(url, sizeof url), 0, "%s", harness_err);
    snprintf(kv, sizeof kv, "DATABASE_URL=%s", url);
    /* three tasks of one deployment: each migrates at start-up under the lock */
    struct server *all[] = {&a, &b, &c};
    int rcs[3];
    char errs[3][512];
    for (int i = 0; i < 3; i++) {
        rcs[i] = server_start(all[i], (const char *const[]){kv, NULL});
        snprintf(errs[i], sizeof errs[i], "%.500s", rcs[i] ? harness_err : "");
    }
    for (int i = 0; i < 3; i++)
        cr_assert_eq(rcs[i], 0, "task %d: %s", i, errs[i]);
    http_use(&b);
    struct user u;
    user_new(&u);
    http_use(&c);
    struct tokens t;
    login(u.email, u.password, &t);
    for (int i = 0; i < 3; i++)
        SERVER_STOP(all[i]);
}

Test(config, invalid_values_refused, .timeout = 90)
{
    static const char *const bad[] = {"PORT=abc",
                                      "PORT=70000",
                                      "BCRYPT_LOG_ROUNDS=3",
                                      "BCRYPT_LOG_ROUNDS=32",
                                      "BCRYPT_LOG_ROUNDS=ten",
                                      "ACCESS_TOKEN_EXPIRATION=-5",
                                      "ACCESS_TOKEN_EXPIRATION=abc",
                                      "REFRESH_TOKEN_EXPIRATION=0",
                                      "REFRESH_TOKEN_REUSE_INTERVAL=-1",
                                      "LOGIN_RATE_LIMIT_IP=many",
                                      "LOGIN_RATE_LIMIT_WINDOW=0",
                                      "TRUSTED_PROXIES=not-an-ip",
                                      "TRUSTED_PROXIES=10.0.0.0/99",
                                      "DATABASE_URL=mysql://localhost/users",
                                      "LOG_LEVEL=chatty"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out = NULL;
        int rc = run_users_api(NULL, (const char *const[]){scratch_db(), bad[i], NULL}, 8000, &out);
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(strchr(bad[i], '=') - bad[i]), bad[i]);
        if (strcmp(name, "DATABASE_URL") == 0)
            snprintf(name, sizeof name, "database"); /* "unsupported database URL" will do */
        cr_assert(rc > 0, "%s: expected a refusal to start, got %d (%s); output:\n%.1500s", bad[i],
                  rc, rc < 0 ? harness_err : "", out ? out : "");
        cr_assert(out && strcasestr(out, name), "%s: the refusal should name %s:\n%.1500s", bad[i],
                  name, out ? out : "");
        free(out);
    }
}

/* ---- first admin at start-up ---- */

Test(first_admin, created_at_start_and_idempotent, .timeout = 60)
{
    struct server a, b;
    SERVER_START(&a, ADMIN_ENV_EMAIL, ADMIN_ENV_PASSWORD, ADMIN_ENV_USERNAME);
    http_use(&a);
    expect_admin_login("first.admin@example.test", "first-admin-pw", 1);
    SERVER_STOP(&a);
    char kv[700];
    snprintf(kv, sizeof kv, "DATABASE_URL=%s", a.db_url);
    SERVER_START(&b, kv, ADMIN_ENV_EMAIL, ADMIN_ENV_PASSWORD, ADMIN_ENV_USERNAME);
    http_use(&b);
    expect_admin_login("first.admin@example.test", "first-admin-pw", 1);
    SERVER_STOP(&b);
}

Test(first_admin, promotes_existing_user, .timeout = 60)
{
    struct server a, b;
    SERVER_START(&a, "LOG_LEVEL=info");
    http_use(&a);
    struct user u;
    user_new(&u);
    SERVER_STOP(&a);
    char kv[700], e[400], p[200], n[200];
    snprintf(kv, sizeof kv, "DATABASE_URL=%s", a.db_url);
    snprintf(e, sizeof e, "ADMIN_EMAIL=%s", u.email);
    snprintf(p, sizeof p, "ADMIN_PASSWORD=%s", u.password);
    snprintf(n, sizeof n, "ADMIN_USERNAME=%s", u.username);
    SERVER_START(&b, kv, e, p, n);
    http_use(&b);
    expect_admin_login(u.email, u.password, 1);
    SERVER_STOP(&b);
}

/* ---- production settings ---- */

static void expect_refusal(const char *const env[], const char *what)
{
    const char *all[16] = {scratch_db()};
    for (size_t i = 0; env[i] && i < 14; i++)
        all[i + 1] = env[i];
    char *out = NULL;
    int rc = run_users_api(NULL, all, 8000, &out);
    cr_assert(rc > 0, "%s: expected a non-zero exit, got %d (%s); output:\n%s", what, rc,
              rc < 0 ? harness_err : "", out ? out : "");
    cr_assert(out && strstr(out, "SECRET_KEY"), "%s: the refusal must name SECRET_KEY:\n%s", what,
              out ? out : "");
    cr_assert(!strstr(out, "\"msg\":\"listening\""), "%s: it listened", what);
    free(out);
}

Test(production, refuses_without_secret_key, .timeout = 60)
{
    /* everything else is production-grade, so only the key can be the reason */
    expect_refusal(
        (const char *const[]){"APP_ENV=production", "BCRYPT_LOG_ROUNDS=10", "SECRET_KEY", NULL},
        "APP_ENV=production without SECRET_KEY");
    expect_refusal(
        (const char *const[]){"APP_ENV=production", "BCRYPT_LOG_ROUNDS=10", "SECRET_KEY=", NULL},
        "APP_ENV=production with an empty SECRET_KEY");
    expect_refusal((const char *const[]){"APP_ENV=production", "BCRYPT_LOG_ROUNDS=10",
                                         "SECRET_KEY=0123456789abcdef0123456789abcde", NULL},
                   "APP_ENV=production with a 31-byte SECRET_KEY");
}

Test(production, starts_with_a_strong_key, .timeout = 60)
{
    struct server s;
    /* the server also insists on production-grade bcrypt costs (>= 10) */
    SERVER_START(&s, "APP_ENV=production", "SECRET_KEY=0123456789abcdef0123456789abcdef",
                 "BCRYPT_LOG_ROUNDS=10");
    http_use(&s);
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    SERVER_STOP(&s);
}

/* ---- logs ---- */

static bool log_has_request_lines(const char *log, const char *method, const char *path,
                                  long status, const char *request_id)
{
    const char *line = log;
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        json_t *j = json_loadb(line, len, 0, NULL);
        bool ok = j && jstr(j, "method") && strcmp(jstr(j, "method"), method) == 0 &&
                  jstr(j, "path") && strcmp(jstr(j, "path"), path) == 0 &&
                  jint(j, "status") == status;
        if (ok && request_id) {
            const char *key;
            json_t *v;
            bool id_ok = false;
            json_object_foreach(j, key, v)
            {
                if (strcasestr(key, "req") && strcasestr(key, "id") && json_is_string(v) &&
                    strcmp(json_string_value(v), request_id) == 0)
                    id_ok = true;
            }
            ok = id_ok;
        }
        json_decref(j);
        if (ok)
            return true;
        line = nl ? nl + 1 : NULL;
    }
    return false;
}

Test(logs, request_lines_without_secrets, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "ADMIN_EMAIL=log.admin@example.test", "ADMIN_PASSWORD=log-admin-secret-pw",
                 "LOG_LEVEL=debug");
    http_use(&s);
    struct user u;
    struct tokens t, n;
    user_make(&u);
    snprintf(u.password, sizeof u.password, "Sup3r-Secret-Passw0rd");
    user_register(&u);
    struct resp *r = login_req(u.email, "Wr0ng-Secret-Attempt", NULL);
    resp_free(r);
    login(u.email, u.password, &t);
    r = http("GET", "/auth/status", t.access, NULL, "X-Request-Id: log-test-req-1");
    expect_status(r, 200, "status");
    resp_free(r);
    r = refresh_req(t.refresh);
    expect_status(r, 200, "refresh");
    snprintf(n.access, sizeof n.access, "%s", jstr(r->json, "access_token"));
    snprintf(n.refresh, sizeof n.refresh, "%s", jstr(r->json, "refresh_token"));
    resp_free(r);
    r = http_json("PUT", "/auth/password", n.access,
                  json_pack("{s:s, s:s}", "current_password", u.password, "new_password",
                            "N3w-Secret-Passw0rd"));
    expect_status(r, 204, "password change");
    resp_free(r);
    r = http("GET", "/auth/status", NULL, NULL, "Authorization: Bearer bogus-token-value-xyz");
    resp_free(r);
    struct tokens a;
    login("log.admin@example.test", "log-admin-secret-pw", &a);
    SERVER_STOP(&s);

    char *log = server_log(&s);
    cr_assert(log_has_request_lines(log, "POST", "/auth/register", 201, NULL),
              "no JSON log line with method POST, path /auth/register, status 201:\n%.3000s", log);
    cr_assert(log_has_request_lines(log, "POST", "/auth/login", 401, NULL),
              "no log line for the failed login");
    cr_assert(log_has_request_lines(log, "GET", "/auth/status", 200, "log-test-req-1"),
              "no log line carrying the request id log-test-req-1");
    const char *const secrets[] = {u.password,
                                   "Wr0ng-Secret-Attempt",
                                   "N3w-Secret-Passw0rd",
                                   "log-admin-secret-pw",
                                   t.access,
                                   t.refresh,
                                   n.access,
                                   n.refresh,
                                   a.access,
                                   a.refresh,
                                   strrchr(t.access, '.') + 1,
                                   "bogus-token-value-xyz",
                                   "$2b$",
                                   TEST_SECRET_KEY};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        cr_assert(!strstr(log, secrets[i]), "the log contains a secret (#%zu: %.20s...)", i,
                  secrets[i]);
    free(log);
}

Test(logs, hostile_input_cannot_forge_log_lines, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "LOG_LEVEL=debug");
    http_use(&s);
    struct resp *r = http("GET", "/nope%22%5C%0Ainjected-line%0D%0A%7B%22x%22:1%7D", NULL, NULL,
                          "X-Request-Id: evil\"id\\{}", "User-Agent: ua\"\\x");
    resp_free(r);
    r = http_raw(
        "POST", "/auth/login", NULL, "application/json",
        "{\"email\":\"a\\n{\\\"forged\\\":1}@b.co\",\"password\":\"x\\u2028yyyyyy\"}",
        strlen("{\"email\":\"a\\n{\\\"forged\\\":1}@b.co\",\"password\":\"x\\u2028yyyyyy\"}"));
    resp_free(r);
    SERVER_STOP(&s);
    char *log = server_log(&s);
    const char *line = log;
    int json_lines = 0;
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len > 0) {
            json_t *j = json_loadb(line, len, 0, NULL);
            cr_assert(json_is_object(j), "log line is not a JSON object: %.*s", (int)len, line);
            cr_assert(!json_object_get(j, "forged") && !json_object_get(j, "x"),
                      "a request forged a log line: %.*s", (int)len, line);
            json_decref(j);
            json_lines++;
        }
        line = nl ? nl + 1 : NULL;
    }
    cr_assert_geq(json_lines, 3, "expected request log lines");
    free(log);
}

/* ---- SIGTERM ---- */

struct slow_login {
    const struct user *u;
    struct resp *r;
};

static void *do_slow_login(void *arg)
{
    struct slow_login *sl = arg;
    sl->r = login_req(sl->u->email, sl->u->password, NULL);
    return NULL;
}

Test(lifecycle, sigterm_finishes_in_flight_login, .timeout = 90)
{
    struct server s;
    SERVER_START(&s, "BCRYPT_LOG_ROUNDS=13");
    http_use(&s);
    struct user u;
    user_new(&u);
    struct slow_login sl = {.u = &u};
    pthread_t th;
    pthread_create(&th, NULL, do_slow_login, &sl);
    sleep_ms(150);
    cr_assert_eq(kill(s.pid, SIGTERM), 0);
    pthread_join(th, NULL);
    expect_status(sl.r, 200, "a login in flight during SIGTERM completes");
    cr_assert(jstr(sl.r->json, "access_token") && jstr(sl.r->json, "refresh_token"),
              "complete token pair: %s", sl.r->body);
    resp_free(sl.r);
    cr_assert_eq(server_wait_exit(&s, 20000), 0, "%s", harness_err);
}

Test(lifecycle, sigterm_when_idle_exits_quickly, .timeout = 30)
{
    struct server s;
    SERVER_START(&s, "LOG_LEVEL=info");
    cr_assert_eq(kill(s.pid, SIGTERM), 0);
    cr_assert_eq(server_wait_exit(&s, 3000), 0, "%s", harness_err);
}

Test(lifecycle, second_process_cannot_share_the_port, .timeout = 30)
{
    struct server s;
    SERVER_START(&s, "LOG_LEVEL=info");
    char port[16], *out = NULL;
    snprintf(port, sizeof port, "PORT=%d", s.port);
    /* runs in the foreground: it must fail to listen and exit, not serve */
    int rc = run_users_api((const char *const[]){"serve", NULL}, (const char *const[]){port, NULL},
                           10000, &out);
    cr_expect(rc != 0 && rc != -1, "a second users-api on port %d exited %d: %s", s.port, rc,
              out ? out : "");
    free(out);
    http_use(&s);
    struct resp *r = http("GET", "/ping");
    cr_expect_eq(r->status, 200, "the first server still answers");
    resp_free(r);
    SERVER_STOP(&s);
}

/* Keep-alive clients that keep reading /auth/status through a SIGTERM: past
 * the drain, their next requests reach a server whose read-ahead loader has
 * stopped. They must get a 503 (or the connection closed), and the server
 * must still exit cleanly (no use of a freed loader, no suspended connection
 * left for MHD_stop_daemon). */
enum { KA_READERS = 4, KA_MAX_REQUESTS = 200000 };

struct ka_reader {
    int port;
    const char *token;
    long long id;
    int ok, refused, bad;
    char first_bad[256];
};

/* Reads one response (headers + Content-Length body) into buf; the status, or
 * 0 when the connection closed or timed out first. */
static long ka_response(int fd, char *buf, size_t cap)
{
    size_t got = 0;
    char *body = NULL;
    size_t want = 0;
    while (body == NULL || got < (size_t)(body - buf) + want) {
        if (got + 1 >= cap) {
            return 0;
        }
        ssize_t n = read(fd, buf + got, cap - 1 - got);
        if (n <= 0) {
            return 0;
        }
        got += (size_t)n;
        buf[got] = '\0';
        char *end = body == NULL ? strstr(buf, "\r\n\r\n") : NULL;
        if (end != NULL) {
            body = end + 4;
            const char *cl = strcasestr(buf, "\r\nContent-Length:");
            want = cl != NULL ? strtoul(cl + 17, NULL, 10) : 0;
        }
    }
    long status = 0;
    sscanf(buf, "HTTP/1.1 %ld", &status);
    return status;
}

static void *ka_read(void *arg)
{
    struct ka_reader *k = arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)k->port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return NULL;
    }
    char req[2400], buf[8192], want_id[48];
    snprintf(req, sizeof req,
             "GET /auth/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n", k->token);
    snprintf(want_id, sizeof want_id, "\"id\":%lld,", k->id);
    for (int i = 0; i < KA_MAX_REQUESTS; i++) {
        if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
            break;
        }
        long status = ka_response(fd, buf, sizeof buf);
        if (status == 0) {
            break; /* closed by the server's stop */
        }
        if (status == 200 && strstr(buf, want_id) != NULL) {
            k->ok++;
        } else if (status == 503 && strstr(buf, "shutting down") != NULL) {
            k->refused++;
        } else if (k->bad++ == 0) {
            snprintf(k->first_bad, sizeof k->first_bad, "%.250s", buf);
        }
        if (strcasestr(buf, "\r\nConnection: close") != NULL) {
            break;
        }
    }
    close(fd);
    return NULL;
}

Test(lifecycle, sigterm_during_keepalive_read_ahead, .timeout = 90)
{
    struct server s;
    SERVER_START(&s, "PRELOAD_THREADS=1");
    http_use(&s);
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    struct ka_reader k[KA_READERS];
    pthread_t th[KA_READERS];
    for (int i = 0; i < KA_READERS; i++) {
        k[i] = (struct ka_reader){.port = s.port, .token = t.access, .id = u.id};
        pthread_create(&th[i], NULL, ka_read, &k[i]);
    }
    sleep_ms(400);
    cr_assert_eq(kill(s.pid, SIGTERM), 0);
    int ok = 0, refused = 0, bad = 0;
    const char *first = "";
    for (int i = 0; i < KA_READERS; i++) {
        pthread_join(th[i], NULL);
        ok += k[i].ok;
        refused += k[i].refused;
        if (k[i].bad > 0 && bad == 0) {
            first = k[i].first_bad;
        }
        bad += k[i].bad;
    }
    cr_assert_eq(bad, 0, "%d answers neither the caller nor a 503 while stopping; first: %s", bad,
                 first);
    cr_assert_gt(ok, 0, "the readers read nothing before the SIGTERM");
    cr_assert_eq(server_wait_exit(&s, 20000), 0, "%s (after %d reads, %d refused)", harness_err, ok,
                 refused);
}

/* ---- PostgreSQL outage ---- */

static int pg_cmd(const char *cmd, const char *dir, char *out, size_t outlen)
{
    char line[1200];
    snprintf(line, sizeof line, "%s %s %s 2>&1", pg_script(), cmd, dir);
    FILE *p = popen(line, "r");
    if (!p)
        return -1;
    size_t n = fread(out, 1, outlen - 1, p);
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    return pclose(p);
}

static long status_of(const char *method, const char *path, const char *bearer, struct resp **keep)
{
    struct resp *r = http(method, path, bearer);
    long st = r->status;
    if (keep)
        *keep = r;
    else
        resp_free(r);
    return st;
}

Test(lifecycle, postgres_outage_and_recovery, .timeout = 120)
{
    if (!backend_is_postgres())
        cr_skip_test("PostgreSQL only");
    char dir[600], url[800], kv[900], name[96];
    uniq_name(name, sizeof name, "pgout_");
    snprintf(dir, sizeof dir, "%s/%s", test_tmpdir(), name);
    cr_assert_eq(pg_cmd("start", dir, url, sizeof url), 0, "pg.sh start: %s", url);
    snprintf(kv, sizeof kv, "DATABASE_URL=%s", url);
    struct server s;
    if (server_start(&s, (const char *const[]){kv, NULL}) != 0) {
        char tmp[256];
        pg_cmd("stop", dir, tmp, sizeof tmp);
        cr_assert_fail("%s", harness_err);
    }
    http_use(&s);
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    char tmp[2000];
    cr_assert_eq(pg_cmd("halt", dir, tmp, sizeof tmp), 0, "pg.sh halt: %s", tmp);

    struct resp *r = NULL;
    cr_assert_eq(status_of("GET", "/ping", NULL, NULL), 200, "/ping during the outage");
    long st = status_of("GET", "/health", NULL, &r);
    cr_assert_eq(st, 503, "/health during the outage: HTTP %ld %s", st, r->body);
    cr_assert_str_eq(jstr(r->json, "database"), "unavailable", "body %s", r->body);
    cr_assert(jstr(r->json, "status"), "/health 503 has a status: %s", r->body);
    resp_free(r);
    st = status_of("GET", "/users", t.access, &r);
    expect_error(r, 503, NULL, "GET /users during the outage");
    resp_free(r);
    /* the read-ahead routes (preload.c): their loader thread's query fails */
    char self[48];
    snprintf(self, sizeof self, "/users/%lld", u.id);
    const char *read_ahead[] = {"/auth/status", self};
    for (size_t i = 0; i < 2; i++) {
        st = status_of("GET", read_ahead[i], t.access, &r);
        expect_error(r, 503, NULL, read_ahead[i]);
        resp_free(r);
    }
    cr_assert_eq(status_of("GET", "/ping", NULL, NULL), 200, "/ping still answers");
    st = status_of("GET", "/metrics", NULL, &r);
    cr_assert_eq(st, 200, "/metrics during the outage: HTTP %ld", st);
    const char *dbe = strstr(r->body, "\nusers_api_db_errors_total");
    cr_assert(dbe, "no users_api_db_errors_total sample");
    const char *val = strchr(dbe + 1, ' ');
    cr_assert(val && strtod(val, NULL) > 0,
              "users_api_db_errors_total should count the outage: %.80s", dbe + 1);
    resp_free(r);

    cr_assert_eq(pg_cmd("resume", dir, tmp, sizeof tmp), 0, "pg.sh resume: %s", tmp);
    /* the server reconnects by itself */
    long long waited = 0;
    while ((st = status_of("GET", "/health", NULL, NULL)) != 200 && waited < 5000) {
        sleep_ms(100);
        waited += 100;
    }
    cr_assert_eq(st, 200, "/health 5 s after PostgreSQL came back: %ld", st);
    for (int i = 0; i < 12; i++) {
        st = status_of("GET", "/users", t.access, &r);
        expect_status(r, 200, "GET /users after recovery (every worker reconnects)");
        resp_free(r);
        st = status_of("GET", read_ahead[i % 2], t.access, &r);
        expect_status(r, 200, read_ahead[i % 2]);
        cr_assert_eq(jint(r->json, "id"), u.id, "%s after recovery: %s", read_ahead[i % 2],
                     r->body);
        resp_free(r);
    }
    struct tokens t2;
    login(u.email, u.password, &t2);
    struct user v;
    user_new(&v);
    SERVER_STOP(&s);
    pg_cmd("stop", dir, tmp, sizeof tmp);
}

/* ---- bcrypt off the polling threads ---- */

struct storm {
    const struct user *u;
    int logins;
    int ok;
};

static void *storm_logins(void *arg)
{
    struct storm *st = arg;
    for (int i = 0; i < st->logins; i++) {
        struct resp *r = login_req(st->u->email, st->u->password, NULL);
        st->ok += r->status == 200;
        resp_free(r);
    }
    return NULL;
}

Test(lifecycle, ping_stays_fast_during_login_storm, .timeout = 120)
{
    struct server s;
    SERVER_START(&s, "BCRYPT_LOG_ROUNDS=12", "LOGIN_RATE_LIMIT_IP=0", "LOGIN_RATE_LIMIT_ACCOUNT=0");
    http_use(&s);
    struct user u;
    struct tokens t;
    user_new_session(&u, &t);
    enum { THREADS = 4 };
    struct storm st[THREADS];
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) {
        st[i] = (struct storm){.u = &u, .logins = 2};
        pthread_create(&th[i], NULL, storm_logins, &st[i]);
    }
    sleep_ms(100);
    double worst_ping = 0, worst_status = 0;
    for (int i = 0; i < 20; i++) {
        struct resp *r = http("GET", "/ping");
        expect_status(r, 200, "/ping during a login storm");
        worst_ping = r->seconds > worst_ping ? r->seconds : worst_ping;
        resp_free(r);
        r = http("GET", "/auth/status", t.access);
        expect_status(r, 200, "/auth/status during a login storm");
        worst_status = r->seconds > worst_status ? r->seconds : worst_status;
        resp_free(r);
        sleep_ms(50);
    }
    int ok = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        ok += st[i].ok;
    }
    cr_assert_eq(ok, THREADS * 2, "every login of the storm succeeds");
    fprintf(
        stderr,
        "during %d concurrent cost-12 logins: worst /ping %.0f ms, worst /auth/status %.0f ms\n",
        THREADS, worst_ping * 1000, worst_status * 1000);
    /* one cost-12 hash takes ~370 ms: anything near that means bcrypt ran inline */
    cr_assert(worst_ping < 0.3, "/ping took %.0f ms during a login storm", worst_ping * 1000);
    cr_assert(worst_status < 0.3, "/auth/status took %.0f ms during a login storm",
              worst_status * 1000);
    SERVER_STOP(&s);
}

/* ---- what the database holds ---- */

struct needles {
    const char *const *secret; /* must not appear anywhere */
    size_t nsecret;
    const char *const *expect; /* must appear somewhere (proves we read the data) */
    size_t nexpect;
    bool found[8];
    char leak[256];
};

static void scan_value(struct needles *n, const char *table, const char *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n->nsecret; i++)
        if (!n->leak[0] && strstr(v, n->secret[i]))
            snprintf(n->leak, sizeof n->leak, "table %s holds secret #%zu (%.16s...)", table, i,
                     n->secret[i]);
    for (size_t i = 0; i < n->nexpect; i++)
        n->found[i] |= strstr(v, n->expect[i]) != NULL;
}

static void scan_sqlite(const char *path, struct needles *n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *tables = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK, "open %s",
                 path);
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table'", -1,
                                    &tables, NULL),
                 SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        char sql[300];
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", name);
        sqlite3_stmt *rows = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &rows, NULL) != SQLITE_OK)
            continue;
        while (sqlite3_step(rows) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(rows); c++)
                scan_value(n, name, (const char *)sqlite3_column_text(rows, c));
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    sqlite3_close(db);
}

static void scan_postgres(const char *url, struct needles *n)
{
    PGconn *c = PQconnectdb(url);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "connect: %s", PQerrorMessage(c));
    PGresult *t = PQexec(c, "SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    cr_assert_eq(PQresultStatus(t), PGRES_TUPLES_OK, "%s", PQerrorMessage(c));
    for (int i = 0; i < PQntuples(t); i++) {
        const char *name = PQgetvalue(t, i, 0);
        char sql[300];
        snprintf(sql, sizeof sql, "SELECT x::text FROM \"%s\" x", name);
        PGresult *rows = PQexec(c, sql);
        for (int r = 0; PQresultStatus(rows) == PGRES_TUPLES_OK && r < PQntuples(rows); r++)
            scan_value(n, name, PQgetvalue(rows, r, 0));
        PQclear(rows);
    }
    PQclear(t);
    PQfinish(c);
}

Test(storage, passwords_and_refresh_tokens_stored_hashed, .timeout = 60)
{
    struct server s;
    SERVER_START(&s, "LOG_LEVEL=info");
    http_use(&s);
    struct user u;
    struct tokens t, n2;
    user_make(&u);
    snprintf(u.password, sizeof u.password, "Plaintext-Passw0rd-Probe");
    user_register(&u);
    login(u.email, u.password, &t);
    struct resp *r = refresh_req(t.refresh);
    expect_status(r, 200, "refresh");
    snprintf(n2.refresh, sizeof n2.refresh, "%s", jstr(r->json, "refresh_token"));
    resp_free(r);
    SERVER_STOP(&s);

    const char *secret[] = {u.password, t.refresh, n2.refresh, strrchr(t.access, '.') + 1};
    const char *expect[] = {u.email, "$2b$"};
    struct needles nd = {.secret = secret, .nsecret = 4, .expect = expect, .nexpect = 2};
    if (strncmp(s.db_url, "sqlite://", 9) == 0)
        scan_sqlite(s.db_url + 9, &nd);
    else
        scan_postgres(s.db_url, &nd);
    cr_assert(nd.found[0], "test bug: the user's email was not found in the database");
    cr_assert(nd.found[1], "no bcrypt ($2b$) hash found in the database");
    cr_assert(!nd.leak[0], "%s: the database must store only hashes", nd.leak);
}
