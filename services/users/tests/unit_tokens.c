/* Access JWTs: only HS256 with our key, unexpired, of the access type. */
#include "auth/tokens.h"

#include <criterion/criterion.h>
#include <jwt.h>
#include <stdlib.h>
#include <string.h>

static const char KEY[] = "unit-test-secret-key-unit-test-secret-key";
#define KEYLEN (sizeof KEY - 1)

static char *forge(jwt_alg_t alg, const char *key, const char *type, long exp, const char *sub)
{
    jwt_t *jwt = NULL;
    cr_assert_eq(jwt_new(&jwt), 0);
    if (sub != NULL) {
        jwt_add_grant(jwt, "sub", sub);
    }
    if (type != NULL) {
        jwt_add_grant(jwt, "type", type);
    }
    if (exp != 0) {
        jwt_add_grant_int(jwt, "exp", exp);
    }
    jwt_set_alg(jwt, alg, (const unsigned char *)key, key != NULL ? (int)strlen(key) : 0);
    char *out = jwt_encode_str(jwt);
    jwt_free(jwt);
    return out;
}

Test(access, round_trip)
{
    char *t = tokens_access_issue(KEY, KEYLEN, 42, 1000, 900);
    cr_assert_not_null(t);
    int64_t uid = 0;
    cr_expect_eq(tokens_access_verify(KEY, KEYLEN, t, 1000, &uid), TOKENS_OK);
    cr_expect_eq(uid, 42);
    cr_expect_eq(tokens_access_verify(KEY, KEYLEN, t, 1899, &uid), TOKENS_OK);
    cr_expect_eq(tokens_access_verify(KEY, KEYLEN, t, 1900, &uid), TOKENS_EXPIRED);
    free(t);
}

Test(access, refuses_wrong_key_and_tampering)
{
    char *t = tokens_access_issue(KEY, KEYLEN, 7, 1000, 900);
    int64_t uid = 0;
    cr_expect_eq(tokens_access_verify("another-key-another-key-another-key", 35, t, 1000, &uid),
                 TOKENS_INVALID);
    cr_expect_eq(tokens_access_verify(KEY, 0, t, 1000, &uid), TOKENS_INVALID,
                 "an empty key must never skip the signature check");
    char *dot = strrchr(t, '.');
    dot[1] = dot[1] == 'A' ? 'B' : 'A';
    cr_expect_eq(tokens_access_verify(KEY, KEYLEN, t, 1000, &uid), TOKENS_INVALID);
    free(t);
}

Test(access, pins_hs256)
{
    int64_t uid = 0;
    char *t384 = forge(JWT_ALG_HS384, KEY, "access", 5000, "1");
    char *t512 = forge(JWT_ALG_HS512, KEY, "access", 5000, "1");
    char *none = forge(JWT_ALG_NONE, NULL, "access", 5000, "1");
    cr_expect_eq(tokens_access_verify(KEY, KEYLEN, t384, 1000, &uid), TOKENS_INVALID);
    cr_expect_eq(tokens_access_verify(KEY, KEYLEN, t512, 1000, &uid), TOKENS_INVALID);
    cr_expect_eq(tokens_access_verify(KEY, KEYLEN, none, 1000, &uid), TOKENS_INVALID);
    free(t384);
    free(t512);
    free(none);
}

Test(access, checks_claims)
{
    int64_t uid = 0;
    char *cases[] = {
        forge(JWT_ALG_HS256, KEY, "refresh", 5000, "1"),
        forge(JWT_ALG_HS256, KEY, NULL, 5000, "1"),
        forge(JWT_ALG_HS256, KEY, "access", 0, "1"),
        forge(JWT_ALG_HS256, KEY, "access", 5000, NULL),
        forge(JWT_ALG_HS256, KEY, "access", 5000, "0"),
        forge(JWT_ALG_HS256, KEY, "access", 5000, "1x"),
        forge(JWT_ALG_HS256, KEY, "access", 5000, "-3"),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cr_expect_eq(tokens_access_verify(KEY, KEYLEN, cases[i], 1000, &uid), TOKENS_INVALID,
                     "case %zu accepted", i);
        free(cases[i]);
    }
    char *good = forge(JWT_ALG_HS256, KEY, "access", 5000, "12");
    cr_expect_eq(tokens_access_verify(KEY, KEYLEN, good, 1000, &uid), TOKENS_OK);
    cr_expect_eq(uid, 12);
    free(good);
}

Test(access, refuses_garbage)
{
    int64_t uid = 0;
    const char *bad[] = {"", "abc", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.e30."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(tokens_access_verify(KEY, KEYLEN, bad[i], 1000, &uid), TOKENS_INVALID);
    }
    char *huge = malloc(TOKENS_MAX_JWT_LEN + 2);
    memset(huge, 'a', TOKENS_MAX_JWT_LEN + 1);
    huge[TOKENS_MAX_JWT_LEN + 1] = '\0';
    cr_expect_eq(tokens_access_verify(KEY, KEYLEN, huge, 1000, &uid), TOKENS_INVALID);
    free(huge);
}

Test(refresh, random_well_formed_and_hashed)
{
    char a[TOKENS_REFRESH_LEN + 1], b[TOKENS_REFRESH_LEN + 1];
    cr_assert_eq(tokens_refresh_new(a), 0);
    cr_assert_eq(tokens_refresh_new(b), 0);
    cr_expect_eq(strlen(a), TOKENS_REFRESH_LEN);
    cr_expect_str_neq(a, b);
    cr_expect(tokens_refresh_well_formed(a));
    cr_expect_not(tokens_refresh_well_formed("short"));
    cr_expect_not(tokens_refresh_well_formed("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"));
    char ha[TOKENS_HASH_HEX_LEN + 1], ha2[TOKENS_HASH_HEX_LEN + 1], hb[TOKENS_HASH_HEX_LEN + 1];
    tokens_refresh_hash(a, ha);
    tokens_refresh_hash(a, ha2);
    tokens_refresh_hash(b, hb);
    cr_expect_str_eq(ha, ha2);
    cr_expect_str_neq(ha, hb);
    cr_expect_eq(strlen(ha), 64);
    cr_expect_null(strstr(ha, a), "the stored hash must not contain the token");
}

Test(refresh, known_sha256)
{
    char h[TOKENS_HASH_HEX_LEN + 1];
    tokens_refresh_hash("abc", h);
    cr_expect_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
