/* Sliding-window counters of failed logins, kept in the database so every
 * API task behind the load balancer sees the same counts. */
#ifndef AUTH_RATELIMIT_H
#define AUTH_RATELIMIT_H

#include "store/store.h"

#include <stdint.h>

struct ratelimit_key {
    const char *prefix; /* "ip", "acct", "reg" */
    const char *value;
    int64_t limit; /* 0: this limit is off */
};

/* STORE_OK and *retry_after == 0: allowed. *retry_after > 0: refused for that many seconds. */
store_status ratelimit_check(struct store *s, const struct ratelimit_key *keys, size_t nkeys,
                             int64_t window, int64_t now, int64_t *retry_after);

/* Counts one event against every key whose limit is on. */
store_status ratelimit_record(struct store *s, const struct ratelimit_key *keys, size_t nkeys,
                              int64_t window, int64_t now);

#endif
