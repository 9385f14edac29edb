/* SQLite backend: one connection per struct store, statements prepared on
 * first use and cached for the life of the connection. */
#include "store/store_internal.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum sqlite_stmt_id {
    SQ_USER_INSERT,
    SQ_USER_GET,
    SQ_USER_GET_BY_EMAIL,
    SQ_USER_LIST,
    SQ_USER_COUNT,
    SQ_USER_UPDATE,
    SQ_USER_SET_PASSWORD,
    SQ_USER_DELETE,
    SQ_REFRESH_INSERT,
    SQ_REFRESH_SET_FAMILY,
    SQ_REFRESH_GET,
    SQ_REFRESH_MARK_USED,
    SQ_REFRESH_EXISTS,
    SQ_REFRESH_REVOKE_FAMILY,
    SQ_REFRESH_REVOKE_USER,
    SQ_LOGIN_ADD,
    SQ_LOGIN_COUNT,
    SQ_LOGIN_PRUNE,
    SQ_MIGRATIONS_EXIST,
    SQ_MIGRATION_VERSION,
    SQ_MIGRATION_APPLIED,
    SQ_MIGRATION_RECORD,
    SQ_PING,
    SQ_COUNT
};

#define USER_COLS "id, username, email, '', active, admin, created_at"

static const char *const sqlite_sql[SQ_COUNT] = {
    [SQ_USER_INSERT] = "INSERT INTO users (username, email, password_hash, active, admin, "
                       "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SQ_USER_GET] = "SELECT " USER_COLS " FROM users WHERE id = ?1",
    [SQ_USER_GET_BY_EMAIL] = "SELECT id, username, email, password_hash, active, admin, "
                             "created_at FROM users WHERE email = ?1",
    [SQ_USER_LIST] = "SELECT " USER_COLS " FROM users ORDER BY id LIMIT ?1 OFFSET ?2",
    [SQ_USER_COUNT] = "SELECT total FROM user_count WHERE id = 1",
    [SQ_USER_UPDATE] = "UPDATE users SET username = ?2, email = ?3, active = ?4, admin = ?5 "
                       "WHERE id = ?1 RETURNING " USER_COLS,
    [SQ_USER_SET_PASSWORD] = "UPDATE users SET password_hash = ?2 WHERE id = ?1",
    [SQ_USER_DELETE] = "DELETE FROM users WHERE id = ?1",
    [SQ_REFRESH_INSERT] = "INSERT INTO refresh_tokens (token_hash, user_id, family_id, "
                          "expires_at, created_at) VALUES (?1, ?2, ?3, ?4, unixepoch())",
    [SQ_REFRESH_SET_FAMILY] = "UPDATE refresh_tokens SET family_id = id WHERE id = ?1",
    [SQ_REFRESH_GET] = "SELECT id, user_id, family_id, expires_at, coalesce(used_at, 0), "
                       "revoked FROM refresh_tokens WHERE token_hash = ?1",
    [SQ_REFRESH_MARK_USED] = "UPDATE refresh_tokens SET used_at = ?2 "
                             "WHERE id = ?1 AND used_at IS NULL AND revoked = 0",
    [SQ_REFRESH_EXISTS] = "SELECT 1 FROM refresh_tokens WHERE id = ?1",
    [SQ_REFRESH_REVOKE_FAMILY] = "UPDATE refresh_tokens SET revoked = 1 WHERE family_id = ?1",
    [SQ_REFRESH_REVOKE_USER] = "UPDATE refresh_tokens SET revoked = 1 WHERE user_id = ?1",
    [SQ_LOGIN_ADD] = "INSERT INTO login_failures (key, at) VALUES (?1, ?2)",
    [SQ_LOGIN_COUNT] = "SELECT count(*), coalesce(min(at), 0) FROM login_failures "
                       "WHERE key = ?1 AND at > ?2",
    [SQ_LOGIN_PRUNE] = "DELETE FROM login_failures WHERE at <= ?1",
    [SQ_MIGRATIONS_EXIST] = "SELECT count(*) FROM sqlite_master "
                            "WHERE type = 'table' AND name = 'schema_migrations'",
    [SQ_MIGRATION_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_migrations",
    [SQ_MIGRATION_APPLIED] = "SELECT 1 FROM schema_migrations WHERE version = ?1",
    [SQ_MIGRATION_RECORD] = "INSERT INTO schema_migrations (version, applied_at) "
                            "VALUES (?1, unixepoch())",
    [SQ_PING] = "SELECT 1",
};

struct sqlite_store {
    struct store base; /* first: store.c sees only this */
    sqlite3 *db;
    sqlite3_stmt *stmt[SQ_COUNT];
};

static struct sqlite_store *sqlite_cast(struct store *s)
{
    return (struct sqlite_store *)s;
}

/* SQLITE_BUSY after busy_timeout means another writer held the lock for
 * seconds: to the client that is the database not answering (503). */
static store_status sqlite_status(struct sqlite_store *ss, int rc)
{
    switch (rc) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return STORE_OK;
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: {
        /* SQLite names the columns, not the constraint: "UNIQUE constraint failed: users.email" */
        const char *msg = sqlite3_errmsg(ss->db);
        if (strstr(msg, "users.email")) {
            return STORE_CONFLICT_EMAIL;
        }
        if (strstr(msg, "users.username")) {
            return STORE_CONFLICT_USERNAME;
        }
        return STORE_CONFLICT;
    }
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return STORE_NOT_FOUND; /* e.g. a token for a user deleted meanwhile */
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_BUSY_SNAPSHOT:
    case SQLITE_BUSY_TIMEOUT:
        return STORE_UNAVAILABLE;
    default:
        return STORE_ERROR;
    }
}

/* Returns the cached statement, preparing it on first use. Lazily, because
 * before store_migrate() the tables it names may not exist yet. */
static sqlite3_stmt *sqlite_stmt(struct sqlite_store *ss, enum sqlite_stmt_id id)
{
    if (!ss->stmt[id]) {
        if (sqlite3_prepare_v3(ss->db, sqlite_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &ss->stmt[id],
                               NULL) != SQLITE_OK) {
            ss->stmt[id] = NULL;
        }
    }
    return ss->stmt[id];
}

/* Readies a statement for its next use and drops borrowed string bindings. */
static void sqlite_done(sqlite3_stmt *st)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
}

static store_status sqlite_exec(struct sqlite_store *ss, const char *sql)
{
    return sqlite_status(ss, sqlite3_exec(ss->db, sql, NULL, NULL, NULL));
}

static void sqlite_rollback(struct sqlite_store *ss)
{
    if (!sqlite3_get_autocommit(ss->db)) {
        sqlite3_exec(ss->db, "ROLLBACK", NULL, NULL, NULL);
    }
}

/* Runs a statement that returns no rows (after binding); *changes may be NULL. */
static store_status sqlite_run(struct sqlite_store *ss, sqlite3_stmt *st, int *changes)
{
    int rc = sqlite3_step(st);
    store_status status = rc == SQLITE_DONE ? STORE_OK : sqlite_status(ss, rc);
    if (rc == SQLITE_ROW) {
        status = STORE_ERROR;
    }
    if (status == STORE_OK && changes) {
        *changes = sqlite3_changes(ss->db);
    }
    sqlite_done(st);
    return status;
}

/* Steps a single-row query returning integer columns into v[0..n-1]. */
static store_status sqlite_query_ints(struct sqlite_store *ss, sqlite3_stmt *st, int64_t *v, int n)
{
    int rc = sqlite3_step(st);
    store_status status = STORE_OK;
    if (rc == SQLITE_DONE) {
        status = STORE_NOT_FOUND;
        goto cleanup;
    }
    if (rc != SQLITE_ROW) {
        status = sqlite_status(ss, rc);
        goto cleanup;
    }
    for (int i = 0; i < n; i++) {
        v[i] = sqlite3_column_int64(st, i);
    }
cleanup:
    sqlite_done(st);
    return status;
}

static const char *sqlite_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? (const char *)t : "";
}

/* Row in USER_COLS order (column 3 is the password hash, or ''). */
static store_status sqlite_read_user(sqlite3_stmt *st, struct store_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, 0);
    if (!store_copy_str(u->username, sizeof u->username, sqlite_text(st, 1)) ||
        !store_copy_str(u->email, sizeof u->email, sqlite_text(st, 2)) ||
        !store_copy_str(u->password_hash, sizeof u->password_hash, sqlite_text(st, 3))) {
        return STORE_ERROR;
    }
    u->active = sqlite3_column_int(st, 4) != 0;
    u->admin = sqlite3_column_int(st, 5) != 0;
    u->created_at = sqlite3_column_int64(st, 6);
    return STORE_OK;
}

/* Steps a query expected to return at most one user row. */
static store_status sqlite_query_user(struct sqlite_store *ss, sqlite3_stmt *st,
                                      struct store_user *out)
{
    struct store_user u;
    store_status status;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        status = STORE_NOT_FOUND;
        goto cleanup;
    }
    if (rc != SQLITE_ROW) {
        status = sqlite_status(ss, rc);
        goto cleanup;
    }
    status = sqlite_read_user(st, &u);
    if (status == STORE_OK) {
        *out = u;
    }
cleanup:
    sqlite_done(st);
    return status;
}

static void sqlite_close(struct store *s)
{
    struct sqlite_store *ss = sqlite_cast(s);
    for (int i = 0; i < SQ_COUNT; i++) {
        sqlite3_finalize(ss->stmt[i]);
    }
    sqlite3_close(ss->db);
    free(ss);
}

static store_status sqlite_ping(struct store *s)
{
    struct sqlite_store *ss = sqlite_cast(s);
    int64_t one = 0;
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_PING);
    return st ? sqlite_query_ints(ss, st, &one, 1) : STORE_ERROR;
}

static store_status sqlite_schema_version(struct store *s, int *version)
{
    struct sqlite_store *ss = sqlite_cast(s);
    int64_t v = 0;
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_MIGRATIONS_EXIST);
    store_status status = st ? sqlite_query_ints(ss, st, &v, 1) : STORE_ERROR;
    if (status != STORE_OK) {
        return status;
    }
    if (v > 0) {
        st = sqlite_stmt(ss, SQ_MIGRATION_VERSION);
        status = st ? sqlite_query_ints(ss, st, &v, 1) : STORE_ERROR;
    }
    if (status == STORE_OK) {
        *version = (int)v;
    }
    return status;
}

/* Applies one migration unless already recorded. Caller holds the transaction. */
static store_status sqlite_apply(struct sqlite_store *ss, const struct store_migration *m)
{
    int64_t one = 0;
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_MIGRATION_APPLIED);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_int(st, 1, m->version);
    store_status status = sqlite_query_ints(ss, st, &one, 1);
    if (status != STORE_NOT_FOUND) {
        return status; /* STORE_OK: already applied */
    }
    status = sqlite_exec(ss, m->sql);
    if (status != STORE_OK) {
        return status;
    }
    st = sqlite_stmt(ss, SQ_MIGRATION_RECORD);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_int(st, 1, m->version);
    return sqlite_run(ss, st, NULL);
}

/* The whole run is one BEGIN IMMEDIATE transaction: it is the lock that
 * serialises tasks starting at once, and a failed migration leaves nothing. */
static store_status sqlite_migrate(struct store *s)
{
    struct sqlite_store *ss = sqlite_cast(s);
    struct store_migration m;
    size_t pos = 0;
    int last = 0, more;
    store_status status = sqlite_exec(ss, "BEGIN IMMEDIATE");
    if (status != STORE_OK) {
        return status;
    }
    status = sqlite_exec(ss, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
    while (status == STORE_OK && (more = store_migration_next("sqlite", &pos, &last, &m)) != 0) {
        status = more < 0 ? STORE_ERROR : sqlite_apply(ss, &m);
    }
    if (status == STORE_OK) {
        status = sqlite_exec(ss, "COMMIT");
    }
    if (status != STORE_OK) {
        sqlite_rollback(ss);
    }
    return status;
}

static store_status sqlite_user_create(struct store *s, const struct store_user_fields *f,
                                       int64_t now, struct store_user *out)
{
    struct sqlite_store *ss = sqlite_cast(s);
    struct store_user u = {0};
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_USER_INSERT);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_text(st, 1, f->username, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->email, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->password_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, f->active);
    sqlite3_bind_int(st, 5, f->admin);
    sqlite3_bind_int64(st, 6, now);
    store_status status = sqlite_run(ss, st, NULL);
    if (status != STORE_OK) {
        return status;
    }
    /* The row is exactly what we inserted; lengths were checked by store.c. */
    u.id = sqlite3_last_insert_rowid(ss->db);
    store_copy_str(u.username, sizeof u.username, f->username);
    store_copy_str(u.email, sizeof u.email, f->email);
    u.active = f->active;
    u.admin = f->admin;
    u.created_at = now;
    *out = u;
    return STORE_OK;
}

static store_status sqlite_user_get(struct store *s, int64_t id, struct store_user *out)
{
    struct sqlite_store *ss = sqlite_cast(s);
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_USER_GET);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_int64(st, 1, id);
    return sqlite_query_user(ss, st, out);
}

static store_status sqlite_user_get_by_email(struct store *s, const char *email,
                                             struct store_user *out)
{
    struct sqlite_store *ss = sqlite_cast(s);
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_USER_GET_BY_EMAIL);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_text(st, 1, email, -1, SQLITE_STATIC);
    return sqlite_query_user(ss, st, out);
}

/* Appends one row to a growing array. */
static store_status sqlite_list_push(sqlite3_stmt *st, struct store_user **arr, size_t *n,
                                     size_t *cap)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct store_user *grown = realloc(*arr, ncap * sizeof **arr);
        if (!grown) {
            return STORE_ERROR;
        }
        *arr = grown;
        *cap = ncap;
    }
    store_status status = sqlite_read_user(st, &(*arr)[*n]);
    if (status == STORE_OK) {
        (*n)++;
    }
    return status;
}

static store_status sqlite_user_list(struct store *s, int64_t limit, int64_t offset,
                                     struct store_user **out, size_t *n, int64_t *total)
{
    struct sqlite_store *ss = sqlite_cast(s);
    struct store_user *arr = NULL;
    size_t count = 0, cap = 0;
    int64_t all = 0;
    store_status status = STORE_ERROR;
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_USER_LIST);
    sqlite3_stmt *cst = sqlite_stmt(ss, SQ_USER_COUNT);
    if (!st || !cst) {
        goto cleanup;
    }
    /* one read transaction, so the page and the total agree */
    status = sqlite_exec(ss, "BEGIN");
    if (status != STORE_OK) {
        goto cleanup;
    }
    sqlite3_bind_int64(st, 1, limit);
    sqlite3_bind_int64(st, 2, offset);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        status = sqlite_list_push(st, &arr, &count, &cap);
        if (status != STORE_OK) {
            goto cleanup;
        }
    }
    status = sqlite_status(ss, rc);
    if (status == STORE_OK) {
        status = sqlite_query_ints(ss, cst, &all, 1);
    }
    if (status == STORE_OK) {
        status = sqlite_exec(ss, "COMMIT");
    }
cleanup:
    sqlite_done(st);
    sqlite_rollback(ss);
    if (status != STORE_OK) {
        free(arr);
        return status;
    }
    *out = arr;
    *n = count;
    *total = all;
    return STORE_OK;
}

static store_status sqlite_user_update(struct store *s, int64_t id,
                                       const struct store_user_fields *f, struct store_user *out)
{
    struct sqlite_store *ss = sqlite_cast(s);
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_USER_UPDATE);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, f->username, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->email, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, f->active);
    sqlite3_bind_int(st, 5, f->admin);
    return sqlite_query_user(ss, st, out);
}

/* For statements keyed by one id whose "no row matched" means NOT_FOUND. */
static store_status sqlite_run_by_id(struct sqlite_store *ss, sqlite3_stmt *st)
{
    int changes = 0;
    store_status status = sqlite_run(ss, st, &changes);
    if (status == STORE_OK && changes == 0) {
        status = STORE_NOT_FOUND;
    }
    return status;
}

static store_status sqlite_user_set_password(struct store *s, int64_t id, const char *hash)
{
    struct sqlite_store *ss = sqlite_cast(s);
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_USER_SET_PASSWORD);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
    return sqlite_run_by_id(ss, st);
}

/* The refresh tokens go with the user through ON DELETE CASCADE, inside
 * this one statement. */
static store_status sqlite_user_delete(struct store *s, int64_t id)
{
    struct sqlite_store *ss = sqlite_cast(s);
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_USER_DELETE);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_int64(st, 1, id);
    return sqlite_run_by_id(ss, st);
}

static store_status sqlite_refresh_insert(struct store *s, const char *token_hash, int64_t user_id,
                                          int64_t family_id, int64_t expires_at, int64_t *id)
{
    struct sqlite_store *ss = sqlite_cast(s);
    sqlite3_stmt *ins = sqlite_stmt(ss, SQ_REFRESH_INSERT);
    sqlite3_stmt *fam = sqlite_stmt(ss, SQ_REFRESH_SET_FAMILY);
    if (!ins || !fam) {
        return STORE_ERROR;
    }
    /* A new family takes the new row's id, which exists only after the
     * INSERT: both statements in one write transaction. */
    store_status status = sqlite_exec(ss, "BEGIN IMMEDIATE");
    if (status != STORE_OK) {
        return status;
    }
    sqlite3_bind_text(ins, 1, token_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 2, user_id);
    sqlite3_bind_int64(ins, 3, family_id);
    sqlite3_bind_int64(ins, 4, expires_at);
    status = sqlite_run(ss, ins, NULL);
    if (status != STORE_OK) {
        goto cleanup;
    }
    int64_t new_id = sqlite3_last_insert_rowid(ss->db);
    if (family_id == 0) {
        sqlite3_bind_int64(fam, 1, new_id);
        status = sqlite_run(ss, fam, NULL);
    }
    if (status == STORE_OK) {
        status = sqlite_exec(ss, "COMMIT");
    }
    if (status == STORE_OK) {
        *id = new_id;
    }
cleanup:
    sqlite_rollback(ss);
    return status;
}

static store_status sqlite_refresh_get(struct store *s, const char *token_hash,
                                       struct store_refresh *out)
{
    struct sqlite_store *ss = sqlite_cast(s);
    int64_t v[6] = {0};
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_REFRESH_GET);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_STATIC);
    store_status status = sqlite_query_ints(ss, st, v, 6);
    if (status == STORE_OK) {
        *out = (struct store_refresh){.id = v[0],
                                      .user_id = v[1],
                                      .family_id = v[2],
                                      .expires_at = v[3],
                                      .used_at = v[4],
                                      .revoked = v[5] != 0};
    }
    return status;
}

/* Compare-and-set in the UPDATE's WHERE clause; when it matched nothing, a
 * second look tells a lost race (CONFLICT) from a missing row. */
static store_status sqlite_refresh_mark_used(struct store *s, int64_t id, int64_t now)
{
    struct sqlite_store *ss = sqlite_cast(s);
    int changes = 0;
    int64_t one;
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_REFRESH_MARK_USED);
    sqlite3_stmt *ex = sqlite_stmt(ss, SQ_REFRESH_EXISTS);
    if (!st || !ex) {
        return STORE_ERROR;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    store_status status = sqlite_run(ss, st, &changes);
    if (status != STORE_OK || changes > 0) {
        return status;
    }
    sqlite3_bind_int64(ex, 1, id);
    status = sqlite_query_ints(ss, ex, &one, 1);
    return status == STORE_OK ? STORE_CONFLICT : status;
}

static store_status sqlite_run_with_id(struct sqlite_store *ss, enum sqlite_stmt_id sid, int64_t id)
{
    sqlite3_stmt *st = sqlite_stmt(ss, sid);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_int64(st, 1, id);
    return sqlite_run(ss, st, NULL);
}

static store_status sqlite_refresh_revoke_family(struct store *s, int64_t family_id)
{
    return sqlite_run_with_id(sqlite_cast(s), SQ_REFRESH_REVOKE_FAMILY, family_id);
}

static store_status sqlite_refresh_revoke_user(struct store *s, int64_t user_id)
{
    return sqlite_run_with_id(sqlite_cast(s), SQ_REFRESH_REVOKE_USER, user_id);
}

static store_status sqlite_login_failure_add(struct store *s, const char *key, int64_t now)
{
    struct sqlite_store *ss = sqlite_cast(s);
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_LOGIN_ADD);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    return sqlite_run(ss, st, NULL);
}

static store_status sqlite_login_failure_count(struct store *s, const char *key, int64_t since,
                                               int64_t *count, int64_t *oldest)
{
    struct sqlite_store *ss = sqlite_cast(s);
    int64_t v[2] = {0};
    sqlite3_stmt *st = sqlite_stmt(ss, SQ_LOGIN_COUNT);
    if (!st) {
        return STORE_ERROR;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, since);
    store_status status = sqlite_query_ints(ss, st, v, 2);
    if (status == STORE_OK) {
        *count = v[0];
        *oldest = v[1];
    }
    return status;
}

static store_status sqlite_login_failure_prune(struct store *s, int64_t before)
{
    return sqlite_run_with_id(sqlite_cast(s), SQ_LOGIN_PRUNE, before);
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sqlite_close,
    .migrate = sqlite_migrate,
    .schema_version = sqlite_schema_version,
    .ping = sqlite_ping,
    .user_create = sqlite_user_create,
    .user_get = sqlite_user_get,
    .user_get_by_email = sqlite_user_get_by_email,
    .user_list = sqlite_user_list,
    .user_update = sqlite_user_update,
    .user_set_password = sqlite_user_set_password,
    .user_delete = sqlite_user_delete,
    .refresh_insert = sqlite_refresh_insert,
    .refresh_get = sqlite_refresh_get,
    .refresh_mark_used = sqlite_refresh_mark_used,
    .refresh_revoke_family = sqlite_refresh_revoke_family,
    .refresh_revoke_user = sqlite_refresh_revoke_user,
    .login_failure_add = sqlite_login_failure_add,
    .login_failure_count = sqlite_login_failure_count,
    .login_failure_prune = sqlite_login_failure_prune,
};

/* mkdir -p of the directory holding path (the default ./data/users.db must
 * work on a fresh checkout or an empty volume). */
static int sqlite_make_parent(const char *path)
{
    char *dir = strdup(path);
    int rc = -1;
    if (!dir) {
        return -1;
    }
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) {
        rc = 0; /* current directory or / */
        goto cleanup;
    }
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
                goto cleanup;
            }
            *p = '/';
        }
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(dir);
    return rc;
}

static const char sqlite_pragmas[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                                     "PRAGMA foreign_keys=ON;";

struct store *sqlite_store_open(const char *path, char *err, size_t errlen)
{
    struct sqlite_store *ss = calloc(1, sizeof *ss);
    if (!ss) {
        snprintf(err, errlen, "sqlite: out of memory");
        return NULL;
    }
    ss->base.ops = &sqlite_ops;
    if (sqlite_make_parent(path) != 0) {
        snprintf(err, errlen, "sqlite: cannot create the directory of %s: %s", path,
                 strerror(errno));
        goto fail;
    }
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &ss->db, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "sqlite: cannot open %s: %s", path,
                 ss->db ? sqlite3_errmsg(ss->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_extended_result_codes(ss->db, 1);
    /* before the pragmas: switching to WAL itself needs a lock */
    sqlite3_busy_timeout(ss->db, 5000);
    if (sqlite3_exec(ss->db, sqlite_pragmas, NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "sqlite: cannot set up %s: %s", path, sqlite3_errmsg(ss->db));
        goto fail;
    }
    return &ss->base;
fail:
    sqlite3_close(ss->db);
    free(ss);
    return NULL;
}
