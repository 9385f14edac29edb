/* See harness.h. */
#include "harness.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jwt.h>
#include <libpq-fe.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char harness_err[8192];

/* The test binaries are not what is under test: their own leaks (a response not
 * freed after a failed assertion) would only add noise. The server runs with
 * leak detection on and server_stop() checks its log. */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
    return 1;
}

static void set_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(harness_err, sizeof harness_err, fmt, ap);
    va_end(ap);
}

void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *test_backend(void)
{
    const char *b = getenv("TEST_BACKEND");
    return b && *b ? b : "sqlite";
}

bool backend_is_postgres(void)
{
    return strcmp(test_backend(), "postgres") == 0;
}

const char *test_tmpdir(void)
{
    const char *d = getenv("TEST_TMPDIR");
    return d && *d ? d : "/tmp";
}

static unsigned long long counter_next(void)
{
    static unsigned long long n;
    return ++n;
}

void uniq_name(char *out, size_t outlen, const char *prefix)
{
    unsigned int r = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        if (fread(&r, sizeof r, 1, f) != 1)
            r = 0;
        fclose(f);
    }
    snprintf(out, outlen, "%s%d_%llu_%04x", prefix, (int)getpid(), counter_next(), r & 0xffff);
}

char *read_file_all(const char *path, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        goto cleanup;
    size_t cap = 4096;
    buf = malloc(cap + 1);
    if (!buf)
        goto cleanup;
    size_t got;
    while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                goto cleanup;
            }
            buf = nb;
            cap *= 2;
        }
    }
    buf[n] = '\0';
cleanup:
    if (f)
        fclose(f);
    if (len)
        *len = buf ? n : 0;
    return buf;
}

int write_file(const char *path, const char *data)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = strlen(data);
    int rc = fwrite(data, 1, n, f) == n ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

const char *pg_script(void)
{
    static char path[PATH_MAX];
    const char *bin = getenv("USERS_API_BIN");
    if (bin && *bin) {
        /* .../services/users/build/MODE/users-api -> .../services/users/tests/pg.sh */
        snprintf(path, sizeof path, "%s", bin);
        for (int i = 0; i < 3; i++) {
            char *slash = strrchr(path, '/');
            if (slash)
                *slash = '\0';
        }
        size_t l = strlen(path);
        snprintf(path + l, sizeof path - l, "/tests/pg.sh");
        if (access(path, X_OK) == 0)
            return path;
    }
    return "tests/pg.sh";
}

/* ---- databases ---- */

static int pg_create_database(const char *name, char *url, size_t urllen)
{
    const char *admin = getenv("TEST_PG_URL");
    int rc = -1;
    PGconn *c = NULL;
    PGresult *res = NULL;
    if (!admin || !*admin) {
        set_err("TEST_PG_URL is not set (run through tests/run.sh)");
        goto cleanup;
    }
    c = PQconnectdb(admin);
    if (PQstatus(c) != CONNECTION_OK) {
        set_err("cannot connect to %s: %s", admin, PQerrorMessage(c));
        goto cleanup;
    }
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", name);
    res = PQexec(c, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        set_err("%s: %s", sql, PQerrorMessage(c));
        goto cleanup;
    }
    /* admin URL ends in /postgres: swap the database name */
    const char *slash = strrchr(admin, '/');
    const char *q = strchr(slash ? slash : admin, '?');
    int keep = slash ? (int)(slash - admin) : (int)strlen(admin);
    snprintf(url, urllen, "%.*s/%s%s", keep, admin, name, q ? q : "");
    rc = 0;
cleanup:
    PQclear(res);
    PQfinish(c);
    return rc;
}

int db_url_new(char *out, size_t outlen)
{
    char name[96];
    uniq_name(name, sizeof name, "uapi_");
    if (backend_is_postgres())
        return pg_create_database(name, out, outlen);
    snprintf(out, outlen, "sqlite://%s/%s.db", test_tmpdir(), name);
    return 0;
}

/* ---- environment ---- */

enum { ENV_MAX = 64 };

struct envlist {
    char *v[ENV_MAX + 1];
    size_t n;
};

static void env_free(struct envlist *e)
{
    for (size_t i = 0; i < e->n; i++)
        free(e->v[i]);
    e->n = 0;
}

static size_t key_len(const char *kv)
{
    const char *eq = strchr(kv, '=');
    return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* Sets (KEY=VALUE) or removes (KEY) an entry. */
static void env_put(struct envlist *e, const char *kv)
{
    size_t kl = key_len(kv);
    for (size_t i = 0; i < e->n; i++) {
        if (key_len(e->v[i]) == kl && strncmp(e->v[i], kv, kl) == 0) {
            free(e->v[i]);
            e->v[i] = e->v[--e->n];
            e->v[e->n] = NULL;
            break;
        }
    }
    if (strchr(kv, '=') && e->n < ENV_MAX)
        e->v[e->n++] = strdup(kv);
    e->v[e->n] = NULL;
}

static const char *env_get(const struct envlist *e, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < e->n; i++)
        if (key_len(e->v[i]) == kl && strncmp(e->v[i], key, kl) == 0)
            return e->v[i] + kl + 1;
    return NULL;
}

static bool overrides_have(const char *const env[], const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; env && env[i]; i++)
        if (key_len(env[i]) == kl && strncmp(env[i], key, kl) == 0)
            return true;
    return false;
}

/* Defaults + pass-through sanitizer settings + overrides. A fresh database
 * unless the overrides name one (or remove DATABASE_URL). */
static int env_build(struct envlist *e, const char *const env[])
{
    static const char *const pass[] = {
        "PATH",         "ASAN_OPTIONS",         "UBSAN_OPTIONS",
        "LSAN_OPTIONS", "ASAN_SYMBOLIZER_PATH", "LLVM_SYMBOLIZER_PATH",
        "TMPDIR"};
    e->n = 0;
    e->v[0] = NULL;
    for (size_t i = 0; i < sizeof pass / sizeof pass[0]; i++) {
        const char *v = getenv(pass[i]);
        if (v) {
            char kv[4096];
            snprintf(kv, sizeof kv, "%s=%s", pass[i], v);
            env_put(e, kv);
        }
    }
    env_put(e, "PORT=0");
    env_put(e, "SECRET_KEY=" TEST_SECRET_KEY);
    env_put(e, "BCRYPT_LOG_ROUNDS=4");
    env_put(e, "LOG_LEVEL=info");
    if (!overrides_have(env, "DATABASE_URL")) {
        char url[600], kv[640];
        if (db_url_new(url, sizeof url) != 0)
            return -1;
        snprintf(kv, sizeof kv, "DATABASE_URL=%s", url);
        env_put(e, kv);
    }
    for (size_t i = 0; env && env[i]; i++)
        env_put(e, env[i]);
    return 0;
}

static const char *users_api_bin(void)
{
    const char *b = getenv("USERS_API_BIN");
    return b && *b ? b : "build/asan/users-api";
}

/* fork + exec users-api with args, output to out_path. */
static pid_t spawn(const char *const args[], struct envlist *e, const char *out_path)
{
    const char *argv[16];
    size_t n = 0;
    argv[n++] = users_api_bin();
    for (size_t i = 0; args && args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* child: die with the test process that started us (a failed assertion) */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (fd < 0)
        _exit(127);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
        dup2(devnull, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(argv[0], (char *const *)argv, e->v);
    dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* waitpid with a timeout; 1 exited (status in *st), 0 timeout, -1 error. */
static int wait_timeout(pid_t pid, int timeout_ms, int *st)
{
    long long end = now_ms() + timeout_ms;
    for (;;) {
        pid_t r = waitpid(pid, st, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
        if (now_ms() >= end)
            return 0;
        sleep_ms(10);
    }
}

static void describe_status(int st, char *out, size_t outlen)
{
    if (WIFEXITED(st))
        snprintf(out, outlen, "exit status %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(out, outlen, "killed by signal %d", WTERMSIG(st));
    else
        snprintf(out, outlen, "status 0x%x", st);
}

int run_users_api(const char *const args[], const char *const env[], int timeout_ms, char **out)
{
    struct envlist e;
    char path[512], name[96];
    int rc = -1, st = 0;
    if (out)
        *out = NULL;
    if (env_build(&e, env) != 0)
        return -1;
    uniq_name(name, sizeof name, "cmd_");
    snprintf(path, sizeof path, "%s/%s.log", test_tmpdir(), name);
    pid_t pid = spawn(args, &e, path);
    if (pid < 0) {
        set_err("fork: %s", strerror(errno));
        goto cleanup;
    }
    int w = wait_timeout(pid, timeout_ms, &st);
    if (w == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        set_err("users-api %s did not exit within %d ms", args && args[0] ? args[0] : "(serve)",
                timeout_ms);
        goto cleanup;
    }
    if (w < 0) {
        set_err("waitpid: %s", strerror(errno));
        goto cleanup;
    }
    rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
cleanup:
    if (out)
        *out = read_file_all(path, NULL);
    env_free(&e);
    return rc;
}

/* ---- servers ---- */

struct req {
    const char *base; /* NULL: http_base() */
    const char *method;
    const char *path;
    const char *bearer;
    const char *content_type;
    const void *body;
    size_t body_len;
    bool has_body;
    bool as_is;
    va_list *extra;
};

char *server_log(const struct server *s)
{
    char *l = read_file_all(s->log_path, NULL);
    return l ? l : strdup("");
}

static const char *log_tail(const char *log)
{
    size_t n = strlen(log);
    return n > 3000 ? log + n - 3000 : log;
}

/* Port from a {"msg":"listening","port":N} line, 0 if none yet. */
static int find_listening_port(const char *log)
{
    int port = 0;
    const char *line = log;
    while (line && *line && !port) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len > 0 && line[0] == '{') {
            json_t *j = json_loadb(line, len, 0, NULL);
            const char *msg = jstr(j, "msg");
            if (msg && strcmp(msg, "listening") == 0 && json_is_integer(json_object_get(j, "port")))
                port = (int)json_integer_value(json_object_get(j, "port"));
            json_decref(j);
        }
        line = nl ? nl + 1 : NULL;
    }
    return port;
}

static int wait_listening(struct server *s, long long deadline)
{
    for (;;) {
        int st;
        char *log = server_log(s);
        s->port = find_listening_port(log);
        if (s->port > 0) {
            free(log);
            return 0;
        }
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            char how[64];
            describe_status(st, how, sizeof how);
            set_err("users-api exited before listening (%s); log:\n%s", how, log_tail(log));
            s->stopped = true;
            free(log);
            return -1;
        }
        if (now_ms() > deadline) {
            set_err("no {\"msg\":\"listening\",\"port\":N} line within 10 s; log:\n%s",
                    log_tail(log));
            free(log);
            return -1;
        }
        free(log);
        sleep_ms(20);
    }
}

static struct resp *do_request(const struct req *q);

static int wait_ping(struct server *s, long long deadline)
{
    struct req q = {.base = s->base, .method = "GET", .path = "/ping"};
    for (;;) {
        struct resp *r = do_request(&q);
        long status = r->status;
        resp_free(r);
        if (status == 200)
            return 0;
        if (now_ms() > deadline) {
            set_err("GET /ping on port %d never answered 200 (last %ld)", s->port, status);
            return -1;
        }
        sleep_ms(20);
    }
}

int server_start(struct server *s, const char *const env[])
{
    struct envlist e = {0};
    char name[96];
    int rc = -1;
    memset(s, 0, sizeof *s);
    s->pid = -1;
    s->stopped = true;
    if (env_build(&e, env) != 0)
        goto cleanup;
    const char *url = env_get(&e, "DATABASE_URL");
    snprintf(s->db_url, sizeof s->db_url, "%s", url ? url : "");
    uniq_name(name, sizeof name, "server_");
    snprintf(s->log_path, sizeof s->log_path, "%s/%s.log", test_tmpdir(), name);
    s->pid = spawn(NULL, &e, s->log_path);
    if (s->pid < 0) {
        set_err("fork: %s", strerror(errno));
        goto cleanup;
    }
    s->stopped = false;
    long long deadline = now_ms() + 10000;
    if (wait_listening(s, deadline) != 0)
        goto cleanup;
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    if (wait_ping(s, deadline + 5000) != 0)
        goto cleanup;
    rc = 0;
cleanup:
    env_free(&e);
    if (rc != 0 && !s->stopped && s->pid > 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        s->stopped = true;
    }
    return rc;
}

static long peak_rss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static int check_sanitizer_log(const struct server *s)
{
    static const char *const bad[] = {"ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer",
                                      "ERROR: UndefinedBehaviorSanitizer"};
    char *log = server_log(s);
    int rc = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *hit = strstr(log, bad[i]);
        if (hit) {
            set_err("server log (%s) contains \"%s\":\n%.3000s", s->log_path, bad[i], hit);
            rc = -1;
            break;
        }
    }
    free(log);
    return rc;
}

int server_wait_exit(struct server *s, int timeout_ms)
{
    int st = 0;
    if (s->stopped)
        return 0;
    int w = wait_timeout(s->pid, timeout_ms, &st);
    if (w == 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &st, 0);
        s->stopped = true;
        char *log = server_log(s);
        set_err("users-api (pid %d) did not exit within %d ms after SIGTERM; log:\n%s", (int)s->pid,
                timeout_ms, log_tail(log));
        free(log);
        return -1;
    }
    s->stopped = true;
    if (w < 0) {
        set_err("waitpid(%d): %s", (int)s->pid, strerror(errno));
        return -1;
    }
    if (check_sanitizer_log(s) != 0)
        return -1;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        char how[64];
        describe_status(st, how, sizeof how);
        char *log = server_log(s);
        set_err("users-api did not exit 0 after SIGTERM (%s); log:\n%s", how, log_tail(log));
        free(log);
        return -1;
    }
    return 0;
}

int server_stop(struct server *s)
{
    if (s->stopped)
        return 0;
    long kb = peak_rss_kb(s->pid);
    fprintf(stderr, "users-api peak RSS: %ld kB (%s)\n", kb, s->log_path);
    if (kill(s->pid, SIGTERM) != 0) {
        set_err("kill(%d, SIGTERM): %s", (int)s->pid, strerror(errno));
        return -1;
    }
    return server_wait_exit(s, 15000);
}

/* ---- the shared server ---- */

static struct server g_shared;
static int g_shared_failed;

static void shared_exit_status(void)
{
    /* runs after Criterion's main returned: turn a shared-server failure into exit 1 */
    if (g_shared_failed)
        _exit(1);
}

void shared_server_start(void)
{
    static const char *const env[] = {"LOGIN_RATE_LIMIT_IP=0",
                                      "LOGIN_RATE_LIMIT_ACCOUNT=0",
                                      "ADMIN_EMAIL=" TEST_ADMIN_EMAIL,
                                      "ADMIN_PASSWORD=" TEST_ADMIN_PASSWORD,
                                      "ADMIN_USERNAME=" TEST_ADMIN_USERNAME,
                                      NULL};
    atexit(shared_exit_status);
    if (server_start(&g_shared, env) != 0) {
        fprintf(stderr, "SHARED SERVER FAILED TO START (%s backend): %s\n", test_backend(),
                harness_err);
        g_shared_failed = 1;
        /* tests will fail to connect; point them at a closed port */
        setenv("USERS_API_BASE", "http://127.0.0.1:1", 1);
        return;
    }
    setenv("USERS_API_BASE", g_shared.base, 1);
    setenv("USERS_API_LOG", g_shared.log_path, 1);
    setenv("USERS_API_DB", g_shared.db_url, 1);
}

void shared_server_stop(struct criterion_global_stats *stats)
{
    if (g_shared.stopped || g_shared.pid <= 0)
        return;
    if (server_stop(&g_shared) != 0) {
        fprintf(stderr, "SHARED SERVER STOP FAILED (%s backend): %s\n", test_backend(),
                harness_err);
        g_shared_failed = 1;
        if (stats)
            stats->tests_failed++;
    }
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    shared_server_start();
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    shared_server_stop(stats);
}

const char *shared_log_path(void)
{
    const char *p = getenv("USERS_API_LOG");
    return p ? p : "";
}

/* ---- HTTP ---- */

static char g_base[128];
static pthread_once_t g_curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_ALL);
}

void http_use(const struct server *s)
{
    snprintf(g_base, sizeof g_base, "%s", s->base);
}

const char *http_base(void)
{
    if (!g_base[0]) {
        const char *b = getenv("USERS_API_BASE");
        snprintf(g_base, sizeof g_base, "%s", b ? b : "http://127.0.0.1:1");
    }
    return g_base;
}

struct buf {
    char *data;
    size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    size_t add = size * n;
    char *nd = realloc(b->data, b->len + add + 1);
    if (!nd)
        return 0;
    memcpy(nd + b->len, p, add);
    b->data = nd;
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t len = size * n;
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        /* a new response (after 100 Continue): forget earlier headers */
        for (size_t i = 0; i < r->nheaders; i++)
            free(r->headers[i]);
        r->nheaders = 0;
        return len;
    }
    while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n'))
        len--;
    if (len == 0 || !memchr(p, ':', len))
        return size * n;
    char **nh = realloc(r->headers, (r->nheaders + 1) * sizeof *nh);
    if (!nh)
        return 0;
    r->headers = nh;
    r->headers[r->nheaders++] = strndup(p, len);
    return size * n;
}

static struct curl_slist *build_headers(const struct req *q)
{
    struct curl_slist *h = NULL;
    char line[4096];
    bool ct_given = false;
    const char *x;
    va_list ap;
    if (q->extra) {
        va_copy(ap, *q->extra);
        while ((x = va_arg(ap, const char *)) != NULL) {
            if (strncasecmp(x, "Content-Type:", 13) == 0)
                ct_given = true;
            h = curl_slist_append(h, x);
        }
        va_end(ap);
    }
    if (q->bearer) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", q->bearer);
        h = curl_slist_append(h, line);
    }
    if (q->has_body && !ct_given) {
        snprintf(line, sizeof line, "Content-Type: %s",
                 q->content_type ? q->content_type : "application/json");
        h = curl_slist_append(h, line);
    }
    h = curl_slist_append(h, "Expect:");
    return h;
}

static struct resp *do_request(const struct req *q)
{
    pthread_once(&g_curl_once, curl_init_once);
    struct resp *r = calloc(1, sizeof *r);
    struct buf body = {0};
    char url[32768];
    CURL *c = curl_easy_init();
    struct curl_slist *h = build_headers(q);
    snprintf(url, sizeof url, "%s%s", q->base ? q->base : http_base(), q->path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
    if (strcmp(q->method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (q->has_body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
    }
    if (q->as_is)
        curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &r->seconds);
    r->body = body.data ? body.data : strdup("");
    r->body_len = body.len;
    if (r->body_len > 0)
        r->json = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

struct resp *http_va(const char *method, const char *path, const char *bearer, const char *body,
                     ...)
{
    va_list ap;
    va_start(ap, body);
    struct req q = {.method = method,
                    .path = path,
                    .bearer = bearer,
                    .body = body,
                    .body_len = body ? strlen(body) : 0,
                    .has_body = body != NULL,
                    .extra = &ap};
    struct resp *r = do_request(&q);
    va_end(ap);
    return r;
}

struct resp *http_json(const char *method, const char *path, const char *bearer, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    json_decref(body);
    struct resp *r = http(method, path, bearer, text ? text : "");
    free(text);
    return r;
}

struct resp *http_raw_va(const char *method, const char *path, const char *bearer,
                         const char *content_type, const void *body, size_t len, ...)
{
    va_list ap;
    va_start(ap, len);
    struct req q = {.method = method,
                    .path = path,
                    .bearer = bearer,
                    .content_type = content_type,
                    .body = body,
                    .body_len = len,
                    .has_body = true,
                    .extra = &ap};
    struct resp *r = do_request(&q);
    va_end(ap);
    return r;
}

struct resp *http_path_as_is(const char *method, const char *path)
{
    struct req q = {.method = method, .path = path, .as_is = true};
    return do_request(&q);
}

const char *resp_header(const struct resp *r, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; r && i < r->nheaders; i++) {
        const char *h = r->headers[i];
        if (strncasecmp(h, name, nl) == 0 && h[nl] == ':') {
            const char *v = h + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            return v;
        }
    }
    return NULL;
}

void resp_free(struct resp *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nheaders; i++)
        free(r->headers[i]);
    free(r->headers);
    free(r->body);
    json_decref(r->json);
    free(r);
}

const char *jstr(const json_t *obj, const char *key)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

long long jint(const json_t *obj, const char *key)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

bool has_field_error(const struct resp *r, const char *field)
{
    const json_t *errs = json_is_object(r->json) ? json_object_get(r->json, "errors") : NULL;
    return json_is_object(errs) && json_object_get(errs, field) != NULL;
}

static const char *short_body(const struct resp *r)
{
    static char b[600];
    snprintf(b, sizeof b, "%.500s", r->body ? r->body : "");
    return b;
}

void expect_status_at(const char *file, int line, const struct resp *r, long status,
                      const char *what)
{
    cr_assert_eq(r->status, status, "[%s:%d] %s: expected HTTP %ld, got %ld; body: %s", file, line,
                 what, status, r->status, short_body(r));
    /* every response carries a request id */
    const char *id = resp_header(r, "X-Request-Id");
    cr_assert(id && *id, "[%s:%d] %s: HTTP %ld response lacks X-Request-Id", file, line, what,
              r->status);
}

void expect_error_at(const char *file, int line, const struct resp *r, long status,
                     const char *message, const char *what)
{
    expect_status_at(file, line, r, status, what);
    const char *ct = resp_header(r, "Content-Type");
    cr_assert(ct && strncasecmp(ct, "application/json", 16) == 0,
              "[%s:%d] %s: error body must be JSON, Content-Type: %s", file, line, what,
              ct ? ct : "(none)");
    const char *m = jstr(r->json, "message");
    cr_assert(m && *m, "[%s:%d] %s: error body needs a \"message\" string; body: %s", file, line,
              what, short_body(r));
    if (message)
        cr_assert_str_eq(m, message, "[%s:%d] %s: message \"%s\", expected \"%s\"", file, line,
                         what, m, message);
}

void expect_401_at(const char *file, int line, const struct resp *r, const char *what)
{
    expect_error_at(file, line, r, 401, NULL, what);
    const char *w = resp_header(r, "WWW-Authenticate");
    cr_assert(w && strncasecmp(w, "Bearer", 6) == 0,
              "[%s:%d] %s: 401 needs \"WWW-Authenticate: Bearer\", got %s", file, line, what,
              w ? w : "(none)");
}

static bool is_utc_timestamp(const char *s)
{
    /* 2026-11-28T02:33:14Z */
    static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
    if (!s || strlen(s) != sizeof pat - 1)
        return false;
    for (size_t i = 0; pat[i]; i++) {
        if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
            return false;
    }
    return true;
}

void expect_user_object_at(const char *file, int line, const json_t *u, const char *what)
{
    static const char *const keys[] = {"id",     "username", "email",
                                       "active", "admin",    "created_date"};
    cr_assert(json_is_object(u), "[%s:%d] %s: user is not an object", file, line, what);
    cr_assert_eq(json_object_size(u), 6,
                 "[%s:%d] %s: user object must have exactly 6 keys, has %zu", what,
                 json_object_size(u));
    for (size_t i = 0; i < 6; i++)
        cr_assert(json_object_get(u, keys[i]), "[%s:%d] %s: user object lacks \"%s\"", file, line,
                  what, keys[i]);
    cr_assert(json_is_integer(json_object_get(u, "id")), "[%s:%d] %s: id must be an integer", file,
              line, what);
    cr_assert(json_is_string(json_object_get(u, "username")), "[%s:%d] %s: username string", file,
              line, what);
    cr_assert(json_is_string(json_object_get(u, "email")), "[%s:%d] %s: email string", file, line,
              what);
    cr_assert(json_is_boolean(json_object_get(u, "active")), "[%s:%d] %s: active boolean", file,
              line, what);
    cr_assert(json_is_boolean(json_object_get(u, "admin")), "[%s:%d] %s: admin boolean", file, line,
              what);
    const char *cd = jstr(u, "created_date");
    cr_assert(is_utc_timestamp(cd), "[%s:%d] %s: created_date \"%s\" is not YYYY-MM-DDTHH:MM:SSZ",
              file, line, what, cd ? cd : "(not a string)");
}

/* ---- users and tokens ---- */

void user_make(struct user *u)
{
    char n[64];
    memset(u, 0, sizeof *u);
    uniq_name(n, sizeof n, "u");
    snprintf(u->username, sizeof u->username, "%s", n);
    snprintf(u->email, sizeof u->email, "%s@example.com", n);
    snprintf(u->password, sizeof u->password, "pw-%s", n);
    u->id = -1;
}

static char *user_json(const struct user *u)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "username", u->username, "email", u->email, "password",
                          u->password);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

void user_register(struct user *u)
{
    char *body = user_json(u);
    struct resp *r = http("POST", "/auth/register", NULL, body);
    free(body);
    expect_status(r, 201, "POST /auth/register");
    u->id = jint(r->json, "id");
    cr_assert(u->id > 0, "register: no id in %s", short_body(r));
    resp_free(r);
}

void user_new(struct user *u)
{
    user_make(u);
    user_register(u);
}

struct resp *login_req(const char *email, const char *password, const char *const extra_header)
{
    json_t *o = json_pack("{s:s, s:s}", "email", email, "password", password);
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    struct resp *r = extra_header ? http("POST", "/auth/login", NULL, body, extra_header)
                                  : http("POST", "/auth/login", NULL, body);
    free(body);
    return r;
}

static void tokens_from(const struct resp *r, struct tokens *t, const char *what)
{
    const char *a = jstr(r->json, "access_token");
    const char *f = jstr(r->json, "refresh_token");
    cr_assert(a && f, "%s: response lacks access_token/refresh_token: %s", what, short_body(r));
    cr_assert(strlen(a) < sizeof t->access && strlen(f) < sizeof t->refresh, "%s: tokens too long",
              what);
    snprintf(t->access, sizeof t->access, "%s", a);
    snprintf(t->refresh, sizeof t->refresh, "%s", f);
}

void login(const char *email, const char *password, struct tokens *t)
{
    struct resp *r = login_req(email, password, NULL);
    expect_status(r, 200, "POST /auth/login");
    tokens_from(r, t, "login");
    resp_free(r);
}

void login_admin(struct tokens *t)
{
    login(TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, t);
}

void user_new_session(struct user *u, struct tokens *t)
{
    user_new(u);
    login(u->email, u->password, t);
}

struct resp *refresh_req(const char *refresh_token)
{
    json_t *o = json_pack("{s:s}", "refresh_token", refresh_token);
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    struct resp *r = http("POST", "/auth/refresh", NULL, body);
    free(body);
    return r;
}

long long user_count(const char *admin_access)
{
    struct resp *r = http("GET", "/users?limit=1", admin_access, NULL);
    const char *h = r->status == 200 ? resp_header(r, "X-Total-Count") : NULL;
    long long n = h ? strtoll(h, NULL, 10) : -1;
    resp_free(r);
    return n;
}

/* ---- JWT ---- */

char *jwt_forge(int alg, const char *key, const char *claims_json)
{
    jwt_t *j = NULL;
    char *out = NULL;
    if (jwt_new(&j) != 0)
        return NULL;
    if (jwt_add_grants_json(j, claims_json) != 0)
        goto cleanup;
    if (alg == JWT_ALG_NONE) {
        if (jwt_set_alg(j, JWT_ALG_NONE, NULL, 0) != 0)
            goto cleanup;
    } else if (jwt_set_alg(j, (jwt_alg_t)alg, (const unsigned char *)key, (int)strlen(key)) != 0) {
        goto cleanup;
    }
    out = jwt_encode_str(j);
cleanup:
    jwt_free(j);
    return out;
}

static int b64url_val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-' || c == '+')
        return 62;
    if (c == '_' || c == '/')
        return 63;
    return -1;
}

static json_t *jwt_segment(const char *token, int index)
{
    const char *p = token;
    for (int i = 0; i < index && p; i++) {
        p = strchr(p, '.');
        if (p)
            p++;
    }
    if (!p)
        return NULL;
    const char *end = strchr(p, '.');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    unsigned char *out = malloc(n + 1);
    size_t o = 0;
    unsigned int acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_val((unsigned char)p[i]);
        if (v < 0)
            break;
        acc = (acc << 6) | (unsigned int)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    json_t *j = json_loadb((const char *)out, o, 0, NULL);
    free(out);
    return j;
}

json_t *jwt_payload(const char *token)
{
    return jwt_segment(token, 1);
}

json_t *jwt_header(const char *token)
{
    return jwt_segment(token, 0);
}
