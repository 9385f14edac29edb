#include "auth/ratelimit.h"

#include <stdatomic.h>
#include <stdio.h>

enum { RATELIMIT_KEY_MAX = 320, RATELIMIT_PRUNE_EVERY = 128 };

static void key_text(const struct ratelimit_key *k, char *out, size_t outlen)
{
    snprintf(out, outlen, "%s:%s", k->prefix, k->value);
}

store_status ratelimit_check(struct store *s, const struct ratelimit_key *keys, size_t nkeys,
                             int64_t window, int64_t now, int64_t *retry_after)
{
    *retry_after = 0;
    for (size_t i = 0; i < nkeys; i++) {
        if (keys[i].limit <= 0) {
            continue;
        }
        char key[RATELIMIT_KEY_MAX];
        key_text(&keys[i], key, sizeof key);
        int64_t count = 0, oldest = 0;
        store_status st = store_login_failure_count(s, key, now - window, &count, &oldest);
        if (st != STORE_OK) {
            return st;
        }
        if (count >= keys[i].limit) {
            /* The oldest failure leaving the window is what lets the next attempt through. */
            int64_t wait = oldest + window - now;
            if (wait < 1) {
                wait = 1;
            }
            if (wait > *retry_after) {
                *retry_after = wait;
            }
        }
    }
    return STORE_OK;
}

store_status ratelimit_record(struct store *s, const struct ratelimit_key *keys, size_t nkeys,
                              int64_t window, int64_t now)
{
    static atomic_uint recorded;
    for (size_t i = 0; i < nkeys; i++) {
        if (keys[i].limit <= 0) {
            continue;
        }
        char key[RATELIMIT_KEY_MAX];
        key_text(&keys[i], key, sizeof key);
        store_status st = store_login_failure_add(s, key, now);
        if (st != STORE_OK) {
            return st;
        }
    }
    /* Housekeeping now and then, so the table stays the size of one window. */
    if (atomic_fetch_add(&recorded, 1) % RATELIMIT_PRUNE_EVERY == 0) {
        store_login_failure_prune(s, now - window);
    }
    return STORE_OK;
}
