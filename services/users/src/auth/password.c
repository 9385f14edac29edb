#include "auth/password.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

int password_hash(const char *password, int cost, char *out, size_t outlen)
{
    int rc = -1;
    struct crypt_data *data = NULL;
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];

    if (strlen(password) > PASSWORD_MAX) {
        return -1;
    }
    if (crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, salt, sizeof salt) == NULL) {
        return -1;
    }
    /* struct crypt_data is 32 KiB: never on a worker's stack. */
    data = calloc(1, sizeof *data);
    if (data == NULL) {
        goto cleanup;
    }
    const char *hash = crypt_rn(password, salt, data, sizeof *data);
    if (hash == NULL || hash[0] == '*' || strlen(hash) >= outlen) {
        goto cleanup;
    }
    strcpy(out, hash);
    rc = 0;

cleanup:
    if (data != NULL) {
        explicit_bzero(data, sizeof *data);
        free(data);
    }
    return rc;
}

bool password_verify(const char *password, const char *hash)
{
    bool ok = false;
    struct crypt_data *data = NULL;

    if (strlen(password) > PASSWORD_MAX || hash == NULL || hash[0] == '\0') {
        return false;
    }
    data = calloc(1, sizeof *data);
    if (data == NULL) {
        return false;
    }
    const char *computed = crypt_rn(password, hash, data, sizeof *data);
    if (computed != NULL && computed[0] != '*') {
        size_t len = strlen(hash);
        ok = strlen(computed) == len && CRYPTO_memcmp(computed, hash, len) == 0;
    }
    explicit_bzero(data, sizeof *data);
    free(data);
    return ok;
}
