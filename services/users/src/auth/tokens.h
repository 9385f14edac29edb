/* Access tokens: HS256 JWTs (sub, iat, exp, type=access).
 * Refresh tokens: 256-bit random secrets; the service stores only their SHA-256. */
#ifndef AUTH_TOKENS_H
#define AUTH_TOKENS_H

#include <stddef.h>
#include <stdint.h>

enum {
    TOKENS_REFRESH_LEN = 43,   /* base64url of 32 random bytes */
    TOKENS_HASH_HEX_LEN = 64,  /* hex SHA-256 */
    TOKENS_MAX_JWT_LEN = 4096, /* anything longer is not ours */
};

enum tokens_result { TOKENS_OK = 0, TOKENS_INVALID, TOKENS_EXPIRED };

/* Returns a malloc'd JWT (free with free()), or NULL. */
char *tokens_access_issue(const char *key, size_t keylen, int64_t user_id, int64_t now,
                          int64_t ttl);

/* Verifies signature (HS256 only), expiry and type; sets *user_id. */
enum tokens_result tokens_access_verify(const char *key, size_t keylen, const char *token,
                                        int64_t now, int64_t *user_id);

/* Fills out (TOKENS_REFRESH_LEN + 1 bytes) with a new random refresh token. */
int tokens_refresh_new(char out[TOKENS_REFRESH_LEN + 1]);

/* Hex SHA-256 of a refresh token, for storage and lookup. */
void tokens_refresh_hash(const char *token, char out[TOKENS_HASH_HEX_LEN + 1]);

/* Whether a presented refresh token has the shape of one of ours. */
int tokens_refresh_well_formed(const char *token);

#endif
