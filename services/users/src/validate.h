/* The contract's field rules, shared by every handler that takes user fields. */
#ifndef VALIDATE_H
#define VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Each returns NULL when valid, else a short reason for the "errors" object. */
const char *validate_username(const char *username);
/* Trims and lower-cases into out (STORE_EMAIL_MAX + 1 bytes) before checking. */
const char *validate_email(const char *email, char *out, size_t outlen);
const char *validate_password(const char *password);

/* Reads body[field] as a string. Missing: NULL (and "is required" in errors when
 * required). Wrong type: NULL and "must be a string" in errors. */
const char *validate_string_field(json_t *body, const char *field, bool required, json_t *errors);
/* Reads an optional boolean; returns -1 when absent, 0/1 when present, and
 * records "must be a boolean" for a wrong type (returning -1). */
int validate_bool_field(json_t *body, const char *field, json_t *errors);

#endif
