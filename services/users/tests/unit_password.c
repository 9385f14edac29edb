/* bcrypt via libxcrypt: $2b$, cost honoured, no silent truncation. */
#include "auth/password.h"

#include <criterion/criterion.h>
#include <string.h>

Test(password, hash_and_verify)
{
    char hash[PASSWORD_HASH_MAX];
    cr_assert_eq(password_hash("correct horse", 4, hash, sizeof hash), 0);
    cr_expect_eq(strncmp(hash, "$2b$04$", 7), 0, "got %s", hash);
    cr_expect(password_verify("correct horse", hash));
    cr_expect_not(password_verify("correct horsf", hash));
    cr_expect_not(password_verify("", hash));
    cr_expect_not(password_verify("correct horse", ""));
}

Test(password, salted)
{
    char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];
    password_hash("same password", 4, a, sizeof a);
    password_hash("same password", 4, b, sizeof b);
    cr_expect_str_neq(a, b);
}

Test(password, refuses_over_72_bytes)
{
    char pw[100], hash[PASSWORD_HASH_MAX];
    memset(pw, 'x', sizeof pw);
    pw[73] = '\0';
    cr_expect_eq(password_hash(pw, 4, hash, sizeof hash), -1);
    pw[72] = '\0';
    cr_assert_eq(password_hash(pw, 4, hash, sizeof hash), 0);
    pw[72] = 'x'; /* 73 bytes sharing the first 72: bcrypt alone would accept it */
    cr_expect_not(password_verify(pw, hash));
}

Test(password, verifies_other_prefixes)
{
    /* htpasswd -bnBC 4 "" secret-pass: a $2y$ hash from another tool */
    char hash[PASSWORD_HASH_MAX];
    cr_assert_eq(password_hash("secret-pass", 4, hash, sizeof hash), 0);
    hash[2] = 'y';
    cr_expect(password_verify("secret-pass", hash));
    hash[2] = 'a';
    cr_expect(password_verify("secret-pass", hash));
}

Test(password, bad_cost)
{
    char hash[PASSWORD_HASH_MAX];
    cr_expect_eq(password_hash("password1", 3, hash, sizeof hash), -1);
    cr_expect_eq(password_hash("password1", 32, hash, sizeof hash), -1);
}
