/* The /auth endpoints: register, login, refresh, logout, status, password. */
#include "api/api.h"

#include "app.h"
#include "auth/password.h"
#include "auth/ratelimit.h"
#include "auth/tokens.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char INVALID_LOGIN[] = "Invalid email or password.";
static const char INVALID_TOKEN[] = "Invalid token. Please log in again.";
static const char EXPIRED_TOKEN[] = "Signature expired. Please log in again.";

static void reply_too_many(struct http_response *res, int64_t retry_after)
{
    char secs[24];
    snprintf(secs, sizeof secs, "%lld", (long long)retry_after);
    http_reply_error(res, 429, "Too many attempts. Please try again later.");
    http_set_header(res, "Retry-After", secs);
}

/* Issues an access token and a new refresh token in `family` (0: a new login). */
static void reply_token_pair(struct http_response *res, struct store *s, int64_t user_id,
                             int64_t family)
{
    const struct config *cfg = app_config();
    int64_t now = app_now();
    char refresh[TOKENS_REFRESH_LEN + 1];
    char hash[TOKENS_HASH_HEX_LEN + 1];
    int64_t id = 0;

    if (tokens_refresh_new(refresh) != 0) {
        http_reply_error(res, 500, "Internal server error.");
        return;
    }
    tokens_refresh_hash(refresh, hash);
    store_status st = store_refresh_insert(s, hash, user_id, family, now + cfg->refresh_ttl, &id);
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    char *access =
        tokens_access_issue(cfg->secret_key, cfg->secret_len, user_id, now, cfg->access_ttl);
    if (access == NULL) {
        http_reply_error(res, 500, "Internal server error.");
        return;
    }
    http_reply_json(res, 200,
                    json_pack("{s:s, s:s, s:s, s:I}", "access_token", access, "refresh_token",
                              refresh, "token_type", "Bearer", "expires_in",
                              (json_int_t)cfg->access_ttl));
    free(access);
    explicit_bzero(refresh, sizeof refresh);
}

void auth_register(const struct http_request *req, struct http_response *res)
{
    const struct config *cfg = app_config();
    struct store_user_fields f;
    char email[STORE_EMAIL_MAX + 1];
    if (!api_read_new_user(req, res, &f, email, sizeof email)) {
        return;
    }
    f.admin = false; /* nobody makes themself an admin */
    struct store *s = api_store(res);
    if (s == NULL) {
        return;
    }
    /* Each registration costs a bcrypt hash: the per-address limit also bounds them. */
    struct ratelimit_key key = {"reg", req->client_ip, cfg->rate_limit_ip};
    int64_t now = app_now(), retry = 0;
    store_status st = ratelimit_check(s, &key, 1, cfg->rate_limit_window, now, &retry);
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    if (retry > 0) {
        reply_too_many(res, retry);
        return;
    }
    ratelimit_record(s, &key, 1, cfg->rate_limit_window, now);
    struct store_user user;
    api_create_user(res, s, &f, json_string_value(json_object_get(req->body, "password")), &user);
}

/* Verifies the password of the account behind email, doing one bcrypt
 * whether or not the account exists, so timing does not tell them apart. */
static store_status check_credentials(struct store *s, const char *email, const char *password,
                                      struct store_user *user, bool *ok)
{
    store_status st = store_user_get_by_email(s, email, user);
    if (st == STORE_NOT_FOUND) {
        password_verify(password, app_dummy_hash());
        *ok = false;
        return STORE_OK;
    }
    if (st != STORE_OK) {
        return st;
    }
    *ok = password_verify(password, user->password_hash) && user->active;
    explicit_bzero(user->password_hash, sizeof user->password_hash);
    return STORE_OK;
}

void auth_login(const struct http_request *req, struct http_response *res)
{
    const struct config *cfg = app_config();
    json_t *errors = json_object();
    const char *email_in = validate_string_field(req->body, "email", true, errors);
    const char *password = validate_string_field(req->body, "password", true, errors);
    if (password != NULL && strlen(password) > PASSWORD_MAX) {
        json_object_set_new(errors, "password", json_string("must be 8 to 72 bytes"));
    }
    if (json_object_size(errors) > 0) {
        http_reply_validation(res, errors);
        return;
    }
    json_decref(errors);

    char email[STORE_EMAIL_MAX + 1];
    if (validate_email(email_in, email, sizeof email) != NULL) {
        /* Not an address anyone registered with: same answer as a wrong one. */
        snprintf(email, sizeof email, "%s", "invalid@invalid.invalid");
    }
    struct store *s = api_store(res);
    if (s == NULL) {
        return;
    }
    struct ratelimit_key keys[] = {
        {"ip", req->client_ip, cfg->rate_limit_ip},
        {"acct", email, cfg->rate_limit_account},
    };
    int64_t now = app_now(), retry = 0;
    store_status st = ratelimit_check(s, keys, 2, cfg->rate_limit_window, now, &retry);
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    if (retry > 0) {
        reply_too_many(res, retry);
        return;
    }
    struct store_user user;
    bool ok = false;
    st = check_credentials(s, email, password, &user, &ok);
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    if (!ok) {
        ratelimit_record(s, keys, 2, cfg->rate_limit_window, now);
        http_reply_unauthorized(res, INVALID_LOGIN);
        return;
    }
    reply_token_pair(res, s, user.id, 0);
}

/* Reads {"refresh_token": "..."}; replies 400 when absent or not a string. */
static const char *read_refresh_token(const struct http_request *req, struct http_response *res)
{
    json_t *errors = json_object();
    const char *token = validate_string_field(req->body, "refresh_token", true, errors);
    if (token == NULL) {
        http_reply_validation(res, errors);
        return NULL;
    }
    json_decref(errors);
    return token;
}

/* Looks the presented token up; replies 401/503 and returns false when it is unusable. */
static bool load_refresh(struct http_response *res, struct store *s, const char *token,
                         struct store_refresh *rt)
{
    if (!tokens_refresh_well_formed(token)) {
        http_reply_unauthorized(res, INVALID_TOKEN);
        return false;
    }
    char hash[TOKENS_HASH_HEX_LEN + 1];
    tokens_refresh_hash(token, hash);
    store_status st = store_refresh_get(s, hash, rt);
    if (st == STORE_NOT_FOUND || (st == STORE_OK && rt->revoked)) {
        http_reply_unauthorized(res, INVALID_TOKEN);
        return false;
    }
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return false;
    }
    return true;
}

/* A used token came back. Within the reuse interval it is two tabs racing:
 * give them a pair of the same login. Later, it is a stolen token: end the login. */
static void refresh_reused(struct http_response *res, struct store *s,
                           const struct store_refresh *rt, int64_t now)
{
    int64_t grace = app_config()->refresh_reuse_interval;
    if (grace > 0 && now - rt->used_at <= grace) {
        reply_token_pair(res, s, rt->user_id, rt->family_id);
        return;
    }
    store_status st = store_refresh_revoke_family(s, rt->family_id);
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    http_reply_unauthorized(res, INVALID_TOKEN);
}

void auth_refresh(const struct http_request *req, struct http_response *res)
{
    const char *token = read_refresh_token(req, res);
    if (token == NULL) {
        return;
    }
    struct store *s = api_store(res);
    struct store_refresh rt;
    if (s == NULL || !load_refresh(res, s, token, &rt)) {
        return;
    }
    int64_t now = app_now();
    if (rt.expires_at <= now) {
        http_reply_unauthorized(res, EXPIRED_TOKEN);
        return;
    }
    struct store_user user;
    store_status st = store_user_get(s, rt.user_id, &user);
    if (st == STORE_NOT_FOUND || (st == STORE_OK && !user.active)) {
        http_reply_unauthorized(res, INVALID_TOKEN);
        return;
    }
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    if (rt.used_at != 0) {
        refresh_reused(res, s, &rt, now);
        return;
    }
    st = store_refresh_mark_used(s, rt.id, now);
    if (st == STORE_CONFLICT) {
        /* Another request rotated (or a logout revoked) it a moment ago: look again. */
        if (!load_refresh(res, s, token, &rt)) {
            return;
        }
        refresh_reused(res, s, &rt, now);
        return;
    }
    if (st != STORE_OK) {
        api_store_failed(res, st == STORE_NOT_FOUND ? STORE_ERROR : st);
        return;
    }
    reply_token_pair(res, s, rt.user_id, rt.family_id);
}

void auth_logout(const struct http_request *req, struct http_response *res)
{
    const char *token = read_refresh_token(req, res);
    if (token == NULL) {
        return;
    }
    struct store *s = api_store(res);
    struct store_refresh rt;
    if (s == NULL || !load_refresh(res, s, token, &rt)) {
        return;
    }
    store_status st = store_refresh_revoke_family(s, rt.family_id);
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    http_reply_empty(res, 204);
}

void auth_status(const struct http_request *req, struct http_response *res)
{
    struct store *s = api_store(res);
    struct store_user caller;
    if (s == NULL || !api_authenticate(req, res, s, &caller)) {
        return;
    }
    http_reply_json(res, 200, api_user_json(&caller));
}

void auth_password(const struct http_request *req, struct http_response *res)
{
    struct store *s = api_store(res);
    struct store_user caller;
    if (s == NULL || !api_authenticate(req, res, s, &caller)) {
        return;
    }
    json_t *errors = json_object();
    const char *current = validate_string_field(req->body, "current_password", true, errors);
    const char *next = validate_string_field(req->body, "new_password", true, errors);
    const char *why = next != NULL ? validate_password(next) : NULL;
    if (why != NULL) {
        json_object_set_new(errors, "new_password", json_string(why));
    }
    if (json_object_size(errors) > 0) {
        http_reply_validation(res, errors);
        return;
    }
    json_decref(errors);

    struct store_user full;
    bool ok = false;
    store_status st = check_credentials(s, caller.email, current, &full, &ok);
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    if (!ok) {
        http_reply_unauthorized(res, "The current password is incorrect.");
        return;
    }
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(next, app_config()->bcrypt_cost, hash, sizeof hash) != 0) {
        http_reply_error(res, 500, "Internal server error.");
        return;
    }
    st = store_user_set_password(s, caller.id, hash);
    explicit_bzero(hash, sizeof hash);
    if (st == STORE_OK) {
        st = store_refresh_revoke_user(s, caller.id);
    }
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    http_reply_empty(res, 204);
}
