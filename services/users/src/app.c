#include "app.h"

#include "auth/password.h"
#include "log.h"

#include <crypt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static struct config app_cfg;
static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_key_t store_key;
static pthread_once_t store_key_once = PTHREAD_ONCE_INIT;

static void store_key_destroy(void *s)
{
    store_close(s);
}

static void store_key_create(void)
{
    pthread_key_create(&store_key, store_key_destroy);
}

/* A well-formed bcrypt hash with a fresh salt and random digest bytes: checking
 * a password against it costs a full bcrypt at our cost and never matches, and
 * making it costs nothing (hashing a throwaway password at cost 12 would add
 * ~0.4 s to every cold start). */
static int dummy_hash_make(int cost)
{
    static const char alphabet[] =
        "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    unsigned char raw[31];
    if (crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, salt, sizeof salt) == NULL ||
        getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
        return -1;
    }
    size_t len = strlen(salt);
    if (len + sizeof raw + 1 > sizeof dummy_hash) {
        return -1;
    }
    memcpy(dummy_hash, salt, len);
    for (size_t i = 0; i < sizeof raw; i++) {
        dummy_hash[len + i] = alphabet[raw[i] % 64];
    }
    dummy_hash[len + sizeof raw] = '\0';
    return 0;
}

int app_init(struct config *cfg)
{
    app_cfg = *cfg;
    memset(cfg, 0, sizeof *cfg);
    pthread_once(&store_key_once, store_key_create);

    if (dummy_hash_make(app_cfg.bcrypt_cost) != 0) {
        return -1;
    }
    return 0;
}

void app_shutdown(void)
{
    struct store *s = pthread_getspecific(store_key);
    if (s != NULL) {
        store_close(s);
        pthread_setspecific(store_key, NULL);
    }
    config_free(&app_cfg);
}

const struct config *app_config(void)
{
    return &app_cfg;
}

struct store *app_store(void)
{
    pthread_once(&store_key_once, store_key_create);
    struct store *s = pthread_getspecific(store_key);
    if (s != NULL) {
        return s;
    }
    char err[256];
    s = store_open(app_cfg.database_url, err, sizeof err);
    if (s == NULL) {
        log_error("database connection failed", json_pack("{s:s}", "error", err));
        return NULL;
    }
    pthread_setspecific(store_key, s);
    return s;
}

const char *app_dummy_hash(void)
{
    return dummy_hash;
}

int64_t app_now(void)
{
    return (int64_t)time(NULL);
}
