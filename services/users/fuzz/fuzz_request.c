/* libFuzzer harness for everything that reads untrusted bytes before a
 * handler runs: routing of the path, the JSON body and the field rules, the
 * bearer token, and the static-file path check.
 * Input layout: METHOD '\n' PATH '\n' BODY. */
#include "auth/tokens.h"
#include "router.h"
#include "store/store.h"
#include "validate.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char KEY[] = "fuzz-secret-key-fuzz-secret-key-fuzz";

static void fuzz_fields(json_t *body)
{
    json_t *errors = json_object();
    char email[STORE_EMAIL_MAX + 1];
    const char *u = validate_string_field(body, "username", true, errors);
    const char *e = validate_string_field(body, "email", true, errors);
    const char *p = validate_string_field(body, "password", true, errors);
    if (u != NULL) {
        validate_username(u);
    }
    if (e != NULL) {
        validate_email(e, email, sizeof email);
    }
    if (p != NULL) {
        validate_password(p);
    }
    validate_bool_field(body, "admin", errors);
    const char *t = validate_string_field(body, "refresh_token", false, errors);
    if (t != NULL && tokens_refresh_well_formed(t)) {
        char hash[TOKENS_HASH_HEX_LEN + 1];
        tokens_refresh_hash(t, hash);
    }
    json_decref(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data, size);
    copy[size] = '\0';
    char *method = copy;
    char *path = strchr(method, '\n');
    char *body = NULL;
    if (path != NULL) {
        *path++ = '\0';
        body = strchr(path, '\n');
        if (body != NULL) {
            *body++ = '\0';
        }
    }
    if (path != NULL) {
        const struct route *r = NULL;
        int64_t id = 0;
        char allow[128];
        router_match(method, path, &r, &id, allow, sizeof allow);
        router_is_api_path(path);
        int64_t uid = 0;
        tokens_access_verify(KEY, sizeof KEY - 1, path, 1000, &uid);
    }
    if (body != NULL) {
        size_t len = size - (size_t)(body - copy);
        json_error_t err;
        json_t *j = json_loadb(body, len, 0, &err);
        if (json_is_object(j)) {
            fuzz_fields(j);
        }
        json_decref(j);
    }
    free(copy);
    return 0;
}
