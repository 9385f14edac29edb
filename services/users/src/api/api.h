/* Handlers, one file per resource, and the helpers they share. */
#ifndef API_API_H
#define API_API_H

#include "http.h"
#include "store/store.h"

/* ops.c */
void ops_ping(const struct http_request *req, struct http_response *res);
void ops_health(const struct http_request *req, struct http_response *res);
void ops_metrics(const struct http_request *req, struct http_response *res);
void ops_doc(const struct http_request *req, struct http_response *res);
void ops_doc_asset(const struct http_request *req, struct http_response *res);
void ops_openapi(const struct http_request *req, struct http_response *res);

/* auth.c */
void auth_register(const struct http_request *req, struct http_response *res);
void auth_login(const struct http_request *req, struct http_response *res);
void auth_refresh(const struct http_request *req, struct http_response *res);
void auth_logout(const struct http_request *req, struct http_response *res);
void auth_status(const struct http_request *req, struct http_response *res);
void auth_password(const struct http_request *req, struct http_response *res);

/* users.c */
void users_list(const struct http_request *req, struct http_response *res);
void users_create(const struct http_request *req, struct http_response *res);
void users_get(const struct http_request *req, struct http_response *res);
void users_update(const struct http_request *req, struct http_response *res);
void users_delete(const struct http_request *req, struct http_response *res);

/* common.c */
/* For a ROUTE_PRELOAD request: verifies the bearer token and fills p's
 * ids (the caller, then the {id} target if another user).
 * False when there is nothing to read ahead: the handler then runs as usual
 * and answers the bad token itself. */
bool api_preload_plan(const struct http_request *req, struct preload *p);
/* This thread's store, or NULL after replying 503. */
struct store *api_store(struct http_response *res);
/* Replies 503/500 for a failed store call (and counts it). */
void api_store_failed(struct http_response *res, store_status st);
/* Checks the bearer token and loads the caller (who must exist and be active),
 * or takes both from req->preload. Returns false after replying 401/503. */
bool api_authenticate(const struct http_request *req, struct http_response *res, struct store *s,
                      struct store_user *caller);
/* The same, also loading the user named by the path's {id} in the same round
 * trip; *target_found says whether it exists. */
bool api_authenticate_for(const struct http_request *req, struct http_response *res,
                          struct store *s, struct store_user *caller, struct store_user *target,
                          bool *target_found);
json_t *api_user_json(const struct store_user *u);
/* Reads and validates the required username and email (normalised into
 * email_out), recording problems in errors. Returns the username (borrowed). */
const char *api_read_identity(json_t *body, json_t *errors, char *email_out, size_t email_len);
/* Reads and validates the new-user fields (username, email, password, optional admin).
 * Returns false after replying 400. email_out gets the normalised email. */
bool api_read_new_user(const struct http_request *req, struct http_response *res,
                       struct store_user_fields *f, char *email_out, size_t email_len);
/* 409 with the contract's message for a unique violation. */
void api_reply_conflict(struct http_response *res, store_status st);
/* Hashes the password and creates the user; replies 201 (or 409/503). */
bool api_create_user(struct http_response *res, struct store *s, struct store_user_fields *f,
                     const char *password, struct store_user *out);

#endif
