/* store_open() picks a backend from the URL; every other store_* function
 * checks its arguments once here and forwards to the backend's vtable. */
#include "store/store_internal.h"

#include "embed.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char sqlite_prefix[] = "sqlite://";

static void store_set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen > 0) {
        snprintf(err, errlen, "%s", msg);
    }
}

bool store_copy_str(char *dst, size_t dstsize, const char *src)
{
    size_t len = strlen(src);
    if (len >= dstsize) {
        return false;
    }
    memcpy(dst, src, len + 1);
    return true;
}

static bool store_has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Replaces every occurrence of secret in msg (capacity cap) with "***". */
static void store_redact(char *msg, size_t cap, const char *secret, size_t slen)
{
    if (slen == 0 || !memmem(msg, strlen(msg), secret, slen)) {
        return;
    }
    char *copy = strdup(msg);
    if (!copy) {
        msg[0] = '\0'; /* better no message than one with the password */
        return;
    }
    size_t out = 0;
    const char *end = copy + strlen(copy);
    for (const char *p = copy; *p && out + 1 < cap;) {
        if ((size_t)(end - p) >= slen && memcmp(p, secret, slen) == 0) {
            out += (size_t)snprintf(msg + out, cap - out, "***");
            out = out < cap ? out : cap - 1;
            p += slen;
        } else {
            msg[out++] = *p++;
        }
    }
    msg[out] = '\0';
    free(copy);
}

static int store_hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Redacts both the raw and the percent-decoded form of a secret, because
 * libpq may echo either in its messages. */
static void store_redact_both(char *msg, size_t cap, const char *raw, size_t len)
{
    char decoded[256];
    size_t n = 0;
    store_redact(msg, cap, raw, len);
    for (size_t i = 0; i < len && n < sizeof decoded; i++) {
        int hi = i + 2 < len ? store_hexval(raw[i + 1]) : -1;
        int lo = i + 2 < len ? store_hexval(raw[i + 2]) : -1;
        if (raw[i] == '%' && hi >= 0 && lo >= 0) {
            decoded[n++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            decoded[n++] = raw[i];
        }
    }
    store_redact(msg, cap, decoded, n);
}

/* Error messages may quote the URL (libpq does for a malformed one): remove
 * the password of the user-info part and of a password= query parameter. */
static void store_redact_url(char *msg, size_t cap, const char *url)
{
    const char *auth = strstr(url, "://");
    if (!msg || cap == 0 || !auth) {
        return;
    }
    auth += 3;
    size_t authlen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < authlen; i++) {
        if (auth[i] == '@') {
            at = auth + i;
        }
    }
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon) {
        store_redact_both(msg, cap, colon + 1, (size_t)(at - colon - 1));
    }
    for (const char *q = strstr(url, "password="); q; q = strstr(q + 1, "password=")) {
        const char *v = q + strlen("password=");
        store_redact_both(msg, cap, v, strcspn(v, "&#"));
    }
}

/* Schemes we do not serve are named in the error only if they look like a
 * scheme, so arbitrary input is never echoed. */
static void store_unsupported_scheme(const char *url, const char *sep, char *err, size_t errlen)
{
    size_t len = (size_t)(sep - url);
    bool plain = len > 0 && len <= 16;
    for (size_t i = 0; plain && i < len; i++) {
        plain = isalnum((unsigned char)url[i]) || url[i] == '+' || url[i] == '-';
    }
    if (err && errlen > 0) {
        if (plain) {
            snprintf(err, errlen, "unsupported database URL scheme \"%.*s\"", (int)len, url);
        } else {
            snprintf(err, errlen, "unsupported database URL");
        }
    }
}

struct store *store_open(const char *url, char *err, size_t errlen)
{
    struct store *s = NULL;
    char scratch[1];
    if (!err || errlen == 0) {
        err = scratch; /* backends may then always write a (truncated) message */
        errlen = sizeof scratch;
    }
    store_set_err(err, errlen, "");
    if (!url || !*url) {
        store_set_err(err, errlen, "empty database URL");
        return NULL;
    }
    const char *sep = strstr(url, "://");
    if (store_has_prefix(url, "postgres://") || store_has_prefix(url, "postgresql://")) {
        s = pg_store_open(url, err, errlen);
    } else if (store_has_prefix(url, sqlite_prefix)) {
        if (!url[strlen(sqlite_prefix)]) {
            store_set_err(err, errlen, "sqlite: the database URL has no file path");
            return NULL;
        }
        s = sqlite_store_open(url + strlen(sqlite_prefix), err, errlen);
    } else if (sep) {
        store_unsupported_scheme(url, sep, err, errlen);
        return NULL;
    } else {
        s = sqlite_store_open(url, err, errlen);
    }
    if (!s) {
        store_redact_url(err, errlen, url);
    }
    return s;
}

void store_close(struct store *s)
{
    if (s) {
        s->ops->close(s);
    }
}

const char *store_backend(const struct store *s)
{
    return s ? s->ops->name : "";
}

int store_migration_next(const char *backend, size_t *pos, int *last_version,
                         struct store_migration *m)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "migrations/%s/", backend);
    for (; *pos < embed_count; (*pos)++) {
        const struct embed_file *f = &embed_files[*pos];
        if (!store_has_prefix(f->name, prefix)) {
            continue;
        }
        const char *base = f->name + strlen(prefix);
        char *end = NULL;
        long v = isdigit((unsigned char)base[0]) ? strtol(base, &end, 10) : 0;
        if (v <= 0 || v <= *last_version || v > 1000000 || *end != '_') {
            return -1;
        }
        *last_version = (int)v;
        m->version = (int)v;
        m->name = f->name;
        m->sql = (const char *)f->data;
        (*pos)++;
        return 1;
    }
    return 0;
}

store_status store_migrate(struct store *s)
{
    return s ? s->ops->migrate(s) : STORE_ERROR;
}

store_status store_schema_version(struct store *s, int *version)
{
    return s && version ? s->ops->schema_version(s, version) : STORE_ERROR;
}

store_status store_ping(struct store *s)
{
    return s ? s->ops->ping(s) : STORE_ERROR;
}

static bool store_str_ok(const char *str, size_t max)
{
    return str && strnlen(str, max + 1) <= max;
}

/* The struct store_user buffers bound what a row can hold; refusing longer
 * values here keeps every stored row readable back. */
static bool store_fields_ok(const struct store_user_fields *f, bool with_hash)
{
    return f && store_str_ok(f->username, STORE_USERNAME_MAX) &&
           store_str_ok(f->email, STORE_EMAIL_MAX) &&
           (!with_hash || store_str_ok(f->password_hash, STORE_HASH_MAX));
}

store_status store_user_create(struct store *s, const struct store_user_fields *f, int64_t now,
                               struct store_user *out)
{
    if (!s || !out || !store_fields_ok(f, true)) {
        return STORE_ERROR;
    }
    return s->ops->user_create(s, f, now, out);
}

store_status store_user_get(struct store *s, int64_t id, struct store_user *out)
{
    return s && out ? s->ops->user_get(s, id, out) : STORE_ERROR;
}

static store_status user_get_found(struct store *s, int64_t id, struct store_user *out, bool *found)
{
    store_status st = s->ops->user_get(s, id, out);
    *found = st == STORE_OK;
    return st == STORE_NOT_FOUND ? STORE_OK : st;
}

store_status store_user_get_pair(struct store *s, int64_t id_a, int64_t id_b, struct store_user *a,
                                 bool *found_a, struct store_user *b, bool *found_b)
{
    if (!a || !b || !found_a || !found_b) {
        return STORE_ERROR;
    }
    const int64_t ids[2] = {id_a, id_b};
    struct store_user out[2];
    bool found[2];
    store_status st = store_user_get_many(s, ids, 2, out, found);
    if (st != STORE_OK) {
        return st;
    }
    *found_a = found[0];
    *found_b = found[1];
    if (found[0]) {
        *a = out[0];
    }
    if (found[1]) {
        *b = out[1];
    }
    return STORE_OK;
}

store_status store_user_get_many(struct store *s, const int64_t *ids, size_t n,
                                 struct store_user *out, bool *found)
{
    if (!s || (n > 0 && (!ids || !out || !found)) || n > STORE_GET_MANY_MAX) {
        return STORE_ERROR;
    }
    if (s->ops->user_get_many) {
        return s->ops->user_get_many(s, ids, n, out, found);
    }
    store_status st = STORE_OK;
    for (size_t i = 0; i < n && st == STORE_OK; i++) {
        st = user_get_found(s, ids[i], &out[i], &found[i]);
    }
    return st;
}

store_status store_user_get_by_email(struct store *s, const char *email, struct store_user *out)
{
    if (!s || !out || !email) {
        return STORE_ERROR;
    }
    return s->ops->user_get_by_email(s, email, out);
}

store_status store_user_list(struct store *s, int64_t limit, int64_t offset,
                             struct store_user **out, size_t *n, int64_t *total)
{
    if (!s || !out || !n || !total || limit < 0 || offset < 0) {
        return STORE_ERROR;
    }
    return s->ops->user_list(s, limit, offset, out, n, total);
}

store_status store_user_update(struct store *s, int64_t id, const struct store_user_fields *f,
                               struct store_user *out)
{
    if (!s || !out || !store_fields_ok(f, false)) {
        return STORE_ERROR;
    }
    return s->ops->user_update(s, id, f, out);
}

store_status store_user_set_password(struct store *s, int64_t id, const char *password_hash)
{
    if (!s || !store_str_ok(password_hash, STORE_HASH_MAX)) {
        return STORE_ERROR;
    }
    return s->ops->user_set_password(s, id, password_hash);
}

store_status store_user_delete(struct store *s, int64_t id)
{
    return s ? s->ops->user_delete(s, id) : STORE_ERROR;
}

store_status store_refresh_insert(struct store *s, const char *token_hash, int64_t user_id,
                                  int64_t family_id, int64_t expires_at, int64_t *id)
{
    if (!s || !token_hash || !id || family_id < 0) {
        return STORE_ERROR;
    }
    return s->ops->refresh_insert(s, token_hash, user_id, family_id, expires_at, id);
}

store_status store_refresh_get(struct store *s, const char *token_hash, struct store_refresh *out)
{
    if (!s || !token_hash || !out) {
        return STORE_ERROR;
    }
    return s->ops->refresh_get(s, token_hash, out);
}

store_status store_refresh_mark_used(struct store *s, int64_t id, int64_t now)
{
    /* 0 means "unused" in struct store_refresh, so it cannot be a use time */
    return s && now > 0 ? s->ops->refresh_mark_used(s, id, now) : STORE_ERROR;
}

store_status store_refresh_revoke_family(struct store *s, int64_t family_id)
{
    return s ? s->ops->refresh_revoke_family(s, family_id) : STORE_ERROR;
}

store_status store_refresh_revoke_user(struct store *s, int64_t user_id)
{
    return s ? s->ops->refresh_revoke_user(s, user_id) : STORE_ERROR;
}

store_status store_login_failure_add(struct store *s, const char *key, int64_t now)
{
    return s && key ? s->ops->login_failure_add(s, key, now) : STORE_ERROR;
}

store_status store_login_failure_count(struct store *s, const char *key, int64_t since,
                                       int64_t *count, int64_t *oldest)
{
    if (!s || !key || !count || !oldest) {
        return STORE_ERROR;
    }
    return s->ops->login_failure_count(s, key, since, count, oldest);
}

store_status store_login_failure_prune(struct store *s, int64_t before)
{
    return s ? s->ops->login_failure_prune(s, before) : STORE_ERROR;
}
