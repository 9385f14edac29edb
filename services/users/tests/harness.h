/* Black-box API test harness: starts the real users-api binary ($USERS_API_BIN)
 * on an ephemeral port with an isolated database (SQLite file or a fresh
 * PostgreSQL database, chosen by $TEST_BACKEND) and talks HTTP to it with
 * libcurl.
 *
 * One shared server per test binary (started by harness.c's hooks); tests that need
 * special settings start their own with SERVER_START()/SERVER_STOP().
 * Each Criterion test is its own process, so the shared server's address is
 * passed through the environment (USERS_API_BASE, USERS_API_LOG).
 *
 * Run: make MODE=asan test-api (both backends via tests/run.sh), or one binary
 * by hand: USERS_API_BIN=$PWD/build/asan/users-api TEST_TMPDIR=/tmp/x
 * TEST_BACKEND=sqlite build/asan/tests/api_tokens --jobs=2 --filter 'refresh/rotates'
 * (for postgres also TEST_PG_URL from `tests/pg.sh start DIR`). */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The SECRET_KEY every test server runs with (48 bytes), so tests can forge tokens. */
#define TEST_SECRET_KEY "test-secret-key-0123456789abcdef0123456789abcdef"

/* The first admin of the shared server. */
#define TEST_ADMIN_EMAIL "admin@example.test"
#define TEST_ADMIN_PASSWORD "admin-password-1"
#define TEST_ADMIN_USERNAME "admin"

/* ---- servers ---- */

struct server {
    pid_t pid;
    int port;
    char base[64];      /* http://127.0.0.1:PORT */
    char log_path[512]; /* stdout + stderr of the server */
    char db_url[600];   /* DATABASE_URL it runs with */
    bool stopped;
};

/* Last harness error (per process), for assertion messages. */
extern char harness_err[8192];

/* "sqlite" (default) or "postgres", from $TEST_BACKEND. */
const char *test_backend(void);
bool backend_is_postgres(void);
/* A directory for scratch files ($TEST_TMPDIR or /tmp). */
const char *test_tmpdir(void);

/* A fresh, empty database URL for the current backend (new PostgreSQL
 * database, or a new SQLite file name). 0 on success. */
int db_url_new(char *out, size_t outlen);

/* Starts users-api with defaults + env overrides ("KEY=VALUE"; a bare "KEY"
 * removes a default), waits for its "listening" log line and GET /ping == 200.
 * 0 on success, else -1 with harness_err set. */
int server_start(struct server *s, const char *const env[]);
/* Prints peak RSS, SIGTERM, waits; 0 when it exited 0 with a clean sanitizer log. */
int server_stop(struct server *s);
/* Waits for a server that was already signalled; same checks as server_stop. */
int server_wait_exit(struct server *s, int timeout_ms);
/* The whole log (malloc'd, caller frees). */
char *server_log(const struct server *s);

#define SERVER_START(s, ...)                                                                       \
    cr_assert(server_start((s), (const char *const[]){__VA_ARGS__, NULL}) == 0, "%s", harness_err)
#define SERVER_STOP(s) cr_assert(server_stop(s) == 0, "%s", harness_err)

/* Runs users-api with arguments (argv without argv[0], NULL-terminated) and
 * env overrides; captures stdout+stderr into *out (malloc'd). Returns the exit
 * status, -1 on a timeout (the process is killed) or spawn error. */
int run_users_api(const char *const args[], const char *const env[], int timeout_ms, char **out);

/* The shared server: harness.c's Criterion hooks start it before the first
 * test of every test binary and stop it after the last one. */
void shared_server_start(void);
void shared_server_stop(struct criterion_global_stats *stats);

/* Log file of the shared server. */
const char *shared_log_path(void);

/* ---- HTTP ---- */

struct resp {
    long status; /* 0 when no HTTP response arrived */
    char *body;  /* NUL-terminated */
    size_t body_len;
    json_t *json; /* parsed body or NULL */
    char **headers;
    size_t nheaders;
    double seconds;
};

/* Requests go to this server from now on (default: the shared server). */
void http_use(const struct server *s);
const char *http_base(void);

/* method, path (with query), bearer token or NULL, JSON body or NULL, then
 * extra "Name: value" headers; the macro adds the NULL terminator, and
 * bearer and body may be left out: http("GET", "/ping").
 * A body is sent with Content-Type: application/json unless an extra header
 * sets Content-Type. */
struct resp *http_va(const char *method, const char *path, const char *bearer, const char *body,
                     ...);
#define http(...) http_va(__VA_ARGS__, (const char *)NULL, (const char *)NULL, (const char *)NULL)

/* Sends a jansson value as the JSON body; takes the reference (decrefs it). */
struct resp *http_json(const char *method, const char *path, const char *bearer, json_t *body);

/* Raw bytes (may contain NUL / invalid UTF-8) with an explicit content type. */
struct resp *http_raw_va(const char *method, const char *path, const char *bearer,
                         const char *content_type, const void *body, size_t len, ...);
#define http_raw(...) http_raw_va(__VA_ARGS__, (const char *)NULL)

/* The request path is sent byte for byte (no "/../" squashing). */
struct resp *http_path_as_is(const char *method, const char *path);

/* Case-insensitive header lookup; value without leading blanks, or NULL. */
const char *resp_header(const struct resp *r, const char *name);
void resp_free(struct resp *r);

/* JSON helpers (NULL / -1 when absent or of another type). */
const char *jstr(const json_t *obj, const char *key);
long long jint(const json_t *obj, const char *key);
/* "errors.<field>" is present in a 400 body. */
bool has_field_error(const struct resp *r, const char *field);

/* Asserts status, optionally the message text (NULL: only that one is present). */
/* The *_at functions take the caller's file and line for the failure message. */
void expect_status_at(const char *file, int line, const struct resp *r, long status,
                      const char *what);
void expect_error_at(const char *file, int line, const struct resp *r, long status,
                     const char *message, const char *what);
/* 401 with "WWW-Authenticate: Bearer..." and a JSON message. */
void expect_401_at(const char *file, int line, const struct resp *r, const char *what);
/* The exact user object shape. */
void expect_user_object_at(const char *file, int line, const json_t *u, const char *what);
#define expect_status(...) expect_status_at(__FILE__, __LINE__, __VA_ARGS__)
#define expect_error(...) expect_error_at(__FILE__, __LINE__, __VA_ARGS__)
#define expect_401(...) expect_401_at(__FILE__, __LINE__, __VA_ARGS__)
#define expect_user_object(...) expect_user_object_at(__FILE__, __LINE__, __VA_ARGS__)

/* ---- users and tokens ---- */

struct user {
    long long id;
    char username[80];
    char email[320];
    char password[96];
};

struct tokens {
    char access[2048];
    char refresh[1024];
};

/* Unique username/email (pid + counter), a password; nothing registered. */
void user_make(struct user *u);
/* A unique name with a prefix, e.g. for databases or usernames. */
void uniq_name(char *out, size_t outlen, const char *prefix);
/* POST /auth/register; asserts 201, fills id. */
void user_register(struct user *u);
/* user_make + user_register. */
void user_new(struct user *u);
/* POST /auth/login; asserts 200, fills tokens. */
void login(const char *email, const char *password, struct tokens *t);
void login_admin(struct tokens *t);
/* A registered user with a logged-in session. */
void user_new_session(struct user *u, struct tokens *t);
/* POST /auth/login body. */
struct resp *login_req(const char *email, const char *password, const char *const extra_header);
/* POST /auth/refresh {refresh_token}. */
struct resp *refresh_req(const char *refresh_token);
/* X-Total-Count of GET /users (with an admin token), -1 on error. */
long long user_count(const char *admin_access);

/* ---- JWT helpers ---- */

/* Signs claims (a JSON object text) with alg and key (JWT_ALG_NONE: unsigned).
 * Returns malloc'd token. alg is a jwt_alg_t. */
char *jwt_forge(int alg, const char *key, const char *claims_json);
/* Decodes the payload segment of a JWT into JSON (no verification), or NULL. */
json_t *jwt_payload(const char *token);
json_t *jwt_header(const char *token);

/* ---- misc ---- */
void sleep_ms(long ms);
/* Writes a file; 0 on success. */
int write_file(const char *path, const char *data);
char *read_file_all(const char *path, size_t *len);
/* Path of tests/pg.sh next to the binary's source tree. */
const char *pg_script(void);

#endif
