#include "validate.h"

#include "auth/password.h"
#include "store/store.h"

#include <ctype.h>
#include <string.h>

const char *validate_username(const char *username)
{
    size_t len = strlen(username);
    if (len < 3 || len > STORE_USERNAME_MAX) {
        return "must be 3 to 64 characters";
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)username[i];
        if (!(isascii(c) && (isalnum(c) || c == '_' || c == '.' || c == '-'))) {
            return "may contain only letters, digits, '_', '.' and '-'";
        }
    }
    return NULL;
}

static const char *check_email_shape(const char *email, size_t len)
{
    if (len == 0) {
        return "must not be empty";
    }
    if (len > STORE_EMAIL_MAX) {
        return "must be at most 254 bytes";
    }
    const char *at = strchr(email, '@');
    if (at == NULL || strchr(at + 1, '@') != NULL) {
        return "must contain exactly one '@'";
    }
    if (at == email) {
        return "must have a name before the '@'";
    }
    const char *domain = at + 1;
    const char *dot = strchr(domain, '.');
    if (dot == NULL || domain[0] == '.' || email[len - 1] == '.' || strstr(domain, "..")) {
        return "must have a domain with a dot after the '@'";
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)email[i];
        if (c <= ' ' || c == 0x7F) {
            return "must not contain spaces or control characters";
        }
    }
    return NULL;
}

const char *validate_email(const char *email, char *out, size_t outlen)
{
    while (isspace((unsigned char)*email)) {
        email++;
    }
    size_t len = strlen(email);
    while (len > 0 && isspace((unsigned char)email[len - 1])) {
        len--;
    }
    if (len >= outlen) {
        return "must be at most 254 bytes";
    }
    for (size_t i = 0; i < len; i++) {
        out[i] = (char)tolower((unsigned char)email[i]);
    }
    out[len] = '\0';
    return check_email_shape(out, len);
}

const char *validate_password(const char *password)
{
    size_t len = strlen(password);
    if (len < PASSWORD_MIN || len > PASSWORD_MAX) {
        return "must be 8 to 72 bytes";
    }
    return NULL;
}

const char *validate_string_field(json_t *body, const char *field, bool required, json_t *errors)
{
    json_t *v = json_object_get(body, field);
    if (v == NULL || json_is_null(v)) {
        if (required) {
            json_object_set_new(errors, field, json_string("is required"));
        }
        return NULL;
    }
    if (!json_is_string(v)) {
        json_object_set_new(errors, field, json_string("must be a string"));
        return NULL;
    }
    return json_string_value(v);
}

int validate_bool_field(json_t *body, const char *field, json_t *errors)
{
    json_t *v = json_object_get(body, field);
    if (v == NULL || json_is_null(v)) {
        return -1;
    }
    if (!json_is_boolean(v)) {
        json_object_set_new(errors, field, json_string("must be a boolean"));
        return -1;
    }
    return json_is_true(v) ? 1 : 0;
}
