/* bcrypt ($2b$) through libxcrypt. Slow on purpose: call only from worker threads. */
#ifndef AUTH_PASSWORD_H
#define AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

enum { PASSWORD_MIN = 8, PASSWORD_MAX = 72, PASSWORD_HASH_MAX = 128 };

/* Hashes password at cost (4..31) into out. Returns 0, or -1 on error
 * (including a password over PASSWORD_MAX bytes, which bcrypt would silently cut). */
int password_hash(const char *password, int cost, char *out, size_t outlen);

/* Constant-time check of password against a stored hash ($2a$/$2b$/$2y$).
 * Over-long passwords never match. */
bool password_verify(const char *password, const char *hash);

#endif
