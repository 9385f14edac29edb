/* users-api: serve (default) | migrate | create-admin | healthcheck | version | --help */
#include "app.h"
#include "auth/password.h"
#include "config.h"
#include "log.h"
#include "server.h"
#include "store/store.h"
#include "validate.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef USERS_API_VERSION
#define USERS_API_VERSION "1.0.0"
#endif

static const char USAGE[] =
    "usage: users-api [serve|migrate|create-admin|healthcheck|version|--help]\n"
    "\n"
    "  serve         run the HTTP API (default); migrates the database first\n"
    "  migrate       apply pending database migrations and exit\n"
    "  create-admin  create or promote the admin from ADMIN_EMAIL/ADMIN_PASSWORD and exit\n"
    "  healthcheck   exit 0 if GET http://127.0.0.1:$PORT/ping answers 200 (container probes)\n"
    "  version       print the version and exit\n"
    "\n"
    "Environment:\n"
    "  PORT                          listening port (default 5000; 0 picks a free one)\n"
    "  DATABASE_URL                  sqlite://PATH or postgres://... (default "
    "sqlite://data/users.db)\n"
    "  SECRET_KEY                    HS256 key for access tokens; required (>= 32 bytes) in "
    "production\n"
    "  APP_ENV                       'production' refuses unsafe settings (default development)\n"
    "  ACCESS_TOKEN_EXPIRATION       access token lifetime, seconds (default 900)\n"
    "  REFRESH_TOKEN_EXPIRATION      refresh token lifetime, seconds (default 2592000)\n"
    "  REFRESH_TOKEN_REUSE_INTERVAL  grace for a just-rotated refresh token, seconds (default 10; "
    "0 off)\n"
    "  BCRYPT_LOG_ROUNDS             bcrypt cost 4..31 (default 12; >= 10 in production)\n"
    "  LOGIN_RATE_LIMIT_IP           failed logins per client address per window (default 50; 0 "
    "off)\n"
    "  LOGIN_RATE_LIMIT_ACCOUNT      failed logins per account per window (default 10; 0 off)\n"
    "  LOGIN_RATE_LIMIT_WINDOW       sliding window, seconds (default 900)\n"
    "  TRUSTED_PROXIES               comma list of proxy IPs/CIDRs whose X-Forwarded-For is "
    "believed\n"
    "  CORS_ORIGINS                  comma list of origins allowed to call the API from a browser\n"
    "  LOG_LEVEL                     debug | info | warn | error (default info)\n"
    "  ADMIN_EMAIL, ADMIN_PASSWORD   create (or promote) this admin at start-up, idempotently\n"
    "  ADMIN_USERNAME                its username when created (default admin)\n"
    "  STATIC_DIR                    serve the built web client from this directory\n"
    "  HTTP_THREADS, BCRYPT_WORKERS  thread counts (default: number of CPUs)\n"
    "  PRELOAD_THREADS               threads that read token-checked one-row reads' users ahead,\n"
    "                                many requests per query (default 1 on PostgreSQL, 0 on\n"
    "                                SQLite; 0 off)\n";

static int fail(const char *what, const char *why)
{
    log_error(what, json_pack("{s:s}", "error", why));
    return 1;
}

static int load(struct config *cfg)
{
    char err[256];
    if (config_load(cfg, err, sizeof err) != 0) {
        return fail("invalid configuration", err);
    }
    log_set_level((enum log_level)cfg->log_level);
    if (app_init(cfg) != 0) {
        return fail("start-up failed", "cannot compute the password hashing parameters");
    }
    return 0;
}

static int migrate(struct store *s)
{
    int version = 0;
    if (store_migrate(s) != STORE_OK || store_schema_version(s, &version) != STORE_OK) {
        return fail("migration failed", "see the database log");
    }
    log_info("database ready",
             json_pack("{s:s, s:i}", "backend", store_backend(s), "schema_version", version));
    return 0;
}

static int create_admin(struct store *s, const struct config *cfg)
{
    char email[STORE_EMAIL_MAX + 1];
    const char *why = validate_email(cfg->admin_email, email, sizeof email);
    if (why != NULL) {
        return fail("ADMIN_EMAIL is invalid", why);
    }
    struct store_user user;
    store_status st = store_user_get_by_email(s, email, &user);
    if (st == STORE_OK) {
        if (user.admin && user.active) {
            return 0;
        }
        struct store_user_fields f = {user.username, user.email, NULL, true, true};
        if (store_user_update(s, user.id, &f, &user) != STORE_OK) {
            return fail("cannot promote the admin", email);
        }
        log_info("admin promoted", json_pack("{s:I}", "user_id", (json_int_t)user.id));
        return 0;
    }
    if (st != STORE_NOT_FOUND) {
        return fail("cannot look up the admin", "database error");
    }
    const char *username = cfg->admin_username != NULL ? cfg->admin_username : "admin";
    if ((why = validate_username(username)) != NULL) {
        return fail("ADMIN_USERNAME is invalid", why);
    }
    if ((why = validate_password(cfg->admin_password)) != NULL) {
        return fail("ADMIN_PASSWORD is invalid", why);
    }
    char hash[PASSWORD_HASH_MAX];
    if (password_hash(cfg->admin_password, cfg->bcrypt_cost, hash, sizeof hash) != 0) {
        return fail("cannot hash the admin password", "bcrypt failed");
    }
    struct store_user_fields f = {username, email, hash, true, true};
    st = store_user_create(s, &f, app_now(), &user);
    explicit_bzero(hash, sizeof hash);
    if (st == STORE_CONFLICT_EMAIL) {
        return 0; /* another task created it a moment ago */
    }
    if (st != STORE_OK) {
        return fail("cannot create the admin", st == STORE_CONFLICT_USERNAME
                                                   ? "ADMIN_USERNAME is taken by another user"
                                                   : "database error");
    }
    log_info("admin created", json_pack("{s:I}", "user_id", (json_int_t)user.id));
    return 0;
}

static struct store *open_and_migrate(void)
{
    struct store *s = app_store();
    if (s == NULL || migrate(s) != 0) {
        return NULL;
    }
    return s;
}

static int cmd_serve(void)
{
    /* Blocked before any thread starts, so only sigwait() below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    struct config cfg;
    if (load(&cfg) != 0) {
        return 1;
    }
    int rc = 1;
    const struct config *c = app_config();
    if (c->secret_generated) {
        log_warn("SECRET_KEY is not set: using a random key for this process only; "
                 "tokens will not survive a restart",
                 NULL);
    }
    struct store *s = open_and_migrate();
    if (s == NULL || (c->admin_email != NULL && create_admin(s, c) != 0)) {
        goto cleanup;
    }
    unsigned port = 0;
    struct server *srv = server_start(c, &port);
    if (srv == NULL) {
        fail("cannot listen", "is the port in use?");
        goto cleanup;
    }
    log_info("listening",
             json_pack("{s:i, s:s, s:i, s:i}", "port", (int)port, "backend", store_backend(s),
                       "threads", (int)c->threads, "workers", (int)c->workers));
    int sig = 0;
    sigwait(&stop, &sig);
    log_info("shutting down", json_pack("{s:s}", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"));
    server_stop(srv);
    log_info("stopped", NULL);
    rc = 0;

cleanup:
    app_shutdown();
    return rc;
}

static int cmd_migrate(bool with_admin)
{
    struct config cfg;
    if (load(&cfg) != 0) {
        return 1;
    }
    int rc = 1;
    struct store *s = open_and_migrate();
    if (s == NULL) {
        goto cleanup;
    }
    if (with_admin) {
        if (app_config()->admin_email == NULL) {
            fail("create-admin needs ADMIN_EMAIL and ADMIN_PASSWORD", "not set");
            goto cleanup;
        }
        if (create_admin(s, app_config()) != 0) {
            goto cleanup;
        }
    }
    rc = 0;

cleanup:
    app_shutdown();
    return rc;
}

/* A dependency-free probe for container HEALTHCHECKs (no curl in the image). */
static int cmd_healthcheck(void)
{
    const char *p = getenv("PORT");
    int port = p != NULL && p[0] != '\0' ? atoi(p) : 5000;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return 1;
    }
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    static const char req[] = "GET /ping HTTP/1.0\r\nHost: localhost\r\n\r\n";
    char buf[64] = {0};
    int ok = connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
             write(fd, req, sizeof req - 1) == (ssize_t)(sizeof req - 1) &&
             read(fd, buf, sizeof buf - 1) > 12 && strncmp(buf + 8, " 200", 4) == 0;
    close(fd);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    const char *cmd = argc > 1 ? argv[1] : "serve";
    if (strcmp(cmd, "serve") == 0) {
        return cmd_serve();
    }
    if (strcmp(cmd, "migrate") == 0) {
        return cmd_migrate(false);
    }
    if (strcmp(cmd, "create-admin") == 0) {
        return cmd_migrate(true);
    }
    if (strcmp(cmd, "healthcheck") == 0) {
        return cmd_healthcheck();
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("users-api %s\n", USERS_API_VERSION);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    fputs(USAGE, stderr);
    return 2;
}
