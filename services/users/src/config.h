/* Environment -> one validated struct (12-factor). Read once at start-up. */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CONFIG_MAX_LIST = 16, CONFIG_SECRET_MIN_PRODUCTION = 32 };

struct cidr {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    unsigned prefix;
};

struct config {
    unsigned port;
    char *database_url; /* owned */
    char *secret_key;   /* owned; random per process when unset outside production */
    size_t secret_len;
    bool secret_generated;
    bool production;
    int64_t access_ttl;
    int64_t refresh_ttl;
    int64_t refresh_reuse_interval;
    int bcrypt_cost;
    int64_t rate_limit_ip;
    int64_t rate_limit_account;
    int64_t rate_limit_window;
    char *cors_origins[CONFIG_MAX_LIST]; /* owned */
    size_t cors_count;
    struct cidr trusted_proxies[CONFIG_MAX_LIST];
    size_t trusted_count;
    int log_level;                                       /* log.h levels */
    char *admin_email, *admin_password, *admin_username; /* owned, may be NULL */
    char *static_dir;                                    /* owned, may be NULL */
    unsigned threads;                                    /* HTTP polling threads */
    unsigned workers;                                    /* bcrypt worker threads */
    unsigned preload_threads; /* read-ahead loader threads (preload.h); 0: off */
};

/* Fills cfg from the environment. On an invalid or unsafe setting returns -1
 * and writes the reason to err; cfg is then freed already. */
int config_load(struct config *cfg, char *err, size_t errlen);
void config_free(struct config *cfg);

/* Whether addr (text form) is inside one of the trusted proxy ranges. */
bool config_is_trusted_proxy(const struct config *cfg, const char *addr);
bool config_cors_allowed(const struct config *cfg, const char *origin);

/* Parses "a.b.c.d", "::1", "10.0.0.0/8", "fd00::/8". */
int config_parse_cidr(const char *text, struct cidr *out);

#endif
