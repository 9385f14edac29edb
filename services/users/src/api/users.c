/* /users and /users/<id>. Reading needs a login; changing needs admin or self. */
#include "api/api.h"

#include "app.h"
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

enum { USERS_LIMIT_DEFAULT = 100, USERS_LIMIT_MAX = 1000 };

static const char FORBIDDEN[] = "You do not have permission to do that.";

static void reply_missing(struct http_response *res, int64_t id)
{
    char msg[64];
    snprintf(msg, sizeof msg, "User %lld does not exist", (long long)id);
    http_reply_error(res, 404, msg);
}

/* A whole decimal in [min, max], or false. */
static bool parse_paging(const char *text, int64_t min, int64_t max, int64_t *out)
{
    if (text == NULL || text[0] < '0' || text[0] > '9') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

void users_list(const struct http_request *req, struct http_response *res)
{
    struct store *s = api_store(res);
    struct store_user caller;
    if (s == NULL || !api_authenticate(req, res, s, &caller)) {
        return;
    }
    int64_t limit = USERS_LIMIT_DEFAULT, offset = 0;
    const char *limit_text = http_query(req, "limit");
    const char *offset_text = http_query(req, "offset");
    json_t *errors = json_object();
    if (limit_text != NULL && !parse_paging(limit_text, 1, USERS_LIMIT_MAX, &limit)) {
        json_object_set_new(errors, "limit", json_string("must be an integer from 1 to 1000"));
    }
    if (offset_text != NULL && !parse_paging(offset_text, 0, INT64_MAX, &offset)) {
        json_object_set_new(errors, "offset", json_string("must be an integer of 0 or more"));
    }
    if (json_object_size(errors) > 0) {
        http_reply_validation(res, errors);
        return;
    }
    json_decref(errors);

    struct store_user *rows = NULL;
    size_t n = 0;
    int64_t total = 0;
    store_status st = store_user_list(s, limit, offset, &rows, &n, &total);
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(list, api_user_json(&rows[i]));
    }
    free(rows);
    char count[24];
    snprintf(count, sizeof count, "%lld", (long long)total);
    http_reply_json(res, 200, list);
    http_set_header(res, "X-Total-Count", count);
}

void users_create(const struct http_request *req, struct http_response *res)
{
    struct store *s = api_store(res);
    struct store_user caller;
    if (s == NULL || !api_authenticate(req, res, s, &caller)) {
        return;
    }
    if (!caller.admin) {
        http_reply_error(res, 403, FORBIDDEN);
        return;
    }
    struct store_user_fields f;
    char email[STORE_EMAIL_MAX + 1];
    if (!api_read_new_user(req, res, &f, email, sizeof email)) {
        return;
    }
    struct store_user user;
    const char *password = json_string_value(json_object_get(req->body, "password"));
    if (api_create_user(res, s, &f, password, &user)) {
        char location[48];
        snprintf(location, sizeof location, "/users/%lld", (long long)user.id);
        http_set_header(res, "Location", location);
    }
}

void users_get(const struct http_request *req, struct http_response *res)
{
    struct store *s = api_store(res);
    struct store_user caller, user;
    bool found = false;
    if (s == NULL || !api_authenticate_for(req, res, s, &caller, &user, &found)) {
        return;
    }
    if (!found) {
        reply_missing(res, req->id);
        return;
    }
    http_reply_json(res, 200, api_user_json(&user));
}

/* Reads {username, email[, active, admin]} over the current values in f. */
static bool read_update(const struct http_request *req, struct http_response *res,
                        struct store_user_fields *f, char *email_out, size_t email_len)
{
    json_t *errors = json_object();
    const char *username = api_read_identity(req->body, errors, email_out, email_len);
    int active = validate_bool_field(req->body, "active", errors);
    int admin = validate_bool_field(req->body, "admin", errors);
    if (json_object_size(errors) > 0) {
        http_reply_validation(res, errors);
        return false;
    }
    json_decref(errors);
    f->username = username;
    f->email = email_out;
    if (active >= 0) {
        f->active = active == 1;
    }
    if (admin >= 0) {
        f->admin = admin == 1;
    }
    return true;
}

/* Loads the caller and the user of the path, who must be the caller unless the
 * caller is an admin. Returns false after replying 401/403/404/503. */
static bool load_own_target(const struct http_request *req, struct http_response *res,
                            struct store *s, struct store_user *caller, struct store_user *target)
{
    bool found = false;
    if (!api_authenticate_for(req, res, s, caller, target, &found)) {
        return false;
    }
    if (!caller->admin && caller->id != req->id) {
        http_reply_error(res, 403, FORBIDDEN);
        return false;
    }
    if (!found) {
        reply_missing(res, req->id);
        return false;
    }
    return true;
}

void users_update(const struct http_request *req, struct http_response *res)
{
    struct store *s = api_store(res);
    struct store_user caller, user;
    if (s == NULL || !load_own_target(req, res, s, &caller, &user)) {
        return;
    }
    struct store_user_fields f = {.active = user.active, .admin = user.admin};
    char email[STORE_EMAIL_MAX + 1];
    if (!read_update(req, res, &f, email, sizeof email)) {
        return;
    }
    /* Sending back the same values is fine (clients PUT the whole object); changing them is not. */
    if (!caller.admin && (f.active != user.active || f.admin != user.admin)) {
        http_reply_error(res, 403, "Only an admin can change active or admin.");
        return;
    }
    store_status st = store_user_update(s, req->id, &f, &user);
    if (st == STORE_CONFLICT_EMAIL || st == STORE_CONFLICT_USERNAME) {
        api_reply_conflict(res, st);
        return;
    }
    if (st == STORE_NOT_FOUND) {
        reply_missing(res, req->id);
        return;
    }
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    http_reply_json(res, 200, api_user_json(&user));
}

void users_delete(const struct http_request *req, struct http_response *res)
{
    struct store *s = api_store(res);
    struct store_user caller, user;
    if (s == NULL || !load_own_target(req, res, s, &caller, &user)) {
        return;
    }
    store_status st = store_user_delete(s, req->id);
    if (st == STORE_NOT_FOUND) {
        reply_missing(res, req->id);
        return;
    }
    if (st != STORE_OK) {
        api_store_failed(res, st);
        return;
    }
    char msg[STORE_EMAIL_MAX + 32];
    snprintf(msg, sizeof msg, "%s was removed!", user.email);
    http_reply_error(res, 200, msg);
}
