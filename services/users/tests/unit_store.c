/* Storage layer tests. Every behaviour test runs on both backends: the body
 * is written once and registered in the "sqlite" and "postgres" suites, each
 * test on a fresh database (a new file, or CREATE DATABASE on TEST_PG_URL). */
#include "embed.h"
#include "store/store.h"

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum backend { BACKEND_SQLITE, BACKEND_PG };

/* Name of this test process's PostgreSQL database, dropped in the fini. */
static char pg_dbname[64];

static const char *tmpdir(void)
{
    const char *t = getenv("TEST_TMPDIR");
    return t && *t ? t : "/tmp";
}

static PGconn *pg_admin(void)
{
    const char *admin = getenv("TEST_PG_URL");
    cr_assert(admin && *admin, "TEST_PG_URL is not set (run through tests/run.sh)");
    PGconn *c = PQconnectdb(admin);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "admin connection: %s", PQerrorMessage(c));
    return c;
}

static void pg_admin_exec(const char *sql)
{
    PGconn *c = pg_admin();
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
    cr_assert_eq(st, PGRES_COMMAND_OK, "%s: %s", sql, msg);
}

/* TEST_PG_URL is postgres://postgres@127.0.0.1:PORT/postgres: swap the database. */
static char *pg_url_for(const char *db)
{
    const char *admin = getenv("TEST_PG_URL");
    const char *slash = strrchr(admin, '/');
    char *url = NULL;
    cr_assert(asprintf(&url, "%.*s/%s", (int)(slash - admin), admin, db) > 0);
    return url;
}

static char *fresh_url(enum backend b)
{
    static int n;
    char *url = NULL;
    n++;
    if (b == BACKEND_SQLITE) {
        char dir[512];
        snprintf(dir, sizeof dir, "%s/unit_store_XXXXXX", tmpdir());
        cr_assert_not_null(mkdtemp(dir));
        /* a directory that does not exist yet: store_open must create it */
        cr_assert(asprintf(&url, "sqlite://%s/data/users.db", dir) > 0);
        return url;
    }
    char sql[128];
    snprintf(pg_dbname, sizeof pg_dbname, "t_%d_%d", (int)getpid(), n);
    /* a database left by an earlier run whose process had the same id */
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_dbname);
    pg_admin_exec(sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", pg_dbname);
    pg_admin_exec(sql);
    return pg_url_for(pg_dbname);
}

static void pg_fini(void)
{
    char sql[128];
    if (pg_dbname[0] && getenv("TEST_PG_URL")) {
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_dbname);
        pg_admin_exec(sql);
    }
}

TestSuite(sqlite);
/* No .timeout: with --jobs=2, Criterion 2.4.1's runner leaks 48 bytes now
 * and then when tests have timeouts, and LeakSanitizer then fails the run.
 * Every wait in these tests is bounded by the store's own timeouts. */
TestSuite(postgres, .fini = pg_fini);
TestSuite(open);

#define BOTH(name)                                                                                 \
    static void name(const char *url);                                                             \
    Test(sqlite, name)                                                                             \
    {                                                                                              \
        char *url = fresh_url(BACKEND_SQLITE);                                                     \
        name(url);                                                                                 \
        free(url);                                                                                 \
    }                                                                                              \
    Test(postgres, name)                                                                           \
    {                                                                                              \
        char *url = fresh_url(BACKEND_PG);                                                         \
        name(url);                                                                                 \
        free(url);                                                                                 \
    }                                                                                              \
    static void name(const char *url)

static struct store *open_store(const char *url)
{
    char err[256];
    struct store *s = store_open(url, err, sizeof err);
    cr_assert_not_null(s, "store_open(%s): %s", url, err);
    return s;
}

static struct store *open_migrated(const char *url)
{
    struct store *s = open_store(url);
    cr_assert_eq(store_migrate(s), STORE_OK);
    return s;
}

/* The highest migration version shipped for the backend of s. */
static int latest_version(const struct store *s)
{
    char prefix[64];
    int v = 0;
    snprintf(prefix, sizeof prefix, "migrations/%s/", store_backend(s));
    for (size_t i = 0; i < embed_count; i++) {
        if (strncmp(embed_files[i].name, prefix, strlen(prefix)) == 0) {
            int x = atoi(embed_files[i].name + strlen(prefix));
            v = x > v ? x : v;
        }
    }
    return v;
}

static struct store_user make_user(struct store *s, const char *username, const char *email)
{
    struct store_user u;
    struct store_user_fields f = {
        .username = username, .email = email, .password_hash = "$2b$04$hash", .active = true};
    cr_assert_eq(store_user_create(s, &f, 1000, &u), STORE_OK, "create %s", username);
    return u;
}

static int64_t make_token(struct store *s, const char *hash, int64_t user, int64_t family)
{
    int64_t id = 0;
    cr_assert_eq(store_refresh_insert(s, hash, user, family, 5000, &id), STORE_OK, "insert %s",
                 hash);
    return id;
}

/* ---- migrations ---- */

BOTH(migrate_is_idempotent_and_reports_version)
{
    struct store *s = open_store(url);
    int v = -1;
    cr_assert_eq(store_schema_version(s, &v), STORE_OK);
    cr_assert_eq(v, 0, "fresh database reports version %d", v);
    cr_assert_eq(store_migrate(s), STORE_OK);
    cr_assert_eq(store_schema_version(s, &v), STORE_OK);
    cr_assert_geq(v, 1);
    cr_assert_eq(v, latest_version(s));
    struct store_user u = make_user(s, "ada", "ada@example.com");
    cr_assert_eq(store_migrate(s), STORE_OK);
    cr_assert_eq(store_schema_version(s, &v), STORE_OK);
    cr_assert_eq(v, latest_version(s));
    struct store_user got;
    cr_assert_eq(store_user_get(s, u.id, &got), STORE_OK, "data survives a second migrate");
    store_close(s);
    /* and from a new connection */
    s = open_migrated(url);
    cr_assert_eq(store_user_get(s, u.id, &got), STORE_OK);
    store_close(s);
}

enum { NTHREADS = 4 };

struct race {
    const char *url;
    pthread_barrier_t *barrier;
    store_status result;
    struct store_user user;
};

static void *migrate_thread(void *arg)
{
    struct race *r = arg;
    char err[256];
    struct store *s = store_open(r->url, err, sizeof err);
    pthread_barrier_wait(r->barrier);
    r->result = s ? store_migrate(s) : STORE_ERROR;
    store_close(s);
    return NULL;
}

BOTH(concurrent_migrate_is_safe)
{
    pthread_t t[NTHREADS];
    struct race r[NTHREADS];
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    for (int i = 0; i < NTHREADS; i++) {
        r[i] = (struct race){.url = url, .barrier = &barrier, .result = STORE_ERROR};
        cr_assert_eq(pthread_create(&t[i], NULL, migrate_thread, &r[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
    }
    pthread_barrier_destroy(&barrier);
    for (int i = 0; i < NTHREADS; i++) {
        cr_expect_eq(r[i].result, STORE_OK, "migrator %d got %d", i, r[i].result);
    }
    struct store *s = open_store(url);
    int v = 0;
    cr_assert_eq(store_schema_version(s, &v), STORE_OK);
    cr_assert_eq(v, latest_version(s));
    make_user(s, "ada", "ada@example.com");
    store_close(s);
}

/* ---- users ---- */

BOTH(user_create_get_update_delete)
{
    struct store *s = open_migrated(url);
    struct store_user_fields f = {.username = "Ada",
                                  .email = "ada@example.com",
                                  .password_hash = "$2b$04$first",
                                  .active = true,
                                  .admin = false};
    struct store_user u, got;
    cr_assert_eq(store_user_create(s, &f, 1700000000, &u), STORE_OK);
    cr_assert_gt(u.id, 0);
    cr_assert_str_eq(u.username, "Ada");
    cr_assert_str_eq(u.email, "ada@example.com");
    cr_assert_str_eq(u.password_hash, "");
    cr_assert(u.active);
    cr_assert_not(u.admin);
    cr_assert_eq(u.created_at, 1700000000);

    cr_assert_eq(store_user_get(s, u.id, &got), STORE_OK);
    cr_assert_eq(got.id, u.id);
    cr_assert_str_eq(got.username, "Ada");
    cr_assert_str_eq(got.password_hash, "", "only get_by_email returns the hash");
    cr_assert_eq(got.created_at, 1700000000);

    cr_assert_eq(store_user_get_by_email(s, "ada@example.com", &got), STORE_OK);
    cr_assert_eq(got.id, u.id);
    cr_assert_str_eq(got.password_hash, "$2b$04$first");
    cr_assert_eq(store_user_get_by_email(s, "nobody@example.com", &got), STORE_NOT_FOUND);
    cr_assert_eq(store_user_get(s, u.id + 100, &got), STORE_NOT_FOUND);

    struct store_user_fields upd = {.username = "ada.l",
                                    .email = "ada.l@example.com",
                                    .password_hash = "ignored",
                                    .active = false,
                                    .admin = true};
    cr_assert_eq(store_user_update(s, u.id, &upd, &got), STORE_OK);
    cr_assert_eq(got.id, u.id);
    cr_assert_str_eq(got.username, "ada.l");
    cr_assert_str_eq(got.email, "ada.l@example.com");
    cr_assert_not(got.active);
    cr_assert(got.admin);
    cr_assert_eq(got.created_at, 1700000000);
    cr_assert_str_eq(got.password_hash, "");
    cr_assert_eq(store_user_get_by_email(s, "ada.l@example.com", &got), STORE_OK);
    cr_assert_str_eq(got.password_hash, "$2b$04$first", "update leaves the password alone");
    cr_assert_eq(store_user_update(s, u.id + 100, &upd, &got), STORE_NOT_FOUND);

    cr_assert_eq(store_user_set_password(s, u.id, "$2b$04$second"), STORE_OK);
    cr_assert_eq(store_user_get_by_email(s, "ada.l@example.com", &got), STORE_OK);
    cr_assert_str_eq(got.password_hash, "$2b$04$second");
    cr_assert_eq(store_user_set_password(s, u.id + 100, "x"), STORE_NOT_FOUND);

    cr_assert_eq(store_user_delete(s, u.id), STORE_OK);
    cr_assert_eq(store_user_get(s, u.id, &got), STORE_NOT_FOUND);
    cr_assert_eq(store_user_delete(s, u.id), STORE_NOT_FOUND);

    /* a deleted user's id is not handed out again */
    struct store_user again = make_user(s, "Ada", "ada@example.com");
    cr_assert_gt(again.id, u.id);
    store_close(s);
}

BOTH(user_unique_email_and_username)
{
    struct store *s = open_migrated(url);
    struct store_user ada = make_user(s, "Ada", "ada@example.com");
    struct store_user bob = make_user(s, "bob", "bob@example.com");
    struct store_user out = {.id = -7};
    struct store_user_fields f = {
        .username = "other", .email = "ada@example.com", .password_hash = "h", .active = true};
    cr_assert_eq(store_user_create(s, &f, 1, &out), STORE_CONFLICT_EMAIL);
    cr_assert_eq(out.id, -7, "out-parameters are written only on STORE_OK");
    f = (struct store_user_fields){
        .username = "aDA", .email = "new@example.com", .password_hash = "h", .active = true};
    cr_assert_eq(store_user_create(s, &f, 1, &out), STORE_CONFLICT_USERNAME,
                 "user names differing only in case are the same");
    f.username = "ada";
    cr_assert_eq(store_user_create(s, &f, 1, &out), STORE_CONFLICT_USERNAME);

    /* update into someone else's email or user name */
    f = (struct store_user_fields){.username = "bob", .email = "bob@example.com", .active = true};
    cr_assert_eq(store_user_update(s, bob.id, &f, &out), STORE_OK, "unchanged values are fine");
    f.email = "ada@example.com";
    cr_assert_eq(store_user_update(s, bob.id, &f, &out), STORE_CONFLICT_EMAIL);
    f = (struct store_user_fields){.username = "ADA", .email = "bob@example.com", .active = true};
    cr_assert_eq(store_user_update(s, bob.id, &f, &out), STORE_CONFLICT_USERNAME);
    f = (struct store_user_fields){.username = "ADA", .email = "ada@example.com", .active = true};
    cr_assert_eq(store_user_update(s, ada.id, &f, &out), STORE_OK, "own name in a new case");
    cr_assert_str_eq(out.username, "ADA");

    /* nothing changed by the failed attempts */
    size_t n = 0;
    int64_t total = 0;
    struct store_user *list = NULL;
    cr_assert_eq(store_user_list(s, 10, 0, &list, &n, &total), STORE_OK);
    cr_assert_eq(total, 2);
    free(list);
    store_close(s);
}

BOTH(user_rejects_values_that_do_not_fit)
{
    struct store *s = open_migrated(url);
    char long_name[STORE_USERNAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    struct store_user out;
    struct store_user_fields f = {
        .username = long_name, .email = "a@example.com", .password_hash = "h"};
    cr_assert_eq(store_user_create(s, &f, 1, &out), STORE_ERROR);
    f.username = NULL;
    cr_assert_eq(store_user_create(s, &f, 1, &out), STORE_ERROR);
    struct store_user *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    cr_assert_eq(store_user_list(s, -1, 0, &list, &n, &total), STORE_ERROR);
    cr_assert_eq(store_user_list(s, 1, -1, &list, &n, &total), STORE_ERROR);
    store_close(s);
}

static void *register_thread(void *arg)
{
    struct race *r = arg;
    char err[256];
    struct store *s = store_open(r->url, err, sizeof err);
    struct store_user_fields f = {
        .username = "racer", .email = "racer@example.com", .password_hash = "h", .active = true};
    pthread_barrier_wait(r->barrier);
    r->result = s ? store_user_create(s, &f, 1, &r->user) : STORE_ERROR;
    store_close(s);
    return NULL;
}

BOTH(concurrent_duplicate_registration_has_one_winner)
{
    store_close(open_migrated(url));
    pthread_t t[NTHREADS];
    struct race r[NTHREADS];
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    for (int i = 0; i < NTHREADS; i++) {
        r[i] = (struct race){.url = url, .barrier = &barrier, .result = STORE_ERROR};
        cr_assert_eq(pthread_create(&t[i], NULL, register_thread, &r[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
    }
    pthread_barrier_destroy(&barrier);
    int ok = 0;
    for (int i = 0; i < NTHREADS; i++) {
        ok += r[i].result == STORE_OK;
        cr_expect(r[i].result == STORE_OK || r[i].result == STORE_CONFLICT_EMAIL ||
                      r[i].result == STORE_CONFLICT_USERNAME,
                  "registration %d got %d", i, r[i].result);
    }
    cr_assert_eq(ok, 1);
}

BOTH(user_list_orders_pages_and_counts)
{
    struct store *s = open_migrated(url);
    int64_t ids[5];
    char name[32], email[64];
    for (int i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "user%d", 5 - i); /* names sort opposite to ids */
        snprintf(email, sizeof email, "u%d@example.com", 5 - i);
        ids[i] = make_user(s, name, email).id;
    }
    cr_assert_eq(store_user_delete(s, ids[2]), STORE_OK);

    struct store_user *list = NULL;
    size_t n = 99;
    int64_t total = 0;
    cr_assert_eq(store_user_list(s, 2, 0, &list, &n, &total), STORE_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(total, 4);
    cr_assert_eq(list[0].id, ids[0]);
    cr_assert_eq(list[1].id, ids[1]);
    cr_assert_str_eq(list[0].username, "user5");
    cr_assert_str_eq(list[0].password_hash, "");
    free(list);

    cr_assert_eq(store_user_list(s, 2, 2, &list, &n, &total), STORE_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(list[0].id, ids[3]);
    cr_assert_eq(list[1].id, ids[4]);
    free(list);

    cr_assert_eq(store_user_list(s, 100, 3, &list, &n, &total), STORE_OK);
    cr_assert_eq(n, 1);
    cr_assert_eq(list[0].id, ids[4]);
    free(list);

    list = NULL;
    cr_assert_eq(store_user_list(s, 10, 10, &list, &n, &total), STORE_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(total, 4, "the total is there even on an empty page");
    free(list);

    cr_assert_eq(store_user_list(s, 0, 0, &list, &n, &total), STORE_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(total, 4);
    free(list);
    store_close(s);
}

BOTH(user_get_pair_reads_both_in_one_call)
{
    struct store *s = open_migrated(url);
    int64_t a = make_user(s, "pair-a", "pair-a@example.com").id;
    int64_t b = make_user(s, "pair-b", "pair-b@example.com").id;
    struct store_user ua, ub;
    bool fa = false, fb = false;
    cr_assert_eq(store_user_get_pair(s, a, b, &ua, &fa, &ub, &fb), STORE_OK);
    cr_assert(fa && fb);
    cr_assert_eq(ua.id, a);
    cr_assert_str_eq(ua.username, "pair-a");
    cr_assert_eq(ub.id, b);
    cr_assert_str_eq(ub.email, "pair-b@example.com");
    cr_assert_str_eq(ub.password_hash, "");

    cr_assert_eq(store_user_get_pair(s, b, b + 1000, &ub, &fb, &ua, &fa), STORE_OK);
    cr_assert(fb);
    cr_assert_not(fa, "a missing id is reported, not an error");
    cr_assert_eq(ub.id, b);

    cr_assert_eq(store_user_get_pair(s, a, a, &ua, &fa, &ub, &fb), STORE_OK);
    cr_assert(fa && fb);
    cr_assert_eq(ub.id, a);
    store_close(s);
}

BOTH(user_get_many_answers_each_id_in_its_slot)
{
    struct store *s = open_migrated(url);
    int64_t a = make_user(s, "many-a", "many-a@example.com").id;
    int64_t b = make_user(s, "many-b", "many-b@example.com").id;
    /* repeats, a missing id between them, and the order not the table's */
    const int64_t ids[] = {b, a + b + 1000, a, b, a};
    enum { N = sizeof ids / sizeof ids[0] };
    struct store_user out[N];
    bool found[N];
    memset(found, 1, sizeof found);
    cr_assert_eq(store_user_get_many(s, ids, N, out, found), STORE_OK);
    cr_assert(found[0] && found[2] && found[3] && found[4]);
    cr_assert_not(found[1], "a missing id is reported in its own slot");
    cr_assert_eq(out[0].id, b);
    cr_assert_str_eq(out[0].username, "many-b");
    cr_assert_eq(out[2].id, a);
    cr_assert_str_eq(out[2].email, "many-a@example.com");
    cr_assert_str_eq(out[2].password_hash, "", "no hash on a read by id");
    cr_assert_eq(out[3].id, b);
    cr_assert_eq(out[4].id, a);

    /* a full batch */
    int64_t big[STORE_GET_MANY_MAX];
    struct store_user *rows = calloc(STORE_GET_MANY_MAX, sizeof *rows);
    bool many[STORE_GET_MANY_MAX];
    cr_assert_not_null(rows);
    for (size_t i = 0; i < STORE_GET_MANY_MAX; i++) {
        big[i] = i % 2 == 0 ? a : INT64_MAX - (int64_t)i;
    }
    cr_assert_eq(store_user_get_many(s, big, STORE_GET_MANY_MAX, rows, many), STORE_OK);
    for (size_t i = 0; i < STORE_GET_MANY_MAX; i++) {
        cr_assert_eq(many[i], i % 2 == 0, "slot %zu", i);
        cr_assert(!many[i] || rows[i].id == a, "slot %zu", i);
    }
    cr_assert_eq(store_user_get_many(s, big, STORE_GET_MANY_MAX + 1, rows, many), STORE_ERROR,
                 "more than a batch holds is refused");
    cr_assert_eq(store_user_get_many(s, NULL, 0, NULL, NULL), STORE_OK, "nothing asked");
    free(rows);
    store_close(s);
}

BOTH(user_total_survives_bulk_changes)
{
    struct store *s = open_migrated(url);
    int64_t first = make_user(s, "count-1", "count-1@example.com").id;
    make_user(s, "count-2", "count-2@example.com");
    make_user(s, "count-3", "count-3@example.com");
    cr_assert_eq(store_user_delete(s, first), STORE_OK);
    cr_assert_eq(store_user_delete(s, first), STORE_NOT_FOUND);
    struct store_user_fields dup = {"count-2", "count-2@example.com", "$2b$04$x", true, false};
    struct store_user u;
    cr_assert_eq(store_user_create(s, &dup, 1, &u), STORE_CONFLICT_EMAIL,
                 "a refused insert must not count");
    struct store_user *list = NULL;
    size_t n = 0;
    int64_t total = 0;
    cr_assert_eq(store_user_list(s, 10, 0, &list, &n, &total), STORE_OK);
    cr_assert_eq(total, 2);
    cr_assert_eq(n, 2);
    free(list);
    store_close(s);
}

BOTH(user_delete_removes_refresh_tokens)
{
    struct store *s = open_migrated(url);
    struct store_user ada = make_user(s, "ada", "ada@example.com");
    struct store_user bob = make_user(s, "bob", "bob@example.com");
    make_token(s, "aaaa1", ada.id, 0);
    make_token(s, "aaaa2", ada.id, 0);
    make_token(s, "bbbb1", bob.id, 0);
    cr_assert_eq(store_user_delete(s, ada.id), STORE_OK);
    struct store_refresh r;
    cr_assert_eq(store_refresh_get(s, "aaaa1", &r), STORE_NOT_FOUND);
    cr_assert_eq(store_refresh_get(s, "aaaa2", &r), STORE_NOT_FOUND);
    cr_assert_eq(store_refresh_get(s, "bbbb1", &r), STORE_OK, "other users' tokens stay");
    int64_t id = 0;
    cr_assert_eq(store_refresh_insert(s, "aaaa3", ada.id, 0, 5000, &id), STORE_NOT_FOUND,
                 "no token for a deleted user");
    store_close(s);
}

/* ---- refresh tokens ---- */

BOTH(refresh_insert_get_and_families)
{
    struct store *s = open_migrated(url);
    struct store_user ada = make_user(s, "ada", "ada@example.com");
    int64_t first = make_token(s, "hash-first", ada.id, 0);
    int64_t second = make_token(s, "hash-second", ada.id, first);
    int64_t other = make_token(s, "hash-other", ada.id, 0);

    struct store_refresh r;
    cr_assert_eq(store_refresh_get(s, "hash-first", &r), STORE_OK);
    cr_assert_eq(r.id, first);
    cr_assert_eq(r.user_id, ada.id);
    cr_assert_eq(r.family_id, first, "family 0 starts a family named by the token's own id");
    cr_assert_eq(r.expires_at, 5000);
    cr_assert_eq(r.used_at, 0);
    cr_assert_not(r.revoked);

    cr_assert_eq(store_refresh_get(s, "hash-second", &r), STORE_OK);
    cr_assert_eq(r.id, second);
    cr_assert_eq(r.family_id, first, "a rotation joins the family it is given");
    cr_assert_eq(store_refresh_get(s, "hash-other", &r), STORE_OK);
    cr_assert_eq(r.family_id, other);
    cr_assert_neq(other, first);
    cr_assert_eq(store_refresh_get(s, "hash-missing", &r), STORE_NOT_FOUND);

    int64_t id = -1;
    cr_assert_neq(store_refresh_insert(s, "hash-first", ada.id, 0, 5000, &id), STORE_OK,
                  "token hashes are unique");
    cr_assert_eq(id, -1);
    store_close(s);
}

BOTH(refresh_mark_used_is_compare_and_set)
{
    struct store *s = open_migrated(url);
    struct store_user ada = make_user(s, "ada", "ada@example.com");
    int64_t id = make_token(s, "h1", ada.id, 0);
    cr_assert_eq(store_refresh_mark_used(s, id, 2000), STORE_OK);
    cr_assert_eq(store_refresh_mark_used(s, id, 2001), STORE_CONFLICT, "second use loses");
    struct store_refresh r;
    cr_assert_eq(store_refresh_get(s, "h1", &r), STORE_OK);
    cr_assert_eq(r.used_at, 2000, "the winner's time stays");
    cr_assert_eq(store_refresh_mark_used(s, id + 1000, 2000), STORE_NOT_FOUND);

    int64_t id2 = make_token(s, "h2", ada.id, 0);
    cr_assert_eq(store_refresh_revoke_family(s, id2), STORE_OK);
    cr_assert_eq(store_refresh_mark_used(s, id2, 2000), STORE_CONFLICT, "revoked cannot be used");
    cr_assert_eq(store_refresh_get(s, "h2", &r), STORE_OK);
    cr_assert_eq(r.used_at, 0);
    store_close(s);
}

struct use_race {
    const char *url;
    pthread_barrier_t *barrier;
    int64_t id;
    store_status result;
};

static void *mark_used_thread(void *arg)
{
    struct use_race *r = arg;
    char err[256];
    struct store *s = store_open(r->url, err, sizeof err);
    pthread_barrier_wait(r->barrier);
    r->result = s ? store_refresh_mark_used(s, r->id, 3000) : STORE_ERROR;
    store_close(s);
    return NULL;
}

BOTH(refresh_concurrent_use_has_one_winner)
{
    struct store *s = open_migrated(url);
    struct store_user ada = make_user(s, "ada", "ada@example.com");
    int64_t id = make_token(s, "race", ada.id, 0);
    store_close(s);
    pthread_t t[NTHREADS];
    struct use_race r[NTHREADS];
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    for (int i = 0; i < NTHREADS; i++) {
        r[i] = (struct use_race){.url = url, .barrier = &barrier, .id = id, .result = STORE_ERROR};
        cr_assert_eq(pthread_create(&t[i], NULL, mark_used_thread, &r[i]), 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
    }
    pthread_barrier_destroy(&barrier);
    int ok = 0;
    for (int i = 0; i < NTHREADS; i++) {
        ok += r[i].result == STORE_OK;
        cr_expect(r[i].result == STORE_OK || r[i].result == STORE_CONFLICT, "use %d got %d", i,
                  r[i].result);
    }
    cr_assert_eq(ok, 1);
}

BOTH(refresh_revoke_family_and_user)
{
    struct store *s = open_migrated(url);
    struct store_user ada = make_user(s, "ada", "ada@example.com");
    struct store_user bob = make_user(s, "bob", "bob@example.com");
    int64_t fa = make_token(s, "a1", ada.id, 0);
    make_token(s, "a2", ada.id, fa);
    make_token(s, "a3", ada.id, 0);
    make_token(s, "b1", bob.id, 0);
    struct store_refresh r;

    cr_assert_eq(store_refresh_revoke_family(s, fa), STORE_OK);
    cr_assert_eq(store_refresh_get(s, "a1", &r), STORE_OK);
    cr_assert(r.revoked);
    cr_assert_eq(store_refresh_get(s, "a2", &r), STORE_OK);
    cr_assert(r.revoked);
    cr_assert_eq(store_refresh_get(s, "a3", &r), STORE_OK);
    cr_assert_not(r.revoked, "another login of the same user is untouched");
    cr_assert_eq(store_refresh_revoke_family(s, fa), STORE_OK, "revoking twice is fine");

    cr_assert_eq(store_refresh_revoke_user(s, ada.id), STORE_OK);
    cr_assert_eq(store_refresh_get(s, "a3", &r), STORE_OK);
    cr_assert(r.revoked);
    cr_assert_eq(store_refresh_get(s, "b1", &r), STORE_OK);
    cr_assert_not(r.revoked, "other users are untouched");
    store_close(s);
}

/* ---- login failures ---- */

BOTH(login_failures_count_oldest_prune)
{
    struct store *s = open_migrated(url);
    int64_t count = -1, oldest = -1;
    cr_assert_eq(store_login_failure_count(s, "ip:1", 0, &count, &oldest), STORE_OK);
    cr_assert_eq(count, 0);
    cr_assert_eq(oldest, 0);
    cr_assert_eq(store_login_failure_add(s, "ip:1", 300), STORE_OK);
    cr_assert_eq(store_login_failure_add(s, "ip:1", 100), STORE_OK);
    cr_assert_eq(store_login_failure_add(s, "ip:1", 200), STORE_OK);
    cr_assert_eq(store_login_failure_add(s, "ip:1", 200), STORE_OK);
    cr_assert_eq(store_login_failure_add(s, "acct:ada@example.com", 250), STORE_OK);

    cr_assert_eq(store_login_failure_count(s, "ip:1", 0, &count, &oldest), STORE_OK);
    cr_assert_eq(count, 4);
    cr_assert_eq(oldest, 100);
    cr_assert_eq(store_login_failure_count(s, "ip:1", 100, &count, &oldest), STORE_OK);
    cr_assert_eq(count, 3, "strictly after since");
    cr_assert_eq(oldest, 200);
    cr_assert_eq(store_login_failure_count(s, "ip:1", 300, &count, &oldest), STORE_OK);
    cr_assert_eq(count, 0);
    cr_assert_eq(oldest, 0);

    cr_assert_eq(store_login_failure_prune(s, 200), STORE_OK);
    cr_assert_eq(store_login_failure_count(s, "ip:1", 0, &count, &oldest), STORE_OK);
    cr_assert_eq(count, 1);
    cr_assert_eq(oldest, 300);
    cr_assert_eq(store_login_failure_count(s, "acct:ada@example.com", 0, &count, &oldest),
                 STORE_OK);
    cr_assert_eq(count, 1);
    cr_assert_eq(oldest, 250);
    store_close(s);
}

BOTH(login_failures_are_shared_between_connections)
{
    struct store *a = open_migrated(url);
    struct store *b = open_store(url);
    int64_t count = 0, oldest = 0;
    cr_assert_eq(store_login_failure_add(a, "ip:9", 10), STORE_OK);
    cr_assert_eq(store_login_failure_add(b, "ip:9", 11), STORE_OK);
    cr_assert_eq(store_login_failure_count(b, "ip:9", 0, &count, &oldest), STORE_OK);
    cr_assert_eq(count, 2);
    cr_assert_eq(oldest, 10);
    store_close(a);
    store_close(b);
}

BOTH(ping_and_backend_name)
{
    struct store *s = open_store(url);
    cr_assert_eq(store_ping(s), STORE_OK);
    cr_assert(strcmp(store_backend(s), "sqlite") == 0 || strcmp(store_backend(s), "postgres") == 0);
    cr_assert_eq(strncmp(url, store_backend(s), strlen(store_backend(s))), 0);
    store_close(s);
}

/* ---- opening ---- */

static void assert_open_fails(const char *url)
{
    char err[512];
    memset(err, 'x', sizeof err);
    struct store *s = store_open(url, err, sizeof err);
    cr_assert_null(s, "store_open(%s) should fail", url);
    cr_assert(memchr(err, '\0', sizeof err), "the message is terminated");
    cr_assert_gt(strlen(err), 0, "store_open(%s) explains why", url);
    cr_assert_null(strstr(err, "hunter2pw"), "password leaked: %s", err);
    cr_assert_null(strstr(err, "hunter2"), "part of the password leaked: %s", err);
}

Test(open, bad_urls_fail_without_leaking_the_password)
{
    assert_open_fails("");
    assert_open_fails("sqlite://");
    assert_open_fails("mysql://root:hunter2pw@127.0.0.1/users");
    assert_open_fails("http://root:hunter2pw@x");
    assert_open_fails("://root:hunter2pw@x");
    assert_open_fails("postgres://root:hunter2pw@[::1/users");
    assert_open_fails("postgresql://root:hunter2pw@127.0.0.1:notaport/users");
    assert_open_fails("postgres://root:hunter2pw@127.0.0.1:1/users?sslmode=nonsense");
    assert_open_fails("postgres://root:hunter2%70w@[::1/users");
    assert_open_fails("postgres://root@[::1/users?password=hunter2pw");
    assert_open_fails("/proc/no/such/dir/users.db");
}

Test(open, unreachable_postgres_fails_fast)
{
    time_t t0 = time(NULL);
    assert_open_fails("postgres://root:hunter2pw@127.0.0.1:1/users");
    /* 192.0.2.0/24 is TEST-NET-1: nothing answers there, only the timeout ends it */
    assert_open_fails("postgres://root:hunter2pw@192.0.2.1:5432/users?connect_timeout=2");
    cr_assert_lt(time(NULL) - t0, 10);
}

Test(open, sqlite_url_forms)
{
    char dir[512], path[600], url[700];
    snprintf(dir, sizeof dir, "%s/forms_%d", tmpdir(), (int)getpid());
    cr_assert_eq(mkdir(dir, 0700), 0);
    cr_assert_eq(chdir(dir), 0);
    struct stat st;

    struct store *s = open_store("sqlite://data/users.db"); /* relative, dir created */
    cr_assert_str_eq(store_backend(s), "sqlite");
    cr_assert_eq(store_migrate(s), STORE_OK);
    store_close(s);
    cr_assert_eq(stat("data/users.db", &st), 0);

    snprintf(path, sizeof path, "%s/abs/deeper/users.db", dir);
    snprintf(url, sizeof url, "sqlite://%s", path); /* sqlite:///... is absolute */
    s = open_store(url);
    store_close(s);
    cr_assert_eq(stat(path, &st), 0);

    s = open_store("plain.db"); /* a plain path is SQLite */
    cr_assert_str_eq(store_backend(s), "sqlite");
    store_close(s);
    cr_assert_eq(stat("plain.db", &st), 0);
}

/* ---- PostgreSQL outage: a server of our own that we can halt ---- */

static const char *pg_sh(void)
{
    const char *p = getenv("TEST_PG_SH");
    return p && *p ? p : "tests/pg.sh";
}

/* Runs pg.sh cmd dir; with out, its first output line goes there. The child
 * closes every inherited descriptor first: the server it starts lives on
 * and must not hold Criterion's pipes open. */
static int pg_sh_run(const char *cmd, const char *dir, char *out, size_t outlen)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close_range(3, ~0U, 0);
        execl(pg_sh(), pg_sh(), cmd, dir, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[256] = "";
    if (f && !fgets(line, sizeof line, f)) {
        line[0] = '\0';
    }
    if (f) {
        while (fgetc(f) != EOF) {
        }
        fclose(f);
    }
    int status = -1;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        return -1;
    }
    if (out) {
        line[strcspn(line, "\n")] = '\0';
        snprintf(out, outlen, "%s", line);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void pg_ctl(const char *cmd, const char *dir)
{
    cr_assert_eq(pg_sh_run(cmd, dir, NULL, 0), 0, "pg.sh %s %s", cmd, dir);
}

static char *pg_start(const char *dir)
{
    char url[256];
    cr_assert_eq(pg_sh_run("start", dir, url, sizeof url), 0, "pg.sh start %s", dir);
    return strdup(url);
}

static char outage_dir[512];

static void outage_fini(void)
{
    if (outage_dir[0] && pg_sh_run("stop", outage_dir, NULL, 0) != 0) {
        fprintf(stderr, "could not stop the server in %s\n", outage_dir);
    }
}

Test(postgres, outage_gives_unavailable_then_heals, .fini = outage_fini)
{
    snprintf(outage_dir, sizeof outage_dir, "%s/outage_%d", tmpdir(), (int)getpid());
    char *url = pg_start(outage_dir);
    struct store *s = open_migrated(url);
    struct store_user ada = make_user(s, "ada", "ada@example.com"), got;
    cr_assert_eq(store_user_get(s, ada.id, &got), STORE_OK); /* statement prepared */

    pg_ctl("halt", outage_dir);
    time_t t0 = time(NULL);
    struct store_user *list = NULL;
    size_t n = 0;
    int64_t total = 0, id = 0;
    cr_assert_eq(store_ping(s), STORE_UNAVAILABLE);
    cr_assert_eq(store_user_get(s, ada.id, &got), STORE_UNAVAILABLE);
    cr_assert_eq(store_user_create(s,
                                   &(struct store_user_fields){.username = "bob",
                                                               .email = "bob@example.com",
                                                               .password_hash = "h"},
                                   1, &got),
                 STORE_UNAVAILABLE);
    cr_assert_eq(store_user_list(s, 10, 0, &list, &n, &total), STORE_UNAVAILABLE);
    cr_assert_eq(store_refresh_insert(s, "h", ada.id, 0, 1, &id), STORE_UNAVAILABLE);
    cr_assert_eq(store_migrate(s), STORE_UNAVAILABLE);
    cr_assert_eq(store_ping(s), STORE_UNAVAILABLE);
    cr_assert_lt(time(NULL) - t0, 10, "an outage answers quickly");

    pg_ctl("resume", outage_dir);
    cr_assert_eq(store_ping(s), STORE_OK, "the same struct store heals by itself");
    cr_assert_eq(store_user_get(s, ada.id, &got), STORE_OK);
    cr_assert_str_eq(got.username, "ada");
    cr_assert_eq(store_user_list(s, 10, 0, &list, &n, &total), STORE_OK);
    cr_assert_eq(n, 1);
    free(list);

    /* a restart between two calls: the first call afterwards already works */
    pg_ctl("halt", outage_dir);
    pg_ctl("resume", outage_dir);
    cr_assert_eq(store_user_get(s, ada.id, &got), STORE_OK);
    cr_assert_eq(store_refresh_insert(s, "h", ada.id, 0, 1, &id), STORE_OK);

    store_close(s);
    free(url);
}
