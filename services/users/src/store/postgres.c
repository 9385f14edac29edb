/* PostgreSQL backend: one libpq connection per struct store, named prepared
 * statements, and self-healing after the server restarts: a call that finds
 * the connection broken resets it (and re-prepares) before running. */
#include "store/store_internal.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Key of the advisory lock that serialises migrations across tasks; any
 * constant works as long as every version of the service uses the same one. */
#define PG_MIGRATION_LOCK "7571293804412001"

enum pg_stmt_id {
    PG_USER_INSERT,
    PG_USER_GET,
    PG_USER_GET_MANY,
    PG_USER_GET_BY_EMAIL,
    PG_USER_LIST,
    PG_USER_COUNT,
    PG_USER_UPDATE,
    PG_USER_SET_PASSWORD,
    PG_USER_DELETE,
    PG_REFRESH_INSERT,
    PG_REFRESH_GET,
    PG_REFRESH_MARK_USED,
    PG_REFRESH_EXISTS,
    PG_REFRESH_REVOKE_FAMILY,
    PG_REFRESH_REVOKE_USER,
    PG_LOGIN_ADD,
    PG_LOGIN_COUNT,
    PG_LOGIN_PRUNE,
    PG_MIGRATIONS_EXIST,
    PG_MIGRATION_VERSION,
    PG_MIGRATION_APPLIED,
    PG_MIGRATION_RECORD,
    PG_PING,
    PG_STMT_COUNT
};

#define USER_COLS "id, username, email, '', active, admin, created_at"

static const char *const pg_sql[PG_STMT_COUNT] = {
    [PG_USER_INSERT] = "INSERT INTO users (username, email, password_hash, active, admin, "
                       "created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING " USER_COLS,
    [PG_USER_GET] = "SELECT " USER_COLS " FROM users WHERE id = $1",
    [PG_USER_GET_MANY] = "SELECT " USER_COLS " FROM users WHERE id = ANY ($1::bigint[])",
    [PG_USER_GET_BY_EMAIL] = "SELECT id, username, email, password_hash, active, admin, "
                             "created_at FROM users WHERE email = $1",
    [PG_USER_LIST] = "SELECT " USER_COLS " FROM users ORDER BY id LIMIT $1 OFFSET $2",
    [PG_USER_COUNT] = "SELECT total FROM user_count WHERE id = 1",
    [PG_USER_UPDATE] = "UPDATE users SET username = $2, email = $3, active = $4, admin = $5 "
                       "WHERE id = $1 RETURNING " USER_COLS,
    [PG_USER_SET_PASSWORD] = "UPDATE users SET password_hash = $2 WHERE id = $1",
    [PG_USER_DELETE] = "DELETE FROM users WHERE id = $1",
    /* The id is drawn first so that a new family (family_id 0) can take it
     * as its family id in the same, single statement. */
    [PG_REFRESH_INSERT] =
        "WITH n AS (SELECT nextval(pg_get_serial_sequence('refresh_tokens', 'id')) AS id) "
        "INSERT INTO refresh_tokens (id, token_hash, user_id, family_id, expires_at, "
        "created_at) SELECT n.id, $1, $2, CASE WHEN $3::bigint = 0 THEN n.id ELSE $3 END, $4, "
        "extract(epoch FROM now())::bigint FROM n RETURNING id",
    [PG_REFRESH_GET] = "SELECT id, user_id, family_id, expires_at, coalesce(used_at, 0), "
                       "revoked::int FROM refresh_tokens WHERE token_hash = $1",
    [PG_REFRESH_MARK_USED] = "UPDATE refresh_tokens SET used_at = $2 "
                             "WHERE id = $1 AND used_at IS NULL AND NOT revoked",
    [PG_REFRESH_EXISTS] = "SELECT 1 FROM refresh_tokens WHERE id = $1",
    [PG_REFRESH_REVOKE_FAMILY] = "UPDATE refresh_tokens SET revoked = true "
                                 "WHERE family_id = $1 AND NOT revoked",
    [PG_REFRESH_REVOKE_USER] = "UPDATE refresh_tokens SET revoked = true "
                               "WHERE user_id = $1 AND NOT revoked",
    [PG_LOGIN_ADD] = "INSERT INTO login_failures (key, at) VALUES ($1, $2)",
    [PG_LOGIN_COUNT] = "SELECT count(*), coalesce(min(at), 0) FROM login_failures "
                       "WHERE key = $1 AND at > $2",
    [PG_LOGIN_PRUNE] = "DELETE FROM login_failures WHERE at <= $1",
    [PG_MIGRATIONS_EXIST] = "SELECT (to_regclass('schema_migrations') IS NOT NULL)::int",
    [PG_MIGRATION_VERSION] = "SELECT coalesce(max(version), 0) FROM schema_migrations",
    [PG_MIGRATION_APPLIED] = "SELECT 1 FROM schema_migrations WHERE version = $1",
    [PG_MIGRATION_RECORD] = "INSERT INTO schema_migrations (version, applied_at) "
                            "VALUES ($1, extract(epoch FROM now())::bigint)",
    [PG_PING] = "SELECT 1",
};

struct pg_store {
    struct store base; /* first: store.c sees only this */
    PGconn *conn;
    bool prepared[PG_STMT_COUNT]; /* per server session; cleared by a reset */
    bool in_txn;                  /* inside pg_begin()/pg_end(): never reset silently */
};

static struct pg_store *pg_cast(struct store *s)
{
    return (struct pg_store *)s;
}

/* Server notices ("relation already exists, skipping") would go to stderr
 * and break the one-JSON-object-per-line log. */
static void pg_notice_ignore(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static bool pg_conn_lost(const PGconn *conn, const char *sqlstate)
{
    if (PQstatus(conn) != CONNECTION_OK) {
        return true;
    }
    /* class 08: connection exception; 57P01-03: server shutting down or starting up */
    return sqlstate && (strncmp(sqlstate, "08", 2) == 0 || strncmp(sqlstate, "57P0", 4) == 0);
}

static store_status pg_unique_status(const PGresult *res)
{
    const char *name = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
    if (name && strcmp(name, "users_email_key") == 0) {
        return STORE_CONFLICT_EMAIL;
    }
    if (name && strcmp(name, "users_username_lower_key") == 0) {
        return STORE_CONFLICT_USERNAME;
    }
    return STORE_CONFLICT;
}

/* Maps a result to a status; STORE_OK for a command or rows. */
static store_status pg_result_status(struct pg_store *ps, const PGresult *res)
{
    ExecStatusType est = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (est == PGRES_COMMAND_OK || est == PGRES_TUPLES_OK) {
        return STORE_OK;
    }
    const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (pg_conn_lost(ps->conn, sqlstate)) {
        return STORE_UNAVAILABLE;
    }
    if (sqlstate && strcmp(sqlstate, "23505") == 0) {
        return pg_unique_status(res);
    }
    if (sqlstate && strcmp(sqlstate, "23503") == 0) {
        return STORE_NOT_FOUND; /* e.g. a token for a user deleted meanwhile */
    }
    return STORE_ERROR;
}

/* True if the connection still looks alive. A server that shut down while
 * we were idle sent a FATAL message and then closed the socket: the first
 * PQconsumeInput reads the message, the second sees the end of file. */
static bool pg_alive(PGconn *conn)
{
    for (int i = 0; i < 2; i++) {
        if (PQstatus(conn) != CONNECTION_OK || !PQconsumeInput(conn)) {
            return false;
        }
    }
    return PQstatus(conn) == CONNECTION_OK;
}

/* Makes sure the connection is usable, resetting it (and forgetting the
 * prepared statements of the old session) if the server went away since the
 * last call, so the first call after a restart already succeeds. */
static store_status pg_ready(struct pg_store *ps)
{
    if (pg_alive(ps->conn)) {
        return STORE_OK;
    }
    if (ps->in_txn) {
        return STORE_UNAVAILABLE; /* the rest of a lost transaction must not run outside it */
    }
    PQreset(ps->conn);
    memset(ps->prepared, 0, sizeof ps->prepared);
    return PQstatus(ps->conn) == CONNECTION_OK ? STORE_OK : STORE_UNAVAILABLE;
}

/* Statements are prepared on first use in each server session: right after
 * connecting, before store_migrate(), the tables they name may not exist. */
static store_status pg_prepare(struct pg_store *ps, enum pg_stmt_id id)
{
    char name[16];
    if (ps->prepared[id]) {
        return STORE_OK;
    }
    snprintf(name, sizeof name, "s%d", (int)id);
    PGresult *res = PQprepare(ps->conn, name, pg_sql[id], 0, NULL);
    store_status status = pg_result_status(ps, res);
    PQclear(res);
    ps->prepared[id] = status == STORE_OK;
    return status;
}

/* Runs prepared statement id with text parameters; on STORE_OK the caller
 * owns *out (which may be NULL to discard it). */
static store_status pg_run(struct pg_store *ps, enum pg_stmt_id id, int nparams,
                           const char *const *params, PGresult **out)
{
    char name[16];
    store_status status = pg_ready(ps);
    if (status == STORE_OK) {
        status = pg_prepare(ps, id);
    }
    if (status != STORE_OK) {
        return status;
    }
    snprintf(name, sizeof name, "s%d", (int)id);
    PGresult *res = PQexecPrepared(ps->conn, name, nparams, params, NULL, NULL, 0);
    status = pg_result_status(ps, res);
    if (status != STORE_OK || !out) {
        PQclear(res);
        return status;
    }
    *out = res;
    return STORE_OK;
}

/* Fixed SQL without parameters (transaction control, migration files). */
static store_status pg_exec(struct pg_store *ps, const char *sql)
{
    PGresult *res = PQexec(ps->conn, sql);
    store_status status = pg_result_status(ps, res);
    PQclear(res);
    return status;
}

static store_status pg_begin(struct pg_store *ps, const char *sql)
{
    store_status status = pg_ready(ps);
    if (status == STORE_OK) {
        status = pg_exec(ps, sql);
    }
    ps->in_txn = status == STORE_OK;
    return status;
}

/* Commits if everything went well, else rolls back what is left. */
static store_status pg_end(struct pg_store *ps, store_status status)
{
    if (status == STORE_OK && ps->in_txn) {
        status = pg_exec(ps, "COMMIT");
    }
    ps->in_txn = false;
    if (PQstatus(ps->conn) == CONNECTION_OK && PQtransactionStatus(ps->conn) != PQTRANS_IDLE) {
        PQclear(PQexec(ps->conn, "ROLLBACK"));
    }
    return status;
}

static int64_t pg_int(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static bool pg_bool(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col)[0] == 't';
}

/* Row in USER_COLS order (column 3 is the password hash, or ''). */
static store_status pg_read_user(const PGresult *res, int row, struct store_user *u)
{
    memset(u, 0, sizeof *u);
    u->id = pg_int(res, row, 0);
    if (!store_copy_str(u->username, sizeof u->username, PQgetvalue(res, row, 1)) ||
        !store_copy_str(u->email, sizeof u->email, PQgetvalue(res, row, 2)) ||
        !store_copy_str(u->password_hash, sizeof u->password_hash, PQgetvalue(res, row, 3))) {
        return STORE_ERROR;
    }
    u->active = pg_bool(res, row, 4);
    u->admin = pg_bool(res, row, 5);
    u->created_at = pg_int(res, row, 6);
    return STORE_OK;
}

/* Runs a statement returning at most one user row. */
static store_status pg_query_user(struct pg_store *ps, enum pg_stmt_id id, int nparams,
                                  const char *const *params, struct store_user *out)
{
    PGresult *res = NULL;
    struct store_user u;
    store_status status = pg_run(ps, id, nparams, params, &res);
    if (status != STORE_OK) {
        return status;
    }
    status = PQntuples(res) == 0 ? STORE_NOT_FOUND : pg_read_user(res, 0, &u);
    if (status == STORE_OK) {
        *out = u;
    }
    PQclear(res);
    return status;
}

/* Runs a statement returning one row of integers into v[0..n-1]. */
static store_status pg_query_ints(struct pg_store *ps, enum pg_stmt_id id, int nparams,
                                  const char *const *params, int64_t *v, int n)
{
    PGresult *res = NULL;
    store_status status = pg_run(ps, id, nparams, params, &res);
    if (status != STORE_OK) {
        return status;
    }
    if (PQntuples(res) == 0) {
        status = STORE_NOT_FOUND;
    } else if (PQnfields(res) < n) {
        status = STORE_ERROR;
    } else {
        for (int i = 0; i < n; i++) {
            v[i] = pg_int(res, 0, i);
        }
    }
    PQclear(res);
    return status;
}

/* Runs a statement whose "no row affected" means NOT_FOUND. */
static store_status pg_run_affecting(struct pg_store *ps, enum pg_stmt_id id, int nparams,
                                     const char *const *params)
{
    PGresult *res = NULL;
    store_status status = pg_run(ps, id, nparams, params, &res);
    if (status != STORE_OK) {
        return status;
    }
    if (strcmp(PQcmdTuples(res), "0") == 0) {
        status = STORE_NOT_FOUND;
    }
    PQclear(res);
    return status;
}

typedef char pg_num[24];

static const char *pg_fmt(pg_num buf, int64_t v)
{
    snprintf(buf, sizeof(pg_num), "%" PRId64, v);
    return buf;
}

static void pg_close(struct store *s)
{
    struct pg_store *ps = pg_cast(s);
    PQfinish(ps->conn);
    free(ps);
}

static store_status pg_ping(struct store *s)
{
    int64_t one = 0;
    return pg_query_ints(pg_cast(s), PG_PING, 0, NULL, &one, 1);
}

static store_status pg_schema_version(struct store *s, int *version)
{
    struct pg_store *ps = pg_cast(s);
    int64_t v = 0;
    store_status status = pg_query_ints(ps, PG_MIGRATIONS_EXIST, 0, NULL, &v, 1);
    if (status == STORE_OK && v > 0) {
        status = pg_query_ints(ps, PG_MIGRATION_VERSION, 0, NULL, &v, 1);
    }
    if (status == STORE_OK) {
        *version = (int)v;
    }
    return status;
}

/* Applies one migration unless already recorded. Caller holds the transaction. */
static store_status pg_apply(struct pg_store *ps, const struct store_migration *m)
{
    pg_num ver;
    const char *params[] = {pg_fmt(ver, m->version)};
    int64_t one = 0;
    store_status status = pg_query_ints(ps, PG_MIGRATION_APPLIED, 1, params, &one, 1);
    if (status != STORE_NOT_FOUND) {
        return status; /* STORE_OK: already applied */
    }
    status = pg_exec(ps, m->sql);
    if (status == STORE_OK) {
        status = pg_run(ps, PG_MIGRATION_RECORD, 1, params, NULL);
    }
    return status;
}

/* One transaction for the whole run, holding a transaction-scoped advisory
 * lock: concurrent tasks queue on the lock, then find the work done, and the
 * lock cannot outlive a crashed migrator. */
static store_status pg_migrate(struct store *s)
{
    struct pg_store *ps = pg_cast(s);
    struct store_migration m;
    size_t pos = 0;
    int last = 0, more;
    store_status status = pg_begin(ps, "BEGIN");
    if (status != STORE_OK) {
        return status;
    }
    status = pg_exec(ps, "SELECT pg_advisory_xact_lock(" PG_MIGRATION_LOCK ")");
    if (status == STORE_OK) {
        status = pg_exec(ps, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                             "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
    }
    while (status == STORE_OK && (more = store_migration_next("postgres", &pos, &last, &m)) != 0) {
        status = more < 0 ? STORE_ERROR : pg_apply(ps, &m);
    }
    return pg_end(ps, status);
}

static store_status pg_user_create(struct store *s, const struct store_user_fields *f, int64_t now,
                                   struct store_user *out)
{
    pg_num t;
    const char *params[] = {f->username,          f->email,
                            f->password_hash,     f->active ? "t" : "f",
                            f->admin ? "t" : "f", pg_fmt(t, now)};
    return pg_query_user(pg_cast(s), PG_USER_INSERT, 6, params, out);
}

static store_status pg_user_get(struct store *s, int64_t id, struct store_user *out)
{
    pg_num i;
    const char *params[] = {pg_fmt(i, id)};
    return pg_query_user(pg_cast(s), PG_USER_GET, 1, params, out);
}

/* One round trip for all of them: on the token-checked read paths the
 * database's per-query cost is most of a request's cost, so the caller and
 * the target of a request, and the lookups of many concurrent requests
 * (preload.c), share one query. */
static store_status pg_user_get_many(struct store *s, const int64_t *ids, size_t n,
                                     struct store_user *out, bool *found)
{
    char list[STORE_GET_MANY_MAX * 21 + 3] = "{";
    size_t len = 1;
    for (size_t i = 0; i < n; i++) {
        len +=
            (size_t)snprintf(list + len, sizeof list - len, "%s%" PRId64, i > 0 ? "," : "", ids[i]);
        found[i] = false;
    }
    snprintf(list + len, sizeof list - len, "}");
    const char *params[] = {list};
    PGresult *res = NULL;
    store_status status = pg_run(pg_cast(s), PG_USER_GET_MANY, 1, params, &res);
    if (status != STORE_OK) {
        return status;
    }
    for (int row = 0; row < PQntuples(res) && status == STORE_OK; row++) {
        struct store_user u;
        status = pg_read_user(res, row, &u);
        for (size_t i = 0; i < n && status == STORE_OK; i++) {
            if (ids[i] == u.id) {
                out[i] = u;
                found[i] = true;
            }
        }
    }
    PQclear(res);
    return status;
}

static store_status pg_user_get_by_email(struct store *s, const char *email, struct store_user *out)
{
    const char *params[] = {email};
    return pg_query_user(pg_cast(s), PG_USER_GET_BY_EMAIL, 1, params, out);
}

/* Copies the rows of a user query into a malloc'd array. */
static store_status pg_users_dup(const PGresult *res, struct store_user **out, size_t *n)
{
    size_t rows = (size_t)PQntuples(res);
    struct store_user *arr = rows ? calloc(rows, sizeof *arr) : NULL;
    store_status status = rows && !arr ? STORE_ERROR : STORE_OK;
    for (size_t i = 0; i < rows && status == STORE_OK; i++) {
        status = pg_read_user(res, (int)i, &arr[i]);
    }
    if (status != STORE_OK) {
        free(arr);
        return status;
    }
    *out = arr;
    *n = rows;
    return STORE_OK;
}

static store_status pg_user_list(struct store *s, int64_t limit, int64_t offset,
                                 struct store_user **out, size_t *n, int64_t *total)
{
    struct pg_store *ps = pg_cast(s);
    pg_num l, o;
    const char *params[] = {pg_fmt(l, limit), pg_fmt(o, offset)};
    PGresult *res = NULL;
    struct store_user *arr = NULL;
    size_t rows = 0;
    int64_t all = 0;
    /* REPEATABLE READ: the page and the total come from one snapshot */
    store_status status = pg_begin(ps, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    if (status == STORE_OK) {
        status = pg_run(ps, PG_USER_LIST, 2, params, &res);
    }
    if (status == STORE_OK) {
        status = pg_query_ints(ps, PG_USER_COUNT, 0, NULL, &all, 1);
    }
    status = pg_end(ps, status);
    if (status == STORE_OK) {
        status = pg_users_dup(res, &arr, &rows);
    }
    PQclear(res);
    if (status == STORE_OK) {
        *out = arr;
        *n = rows;
        *total = all;
    }
    return status;
}

static store_status pg_user_update(struct store *s, int64_t id, const struct store_user_fields *f,
                                   struct store_user *out)
{
    pg_num i;
    const char *params[] = {pg_fmt(i, id), f->username, f->email, f->active ? "t" : "f",
                            f->admin ? "t" : "f"};
    return pg_query_user(pg_cast(s), PG_USER_UPDATE, 5, params, out);
}

static store_status pg_user_set_password(struct store *s, int64_t id, const char *hash)
{
    pg_num i;
    const char *params[] = {pg_fmt(i, id), hash};
    return pg_run_affecting(pg_cast(s), PG_USER_SET_PASSWORD, 2, params);
}

/* The refresh tokens go with the user through ON DELETE CASCADE, inside
 * this one statement. */
static store_status pg_user_delete(struct store *s, int64_t id)
{
    pg_num i;
    const char *params[] = {pg_fmt(i, id)};
    return pg_run_affecting(pg_cast(s), PG_USER_DELETE, 1, params);
}

static store_status pg_refresh_insert(struct store *s, const char *token_hash, int64_t user_id,
                                      int64_t family_id, int64_t expires_at, int64_t *id)
{
    pg_num u, f, e;
    const char *params[] = {token_hash, pg_fmt(u, user_id), pg_fmt(f, family_id),
                            pg_fmt(e, expires_at)};
    int64_t v = 0;
    store_status status = pg_query_ints(pg_cast(s), PG_REFRESH_INSERT, 4, params, &v, 1);
    if (status == STORE_OK) {
        *id = v;
    }
    return status;
}

static store_status pg_refresh_get(struct store *s, const char *token_hash,
                                   struct store_refresh *out)
{
    const char *params[] = {token_hash};
    int64_t v[6] = {0};
    store_status status = pg_query_ints(pg_cast(s), PG_REFRESH_GET, 1, params, v, 6);
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
static store_status pg_refresh_mark_used(struct store *s, int64_t id, int64_t now)
{
    struct pg_store *ps = pg_cast(s);
    pg_num i, t;
    const char *params[] = {pg_fmt(i, id), pg_fmt(t, now)};
    int64_t one = 0;
    store_status status = pg_run_affecting(ps, PG_REFRESH_MARK_USED, 2, params);
    if (status != STORE_NOT_FOUND) {
        return status;
    }
    status = pg_query_ints(ps, PG_REFRESH_EXISTS, 1, params, &one, 1);
    return status == STORE_OK ? STORE_CONFLICT : status;
}

static store_status pg_run_with_id(struct store *s, enum pg_stmt_id id, int64_t v)
{
    pg_num buf;
    const char *params[] = {pg_fmt(buf, v)};
    return pg_run(pg_cast(s), id, 1, params, NULL);
}

static store_status pg_refresh_revoke_family(struct store *s, int64_t family_id)
{
    return pg_run_with_id(s, PG_REFRESH_REVOKE_FAMILY, family_id);
}

static store_status pg_refresh_revoke_user(struct store *s, int64_t user_id)
{
    return pg_run_with_id(s, PG_REFRESH_REVOKE_USER, user_id);
}

static store_status pg_login_failure_add(struct store *s, const char *key, int64_t now)
{
    pg_num t;
    const char *params[] = {key, pg_fmt(t, now)};
    return pg_run(pg_cast(s), PG_LOGIN_ADD, 2, params, NULL);
}

static store_status pg_login_failure_count(struct store *s, const char *key, int64_t since,
                                           int64_t *count, int64_t *oldest)
{
    pg_num t;
    const char *params[] = {key, pg_fmt(t, since)};
    int64_t v[2] = {0};
    store_status status = pg_query_ints(pg_cast(s), PG_LOGIN_COUNT, 2, params, v, 2);
    if (status == STORE_OK) {
        *count = v[0];
        *oldest = v[1];
    }
    return status;
}

static store_status pg_login_failure_prune(struct store *s, int64_t before)
{
    return pg_run_with_id(s, PG_LOGIN_PRUNE, before);
}

static const struct store_ops pg_ops = {
    .name = "postgres",
    .close = pg_close,
    .migrate = pg_migrate,
    .schema_version = pg_schema_version,
    .ping = pg_ping,
    .user_create = pg_user_create,
    .user_get = pg_user_get,
    .user_get_many = pg_user_get_many,
    .user_get_by_email = pg_user_get_by_email,
    .user_list = pg_user_list,
    .user_update = pg_user_update,
    .user_set_password = pg_user_set_password,
    .user_delete = pg_user_delete,
    .refresh_insert = pg_refresh_insert,
    .refresh_get = pg_refresh_get,
    .refresh_mark_used = pg_refresh_mark_used,
    .refresh_revoke_family = pg_refresh_revoke_family,
    .refresh_revoke_user = pg_refresh_revoke_user,
    .login_failure_add = pg_login_failure_add,
    .login_failure_count = pg_login_failure_count,
    .login_failure_prune = pg_login_failure_prune,
};

/* libpq's message is multi-line ("...failed: Connection refused\n\tIs the
 * server running..."); logs want one line. */
static void pg_one_line(char *err, size_t errlen, const char *msg)
{
    size_t n = (size_t)snprintf(err, errlen, "postgres: ");
    n = n < errlen ? n : errlen - 1; /* errlen >= 1: store_open guarantees it */
    for (const char *p = msg; *p && n + 1 < errlen; p++) {
        bool space = *p == '\n' || *p == '\t' || *p == '\r' || *p == ' ';
        if (space && (n == 0 || err[n - 1] == ' ')) {
            continue; /* collapse runs of white space */
        }
        err[n++] = space ? ' ' : *p;
    }
    while (n > 0 && err[n - 1] == ' ') {
        n--;
    }
    err[n] = '\0';
}

struct store *pg_store_open(const char *url, char *err, size_t errlen)
{
    /* Defaults first: with expand_dbname the URL's own settings, later in
     * the arrays, override them. The timeouts keep a dead server or network
     * from blocking a worker thread indefinitely. */
    static const char *const keys[] = {
        "connect_timeout",  "keepalives_idle",  "keepalives_interval",
        "keepalives_count", "tcp_user_timeout", "options",
        "application_name", "dbname",           NULL};
    /* statement_timeout: a stuck lock or a stopped server answers 503 in
     * bounded time instead of holding a request thread forever. */
    const char *values[] = {"5",         "30", "10", "3", "15000", "-c statement_timeout=15000",
                            "users-api", url,  NULL};
    struct pg_store *ps = calloc(1, sizeof *ps);
    if (!ps) {
        snprintf(err, errlen, "postgres: out of memory");
        return NULL;
    }
    ps->base.ops = &pg_ops;
    ps->conn = PQconnectdbParams(keys, values, 1);
    if (!ps->conn) {
        snprintf(err, errlen, "postgres: out of memory");
        goto fail;
    }
    if (PQstatus(ps->conn) != CONNECTION_OK) {
        pg_one_line(err, errlen, PQerrorMessage(ps->conn));
        goto fail;
    }
    PQsetNoticeProcessor(ps->conn, pg_notice_ignore, NULL);
    return &ps->base;
fail:
    PQfinish(ps->conn);
    free(ps);
    return NULL;
}
