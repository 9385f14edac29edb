#include "auth/tokens.h"

#include <errno.h>
#include <jwt.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *tokens_access_issue(const char *key, size_t keylen, int64_t user_id, int64_t now, int64_t ttl)
{
    jwt_t *jwt = NULL;
    char *out = NULL;
    char sub[24];

    if (key == NULL || keylen == 0 || jwt_new(&jwt) != 0) {
        return NULL;
    }
    snprintf(sub, sizeof sub, "%lld", (long long)user_id);
    if (jwt_add_grant(jwt, "sub", sub) != 0 || jwt_add_grant_int(jwt, "iat", now) != 0 ||
        jwt_add_grant_int(jwt, "exp", now + ttl) != 0 ||
        jwt_add_grant(jwt, "type", "access") != 0 ||
        jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)key, (int)keylen) != 0) {
        goto cleanup;
    }
    out = jwt_encode_str(jwt);

cleanup:
    jwt_free(jwt);
    return out;
}

static int parse_sub(const char *sub, int64_t *user_id)
{
    if (sub == NULL || sub[0] < '1' || sub[0] > '9' || strlen(sub) > 19) {
        return -1;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(sub, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1) {
        return -1;
    }
    *user_id = v;
    return 0;
}

enum tokens_result tokens_access_verify(const char *key, size_t keylen, const char *token,
                                        int64_t now, int64_t *user_id)
{
    enum tokens_result result = TOKENS_INVALID;
    jwt_t *jwt = NULL;

    /* libjwt 1.10 skips the signature check entirely for an empty key. */
    if (key == NULL || keylen == 0 || token == NULL || strlen(token) > TOKENS_MAX_JWT_LEN) {
        return TOKENS_INVALID;
    }
    if (jwt_decode(&jwt, token, (const unsigned char *)key, (int)keylen) != 0 || jwt == NULL) {
        goto cleanup;
    }
    /* libjwt accepts any HS* algorithm with the same key: pin HS256 ourselves. */
    if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
        goto cleanup;
    }
    const char *type = jwt_get_grant(jwt, "type");
    if (type == NULL || strcmp(type, "access") != 0) {
        goto cleanup;
    }
    if (parse_sub(jwt_get_grant(jwt, "sub"), user_id) != 0) {
        goto cleanup;
    }
    /* libjwt never checks exp; a missing or non-integer exp is invalid. */
    errno = 0;
    long exp = jwt_get_grant_int(jwt, "exp");
    if (errno != 0 || exp <= 0) {
        goto cleanup;
    }
    result = exp > now ? TOKENS_OK : TOKENS_EXPIRED;

cleanup:
    jwt_free(jwt);
    return result;
}

int tokens_refresh_new(char out[TOKENS_REFRESH_LEN + 1])
{
    unsigned char raw[33]; /* 33 bytes = 44 chars; we keep 43 (256 random bits + 8 spare) */
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        return -1;
    }
    size_t o = 0;
    for (size_t i = 0; i < sizeof raw && o < TOKENS_REFRESH_LEN; i += 3) {
        unsigned v = (unsigned)raw[i] << 16 | (unsigned)raw[i + 1] << 8 | raw[i + 2];
        for (int k = 3; k >= 0 && o < TOKENS_REFRESH_LEN; k--) {
            out[o++] = b64url[(v >> (6 * k)) & 0x3F];
        }
    }
    out[TOKENS_REFRESH_LEN] = '\0';
    explicit_bzero(raw, sizeof raw);
    return 0;
}

void tokens_refresh_hash(const char *token, char out[TOKENS_HASH_HEX_LEN + 1])
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)token, strlen(token), digest);
    for (size_t i = 0; i < sizeof digest; i++) {
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
    }
}

int tokens_refresh_well_formed(const char *token)
{
    if (token == NULL || strlen(token) != TOKENS_REFRESH_LEN) {
        return 0;
    }
    return strspn(token, b64url) == TOKENS_REFRESH_LEN;
}
