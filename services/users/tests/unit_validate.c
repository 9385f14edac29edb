/* The contract's field rules. */
#include "validate.h"

#include "store/store.h"

#include <criterion/criterion.h>
#include <string.h>

Test(username, accepts_the_allowed_alphabet)
{
    cr_expect_null(validate_username("ada"));
    cr_expect_null(validate_username("Ada.Lovelace_1815-x"));
    char max[65];
    memset(max, 'a', 64);
    max[64] = '\0';
    cr_expect_null(validate_username(max));
}

Test(username, rejects_length_and_characters)
{
    cr_expect_not_null(validate_username("ab"));
    cr_expect_not_null(validate_username(""));
    char long_name[66];
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    cr_expect_not_null(validate_username(long_name));
    cr_expect_not_null(validate_username("ada lovelace"));
    cr_expect_not_null(validate_username("ada@home"));
    cr_expect_not_null(validate_username("\xc3\xa9mile"));
}

Test(email, trims_and_lowercases)
{
    char out[STORE_EMAIL_MAX + 1];
    cr_expect_null(validate_email("  Ada@Example.COM \t", out, sizeof out));
    cr_expect_str_eq(out, "ada@example.com");
}

Test(email, rejects_bad_shapes)
{
    char out[STORE_EMAIL_MAX + 1];
    const char *bad[] = {"",          "ada",         "@example.com", "ada@example",
                         "a@b@c.com", "ada@.com",    "ada@example.", "ada@exa..mple.com",
                         "a da@x.io", "ada@x\x01.io"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_not_null(validate_email(bad[i], out, sizeof out), "accepted \"%s\"", bad[i]);
    }
}

Test(email, enforces_254_bytes)
{
    char email[300], out[STORE_EMAIL_MAX + 1];
    memset(email, 'a', sizeof email);
    /* local part + "@example.com" (12 bytes) */
    email[254 - 12] = '\0';
    strcat(email, "@example.com");
    cr_assert_eq(strlen(email), 254);
    cr_expect_null(validate_email(email, out, sizeof out));
    memset(email, 'a', sizeof email);
    email[255 - 12] = '\0';
    strcat(email, "@example.com");
    cr_expect_not_null(validate_email(email, out, sizeof out));
}

Test(password, enforces_8_to_72_bytes)
{
    char pw[80];
    memset(pw, 'p', sizeof pw);
    pw[7] = '\0';
    cr_expect_not_null(validate_password(pw));
    pw[7] = 'p';
    pw[8] = '\0';
    cr_expect_null(validate_password(pw));
    memset(pw, 'p', sizeof pw);
    pw[72] = '\0';
    cr_expect_null(validate_password(pw));
    pw[72] = 'p';
    pw[73] = '\0';
    cr_expect_not_null(validate_password(pw), "73 bytes must be refused, not cut");
}

Test(fields, wrong_types_are_errors)
{
    json_t *body = json_pack("{s:i, s:s, s:s}", "username", 5, "admin", "yes", "email", "a@b.io");
    json_t *errors = json_object();
    cr_expect_null(validate_string_field(body, "username", true, errors));
    cr_expect_str_eq(validate_string_field(body, "email", true, errors), "a@b.io");
    cr_expect_null(validate_string_field(body, "password", true, errors));
    cr_expect_eq(validate_bool_field(body, "admin", errors), -1);
    cr_expect_eq(validate_bool_field(body, "active", errors), -1);
    cr_expect_str_eq(json_string_value(json_object_get(errors, "username")), "must be a string");
    cr_expect_str_eq(json_string_value(json_object_get(errors, "password")), "is required");
    cr_expect_str_eq(json_string_value(json_object_get(errors, "admin")), "must be a boolean");
    cr_expect_null(json_object_get(errors, "email"));
    cr_expect_null(json_object_get(errors, "active"));
    json_decref(body);
    json_decref(errors);
}
