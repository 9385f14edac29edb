/* Private to src/store/: the backend vtable that store.c dispatches through,
 * and the helpers both backends share. Nothing outside src/store/ includes it. */
#ifndef STORE_STORE_INTERNAL_H
#define STORE_STORE_INTERNAL_H

#include "store/store.h"

struct store_ops {
    const char *name;
    void (*close)(struct store *s);
    store_status (*migrate)(struct store *s);
    store_status (*schema_version)(struct store *s, int *version);
    store_status (*ping)(struct store *s);

    store_status (*user_create)(struct store *s, const struct store_user_fields *f, int64_t now,
                                struct store_user *out);
    store_status (*user_get)(struct store *s, int64_t id, struct store_user *out);
    /* optional: store.c falls back to one user_get per id (fine in-process) */
    store_status (*user_get_many)(struct store *s, const int64_t *ids, size_t n,
                                  struct store_user *out, bool *found);
    store_status (*user_get_by_email)(struct store *s, const char *email, struct store_user *out);
    store_status (*user_list)(struct store *s, int64_t limit, int64_t offset,
                              struct store_user **out, size_t *n, int64_t *total);
    store_status (*user_update)(struct store *s, int64_t id, const struct store_user_fields *f,
                                struct store_user *out);
    store_status (*user_set_password)(struct store *s, int64_t id, const char *password_hash);
    store_status (*user_delete)(struct store *s, int64_t id);

    store_status (*refresh_insert)(struct store *s, const char *token_hash, int64_t user_id,
                                   int64_t family_id, int64_t expires_at, int64_t *id);
    store_status (*refresh_get)(struct store *s, const char *token_hash, struct store_refresh *out);
    store_status (*refresh_mark_used)(struct store *s, int64_t id, int64_t now);
    store_status (*refresh_revoke_family)(struct store *s, int64_t family_id);
    store_status (*refresh_revoke_user)(struct store *s, int64_t user_id);

    store_status (*login_failure_add)(struct store *s, const char *key, int64_t now);
    store_status (*login_failure_count)(struct store *s, const char *key, int64_t since,
                                        int64_t *count, int64_t *oldest);
    store_status (*login_failure_prune)(struct store *s, int64_t before);
};

/* Every backend's connection struct starts with this, so store.c can reach
 * the vtable without knowing the backend. */
struct store {
    const struct store_ops *ops;
};

struct store *sqlite_store_open(const char *path, char *err, size_t errlen);
struct store *pg_store_open(const char *url, char *err, size_t errlen);

/* One embedded migration file of a backend, in application order. */
struct store_migration {
    int version;
    const char *name;
    const char *sql; /* NUL-terminated */
};

/* Iterates the embedded migrations of `backend` ("sqlite" or "postgres"):
 * start with *pos = 0; returns 1 and fills *m while there are more, 0 at the
 * end, -1 if a file name has no leading version number or the versions are
 * not strictly increasing (a packaging bug that must stop the migration). */
int store_migration_next(const char *backend, size_t *pos, int *last_version,
                         struct store_migration *m);

/* Copies src into dst (capacity dstsize including the NUL); false if it does
 * not fit, so a too-long database value is an error rather than a silently
 * cut hash or address. */
bool store_copy_str(char *dst, size_t dstsize, const char *src);

#endif
