/* Process-wide state handlers need: the configuration, one database
 * connection per thread, and the dummy hash that makes unknown-email logins
 * cost the same as wrong passwords. */
#ifndef APP_H
#define APP_H

#include "config.h"
#include "store/store.h"

#include <stdint.h>

/* Takes ownership of *cfg (zeroed on return). Computes the dummy hash. */
int app_init(struct config *cfg);
void app_shutdown(void);

const struct config *app_config(void);

/* This thread's connection, opened on first use (and retried on later calls
 * after a failure). NULL when the database cannot be reached. Closed when the
 * thread exits. */
struct store *app_store(void);

/* A bcrypt hash at the configured cost of a password nobody knows. */
const char *app_dummy_hash(void);

int64_t app_now(void);

#endif
