#include "api/api.h"

#include "app.h"
#include "auth/password.h"
#include "auth/tokens.h"
#include "metrics.h"
#include "preload.h"
#include "validate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct store *api_store(struct http_response *res)
{
    struct store *s = app_store();
    if (s == NULL) {
        metrics_db_error();
        http_reply_error(res, 503, "The database is unavailable. Please try again later.");
    }
    return s;
}

void api_store_failed(struct http_response *res, store_status st)
{
    metrics_db_error();
    if (st == STORE_UNAVAILABLE) {
        http_reply_error(res, 503, "The database is unavailable. Please try again later.");
        return;
    }
    http_reply_error(res, 500, "Internal server error.");
}

/* Checks the bearer token alone; sets *user_id. Returns false after replying 401. */
static bool token_subject(const struct http_request *req, struct http_response *res,
                          int64_t *user_id)
{
    const struct config *cfg = app_config();
    const char *token = http_bearer_token(req);
    if (token == NULL) {
        http_reply_unauthorized(res, "Provide a valid auth token.");
        return false;
    }
    switch (tokens_access_verify(cfg->secret_key, cfg->secret_len, token, app_now(), user_id)) {
    case TOKENS_OK:
        return true;
    case TOKENS_EXPIRED:
        http_reply_unauthorized(res, "Signature expired. Please log in again.");
        return false;
    default:
        http_reply_unauthorized(res, "Invalid token. Please log in again.");
        return false;
    }
}

/* Deleted or deactivated users lose access at once: the caller is re-read on every request. */
static bool caller_usable(struct http_response *res, store_status st, bool found,
                          const struct store_user *caller)
{
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return false;
    }
    if (!found || !caller->active) {
        http_reply_unauthorized(res, "Invalid token. Please log in again.");
        return false;
    }
    return true;
}

bool api_preload_plan(const struct http_request *req, struct preload *p)
{
    const struct config *cfg = app_config();
    const char *token = http_bearer_token(req);
    int64_t caller = 0;
    if (token == NULL || tokens_access_verify(cfg->secret_key, cfg->secret_len, token, app_now(),
                                              &caller) != TOKENS_OK) {
        return false;
    }
    p->ids[0] = caller;
    p->nids = 1;
    if (req->id != 0 && req->id != caller) {
        p->ids[p->nids++] = req->id;
    }
    return true;
}

/* The caller, and the target when asked for, as the preloader read them. */
static bool preloaded(const struct preload *p, struct http_response *res, struct store_user *caller,
                      struct store_user *target, bool *target_found)
{
    if (!caller_usable(res, p->status, p->found[0], &p->users[0])) {
        return false;
    }
    *caller = p->users[0];
    if (target != NULL) {
        size_t t = p->nids > 1 ? 1 : 0; /* a self-read has one row */
        *target_found = p->found[t];
        if (*target_found) {
            *target = p->users[t];
        }
    }
    return true;
}

bool api_authenticate(const struct http_request *req, struct http_response *res, struct store *s,
                      struct store_user *caller)
{
    if (req->preload != NULL) {
        return preloaded(req->preload, res, caller, NULL, NULL);
    }
    int64_t user_id = 0;
    if (!token_subject(req, res, &user_id)) {
        return false;
    }
    store_status st = store_user_get(s, user_id, caller);
    bool found = st == STORE_OK;
    return caller_usable(res, st == STORE_NOT_FOUND ? STORE_OK : st, found, caller);
}

bool api_authenticate_for(const struct http_request *req, struct http_response *res,
                          struct store *s, struct store_user *caller, struct store_user *target,
                          bool *target_found)
{
    if (req->preload != NULL) {
        return preloaded(req->preload, res, caller, target, target_found);
    }
    int64_t user_id = 0;
    if (!token_subject(req, res, &user_id)) {
        return false;
    }
    bool found = false;
    store_status st;
    if (user_id == req->id) {
        st = store_user_get(s, user_id, caller);
        found = st == STORE_OK;
        st = st == STORE_NOT_FOUND ? STORE_OK : st;
        *target = *caller;
        *target_found = found;
    } else {
        st = store_user_get_pair(s, user_id, req->id, caller, &found, target, target_found);
    }
    return caller_usable(res, st, found, caller);
}

json_t *api_user_json(const struct store_user *u)
{
    char created[32];
    time_t t = (time_t)u->created_at;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_pack("{s:I, s:s, s:s, s:b, s:b, s:s}", "id", (json_int_t)u->id, "username",
                     u->username, "email", u->email, "active", u->active, "admin", u->admin,
                     "created_date", created);
}

const char *api_read_identity(json_t *body, json_t *errors, char *email_out, size_t email_len)
{
    const char *username = validate_string_field(body, "username", true, errors);
    const char *email = validate_string_field(body, "email", true, errors);
    const char *why = NULL;
    if (username != NULL && (why = validate_username(username)) != NULL) {
        json_object_set_new(errors, "username", json_string(why));
    }
    if (email != NULL && (why = validate_email(email, email_out, email_len)) != NULL) {
        json_object_set_new(errors, "email", json_string(why));
    }
    return username;
}

bool api_read_new_user(const struct http_request *req, struct http_response *res,
                       struct store_user_fields *f, char *email_out, size_t email_len)
{
    json_t *errors = json_object();
    const char *username = api_read_identity(req->body, errors, email_out, email_len);
    const char *password = validate_string_field(req->body, "password", true, errors);
    int admin = validate_bool_field(req->body, "admin", errors);
    const char *why = NULL;
    if (password != NULL && (why = validate_password(password)) != NULL) {
        json_object_set_new(errors, "password", json_string(why));
    }
    if (json_object_size(errors) > 0) {
        http_reply_validation(res, errors);
        return false;
    }
    json_decref(errors);
    f->username = username;
    f->email = email_out;
    f->password_hash = NULL;
    f->active = true;
    f->admin = admin == 1;
    return true;
}

void api_reply_conflict(struct http_response *res, store_status st)
{
    http_reply_error(res, 409,
                     st == STORE_CONFLICT_EMAIL ? "Sorry. That email already exists."
                                                : "Sorry. That username already exists.");
}

bool api_create_user(struct http_response *res, struct store *s, struct store_user_fields *f,
                     const char *password, struct store_user *out)
{
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(password, app_config()->bcrypt_cost, hash, sizeof hash) != 0) {
        http_reply_error(res, 500, "Internal server error.");
        return false;
    }
    f->password_hash = hash;
    store_status st = store_user_create(s, f, app_now(), out);
    f->password_hash = NULL;
    explicit_bzero(hash, sizeof hash);
    if (st == STORE_CONFLICT_EMAIL || st == STORE_CONFLICT_USERNAME) {
        api_reply_conflict(res, st);
        return false;
    }
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return false;
    }
    http_reply_json(res, 201, api_user_json(out));
    return true;
}
