/* The one storage interface. Handlers and auth code talk to this header only;
 * sqlite.c and postgres.c implement it and pass the same tests.
 *
 * A `struct store` is one database connection. It is NOT thread-safe: each
 * thread uses its own (app.c keeps one per thread). Every function returns
 * a store_status; out-parameters are written only on STORE_OK. */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    STORE_OK = 0,
    STORE_NOT_FOUND,         /* no such row */
    STORE_CONFLICT_EMAIL,    /* unique violation on users.email */
    STORE_CONFLICT_USERNAME, /* unique violation on lower(users.username) */
    STORE_CONFLICT,          /* compare-and-set lost (e.g. refresh token already used) */
    STORE_UNAVAILABLE,       /* the database does not answer (connection lost); maps to 503 */
    STORE_ERROR,             /* anything else; maps to 500 */
} store_status;

enum {
    STORE_USERNAME_MAX = 64,
    STORE_EMAIL_MAX = 254,
    STORE_HASH_MAX = 128,
    STORE_GET_MANY_MAX = 128, /* ids in one store_user_get_many() call */
};

struct store_user {
    int64_t id;
    char username[STORE_USERNAME_MAX + 1];
    char email[STORE_EMAIL_MAX + 1];
    char password_hash[STORE_HASH_MAX + 1]; /* filled only by store_user_get_by_email() */
    bool active;
    bool admin;
    int64_t created_at; /* unix seconds, UTC */
};

/* Fields for create/update. Strings are borrowed. */
struct store_user_fields {
    const char *username;      /* already validated */
    const char *email;         /* already trimmed and lower-cased */
    const char *password_hash; /* create only */
    bool active;
    bool admin;
};

struct store_refresh {
    int64_t id;
    int64_t user_id;
    int64_t family_id;  /* the id of the first token of the login; shared by all rotations */
    int64_t expires_at; /* unix seconds */
    int64_t used_at;    /* 0 while unused; set when it was rotated */
    bool revoked;
};

struct store;

/* Opens a connection. url: "sqlite://<path>", a plain file path, or
 * "postgres://..."/"postgresql://...". On failure returns NULL and writes a
 * one-line reason (never containing the password) to err. */
struct store *store_open(const char *url, char *err, size_t errlen);
void store_close(struct store *s);

/* "sqlite" or "postgres" */
const char *store_backend(const struct store *s);

/* Applies pending migrations in order, under a lock that makes concurrent
 * callers (several tasks starting at once) safe. Never drops data. */
store_status store_migrate(struct store *s);
/* Highest applied migration version, for `users-api version` / logs. */
store_status store_schema_version(struct store *s, int *version);

/* Cheap round trip for /health; reconnects if the connection was lost. */
store_status store_ping(struct store *s);

/* ---- users ---- */
store_status store_user_create(struct store *s, const struct store_user_fields *f, int64_t now,
                               struct store_user *out);
store_status store_user_get(struct store *s, int64_t id, struct store_user *out);
/* Two users in one round trip (a request's caller and its target). Each of
 * found_a/found_b says whether that id exists; STORE_OK even when neither does. */
store_status store_user_get_pair(struct store *s, int64_t id_a, int64_t id_b, struct store_user *a,
                                 bool *found_a, struct store_user *b, bool *found_b);
/* Users by id, in one round trip: for each i < n (n <= STORE_GET_MANY_MAX),
 * found[i] says whether ids[i] exists and out[i] is that user. Ids may repeat.
 * STORE_OK even when none exists. */
store_status store_user_get_many(struct store *s, const int64_t *ids, size_t n,
                                 struct store_user *out, bool *found);
store_status store_user_get_by_email(struct store *s, const char *email, struct store_user *out);
/* Ordered by id. *out is malloc'd (caller frees), *n rows; *total is the count of all users. */
store_status store_user_list(struct store *s, int64_t limit, int64_t offset,
                             struct store_user **out, size_t *n, int64_t *total);
/* Sets username, email, active, admin (password_hash ignored). */
store_status store_user_update(struct store *s, int64_t id, const struct store_user_fields *f,
                               struct store_user *out);
store_status store_user_set_password(struct store *s, int64_t id, const char *password_hash);
/* Deletes the user and, in the same transaction, its refresh tokens. */
store_status store_user_delete(struct store *s, int64_t id);

/* ---- refresh tokens (only a hash of the secret is ever stored) ---- */
/* family_id 0: the new token starts a family (its own id becomes the family id). */
store_status store_refresh_insert(struct store *s, const char *token_hash, int64_t user_id,
                                  int64_t family_id, int64_t expires_at, int64_t *id);
store_status store_refresh_get(struct store *s, const char *token_hash, struct store_refresh *out);
/* Compare-and-set: marks it used at `now` only if it is unused and not
 * revoked. STORE_CONFLICT when someone else got there first. */
store_status store_refresh_mark_used(struct store *s, int64_t id, int64_t now);
store_status store_refresh_revoke_family(struct store *s, int64_t family_id);
store_status store_refresh_revoke_user(struct store *s, int64_t user_id);

/* ---- failed-login counters, shared by every task on the database ---- */
store_status store_login_failure_add(struct store *s, const char *key, int64_t now);
/* Failures for key with at > since: *count, and the oldest such time in *oldest (0 if none). */
store_status store_login_failure_count(struct store *s, const char *key, int64_t since,
                                       int64_t *count, int64_t *oldest);
/* Deletes failures with at <= before (housekeeping). */
store_status store_login_failure_prune(struct store *s, int64_t before);

#endif
