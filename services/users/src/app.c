#include "app.h"

#include "auth/password.h"
#include "auth/tokens.h"
#include "log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
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

int app_init(struct config *cfg)
{
    app_cfg = *cfg;
    memset(cfg, 0, sizeof *cfg);
    pthread_once(&store_key_once, store_key_create);

    char secret[TOKENS_REFRESH_LEN + 1];
    if (tokens_refresh_new(secret) != 0 ||
        password_hash(secret, app_cfg.bcrypt_cost, dummy_hash, sizeof dummy_hash) != 0) {
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
