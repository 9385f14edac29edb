#include "config.h"

#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return (v != NULL && v[0] != '\0') ? v : fallback;
}

static char *env_dup(const char *name)
{
    const char *v = getenv(name);
    return (v != NULL && v[0] != '\0') ? strdup(v) : NULL;
}

/* Parses a whole decimal integer in [min, max]; rejects trailing junk. */
static int parse_int(const char *name, int64_t min, int64_t max, int64_t fallback, int64_t *out,
                     char *err, size_t errlen)
{
    const char *v = getenv(name);
    if (v == NULL || v[0] == '\0') {
        *out = fallback;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
        snprintf(err, errlen, "%s must be an integer from %lld to %lld", name, (long long)min,
                 (long long)max);
        return -1;
    }
    *out = n;
    return 0;
}

int config_parse_cidr(const char *text, struct cidr *out)
{
    char buf[INET6_ADDRSTRLEN + 8];
    if (strlen(text) >= sizeof buf) {
        return -1;
    }
    strcpy(buf, text);
    char *slash = strchr(buf, '/');
    long prefix = -1;
    if (slash != NULL) {
        *slash = '\0';
        char *end = NULL;
        prefix = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end != '\0') {
            return -1;
        }
    }
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, buf, out->addr) == 1) {
        out->family = AF_INET;
        out->prefix = prefix < 0 ? 32 : (unsigned)prefix;
        return prefix > 32 ? -1 : 0;
    }
    if (inet_pton(AF_INET6, buf, out->addr) == 1) {
        out->family = AF_INET6;
        out->prefix = prefix < 0 ? 128 : (unsigned)prefix;
        return prefix > 128 ? -1 : 0;
    }
    return -1;
}

static bool cidr_contains(const struct cidr *c, int family, const unsigned char *addr)
{
    if (c->family != family) {
        return false;
    }
    unsigned full = c->prefix / 8, rest = c->prefix % 8;
    if (memcmp(c->addr, addr, full) != 0) {
        return false;
    }
    if (rest == 0) {
        return true;
    }
    unsigned char mask = (unsigned char)(0xFFu << (8 - rest));
    return (c->addr[full] & mask) == (addr[full] & mask);
}

bool config_is_trusted_proxy(const struct config *cfg, const char *addr)
{
    unsigned char bin[16] = {0};
    int family = AF_INET;
    if (inet_pton(AF_INET, addr, bin) != 1) {
        family = AF_INET6;
        if (inet_pton(AF_INET6, addr, bin) != 1) {
            return false;
        }
    }
    for (size_t i = 0; i < cfg->trusted_count; i++) {
        if (cidr_contains(&cfg->trusted_proxies[i], family, bin)) {
            return true;
        }
    }
    return false;
}

bool config_cors_allowed(const struct config *cfg, const char *origin)
{
    for (size_t i = 0; i < cfg->cors_count; i++) {
        if (strcmp(cfg->cors_origins[i], "*") == 0 || strcmp(cfg->cors_origins[i], origin) == 0) {
            return true;
        }
    }
    return false;
}

/* Splits a comma list, trimming spaces; calls add() for each non-empty item. */
static int parse_list(const char *name, const char *value,
                      int (*add)(struct config *, const char *), struct config *cfg, char *err,
                      size_t errlen)
{
    char *copy = strdup(value);
    if (copy == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t') {
            tok++;
        }
        char *end = tok + strlen(tok);
        while (end > tok && (end[-1] == ' ' || end[-1] == '\t')) {
            *--end = '\0';
        }
        if (*tok == '\0') {
            continue;
        }
        if (add(cfg, tok) != 0) {
            snprintf(err, errlen, "%s: invalid or too many entries (at \"%.64s\")", name, tok);
            rc = -1;
            break;
        }
    }
    free(copy);
    return rc;
}

static int add_cors(struct config *cfg, const char *item)
{
    if (cfg->cors_count >= CONFIG_MAX_LIST) {
        return -1;
    }
    cfg->cors_origins[cfg->cors_count] = strdup(item);
    if (cfg->cors_origins[cfg->cors_count] == NULL) {
        return -1;
    }
    cfg->cors_count++;
    return 0;
}

static int add_proxy(struct config *cfg, const char *item)
{
    if (cfg->trusted_count >= CONFIG_MAX_LIST ||
        config_parse_cidr(item, &cfg->trusted_proxies[cfg->trusted_count]) != 0) {
        return -1;
    }
    cfg->trusted_count++;
    return 0;
}

/* Outside production a missing SECRET_KEY gets a random one per process: safe
 * (nothing guessable), but tokens do not survive a restart or cross tasks. */
static int load_secret(struct config *cfg, char *err, size_t errlen)
{
    const char *key = getenv("SECRET_KEY");
    if (key != NULL && key[0] != '\0') {
        if (cfg->production && strlen(key) < CONFIG_SECRET_MIN_PRODUCTION) {
            snprintf(err, errlen, "SECRET_KEY must be at least %d bytes when APP_ENV=production",
                     CONFIG_SECRET_MIN_PRODUCTION);
            return -1;
        }
        cfg->secret_key = strdup(key);
        cfg->secret_len = strlen(key);
        return cfg->secret_key == NULL ? -1 : 0;
    }
    if (cfg->production) {
        snprintf(err, errlen, "SECRET_KEY is required when APP_ENV=production");
        return -1;
    }
    unsigned char raw[32];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        snprintf(err, errlen, "cannot read random bytes for a temporary SECRET_KEY");
        return -1;
    }
    cfg->secret_key = malloc(sizeof raw * 2 + 1);
    if (cfg->secret_key == NULL) {
        return -1;
    }
    for (size_t i = 0; i < sizeof raw; i++) {
        snprintf(cfg->secret_key + 2 * i, 3, "%02x", raw[i]);
    }
    cfg->secret_len = sizeof raw * 2;
    cfg->secret_generated = true;
    return 0;
}

static int load_database_url(struct config *cfg)
{
    const char *url = env_or("DATABASE_URL", "sqlite://data/users.db");
    cfg->database_url = strdup(url);
    return cfg->database_url == NULL ? -1 : 0;
}

static int load_numbers(struct config *cfg, char *err, size_t errlen)
{
    int64_t v = 0;
    if (parse_int("PORT", 0, 65535, 5000, &v, err, errlen) != 0) {
        return -1;
    }
    cfg->port = (unsigned)v;
    if (parse_int("ACCESS_TOKEN_EXPIRATION", 1, 86400 * 7, 900, &cfg->access_ttl, err, errlen) ||
        parse_int("REFRESH_TOKEN_EXPIRATION", 1, 86400 * 3650, 2592000, &cfg->refresh_ttl, err,
                  errlen) ||
        parse_int("REFRESH_TOKEN_REUSE_INTERVAL", 0, 3600, 10, &cfg->refresh_reuse_interval, err,
                  errlen) ||
        parse_int("LOGIN_RATE_LIMIT_IP", 0, 1000000000, 50, &cfg->rate_limit_ip, err, errlen) ||
        parse_int("LOGIN_RATE_LIMIT_ACCOUNT", 0, 1000000000, 10, &cfg->rate_limit_account, err,
                  errlen) ||
        parse_int("LOGIN_RATE_LIMIT_WINDOW", 1, 86400 * 30, 900, &cfg->rate_limit_window, err,
                  errlen)) {
        return -1;
    }
    if (parse_int("BCRYPT_LOG_ROUNDS", 4, 31, 12, &v, err, errlen) != 0) {
        return -1;
    }
    cfg->bcrypt_cost = (int)v;
    if (cfg->production && cfg->bcrypt_cost < 10) {
        snprintf(err, errlen, "BCRYPT_LOG_ROUNDS must be at least 10 when APP_ENV=production");
        return -1;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int64_t dflt = cores > 0 ? cores : 2;
    if (parse_int("HTTP_THREADS", 1, 256, dflt, &v, err, errlen) != 0) {
        return -1;
    }
    cfg->threads = (unsigned)v;
    if (parse_int("BCRYPT_WORKERS", 1, 256, dflt, &v, err, errlen) != 0) {
        return -1;
    }
    cfg->workers = (unsigned)v;
    /* Reading ahead pays off where a query is a network round trip (GET
     * /users/<id> on PostgreSQL: 0.46x -> ~1.1x of pgbench -S). SQLite answers
     * in-process in microseconds; there it measured +12 % on /users/<id> and
     * -5 % on /auth/status, not worth a second read path by default. */
    const char *url = env_or("DATABASE_URL", "");
    bool remote = strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
    if (parse_int("PRELOAD_THREADS", 0, 64, remote ? 1 : 0, &v, err, errlen) != 0) {
        return -1;
    }
    cfg->preload_threads = (unsigned)v;
    return 0;
}

static int load_lists(struct config *cfg, char *err, size_t errlen)
{
    const char *cors = getenv("CORS_ORIGINS");
    if (cors != NULL && parse_list("CORS_ORIGINS", cors, add_cors, cfg, err, errlen) != 0) {
        return -1;
    }
    const char *proxies = getenv("TRUSTED_PROXIES");
    if (proxies != NULL &&
        parse_list("TRUSTED_PROXIES", proxies, add_proxy, cfg, err, errlen) != 0) {
        return -1;
    }
    return 0;
}

int config_load(struct config *cfg, char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(err, errlen, "out of memory");
    const char *env = env_or("APP_ENV", "development");
    cfg->production = strcasecmp(env, "production") == 0;

    int level = log_parse_level(env_or("LOG_LEVEL", "info"));
    if (level < 0) {
        snprintf(err, errlen, "LOG_LEVEL must be one of debug, info, warn, error");
        goto fail;
    }
    cfg->log_level = level;
    if (load_numbers(cfg, err, errlen) || load_secret(cfg, err, errlen) || load_database_url(cfg) ||
        load_lists(cfg, err, errlen)) {
        goto fail;
    }
    cfg->admin_email = env_dup("ADMIN_EMAIL");
    cfg->admin_password = env_dup("ADMIN_PASSWORD");
    cfg->admin_username = env_dup("ADMIN_USERNAME");
    cfg->static_dir = env_dup("STATIC_DIR");
    if ((cfg->admin_email == NULL) != (cfg->admin_password == NULL)) {
        snprintf(err, errlen, "ADMIN_EMAIL and ADMIN_PASSWORD must be set together");
        goto fail;
    }
    return 0;

fail:
    config_free(cfg);
    return -1;
}

void config_free(struct config *cfg)
{
    free(cfg->database_url);
    if (cfg->secret_key != NULL) {
        explicit_bzero(cfg->secret_key, cfg->secret_len);
        free(cfg->secret_key);
    }
    for (size_t i = 0; i < cfg->cors_count; i++) {
        free(cfg->cors_origins[i]);
    }
    free(cfg->admin_email);
    if (cfg->admin_password != NULL) {
        explicit_bzero(cfg->admin_password, strlen(cfg->admin_password));
        free(cfg->admin_password);
    }
    free(cfg->admin_username);
    free(cfg->static_dir);
    memset(cfg, 0, sizeof *cfg);
}
