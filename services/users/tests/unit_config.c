/* Environment -> config, and the production refusals. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void clean_env(void)
{
    const char *vars[] = {"APP_ENV",
                          "SECRET_KEY",
                          "PORT",
                          "DATABASE_URL",
                          "BCRYPT_LOG_ROUNDS",
                          "TRUSTED_PROXIES",
                          "CORS_ORIGINS",
                          "LOG_LEVEL",
                          "ADMIN_EMAIL",
                          "ADMIN_PASSWORD",
                          "ACCESS_TOKEN_EXPIRATION",
                          "LOGIN_RATE_LIMIT_IP",
                          "PRELOAD_THREADS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        unsetenv(vars[i]);
    }
}

TestSuite(config, .init = clean_env);

Test(config, defaults)
{
    struct config c;
    char err[256];
    cr_assert_eq(config_load(&c, err, sizeof err), 0, "%s", err);
    cr_expect_eq(c.port, 5000);
    cr_expect_str_eq(c.database_url, "sqlite://data/users.db");
    cr_expect_eq(c.access_ttl, 900);
    cr_expect_eq(c.refresh_ttl, 2592000);
    cr_expect_eq(c.refresh_reuse_interval, 10);
    cr_expect_eq(c.bcrypt_cost, 12);
    cr_expect_eq(c.rate_limit_ip, 50);
    cr_expect_eq(c.rate_limit_account, 10);
    cr_expect_eq(c.rate_limit_window, 900);
    cr_expect(c.secret_generated, "no SECRET_KEY outside production: a random one");
    cr_expect_geq(c.secret_len, 32);
    cr_expect_not(c.production);
    cr_expect_eq(c.preload_threads, 0, "SQLite answers in-process: no read-ahead thread");
    config_free(&c);
}

Test(config, read_ahead_defaults_on_for_postgres)
{
    struct config c;
    char err[256];
    const char *urls[] = {"postgres://u@db.internal/users", "postgresql://u@db.internal/users"};
    for (size_t i = 0; i < 2; i++) {
        setenv("DATABASE_URL", urls[i], 1);
        cr_assert_eq(config_load(&c, err, sizeof err), 0, "%s", err);
        cr_expect_eq(c.preload_threads, 1, "%s", urls[i]);
        config_free(&c);
    }
    setenv("PRELOAD_THREADS", "0", 1);
    cr_assert_eq(config_load(&c, err, sizeof err), 0, "%s", err);
    cr_expect_eq(c.preload_threads, 0, "0 turns it off");
    config_free(&c);
}

Test(config, random_secret_differs_per_process)
{
    struct config a, b;
    char err[256];
    cr_assert_eq(config_load(&a, err, sizeof err), 0);
    cr_assert_eq(config_load(&b, err, sizeof err), 0);
    cr_expect_str_neq(a.secret_key, b.secret_key);
    config_free(&a);
    config_free(&b);
}

Test(config, production_requires_a_strong_secret)
{
    struct config c;
    char err[256];
    setenv("APP_ENV", "production", 1);
    cr_expect_eq(config_load(&c, err, sizeof err), -1);
    cr_expect_not_null(strstr(err, "SECRET_KEY"));
    setenv("SECRET_KEY", "short-secret", 1);
    cr_expect_eq(config_load(&c, err, sizeof err), -1);
    setenv("SECRET_KEY", "0123456789abcdef0123456789abcdef", 1);
    cr_assert_eq(config_load(&c, err, sizeof err), 0, "%s", err);
    cr_expect(c.production);
    config_free(&c);
    setenv("BCRYPT_LOG_ROUNDS", "4", 1);
    cr_expect_eq(config_load(&c, err, sizeof err), -1, "cost 4 is for tests only");
}

Test(config, rejects_bad_numbers)
{
    struct config c;
    char err[256];
    const char *bad[][2] = {{"PORT", "70000"},
                            {"PORT", "80x"},
                            {"BCRYPT_LOG_ROUNDS", "3"},
                            {"BCRYPT_LOG_ROUNDS", "32"},
                            {"ACCESS_TOKEN_EXPIRATION", "0"},
                            {"LOGIN_RATE_LIMIT_IP", "-1"},
                            {"PRELOAD_THREADS", "65"},
                            {"PRELOAD_THREADS", "-1"},
                            {"LOG_LEVEL", "chatty"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clean_env();
        setenv(bad[i][0], bad[i][1], 1);
        cr_expect_eq(config_load(&c, err, sizeof err), -1, "%s=%s accepted", bad[i][0], bad[i][1]);
        cr_expect_not_null(strstr(err, bad[i][0]), "error should name %s: %s", bad[i][0], err);
    }
}

Test(config, admin_needs_both)
{
    struct config c;
    char err[256];
    setenv("ADMIN_EMAIL", "root@example.com", 1);
    cr_expect_eq(config_load(&c, err, sizeof err), -1);
}

Test(config, trusted_proxies_and_cidrs)
{
    struct config c;
    char err[256];
    setenv("TRUSTED_PROXIES", "10.0.0.0/16, 127.0.0.1 ,fd00::/8", 1);
    cr_assert_eq(config_load(&c, err, sizeof err), 0, "%s", err);
    cr_expect(config_is_trusted_proxy(&c, "10.0.255.3"));
    cr_expect_not(config_is_trusted_proxy(&c, "10.1.0.1"));
    cr_expect(config_is_trusted_proxy(&c, "127.0.0.1"));
    cr_expect_not(config_is_trusted_proxy(&c, "127.0.0.2"));
    cr_expect(config_is_trusted_proxy(&c, "fd12::1"));
    cr_expect_not(config_is_trusted_proxy(&c, "fe80::1"));
    cr_expect_not(config_is_trusted_proxy(&c, "not-an-ip"));
    config_free(&c);
    setenv("TRUSTED_PROXIES", "10.0.0.0/33", 1);
    cr_expect_eq(config_load(&c, err, sizeof err), -1);
}

Test(config, cors_origins)
{
    struct config c;
    char err[256];
    setenv("CORS_ORIGINS", "http://a.example,https://b.example", 1);
    cr_assert_eq(config_load(&c, err, sizeof err), 0, "%s", err);
    cr_expect(config_cors_allowed(&c, "https://b.example"));
    cr_expect_not(config_cors_allowed(&c, "https://c.example"));
    config_free(&c);
}
